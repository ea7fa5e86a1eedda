"""What Shazeer (2020) measured, shown: Table 1 as dots, and the statements its quoted numbers support.

:func:`table1`: held-out log-perplexity of each FFN variant, quoted, with its quoted spread.

A dot's position, not a bar's length, carries the value, so the axis can span the data without
exaggerating the gaps a bar on a truncated axis would (a bar from 1.90 makes 0.05 look like half the scale).
The 65,536-step column has a standard deviation over 4 runs (Shazeer 2020, Table 1), drawn as ±1 std error
bars, and the best plain FFN's ±1 std as a grey band; the 524,288-step column has no spread in the paper,
so its dots have none.

:func:`statements` and :func:`leaders_sentence`: sentences generated from the quoted numbers (through the
message catalogue, :func:`ffn_lib.i18n.tr`).
"""

from __future__ import annotations

from functools import reduce
from typing import Mapping

from .i18n import N_, sentence_gap, tr
from .variants import FINETUNE_STD, VARIANTS, Variant

GATED, PLAIN = "#1f77b4", "#7f7f7f"


def table1(variants: Mapping[str, Variant] = VARIANTS):
    """Two panels of dots, 65,536 and 524,288 steps, one row per variant (best at the top of each panel)."""
    import matplotlib.pyplot as plt

    from .plotting import use_style

    use_style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    panels = (("log_perplexity_65k", "log_perplexity_65k_std", tr("65,536 steps (± std of 4 runs)")),
              ("log_perplexity_524k", None, tr("524,288 steps (no spread quoted)")))
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
        ax.set(title=title, xlabel=tr("held-out log-perplexity (lower is better)"))
        ax.grid(axis="y", visible=False)
    axes[0].plot([], [], "o", color=GATED, label=tr("gated"))
    axes[0].plot([], [], "o", color=PLAIN, label=tr("plain"))
    axes[0].fill_between([], [], color=PLAIN, alpha=0.15, label=tr("best plain ± 1 std"))
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=10)
    fig.suptitle(tr("Shazeer (2020), Table 1, quoted"), fontsize=11)
    return fig


def _names(names: list[str]) -> str:
    """Names as a list in the reader's language ("GEGLU, SwiGLU" / "GEGLU、SwiGLU"); ``none`` for no name."""
    if not names:
        return tr("none")
    return reduce(lambda a, b: tr("{a}, {b}", a=a, b=b), names)


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
    out = [tr("- Table 1, 65,536 steps: {clear} beat the best plain FFN ({best}, {value}) by more than the two "
              "standard deviations added; {rest} did not.", clear=_names(clear), best=best.name,
              value=f"{best.log_perplexity_65k:.3f}", rest=_names([v.name for v in gated if v.name not in clear]))]
    for score, table in (("glue", N_("GLUE (Table 2)")), ("superglue", N_("SuperGLUE (Table 3)"))):
        out.append(_finetune_line(plain, gated, score, tr(table)))
    for score, table in (("glue", "GLUE"), ("superglue", "SuperGLUE")):
        lead = max(getattr(v, score) for v in gated) - max(getattr(v, score) for v in plain)
        sd = finetune_std[score]
        out.append(tr("- {table}: the best gated variant leads the best plain FFN by {lead} points, {ratio} times "
                      "the run-to-run standard deviation that Shazeer's table quotes from Raffel et al. ({sd}).",
                      table=table, lead=f"{lead:.2f}", ratio=f"{lead / sd:.1f}", sd=sd))
    return out


def _finetune_line(plain: list[Variant], gated: list[Variant], score: str, table: str) -> str:
    get = lambda v: getattr(v, score)  # noqa: E731
    top, low, winner = max(plain, key=get), min(plain, key=get), max(gated, key=get)
    above = [v for v in gated if get(v) > get(top)]
    text = tr("- {table}, higher is better: {above} of {total} gated variants score above the best plain FFN "
              "({top}, {top_score}); the best is {winner} ({winner_score}).", table=table, above=len(above),
              total=len(gated), top=top.name, top_score=f"{get(top):.2f}", winner=winner.name,
              winner_score=f"{get(winner):.2f}")
    for v in gated:
        if get(v) <= get(top):
            fields = dict(name=v.name, score=f"{get(v):.2f}", low=low.name, low_score=f"{get(low):.2f}")
            text += sentence_gap(text) + (tr("{name} ({score}) does not, and is below even {low} ({low_score}).", **fields)
                           if get(v) < get(low) else tr("{name} ({score}) does not.", **fields))
    return text


# The measures of Shazeer's Tables 1-3, each with whether lower is better.
MEASURES = (("log_perplexity_65k", True), ("log_perplexity_524k", True), ("glue", False), ("superglue", False))


def leaders(variants: Mapping[str, Variant] = VARIANTS) -> dict[str, Variant]:
    """The best variant on each quoted measure of :data:`MEASURES`: lowest log-perplexity at 65,536 and 524,288
    steps (Table 1), highest GLUE and SuperGLUE averages (Tables 2 and 3)."""
    if not variants:
        raise ValueError("variants must hold at least one Variant.")
    return {key: (min if lower else max)(variants.values(), key=lambda v, k=key: getattr(v, k))
            for key, lower in MEASURES}


def leaders_sentence(variants: Mapping[str, Variant] = VARIANTS) -> str:
    """One sentence, generated from the quoted numbers: which variant leads each measure, or that one leads all."""
    best = leaders(variants)
    fields = {f"{key}_name": v.name for key, v in best.items()}
    fields.update({key: f"{getattr(v, key):.3f}" if key.startswith("log") else f"{getattr(v, key):.2f}"
                   for key, v in best.items()})
    if len({v.name for v in best.values()}) == 1:
        return tr("In Shazeer's quoted tables one variant leads on every measure, {glue_name}: the lowest "
                  "log-perplexity at 65,536 steps ({log_perplexity_65k}) and at 524,288 steps "
                  "({log_perplexity_524k}), the best GLUE average ({glue}) and the best SuperGLUE average "
                  "({superglue}).", **fields)
    if best["log_perplexity_65k"].name == best["log_perplexity_524k"].name:
        return tr("No variant leads on every measure of Shazeer's quoted tables: {log_perplexity_65k_name} has the "
                  "lowest log-perplexity at both lengths ({log_perplexity_65k} at 65,536 steps, "
                  "{log_perplexity_524k} at 524,288), {glue_name} the best GLUE average ({glue}) and "
                  "{superglue_name} the best SuperGLUE average ({superglue}).", **fields)
    return tr("No variant leads on every measure of Shazeer's quoted tables: {log_perplexity_65k_name} has the lowest "
              "log-perplexity at 65,536 steps ({log_perplexity_65k}), {log_perplexity_524k_name} at 524,288 steps "
              "({log_perplexity_524k}), {glue_name} the best GLUE average ({glue}) and {superglue_name} the best "
              "SuperGLUE average ({superglue}).", **fields)
