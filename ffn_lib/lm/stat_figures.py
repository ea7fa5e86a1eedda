"""The capstone's figures with their uncertainty: Welch's t for every pair, the runs against Table 1, each variant's loss.

Intervals are Student's t intervals and "resolved" means significant after Holm's correction
(:mod:`ffn_lib.lm.stats`), so the figures agree with the sentences of :mod:`ffn_lib.lm.verdict`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import stats
from .results import ranking, summarize

GATED_COLOR = "#1f77b4"
PLAIN_COLOR = "#7f7f7f"


def text_color_on(rgba) -> str:
    """Black or white, whichever contrasts more with a cell of colour ``rgba`` (WCAG 2.x contrast ratio).

    Relative luminance Y = 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels; the contrast with
    black is (Y + 0.05) / 0.05 and with white 1.05 / (Y + 0.05), equal at Y = sqrt(0.0525) - 0.05 = 0.179.
    """
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(float(c)) for c in rgba[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "white"


def plot_pairwise_t(doc: dict[str, Any], ax=None, *, title: str | None = None):
    """Welch's t of every pair (row minus column), variants best first; bold and boxed: resolved after Holm."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from ..plotting import use_style

    use_style()
    summaries = ranking(summarize(doc))
    names = [s.variant for s in summaries]
    tests = {(t.a, t.b): t for t in stats.pairwise_tests(summaries)}
    k = len(names)
    z, resolved = np.zeros((k, k)), np.zeros((k, k), bool)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            t = tests.get((a, b)) or tests.get((b, a))
            if t is not None:
                z[i, j] = t.t if t.a == a else -t.t
                resolved[i, j] = t.resolved
    z = np.clip(z, -99, 99)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 5.6), layout="constrained")
    limit = max(5.0, float(np.max(np.abs(z))))
    cmap = plt.get_cmap("RdBu_r")
    image = ax.imshow(z, cmap=cmap, vmin=-limit, vmax=limit)
    for i in range(k):
        for j in range(k):
            if i == j:
                continue
            color = text_color_on(cmap(image.norm(z[i, j])))
            ax.text(j, i, f"{z[i, j]:+.1f}", ha="center", va="center", fontsize=9, color=color,
                    fontweight="bold" if resolved[i, j] else "normal")
            if resolved[i, j]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=1.6, ec="black"))
    ax.set_xticks(range(k), names, rotation=35, ha="right")
    ax.set_yticks(range(k), names)
    ax.grid(False)
    m = len(tests)
    ax.set_title(title or f"Welch's t, row minus column; boxed: resolved after Holm ({stats.ALPHA:.0%}, {m} pairs)",
                 fontsize=10)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="t (gap / its standard error)")
    return ax


def _separate_labels(ax, labels, max_rounds: int = 30) -> None:
    """Move annotation labels apart vertically until no two overlap (measured with the renderer's extents)."""
    fig = ax.figure
    for _ in range(max_rounds):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [lab.get_window_extent(renderer) for lab in labels]
        moved = False
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                if boxes[i].overlaps(boxes[j]):
                    upper, lower = (i, j) if boxes[i].y0 >= boxes[j].y0 else (j, i)
                    for idx, step in ((upper, 3), (lower, -3)):
                        x, y = labels[idx].xyann
                        labels[idx].xyann = (x, y + step)
                    moved = True
        if not moved:
            return


def plot_vs_table1_t(doc: dict[str, Any], ax=None, *, title: str | None = None):
    """The run's mean held-out loss with its 95% t interval against Table 1's log-perplexity (quoted)."""
    import matplotlib.pyplot as plt

    from ..plotting import use_style

    use_style()
    summaries = summarize(doc)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.8, 4.4), layout="constrained")
    labels = []
    xs, ys = [s.table1 for s in summaries], [s.mean for s in summaries]
    x_span, y_span = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    for s in summaries:
        color = GATED_COLOR if s.gated else PLAIN_COLOR
        ax.errorbar(s.table1, s.mean, yerr=stats.mean_interval(s.losses), fmt="o", color=color, capsize=3)
        # a neighbour just to the right (GEGLU and SwiGLU: 1.942 and 1.944) pushes the label to the left
        crowded = any(0 < o.table1 - s.table1 < 0.05 * x_span and abs(o.mean - s.mean) < 0.1 * y_span
                      for o in summaries)
        labels.append(ax.annotate(s.variant, (s.table1, s.mean), xytext=(-7 if crowded else 7, 0),
                                  textcoords="offset points", fontsize=9, va="center",
                                  ha="right" if crowded else "left"))
    pad = 0.15 * (max(xs) - min(xs) or 0.01)
    ax.set_xlim(min(xs) - 2 * pad, max(xs) + 2 * pad)  # room for the labels on the right
    ax.set(xlabel="Table 1: log-perplexity at 65,536 steps (quoted)",
           ylabel=f"this run: held-out loss, mean ± {1 - stats.ALPHA:.0%} t interval",
           title=title or "Same ordering? (blue: gated, grey: plain)")
    _separate_labels(ax, labels)
    return ax


def plot_final_losses(doc: dict[str, Any], ax=None, *, title: str | None = None):
    """Each variant's final held-out loss: every seed as a small dot, the mean with its 95% t interval.

    Dots on a shared axis, not bars on a truncated one: a bar's length would exaggerate gaps of a few hundredths.
    """
    import matplotlib.pyplot as plt

    from ..plotting import use_style

    use_style()
    summaries = summarize(doc)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.8), layout="constrained")
    for i, s in enumerate(summaries):
        color = GATED_COLOR if s.gated else PLAIN_COLOR
        beside = np.linspace(0.14, 0.26, s.n) if s.n > 1 else [0.2]  # the seeds to the right of their mean
        ax.plot(i + np.asarray(beside), s.losses, ".", color=color, alpha=0.6, ms=6)
        ax.errorbar(i, s.mean, yerr=stats.mean_interval(s.losses), fmt="o", color=color, ms=7, capsize=4,
                    lw=1.6)
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], marker="o", ls="", color=GATED_COLOR, label="gated"),
                       Line2D([], [], marker="o", ls="", color=PLAIN_COLOR, label="plain")], fontsize=9)
    ax.set_xticks(range(len(summaries)), [s.variant for s in summaries], rotation=30, ha="right")
    ax.set(ylabel="held-out loss (nats per character)",
           title=title or f"Final held-out loss: seeds (dots), mean ± {1 - stats.ALPHA:.0%} t interval")
    ax.grid(axis="x", visible=False)
    return ax
