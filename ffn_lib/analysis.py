"""Measurements the chapters make: dead units, output differences, GELU's turning point, the
expected largest Gaussian sample, the tanh GELU's coefficient, and what a backward pass saves and moves.

Every number here is computed (bisection, numerical integration, a 1-D search, the profiler),
never typed in.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from ._checks import finite_scalar, positive_int, positive_number
from .activations import (GELU_TANH_COEF, INV_SQRT_2, INV_SQRT_2PI, SQRT_2_OVER_PI, gelu, gelu_derivative,
                          gelu_tanh_taylor_coefficient)
from .blocks import FFN, GatedFFN
from .formatting import format_time
from .i18n import N_, join_sentences, sentence_gap, tr  # noqa: F401  (join_sentences: re-exported)
from .profiled import KernelPass, elementwise_passes  # noqa: F401  (chapter 3 counts with them)


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


INFINITY_LAYOUTS = {N_("one element"): lambda t: t[:1], N_("64 in a row"): lambda t: t[:64],
                    N_("every other of 128"): lambda t: t[::2]}


@dataclass(frozen=True)
class GeluAtInfinity:
    """What ``F.gelu`` returns at +inf and -inf on each path PyTorch may take (see :func:`gelu_at_infinity`)."""

    rows: tuple[tuple[str, str, str, tuple[float, ...]], ...]  # (device, form, dtype, F.gelu(+inf) per layout)
    layouts: tuple[str, ...]
    nan_at_minus_inf: int  # cases where F.gelu(-inf) is NaN
    nan_at_plus_inf: tuple[str, ...]  # "device, form, dtype, layout" of each case where F.gelu(+inf) is NaN

    @property
    def cases(self) -> int:
        return len(self.rows) * len(self.layouts)

    @property
    def differs(self) -> bool:
        """Whether some path answered differently from another, at +inf or at -inf: only then does the table
        (:meth:`markdown`) show more than a sentence can say."""
        return bool(self.nan_at_plus_inf) and len(self.nan_at_plus_inf) < self.cases or \
            0 < self.nan_at_minus_inf < self.cases

    def markdown(self) -> str:
        """F.gelu(+inf) as a table, a row per (device, form, dtype), a column per layout."""
        head = [tr("device"), tr("form"), "dtype"] + [tr(n) for n in self.layouts]
        lines = ["| " + " | ".join(head) + " |", "|---|---|---|" + "---:|" * len(self.layouts)]
        for dev, form, dtype, values in self.rows:
            lines.append(f"| {dev} | {form} | {dtype} | " + " | ".join(str(v) for v in values) + " |")
        caption = tr("**`F.gelu(+inf)`** on each path; `F.gelu(-inf)` was NaN in {nan} of {cases} cases.",
                     nan=self.nan_at_minus_inf, cases=self.cases)
        return caption + "\n\n" + "\n".join(lines) + "\n"

    _repr_markdown_ = markdown


def gelu_at_infinity(devices: list[str] | tuple[str, ...] = ("cpu",)) -> GeluAtInfinity:
    """Ask ``F.gelu`` for its value at +inf and -inf on every path: each device in ``devices``, the erf and tanh
    forms, every floating dtype the device has (float64 is skipped where it is missing, as on Apple's MPS), and
    three layouts of the input (one element, 64 contiguous, a strided view), since PyTorch's CPU code runs a
    vectorised loop over contiguous runs and a scalar loop otherwise, and the two need not agree."""
    from . import devices as _devices

    if isinstance(devices, str) or not devices:
        raise ValueError(f"devices must be a non-empty list of device names, got {devices!r}.")
    F = torch.nn.functional
    rows, nan_minus, nan_plus = [], 0, []
    for dev in devices:
        for approximate, form in (("none", "erf"), ("tanh", "tanh")):
            for dtype in (torch.float32, torch.float64, torch.bfloat16, torch.float16):
                if dtype == torch.float64 and not _devices.has_float64(dev):
                    continue
                inf = torch.full((128,), float("inf"), dtype=dtype, device=dev)
                name = str(dtype).removeprefix("torch.")
                values = []
                for layout, view in INFINITY_LAYOUTS.items():
                    plus = F.gelu(view(inf), approximate=approximate)[0].item()
                    minus = F.gelu(view(-inf), approximate=approximate)[0].item()
                    nan_minus += minus != minus
                    if plus != plus:
                        nan_plus.append(f"{dev}, {form}, {name}, {tr(layout)}")
                    values.append(plus)
                rows.append((str(dev), form, name, tuple(values)))
    return GeluAtInfinity(tuple(rows), tuple(INFINITY_LAYOUTS), int(nan_minus), tuple(nan_plus))


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


def unit_statistics(block: FFN | GatedFFN) -> tuple[np.ndarray, np.ndarray]:
    """Each hidden unit's pre-activation mean and standard deviation for standard normal inputs x ~ N(0, I).

    Unit j computes x · w_j + b_j, a normal variable with mean b_j and standard deviation ||w_j|| (the
    j-th column of the paper's W1, the j-th row of ``nn.Linear``'s weight). Returns (means, stds), float64.
    """
    layer = block.w1 if isinstance(block, FFN) else block.w_gate
    with torch.no_grad():
        weight = layer.weight.detach().double().cpu()
        means = (layer.bias.detach().double().cpu() if layer.bias is not None
                 else torch.zeros(layer.out_features, dtype=torch.float64))
    return means.numpy(), weight.norm(dim=1).numpy()


def predicted_dead_fraction(shift: float | np.ndarray, n: int, means: np.ndarray, stds: np.ndarray) -> float | np.ndarray:
    r"""Expected share of units dead on a batch of ``n`` i.i.d. inputs after ``shift`` is subtracted from every bias.

    Unit j's pre-activations over the batch are n independent N(b_j, sigma_j^2) draws (``means``, ``stds``, e.g.
    from :func:`unit_statistics`); it is dead when all n fall at or below the shift, with probability
    Phi((s - b_j) / sigma_j)^n. The share is the mean over units:

        predicted(s) = mean_j Phi((s - b_j) / sigma_j)^n      (log Phi from ``torch.special.log_ndtr``).

    Phi(3.5)^4096 = e^(-0.95) = 0.385 for a unit with b_j = 0 at s = 3.5 sigma_j. ``shift``: a number or an
    array of them (the same units as the means and stds).
    """
    n = positive_int(n, "n")
    means = np.asarray(means, dtype=np.float64).ravel()
    stds = np.asarray(stds, dtype=np.float64).ravel()
    if means.size == 0 or means.shape != stds.shape:
        raise ValueError(f"means and stds must be non-empty and of one length, got {means.size} and {stds.size}.")
    if not np.all(np.isfinite(means)) or not np.all(np.isfinite(stds)) or np.any(stds <= 0):
        raise ValueError("means must be finite and stds finite and positive (one per unit).")
    s = np.asarray(shift, dtype=np.float64)
    if not np.all(np.isfinite(s)):
        raise ValueError(f"shift must be finite, got {shift!r}.")
    z = torch.from_numpy((s[..., None] - means) / stds)
    out = torch.exp(n * torch.special.log_ndtr(z)).mean(dim=-1).numpy()
    return float(out) if out.ndim == 0 else out


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


# --- Chapter 2: where GELU's time goes, on this machine and in the recorded GPU run ----------------------------


ALL_OF_THE_GAP = (0.8, 1.2)  # a share of the gap in this band is "essentially all of it": two differences of medians


def difference_range(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """The range of a - b when a lies in its middle half ``a`` = (q1, q3) and b in ``b``: (a1 - b3, a3 - b1)."""
    (a1, a3), (b1, b3) = a, b
    return finite_scalar(a1, "a") - finite_scalar(b3, "b"), a3 - b1


def tanh_erf_gap_sentence(forms_s: float, alone_s: float, *, told_apart: bool, alone_told_apart: bool,
                          alone_ratio: float, forms_range: tuple[float, float],
                          alone_range: tuple[float, float]) -> str:
    """Sentences: how much of the gap between GELU's tanh and erf forms the special functions explain.

    ``forms_s``: median time of GELU's tanh form minus its erf form's; ``alone_s``: ``torch.tanh`` minus
    ``torch.erf`` on the same tensor; ``told_apart``, ``alone_told_apart``: whether each pair's middle halves
    are apart (:meth:`Comparison.distinguishable`, which also withholds a verdict on a busy machine);
    ``alone_ratio``: tanh's time over erf's. ``forms_range``, ``alone_range``: the range of each difference
    between the middle halves (:func:`difference_range`), printed with every share. A share alone / forms is
    read against the noise of two differences, never alone: within ALL_OF_THE_GAP (80-120%), or with the two
    ranges overlapping, it cannot be told from "all of the gap". Only a share whose range lies wholly above
    the gap's says that tanh alone costs more than the whole gap (then the rest of the tanh form costs less
    than the rest of the erf form, or the parts' costs do not simply add: arithmetic that hides behind memory
    traffic costs no time); one wholly below says the rest is the tanh form's extra arithmetic, and prints the
    share's range (its least alone over the largest gap, to its largest over the least), "more than half of
    it" only when even that least share is.
    """
    from .formatting import time_unit

    forms_s, alone_s = finite_scalar(forms_s, "forms_s"), finite_scalar(alone_s, "alone_s")
    alone_ratio = finite_scalar(alone_ratio, "alone_ratio")
    (f_lo, f_hi), (a_lo, a_hi) = _ordered_range(forms_range, "forms_range"), _ordered_range(alone_range, "alone_range")
    ratio = f"{alone_ratio:.2f}"
    if not told_apart:
        return tr("On this machine the two GELU forms were not told apart, so there is no gap to explain; "
                  "`torch.tanh` alone took {ratio}× as long as `torch.erf`.", ratio=ratio)
    scale, unit = time_unit(max(abs(forms_s), abs(alone_s)))
    fields = dict(forms=f"{abs(forms_s) / scale:.3g}", alone=f"{abs(alone_s) / scale:.3g}", unit=unit, ratio=ratio)
    ranges = tr("Between the middle halves the first difference lies from {lo} to {hi} {unit}, the second from "
                "{lo2} to {hi2} {unit}.", lo=f"{f_lo / scale:.3g}", hi=f"{f_hi / scale:.3g}",
                lo2=f"{a_lo / scale:.3g}", hi2=f"{a_hi / scale:.3g}", unit=unit)
    if forms_s < 0:
        return tr("On this machine GELU's tanh form took {forms} {unit} less than its erf form, and `torch.tanh` "
                  "alone took {ratio}× as long as `torch.erf` on the same tensor: here the tanh form is the cheaper "
                  "of the two.", **fields)
    if not alone_told_apart:
        return join_sentences([tr(
            "On this machine GELU's tanh form took {forms} {unit} longer than its erf form, but `torch.tanh` and "
            "`torch.erf` alone were not told apart on the same tensor ({ratio}× as long): this timing cannot say "
            "how much of the gap the special function explains.", **fields), ranges])
    if alone_s <= 0:
        return join_sentences([tr(
            "On this machine GELU's tanh form took {forms} {unit} longer than its erf form, but `torch.tanh` alone "
            "was not slower than `torch.erf` ({ratio}× as long): the gap is in the tanh form's arithmetic around "
            "its special function, not in tanh itself.", **fields), ranges])
    part = alone_s / forms_s
    fields["part"] = f"{part:.0%}"
    if ALL_OF_THE_GAP[0] <= part <= ALL_OF_THE_GAP[1]:
        text = tr("On this machine GELU's tanh form took {forms} {unit} longer than its erf form, and `torch.tanh` "
                  "alone {alone} {unit} longer than `torch.erf` on the same tensor, {part} of the difference: "
                  "within the timing noise of two differences, the special function accounts for essentially all "
                  "of the gap.", **fields)
    elif a_lo <= f_hi and f_lo <= a_hi:  # the two differences' ranges overlap: the share is inside the noise
        text = tr("On this machine GELU's tanh form took {forms} {unit} longer than its erf form, and `torch.tanh` "
                  "alone {alone} {unit} longer than `torch.erf` on the same tensor, {part} of the difference; but "
                  "the two differences' ranges overlap, so this timing cannot tell that share from all of the gap.",
                  **fields)
    elif part > 1:
        text = tr("On this machine GELU's tanh form took {forms} {unit} longer than its erf form, and `torch.tanh` "
                  "alone {alone} {unit} longer than `torch.erf` on the same tensor, {part} of the difference: the "
                  "special function alone costs more than the whole gap, beyond the timing noise. So the rest of "
                  "the tanh form's arithmetic costs less here than the rest of the erf form's, or the costs do not "
                  "simply add up (arithmetic that overlaps with memory traffic costs no extra time).", **fields)
    else:  # the share's own range, from the two differences' ranges, lies wholly below 1
        fields.update(lo=f"{max(a_lo, 0.0) / f_hi:.0%}", hi=f"{a_hi / f_lo:.0%}")
        if max(a_lo, 0.0) / f_hi >= 0.5:
            text = tr("On this machine GELU's tanh form took {forms} {unit} longer than its erf form, and "
                      "`torch.tanh` alone {alone} {unit} longer than `torch.erf` on the same tensor: the special "
                      "function accounts for {part} of the difference ({lo} to {hi} between the middle halves), "
                      "more than half of it.", **fields)
        else:
            text = tr("On this machine GELU's tanh form took {forms} {unit} longer than its erf form, and "
                      "`torch.tanh` alone {alone} {unit} longer than `torch.erf` on the same tensor: the special "
                      "function accounts for {part} of the difference ({lo} to {hi} between the middle halves); the "
                      "rest is the tanh form's extra arithmetic around it.", **fields)
    return join_sentences([text, ranges])


def _ordered_range(r: tuple[float, float], name: str) -> tuple[float, float]:
    """``r`` as two finite numbers, low first; a clear error naming ``name`` otherwise."""
    try:
        lo, hi = r
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a (low, high) pair of seconds, got {r!r}") from None
    lo, hi = finite_scalar(lo, name), finite_scalar(hi, name)
    if lo > hi:
        raise ValueError(f"{name} must be (low, high) with low <= high, got ({lo}, {hi})")
    return lo, hi


def swiglu_split_sentence(cmp, block: str, products: str, elementwise: str, *, cpu: bool) -> str:
    """One sentence on a timing comparison ``cmp`` (:func:`ffn_lib.timing.compare`): what share of the gated
    ``block``'s median time its three matrix ``products`` alone take, and, on a CPU, what share its
    ``elementwise`` step (activation and elementwise product, timed alone on tensors of the same shapes) takes.

    "" unless the block is told apart from the products and slower than them (no share to state). On a CPU the
    remainder, block minus both parts, is measured by nothing: where the middle halves put it above zero, the
    sentence says so and names candidates for it, as candidates: the block's first writes into the tensors it
    allocates for the products (the products alone write into buffers allocated once) and its modules' calls.
    Where they put it below zero the parts timed alone take longer than the whole; else the two parts account for
    the block within the timing noise. Elsewhere (``cpu`` False: a GPU, whose caching allocator reuses freed
    memory) the sentence is the one the chapter always gave there: the rest goes to the activation and the
    elementwise product.
    """
    if not isinstance(cpu, bool):
        raise TypeError(f"cpu must be True or False, got {cpu!r}.")
    times = {}
    for arg, name in (("block", block), ("products", products), ("elementwise", elementwise)):
        if name not in cmp.results:
            raise KeyError(f"{arg} {name!r} is not one of the compared variants: {list(cmp.results)}.")
        result = cmp.results[name]
        q1, q3 = result.quartiles_s
        times[arg] = tuple(positive_number(v, f"the {arg} variant's {what}") for v, what in
                           ((q1, "first quartile"), (result.median_s, "median"), (q3, "third quartile")))
    (b1, b, b3), (p1, p, p3), (e1, e, e3) = times["block"], times["products"], times["elementwise"]
    if not cmp.distinguishable(block, products) or b <= p:
        return ""
    share = f"{p / b:.0%}"
    if not cpu:
        return tr("So the three products are {share} of the SwiGLU block's time; the rest goes to the "
                  "activation and the elementwise product.", share=share)
    fields = dict(share=share, elementwise=f"{e / b:.0%}", rest=f"{(b - p - e) / b:.0%}",
                  total=f"{(p + e) / b:.0%}")
    if b1 - p3 - e3 > 0:  # even the slowest parts and the fastest block leave time over
        return tr("So the three products are {share} of the SwiGLU block's time, and its activation and elementwise "
                  "product, timed alone on tensors of the same shapes, {elementwise}; the remaining {rest} is not "
                  "timed apart. Candidates for it are the block's first writes into the tensors it allocates for "
                  "the products (the products alone wrote into buffers allocated once) and the calls of its "
                  "modules.", **fields)
    if b3 - p1 - e1 < 0:  # even the fastest parts and the slowest block leave none
        return tr("So the three products are {share} of the SwiGLU block's time, and its activation and elementwise "
                  "product, timed alone on tensors of the same shapes, {elementwise}: {total} together, more than "
                  "the whole block, so the parts timed alone do not simply add up to it.", **fields)
    return tr("So the three products are {share} of the SwiGLU block's time, and its activation and elementwise "
              "product, timed alone on tensors of the same shapes, {elementwise}: within the timing noise, the two "
              "account for the whole block.", **fields)


# FP32 arithmetic outside the tensor cores, quoted from the vendor's datasheet (not measured here): the rate an
# elementwise kernel's arithmetic runs at. Keyed by the device name a recorded run gives.
QUOTED_FP32_FLOP_RATE = {
    "NVIDIA H200": (67e12, N_("NVIDIA's H200 datasheet, H200 SXM")),  # nvidia2024h200: FP32 67 TFLOPS (NVL: 60)
}


def arithmetic_budget(flop_rate: float, bandwidth: float, bytes_per_element: float) -> float:
    """FLOPs an elementwise kernel can spend on each element before arithmetic, not memory, limits it.

    At the roofline's ridge point (Williams, Waterman & Patterson 2009) a kernel does ``flop_rate /
    bandwidth`` FLOPs per byte moved; an element that moves ``bytes_per_element`` bytes (the gated step's
    forward in bfloat16: read g and u, write the product, 3 x 2 bytes) can afford

        budget = flop_rate / bandwidth * bytes_per_element   FLOPs

    (a fused multiply-add counts as two). For an H200, 67 TFLOP/s of FP32 (quoted) over 4.24 TB/s
    (measured copy bandwidth): about 95 FLOPs per element of act(g) * u.
    """
    from .roofline import ridge_point

    return ridge_point(flop_rate, bandwidth) * positive_number(bytes_per_element, "bytes_per_element")


# Issue rates per clock per streaming multiprocessor, compute capability 9.0 (H100, H200), quoted from NVIDIA's CUDA
# C++ Programming Guide (nvidia2025cudaguide), table of arithmetic instruction throughput.
FP32_LANES = 128  # 32-bit floating-point add, multiply, multiply-add
SPECIAL_FUNCTION_LANES = 16  # 32-bit reciprocal, reciprocal square root, base-2 exponential and logarithm, sin, cos
CUDA_GUIDE = N_("NVIDIA's CUDA C++ Programming Guide, compute capability 9.0")


def instruction_budget(flop_budget: float) -> float:
    """FP32 instructions an elementwise kernel can issue per element in the time its bytes take: the FLOP budget of
    :func:`arithmetic_budget` over 2, since the quoted FP32 rate counts a fused multiply-add (one instruction per
    lane) as 2 FLOPs. An H200's 95 FLOPs per element of act(g) * u are at most about 47 instructions: at most,
    since it counts every instruction at the FP32 multiply-add rate, and conversions and some integer operations
    issue at lower rates."""
    return positive_number(flop_budget, "flop_budget") / 2


def special_function_budget(instructions: float) -> float:
    """Special-function results (exp2, rcp, ...) per element in the same time as ``instructions`` FP32 ones: the
    special-function units deliver SPECIAL_FUNCTION_LANES results per clock per multiprocessor against
    FP32_LANES FP32 ones (16 against 128 on compute capability 9.0, so an eighth)."""
    return positive_number(instructions, "instructions") * SPECIAL_FUNCTION_LANES / FP32_LANES


def square_matmul_rate(run: dict) -> tuple[float, int] | None:
    """The recorded run's matrix-product rate as the chapters quote it: the median FLOP/s of its square
    n x n x n product in the ``gemm`` group, and n. Falls back to the reference product timed at the start of
    the run (``reference.matmul_rate``, a shorter calibration) only when the run has no gemm rows; None without
    either. One function, so that every chapter quotes the same number for "the run's matrix product"."""
    from .bench.report import value

    n = (run.get("config") or {}).get("square")
    rate = value("gemm", "square", "eager", "forward", "flop_rate", run=run)
    if rate is None:
        rate = (run.get("reference") or {}).get("matmul_rate", {}).get("value")
    return (rate, int(n)) if rate and n else None


def _run_value(run: dict, group: str, op: str, impl: str, quantity: str = "copy_share") -> float | None:
    from .bench.report import value

    return value(group, op, impl, "forward", quantity, run=run)


def _pct(v: float) -> str:
    return f"{v:.0%}"


def eager_activations_reading(run: dict) -> str:
    """Chapter 2's reading of a recorded GPU run's "activations alone" rows: eager GELU is slow in both forms.

    Markdown, or "" when the run lacks a row it needs. The tanh form has no erf in it, so when it is as slow as
    the erf form (within 2 points of the copy bandwidth), the eager gap is not erf's.
    """
    ops = ("relu", "sigmoid", "silu", "gelu", "gelu_tanh")
    share = {op: _run_value(run, "activation", op, "eager") for op in ops}
    times = {op: _run_value(run, "activation", op, "eager", "time") for op in ("relu", "gelu")}
    if None in share.values() or None in times.values():
        return ""
    fields = {op: _pct(v) for op, v in share.items()}
    text = tr("In the recorded run on {device}, eager PyTorch's activations alone moved their bytes at these shares "
              "of the copy bandwidth: ReLU {relu}, the sigmoid {sigmoid}, SiLU {silu}, GELU's erf form {gelu} and "
              "its tanh form {gelu_tanh}; eager erf-GELU took {ratio}× as long as ReLU.",
              device=run["provenance"]["device"]["name"], ratio=f"{times['gelu'] / times['relu']:.2f}", **fields)
    gap = share["gelu"] - share["gelu_tanh"]
    special = [op for op in ("sigmoid", "silu", "gelu", "gelu_tanh") if share[op] < share["relu"] - 0.03]
    if abs(gap) <= 0.02:
        text += sentence_gap(text) + tr("Eager GELU is as slow in its tanh form as in its erf form, and the tanh form has no erf in "
                         "it, so erf alone does not set their pace.")
    elif gap > 0:
        text += sentence_gap(text) + tr("Eager GELU's tanh form was the slower of the two here ({tanh} against {erf}), although it "
                         "has no erf in it.", tanh=fields["gelu_tanh"], erf=fields["gelu"])
    else:
        text += sentence_gap(text) + tr("Eager GELU's erf form was the slower of the two here ({erf} against {tanh}).",
                         erf=fields["gelu"], tanh=fields["gelu_tanh"])
    if len(special) == 4:
        from .sizing import activation_tensors

        ratio = activation_tensors(gated=False, backward=False) / activation_tensors(gated=True, backward=False)
        text += sentence_gap(text) + tr(
            "Every activation with a special function in it (an exponential, a tanh, an erf) fell below ReLU. "
            "The budget above hardly explains that by arithmetic alone: an activation alone moves fewer bytes per "
            "element than the gated step, so its budget is {ratio} of the gated step's, and the sigmoid, one "
            "exponential and one division (the IEEE division of 1 / (1 + e⁻ˣ), which SiLU has too), fell below "
            "ReLU as well. The run does not measure why: it has no compiled kernel for each activation alone "
            "(`activation` rows under `torch.compile`), which would show whether a tanh-GELU kernel reaches the "
            "copy's limit where an erf-GELU kernel does not.", ratio=f"{ratio:.0%}")
    return text


def gated_gelu_reading(run: dict) -> str:
    """Chapter 2's like-for-like reading of a recorded run: the gated step act(g) * u, which moves the same
    three tensors whatever the gate, compiled (one kernel per gate) and fused (chapter 7's kernel).

    Under ``torch.compile`` the tanh form and ReLU share one kernel shape with the erf form, so a gap between
    them is erf's; the fused kernel computes erf with Abramowitz & Stegun 7.1.26. Markdown, or "".
    """
    compiled = {op: _run_value(run, "act_mul", op, "compile") for op in ("relu", "gelu", "gelu_tanh")}
    fused = {op: _run_value(run, "act_mul", op, "fused") for op in ("gelu", "gelu_tanh")}
    if None in compiled.values() or None in fused.values():
        return ""
    fields = dict(c_relu=_pct(compiled["relu"]), c_erf=_pct(compiled["gelu"]), c_tanh=_pct(compiled["gelu_tanh"]),
                  f_erf=_pct(fused["gelu"]), f_tanh=_pct(fused["gelu_tanh"]))
    if compiled["gelu"] < min(compiled["gelu_tanh"], compiled["relu"]) - 0.03:
        text = tr("Under `torch.compile`, which makes one kernel of each gated step and calls the GPU maths library's "
                  "accurate erf, GELU-tanh(g)·u moved its bytes at {c_tanh} of the copy bandwidth and ReLU(g)·u at "
                  "{c_relu}, but GELU-erf(g)·u at {c_erf}: the same traffic and one kernel each, with the special "
                  "function the difference, so this gap is erf's.", **fields)
    else:
        text = tr("Under `torch.compile`, which makes one kernel of each gated step, GELU-erf(g)·u moved its bytes "
                  "at {c_erf} of the copy bandwidth, GELU-tanh(g)·u at {c_tanh} and ReLU(g)·u at {c_relu}: this "
                  "run does not single out erf.", **fields)
    if min(fused.values()) >= max(compiled["gelu_tanh"], compiled["relu"]) - 0.01:
        text += sentence_gap(text) + tr(
            "Chapter 7's fused kernel reached {f_erf} with the erf form and {f_tanh} with the tanh form. It differs "
            "from the compiled kernel in more than its erf, Abramowitz and Stegun's formula 7.1.26 (error below "
            "1.5·10⁻⁷: a handful of multiply-adds, one reciprocal and one exponential): by default it also computes "
            "every reciprocal, A&S's and the sigmoid's, with the GPU's approximate reciprocal instruction instead of "
            "a division (`kernels.set_math`), and it has its own launch shape. So this run shows that the erf form "
            "can run at the memory's limit, not which change gets it there. The measurement that would settle it is "
            "a 2 × 2 ablation of the GELU-erf forward: erf as A&S 7.1.26 or CUDA's `erff`, times the fast "
            "reciprocal on or off (`kernels.set_math(erf=..., fast_rcp=...)`).", **fields)
    else:
        text += sentence_gap(text) + tr("Chapter 7's fused kernel, whose erf is Abramowitz and Stegun's formula 7.1.26, reached "
                         "{f_erf} with the erf form and {f_tanh} with the tanh form.", **fields)
    return text


def ridge_budget_reading(run: dict) -> str:
    """Chapter 2's back-of-envelope: how many FLOPs per element the recorded GPU can afford at its ridge point,
    FP32 arithmetic (quoted, :data:`QUOTED_FP32_FLOP_RATE`) over the run's measured copy bandwidth
    (:func:`arithmetic_budget`). Markdown, or "" for a device without a quoted rate or a run without a
    bandwidth."""
    from .sizing import activation_tensors, dtype_bytes

    device = run["provenance"]["device"]["name"]
    quoted = QUOTED_FP32_FLOP_RATE.get(device)
    bandwidth = run.get("reference", {}).get("copy_bandwidth", {}).get("value")
    if quoted is None or not bandwidth:
        return ""
    flop_rate, source = quoted
    size = dtype_bytes(run["config"]["dtype"])
    gated = activation_tensors(gated=True, backward=False) * size
    alone = activation_tensors(gated=False, backward=False) * size
    budget = arithmetic_budget(flop_rate, bandwidth, gated)
    budget_alone = arithmetic_budget(flop_rate, bandwidth, alone)
    text = tr("At the ridge point of the {device}, {flops} TFLOP/s of FP32 arithmetic ({source}, quoted) over the "
              "run's copy bandwidth of {bandwidth} TB/s, a kernel can do {ridge} FLOPs for each byte it moves before "
              "its arithmetic, not the memory, sets its speed. The gated step in {dtype} moves {gated} bytes per "
              "element (it reads g and u and writes their product), so it can spend about {budget} FLOPs on each "
              "element; an activation alone moves {alone} bytes and can spend about {budget_alone}.",
              device=device, flops=f"{flop_rate / 1e12:.0f}", source=tr(source),
              bandwidth=f"{bandwidth / 1e12:.2f}", ridge=f"{flop_rate / bandwidth:.1f}", dtype=run["config"]["dtype"],
              gated=gated, budget=f"{budget:.0f}", alone=alone, budget_alone=f"{budget_alone:.0f}")
    slots, slots_alone = instruction_budget(budget), instruction_budget(budget_alone)
    text += sentence_gap(text) + tr(
        "FLOPs are the wrong unit for the limit, though: what runs out is instruction issue. The quoted rate counts "
        "a fused multiply-add as 2 FLOPs in one instruction, and a conversion from or to bfloat16, an address "
        "addition or a comparison takes an instruction too, with no FLOP in it. In instructions the budget is at "
        "most {slots} per element of the gated step and {slots_alone} of an activation alone: at most, because "
        "that counts every instruction at the FP32 multiply-add rate, and conversions and some integer operations "
        "issue at lower rates. Exponentials and reciprocals run on the special-function units, {mufu} results per "
        "clock per multiprocessor against {fp32} for FP32 multiply-adds ({guide}, quoted): at most {mufu_slots} "
        "and {mufu_alone} of them per element.",
        slots=f"{slots:.0f}", slots_alone=f"{slots_alone:.0f}", mufu=SPECIAL_FUNCTION_LANES,
        fp32=FP32_LANES, guide=tr(CUDA_GUIDE), mufu_slots=f"{special_function_budget(slots):.0f}",
        mufu_alone=f"{special_function_budget(slots_alone):.0f}")
    matmul = square_matmul_rate(run)
    if matmul:
        rate, n = matmul
        text += sentence_gap(text) + tr("The same run's square {n} × {n} matrix product ran at a median {rate} TFLOP/s, but on "
                         "the tensor cores, which an elementwise kernel's arithmetic does not use.",
                         rate=f"{rate / 1e12:.0f}", n=f"{n:,}")
    return text


# --- Chapter 3: what the sigmoid costs, predicted from tensor passes, then measured ----------------------------


def tensor_passes(fn: Callable[..., torch.Tensor], *inputs: torch.Tensor) -> int:
    """Reads plus writes of input-sized tensors by the kernels ``fn(*inputs)`` launches (:func:`elementwise_passes`).

    ``x * torch.sigmoid(beta * x)`` is three kernels: 2 + 2 + 3 = 7 passes; ``F.silu(x)`` one kernel, 2 passes.
    A memory-bound pass takes about (bytes moved) / bandwidth, so the ratio of two counts predicts the ratio of
    their times (the roofline model, Williams et al. 2009).
    """
    return sum(k.reads + k.writes for k in elementwise_passes(fn, *inputs))


PREDICTION_RANGE = 1.3  # a ratio whose middle halves allow more than this factor between them tests no prediction


@dataclass(frozen=True)
class KernelPrediction:
    """A sequence of elementwise kernels' time predicted kernel by kernel (:func:`kernel_time_prediction`)."""

    predicted_s: float  # the whole sequence
    memory_passes: int  # tensor passes of the kernels predicted at the memory-bound time per pass
    per_pass_s: float  # that time per pass
    measured: tuple[str, ...]  # the kernels given their own measured time instead
    measured_s: float  # the sum of those times


def kernel_time_prediction(kernels, *, per_pass_s: float, measured: dict[str, float]) -> KernelPrediction:
    """Predict the time of ``kernels`` (:class:`KernelPass` items, as :func:`elementwise_passes` returns them)
    one kernel at a time: a kernel whose operator is in ``measured`` (e.g. ``{"aten::sigmoid": 0.024}``, a
    transcendental kernel that is not memory-bound) takes that measured time, in seconds; every other kernel is
    taken as memory-bound and takes its passes (reads + writes) times ``per_pass_s``, the time per pass of a
    kernel known to be memory-bound (ReLU's median over its 2 passes).

    The ratio of two pass counts predicts the ratio of two times only when every kernel is memory-bound; this
    prediction needs that only of the kernels not in ``measured``."""
    per_pass_s = positive_number(per_pass_s, "per_pass_s")
    kernels = list(kernels)
    if not kernels or not all(isinstance(k, KernelPass) for k in kernels):
        raise ValueError("kernels must be a non-empty list of KernelPass items (analysis.elementwise_passes).")
    if not isinstance(measured, dict):
        raise ValueError(f"measured must be a dict of operator name to seconds, got {type(measured).__name__}.")
    for op, t in measured.items():
        positive_number(t, f"measured[{op!r}]")
    unknown = set(measured) - {k.op for k in kernels}
    if unknown:
        raise ValueError(f"measured names operators the kernels do not launch: {sorted(unknown)}; "
                         f"they launch {[k.op for k in kernels]}.")
    memory = [k for k in kernels if k.op not in measured]
    own = [k for k in kernels if k.op in measured]
    passes = sum(k.reads + k.writes for k in memory)
    own_s = sum(measured[k.op] for k in own)
    return KernelPrediction(passes * per_pass_s + own_s, passes, per_pass_s, tuple(k.op for k in own), own_s)


def swish_cpu_verdict(silu_ratio: float, silu_apart: bool, swish_ratio: float, swish_apart: bool, *,
                      swish_passes: int, silu_passes: int, beta: float,
                      swish_range: tuple[float, float] | None = None,
                      per_kernel: KernelPrediction | None = None, silu_s: float | None = None) -> str:
    """Chapter 3's verdict on "Swish is costly" for the machine at hand, from its timing comparison.

    ``silu_ratio``: SiLU's time over ReLU's; ``swish_ratio``: the three-kernel Swish_beta over SiLU; ``*_apart``:
    whether the middle halves are apart; ``*_passes``: the tensor passes counted beforehand
    (:func:`tensor_passes`), whose ratio is the prediction. ``swish_range``: the ratios the two middle halves allow
    (``Comparison.ratio_range``); wider than :data:`PREDICTION_RANGE` (high / low), the run is too noisy to test
    the prediction and the verdict says so instead of confirming or refuting it. ``per_kernel`` (with
    ``silu_s``, SiLU's median in seconds): the Swish's time predicted kernel by kernel
    (:func:`kernel_time_prediction`); given, it is the prediction the measurement is held against, since the pass
    ratio assumes every kernel is memory-bound and a SiLU slower than ReLU shows that its kernel is not.
    Markdown, whole sentences.
    """
    for value, name in ((silu_ratio, "silu_ratio"), (swish_ratio, "swish_ratio")):
        positive_number(value, name)
    swish_passes, silu_passes = positive_int(swish_passes, "swish_passes"), positive_int(silu_passes, "silu_passes")
    if swish_range is not None:
        lo, hi = (positive_number(v, "swish_range") for v in swish_range)
        if hi < lo:
            raise ValueError(f"swish_range must be (low, high), got {swish_range!r}.")
    parts = [tr("**The verdict on \"Swish is costly\", for this machine.**")]
    if not silu_apart:
        parts.append(tr("The sigmoid itself costs nothing this run can measure: SiLU and ReLU are not told apart."))
    elif silu_ratio > 1:
        parts.append(tr("The sigmoid costs something here: SiLU took {ratio}× ReLU's time.", ratio=f"{silu_ratio:.2f}"))
    else:
        parts.append(tr("SiLU took {ratio}× ReLU's time: on this machine the sigmoid costs nothing, and SiLU's kernel "
                        "was even the faster one.", ratio=f"{silu_ratio:.2f}"))
    if (per_kernel is None) != (silu_s is None):
        raise ValueError("per_kernel and silu_s go together: give both or neither.")
    predicted = swish_passes / silu_passes
    fields = dict(beta=f"{beta:g}", swish_passes=swish_passes, silu_passes=silu_passes,
                  predicted=f"{predicted:.2f}", measured=f"{swish_ratio:.2f}")
    if not swish_apart:
        parts.append(tr("Swish with β = {beta} written as three operations moves the tensor {swish_passes} times "
                        "against SiLU's {silu_passes}, yet it did not take measurably longer than SiLU's single "
                        "kernel here.", **fields))
        return join_sentences(parts)
    parts.append(tr("Swish with β = {beta} written as three operations moves the tensor {swish_passes} times against "
                    "SiLU's {silu_passes}, which predicts {predicted}× SiLU's time if every pass is limited by memory "
                    "traffic; it took {measured}×.", **fields))
    if per_kernel is not None:
        silu_s = positive_number(silu_s, "silu_s")
        if silu_apart and silu_ratio > 1:
            parts.append(tr("That pass ratio holds only when every kernel is limited by memory, and SiLU, with "
                            "ReLU's passes, took longer than ReLU: its kernel is not."))
        else:
            parts.append(tr("That pass ratio holds only when every kernel is limited by memory."))
        predicted = per_kernel.predicted_s / silu_s
        parts.append(tr("Kernel by kernel, the multiplies' {passes} passes at ReLU's {per_pass} per pass and the "
                        "sigmoid at SiLU's measured {sigmoid} predict {predicted}× SiLU's time.",
                        passes=per_kernel.memory_passes, per_pass=format_time(per_kernel.per_pass_s),
                        sigmoid=format_time(per_kernel.measured_s), predicted=f"{predicted:.2f}"))
    outside = None  # "below" / "above" when the whole range the middle halves allow excludes the prediction
    if swish_range is not None and swish_range[1] / swish_range[0] > PREDICTION_RANGE:
        rng = dict(lo=f"{swish_range[0]:.2f}", hi=f"{swish_range[1]:.2f}")
        if swish_range[0] <= predicted <= swish_range[1]:
            # a wide range withholds a confirmation only: it cannot refute a prediction it contains either
            parts.append(tr("Its middle halves allow anything from {lo}× to {hi}×, too wide a range to test the "
                            "prediction: this run neither confirms nor refutes it.", **rng))
            return join_sentences(parts)
        outside = "below" if swish_range[1] < predicted else "above"
        parts.append(tr("Its middle halves allow anything from {lo}× to {hi}×, a wide range, but all of it lies below "
                        "the prediction.", **rng) if outside == "below" else
                     tr("Its middle halves allow anything from {lo}× to {hi}×, a wide range, but all of it lies above "
                        "the prediction.", **rng))
    if outside is None and abs(swish_ratio / predicted - 1) <= 0.15:
        parts.append(tr("The kernel-by-kernel prediction holds: the extra passes of the two multiplies, not the "
                        "sigmoid, are what the three operations add.") if per_kernel is not None else
                     tr("The count of passes predicts the cost: here Swish is costly because of how often it moves "
                        "the data, not because of its sigmoid."))
    elif per_kernel is not None:
        parts.append(tr("That is less than the kernel-by-kernel prediction; this run does not measure why.")
                     if outside == "below" or (outside is None and swish_ratio < predicted) else
                     tr("That is more than the kernel-by-kernel prediction; this run does not measure why."))
    elif outside == "below" or (outside is None and swish_ratio < predicted):
        parts.append(tr("That is less than the count predicts: the count assumes that every kernel is limited by "
                        "memory traffic, and one whose arithmetic sets its pace breaks it."))
    else:
        parts.append(tr("That is more than the count predicts: something besides memory traffic, such as the "
                        "arithmetic or the extra kernel launches, adds to the extra passes."))
    return join_sentences(parts)


def busy_machine_sentence(cmp, pairs) -> str:
    """One sentence for a timing cell whose comparison gives no verdict on any of ``pairs`` because the samples
    spread too widely (``Comparison.too_noisy``): the noisiest variant and its spread, said once for the cell
    instead of once per pair. "" when no pair is too noisy, so the cell's usual sentences apply."""
    from .comparison import NOISY_SPREAD
    from .i18n import translate_text

    noisy = [n for a, b in pairs if (n := cmp.too_noisy(a, b)) is not None]
    if not noisy:
        return ""
    worst = max(noisy, key=cmp.spread)
    return tr("This run gives no verdict: the samples spread too widely (the middle half of {name} spans {spread} "
              "of its median, where a quiet machine stays under {limit}), so the machine was busy while it timed "
              "them. Run the cell again when nothing else is running.", name=translate_text(worst),
              spread=f"{100 * cmp.spread(worst):.0f}%", limit=f"{100 * NOISY_SPREAD:.0f}%")


def swish_gpu_verdict(run: dict) -> str:
    """Chapter 3's verdict on a recorded GPU run: what the sigmoid costs eager and fused, and the eager Swish's
    extra kernels predicted from tensor passes (:func:`ffn_lib.predict.eager_passes`) against the measured time.
    Markdown, or "" when the run lacks a row it needs."""
    from .predict import eager_passes

    share = {op: _run_value(run, "activation", op, "eager") for op in ("relu", "silu")}
    times = {op: _run_value(run, "activation", op, "eager", "time") for op in ("relu", "silu")}
    fused = {op: _run_value(run, "act_mul", op, "fused") for op in ("relu", "silu")}
    gated = {op: _run_value(run, "act_mul", op, "eager", "time") for op in ("silu", "swish", "relu")}
    if None in (*share.values(), *times.values(), *fused.values(), *gated.values()):
        return ""
    ratio = times["silu"] / times["relu"]
    fields = dict(device=run["provenance"]["device"]["name"], ratio=f"{ratio:.2f}", silu=_pct(share["silu"]),
                  relu=_pct(share["relu"]), extra=f"{ratio - 1:.0%}", f_silu=_pct(fused["silu"]),
                  f_relu=_pct(fused["relu"]))
    parts = [tr("**The verdict on a GPU.**")]
    if ratio > 1.02:
        parts.append(tr("In the recorded run on {device}, eager SiLU alone took {ratio}× as long as ReLU ({silu} "
                        "against {relu} of the copy bandwidth): in eager PyTorch the sigmoid does cost something, "
                        "{extra} more time.", **fields))
        gated_ratio = gated["silu"] / gated["relu"]
        if gated_ratio < ratio:
            parts.append(tr("In the eager gated step the same sigmoid weighs less: SiLU(g)·u took {ratio}× as long "
                            "as ReLU(g)·u, {extra} more, because there its kernel is one of two and the product's "
                            "traffic comes on top.", ratio=f"{gated_ratio:.2f}", extra=f"{gated_ratio - 1:.0%}"))
        else:
            parts.append(tr("In the eager gated step SiLU(g)·u took {ratio}× as long as ReLU(g)·u.",
                            ratio=f"{gated_ratio:.2f}"))
    else:
        parts.append(tr("In the recorded run on {device}, eager SiLU alone took {ratio}× as long as ReLU ({silu} "
                        "against {relu} of the copy bandwidth): even in eager PyTorch the sigmoid costs nothing "
                        "measurable.", **fields))
    if fused["silu"] >= fused["relu"] - 0.01:
        parts.append(tr("Fused into one kernel with the gated product, it costs nothing: chapter 7's kernel ran "
                        "SiLU(g)·u at {f_silu} of the copy bandwidth and ReLU(g)·u at {f_relu}.", **fields))
    else:
        parts.append(tr("Fused into one kernel with the gated product, chapter 7's kernel ran SiLU(g)·u at {f_silu} "
                        "of the copy bandwidth and ReLU(g)·u at {f_relu}.", **fields))
    params = next((r.get("params", {}) for r in run["results"]
                   if r["group"] == "act_mul" and r["op"] == "swish" and r["impl"] == "eager"), {})
    beta = params.get("beta", run["config"].get("swish_beta"))
    p_swish, p_silu = eager_passes("swish", "forward", **params), eager_passes("silu", "forward")
    measured, predicted = gated["swish"] / gated["silu"], p_swish / p_silu
    parts.append(tr("Eager Swish with β = {beta} in the gated step, one kernel per operation, moves {p_swish} tensor "
                    "passes against eager SiLU(g)·u's {p_silu}, which predicts {predicted}× its time; it took "
                    "{measured}×.", beta=f"{beta:g}", p_swish=p_swish, p_silu=p_silu, predicted=f"{predicted:.2f}",
                    measured=f"{measured:.2f}"))
    if abs(measured / predicted - 1) <= 0.1:
        parts.append(tr("On the GPU the count of passes predicts the cost of the extra kernels."))
    return join_sentences(parts)


def _peak_widths(m: dict) -> tuple[list[str], list[str]]:
    """(saved, gradients): the names of the hidden-width tensors alive at a :func:`sizing.training_step_memory`
    peak, the forward's saved tensors apart from the gradients the backward has computed so far."""
    wide = [n for n, b in m["peak_live"].items() if b == m["hidden"] and not n.startswith("dW") and n != "dx"]
    return [n for n in wide if not n.startswith("d")], [n for n in wide if n.startswith("d")]


def memory_budget_table(budgets: dict[str, dict], recorded: dict[str, float | None] | None = None) -> str:
    """Chapter 4: a compact Markdown table of :func:`ffn_lib.sizing.training_step_memory` budgets (label -> its
    dict), one row per block: saved for the backward, the moment of the peak, what is alive then, the predicted
    peak and the ``recorded`` one (label -> bytes; "–" where missing). GiB throughout."""
    if not budgets:
        raise ValueError("budgets must hold at least one training_step_memory result.")
    recorded = recorded or {}
    gib = 2**30
    head = (tr("block"), tr("saved for backward"), tr("peak at"), tr("alive at the peak"), tr("predicted peak"),
            tr("recorded peak"))
    rows = ["| " + " | ".join(head) + " |", "|---|---:|---|---|---:|---:|"]
    for label, m in budgets.items():
        saved = tr("{gib} GiB ({n} × {each})", gib=f"{m['saved'] / gib:.3f}", n=m["saved"] // m["hidden"],
                   each=f"{m['hidden'] / gib:.3f}")
        got = recorded.get(label)
        rows.append(f"| {tr(label)} | {saved} | {tr(m['peak_moment'])} | {' + '.join(map(tr, m['peak_live']))} "
                    f"| {m['peak'] / gib:.3f} GiB | " + ("–" if got is None else f"{got / gib:.3f} GiB") + " |")
    return "\n".join(rows)


def memory_peak_reading(budgets: dict[str, dict]) -> str:
    """Chapter 4: why the peaks differ less than the saved bytes, from the budgets of ``"ReLU"``, ``"GLU"``,
    ``"SwiGLU"`` and ``"SwiGLU, fused"`` (:func:`ffn_lib.sizing.training_step_memory`): the hidden-width tensors
    alive at each peak, saved and gradients, counted in full (plain) widths. Whole sentences; "" when one is
    missing."""
    need = ("ReLU", "GLU", "SwiGLU", "SwiGLU, fused")
    if any(k not in budgets for k in need):
        return ""
    relu, glu, swiglu, fused = (budgets[k] for k in need)
    frac = glu["hidden"] / relu["hidden"]

    def widths(m):
        saved, grads = _peak_widths(m)
        return saved, grads, (len(saved) + len(grads)) * m["hidden"] / relu["hidden"]

    r_saved, r_grads, r_w = widths(relu)
    g_saved, g_grads, g_w = widths(glu)
    s_saved, s_grads, s_w = widths(swiglu)
    freed = [n for n in ("h",) if n not in glu["peak_live"]]
    fields = dict(glu_saved=f"{glu['saved'] / relu['saved']:.2f}", sw_saved=f"{swiglu['saved'] / relu['saved']:.2f}",
                  glu_peak=f"{glu['peak'] / relu['peak']:.2f}", sw_peak=f"{swiglu['peak'] / relu['peak']:.2f}",
                  r_moment=tr(relu["peak_moment"]), g_moment=tr(glu["peak_moment"]),
                  r_n=len(r_saved) + len(r_grads), r_s=len(r_saved), r_g=len(r_grads), r_w=f"{r_w:.2f}",
                  g_n=len(g_saved) + len(g_grads), g_s=len(g_saved), g_g=len(g_grads), g_w=f"{g_w:.2f}",
                  s_n=len(s_saved) + len(s_grads), s_w=f"{s_w:.2f}", frac=f"{frac:.3f}",
                  g_ratio=f"{g_w / r_w:.2f}", s_ratio=f"{s_w / r_w:.2f}",
                  f_saved=f"{fused['saved'] / relu['saved']:.2f}", f_peak=f"{fused['peak'] / relu['peak']:.2f}")
    parts = [tr("GLU keeps {glu_saved}× the ReLU block's bytes for the backward and SwiGLU {sw_saved}×, yet their "
                "peaks are {glu_peak}× and {sw_peak}× the ReLU block's.", **fields)]
    if freed:
        parts.append(tr("Not every saved tensor is alive at the peak: W2's backward frees h, the input it kept, "
                        "before the gated block reaches its peak.", **fields))
    parts.append(tr("The plain block peaks in {r_moment} with {r_n} tensors of the hidden width alive ({r_s} saved, "
                    "{r_g} gradients): {r_w} full widths. GLU peaks in {g_moment} with {g_n} ({g_s} saved, {g_g} "
                    "gradients), each {frac} of the plain width: {g_w} full widths, {g_ratio}× the plain block's; "
                    "SwiGLU, whose SiLU also keeps g, with {s_n}: {s_w} full widths, {s_ratio}×. The output and the "
                    "weight gradients, alive at every peak, dilute these ratios to the {glu_peak}× and {sw_peak}× "
                    "of the peaks.", **fields))
    parts.append(tr("Saving fewer tensors still pays: the fused SwiGLU keeps {f_saved}× the ReLU block's bytes and "
                    "peaks at {f_peak}×.", **fields))
    return join_sentences(parts)
