"""The experiment's figures: learning curves, every pair's gap in standard errors, the runs against Table 1."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..variants import VARIANTS
from .analysis import RESOLVE_K, ranking, summarize


def plot_curves(doc: dict[str, Any], ax=None, *, title: str | None = None):
    """Held-out loss against training steps: the mean over seeds per variant, the band from lowest to highest seed.

    Without ``ax``: two panels, the whole run and its second half (where the variants separate, if they do).
    Returns the (first) axes.
    """
    import matplotlib.pyplot as plt

    from ..plotting import COLORS, use_style

    use_style()
    if ax is None:
        _, (ax, zoom) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained", width_ratios=(3, 2))
    else:
        zoom = None
    steps_total = doc["config"]["train"]["steps"]
    for panel in (ax, zoom):
        if panel is None:
            continue
        late = panel is zoom
        for i, name in enumerate(doc["config"]["variants"]):
            runs = [r for r in doc["runs"] if r["variant"] == name]
            if not runs:
                continue
            steps = np.array(runs[0]["curve_steps"])
            losses = np.array([r["curve_val_loss"] for r in runs])
            keep = steps >= steps_total / 2 if late else np.ones(len(steps), bool)
            style = "-" if VARIANTS[name].gated else "--"
            color = COLORS[i % len(COLORS)]
            panel.plot(steps[keep], losses.mean(0)[keep], style, color=color, lw=1.6, label=name,
                       marker="o" if keep.sum() < 4 else None, ms=3)
            if len(runs) > 1:
                panel.fill_between(steps[keep], losses.min(0)[keep], losses.max(0)[keep], color=color, alpha=0.12,
                                   lw=0)
        if not late:
            panel.axhline(doc["data"]["unigram_loss"], color="0.4", lw=1, ls=":", label="unigram baseline")
        panel.set(xlabel="training step", ylabel="" if late else "held-out loss (nats per character)",
                  title="second half" if late else (title or f"Learning curves, {doc['provenance']['device']['name']}"))
    ax.legend(ncol=3, fontsize=8)
    return ax


def plot_pairwise(doc: dict[str, Any], ax=None):
    """Every pair's gap in units of its combined standard error: row minus column; |value| > 2 is resolved."""
    import matplotlib.pyplot as plt

    from ..plotting import use_style

    use_style()
    summaries = ranking(summarize(doc))
    names = [s.variant for s in summaries]
    z = np.zeros((len(names), len(names)))
    for i, a in enumerate(summaries):
        for j, b in enumerate(summaries):
            se = math.hypot(a.sem, b.sem)
            z[i, j] = (a.mean - b.mean) / se if i != j and se > 0 else 0.0
    if ax is None:
        _, ax = plt.subplots(figsize=(6.2, 5.0), layout="constrained")
    limit = max(3.0, float(np.nanmax(np.abs(z))))
    image = ax.imshow(z, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for i in range(len(names)):
        for j in range(len(names)):
            if i != j:
                ax.text(j, i, f"{z[i, j]:+.1f}", ha="center", va="center", fontsize=7,
                        fontweight="bold" if abs(z[i, j]) > RESOLVE_K else "normal")
    ax.set_xticks(range(len(names)), names, rotation=35, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.grid(False)
    ax.set_title(f"Gap / combined standard error (row minus column; bold: beyond ±{RESOLVE_K:g})")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="standard errors")
    return ax


def plot_vs_table1(doc: dict[str, Any], ax=None):
    """This run's mean held-out loss (± 2 standard errors) against Table 1's log-perplexity (quoted)."""
    import matplotlib.pyplot as plt

    from ..plotting import COLORS, use_style

    use_style()
    summaries = summarize(doc)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    for s in summaries:
        color = COLORS[0] if s.gated else "0.45"
        err = RESOLVE_K * s.sem if s.n > 1 else 0.0
        ax.errorbar(s.table1, s.mean, yerr=err, fmt="o", color=color, capsize=3)
        ax.annotate(s.variant, (s.table1, s.mean), xytext=(5, 3), textcoords="offset points", fontsize=8)
    ax.set(xlabel="Table 1: log-perplexity at 65,536 steps (quoted)",
           ylabel="this run: held-out loss, mean ± 2 SE",
           title="Same ordering? (blue: gated, grey: plain)")
    return ax
