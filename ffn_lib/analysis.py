"""Measurements the chapters make: dead units, output differences, GELU's turning point, the
expected largest Gaussian sample, the tanh GELU's coefficient, and what a backward pass saves and moves.

Every number here is computed (bisection, numerical integration, a 1-D search, the profiler),
never typed in.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import torch
from torch import nn

from ._checks import finite_scalar, positive_int
from .activations import (GELU_TANH_COEF, INV_SQRT_2, INV_SQRT_2PI, SQRT_2_OVER_PI, gelu, gelu_derivative,
                          gelu_tanh_taylor_coefficient)
from .blocks import FFN, GatedFFN


@torch.no_grad()
def pre_activations(block: FFN | GatedFFN, x: torch.Tensor) -> torch.Tensor:
    """The hidden pre-activations the activation function sees: x W1 + b1 (plain) or x W (gated)."""
    layer = block.w1 if isinstance(block, FFN) else block.w_gate
    return layer(x).reshape(-1, layer.out_features)


@torch.no_grad()
def dead_unit_fraction(block: FFN | GatedFFN, x: torch.Tensor) -> float:
    """Share of hidden units whose pre-activation is <= 0 for every position of ``x``.

    Under ReLU such a unit outputs 0 and receives no gradient on this batch: it is *dead*.
    """
    h = pre_activations(block, x)
    return (h <= 0).all(dim=0).float().mean().item()


@torch.no_grad()
def zero_output_fraction(block: FFN | GatedFFN, x: torch.Tensor) -> float:
    """Share of all (position, unit) activations that are exactly zero after the activation."""
    h = pre_activations(block, x)
    return (block.activation.torch(h) == 0).float().mean().item()


def relative_difference(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| / max |b|: how far apart two outputs are, on the scale of the outputs."""
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}.")
    scale = b.abs().max().item()
    return (a - b).abs().max().item() / scale if scale else (a - b).abs().max().item()


# --- Where smooth activations still cut gradients off ----------------------------------------


def _bisect(f: Callable[[float], float], lo: float, hi: float, *, tol: float = 1e-15) -> float:
    """A root of ``f`` in [lo, hi], where f(lo) and f(hi) have opposite signs, by bisection."""
    f_lo = f(lo)
    if f_lo * f(hi) > 0:
        raise ValueError(f"f must change sign on [{lo}, {hi}].")
    while hi - lo > tol * max(1.0, abs(lo)):
        mid = 0.5 * (lo + hi)
        if f_lo * f(mid) <= 0:
            hi = mid
        else:
            lo, f_lo = mid, f(mid)
    return 0.5 * (lo + hi)


def gelu_derivative_zero() -> float:
    """The x < 0 where GELU'(x) = Phi(x) + x phi(x) = 0: about -0.7518, GELU's minimum.

    Below it GELU' < 0 (tending to 0 from below as x -> -inf): a smooth activation
    does cut a unit's gradient off at one point, and reverses it below that point.
    Found by bisection of :func:`ffn_lib.activations.gelu_derivative` on [-1, -0.5].
    """
    return _bisect(lambda x: float(gelu_derivative(x)), -1.0, -0.5)


# --- GELU's negative tail: a cancellation ------------------------------------------------------------


