"""Shazeer's Table 1 as dots: held-out log-perplexity of each FFN variant, quoted, with its quoted spread.

A dot's position, not a bar's length, carries the value, so the axis can span the data without
exaggerating the gaps a bar on a truncated axis would (a bar from 1.90 makes 0.05 look like half the scale).
The 65,536-step column has a standard deviation over 4 runs (Shazeer 2020, Table 1), drawn as ±1 std error
bars, and the best plain FFN's ±1 std as a grey band; the 524,288-step column has no spread in the paper,
so its dots have none.
"""

from __future__ import annotations

from typing import Mapping

from .variants import VARIANTS, Variant

GATED, PLAIN = "#1f77b4", "#7f7f7f"


def table1(variants: Mapping[str, Variant] = VARIANTS):
    """Two panels of dots, 65,536 and 524,288 steps, one row per variant (best at the top of each panel)."""
    import matplotlib.pyplot as plt

    from .plotting import use_style

    use_style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    panels = (("log_perplexity_65k", "log_perplexity_65k_std", "65,536 steps (± std of 4 runs)"),
              ("log_perplexity_524k", None, "524,288 steps (no spread quoted)"))
    for ax, (key, std_key, title) in zip(axes, panels):
        order = sorted(variants.values(), key=lambda v: getattr(v, key), reverse=True)  # best on top
        for y, v in enumerate(order):
            err = getattr(v, std_key) if std_key else None
            ax.errorbar(getattr(v, key), y, xerr=err, fmt="o", ms=7, capsize=4,
                        color=GATED if v.gated else PLAIN)
        if std_key:
            best = min((v for v in variants.values() if not v.gated), key=lambda v: getattr(v, key))
            mid, sd = getattr(best, key), getattr(best, std_key)
            ax.axvspan(mid - sd, mid + sd, color=PLAIN, alpha=0.15, lw=0)
        ax.set_yticks(range(len(order)), [v.name for v in order])
        values = [getattr(v, key) for v in order]
        pad = max(0.01, 0.15 * (max(values) - min(values)))
        ax.set_xlim(min(values) - pad, max(values) + pad)
        ax.set(title=title, xlabel="held-out log-perplexity (lower is better)")
        ax.grid(axis="y", visible=False)
    axes[0].plot([], [], "o", color=GATED, label="gated")
    axes[0].plot([], [], "o", color=PLAIN, label="plain")
    axes[0].fill_between([], [], color=PLAIN, alpha=0.15, label="best plain ± 1 std")
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=10)
    fig.suptitle("Shazeer (2020), Table 1, quoted", fontsize=11)
    return fig
