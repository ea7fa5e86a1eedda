"""FFN and GatedFFN: references, shapes, sizes, gradients, checkpoint layouts, the fused path, errors.

Every torch tensor is made on the ``device`` fixture (the CPU, and CUDA when present).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import ffn_lib
from ffn_lib import FFN, GatedFFN, kernels, sizing
from ffn_lib.activations import get_activation
from ffn_lib.variants import VARIANTS, get_variant

GATED = ["sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu"]


@pytest.mark.parametrize("activation", ["relu", "gelu", "silu", "gelu_tanh"])
@pytest.mark.parametrize("bias", [True, False])
def test_ffn_matches_numpy_reference(activation, bias, device):
    block = FFN(12, 40, activation, bias=bias).to(device, torch.float64)
    x = torch.randn(3, 5, 12, dtype=torch.float64, device=device)
    np.testing.assert_allclose(block(x).detach().cpu().numpy(), block.reference(x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", GATED)
@pytest.mark.parametrize("bias", [False, True])
def test_gated_ffn_matches_numpy_reference(activation, bias, device):
    block = GatedFFN(12, 32, activation, bias=bias).to(device, torch.float64)
    x = torch.randn(2, 4, 12, dtype=torch.float64, device=device)
    np.testing.assert_allclose(block(x).detach().cpu().numpy(), block.reference(x), rtol=1e-10, atol=1e-12)


def test_references_use_the_activation_parameters(device):
    """A Swish beta = 2 block's reference is Swish_2, not SiLU (it once used the name only)."""
    x = torch.randn(5, 8, dtype=torch.float64, device=device)
    for block in (FFN(8, 16, get_activation("swish", beta=2.0)), GatedFFN(8, 16, "swish", beta=2.0),
                  GatedFFN(8, 16, "swish", beta=2.0, learn_beta=True)):
        block = block.to(device, torch.float64)
        out = block(x).detach().cpu().numpy()
        np.testing.assert_allclose(out, block.reference(x), rtol=1e-10, atol=1e-12)
        with torch.no_grad():
            silu = (block.w2(F.silu(block.w1(x))) if isinstance(block, FFN)
                    else block.w_down(F.silu(block.w_gate(x)) * block.w_up(x)))
        assert np.abs(out - silu.cpu().numpy()).max() > 1e-3  # beta matters: the check above can fail


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
def test_any_leading_dimensions(shape, device):
    for block in (FFN(7, 9).to(device), GatedFFN(7, 9).to(device)):
        x = torch.randn(*shape, device=device)
        y = block(x)
        assert y.shape == x.shape
        if x.ndim == 3:  # position-wise: each position alone gives the same answer
            torch.testing.assert_close(y[1, 2], block(x[1, 2]))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
def test_low_precision_blocks_run(dtype, device):
    block = GatedFFN(16, 32).to(device, dtype)
    x = torch.randn(4, 16, device=device).to(dtype)
    ref = torch.from_numpy(block.reference(x)).to(device, torch.float32)
    torch.testing.assert_close(block(x).float(), ref, rtol=5e-2, atol=5e-2)


def test_gradcheck_blocks(device):
    x = torch.randn(3, 6, dtype=torch.float64, device=device, requires_grad=True)
    blocks = [FFN(6, 8, "gelu"), *(GatedFFN(6, 8, a, bias=True) for a in GATED),
              GatedFFN(6, 8, "swish", learn_beta=True)]
    for block in (b.to(device, torch.float64) for b in blocks):
        params = [p for p in block.parameters()]

        def f(x, *ps, block=block):
            return torch.func.functional_call(block, dict(zip(dict(block.named_parameters()), ps)), (x,))

        assert torch.autograd.gradcheck(f, (x, *params)), block


