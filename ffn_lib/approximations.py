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
import torch

from ._checks import finite_scalar
from .i18n import N_, tr
from .activations import GELU_SIGMOID_COEF, GELU_TANH_COEF, SQRT_2_OVER_PI, gelu, gelu_tanh_taylor_coefficient
from .analysis import _golden_section_min, join_sentences  # the package's one 1-D minimiser; sentence joining

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



# --- Both coefficients free: the logistic cubic of Bowling et al. (2009) -------------------------------------

LOGISTIC_BRACKETS = ((1.55, 1.65), (0.060, 0.080))  # (linear, cubic): both minimax values lie well inside


def logistic_cdf(x: np.ndarray | float, linear: float, cubic: float) -> np.ndarray | float:
    """The logistic cubic approximation of the normal CDF, 1 / (1 + exp(-(a x + b x^3))), a = ``linear``,
    b = ``cubic``. Page's tanh form is this curve with a = 2 sqrt(2/pi) fixed (the exact slope of Phi at 0) and
    b = a c, by 1/2 (1 + tanh z) = sigma(2z); Bowling, Khasawneh, Kaewkuekool & Cho (2009) fit both."""
    a, b = finite_scalar(linear, "linear"), finite_scalar(cubic, "cubic")
    x = np.asarray(x, dtype=np.float64)
    out = 0.5 * (1.0 + np.tanh(0.5 * (a * x + b * x**3)))  # sigma(z) = (1 + tanh(z/2)) / 2, no overflow
    return float(out) if out.ndim == 0 else out


def logistic_max_error(linear: float, cubic: float) -> tuple[float, float]:
    """The largest |logistic_cdf(x) - Phi(x)| on the chapter's grid (the error is even in x), and its |x|."""
    x, phi = _grid()
    err = np.abs(logistic_cdf(x, linear, cubic) - phi)
    i = int(np.argmax(err))
    return float(err[i]), float(x[i])


@dataclass(frozen=True)
class LogisticFit:
    """The minimax logistic cubic against Phi: its two coefficients and its largest error."""

    linear: float
    cubic: float
    cdf_error: float
    cdf_at: float


@functools.lru_cache(maxsize=1)
def logistic_minimax() -> LogisticFit:
    """Both coefficients of 1 / (1 + exp(-(a x + b x^3))) chosen to minimise the largest error against Phi:
    a golden-section search over a, each a with its own golden-section search over b (the largest error is
    unimodal in each), on the grid of :func:`max_error`. About a = 1.5975, b = 0.0706, error 1.40e-4 at
    |x| = 2.69, against Page's 1.79e-4 with a fixed at 2 sqrt(2/pi) = 1.5958: Page's 0.044715 is the best c
    *given* the exact slope at 0, a constrained minimax."""
    (a_lo, a_hi), (b_lo, b_hi) = LOGISTIC_BRACKETS

    def best_cubic(a: float) -> float:
        return _golden_section_min(lambda b: logistic_max_error(a, b)[0], b_lo, b_hi, tol=1e-9)

    a = _golden_section_min(lambda v: logistic_max_error(v, best_cubic(v))[0], a_lo, a_hi, tol=1e-8)
    b = best_cubic(a)
    for value, (lo, hi), name in ((a, LOGISTIC_BRACKETS[0], "linear"), (b, LOGISTIC_BRACKETS[1], "cubic")):
        if not (lo + 1e-6 < value < hi - 1e-6):
            raise RuntimeError(f"the minimax {name} coefficient is not inside {(lo, hi)}")
    return LogisticFit(a, b, *logistic_max_error(a, b))


