"""Numbers the exercises' answers are computed from (never typed in); cached, as checks repeat them."""

from functools import lru_cache

import numpy as np

from ..activations import gelu, relu, silu, swish
from ..analysis import tanh_gelu_max_error


def max_abs_gap(f, g, lo=-6.0, hi=6.0, n=1_200_001) -> float:
    """max |f(x) - g(x)| on a fine grid of [lo, hi]."""
    x = np.linspace(lo, hi, n)
    return float(np.max(np.abs(f(x) - g(x))))


@lru_cache(maxsize=None)
def minimum(f, lo=-4.0, hi=0.0, n=4_000_001) -> tuple[float, float]:
    """(argmin, min) of f on a fine grid of [lo, hi]."""
    x = np.linspace(lo, hi, n)
    y = f(x)
    i = int(np.argmin(y))
    return float(x[i]), float(y[i])


@lru_cache(maxsize=None)
def tanh_gelu_error() -> float:
    return max_abs_gap(lambda x: gelu(x, "tanh"), gelu)


@lru_cache(maxsize=None)
def sigmoid_gelu_error() -> float:
    return max_abs_gap(lambda x: gelu(x, "sigmoid"), gelu)


@lru_cache(maxsize=None)
def silu_minimum() -> float:
    return minimum(silu)[1]


@lru_cache(maxsize=None)
def swish_minimum(beta: float) -> tuple[float, float]:
    """(argmin, min) of Swish_beta: SiLU's dip, with x and the value both divided by beta."""
    return minimum(lambda x: swish(x, beta), lo=-4.0 / beta, hi=0.0)


@lru_cache(maxsize=None)
def gelu_minimum() -> float:
    return minimum(gelu)[1]


@lru_cache(maxsize=None)
def swish_relu_gap(beta: float) -> float:
    return max_abs_gap(lambda x: swish(x, beta), relu, lo=-40.0 / beta, hi=40.0 / beta)


@lru_cache(maxsize=None)
def swish_relu_gap_peak(beta: float) -> float:
    """The positive x where |Swish_beta(x) - ReLU(x)| peaks (the gap is even, so -x is the other peak)."""
    x = np.linspace(0.0, 10.0 / beta, 2_000_001)
    return float(x[int(np.argmax(np.abs(swish(x, beta) - relu(x))))])


@lru_cache(maxsize=None)
def gelu_tanh_error_with(c: float) -> float:
    """max |x/2 (1 + tanh(sqrt(2/pi) (x + c x^3))) - GELU(x)|: the tanh form with coefficient c (the library's)."""
    return tanh_gelu_max_error(c)[0]


@lru_cache(maxsize=None)
def tanh_forms_gap(c1: float, c2: float) -> float:
    """max |tanh form with coefficient c1 - tanh form with c2| (not an error against GELU: a known mistake)."""
    return max_abs_gap(lambda x: gelu_tanh_with(x, c1), lambda x: gelu_tanh_with(x, c2))


def gelu_tanh_with(x, c: float):
    """x/2 (1 + tanh(sqrt(2/pi) (x + c x^3))) for a NumPy array."""
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + c * x**3)))


@lru_cache(maxsize=None)
def max_slope(derivative, lo=-10.0, hi=10.0, n=2_000_001) -> tuple[float, float]:
    """(argmax, max) of a derivative on a fine grid of [lo, hi]."""
    x = np.linspace(lo, hi, n)
    y = derivative(x)
    i = int(np.argmax(y))
    return float(x[i]), float(y[i])


def gaussian_mean(f, n=400_001, width=12.0) -> float:
    """E[f(z)] for z standard normal, by quadrature on [-width, width]."""
    z = np.linspace(-width, width, n)
    w = np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi)
    integrate = getattr(np, "trapezoid", None) or np.trapz  # NumPy 2 renamed trapz
    return float(integrate(f(z) * w, z))


@lru_cache(maxsize=None)
def swish_relu_beta(x: float, rel: float) -> float:
    """The smallest beta at which Swish_beta(x) is within ``rel`` (a fraction) of ReLU(x) = x, for an x > 0:
    the root of Swish_beta(x) / x - (1 - rel), by bisection on beta (the ratio, sigma(beta x), grows with beta)."""
    lo, hi = 0.0, 1.0
    while float(swish(x, hi)) / x < 1 - rel:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if float(swish(x, mid)) / x < 1 - rel else (lo, mid)
    return 0.5 * (lo + hi)
