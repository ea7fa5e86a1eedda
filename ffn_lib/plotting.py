"""One plotting style for every figure in the course.

Three helpers cover the book: :func:`curves` (functions of x), :func:`bars`
(one number per variant or implementation) and :func:`roofline`. Each takes an
``ax`` or makes a figure of its own, labels its axes, and returns the axes.

Importing this module installs :mod:`ffn_lib.figure_check` in the mode the environment
asks for (``FFN_LIB_FIGURE_CHECK``; "warn" while the book is built), so every figure a
chapter saves or shows is checked for clipped text, overlapping tick labels and small fonts.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from . import figure_check, figure_text
from .formatting import format_rate
from .i18n import N_, tr

STYLE = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "ffn-course",  # reproducible SVG ids
}
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
# One colour per implementation of a recorded run, the same in every chapter's figure: eager blue, torch.compile
# red, the course's fused kernel green; the one-tensor variants a lighter shade of their kernel's colour.
IMPL_COLORS = {"eager": COLORS[0], "compile": COLORS[1], "fused": COLORS[2], "liger": COLORS[3],
               "floor": COLORS[5], "compile_cat": "#ff9896", "fused_cat": "#98df8a"}


def impl_color(impl: str) -> str:
    """The colour of implementation ``impl`` (:data:`IMPL_COLORS`); an implementation not listed there gets a
    colour of its own, fixed by its name, from those the listed ones do not use."""
    if not isinstance(impl, str) or not impl:
        raise ValueError(f"impl must be a non-empty implementation name, got {impl!r}.")
    if impl in IMPL_COLORS:
        return IMPL_COLORS[impl]
    spare = [c for c in COLORS if c not in IMPL_COLORS.values()]
    return spare[sum(map(ord, impl)) % len(spare)]


# One colour per FFN variant (the blocks of Shazeer's table, ffn_lib.variants.VARIANTS), so that a chapter that draws
# the same block in several figures draws it in one colour: red is GELU wherever it appears, never Bilinear.
VARIANT_COLORS: dict[str, str] = {"ReLU": COLORS[0], "GELU": COLORS[1], "Swish": COLORS[2], "GLU": COLORS[3],
                                  "GEGLU": COLORS[4], "Bilinear": COLORS[5], "SwiGLU": COLORS[6], "ReGLU": COLORS[7]}


def variant_colors(names: Iterable[str]) -> list[str]:
    """:data:`VARIANT_COLORS` of each variant in ``names``, in order (for ``bars(..., colors=...)``)."""
    names = list(names)
    unknown = [n for n in names if n not in VARIANT_COLORS]
    if unknown:
        raise ValueError(f"names: {unknown} are not variants with a colour; known: {', '.join(VARIANT_COLORS)}.")
    return [VARIANT_COLORS[n] for n in names]


def use_style() -> None:
    """Apply the course's style to matplotlib (idempotent)."""
    plt.rcParams.update(STYLE)
    plt.rcParams["axes.prop_cycle"] = matplotlib.cycler(color=COLORS)
    figure_text.use_cjk_fallback()   # Chinese glyphs from the CJK font, when the reader reads Chinese


def _axes(ax: plt.Axes | None, figsize: tuple[float, float] | None = None) -> plt.Axes:
    use_style()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def break_jumps(y: Sequence[float], jump: float = 0.5) -> np.ndarray:
    """``y`` as a float array with NaN at each sample that follows a step larger than ``jump``, so that a
    plotted step function (ReLU's derivative) shows a gap at its jump instead of a vertical segment that reads
    as "every value in between"."""
    jump = float(jump)
    if not np.isfinite(jump) or jump <= 0:
        raise ValueError(f"jump must be a positive number, got {jump!r}.")
    out = np.array(y, dtype=float, copy=True).ravel()
    steps = np.flatnonzero(np.abs(np.diff(out)) > jump)
    out[steps + 1] = np.nan
    return out