def coefficient_table(table: dict[str, Coefficient] | None = None, fit: LogisticFit | None = None) -> str:
    """The chapter's coefficient comparison as a Markdown table: one row per c of :func:`coefficients`, its
    largest error against Phi and against GELU with the |x| of each, and a last row for the logistic cubic with
    both coefficients free (:func:`logistic_minimax`; its error against GELU is |x| times the CDF error, on
    the same grid)."""
    table = coefficients() if table is None else table
    fit = logistic_minimax() if fit is None else fit
    names = {"taylor": N_("Taylor, 2/(3π) − 1/6"), "paper": N_("the paper's"), "minimax_cdf": N_("minimax against Φ"),
             "minimax_gelu": N_("minimax against GELU")}
    head = [tr("coefficient"), "$c$", tr("largest error vs Φ"), tr("at $\\lvert x \\rvert$"), tr("largest error vs GELU"),
            tr("at $\\lvert x \\rvert$")]
    lines = ["| " + " | ".join(head) + " |", "|---|---:|---:|---:|---:|---:|"]
    for key, e in table.items():
        lines.append(f"| {tr(names.get(key, key))} | {e.value:.7f} | {e.cdf_error:.3e} | {e.cdf_at:.2f} | "
                     f"{e.gelu_error:.3e} | {e.gelu_at:.2f} |")
    x, phi = _grid()
    gelu_err = x * np.abs(logistic_cdf(x, fit.linear, fit.cubic) - phi)
    i = int(np.argmax(gelu_err))
    lines.append(f"| {tr('logistic cubic, both coefficients free')} | "
                 + tr("$a$ = {a}, $b$ = {b}", a=f"{fit.linear:.4f}", b=f"{fit.cubic:.5f}")
                 + f" | {fit.cdf_error:.3e} | {fit.cdf_at:.2f} | {gelu_err[i]:.3e} | {x[i]:.2f} |")
    return "\n".join(lines) + "\n"


# --- The tanh form against the rounding step of a 16-bit format ----------------------------------------------

SIXTEEN_BIT = (torch.bfloat16, torch.float16)


def _every_value(dtype: torch.dtype) -> torch.Tensor:
    """Every finite number of the 16-bit ``dtype``, as float64, sorted, with -0 and +0 merged."""
    bits = torch.arange(-(2**15), 2**15, dtype=torch.int32).to(torch.int16)
    x = bits.view(dtype).to(torch.float64)
    return torch.unique(x[torch.isfinite(x)])


