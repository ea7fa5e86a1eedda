"""The experiment's learning curves: held-out loss against steps, mean over seeds, and where each curve ends.

The statistics' figures (the contrasts, every pair's gap, the runs against Table 1, the final losses) are in
:mod:`ffn_lib.lm.stat_figures`. Labels are catalogue messages: fixed ones marked with ``N_`` (translated when the
figure is drawn, :mod:`ffn_lib.figure_text`), those with numbers written with ``tr``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..i18n import N_, tr
from ..variants import VARIANTS
from .analysis import curve_offset


def curves_caption(doc: dict[str, Any]) -> str:
    """What the curves were scored on, as the figure's note: every held-out window, or a subset of them."""
    off = curve_offset(doc)
    if off["subset"]:
        return tr("curves: {curve:,} of the {val:,} held-out characters (evenly spread windows); diamonds: the final "
                  "loss on all of them", curve=off["eval_tokens"], val=off["val_tokens"])
    return tr("curves and final losses: all {val:,} held-out characters", val=off["val_tokens"])


def plot_curves(doc: dict[str, Any], ax=None, *, title: str | None = None):
    """Held-out loss against training steps: the mean over seeds per variant, the band from lowest to highest seed.

    Without ``ax``: two panels, the whole run and its second half (where the variants separate, if they do).
    Each variant's final loss (mean over seeds, every held-out window) is a diamond at the last step, so where a
    curve was scored on a subset the gap to the table's number shows. Returns the (first) axes.
    """
    import matplotlib.pyplot as plt

    from ..plotting import COLORS, use_style

    use_style()
    if ax is None:
        fig, (ax, zoom) = plt.subplots(1, 2, figsize=(7.6, 4.4), layout="constrained", width_ratios=(3, 2))
    else:
        fig, zoom = ax.figure, None
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
            final = float(np.mean([r["final_val_loss"] for r in runs]))
            panel.plot([steps[-1]], [final], "D", color=color, ms=4, mec="white", mew=0.5)
        if not late:
            panel.axhline(doc["data"]["unigram_loss"], color="0.4", lw=1, ls=":", label=N_("unigram baseline"))
        panel.set(xlabel=N_("training step"), ylabel="" if late else N_("held-out loss (nats per character)"),
                  title=N_("second half") if late else (
                      title or tr("Learning curves, {device}", device=doc["provenance"]["device"]["name"])))
    fig.supxlabel(curves_caption(doc), fontsize=9, color="0.3")
    ax.legend(ncol=2, fontsize=9, loc="upper right", bbox_to_anchor=(1.0, 0.92))  # below the baseline
    return ax