def textbook_gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU written as x (1 + erf(x / sqrt 2)) / 2, computed in ``x``'s own dtype (float32 or float64).

    The same function as :func:`ffn_lib.activations.gelu`, written the way papers print it: for x << 0,
    erf(x / sqrt 2) rounds to -1 and 1 + erf cancels to exactly 0, long before the true value leaves the
    dtype's range. The library computes Phi as erfc(-x / sqrt 2) / 2, with no subtraction.
    """
    if not isinstance(x, torch.Tensor) or x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"x must be a float32 or float64 tensor, got {getattr(x, 'dtype', type(x).__name__)}.")
    return x * 0.5 * (1.0 + torch.erf(x * INV_SQRT_2))


def textbook_gelu_zero_below(dtype: torch.dtype = torch.float32, *, step: float = 1e-3) -> float:
    """The largest x < 0 (on a grid of ``step``) at which :func:`textbook_gelu` in ``dtype`` gives exactly 0,
    while the exact GELU there is a normal number of that dtype: where the cancellation starts."""
    if dtype not in (torch.float32, torch.float64):
        raise TypeError(f"dtype must be torch.float32 or torch.float64, got {dtype}.")
    step = finite_scalar(step, "step")
    if not 0 < step <= 0.1:
        raise ValueError(f"step must be in (0, 0.1], got {step}.")
    x = torch.arange(-40.0, 0.0, step, dtype=torch.float64)
    exact = gelu(x)  # float64, from erfc: accurate down to where it underflows
    lost = (textbook_gelu(x.to(dtype)) == 0) & (exact.abs() > torch.finfo(dtype).tiny)
    if not lost.any():
        raise ValueError(f"the textbook form loses no value of {dtype} above -40.")
    return float(x[lost].max())


# --- The largest of n Gaussian samples ---------------------------------------------------------


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


def expected_max_normal(n: int) -> float:
    r"""E[max of n independent N(0, 1) samples] = \int x n phi(x) Phi(x)^(n-1) dx, by numerical integration.

    About 3.6 for n = 4096: a bias shift of that many standard deviations is what
    it takes for a ReLU unit to be zero on every one of n samples, so the
    threshold for a "dead" unit grows with the batch (like sqrt(2 ln n)).
    Trapezoid rule on [-12, 14] with step 1e-3 (Phi^(n-1) as exp((n-1) log Phi), Phi from erfc).
    """
    n = positive_int(n, "n")
    x = np.linspace(-12.0, 14.0, 26_001)
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])  # Phi(x), > 0 on the whole grid
    log_cdf = np.log(cdf)
    density = n * INV_SQRT_2PI * np.exp(-0.5 * x * x + (n - 1) * log_cdf)  # the density of the maximum
    return _trapezoid(x * density, x)


# --- The tanh GELU's coefficient ---------------------------------------------------------------

_ERROR_GRID = np.linspace(0.0, 10.0, 100_001)  # the error is even in x (both forms have odd part x/2)


@functools.lru_cache(maxsize=1)
def _exact_gelu_on_grid() -> np.ndarray:
    return np.asarray(gelu(_ERROR_GRID), dtype=np.float64)


def tanh_gelu_max_error(coefficient: float) -> tuple[float, float]:
    """max_x |x/2 (1 + tanh(sqrt(2/pi)(x + a x^3))) - GELU(x)| for a = ``coefficient``, and where (|x|).

    On a grid of step 1e-4 over [0, 10]; the error is even in x.
    """
    a = finite_scalar(coefficient, "coefficient")
    x = _ERROR_GRID
    approx = 0.5 * x * (1.0 + np.tanh(SQRT_2_OVER_PI * (x + a * x**3)))
    err = np.abs(approx - _exact_gelu_on_grid())
    i = int(np.argmax(err))
    return float(err[i]), float(x[i])


def _golden_section_min(f: Callable[[float], float], lo: float, hi: float, *, tol: float = 1e-9) -> float:
    """The minimiser of a unimodal ``f`` on [lo, hi] by golden-section search."""
    r = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    c, d = b - r * (b - a), a + r * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - r * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + r * (b - a)
            fd = f(d)
    return 0.5 * (a + b)


@dataclass(frozen=True)
class CoefficientError:
    """One choice of the tanh GELU's x^3 coefficient and its worst-case error against the erf GELU."""

    name: str
    coefficient: float
    max_error: float
    at: float  # |x| where the error is largest


def tanh_coefficient_errors() -> dict[str, CoefficientError]:
    """The tanh GELU's max error for three coefficients, all computed:

    * ``"taylor"``: 2/(3 pi) - 1/6 = 0.04554, matching Phi to third order at 0
      (:func:`ffn_lib.activations.gelu_tanh_taylor_coefficient`);
    * ``"paper"``: Hendrycks & Gimpel's 0.044715 (:data:`ffn_lib.activations.GELU_TANH_COEF`);
    * ``"minimax"``: the coefficient with the smallest max error, found by a
      golden-section search of :func:`tanh_gelu_max_error` on [0.043, 0.047].
    """
    minimax = _golden_section_min(lambda a: tanh_gelu_max_error(a)[0], 0.043, 0.047)
    out = {}
    for name, a in (("taylor", gelu_tanh_taylor_coefficient()), ("paper", GELU_TANH_COEF), ("minimax", minimax)):
        err, at = tanh_gelu_max_error(a)
        out[name] = CoefficientError(name, a, err, at)
    return out


# --- What the backward pass costs in memory and traffic ----------------------------------------


