"""The limits at +-inf through autograd, and a tensor beta checked as a float is (issue 21)."""

import math

import pytest
import torch

from ffn_lib import activations, get_activation

INF = [math.inf, -math.inf]
NAMES = ["gelu", "gelu_tanh", "quick_gelu", "silu", "swish", "sigmoid", "relu", "identity"]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16], ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_autograd_at_infinity_is_the_documented_limit(name, dtype):
    act = get_activation(name, beta=2.5) if name == "swish" else get_activation(name)
    x = torch.tensor(INF + [0.5], dtype=dtype, requires_grad=True)
    (grad,) = torch.autograd.grad(act(x).sum(), x)
    expected = act.derivative(x.detach())
    assert not grad.isnan().any(), grad
    torch.testing.assert_close(grad, expected)
    if name in ("gelu", "gelu_tanh", "silu", "swish"):
        assert grad[:2].tolist() == [1.0, 0.0]


def test_trainable_beta_gets_the_limit_at_infinity_too():
    beta = torch.tensor(1.5, requires_grad=True)
    x = torch.tensor([math.inf, -math.inf, 2.0], requires_grad=True)
    dx, dbeta = torch.autograd.grad(activations.swish(x, beta).sum(), (x, beta))
    assert dx[:2].tolist() == [1.0, 0.0] and math.isfinite(dbeta.item())


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_tensor_beta_that_is_not_finite_is_refused_naming_beta(bad):
    beta = torch.tensor(bad)
    x = torch.randn(4)
    for call in (lambda: activations.swish(x, beta), lambda: activations.swish_derivative(x, beta),
                 lambda: get_activation("swish", beta=beta), lambda: get_activation("swish").with_params(beta=beta)):
        with pytest.raises(ValueError, match="beta must be finite"):
            call()
    with pytest.raises(ValueError, match="beta must be finite"):
        activations.swish(x, bad)  # as a float is


def test_an_integer_tensor_beta_is_refused():
    with pytest.raises(TypeError, match="beta must be a floating-point tensor"):
        activations.swish(torch.randn(3), torch.tensor(2))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_a_float64_one_element_beta_keeps_the_inputs_dtype_and_shape(shape):
    x = torch.randn(shape, dtype=torch.float32)
    beta = torch.tensor([1.5], dtype=torch.float64)
    for y in (activations.swish(x, beta), activations.swish_derivative(x, beta),
              activations.act_mul_eager(x, x, "swish", beta=beta), get_activation("swish", beta=beta)(x)):
        assert y.dtype == torch.float32 and y.shape == x.shape
    torch.testing.assert_close(activations.swish(x, beta), activations.swish(x, 1.5))
