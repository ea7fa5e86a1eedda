"""Activations: agreement with PyTorch, NumPy/torch parity, derivatives, properties, edge inputs, errors.

Every torch tensor is made on the ``device`` fixture (the CPU, and CUDA when present).
"""

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
    "squared_relu": lambda x: torch.square(F.relu(x)),
}
ALL = sorted(A.ACTIVATIONS)
DTYPES = [torch.float32, torch.float64, torch.bfloat16]


def grid(device, dtype=torch.float64, n=2001, lim=8.0):
    return torch.linspace(-lim, lim, n, dtype=torch.float64, device=device).to(dtype)


# --- Agreement with torch ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", sorted(TORCH_REFERENCE))
def test_matches_torch(name, dtype, device):
    x = torch.cat([grid(device, dtype), torch.randn(1000, device=device).to(dtype) * 3])
    ours = A.get_activation(name)(x)
    assert ours.dtype == dtype
    torch.testing.assert_close(ours, TORCH_REFERENCE[name](x), **TOLERANCES[dtype])


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_glu_gate_matches_F_glu(dtype, device):
    a, b = torch.randn(64, 10, device=device).to(dtype), torch.randn(64, 10, device=device).to(dtype)
    # F.glu gates the first half with the sigmoid of the second half.
    ours = a * A.sigmoid(b)
    torch.testing.assert_close(ours, F.glu(torch.cat([a, b], -1), dim=-1), **TOLERANCES[dtype])


@pytest.mark.parametrize("name", ALL)
def test_numpy_and_torch_paths_agree(name, device):
    x = np.linspace(-10, 10, 4001)
    xt = torch.from_numpy(x).to(device)
    act = A.get_activation(name)
    np_out = act(x)
    torch_out = act(xt)
    assert isinstance(np_out, np.ndarray) and isinstance(torch_out, torch.Tensor)
    assert torch_out.device == xt.device
    np.testing.assert_allclose(np_out, torch_out.cpu().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(act.derivative(x), act.derivative(xt).cpu().numpy(), rtol=1e-12, atol=1e-13)


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
def test_derivative_matches_autograd(name, device):
    x = torch.cat([grid(device), torch.tensor([-30.0, 30.0], dtype=torch.float64, device=device)])
    x = x[x != 0].requires_grad_()  # ReLU's derivative at 0 is a convention
    act = A.get_activation(name)
    (grad,) = torch.autograd.grad(act(x).sum(), x)
    torch.testing.assert_close(act.derivative(x.detach()), grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ALL)
def test_gradcheck(name, device):
    x = (torch.randn(20, dtype=torch.float64, device=device) * 3).requires_grad_()
    if name == "relu":
        sign = torch.sign(torch.randn(20, dtype=torch.float64, device=device))
        x = x.detach().abs().add(0.1).mul(sign).requires_grad_()
    assert torch.autograd.gradcheck(A.get_activation(name), (x,))


def test_gradcheck_trainable_beta(device):
    x = torch.randn(20, dtype=torch.float64, device=device, requires_grad=True)
    beta = torch.tensor(1.3, dtype=torch.float64, device=device, requires_grad=True)
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
    "sigmoid": (0.0, 1.0), "identity": (-math.inf, math.inf), "squared_relu": (0.0, math.inf),
}
# Squared ReLU grows like x^2: its derivative's limit at +inf is +inf, and (1e300)^2 rounds to inf in float64.
DERIVATIVE_AT_POS_INF = {"squared_relu": math.inf}


@pytest.mark.parametrize("name", ALL)
def test_edge_inputs_numpy(name):
    act = A.get_activation(name)
    y = act(np.array(EDGE))
    assert (y[0], y[1]) == LIMITS[name]
    assert np.isnan(y[2])
    if name == "squared_relu":
        assert y[-1] == math.inf and np.all(np.isfinite(y[3:-1]))
    else:
        assert np.all(np.isfinite(y[3:]))
    d = act.derivative(np.array(EDGE))
    assert d[1] == DERIVATIVE_AT_POS_INF.get(name, d[1]) and np.all(np.isfinite(d[[0, 3, 4, 5, 7]]))
    if name not in DERIVATIVE_AT_POS_INF:
        assert np.isfinite(d[1])
    assert act(np.empty(0)).shape == (0,)
    assert act(np.empty((3, 0))).shape == (3, 0)
    assert act(np.float64(2.0)).shape == ()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("name", ALL)
