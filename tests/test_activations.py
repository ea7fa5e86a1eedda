"""Activations: agreement with PyTorch, NumPy/torch parity, derivatives, properties, edge inputs, errors."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import ffn_lib
from ffn_lib import activations as A
from conftest import TOLERANCES

TORCH_REFERENCE = {
    "relu": F.relu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "sigmoid": torch.sigmoid,
}
ALL = sorted(A.ACTIVATIONS)
DTYPES = [torch.float32, torch.float64, torch.bfloat16]


def grid(dtype=torch.float64, n=2001, lim=8.0):
    return torch.linspace(-lim, lim, n, dtype=torch.float64).to(dtype)


# --- Agreement with torch ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", sorted(TORCH_REFERENCE))
def test_matches_torch(name, dtype):
    x = torch.cat([grid(dtype), torch.randn(1000).to(dtype) * 3])
    ours = A.get_activation(name)(x)
    assert ours.dtype == dtype
    torch.testing.assert_close(ours, TORCH_REFERENCE[name](x), **TOLERANCES[dtype])


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_glu_gate_matches_F_glu(dtype):
    a, b = torch.randn(64, 10).to(dtype), torch.randn(64, 10).to(dtype)
    # F.glu gates the first half with the sigmoid of the second half.
    ours = a * A.sigmoid(b)
    torch.testing.assert_close(ours, F.glu(torch.cat([a, b], -1), dim=-1), **TOLERANCES[dtype])


@pytest.mark.parametrize("name", ALL)
def test_numpy_and_torch_paths_agree(name):
    x = np.linspace(-10, 10, 4001)
    act = A.get_activation(name)
    np_out = act(x)
    torch_out = act(torch.from_numpy(x))
    assert isinstance(np_out, np.ndarray) and isinstance(torch_out, torch.Tensor)
    np.testing.assert_allclose(np_out, torch_out.numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(act.derivative(x), act.derivative(torch.from_numpy(x)).numpy(), rtol=1e-12, atol=1e-13)


def test_numpy_scalar_and_dtypes():
    assert isinstance(ffn_lib.gelu(1.0), np.floating)
    assert ffn_lib.gelu(np.float32(1.0)).dtype == np.float32
    assert ffn_lib.relu(3) == 3.0 and ffn_lib.relu([-1, 2]).dtype == np.float64
    assert ffn_lib.silu(np.array([1.0], dtype=np.float16)).dtype == np.float16


def test_hugging_face_names_resolve_to_the_right_functions():
    x = np.linspace(-4, 4, 101)
    tanh = ffn_lib.gelu(x, approximate="tanh")
    for name in ("gelu_new", "gelu_fast", "gelu_pytorch_tanh"):
        np.testing.assert_allclose(A.get_activation(name)(x), tanh)
    np.testing.assert_allclose(A.get_activation("gelu")(x), ffn_lib.gelu(x))
    np.testing.assert_allclose(A.get_activation("quick_gelu")(x), x / (1 + np.exp(-1.702 * x)))
    for name in ("silu", "swish"):
        np.testing.assert_allclose(A.get_activation(name)(x), x / (1 + np.exp(-x)))
    assert A.get_activation("swish", beta=2.0)(1.0) == pytest.approx(1 / (1 + math.exp(-2)))


def test_registry_entries_are_complete():
    for act in A.ACTIVATIONS.values():
        assert act.formula and act.derivative_formula and act.description
        assert act.source in ffn_lib.SOURCES, act.name
    names = A.activation_names()
    assert len(names) == len(set(names))


# --- Derivatives -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_derivative_matches_autograd(name):
    x = torch.cat([grid(), torch.tensor([-30.0, 30.0], dtype=torch.float64)])
    x = x[x != 0].requires_grad_()  # ReLU's derivative at 0 is a convention
    act = A.get_activation(name)
    (grad,) = torch.autograd.grad(act(x).sum(), x)
    torch.testing.assert_close(act.derivative(x.detach()), grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ALL)
def test_gradcheck(name):
    x = (torch.randn(20, dtype=torch.float64) * 3).requires_grad_()
    if name == "relu":
        x = x.detach().abs().add(0.1).mul(torch.sign(torch.randn(20, dtype=torch.float64))).requires_grad_()
    assert torch.autograd.gradcheck(A.get_activation(name), (x,))


def test_gradcheck_trainable_beta():
    x = torch.randn(20, dtype=torch.float64, requires_grad=True)
    beta = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, b: A.swish(x, b), (x, beta))


def test_derivative_of_swish_in_beta_against_finite_difference():
    x = np.linspace(-5, 5, 11)
    for beta in (0.0, 0.5, 2.0):
        eps = 1e-6
        numeric = (A.swish(x + eps, beta) - A.swish(x - eps, beta)) / (2 * eps)
        np.testing.assert_allclose(A.swish_derivative(x, beta), numeric, rtol=1e-6, atol=1e-8)


# --- Properties ------------------------------------------------------------------------------------

floats = st.floats(min_value=-50, max_value=50, allow_nan=False)


@given(floats)
def test_gelu_odd_part_is_x(x):
    # Phi(x) + Phi(-x) = 1, so GELU(x) - GELU(-x) = x.
    assert A.gelu(x) - A.gelu(-x) == pytest.approx(x, abs=1e-12)


@given(floats)
def test_swish_beta_zero_is_half_x(x):
    assert A.swish(x, beta=0.0) == pytest.approx(x / 2, abs=1e-15)


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0.2, max_value=50))
def test_swish_distance_to_relu(beta):
    # sup_x |Swish_beta(x) - ReLU(x)| = c / beta, reached at x = -t/beta where t solves the
    # stationarity condition; recompute c on a fine grid of beta * x.
    x = np.linspace(-40, 40, 400_001) / beta
    gap = np.max(np.abs(A.swish(x, beta) - A.relu(x)))
    assert gap * beta == pytest.approx(0.27846, abs=2e-5)


def _minimum(fn, lo=-3.0, hi=0.0):
    x = np.linspace(lo, hi, 3_000_001)
    y = fn(x)
    i = int(np.argmin(y))
    return x[i], y[i]


def test_minima_of_gelu_and_silu():
    x, y = _minimum(A.gelu)
    assert (x, y) == (pytest.approx(-0.7518, abs=1e-4), pytest.approx(-0.16997, abs=1e-5))
    x, y = _minimum(A.silu)
    assert (x, y) == (pytest.approx(-1.2785, abs=1e-4), pytest.approx(-0.27846, abs=1e-5))
    # At the minimum the derivative vanishes.
    assert abs(A.gelu_derivative(-0.75179)) < 1e-4 and abs(A.silu_derivative(-1.27846)) < 1e-4


def test_approximation_errors_recomputed():
    x = np.linspace(-10, 10, 2_000_001)
    exact = A.gelu(x)
    for approximate, err, where in (("tanh", 4.73e-4, 2.70), ("sigmoid", 2.03e-2, 2.27)):
        diff = np.abs(A.gelu(x, approximate) - exact)
        i = int(np.argmax(diff))
        assert diff[i] == pytest.approx(err, rel=5e-3)
        assert abs(x[i]) == pytest.approx(where, abs=0.02)


def test_swish_large_beta_tends_to_relu():
    x = np.linspace(-5, 5, 1001)
    gaps = [np.max(np.abs(A.swish(x, b) - A.relu(x))) for b in (1, 10, 100, 1000)]
    assert all(a > b for a, b in zip(gaps, gaps[1:]))


# --- Edge inputs (pytest runs with warnings as errors) ---------------------------------------------

EDGE = [-math.inf, math.inf, math.nan, -1e4, 1e4, 0.0, -0.0, 1e-30, -1e300, 1e300]
LIMITS = {  # the value each function must take at -inf and +inf
    "relu": (0.0, math.inf), "gelu": (0.0, math.inf), "gelu_tanh": (0.0, math.inf),
    "gelu_sigmoid": (0.0, math.inf), "swish": (0.0, math.inf), "silu": (0.0, math.inf),
    "sigmoid": (0.0, 1.0), "identity": (-math.inf, math.inf),
}


@pytest.mark.parametrize("name", ALL)
def test_edge_inputs_numpy(name):
    act = A.get_activation(name)
    y = act(np.array(EDGE))
    assert (y[0], y[1]) == LIMITS[name]
    assert np.isnan(y[2])
    assert np.all(np.isfinite(y[3:])) or name == "identity"
    assert np.all(np.isfinite(act.derivative(np.array(EDGE))[[0, 1, 3, 4, 5, 7]]))
    assert act(np.empty(0)).shape == (0,)
    assert act(np.empty((3, 0))).shape == (3, 0)
    assert act(np.float64(2.0)).shape == ()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("name", ALL)
def test_edge_inputs_torch(name, dtype):
    act = A.get_activation(name)
    x = torch.tensor(EDGE[:6], dtype=torch.float64).to(dtype)
    y = act(x)
    assert y.dtype == dtype
    assert (y[0].item(), y[1].item()) == LIMITS[name]
    assert torch.isnan(y[2])
    assert torch.isfinite(y[3:]).all()
    assert act(torch.empty(0, dtype=dtype)).shape == (0,)
    assert act(torch.tensor(1.5, dtype=dtype)).shape == ()


@pytest.mark.parametrize("name", ALL)
def test_non_contiguous_tensor(name):
    base = torch.randn(8, 6, dtype=torch.float64)
    x = base.t()  # a transposed view
    assert not x.is_contiguous()
    act = A.get_activation(name)
    torch.testing.assert_close(act(x), act(x.contiguous()))


def test_no_overflow_in_sigmoids():
    x = np.array([-1e4, 1e4, -800.0, 800.0])
    assert np.all(np.isfinite(A.sigmoid(x)))
    assert np.all(np.isfinite(A.sigmoid_derivative(x)))
    assert np.all(np.isfinite(A.gelu(x, "tanh"))) and np.all(np.isfinite(A.gelu_derivative(x, "tanh")))


# --- Errors --------------------------------------------------------------------------------------


def test_unknown_activation_lists_close_matches():
    with pytest.raises(ValueError, match="gelu"):
        A.get_activation("gleu")
    with pytest.raises(ValueError, match="Known names"):
        A.get_activation("tanhh_xyz")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="approximate"):
        A.gelu(1.0, approximate="erf")
    with pytest.raises(TypeError, match="beta"):
        A.swish(1.0, beta="2")
    with pytest.raises(ValueError, match="beta"):
        A.swish(1.0, beta=math.inf)
    with pytest.raises(TypeError, match="x has dtype torch.int64"):
        A.relu(torch.tensor([1, 2]))
    with pytest.raises(TypeError, match="x has dtype"):
        A.gelu(np.array(["a"]))
    with pytest.raises(TypeError, match="bool"):
        A.relu(True)
    with pytest.raises(TypeError, match="beta"):
        A.get_activation("swish", beta=None)
    with pytest.raises(TypeError, match="takes no parameter"):
        A.get_activation("relu", beta=2.0)
    with pytest.raises(TypeError, match="activation must be a name"):
        A.get_activation(3)


def test_tanh_coefficient_from_taylor_series():
    a = A.gelu_tanh_taylor_coefficient()
    assert a == pytest.approx(0.044715, rel=0.02)
    # with that coefficient the tanh form matches Phi to third order near 0: error O(x^5)
    x = np.array([1e-2, 2e-2])
    phi = A.gelu(x) / x
    approx = 0.5 * (1 + np.tanh(A.SQRT_2_OVER_PI * (x + a * x**3)))
    err = np.abs(approx - phi)
    assert err[1] / err[0] == pytest.approx(2**5, rel=0.05)


def test_swish_is_a_rescaled_silu():
    x = np.linspace(-6, 6, 1001)
    for beta in (0.3, 1.0, 2.5):
        np.testing.assert_allclose(A.swish(x, beta), A.silu(beta * x) / beta, rtol=1e-12, atol=1e-15)
