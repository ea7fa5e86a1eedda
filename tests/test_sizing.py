"""Sizes, FLOPs and bytes: hand-worked values, and the eager step's tensor passes measured with the profiler."""

import pytest
import torch

from ffn_lib import act_mul_eager, get_activation, sizing
from ffn_lib.analysis import elementwise_passes

# Activations that PyTorch computes in one kernel forward and one backward (Swish with a beta is several).
ONE_KERNEL = ["relu", "gelu", "gelu_tanh", "silu", "sigmoid"]


def test_llama_d_ff():
    assert sizing.llama_d_ff(4096) == 11008
    assert sizing.llama_d_ff(5120) == 13824
    assert sizing.llama_d_ff(8192) == 22016
    assert sizing.llama_d_ff(4096, multiple_of=1024, ffn_dim_multiplier=1.3) == 14336  # Llama 3 8B


def _metas_feedforward_width(dim, multiple_of, ffn_dim_multiplier=None):
    """Meta's llama/model.py FeedForward.__init__, transcribed (hidden_dim = 4 * dim is passed in)."""
    hidden_dim = int(2 * (4 * dim) / 3)
    if ffn_dim_multiplier is not None:
        hidden_dim = int(ffn_dim_multiplier * hidden_dim)
    return multiple_of * ((hidden_dim + multiple_of - 1) // multiple_of)


@pytest.mark.parametrize("dim, multiple_of", [(3072, 256), (96, 256), (384, 64), (4095, 256), (4096, 1)])
def test_llama_d_ff_at_exact_multiples_is_not_rounded_up(dim, multiple_of):
    """8/3 * 3072 = 8192 is already a multiple of 256: Meta's rounding keeps it (h // m + 1 would give 8448)."""
    assert sizing.llama_d_ff(dim, multiple_of) == _metas_feedforward_width(dim, multiple_of)
    assert sizing.llama_d_ff(3072) == 8192 and sizing.llama_d_ff(96) == 256
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
    # eager act(g) * u: five tensor passes forward and nine backward (measured below)
    assert sizing.activation_bytes(3, 4, torch.float32, gated=True, fused=False) == 5 * 12 * 4
    assert sizing.activation_bytes(3, 4, torch.float32, gated=True, backward=True, fused=False) == 9 * 12 * 4
    assert sizing.product_flops(2, 3, 5) == 60 and sizing.product_bytes(2, 3, 5, "bfloat16") == (6 + 15 + 10) * 2
    assert sizing.act_mul_flops(2, 3) == 30


def _total(passes) -> int:
    return sum(p.reads + p.writes for p in passes)


@pytest.mark.parametrize("name", ONE_KERNEL)
def test_eager_gated_passes_measured_by_the_profiler(name, device):
    g = torch.randn(16, 24, device=device)
    u = torch.randn(16, 24, device=device)
    step = lambda g, u: act_mul_eager(g, u, name)  # noqa: E731
    forward = elementwise_passes(step, g, u)
    backward = elementwise_passes(step, g, u, backward=True)
    assert len(forward) == 2 and len(backward) == 3  # act, mul; then mul, mul, act's backward
    assert _total(forward) == sizing.activation_tensors(gated=True, backward=False, fused=False) == 5
    # dy is read by both multiplications of mul's backward: 9 passes, not 8
    assert sum(p.reads for p in backward[:2]) == 4
    assert _total(backward) == sizing.activation_tensors(gated=True, backward=True, fused=False) == 9


@pytest.mark.parametrize("name", ["relu", "gelu", "silu"])
def test_eager_plain_passes_equal_the_fused_minimum(name, device):
    h = torch.randn(16, 24, device=device)
    act = get_activation(name).torch
    assert _total(elementwise_passes(act, h)) == sizing.activation_tensors(gated=False, backward=False) == 2
    assert _total(elementwise_passes(act, h, backward=True)) == sizing.activation_tensors(gated=False, backward=True)


def test_elementwise_passes_errors():
    with pytest.raises(TypeError, match="inputs"):
        elementwise_passes(torch.relu)
    with pytest.raises(ValueError, match="one shape"):
        elementwise_passes(torch.mul, torch.zeros(2, 3), torch.zeros(3, 2))


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


def test_gemm_waves_counts_tiles_and_waves():
    # 256 x 256 in 128-tiles: 4 tiles, one wave on 4 SMs, every slot useful
    assert sizing.gemm_waves(256, 256, sms=4) == (4, 1, 1.0)
    # one more column: a partial column of tiles (2 x 3 = 6 tiles), 2 waves on 4 SMs
    tiles, waves, useful = sizing.gemm_waves(256, 257, sms=4)
    assert (tiles, waves) == (6, 2)
    assert useful == pytest.approx(256 * 257 / (2 * 4 * 128 * 128))
    # Llama's rounded width wastes fewer slots than the unrounded 2/3 width on an example GPU
    assert sizing.gemm_waves(8192, 11008, sms=132)[2] > sizing.gemm_waves(8192, 10922, sms=132)[2]


@pytest.mark.parametrize("kwargs", [dict(m=0, n=4, sms=1), dict(m=4, n=4, sms=0), dict(m=4, n=4, sms=1, tile_m=-1)])
def test_gemm_waves_names_a_bad_argument(kwargs):
    with pytest.raises((ValueError, TypeError), match=next(k for k, v in kwargs.items() if v <= 0)):
        sizing.gemm_waves(**kwargs)


# --- the memory of one training step -----------------------------------------------------------------------------

def test_the_training_step_budget_reproduces_every_recorded_peak():
    import json
    from pathlib import Path

    from ffn_lib.variants import VARIANTS

    runs = sorted(Path(__file__).resolve().parent.parent.glob("results/*/results.json"))
    assert runs, "no recorded run under results/"
    checked = 0
    for path in runs:
        run = json.loads(path.read_text())
        cfg = run["config"]
        for r in run["results"]:
            if r["group"] != "block" or not r.get("peak_memory"):
                continue
            variant = VARIANTS[r["op"].split(" (")[0]]
            act = variant.build(8).activation.name
            m = sizing.training_step_memory(cfg["tokens"], cfg["d_model"], r["params"]["d_ff"], cfg["dtype"],
                                            gated=variant.gated, activation=act, fused=r["impl"] == "fused")
            assert m["peak"] == r["peak_memory"]["value"], (path, r["op"], r["impl"])
            checked += 1
    assert checked >= 10


def test_the_training_step_budget_saves_what_autograd_saves():
    from ffn_lib import analysis
    from ffn_lib.blocks import FFN, GatedFFN

    x = torch.randn(32, 16)
    for block, gated, act in ((FFN(16, 48, "relu", bias=False), False, "relu"),
                              (FFN(16, 48, "gelu", bias=False), False, "gelu"),
                              (GatedFFN(16, 32, "sigmoid"), True, "sigmoid"),
                              (GatedFFN(16, 32, "silu"), True, "silu"),
                              (GatedFFN(16, 32, "identity"), True, "identity")):
        measured = analysis.saved_activation_bytes(block, x).nbytes
        budget = sizing.training_step_memory(32, 16, block.d_ff, torch.float32, gated=gated, activation=act)
        assert budget["saved"] == measured, (gated, act)


def test_the_training_step_budget_in_numbers_and_its_errors():
    plain = sizing.training_step_memory(8192, 4096, 16384, gated=False, activation="relu")
    assert plain["hidden"] == 2**28 and plain["saved"] == 2**28 and plain["output"] == 2**26
    assert plain["peak"] == 3 * 2**28 + 2**27 + 2**26 and plain["peak_moment"] == "the activation's backward"
    swiglu = sizing.training_step_memory(8192, 4096, 11008, gated=True, activation="silu")
    assert swiglu["saved"] == 4 * swiglu["hidden"] and swiglu["peak"] == 6 * swiglu["hidden"] + 2**26 + 4096 * 11008 * 2
    assert swiglu["timeline"][0] == ("after the forward", swiglu["saved"] + swiglu["output"])
    with pytest.raises(ValueError, match="activation"):
        sizing.training_step_memory(8, 4, 4, gated=True, activation="tanh")
    with pytest.raises(ValueError, match="d_ff"):
        sizing.training_step_memory(8, 4, 0, gated=True)


def test_the_training_step_budget_names_what_is_alive_at_the_peak():
    plain = sizing.training_step_memory(8192, 4096, 16384, gated=False, activation="relu")
    assert set(plain["peak_live"]) == {"y (the output)", "h", "dh", "dz", "dW2"}
    assert sum(plain["peak_live"].values()) == plain["peak"]
    swiglu = sizing.training_step_memory(8192, 4096, 11008, gated=True, activation="silu")
    assert set(swiglu["peak_live"]) == {"y (the output)", "g", "act(g)", "u", "dh", "d act(g)", "du", "dW2"}