def test_trainable_beta_learns(device):
    torch.manual_seed(0)
    block = GatedFFN(4, 8, "swish", beta=1.0, learn_beta=True).to(device)
    x = torch.randn(64, 4, device=device)
    loss = block(x).pow(2).mean()
    loss.backward()
    assert block.beta.grad is not None and block.beta.grad.device == x.device and block.beta.grad.abs() > 0
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
def test_llama_round_trip_is_exact(dtype, device):
    hf = LlamaMLP(16, 44).to(device, dtype)
    block = GatedFFN.from_llama(hf.state_dict())
    assert block.w_gate.weight.dtype == dtype and block.w_gate.weight.device == hf.gate_proj.weight.device
    x = torch.randn(2, 5, 16, device=device).to(dtype)
    assert torch.equal(block(x), hf(x))
    back = LlamaMLP(16, 44).to(device, dtype)
    back.load_state_dict(block.to_llama())
    assert torch.equal(back(x), hf(x))


def test_t5_round_trip_is_exact(device):
    t5 = T5DenseGatedActDense(16, 40).to(device)
    block = GatedFFN.from_t5(t5.state_dict())
    assert block.activation.name == "gelu_tanh"
    x = torch.randn(3, 16, device=device)
    assert torch.equal(block(x), t5(x))
    back = T5DenseGatedActDense(16, 40).to(device)
    back.load_state_dict(block.to_t5())
    assert torch.equal(back(x), t5(x))


def test_meta_layout_and_prefix(device):
    hf = LlamaMLP(8, 24).to(device)
    sd = {f"model.layers.3.mlp.{k}": v for k, v in hf.state_dict().items()}
    sd["model.layers.3.self_attn.q_proj.weight"] = torch.zeros(8, 8, device=device)
    block = GatedFFN.from_llama(sd, prefix="model.layers.3.mlp.")
    x = torch.randn(4, 8, device=device)
    assert torch.equal(block(x), hf(x))
    meta = block.to_state_dict("meta")
    assert set(meta) == {"w1.weight", "w3.weight", "w2.weight"}
    assert torch.equal(GatedFFN.from_state_dict(meta, "meta")(x), hf(x))


def test_meta_layout_against_metas_published_feedforward(device):
    """Meta's llama/model.py, FeedForward.forward: ``self.w2(F.silu(self.w1(x)) * self.w3(x))``.

    Written here with torch ops from that line alone, not through the library's layout table, so
    a table with w1 and w3 swapped (or w2 misplaced) fails."""
    gen = torch.Generator().manual_seed(3)
    dim, hidden = 8, 24
    w1, w3 = torch.randn(hidden, dim, generator=gen), torch.randn(hidden, dim, generator=gen)
    w2 = torch.randn(dim, hidden, generator=gen)
    w1, w2, w3 = (w.to(device) for w in (w1, w2, w3))
    x = torch.randn(5, dim, generator=gen).to(device)
    meta = (F.silu(x @ w1.T) * (x @ w3.T)) @ w2.T  # w2(silu(w1(x)) * w3(x)), nn.Linear: y = x W^T
    block = GatedFFN.from_state_dict({"w1.weight": w1, "w2.weight": w2, "w3.weight": w3}, "meta")
    torch.testing.assert_close(block(x), meta)
    back = block.to_state_dict("meta")
    assert torch.equal(back["w1.weight"], w1) and torch.equal(back["w3.weight"], w3)
    assert torch.equal(back["w2.weight"], w2)


def test_checkpoint_bias_argument_and_mixed_dtypes(device):
    hf = LlamaMLP(8, 24).to(device).state_dict()
    assert GatedFFN.from_llama(hf, bias=False).w_gate.bias is None  # agrees with the checkpoint: fine
    with pytest.raises(ValueError, match="bias=True disagrees with the checkpoint, which has no biases"):
        GatedFFN.from_llama(hf, bias=True)
    biased = dict(hf, **{f"{k}_proj.bias": torch.zeros(n, device=device)
                         for k, n in (("gate", 24), ("up", 24), ("down", 8))})
    assert GatedFFN.from_llama(biased, bias=True).w_down.bias is not None
    with pytest.raises(ValueError, match="bias=False disagrees"):
        GatedFFN.from_llama(biased, bias=False)
    mixed = dict(hf, **{"up_proj.weight": hf["up_proj.weight"].to(torch.bfloat16)})
    with pytest.raises(TypeError, match="mixes dtypes.*up_proj.weight: bfloat16.*down_proj.weight: float32"):
        GatedFFN.from_llama(mixed)