def test_edge_inputs_torch(name, dtype, device):
    act = A.get_activation(name)
    x = torch.tensor(EDGE[:6], dtype=torch.float64, device=device).to(dtype)
    y = act(x)
    assert y.dtype == dtype and y.device == x.device
    assert (y[0].item(), y[1].item()) == LIMITS[name]
    assert torch.isnan(y[2])
    if name == "squared_relu" and dtype == torch.float16:
        assert y[4].item() == math.inf  # (1e4)^2 = 1e8 is past float16's largest number, 65504
        assert torch.isfinite(y[[3, 5]]).all()
    else:
        assert torch.isfinite(y[3:]).all()
    assert act(torch.empty(0, dtype=dtype, device=device)).shape == (0,)
    assert act(torch.tensor(1.5, dtype=dtype, device=device)).shape == ()


@pytest.mark.parametrize("name", ALL)
def test_non_contiguous_tensor(name, device):
    base = torch.randn(8, 6, dtype=torch.float64, device=device)
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


# --- Squared ReLU ----------------------------------------------------------------------------------


def test_squared_relu_by_hand(device):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(A.squared_relu(x), [0.0, 0.0, 0.0, 0.25, 9.0])
    np.testing.assert_array_equal(A.squared_relu_derivative(x), [0.0, 0.0, 0.0, 1.0, 6.0])
    xt = torch.tensor(x, device=device)
    torch.testing.assert_close(A.squared_relu(xt), torch.tensor([0.0, 0.0, 0.0, 0.25, 9.0], dtype=torch.float64,
                                                               device=device))
    for name in ("relu2", "relu_squared", "squared_relu"):  # Hugging Face's ACT2FN calls it relu2
        act = A.get_activation(name)
        assert act.name == "squared_relu" and act.source == "so2021primer"
        torch.testing.assert_close(act.torch(xt), act(xt))
    assert ffn_lib.squared_relu is A.squared_relu and ffn_lib.squared_relu_derivative is A.squared_relu_derivative


# --- One source of truth for the kernels' constants ----------------------------------------------------


def test_kernel_constants_are_public_and_used():
    assert A.SQRT_2_OVER_PI == pytest.approx(math.sqrt(2 / math.pi), rel=1e-15)
    assert A.INV_SQRT_2 == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert A.INV_SQRT_2PI == pytest.approx(1 / math.sqrt(2 * math.pi), rel=1e-15)
    assert (A.GELU_TANH_COEF, A.GELU_SIGMOID_COEF) == (0.044715, 1.702)
    # past the clip limits tanh and the Gaussian density are flat in float64 ...
    assert math.tanh(A.SQRT_2_OVER_PI * A.TANH_CLIP) == 1.0
    assert math.exp(-0.5 * A.PDF_CLIP**2) * A.PDF_CLIP < 1e-300
    # ... and the formulas the book prints are written from the same constants
    assert f"{A.GELU_TANH_COEF:g}" in A.get_activation("gelu_tanh").formula
    assert f"{3 * A.GELU_TANH_COEF:g}" in A.get_activation("gelu_tanh").derivative_formula
    assert f"{A.GELU_SIGMOID_COEF:g}" in A.get_activation("gelu_sigmoid").formula


def test_the_kernels_take_the_constants_under_the_same_names():
    pytest.importorskip("triton")
    from ffn_lib.kernels import triton_act_mul as K  # constexprs wrapping the library's one definition of each

    assert (K.TANH_CLIP.value, K.PDF_CLIP.value) == (A.TANH_CLIP, A.PDF_CLIP)
    assert (K.INV_SQRT_2.value, K.SQRT_2_OVER_PI.value) == (A.INV_SQRT_2, A.SQRT_2_OVER_PI)


# --- The eager gated step -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_act_mul_eager_is_act_times_up(name, device):
    g = torch.randn(5, 7, dtype=torch.float64, device=device)
    u = torch.randn(5, 7, dtype=torch.float64, device=device)
    act = A.get_activation(name)
    y = A.act_mul_eager(g, u, name)
    assert y.device == g.device
    torch.testing.assert_close(y, act(g) * u, rtol=1e-12, atol=1e-12)
    assert ffn_lib.act_mul_eager is A.act_mul_eager


