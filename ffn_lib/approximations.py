"""Where the tanh GELU's 0.044715 comes from: a normal-CDF approximation, fitted to Phi.

The tanh form of GELU replaces the normal CDF by

    Phi(x) ~ 1/2 (1 + tanh(sqrt(2/pi) (x + c x^3))),

the approximation Page (1977) gave for pocket calculators, with c = 0.044715. This module computes,
on a fine grid, how far that curve is from its target for any c, and the c that makes the largest
error smallest (the *minimax* coefficient), for two targets:

* ``"cdf"``: Phi itself, the function Page approximated;
* ``"gelu"``: x Phi(x), what a network computes with it (Hendrycks & Gimpel 2016).

Against Phi the minimax c rounds to 0.044715 (Page's constant); against GELU it is smaller. The
Taylor value 2/(3 pi) - 1/6, which matches Phi to third order at 0, is larger than both. Every
number is computed here, none typed in.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
import numpy as np

from ._checks import finite_scalar
from .activations import GELU_TANH_COEF, SQRT_2_OVER_PI, gelu_tanh_taylor_coefficient
from .analysis import _golden_section_min  # the package's one 1-D minimiser (golden-section search)

TARGETS = ("cdf", "gelu")
GRID_HALF_WIDTH = 8.0  # beyond |x| = 8 both errors are below 1e-15
GRID_POINTS = 200_001  # over [0, 8]: the errors are even in x, so this is a 400,001-point grid over [-8, 8]
SEARCH_BRACKET = (0.040, 0.050)  # the minimax c of both targets lies well inside


def _check_target(target: str) -> str:
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    return target


@functools.lru_cache(maxsize=1)
def _grid() -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(0.0, GRID_HALF_WIDTH, GRID_POINTS)
    phi = 0.5 * np.array([math.erfc(-v / math.sqrt(2.0)) for v in x])  # float64 Phi, no cancellation
    return x, phi


def tanh_cdf(x: np.ndarray | float, coefficient: float = GELU_TANH_COEF) -> np.ndarray | float:
    """Page's approximation of the normal CDF: 1/2 (1 + tanh(sqrt(2/pi) (x + c x^3))), c = ``coefficient``.

    Source: Page (1977), Applied Statistics 26(1); the same curve, times x, is the tanh GELU of
    Hendrycks & Gimpel (2016).
    """
    c = finite_scalar(coefficient, "coefficient")
    x = np.asarray(x, dtype=np.float64)
    out = 0.5 * (1.0 + np.tanh(SQRT_2_OVER_PI * (x + c * x**3)))
    return float(out) if out.ndim == 0 else out


def max_error(coefficient: float, target: str = "cdf") -> tuple[float, float]:
    """The largest |approximation - target| over the grid, and the |x| where it occurs.

    ``target="cdf"``: |1/2 (1 + tanh(sqrt(2/pi)(x + c x^3))) - Phi(x)|; ``target="gelu"``: the same
    difference times |x|, i.e. |tanh GELU - x Phi(x)|. Both are even in x, so the grid covers
    [0, 8] with step 4e-5.
    """
    _check_target(target)
    x, phi = _grid()
    err = np.abs(tanh_cdf(x, coefficient) - phi)
    if target == "gelu":
        err = x * err
    i = int(np.argmax(err))
    return float(err[i]), float(x[i])


@functools.lru_cache(maxsize=None)
def minimax_coefficient(target: str = "cdf") -> float:
    """The c that minimises :func:`max_error` for ``target`` (golden-section search on [0.040, 0.050]).

    About 0.0447149 against Phi (largest error 1.79e-4) and 0.04438 against GELU.
    """
    _check_target(target)
    lo, hi = SEARCH_BRACKET
    c = _golden_section_min(lambda a: max_error(a, target)[0], lo, hi, tol=1e-10)
    if not (lo + 1e-6 < c < hi - 1e-6):  # a minimum on the bracket's edge is not a minimum
        raise RuntimeError(f"the minimax coefficient for {target!r} is not inside {SEARCH_BRACKET}")
    return c


@dataclass(frozen=True)
class Coefficient:
    """One choice of c and its largest error against Phi and against GELU."""

    name: str
    value: float
    cdf_error: float
    cdf_at: float  # |x| of the largest error against Phi
    gelu_error: float
    gelu_at: float  # |x| of the largest error against GELU


def coefficients() -> dict[str, Coefficient]:
    """The four coefficients the chapter compares, each with both errors:

    ``"taylor"`` (2/(3 pi) - 1/6), ``"paper"`` (0.044715, :data:`ffn_lib.activations.GELU_TANH_COEF`),
    ``"minimax_cdf"`` and ``"minimax_gelu"`` (:func:`minimax_coefficient`).
    """
    values = {"taylor": gelu_tanh_taylor_coefficient(), "paper": GELU_TANH_COEF,
              "minimax_cdf": minimax_coefficient("cdf"), "minimax_gelu": minimax_coefficient("gelu")}
    return {name: Coefficient(name, c, *max_error(c, "cdf"), *max_error(c, "gelu")) for name, c in values.items()}

