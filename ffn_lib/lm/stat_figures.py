"""The capstone's figures with their uncertainty: the seed-paired contrasts, every pair's gap, the runs against
Table 1, each variant's final loss.

Intervals are Student's t intervals and "resolved" means significant after Holm's correction
(:mod:`ffn_lib.lm.stats`), so the figures agree with the sentences of :mod:`ffn_lib.lm.verdict`. Labels are
catalogue messages: fixed ones marked with ``N_`` (translated when the figure is drawn, :mod:`ffn_lib.figure_text`),
those with numbers written with ``tr``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, tr
from . import stats
from .results import ranking, summarize

GATED_COLOR = "#1f77b4"
PLAIN_COLOR = "#7f7f7f"
FAMILY_COLOR = "#333333"


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


PAIRWISE_BAR_LABEL = N_("row minus column, held-out loss (nats per character)\nthe row's variant is worse by this much")


def pairwise_gaps(doc: dict[str, Any]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(names best first, gap[i, j] = mean loss of row i minus column j, resolved[i, j] after Holm over all pairs)."""
    summaries = ranking(summarize(doc))
    names = [s.variant for s in summaries]
    means = np.array([s.mean for s in summaries])
    tests = {frozenset((t.a, t.b)): t for t in stats.pairwise_tests(summaries)}
    resolved = np.array([[i != j and tests[frozenset((a, b))].resolved for j, b in enumerate(names)]
                         for i, a in enumerate(names)], dtype=bool)
    return names, means[:, None] - means[None, :], resolved


def pairwise_tukey(doc: dict[str, Any]) -> np.ndarray:
    """resolved[i, j] by Tukey's HSD (pooled variance), in :func:`pairwise_gaps`' order (best first)."""
    summaries = ranking(summarize(doc))
    names = [s.variant for s in summaries]
    tests = {frozenset((t.a, t.b)): t for t in stats.tukey_hsd(stats.samples(doc))}
    return np.array([[i != j and tests[frozenset((a, b))].resolved for j, b in enumerate(names)]
                     for i, a in enumerate(names)], dtype=bool)


