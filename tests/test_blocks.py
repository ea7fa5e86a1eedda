"""FFN and GatedFFN: references, shapes, sizes, gradients, checkpoint layouts, errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import ffn_lib
from ffn_lib import FFN, GatedFFN, sizing
from ffn_lib.variants import VARIANTS, get_variant

GATED = ["sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu"]


@pytest.mark.parametrize("activation", ["relu", "gelu", "silu", "gelu_tanh"])
@pytest.mark.parametrize("bias", [True, False])
def test_ffn_matches_numpy_reference(activation, bias):
    block = FFN(12, 40, activation, bias=bias).double()
    x = torch.randn(3, 5, 12, dtype=torch.float64)
    np.testing.assert_allclose(block(x).detach().numpy(), block.reference(x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", GATED)
@pytest.mark.parametrize("bias", [False, True])
def test_gated_ffn_matches_numpy_reference(activation, bias):
    block = GatedFFN(12, 32, activation, bias=bias).double()
    x = torch.randn(2, 4, 12, dtype=torch.float64)
    np.testing.assert_allclose(block(x).detach().numpy(), block.reference(x), rtol=1e-10, atol=1e-12)


def test_swish_beta_block_matches_reference():
    block = GatedFFN(8, 16, "swish", beta=1.7).double()
    x = torch.randn(5, 8, dtype=torch.float64)
    np.testing.assert_allclose(block(x).detach().numpy(), block.reference(x), rtol=1e-10)
    assert not np.allclose(block.reference(x), GatedFFN.from_llama(block.to_llama()).double().reference(x))


def test_reference_formula_by_hand():
    """The reference itself, against the papers' formulas written out."""
    rng = np.random.default_rng(0)
    x, W, V, W2 = rng.normal(size=(4, 6)), rng.normal(size=(6, 10)), rng.normal(size=(6, 10)), rng.normal(size=(10, 6))
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    expected = ((x @ W) * sig(x @ W) * (x @ V)) @ W2
    np.testing.assert_allclose(ffn_lib.gated_ffn_reference(x, W, V, W2, "silu"), expected, rtol=1e-12)
    W1, b1, b2 = rng.normal(size=(6, 10)), rng.normal(size=10), rng.normal(size=6)
    np.testing.assert_allclose(ffn_lib.ffn_reference(x, W1, b1, W2, b2),
                               np.maximum(0, x @ W1 + b1) @ W2 + b2, rtol=1e-12)


@pytest.mark.parametrize("shape", [(7,), (2, 7), (2, 3, 7), (1, 2, 3, 7), (0, 7)])
def test_any_leading_dimensions(shape):
    for block in (FFN(7, 9), GatedFFN(7, 9)):
        x = torch.randn(*shape)
        y = block(x)
        assert y.shape == x.shape
        if x.ndim == 3:  # position-wise: each position alone gives the same answer
            torch.testing.assert_close(y[1, 2], block(x[1, 2]))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
def test_low_precision_blocks_run(dtype):
    block = GatedFFN(16, 32).to(dtype)
    x = torch.randn(4, 16).to(dtype)
    ref = torch.from_numpy(block.reference(x)).to(torch.float32)
    torch.testing.assert_close(block(x).float(), ref, rtol=5e-2, atol=5e-2)


def test_gradcheck_blocks():
    x = torch.randn(3, 6, dtype=torch.float64, requires_grad=True)
    for block in [FFN(6, 8, "gelu").double(), *(GatedFFN(6, 8, a, bias=True).double() for a in GATED),
                  GatedFFN(6, 8, "swish", learn_beta=True).double()]:
        params = [p for p in block.parameters()]

        def f(x, *ps, block=block):
            return torch.func.functional_call(block, dict(zip(dict(block.named_parameters()), ps)), (x,))

        assert torch.autograd.gradcheck(f, (x, *params)), block


def test_trainable_beta_learns():
    torch.manual_seed(0)
    block = GatedFFN(4, 8, "swish", beta=1.0, learn_beta=True)
    x = torch.randn(64, 4)
    loss = block(x).pow(2).mean()
    loss.backward()
    assert block.beta.grad is not None and block.beta.grad.abs() > 0
    assert "beta" in dict(block.named_parameters())


# --- Sizes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_param_counts_match_sizing(bias):
    for d, f in [(512, 2048), (7, 13), (768, 3072)]:
        block = FFN(d, f, bias=bias)
        assert sum(p.numel() for p in block.parameters()) == sizing.param_count(d, f, gated=False, bias=bias)
        assert block.param_count() == sizing.param_count(d, f, gated=False, bias=bias)
        gblock = GatedFFN(d, f, bias=bias)
        assert sum(p.numel() for p in gblock.parameters()) == sizing.param_count(d, f, gated=True, bias=bias)
        assert gblock.param_count() == sum(p.numel() for p in gblock.parameters())
    learned = GatedFFN(8, 16, "swish", learn_beta=True)
    assert learned.param_count() == sum(p.numel() for p in learned.parameters())


