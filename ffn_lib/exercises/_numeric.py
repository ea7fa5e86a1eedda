"""Numbers the exercises' answers are computed from (never typed in)."""

import numpy as np

from ..activations import gelu, relu, silu, swish


def max_abs_gap(f, g, lo=-6.0, hi=6.0, n=1_200_001) -> float:
    """max |f(x) - g(x)| on a fine grid of [lo, hi]."""
    x = np.linspace(lo, hi, n)
    return float(np.max(np.abs(f(x) - g(x))))


def minimum(f, lo=-4.0, hi=0.0, n=4_000_001) -> tuple[float, float]:
    """(argmin, min) of f on a fine grid of [lo, hi]."""
    x = np.linspace(lo, hi, n)
    y = f(x)
    i = int(np.argmin(y))
    return float(x[i]), float(y[i])


def tanh_gelu_error() -> float:
    return max_abs_gap(lambda x: gelu(x, "tanh"), gelu)


def sigmoid_gelu_error() -> float:
    return max_abs_gap(lambda x: gelu(x, "sigmoid"), gelu)


def silu_minimum() -> float:
    return minimum(silu)[1]


def gelu_minimum() -> float:
    return minimum(gelu)[1]


def swish_relu_gap(beta: float) -> float:
    return max_abs_gap(lambda x: swish(x, beta), relu, lo=-40.0 / beta, hi=40.0 / beta)