def curves(x: Sequence[float], ys: Mapping[str, Sequence[float]], *, title: str = "", xlabel: str = "x",
           ylabel: str = "", ax: plt.Axes | None = None, styles: Mapping[str, str] | None = None,
           logy: bool = False) -> plt.Axes:
    """Plot one line per entry of ``ys`` (label -> values) against ``x``."""
    ax = _axes(ax)
    for label, y in ys.items():
        ax.plot(x, y, (styles or {}).get(label, "-"), label=label, lw=1.8)
    if logy:
        ax.set_yscale("log")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if len(ys) > 1:
        ax.legend()
    return ax


def bars(labels: Sequence[str], values: Sequence[float], *, title: str = "", ylabel: str = "",
         errors: Sequence[float] | None = None, ax: plt.Axes | None = None, annotate: str | None = "{:.4g}",
         ylim: tuple[float, float] | None = None, colors: Iterable[str] | None = None) -> plt.Axes:
    """A bar per label, optionally with error bars and the value written on top.

    Values are written with four significant digits by default (``annotate``), so
    quoted numbers such as 1.997 keep their precision, and above the error bar's
    cap, not across it.
    """
    ax = _axes(ax)
    colors = list(colors) if colors is not None else [COLORS[i % len(COLORS)] for i in range(len(labels))]
    positions = np.arange(len(labels))
    ax.bar(positions, values, yerr=errors, color=colors, capsize=3)
    if len(labels) > 10:  # many bars: upright one-line labels, the only way they stay apart
        ax.set_xticks(positions, [" ".join(str(t).split("\n")) for t in labels], rotation=90)
    else:
        slanted = max(map(len, labels), default=0) > 6  # long labels are tilted so they do not overlap
        ax.set_xticks(positions, labels, rotation=30 if slanted else 0, ha="right" if slanted else "center")
    if ylim is not None:
        ax.set_ylim(*ylim)
    if annotate:
        tops = [v + (e if errors is not None and v >= 0 else 0) for v, e in
                zip(values, errors if errors is not None else [0] * len(values))]
        for p, v, top in zip(positions, values, tops):
            ax.annotate(annotate.format(v), (p, top), ha="center", va="bottom", fontsize=8,
                        xytext=(0, 3), textcoords="offset points")
    ax.set(title=title, ylabel=ylabel)
    ax.grid(axis="x", visible=False)
    return ax


def roofline(points: Mapping[str, tuple[float, float]], *, bandwidth: float, peak_flop_rate: float,
             title: str = N_("Roofline"), ax: plt.Axes | None = None) -> plt.Axes:
    """The roofline min(peak, I * bandwidth) and each op at (intensity, achieved FLOP/s).

    ``points``: label -> (arithmetic intensity in FLOP/byte, achieved FLOP/s).
    """
    ax = _axes(ax)
    intensities = [i for i, _ in points.values()] or [1.0]
    ridge = peak_flop_rate / bandwidth
    lo = min(min(intensities), ridge) / 10
    hi = max(max(intensities), ridge) * 10
    xs = np.logspace(np.log10(lo), np.log10(hi), 200)
    ax.plot(xs, np.minimum(peak_flop_rate, xs * bandwidth), color="0.2", lw=2,
            label=tr("roofline: {bandwidth}, {peak}", bandwidth=format_rate(bandwidth, 'B/s'),
                     peak=format_rate(peak_flop_rate, 'FLOP/s')))
    ax.axvline(ridge, color="0.6", ls=":", lw=1)
    for k, (label, (intensity, rate)) in enumerate(points.items()):
        ax.loglog(intensity, rate, "o", color=COLORS[k % len(COLORS)], label=label, ms=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(title=title, xlabel=tr("arithmetic intensity (FLOP / byte)"), ylabel=tr("achieved FLOP/s"))
    ax.legend(fontsize=7, loc="lower right")
    return ax


figure_check.install_from_env()
figure_text.use_cjk_fallback()