def test_shazeer_parameter_match():
    plain = sizing.param_count(768, sizing.matched_d_ff(768, gated=False), gated=False, bias=False)
    gated = sizing.param_count(768, sizing.matched_d_ff(768, gated=True), gated=True, bias=False)
    assert plain == gated == 4_718_592
    assert sizing.matched_d_ff(768, gated=False) == 3072 and sizing.matched_d_ff(768, gated=True) == 2048
    assert sizing.forward_flops(10, 768, 3072, gated=False) == sizing.forward_flops(10, 768, 2048, gated=True)
    for variant in VARIANTS.values():
        block = variant.build(768)
        assert sum(p.numel() for p in block.parameters()) == 4_718_592, variant.name


def test_llama_d_ff():
    assert sizing.llama_d_ff(4096) == 11008
    assert sizing.llama_d_ff(5120) == 13824
    assert sizing.llama_d_ff(8192) == 22016
    assert sizing.llama_d_ff(4096, multiple_of=1024, ffn_dim_multiplier=1.3) == 14336  # Llama 3 8B
    assert sizing.matched_d_ff(4096, gated=True, multiple_of=256) == 11008


def test_flops_and_bytes_hand_worked():
    # 2 tokens, d_model 3, d_ff 5: plain 2*2*2*3*5 = 120 FLOPs, gated 180; backward twice that.
    assert sizing.forward_flops(2, 3, 5, gated=False) == 120
    assert sizing.forward_flops(2, 3, 5, gated=True) == 180
    assert sizing.backward_flops(2, 3, 5, gated=True) == 360
    # gated forward moves g, u, y: 3 * 8192 * 14336 * 2 bytes in bf16
    assert sizing.activation_bytes(8192, 14336, torch.bfloat16, gated=True) == 3 * 8192 * 14336 * 2
    assert sizing.activation_bytes(8192, 14336, "bfloat16", gated=True, backward=True) == 5 * 8192 * 14336 * 2
    assert sizing.activation_bytes(4, 4, torch.float32, gated=False) == 2 * 16 * 4
    assert sizing.dtype_bytes("float16") == 2 and sizing.dtype_bytes(torch.float64) == 8
    assert sizing.arithmetic_intensity(100, 50) == 2.0
    assert sizing.matmul_bytes(1, 1, 1, torch.float32, gated=False) == (2 + 2 + 1 + 1) * 4
    # eager act(g) * u: two kernels, five tensor passes forward and eight backward
    assert sizing.activation_bytes(3, 4, torch.float32, gated=True, fused=False) == 5 * 12 * 4
    assert sizing.activation_bytes(3, 4, torch.float32, gated=True, backward=True, fused=False) == 8 * 12 * 4
    assert sizing.product_flops(2, 3, 5) == 60 and sizing.product_bytes(2, 3, 5, "bfloat16") == (6 + 15 + 10) * 2
    assert sizing.act_mul_flops(2, 3) == 30


# --- Checkpoint layouts -------------------------------------------------------------------------------


class LlamaMLP(nn.Module):
    """Hugging Face's LlamaMLP, written out: down_proj(act(gate_proj(x)) * up_proj(x))."""

    def __init__(self, d, f):
        super().__init__()
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class T5DenseGatedActDense(nn.Module):
    """T5 v1.1's gated FFN: wo(gelu_new(wi_0(h)) * wi_1(h))."""

    def __init__(self, d, f):
        super().__init__()
        self.wi_0 = nn.Linear(d, f, bias=False)
        self.wi_1 = nn.Linear(d, f, bias=False)
        self.wo = nn.Linear(f, d, bias=False)

    def forward(self, h):
        return self.wo(F.gelu(self.wi_0(h), approximate="tanh") * self.wi_1(h))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_llama_round_trip_is_exact(dtype):
    hf = LlamaMLP(16, 44).to(dtype)
    block = GatedFFN.from_llama(hf.state_dict())
    assert block.w_gate.weight.dtype == dtype
    x = torch.randn(2, 5, 16).to(dtype)
    assert torch.equal(block(x), hf(x))
    back = LlamaMLP(16, 44).to(dtype)
    back.load_state_dict(block.to_llama())
    assert torch.equal(back(x), hf(x))


def test_t5_round_trip_is_exact():
    t5 = T5DenseGatedActDense(16, 40)
    block = GatedFFN.from_t5(t5.state_dict())
    x = torch.randn(3, 16)
    assert torch.equal(block(x), t5(x))
    back = T5DenseGatedActDense(16, 40)
    back.load_state_dict(block.to_t5())
    assert torch.equal(back(x), t5(x))


