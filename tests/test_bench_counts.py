"""Every FLOP and byte count the benchmark suite divides by, checked against what PyTorch actually does.

FLOPs: ``torch.utils.flop_counter.FlopCounterMode`` counts the matrix products of a real
forward and of a real training step. Bytes: a dispatch mode adds up the tensors each
ATen kernel of the eager step reads and writes.
"""

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

from ffn_lib import sizing
from ffn_lib.bench import impls, suite
from ffn_lib.variants import VARIANTS

TOKENS, D_MODEL = 6, 16


def _flops(fn) -> int:
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


@pytest.mark.parametrize("name", list(VARIANTS))
def test_block_flops_match_the_flop_counter(name, device):
    variant = VARIANTS[name]
    d_ff = 24 if variant.gated else 32
    block = variant.build(D_MODEL, d_ff).to(device)
    x = torch.randn(TOKENS, D_MODEL, device=device, requires_grad=True)
    forward = sizing.forward_flops(TOKENS, D_MODEL, d_ff, gated=variant.gated)
    backward = sizing.backward_flops(TOKENS, D_MODEL, d_ff, gated=variant.gated)
    assert _flops(impls.block_forward(block, x)) == forward
    # the training step the suite times: gradients of x and of every weight
    assert _flops(impls.training_step(block, x)) == forward + backward


def test_plain_block_with_biases_counts_the_same_products(device):
    from ffn_lib import FFN

    block = FFN(D_MODEL, 32, "gelu", bias=True).to(device)
    x = torch.randn(TOKENS, D_MODEL, device=device, requires_grad=True)
    assert _flops(impls.training_step(block, x)) == 3 * sizing.forward_flops(TOKENS, D_MODEL, 32, gated=False)


def test_input_gradient_alone_misses_two_thirds_of_the_backward(device):
    """The bug the training step fixes: autograd.grad(out, [x]) does only the input's gradient."""
    block = VARIANTS["SwiGLU"].build(D_MODEL, 24).to(device)
    x = torch.randn(TOKENS, D_MODEL, device=device, requires_grad=True)
    out = block(x)
    input_only = _flops(lambda: torch.autograd.grad(out, [x], torch.ones_like(out)))
    assert input_only == sizing.backward_flops(TOKENS, D_MODEL, 24, gated=True) // 2


def test_gemm_flops_match_the_flop_counter(device):
    n, d, f = 8, 16, 24
    dtype = torch.float32
    cases = {
        "square": (impls._gemm_square(n, device, dtype), sizing.product_flops(n, n, n)),
        "two": (impls._gemm_two(n, d, f, device, dtype), 2 * sizing.product_flops(n, d, f)),
        "one": (impls._gemm_one(n, d, 2 * f, device, dtype), sizing.product_flops(n, d, 2 * f)),
        "down": (impls._gemm_one(n, f, d, device, dtype), sizing.product_flops(n, f, d)),
    }
    for name, (fn, expected) in cases.items():
        assert _flops(fn) == expected, name


class _Traffic(TorchDispatchMode):
    """Bytes read plus written by every ATen kernel: each tensor argument and each tensor result."""

    def __init__(self):
        super().__init__()
        self.bytes, self.kernels = 0, []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func.__name__.startswith(("detach", "view", "_to_copy", "alias", "t.", "ones_like", "empty")):
            return out
        tensors = [a for a in (*args, *(kwargs or {}).values()) if isinstance(a, torch.Tensor)]
        results = out if isinstance(out, (tuple, list)) else [out]
        tensors += [r for r in results if isinstance(r, torch.Tensor)]
        self.bytes += sum(t.numel() * t.element_size() for t in tensors)
        self.kernels.append(func.__name__)
        return out


@pytest.mark.parametrize("gate", ["silu", "gelu", "gelu_tanh", "relu", "sigmoid"])
def test_eager_gated_step_traffic_matches_sizing(gate, device):
    """The eager count of ffn_lib.sizing models one PyTorch kernel for the activation (true of these gates;
    Swish with beta != 1 takes three, and the identity none)."""
    n, f = 4, 8
    fn = impls._eager(gate)
    g = torch.randn(n, f, device=device, requires_grad=True)
    u = torch.randn(n, f, device=device, requires_grad=True)
    with _Traffic() as fwd:
        out = fn(g, u)
    assert fwd.bytes == sizing.activation_bytes(n, f, torch.float32, gated=True, fused=False)
    dy = torch.randn_like(out)
    with _Traffic() as bwd:
        torch.autograd.grad(out, [g, u], dy)
    assert bwd.bytes == sizing.activation_bytes(n, f, torch.float32, gated=True, backward=True, fused=False)


def test_eager_swish_with_beta_moves_more_than_the_two_kernel_model(device):
    g = torch.randn(4, 8, device=device, requires_grad=True)
    u = torch.randn(4, 8, device=device, requires_grad=True)
    with _Traffic() as fwd:
        impls._eager("swish")(g, u)
    assert fwd.bytes > sizing.activation_bytes(4, 8, torch.float32, gated=True, fused=False)
    assert len(fwd.kernels) > 2


def test_plain_activation_traffic_matches_sizing(device):
    from ffn_lib import get_activation

    h = torch.randn(4, 8, device=device)
    for name in suite.ACTIVATIONS_ALONE:
        with _Traffic() as t:
            get_activation(name).torch(h)
        assert t.bytes == sizing.activation_bytes(4, 8, torch.float32, gated=False), name


def test_suite_minimum_traffic_is_the_fused_kernels(device):
    """The suite divides every implementation's time by the least traffic: the fused kernel's
    3 tensors forward (g, u in; y out), 5 backward (g, u, dy in; dg, du out), 8 for both."""
    n, f = 4, 8
    assert suite.PASS_TENSORS["forward"] * n * f * 4 == sizing.activation_bytes(n, f, gated=True)
    assert suite.PASS_TENSORS["backward"] * n * f * 4 == sizing.activation_bytes(n, f, gated=True, backward=True)
    assert suite.PASS_TENSORS["forward+backward"] == suite.PASS_TENSORS["forward"] + suite.PASS_TENSORS["backward"]
    config = suite.Config.default(device, quick=True, groups=("act_mul",))
    cases = suite.build_cases(config, device, [])
    for case in cases:
        assert case.nbytes == suite.PASS_TENSORS[case.pass_] * config.tokens * config.d_ff_act * 4
