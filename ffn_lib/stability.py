"""How a block's hidden values are distributed and how its output grows: chapter 5's "scale and stability".

* :func:`kurtosis`: E[(h - mean)^4] / var^2 of a tensor, overall or for each hidden unit (column). A Gaussian has
  kurtosis 3; a larger value means that more of the variance comes from rare, large values: heavier tails.
* :func:`reference_kurtosis`: the kurtosis a hidden unit would have if its pre-activations were exactly normal
  and independent: act(g) for a plain block, act(g) u for a gated one, g ~ N(0, std^2), u ~ N(0, 1). For a
  gated unit the product has mean 0, E[(a u)^2] = E[a^2] and E[(a u)^4] = 3 E[a^4], so its kurtosis is
  3 E[a^4] / E[a^2]^2 with a = act(g): 9 for the Bilinear block (a product of two normals), 18 for a ReLU gate.
  The moments are computed by numerical integration (trapezoid rule), not sampled.
* :func:`growth_exponents`: the local exponent of a growth curve, log(n_{k+1} / n_k) / log(s_{k+1} / s_k):
  1 for a block that is positively homogeneous (FFN(s x) = s FFN(x), the ReLU block without biases), 2 for the
  Bilinear block (degree two).

On Gaussian inputs x and fixed weights, a pre-activation x w_j is exactly normal, so a plain ReLU unit's output
is exactly a rectified normal; a gated unit's g = x w_j and u = x v_j are jointly normal, with a correlation
w_j . v_j / (|w_j| |v_j|) that is small for random weights. The references are what those facts predict.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

from ._checks import positive_number
from .activations import Activation, get_activation

_GRID = np.linspace(-12.0, 12.0, 240_001)  # z ~ N(0, 1) on +-12 std, step 1e-4
_DENSITY = np.exp(-0.5 * _GRID**2) / math.sqrt(2.0 * math.pi)


def _trapezoid(y: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(_GRID)) / 2)


def kurtosis(h: torch.Tensor, *, by_unit: bool = False) -> torch.Tensor:
    """E[(h - mean)^4] / var^2 over all of ``h`` (a 0-d tensor) or, with ``by_unit``, for each channel of the
    last dimension (shape ``h.shape[-1:]``; each unit's own mean and variance). A Gaussian gives 3.
    Computed in float64; a constant tensor or unit (variance 0) raises."""
    if not isinstance(h, torch.Tensor):
        raise TypeError(f"h must be a torch.Tensor, got {type(h).__name__}.")
    if not h.is_floating_point() or h.ndim == 0 or h.numel() < 2:
        raise ValueError(f"h must be a floating-point tensor with at least two values, got {h.dtype}, "
                         f"shape {tuple(h.shape)}.")
    x = h.detach().to(torch.float64)
    x = x.reshape(-1, x.shape[-1]) if by_unit else x.reshape(-1, 1)
    centred = x - x.mean(dim=0)
    var = (centred**2).mean(dim=0)
    if not bool((var > 0).all()):
        raise ValueError("h has a unit with variance 0 (all its values equal): its kurtosis is undefined.")
    k = (centred**4).mean(dim=0) / var**2
    return k if by_unit else k[0]


def reference_kurtosis(activation: str | Activation, *, gated: bool, std: float = 1.0) -> float:
    """The kurtosis of act(g) (``gated=False``) or act(g) u (``gated=True``), g ~ N(0, std^2) and u ~ N(0, 1)
    independent, by numerical integration of the normal density. ``std``: the gate pre-activation's standard
    deviation (it matters for the GELU and SiLU gates, whose shape depends on the scale; not for ReLU or the
    identity). Examples: identity, plain: 3 (a normal); identity, gated: 9 (a product of two normals)."""
    act = get_activation(activation)
    std = positive_number(std, "std")
    a = np.asarray(act(std * _GRID), dtype=np.float64)
    m1, m2, m4 = (_trapezoid(a**k * _DENSITY) for k in (1, 2, 4))
    if gated:
        return 3.0 * m4 / m2**2  # E[u] = 0: the product has mean 0; E[u^2] = 1, E[u^4] = 3
    m3 = _trapezoid(a**3 * _DENSITY)
    var = m2 - m1**2
    return (m4 - 4 * m1 * m3 + 6 * m1**2 * m2 - 3 * m1**4) / var**2


def growth_exponents(scales: Sequence[float], norms: Sequence[float]) -> list[float]:
    """log(n_{k+1} / n_k) / log(s_{k+1} / s_k) for each pair of neighbouring scales: the degree the output's norm
    grows with between them (1: proportional to s, 2: to s^2). ``scales`` increasing and positive, ``norms``
    positive, the same length (at least two)."""
    s = np.asarray(scales, dtype=np.float64)
    n = np.asarray(norms, dtype=np.float64)
    if s.ndim != 1 or s.shape != n.shape or len(s) < 2:
        raise ValueError(f"scales and norms must be 1-D of the same length, at least 2; got shapes {s.shape} "
                         f"and {n.shape}.")
    if not (np.all(s > 0) and np.all(np.diff(s) > 0)):
        raise ValueError(f"scales must be positive and increasing, got {list(scales)}.")
    if not np.all(n > 0) or not np.all(np.isfinite(n)):
        raise ValueError(f"norms must be positive and finite, got {list(norms)}.")
    return list(np.diff(np.log(n)) / np.diff(np.log(s)))


__all__ = ["growth_exponents", "kurtosis", "reference_kurtosis"]