def test_meta_layout_and_prefix():
    hf = LlamaMLP(8, 24)
    sd = {f"model.layers.3.mlp.{k}": v for k, v in hf.state_dict().items()}
    sd["model.layers.3.self_attn.q_proj.weight"] = torch.zeros(8, 8)
    block = GatedFFN.from_llama(sd, prefix="model.layers.3.mlp.")
    x = torch.randn(4, 8)
    assert torch.equal(block(x), hf(x))
    meta = block.to_state_dict("meta")
    assert set(meta) == {"w1.weight", "w3.weight", "w2.weight"}
    assert torch.equal(GatedFFN.from_state_dict(meta, "meta")(x), hf(x))


def test_state_dict_errors_name_the_key():
    hf = LlamaMLP(8, 24).state_dict()
    missing = {k: v for k, v in hf.items() if k != "up_proj.weight"}
    with pytest.raises(KeyError, match="up_proj.weight"):
        GatedFFN.from_llama(missing)
    bad = dict(hf, **{"down_proj.weight": torch.zeros(24, 8)})
    with pytest.raises(ValueError, match="down_proj.weight.*shape"):
        GatedFFN.from_llama(bad)
    with pytest.raises(ValueError, match="gate_proj.weight.*2-D"):
        GatedFFN.from_llama(dict(hf, **{"gate_proj.weight": torch.zeros(24)}))
    with pytest.raises(TypeError, match="up_proj.weight.*Tensor"):
        GatedFFN.from_llama(dict(hf, **{"up_proj.weight": [[1.0]]}))
    with pytest.raises(TypeError, match="state_dict must be a mapping"):
        GatedFFN.from_llama([1, 2])
    with pytest.raises(ValueError, match="layout"):
        GatedFFN.from_state_dict(hf, "gpt2")
    with pytest.raises(TypeError, match="dtype"):
        GatedFFN.from_llama({k: v.to(torch.int32) for k, v in hf.items()})


# --- Errors on bad input ---------------------------------------------------------------------------------


def test_block_input_errors():
    block = GatedFFN(8, 16)
    with pytest.raises(ValueError, match="last dimension must be d_model=8"):
        block(torch.randn(3, 9))
    with pytest.raises(ValueError, match="d_model=8"):
        block(torch.tensor(1.0))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        block(np.zeros((2, 8)))
    with pytest.raises(TypeError, match="x has dtype torch.int64"):
        block(torch.ones(2, 8, dtype=torch.int64))
    with pytest.raises(TypeError, match="x has dtype torch.float64 but the block's weights are torch.float32"):
        FFN(8, 16)(torch.randn(2, 8, dtype=torch.float64))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(d_model=0, d_ff=4), ValueError, "d_model"),
    (dict(d_model=4, d_ff=-1), ValueError, "d_ff"),
    (dict(d_model=4.0, d_ff=8), TypeError, "d_model"),
    (dict(d_model=4, d_ff=8, activation="gleu"), ValueError, "unknown activation"),
])
def test_constructor_errors(kwargs, exc, match):
    for cls in (FFN, GatedFFN):
        with pytest.raises(exc, match=match):
            cls(**kwargs)


def test_beta_errors():
    with pytest.raises(ValueError, match="learn_beta"):
        GatedFFN(4, 8, "gelu", learn_beta=True)
    with pytest.raises(ValueError, match="beta is a parameter"):
        GatedFFN(4, 8, "relu", beta=2.0)


def test_sizing_errors():
    with pytest.raises(ValueError, match="d_model"):
        sizing.matched_d_ff(0)
    with pytest.raises(TypeError, match="d_ff"):
        sizing.param_count(4, 2.5, gated=True, bias=False)
    with pytest.raises(ValueError, match="ffn_dim_multiplier"):
        sizing.llama_d_ff(4096, ffn_dim_multiplier=-1.0)
    with pytest.raises(ValueError, match="dtype"):
        sizing.dtype_bytes("float99")
    with pytest.raises(ValueError, match="nbytes"):
        sizing.arithmetic_intensity(1, 0)


def test_variants_table():
    assert get_variant("swiglu").activation == "silu" and get_variant("SwiGLU").gated
    with pytest.raises(ValueError, match="SwiGLU"):
        get_variant("swigl")
    best = min(VARIANTS.values(), key=lambda v: v.log_perplexity_65k)
    assert best.name == "GEGLU"


def test_sources_cited_in_bibliography():
    import os
    import re

    from pathlib import Path

    bib = (Path(__file__).parent.parent / "book" / "references.bib").read_text()
    for key, source in ffn_lib.SOURCES.items():
        assert re.search(r"@\w+\{" + re.escape(key) + ",", bib), key
        if source.arxiv:
            assert source.arxiv in bib, key
    with pytest.raises(KeyError, match="known"):
        ffn_lib.cite("nope")
