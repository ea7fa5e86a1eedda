"""Fused Triton kernels: forward against a float64 reference, backward against autograd.

On a machine without a GPU these run in Triton's CPU interpreter (see conftest.py);
with a GPU the same tests run the compiled kernels on CUDA tensors.
"""

import pytest
import torch

from ffn_lib import GatedFFN, get_activation
from conftest import TOLERANCES

kernels = pytest.importorskip("ffn_lib.kernels")
if not kernels.HAS_TRITON:
    pytest.skip("Triton is not installed", allow_module_level=True)

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
ACTIVATIONS = ["sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu", "swish", "quick_gelu", "gelu_pytorch_tanh"]
DTYPES = [torch.float32, torch.bfloat16, torch.float16]
SIZES = [1, 7, 1023, 4097]
KERNEL_TOL = {  # outputs are rounded once from float32 math
    torch.float32: dict(rtol=1e-5, atol=1e-6),
    torch.bfloat16: TOLERANCES[torch.bfloat16] | dict(atol=1e-2),
    torch.float16: TOLERANCES[torch.float16] | dict(atol=1e-3),
}


def reference(gate, up, activation, beta=None):
    """act(g) * u and its gradients in float64, by autograd through ffn_lib's formulas."""
    act = get_activation(activation) if beta is None else get_activation(activation, beta=beta)
    g = gate.detach().double().requires_grad_()
    u = up.detach().double().requires_grad_()
    y = act(g) * u
    return y, g, u


def inputs(shape, dtype, seed=0):
    gen = torch.Generator().manual_seed(seed)
    g = (torch.randn(shape, generator=gen) * 3).to(dtype).to(DEVICE).requires_grad_()
    u = torch.randn(shape, generator=gen).to(dtype).to(DEVICE).requires_grad_()
    return g, u


