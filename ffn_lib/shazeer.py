"""What Shazeer (2020) measured, shown: Table 1 as dots, and the statements its quoted numbers support.

:func:`table1`: held-out log-perplexity of each FFN variant, quoted, with its quoted spread.

A dot's position, not a bar's length, carries the value, so the axis can span the data without
exaggerating the gaps a bar on a truncated axis would (a bar from 1.90 makes 0.05 look like half the scale).
The 65,536-step column has a standard deviation over 4 runs (Shazeer 2020, Table 1), drawn as ±1 std error
bars, and the best plain FFN's ±1 std as a grey band; the 524,288-step column has no spread in the paper,
so its dots have none.
"""

from __future__ import annotations

from typing import Mapping

from .variants import FINETUNE_STD, VARIANTS, Variant

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


def statements(variants: Mapping[str, Variant] = VARIANTS, finetune_std: Mapping[str, float] = FINETUNE_STD) -> list[str]:
    """Markdown bullet points generated from the quoted numbers of Tables 1-3.

    Table 1: which gated variants beat the best plain FFN by more than the two standard deviations added.
    Tables 2 and 3 (GLUE, SuperGLUE averages): how many gated variants score above the best plain FFN, and the
    best gated variant's lead in units of the run-to-run standard deviation the paper quotes from Raffel et al.
    """
    plain = [v for v in variants.values() if not v.gated]
    gated = [v for v in variants.values() if v.gated]
    best = min(plain, key=lambda v: v.log_perplexity_65k)
    clear = [v.name for v in gated
             if best.log_perplexity_65k - v.log_perplexity_65k > v.log_perplexity_65k_std + best.log_perplexity_65k_std]
    out = [f"- Table 1, 65,536 steps: {', '.join(clear) or 'none'} beat the best plain FFN ({best.name}, "
           f"{best.log_perplexity_65k:.3f}) by more than the two standard deviations added; "
           f"{', '.join(v.name for v in gated if v.name not in clear) or 'none'} did not."]
    for score, table in (("glue", "GLUE (Table 2)"), ("superglue", "SuperGLUE (Table 3)")):
        out.append(_finetune_line(plain, gated, score, table))
    for score, table in (("glue", "GLUE"), ("superglue", "SuperGLUE")):
        lead = max(getattr(v, score) for v in gated) - max(getattr(v, score) for v in plain)
        sd = finetune_std[score]
        out.append(f"- {table}: the best gated variant leads the best plain FFN by {lead:.2f} points, "
                   f"{lead / sd:.1f} times the run-to-run standard deviation that Shazeer's table quotes from "
                   f"Raffel et al. ({sd}).")
    return out


def _finetune_line(plain: list[Variant], gated: list[Variant], score: str, table: str) -> str:
    get = lambda v: getattr(v, score)  # noqa: E731
    top, low, winner = max(plain, key=get), min(plain, key=get), max(gated, key=get)
    above = [v for v in gated if get(v) > get(top)]
    text = (f"- {table}, higher is better: {len(above)} of {len(gated)} gated variants score above the best plain "
            f"FFN ({top.name}, {get(top):.2f}); the best is {winner.name} ({get(winner):.2f}).")
    for v in gated:
        if get(v) <= get(top):
            text += f" {v.name} ({get(v):.2f}) does not" + (
                f", and is below even {low.name} ({get(low):.2f})." if get(v) < get(low) else ".")
    return text