def test_state_dict_errors_name_the_key(device):
    hf = LlamaMLP(8, 24).to(device).state_dict()
    missing = {k: v for k, v in hf.items() if k != "up_proj.weight"}
    with pytest.raises(KeyError, match="up_proj.weight"):
        GatedFFN.from_llama(missing)
    bad = dict(hf, **{"down_proj.weight": torch.zeros(24, 8, device=device)})
    with pytest.raises(ValueError, match="down_proj.weight.*shape"):
        GatedFFN.from_llama(bad)
    with pytest.raises(ValueError, match="gate_proj.weight.*2-D"):
        GatedFFN.from_llama(dict(hf, **{"gate_proj.weight": torch.zeros(24, device=device)}))
    with pytest.raises(TypeError, match="up_proj.weight.*Tensor"):
        GatedFFN.from_llama(dict(hf, **{"up_proj.weight": [[1.0]]}))
    with pytest.raises(TypeError, match="state_dict must be a mapping"):
        GatedFFN.from_llama([1, 2])
    with pytest.raises(ValueError, match="layout"):
        GatedFFN.from_state_dict(hf, "gpt2")
    with pytest.raises(TypeError, match="dtype"):
        GatedFFN.from_llama({k: v.to(torch.int32) for k, v in hf.items()})


@pytest.mark.parametrize("layout", ["llama", "meta", "t5"])
def test_learned_beta_survives_every_layout(layout, device):
    block = GatedFFN(8, 16, "swish", learn_beta=True).to(device)
    with torch.no_grad():
        block.beta.fill_(1.9)  # as if trained
    x = torch.randn(4, 8, device=device)
    sd = block.to_state_dict(layout, prefix="mlp.")
    assert sd["mlp.act_beta"].item() == pytest.approx(1.9) and sd["mlp.act_beta"].device == x.device
    back = GatedFFN.from_state_dict(sd, layout, prefix="mlp.")
    assert back.activation.name == "swish" and back.activation.params["beta"] == pytest.approx(1.9)
    assert torch.equal(back(x), block(x))
    learned = GatedFFN.from_state_dict(sd, layout, prefix="mlp.", learn_beta=True)
    assert learned.beta.requires_grad and torch.equal(learned(x), block(x))


def test_beta_round_trips_through_llama_and_t5_helpers(device):
    x = torch.randn(5, 8, dtype=torch.float64, device=device)
    for block in (GatedFFN(8, 16, "swish", beta=1.7), GatedFFN(8, 16, "swish", beta=0.6, learn_beta=True)):
        block = block.to(device, torch.float64)
        for back in (GatedFFN.from_llama(block.to_llama()), GatedFFN.from_t5(block.to_t5())):
            torch.testing.assert_close(back(x), block(x), rtol=0, atol=0)
            np.testing.assert_allclose(back.reference(x), block.reference(x), rtol=1e-14)


def test_beta_is_never_silently_dropped(device):
    block = GatedFFN(8, 16, "swish", beta=1.7).to(device)
    sd = block.to_llama()
    with pytest.raises(ValueError, match="beta"):
        GatedFFN.from_llama(sd, activation="silu")  # SiLU has no beta: refuse, do not run with beta = 1
    with pytest.raises(ValueError, match="beta is given twice"):
        GatedFFN.from_llama(sd, beta=2.0)
    with pytest.raises(RuntimeError, match="act_beta"):
        LlamaMLP(8, 16).to(device).load_state_dict(sd)  # Hugging Face's LlamaMLP cannot hold a beta
    with pytest.raises(ValueError, match="act_beta"):
        GatedFFN.from_llama(dict(sd, act_beta=torch.ones(2, device=device)))
    with pytest.raises(ValueError, match="act_beta"):
        GatedFFN.from_llama(dict(sd, act_beta=torch.tensor(float("nan"), device=device)))
    assert "act_beta" not in GatedFFN(8, 16, "silu").to_llama()  # SiLU blocks stay loadable into LlamaMLP