def assert_close(actual, expected, dtype):
    torch.testing.assert_close(actual.double().cpu(), expected.detach().cpu(), **KERNEL_TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_and_backward(activation, dtype):
    for size in SIZES:
        g, u = inputs((2, size), dtype, seed=size)
        y = kernels.act_mul(g, u, activation)
        assert y.dtype == dtype and y.shape == g.shape
        y_ref, g64, u64 = reference(g, u, activation)
        assert_close(y, y_ref, dtype)
        dy = torch.randn_like(y)
        dg, du = torch.autograd.grad(y, (g, u), dy)
        y_ref.backward(dy.double().cpu())
        assert_close(dg, g64.grad, dtype)
        assert_close(du, u64.grad, dtype)


@pytest.mark.parametrize("activation", ["silu", "gelu", "gelu_tanh", "sigmoid"])
def test_three_d_and_concatenated_layout(activation):
    x = (torch.randn(2, 3, 2 * 1023) * 2).to(DEVICE).requires_grad_()
    y = kernels.act_mul_cat(x, activation)
    assert y.shape == (2, 3, 1023)
    gate, up = x[..., :1023], x[..., 1023:]  # first half is the gate
    y_ref, g64, u64 = reference(gate, up, activation)
    assert_close(y, y_ref, torch.float32)
    dy = torch.randn_like(y)
    (dx,) = torch.autograd.grad(y, x, dy)
    y_ref.backward(dy.double().cpu())
    assert_close(dx, torch.cat([g64.grad, u64.grad], -1), torch.float32)
    # the separate-tensor entry point gives the same numbers on the halves (strided views)
    torch.testing.assert_close(kernels.act_mul(gate, up, activation), y)


def test_non_contiguous_inputs():
    base_g, base_u = torch.randn(64, 40, device=DEVICE), torch.randn(64, 40, device=DEVICE)
    for g, u in [(base_g.t(), base_u.t()), (base_g[::2, 1:], base_u[::2, 1:]), (base_g[:, ::3], base_u[:, ::3])]:
        assert not g.is_contiguous()
        y_ref, _, _ = reference(g, u, "silu")
        assert_close(kernels.act_mul(g, u, "silu"), y_ref, torch.float32)
    x = torch.randn(10, 8, device=DEVICE).t()  # (8, 10): non-contiguous concatenated input
    y_ref, _, _ = reference(x[:, :5], x[:, 5:], "gelu")
    assert_close(kernels.act_mul_cat(x, "gelu"), y_ref, torch.float32)


def test_swish_beta_and_empty():
    g, u = inputs((3, 100), torch.float32)
    y_ref, _, _ = reference(g, u, "swish", beta=2.5)
    assert_close(kernels.act_mul(g, u, "swish", beta=2.5), y_ref, torch.float32)
    empty = torch.empty(0, 16, device=DEVICE)
    assert kernels.act_mul(empty, empty).shape == (0, 16)
    assert kernels.act_mul_cat(torch.empty(4, 0, device=DEVICE)).shape == (4, 0)


def test_extreme_inputs_stay_finite():
    g = torch.tensor([[-1e4, 1e4, -80.0, 80.0, -1e3, 1e3]], device=DEVICE)
    u = torch.ones_like(g)
    for activation in ACTIVATIONS:
        y = kernels.act_mul(g.clone().requires_grad_(), u, activation)
        assert torch.isfinite(y).all(), activation


def _strided_rows(rows, stride, d, dtype=torch.bfloat16):
    """(rows, d) views of two storages whose rows lie ``stride`` elements apart.

    torch.empty leaves the storage untouched, so a 4 GB virtual span costs only the pages written.
    """
    n = (rows - 1) * stride + d
    views = [torch.empty(n, dtype=dtype, device=DEVICE).as_strided((rows, d), (stride, 1)) for _ in range(2)]
    for v in views:
        v[0].zero_()
        v[-1].copy_(torch.randn(d).to(dtype))
    return views


def test_rows_past_2_31_elements():
    """A row that starts 2**31 elements into its storage is read and written at the right address."""
    g, u = _strided_rows(2, 2**31, 16)
    y = kernels.act_mul(g, u, "silu")
    y_ref, _, _ = reference(g, u, "silu")
    assert_close(y, y_ref, torch.bfloat16)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (the CPU interpreter takes minutes)")
def test_row_times_stride_past_2_31():
    """Row index * row stride overflows int32 here (32768 * 65536 = 2**31): offsets must be 64-bit."""
    g, u = _strided_rows(2**15 + 1, 2**16, 8)
    y = kernels.act_mul(g, u, "silu")
    y_ref, _, _ = reference(g[-1:], u[-1:], "silu")
    assert_close(y[-1:], y_ref, torch.bfloat16)


def test_errors_name_the_argument():
    g, u = inputs((2, 8), torch.float32)
    with pytest.raises(ValueError, match="same shape"):
        kernels.act_mul(g, u[:, :4])
    with pytest.raises(TypeError, match="gate has dtype torch.float64"):
        kernels.act_mul(g.double(), u.double())
    with pytest.raises(TypeError, match="up must be a torch.Tensor"):
        kernels.act_mul(g, [1.0])
    with pytest.raises(ValueError, match="even"):
        kernels.act_mul_cat(torch.randn(2, 7, device=DEVICE))
    with pytest.raises(ValueError, match="unknown activation"):
        kernels.act_mul(g, u, "gleu")
    with pytest.raises(ValueError, match="beta"):
        kernels.act_mul(g, u, "relu", beta=2.0)


@pytest.mark.parametrize("activation", ["silu", "gelu", "sigmoid", "identity"])
def test_gated_ffn_fused_matches_eager(activation):
    torch.manual_seed(0)
    eager = GatedFFN(16, 48, activation).to(DEVICE)
    fused = GatedFFN(16, 48, activation, fused=True).to(DEVICE)
    fused.load_state_dict(eager.state_dict())
    assert fused.fused_active() and not eager.fused_active()
    x = torch.randn(3, 5, 16, device=DEVICE, requires_grad=True)
    y_e, y_f = eager(x), fused(x)
    torch.testing.assert_close(y_f, y_e, rtol=1e-5, atol=1e-6)
    dy = torch.randn_like(y_e)
    ge = torch.autograd.grad(y_e, [x, *eager.parameters()], dy)
    gf = torch.autograd.grad(y_f, [x, *fused.parameters()], dy)
    for a, b in zip(gf, ge):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_fused_with_trainable_beta_takes_the_eager_path():
    block = GatedFFN(8, 16, "swish", learn_beta=True, fused=True).to(DEVICE)
    assert not block.fused_active()
    block(torch.randn(2, 8, device=DEVICE)).sum().backward()
    assert block.beta.grad is not None