def plot_pairwise_gaps(doc: dict[str, Any], ax=None, *, title: str | None = None):
    """Every pair's gap in held-out loss once, below the diagonal: row minus column, variants best first.

    With the rows best first, each cell below the diagonal is the row's (higher) loss minus the column's, so
    every gap shown is zero or positive; a sequential map from white (no gap) to dark red (the largest).
    Boxed and bold: resolved (Welch, Holm over all pairs); each box is drawn inside its cell, so neighbours stay
    apart. A dot in the cell's upper right corner: resolved by Tukey's HSD (pooled variance), so the two
    assumptions can be compared cell by cell; the legend says which mark is which.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    from ..plotting import use_style

    use_style()
    from matplotlib.lines import Line2D

    names, gap, resolved = pairwise_gaps(doc)
    tukey = pairwise_tukey(doc)
    k = len(names)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.4, 6.0), layout="constrained")
    lower = np.tril(np.ones((k, k), dtype=bool), -1)
    shown = np.ma.masked_where(~lower, gap)
    limit = float(np.max(gap[lower])) if lower.any() else 0.0
    cmap = plt.get_cmap("Reds").with_extremes(bad="white")
    image = ax.imshow(shown, cmap=cmap, norm=Normalize(vmin=0.0, vmax=limit or 1.0))
    for i in range(k):
        for j in range(i):
            color = text_color_on(cmap(image.norm(gap[i, j])))
            ax.text(j, i, f"{gap[i, j]:+.3f}", ha="center", va="center", fontsize=9, color=color,
                    fontweight="bold" if resolved[i, j] else "normal")
            if resolved[i, j]:
                ax.add_patch(Rectangle((j - 0.42, i - 0.42), 0.84, 0.84, fill=False, lw=1.6, ec="black"))
            if tukey[i, j]:
                ax.plot(j + 0.3, i - 0.3, marker="o", ms=4.5, mfc=color, mec=color, ls="none")
    ax.set_xticks(range(k - 1), names[:-1], rotation=35, ha="right")  # the last column and first row are empty
    ax.set_yticks(range(1, k), names[1:])
    ax.set_xlim(-0.5, k - 1.5)
    ax.set_ylim(k - 0.5, 0.5)
    ax.set_xlabel(N_("column: compared with (best first)"))
    ax.set_ylabel(N_("row: this variant (best first)"))
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    m = k * (k - 1) // 2
    ax.set_title(title or tr("Held-out loss gap, row minus column; boxed: resolved (Welch, Holm over {m} pairs)",
                             m=m), fontsize=10)
    marks = [Rectangle((0, 0), 1, 1, fill=False, lw=1.6, ec="black"),
             Line2D([], [], marker="o", ms=4.5, mfc="black", mec="black", ls="none")]
    ax.legend(marks, [tr("box: resolved by Welch's t, Holm over {m} pairs ({r})", m=m, r=int(resolved.sum()) // 2),
                      tr("dot: resolved by Tukey's HSD, pooled variance ({r})", r=int(tukey.sum()) // 2)],
              loc="upper right", fontsize=8, frameon=False)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
    bar.set_label(PAIRWISE_BAR_LABEL, fontsize=9)
    return ax


def plot_contrasts(doc: dict[str, Any], ax=None, *, title: str | None = None):
    """The seed-paired contrasts with their 95% t intervals: each matched pair, the matched mean, the families.

    Left of zero: the gated side reached the lower held-out loss. Filled markers: resolved (the interval of a
    matched pair after Holm over the pairs; the two averages by their own interval).
    """
    import matplotlib.pyplot as plt

    from ..plotting import use_style

    use_style()
    rows = [(tr("{g} minus {p}", g=t.gated, p=t.plain), t.contrast, t.resolved) for t in stats.matched_tests(doc)]
    matched, family = stats.matched_contrast(doc), stats.family_contrast(doc)
    if matched is not None:
        rows.append((tr("matched mean ({k} pairs)", k=len(matched.gated)), matched, matched.verdict != "cannot tell"))
    if family is not None:
        rows.append((tr("family mean ({g} gated, {p} plain)", g=len(family.gated), p=len(family.plain)), family,
                     family.verdict != "cannot tell"))
    if ax is None:
        _, ax = plt.subplots(figsize=(7.4, 0.55 * len(rows) + 1.6), layout="constrained")
    for y, (label, c, resolved) in enumerate(rows):
        lo, hi = c.interval
        color = GATED_COLOR if y < len(rows) - (family is not None) else FAMILY_COLOR
        ax.plot([lo, hi], [y, y], color=color, lw=2)
        ax.plot([c.mean], [y], "o", ms=7, color=color, mfc=color if resolved else "white")
        ax.plot(c.per_seed, [y + 0.22] * c.n, "|", color=color, ms=7, alpha=0.7)
    ax.axvline(0, color="0.3", lw=1)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    level = matched.level if matched is not None else 1 - stats.ALPHA
    ax.set_xlabel(N_("gated minus plain, held-out loss (nats per character)\nleft of 0: the gate helps"))
    ax.set_title(title or tr("Seed-paired contrasts, mean and {level:.0%} t interval (ticks: the seeds)", level=level),
                 fontsize=10)
    return ax


def _separate_labels(ax, labels, max_rounds: int = 30) -> None:
    """Move annotation labels apart vertically until no two overlap (measured with the renderer's extents).

    The figure's texts are put in the reader's language (and its font) first, so what is measured is what is drawn.
    """
    from ..figure_text import translate

    fig = ax.figure
    translate(fig)
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
    ax.set(xlabel=N_("Table 1: log-perplexity at 65,536 steps (quoted; nats per token)"),
           ylabel=tr("this run: held-out loss, mean ± {level:.0%} t interval\n(nats per character)",
                     level=1 - stats.ALPHA),
           title=title or N_("Same ordering? (blue: gated, grey: plain)"))
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

    ax.legend(handles=[Line2D([], [], marker="o", ls="", color=GATED_COLOR, label=N_("gated")),
                       Line2D([], [], marker="o", ls="", color=PLAIN_COLOR, label=N_("plain"))], fontsize=9)
    ax.set_xticks(range(len(summaries)), [s.variant for s in summaries], rotation=30, ha="right")
    ax.set(ylabel=N_("held-out loss (nats per character)"),
           title=title or tr("Final held-out loss: seeds (dots), mean ± {level:.0%} t interval",
                             level=1 - stats.ALPHA))
    ax.grid(axis="x", visible=False)
    return ax


def plot_matched_curve(doc: dict[str, Any], ax=None, *, title: str | None = None):
    """The matched contrast (gated minus its own plain twin, paired by seed) at every evaluated step, with its
    Student's t band (:func:`ffn_lib.lm.stats.matched_curve`) and each seed's own difference as a thin line."""
    import matplotlib.pyplot as plt

    from ..plotting import use_style

    use_style()
    found = stats.matched_curve(doc)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 3.8), layout="constrained")
    if not found:
        ax.set_title(title or N_("No matched pair on two or more seeds"), fontsize=10)
        return ax
    steps = [s for s, _ in found]
    mean = [c.mean for _, c in found]
    lo, hi = [c.interval[0] for _, c in found], [c.interval[1] for _, c in found]
    level = found[0][1].level
    ax.fill_between(steps, lo, hi, color=GATED_COLOR, alpha=0.2, lw=0,
                    label=tr("{level:.0%} t interval over {n} seeds", level=level, n=found[0][1].n))
    for i in range(found[0][1].n):
        ax.plot(steps, [c.per_seed[i] for _, c in found], color=GATED_COLOR, lw=0.8, alpha=0.45,
                label=N_("each seed") if i == 0 else None)
    ax.plot(steps, mean, "o-", color=GATED_COLOR, lw=2, ms=4, label=N_("mean over seeds"))
    ax.axhline(0, color="0.3", lw=1)
    ax.set(xlabel=N_("training step"),
           ylabel=N_("gated minus plain twin, held-out loss\n(nats per character; below 0: the gate helps)"),
           title=title or N_("The matched contrast along training"))
    ax.legend(fontsize=9, loc="upper right")
    return ax