# --- The fused path ---------------------------------------------------------------------------------------


def _spy_on_kernel(monkeypatch) -> list:
    """Record every call of kernels.act_mul (the fused path) and pass it through."""
    calls = []
    real = kernels.act_mul

    def spy(*args, **kwargs):
        calls.append(args[0].dtype)
        return real(*args, **kwargs)

    monkeypatch.setattr(kernels, "act_mul", spy)
    return calls


FUSED_TOL = {torch.float64: dict(rtol=1e-12, atol=1e-12), torch.float32: dict(rtol=1e-5, atol=1e-5),
             torch.bfloat16: dict(rtol=2e-2, atol=2e-2)}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16], ids=str)
def test_fused_block_uses_the_kernel_exactly_where_it_can(dtype, device, monkeypatch):
    eager = GatedFFN(16, 40, "silu").to(device, dtype)
    fused = GatedFFN(16, 40, "silu", fused=True).to(device, dtype)
    fused.load_state_dict(eager.state_dict())
    x = torch.randn(3, 16, device=device).to(dtype).requires_grad_()
    runnable = kernels.can_run(x) and dtype in (torch.float16, torch.bfloat16, torch.float32)
    calls = _spy_on_kernel(monkeypatch)
    assert fused.fused_active(x) is runnable and fused.fused_active() is runnable
    y = fused(x)  # float64, or a device the kernels cannot run on: eager, not an error
    assert len(calls) == int(runnable)
    torch.testing.assert_close(y, eager(x), **FUSED_TOL[dtype])
    (dx_fused,) = torch.autograd.grad(y.float().sum(), x)
    (dx_eager,) = torch.autograd.grad(eager(x).float().sum(), x)
    torch.testing.assert_close(dx_fused, dx_eager, **FUSED_TOL[dtype])


def test_whether_to_fuse_is_decided_when_built_or_moved_not_at_every_call(kernel_device, monkeypatch):
    asked = []
    real = kernels.supports
    monkeypatch.setattr(kernels, "supports", lambda *a, **k: (asked.append(a[0].dtype), real(*a, **k))[1])
    block = GatedFFN(8, 16, fused=True).to(kernel_device)
    runnable = kernels.can_run(block.w_gate.weight)
    assert block.fused_active() is runnable and asked
    asked.clear()
    x = torch.randn(4, 8, device=kernel_device)
    for _ in range(3):
        block(x)
    assert asked == []  # three forwards, no question asked
    block.double()  # a dtype the kernels do not take: decided again, now eager
    assert asked == [torch.float64] and not block.fused_active()
    block.float()
    assert block.fused_active() is runnable
    block.fused = False
    assert not block.fused_active() and not block.fused
    with torch.no_grad():  # a learned beta runs fused only while it needs no gradient
        learned = GatedFFN(8, 16, "swish", learn_beta=True, fused=True).to(kernel_device)
        assert learned.fused_active() is runnable
    assert not learned.fused_active()


def test_fused_block_without_triton_runs_eagerly(device, monkeypatch):
    monkeypatch.setattr(kernels, "HAS_TRITON", False)
    block = GatedFFN(8, 16, fused=True).to(device)
    x = torch.randn(4, 8, device=device)
    calls = _spy_on_kernel(monkeypatch)
    assert not block.fused_active(x)
    with torch.no_grad():
        expected = block.w_down(F.silu(block.w_gate(x)) * block.w_up(x))
    torch.testing.assert_close(block(x), expected)
    assert calls == []


