import math

import pytest
import torch

from ffn_lib import GatedFFN, fp8, rescaling


def _block(act="swish", **kw):
    torch.manual_seed(0)
    return GatedFFN(16, 24, act, **kw).double()


@pytest.mark.parametrize("beta", [2.5, 0.3, -1.5])
def test_folding_beta_gives_a_silu_block_with_the_same_outputs(beta):
    block = _block(beta=beta, bias=True)
    folded = rescaling.fold_swish_beta(block)
    assert folded.current_activation().name == "silu"
    x = torch.randn(32, 16, dtype=torch.float64)
    torch.testing.assert_close(folded(x), block(x), rtol=1e-12, atol=1e-12)
    assert not torch.allclose(folded.w_gate.weight, block.w_gate.weight)  # the weights did change


def test_folding_a_learned_beta_uses_its_current_value():
    block = _block(learn_beta=True)
    with torch.no_grad():
        block.beta.fill_(1.7)
    x = torch.randn(8, 16, dtype=torch.float64)
    torch.testing.assert_close(rescaling.fold_swish_beta(block)(x), block(x), rtol=1e-12, atol=1e-12)


def test_fold_beta_refuses_what_it_cannot_fold():
    with pytest.raises(ValueError, match="beta = 0"):
        rescaling.fold_swish_beta(_block(beta=0.0))
    with pytest.raises(ValueError, match="activation='swish'"):
        rescaling.fold_swish_beta(_block("gelu"))
    with pytest.raises(TypeError, match="GatedFFN"):
        rescaling.fold_swish_beta(torch.nn.Linear(2, 2))


def test_channel_scale_folds_into_w2_exactly_and_smooths_the_hidden_tensor():
    block = _block("silu")
    x = torch.randn(64, 16, dtype=torch.float64)
    hidden = block.act_mul(block.w_gate(x), block.w_up(x))
    s = fp8.smooth_scale(hidden)
    smoothed = rescaling.fold_channel_scale(block, s)
    torch.testing.assert_close(smoothed(x), block(x), rtol=1e-12, atol=1e-12)
    h2 = smoothed.act_mul(smoothed.w_gate(x), smoothed.w_up(x))
    torch.testing.assert_close(h2.abs().amax(dim=0), torch.ones(24, dtype=torch.float64))
    torch.testing.assert_close(h2 * s, hidden)
    with pytest.raises(ValueError, match="shape"):
        rescaling.fold_channel_scale(block, torch.ones(5))
    with pytest.raises(ValueError, match="positive"):
        rescaling.fold_channel_scale(block, -torch.ones(24))


def test_fake_quantize_matches_the_cast_and_per_channel_beats_per_tensor_with_an_outlier_channel():
    torch.manual_seed(0)
    x = torch.randn(512, 8)
    q = fp8.fake_quantize(x)
    s = x.abs().max() / 448
    torch.testing.assert_close(q, (x / s).to(torch.float8_e4m3fn).float() * s)
    assert fp8.relative_error(x) < 0.05  # E4M3 keeps 3 mantissa bits: a few per cent
    x[:, 3] *= 1e5  # one outlier channel, as large as Sun et al.'s massive activations
    per_tensor = fp8.relative_error(x, by_channel=True)
    per_channel = fp8.relative_error(x, per_channel=True, by_channel=True)
    others = [i for i in range(8) if i != 3]
    assert (per_tensor[others] > 0.3).all()  # the small channels fall to E4M3's subnormals or to zero
    assert (per_channel < 0.05).all()



def test_per_token_scales_cannot_cure_a_channel_outlier_but_blocks_along_the_row_confine_it():
    """Per token (one scale per row, what a scaled FP8 product applies to its A operand) every row holds the
    outlier channel, so the other channels are lost as with one scale; blocks of channels along the row
    (DeepSeek-V3's 1 x 128 tiles, MX's 32) hurt only the outlier's own block."""
    torch.manual_seed(0)
    x = torch.randn(256, 300)
    x[:, 3] *= 1e5
    s = fp8.amax_scale(x, per_token=True)
    assert s.shape == (256, 1)
    torch.testing.assert_close(s[:, 0], x.abs().amax(dim=1) / 448)
    blocks = fp8.amax_scale(x, block=128)
    assert blocks.shape == x.shape  # each scale repeated over its block; the last block has 44 channels
    torch.testing.assert_close(blocks[:, 200], x[:, 128:256].abs().amax(dim=1) / 448)
    torch.testing.assert_close(blocks[:, 299], x[:, 256:].abs().amax(dim=1) / 448)
    per_token = fp8.relative_error(x, per_token=True, by_channel=True)
    tiled = fp8.relative_error(x, block=128, by_channel=True)
    assert (per_token[4:] > 0.08).all()  # several times E4M3's own rounding (a few per cent)
    assert (tiled[4:128] > 0.08).all() and (tiled[128:] < 0.05).all()
    torch.testing.assert_close(fp8.fake_quantize(x, per_token=True),
                               (x / s).to(torch.float8_e4m3fn).float() * s)


@pytest.mark.parametrize("kwargs, match", [(dict(per_token=True, per_channel=True), "choose one"),
                                           (dict(block=0), "block must be a positive int"),
                                           (dict(block=2.5), "block must be")])