def rounding_step(v: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The spacing of ``dtype``'s numbers at |v|: 2^(floor(log2 |v|)) * eps, for normal |v| (>= finfo.tiny).

    bfloat16 keeps 8 significant bits (eps = 2^-7), float16 11 (eps = 2^-10): between 1 and 2 bfloat16's
    numbers are 2^-7 apart, between 2^-7 and 2^-6 they are 2^-14 apart.
    """
    info = torch.finfo(dtype)
    exponent = torch.floor(torch.log2(torch.clamp(v.abs().to(torch.float64), min=info.tiny)))
    return torch.exp2(exponent) * info.eps


def _form(x: torch.Tensor, approximate: str) -> torch.Tensor:
    """An approximation's exact value in float64, with no cancellation in the negative tail: the tanh form as
    x sigma(2 sqrt(2/pi)(x + c x^3)) (the identity 1 + tanh z = 2 sigma(2z)), the sigmoid form as x sigma(1.702x)."""
    if approximate == "tanh":
        return x * torch.sigmoid(2.0 * SQRT_2_OVER_PI * (x + GELU_TANH_COEF * x**3))
    return x * torch.sigmoid(GELU_SIGMOID_COEF * x)


@dataclass(frozen=True)
class RoundingSteps:
    """An approximation's error |form(x) - GELU(x)| in units of the rounding step of a 16-bit format at GELU(x),
    over every finite input of that format (see :func:`rounding_steps`)."""

    dtype: str
    approximate: str
    worst_at: float  # |x| where the absolute error is largest (2.70 for the tanh form)
    worst_error: float
    steps_at_plus: float  # error / step at x = +worst_at, where GELU is about worst_at
    steps_at_minus: float  # at x = -worst_at, where GELU is small and negative
    value_at_minus: float  # GELU(-worst_at)
    step_at_minus: float
    max_steps_positive: float  # the largest error / step over x > 0
    max_steps_positive_at: float
    max_steps_negative: float  # ... over x < 0 (far in the tail: the relative error there tends to 100%)
    max_steps_negative_at: float
    one_step_below: float | None  # the x < 0 below which every error is at least one step (None: nowhere)
    differ_share: float  # P(the two, each rounded to dtype, differ) for inputs x ~ N(0, 1) rounded to dtype
    differ_share_negative: float  # the part of differ_share from x < 0
    rms_output: float  # sqrt(E[GELU(x)^2]) for the same inputs: the scale of a layer's outputs


@functools.lru_cache(maxsize=None)
def rounding_steps(approximate: str = "tanh", dtype: torch.dtype = torch.bfloat16) -> RoundingSteps:
    """How far an approximation of GELU is from the definition, counted in rounding steps of ``dtype``.

    For every finite input x of the 16-bit ``dtype`` (all 65,536 bit patterns; bfloat16 or float16), both
    functions are evaluated exactly (float64: :func:`ffn_lib.activations.gelu` from erfc, the approximation
    without cancellation) and the error |form(x) - GELU(x)| is divided by :func:`rounding_step` at GELU(x).
    A ratio below 1 means the two agree within rounding; far above 1, they are different numbers. Only outputs
    that are normal numbers of ``dtype`` are counted (below finfo.tiny the step is the subnormal spacing).

    The share of outputs that differ weights each input by the probability that a standard normal sample
    rounds to it (round to nearest: the cell between the midpoints to its neighbours); both functions are then
    rounded to ``dtype``, as a kernel that computes in float32 and stores in ``dtype`` would round them.
    """
    if approximate not in ("tanh", "sigmoid"):
        raise ValueError(f"approximate must be 'tanh' or 'sigmoid', got {approximate!r}")
    if dtype not in SIXTEEN_BIT:
        raise ValueError(f"dtype must be torch.bfloat16 or torch.float16 (every value is enumerated), got {dtype}")
    x = _every_value(dtype)
    exact, form = gelu(x), _form(x, approximate)
    err = (form - exact).abs()
    steps = err / rounding_step(exact, dtype)
    normal = exact.abs() >= torch.finfo(dtype).tiny
    pos, neg = normal & (x > 0), normal & (x < 0)

    def largest(mask: torch.Tensor) -> tuple[float, float]:
        i = int(torch.where(mask, steps, torch.zeros_like(steps)).argmax())
        return float(steps[i]), float(x[i])

    k = int(torch.where(x > 0, err, torch.zeros_like(err)).argmax())  # the error is even in x: |x| is enough
    at = float(x[k])
    minus = int(torch.searchsorted(x, torch.tensor(-at, dtype=torch.float64)))
    below = neg & (steps < 1)
    reach = neg & (steps >= 1)
    one_step = None
    if reach.any():
        edge = float(x[reach].max())
        one_step = edge if not (below & (x < edge)).any() else None
    mids = (x[1:] + x[:-1]) / 2
    edges = torch.cat([torch.tensor([-math.inf], dtype=torch.float64), mids,
                       torch.tensor([math.inf], dtype=torch.float64)])
    p = torch.diff(0.5 * torch.special.erfc(-edges / math.sqrt(2.0)))  # P(N(0,1) rounds to each x)
    differ = (exact.to(dtype) != form.to(dtype)).to(torch.float64)
    return RoundingSteps(
        str(dtype).removeprefix("torch."), approximate, at, float(err[k]), float(steps[k]), float(steps[minus]),
        float(exact[minus]), float(rounding_step(exact[minus], dtype)), *largest(pos), *largest(neg), one_step,
        float((p * differ).sum()), float((p * differ * (x < 0)).sum()), math.sqrt(float((p * exact**2).sum())))


def pytorch_tanh_zero_below(dtype: torch.dtype = torch.float32, *, step: float = 1e-3) -> float:
    """The x < 0 (on a grid of ``step`` over [-40, 0)) from which down PyTorch's ``F.gelu(x, approximate="tanh")``
    on the CPU in ``dtype`` returns exactly 0 (or -0) at every grid point, while the tanh form's exact value,
    x sigma(2u), is still a normal number of ``dtype``: where the kernel's 1 + tanh(u), computed in float32, cancels
    to nothing. Below it the kernel gives 0, not the exact form's tiny value that :func:`rounding_steps` counts.
    Measured on one contiguous tensor, PyTorch's vectorised CPU path (its scalar path, for a single element, can
    keep a few more values)."""
    if dtype not in (torch.float32, torch.bfloat16, torch.float16):
        raise TypeError(f"dtype must be torch.float32, torch.bfloat16 or torch.float16, got {dtype}.")
    step = finite_scalar(step, "step")
    if not 0 < step <= 0.1:
        raise ValueError(f"step must be in (0, 0.1], got {step}.")
    x = torch.arange(-40.0, 0.0, step, dtype=torch.float64)
    kernel = torch.nn.functional.gelu(x.to(dtype), approximate="tanh")  # one contiguous tensor: the vectorised path
    normal = _form(x, "tanh").abs() >= torch.finfo(dtype).tiny
    kept = (kernel != 0) & normal
    below = x < x[kept].min() if kept.any() else torch.ones_like(normal)
    lost = below & normal  # from here down every output is 0 although the exact form is a normal number
    if not lost.any():
        raise ValueError(f"PyTorch's tanh GELU loses no value of {dtype} above -40.")
    return float(x[lost].max())


def _count(v: float) -> str:
    return f"{v:.0f}" if v < 1000 else f"{v:.2g}"


def rounding_reading(steps: RoundingSteps) -> str:
    """What :func:`rounding_steps` found, in whole sentences: within rounding on the positive side (or not),
    several steps off on the negative side, how many outputs differ for standard normal inputs, and how the
    largest error compares with the outputs' scale. Markdown."""
    if not isinstance(steps, RoundingSteps):
        raise TypeError(f"steps must be a RoundingSteps (from rounding_steps), got {type(steps).__name__}.")
    fields = dict(dtype=steps.dtype, pos=f"{steps.max_steps_positive:.2f}", at=f"{steps.worst_at:.2f}",
                  value=f"{steps.value_at_minus:.4f}", minus=f"{steps.steps_at_minus:.1f}",
                  relative=f"{steps.worst_error / abs(steps.value_at_minus):.0%}", tail=_count(steps.max_steps_negative),
                  share=f"{steps.differ_share:.1%}", error=f"{steps.worst_error:.1e}",
                  negative=f"{steps.differ_share_negative / steps.differ_share:.0%}" if steps.differ_share else "0%",
                  of_rms=f"{steps.worst_error / steps.rms_output:.2%}")
    parts = []
    if steps.max_steps_positive < 1:
        parts.append(tr("For positive inputs the two forms agree within {dtype}'s rounding: the error never exceeds "
                        "{pos} of a step.", **fields))
        if steps.approximate == "tanh" and steps.one_step_below is not None:
            parts.append(tr("For negative inputs they do not: at x = -{at}, where GELU is {value}, the same largest "
                            "error is {minus} steps (a relative error of {relative}); every input below {below} is "
                            "at least one step off, and far in the tail, where the tanh form's cubic makes it decay "
                            "faster than Φ, the error reaches {tail} steps: no digit is right.",
                            below=f"{steps.one_step_below:.2f}", **fields))
        else:
            parts.append(tr("For negative inputs they do not: at x = -{at}, where GELU is {value}, the same largest "
                            "error is {minus} steps (a relative error of {relative}), and far in the tail it reaches "
                            "{tail} steps.", **fields))
    else:
        parts.append(tr("Even for positive inputs the two forms differ by up to {pos} of {dtype}'s rounding steps; at "
                        "x = -{at}, where GELU is {value}, the same largest error is {minus} steps (a relative error "
                        "of {relative}), and far in the tail it reaches {tail} steps.", **fields))
    parts.append(tr("For standard normal inputs, {share} of the {dtype} outputs differ between the two forms; "
                    "negative inputs account for {negative} of those differences.", **fields))
    if steps.worst_error / steps.rms_output < 0.01:
        parts.append(tr("All of this happens far below the scale of a layer's outputs: the largest error, {error}, "
                        "is {of_rms} of GELU's RMS output for those inputs.", **fields))
    else:
        parts.append(tr("The largest error, {error}, is {of_rms} of GELU's RMS output for those inputs.", **fields))
    return join_sentences(parts)