def test_fused_block_honours_swish_beta(kernel_device, monkeypatch):
    x = torch.randn(6, 8, device=kernel_device)
    eager = GatedFFN(8, 24, "swish", beta=2.0).to(kernel_device)
    fused = GatedFFN(8, 24, "swish", beta=2.0, fused=True).to(kernel_device)
    fused.load_state_dict(eager.state_dict())
    calls = _spy_on_kernel(monkeypatch)
    torch.testing.assert_close(fused(x), eager(x), rtol=1e-5, atol=1e-5)
    assert len(calls) == int(fused.fused_active(x))


def test_fused_block_with_learned_beta_keeps_its_gradient(kernel_device, monkeypatch):
    fused = GatedFFN(8, 24, "swish", learn_beta=True, fused=True).to(kernel_device)
    eager = GatedFFN(8, 24, "swish", learn_beta=True).to(kernel_device)
    eager.load_state_dict(fused.state_dict())
    x = torch.randn(6, 8, device=kernel_device)
    calls = _spy_on_kernel(monkeypatch)
    fused(x).pow(2).sum().backward()
    eager(x).pow(2).sum().backward()
    assert len(calls) == int(fused.fused_active(x))  # the kernel runs only if it supports a learned beta ...
    torch.testing.assert_close(fused.beta.grad, eager.beta.grad, rtol=1e-4, atol=1e-6)  # ... never detaching it
    assert fused.beta.grad.abs() > 0


# --- Errors on bad input ---------------------------------------------------------------------------------


def test_block_input_errors(device):
    block = GatedFFN(8, 16).to(device)
    with pytest.raises(ValueError, match="last dimension must be d_model=8"):
        block(torch.randn(3, 9, device=device))
    with pytest.raises(ValueError, match="d_model=8"):
        block(torch.tensor(1.0, device=device))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        block(np.zeros((2, 8)))
    with pytest.raises(TypeError, match="x has dtype torch.int64"):
        block(torch.ones(2, 8, dtype=torch.int64, device=device))
    with pytest.raises(TypeError, match="x has dtype torch.float64 but the block's weights are torch.float32"):
        FFN(8, 16).to(device)(torch.randn(2, 8, dtype=torch.float64, device=device))


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


def test_variants_table():
    assert get_variant("swiglu").activation == "silu" and get_variant("SwiGLU").gated
    with pytest.raises(ValueError, match="SwiGLU"):
        get_variant("swigl")
    best = min(VARIANTS.values(), key=lambda v: v.log_perplexity_65k)
    assert best.name == "GEGLU"


def test_sources_cited_in_bibliography():
    import re

    from pathlib import Path

    bib = (Path(__file__).parent.parent / "book" / "references.bib").read_text()
    for key, source in ffn_lib.SOURCES.items():
        assert re.search(r"@\w+\{" + re.escape(key) + ",", bib), key
        if source.arxiv:
            assert source.arxiv in bib, key
    with pytest.raises(KeyError, match="known"):
        ffn_lib.cite("nope")


# --- Fused gate-and-value layouts, and what a shape check cannot catch -----------------------------------------


def test_forward_is_the_products_around_act_mul(monkeypatch):
    """Chapter 4 shows forward as the formula: g = x W, u = x V, then act_mul(g, u) and W2 (the fused branch lives
    in act_mul, shown in chapter 6)."""
    block = GatedFFN(8, 16, "gelu")
    seen = []
    real = block.act_mul
    monkeypatch.setattr(block, "act_mul", lambda g, u: (seen.append((g.shape, u.shape)), real(g, u))[1])
    x = torch.randn(3, 8)
    y = block(x)
    assert seen == [((3, 16), (3, 16))]
    with torch.no_grad():
        torch.testing.assert_close(y, block.w_down(F.gelu(block.w_gate(x)) * block.w_up(x)))