def test_scale_granularity_arguments_are_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fp8.amax_scale(torch.ones(4, 4), **kwargs)

def test_clamped_swiglu_is_gpt_oss_formula_and_bounded():
    g = torch.tensor([-20.0, -1.0, 0.0, 1.0, 3.0, 100.0])
    u = torch.tensor([50.0, 2.0, -3.0, -100.0, 0.5, 100.0])
    out = fp8.clamped_swiglu(g, u)
    gc, uc = g.clamp(max=7.0), u.clamp(-7.0, 7.0)
    torch.testing.assert_close(out, gc * torch.sigmoid(1.702 * gc) * (uc + 1))
    assert out.abs().max() <= 7.0 * 8.0
    big = fp8.clamped_swiglu(torch.full((3,), 1e6), torch.full((3,), 1e6))
    torch.testing.assert_close(big, torch.full((3,), 7.0 * torch.sigmoid(torch.tensor(1.702 * 7.0)).item() * 8.0))
    with pytest.raises(ValueError, match="limit"):
        fp8.clamped_swiglu(g, u, limit=0.0)
    with pytest.raises(ValueError, match="same shape"):
        fp8.clamped_swiglu(g, u[:2])


def test_an_aligned_gated_unit_grows_with_the_square_of_its_weights_a_plain_one_linearly():
    """Fishman et al. (2024): with w = v the unit is act(z) z, so weights grown k-fold grow its peak about k^2."""
    z = torch.linspace(-60.0, 60.0, 1201, dtype=torch.float64)
    for k in (3.0, 0.5, 10.0):
        assert fp8.aligned_unit_growth(z, k, activation="relu") == pytest.approx(k**2, rel=1e-14)  # exactly
        assert fp8.aligned_unit_growth(z, k, activation="relu", gated=False) == pytest.approx(k, rel=1e-14)
        assert fp8.aligned_unit_growth(z, k) == pytest.approx(k**2, rel=1e-9)  # SiLU(z) = z at a large peak
    small = torch.linspace(-1.0, 1.0, 201, dtype=torch.float64)
    assert fp8.aligned_unit_growth(small, 3.0) > 9.5, "near 0, SiLU(3z) grows faster than 3 SiLU(z): not quadratic"
    with pytest.raises(ValueError, match="factor"):
        fp8.aligned_unit_growth(z, 0.0)
    with pytest.raises(TypeError, match="z must be"):
        fp8.aligned_unit_growth([1.0, 2.0], 3.0)
    with pytest.raises(ValueError, match="peak is 0"):
        fp8.aligned_unit_growth(-z.abs(), 3.0, activation="relu")


def test_subnormal_share_counts_the_values_below_e4m3s_normal_range_after_scaling():
    # one row: amax 448 -> scale 1; 2**-7 and 2**-10 fall below 2**-6, 0.5 and 2**-6 do not; the zero is not counted
    x = torch.tensor([[448.0, 0.5, 2.0 ** -6, 2.0 ** -7, 2.0 ** -10, 0.0]])
    assert fp8.subnormal_share(x).item() == pytest.approx(2 / 5)
    # a scale per block of 3: the second block's amax 2**-7 brings its values up to 448 and below: none subnormal
    assert fp8.subnormal_share(x, block=3).item() == pytest.approx(0.0)
    per_ch = fp8.subnormal_share(torch.cat([x, 2 * x]), by_channel=True)
    # one scale for both rows (amax 896): channel 2 holds 2**-7 (below) and 2**-6 (normal), channel 3 two below
    assert per_ch.shape == (6,) and per_ch[2].item() == 0.5 and per_ch[3].item() == 1.0 and per_ch[5].item() == 0.0
    with pytest.raises(ValueError, match="block"):
        fp8.subnormal_share(x, block=0)


def test_binade_rounding_error_is_three_mantissa_bits_closed_form_and_scale_free():
    # rounding to a step of 2**-3 in [1, 2): error uniform over +-2**-4, mean square 2**-6 / 12, over
    # E[x**2] = 3 / (2 ln 2) for log-uniform x: 2.45%
    closed = 2 ** -3 / math.sqrt(12) / math.sqrt(3 / (2 * math.log(2)))
    assert fp8.binade_rounding_error() == pytest.approx(closed, rel=2e-3)
    assert fp8.binade_rounding_error() == pytest.approx(0.0245, abs=5e-5)
    # the same in every binade of the normal range (2**-6 to 2**8): only the 3 mantissa bits count
    x = torch.exp2(torch.arange(1 << 14, dtype=torch.float64) / (1 << 14))

    def cast_error(y):
        return ((y.to(fp8.FP8).to(torch.float64) - y).norm() / y.norm()).item()

    for k in (-6, -1, 3, 7):
        assert cast_error(x * 2.0 ** k) == pytest.approx(fp8.binade_rounding_error(), rel=2e-3)
    # a band one binade wide but placed across a binade's edge ([1.35, 2.7)) loses more: placement moves it
    assert cast_error(x * 1.354) > 1.1 * fp8.binade_rounding_error()
    with pytest.raises(ValueError, match="n must be an int"):
        fp8.binade_rounding_error(1)