def test_act_mul_eager_honours_parameters(device):
    g = torch.randn(64, dtype=torch.float64, device=device)
    u = torch.randn(64, dtype=torch.float64, device=device)
    two = A.swish(g, 2.0) * u
    torch.testing.assert_close(A.act_mul_eager(g, u, "swish", beta=2.0), two)
    torch.testing.assert_close(A.act_mul_eager(g, u, A.get_activation("swish", beta=2.0)), two)
    assert not torch.allclose(A.act_mul_eager(g, u, "swish"), two)
    beta = torch.tensor(2.0, dtype=torch.float64, device=device, requires_grad=True)
    A.act_mul_eager(g, u, "swish", beta=beta).sum().backward()
    assert beta.grad is not None and beta.grad.device == g.device and beta.grad.abs() > 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_gelu_keeps_its_negative_tail(dtype, device):
    """x Phi(x) with Phi = erfc(-x / sqrt 2) / 2: relatively accurate where (1 + erf) / 2 cancels to 0."""
    x = torch.tensor([-30.0, -10.0, -8.5, -5.0, -2.0], dtype=dtype, device=device)
    exact = torch.tensor([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x.tolist()], dtype=torch.float64)
    got = A.gelu(x).double().cpu()
    tiny = torch.finfo(dtype).tiny
    keep = exact.abs() > tiny  # values the dtype can hold as normal numbers
    assert keep.sum() >= (4 if dtype == torch.float64 else 3)
    torch.testing.assert_close(got[keep], exact[keep], rtol=1e-5 if dtype == torch.float32 else 1e-12, atol=0)
    naive = x * 0.5 * (1 + torch.erf(x / math.sqrt(2)))  # the textbook form loses the tail
    assert (naive.double().cpu()[keep] == 0).any()
    # and its derivative's tail, Phi(x) + x phi(x), against the same exact Phi
    d_exact = torch.tensor([0.5 * math.erfc(-v / math.sqrt(2)) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
                            for v in x.tolist()], dtype=torch.float64)
    keep = d_exact.abs() > tiny
    torch.testing.assert_close(A.gelu_derivative(x).double().cpu()[keep], d_exact[keep],
                               rtol=1e-4 if dtype == torch.float32 else 1e-10, atol=0)


# --- Activation.module(): the registry in nn.Sequential -------------------------------------------------

NN_MODULES = {"relu": torch.nn.ReLU(), "gelu": torch.nn.GELU(), "gelu_tanh": torch.nn.GELU(approximate="tanh"),
              "silu": torch.nn.SiLU(), "sigmoid": torch.nn.Sigmoid(), "identity": torch.nn.Identity()}
EDGES = [0.0, -0.0, 1e-30, -1e-30, 1.0, -1.0, 3.5, -3.5, 20.0, -20.0, 1e4, -1e4, 3e38, -3e38,
         math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("name", sorted(NN_MODULES))
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_module_equals_torch_nn_module(name, dtype, device):
    ours, theirs = A.get_activation(name).module(), NN_MODULES[name]
    gen = torch.Generator().manual_seed(5)
    inputs = [torch.tensor(EDGES, dtype=torch.float64).to(device, dtype),
              (torch.randn(4, 7, 9, generator=gen, dtype=torch.float64) * 6).to(device, dtype)]
    for x in inputs:
        expected, got = theirs(x), ours(x)
        assert got.dtype == x.dtype and got.shape == x.shape
        finite = ~torch.isnan(expected)  # torch's NaN at an infinity (F.gelu(-inf)): ours may give the limit
        torch.testing.assert_close(got[finite], expected[finite], rtol=0, atol=0)
        assert torch.isnan(got[torch.isnan(x)]).all()


def test_module_in_sequential_and_swish_keeps_its_beta(device):
    torch.manual_seed(0)
    x = torch.randn(5, 6, device=device)
    swish = A.get_activation("swish", beta=2.0).module()
    assert "beta=2.0" in repr(swish) and list(swish.parameters()) == []
    torch.testing.assert_close(swish(x), x * torch.sigmoid(2.0 * x))
    net = torch.nn.Sequential(torch.nn.Linear(6, 6), A.get_activation("silu").module(), torch.nn.Linear(6, 2)).to(device)
    ref = torch.nn.Sequential(torch.nn.Linear(6, 6), torch.nn.SiLU(), torch.nn.Linear(6, 2)).to(device)
    ref.load_state_dict(net.state_dict())  # no extra keys: the module holds no state
    torch.testing.assert_close(net(x), ref(x), rtol=0, atol=0)
    trained = A.get_activation("swish", beta=1.5).module(trainable=True).to(device)
    (beta,) = trained.parameters()
    assert beta.item() == 1.5 and "trainable=True" in repr(trained)
    trained(x).sum().backward()
    assert beta.grad is not None and beta.grad.abs() > 0
    with pytest.raises(ValueError, match="trainable=True needs an activation with a parameter"):
        A.get_activation("relu").module(trainable=True)


def test_swish_near_zero_is_x_over_2_plus_its_bend():
    """Swish_beta(x) = x/2 + beta x^2 / 4 - beta^3 x^4 / 48 + O(x^6): linear to first order, and all of its
    bending (the x^2 term) near zero; the source's "linear near zero" is half right."""
    from ffn_lib.activations import swish

    for beta in (0.5, 1.0, 2.5):
        for x in (1e-2, -1e-2, 3e-3):
            rest = float(swish(np.float64(x), beta)) - x / 2 - beta * x * x / 4
            assert rest / x**4 == pytest.approx(-beta**3 / 48, rel=1e-2)