@pytest.mark.parametrize("layout", sorted(ffn_lib.blocks.FUSED_LAYOUTS))
def test_split_and_fuse_gate_up_are_inverse(layout):
    from ffn_lib.blocks import fuse_gate_up, split_gate_up

    a = torch.randn(2, 3, 10)
    for dim in (-1, 2):
        gate, up = split_gate_up(a, layout, dim=dim)
        assert gate.shape == up.shape == (2, 3, 5)
        assert torch.equal(fuse_gate_up(gate, up, layout, dim=dim), a)
    weight = torch.randn(10, 4)  # a fused nn.Linear weight: (2 d_ff, d_model)
    gate, up = split_gate_up(weight, layout, dim=0)
    assert torch.equal(fuse_gate_up(gate, up, layout, dim=0), weight)


def test_split_gate_up_matches_the_code_that_reads_each_layout():
    from ffn_lib.blocks import split_gate_up

    a = torch.randn(4, 12)
    gate, up = split_gate_up(a, "glu")
    torch.testing.assert_close(up * torch.sigmoid(gate), F.glu(a, dim=-1))  # PyTorch's F.glu gates the first half
    gate, up = split_gate_up(a, "gate_first")
    g_ref, u_ref = a.chunk(2, dim=-1)  # Hugging Face Phi3MLP: gate, up_states = gate_up_proj(x).chunk(2, dim=-1)
    assert torch.equal(gate, g_ref) and torch.equal(up, u_ref)
    gate, up = split_gate_up(a, "interleaved")  # gpt-oss swiglu: x_glu, x_linear = x[..., ::2], x[..., 1::2]
    assert torch.equal(gate, a[..., ::2]) and torch.equal(up, a[..., 1::2])


def test_split_gate_up_errors_name_the_argument():
    from ffn_lib.blocks import fuse_gate_up, split_gate_up

    with pytest.raises(ValueError, match="layout"):
        split_gate_up(torch.randn(4), "value_first")
    with pytest.raises(ValueError, match="even"):
        split_gate_up(torch.randn(2, 5), "glu")
    with pytest.raises(TypeError, match="fused"):
        split_gate_up([1.0, 2.0], "glu")
    with pytest.raises(ValueError, match="same shape"):
        fuse_gate_up(torch.randn(3), torch.randn(4), "gate_first")


def test_a_reshaped_or_swapped_weight_passes_every_shape_check_only_outputs_catch_it():
    """Chapter 5's porting checklist: an FFN's matrices are not square, yet W2 (d_ff, d_model in the papers'
    layout) reshaped instead of transposed, or up_proj's weight transposed into down_proj, has the right shape:
    the block loads, and only a comparison with the reference on random inputs shows the port is wrong."""
    d_model, d_ff = 6, 10
    W, V, W2 = (torch.randn(*shape, dtype=torch.float64) for shape in ((d_model, d_ff), (d_model, d_ff),
                                                                        (d_ff, d_model)))
    right = {"gate_proj.weight": W.T, "up_proj.weight": V.T, "down_proj.weight": W2.T}
    x = np.random.default_rng(0).standard_normal((32, d_model))
    reference = ffn_lib.gated_ffn_reference(x, W.numpy(), V.numpy(), W2.numpy(), "silu")
    good = GatedFFN.from_llama(right)
    np.testing.assert_allclose(good(torch.from_numpy(x)).detach().numpy(), reference, rtol=1e-12, atol=1e-12)
    for wrong in ({**right, "down_proj.weight": W2.reshape(d_model, d_ff)},   # reshape where .T was needed
                  {**right, "down_proj.weight": V}):                          # up_proj.weight.T into down_proj
        block = GatedFFN.from_llama(wrong)  # no error: the shapes are right
        assert np.abs(block(torch.from_numpy(x)).detach().numpy() - reference).max() > 0.1
    with pytest.raises(ValueError, match="shape"):
        GatedFFN.from_llama({**right, "down_proj.weight": W2})  # a missing transpose alone does fail loudly