@dataclass(frozen=True)
class SavedTensors:
    """The distinct tensors autograd keeps from a forward pass for its backward."""

    count: int
    nbytes: int
    shapes: tuple[tuple[int, ...], ...]


def saved_activation_bytes(block_or_fn: nn.Module | Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, *,
                           include_input: bool = False) -> SavedTensors:
    """Measure what eager autograd saves for backward during one forward of ``block_or_fn(x)``.

    Every tensor autograd saves passes through a ``torch.autograd.graph.saved_tensors_hooks``
    pack hook; tensors that share storage are counted once, and a module's
    parameters (kept anyway) are left out, as is the input ``x`` unless
    ``include_input``. For a plain function, give ``x`` ``requires_grad=True``
    (else autograd saves nothing).

    An eager SwiGLU block keeps four (tokens x d_ff) tensors (g, silu(g), u and
    the product); a ReLU FFN one (ReLU's output, which the second matrix product
    shares).
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}.")
    if not callable(block_or_fn):
        raise TypeError(f"block_or_fn must be a module or a function of x, got {type(block_or_fn).__name__}.")
    skip = set()
    if isinstance(block_or_fn, nn.Module):
        skip = {p.untyped_storage().data_ptr() for p in block_or_fn.parameters()}
    if not include_input:
        skip.add(x.untyped_storage().data_ptr())
    saved: dict[int, tuple[tuple[int, ...], int]] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        ptr = t.untyped_storage().data_ptr()
        if ptr not in skip and ptr not in saved:
            saved[ptr] = (tuple(t.shape), t.untyped_storage().nbytes())
        return t

    with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        block_or_fn(x)
    return SavedTensors(len(saved), sum(n for _, n in saved.values()), tuple(s for s, _ in saved.values()))


@dataclass(frozen=True)
class KernelPass:
    """One elementwise kernel: how many input-sized tensors it reads and writes."""

    op: str
    reads: int
    writes: int


# Operators that allocate, reshape or alias memory without reading or writing elements.
_NO_TRAFFIC = {
    "aten::empty", "aten::empty_like", "aten::empty_strided", "aten::view", "aten::reshape", "aten::_reshape_alias",
    "aten::as_strided", "aten::detach", "aten::alias", "aten::t", "aten::transpose", "aten::expand",
    "aten::resize_", "aten::lift_fresh", "aten::result_type", "aten::_unsafe_view",
}


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide the profiler library's own start/stop log lines, which it writes straight to file descriptor 2."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def elementwise_passes(fn: Callable[..., torch.Tensor], *inputs: torch.Tensor,
                       backward: bool = False) -> list[KernelPass]:
    """The elementwise kernels ``fn(*inputs)`` launches, or with ``backward=True`` its backward, as
    ``torch.profiler`` records them: each top-level ``aten`` operator, the number of its arguments
    the size of the inputs (reads) and its one output (write).

    >>> [p.op for p in elementwise_passes(lambda g, u: F.silu(g) * u, g, u, backward=True)]  # doctest: +SKIP
    ['aten::mul', 'aten::mul', 'aten::silu_backward']

    Sum ``reads + writes`` for the tensor passes that :func:`ffn_lib.sizing.activation_tensors` counts.
    """
    if not inputs or not all(isinstance(t, torch.Tensor) for t in inputs):
        raise TypeError("inputs must be one or more torch tensors of the same shape.")
    shape = list(inputs[0].shape)
    if any(list(t.shape) != shape for t in inputs):
        raise ValueError(f"inputs must share one shape, got {[tuple(t.shape) for t in inputs]}.")
    if backward:
        inputs = tuple(t.detach().requires_grad_() for t in inputs)
        with torch.enable_grad():
            out = fn(*inputs)
        dy = torch.randn_like(out)
        run = lambda: torch.autograd.grad(out, inputs, dy)  # noqa: E731
    else:
        run = lambda: fn(*inputs)  # noqa: E731
    with _native_stderr_silenced():
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as prof:
            run()
    passes = []
    for event in prof.events():
        parent = event.cpu_parent
        if not event.name.startswith("aten::") or event.name in _NO_TRAFFIC:
            continue
        if parent is not None and parent.name.startswith("aten::"):
            continue  # a kernel inside another operator: counted with its parent
        reads = sum(1 for s in event.input_shapes if list(s) == shape)
        if reads:
            passes.append(KernelPass(event.name, reads, 1))
    return passes
