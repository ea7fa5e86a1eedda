"""The experiment's findings in words and tables, each sentence generated from the numbers of a document.

:func:`describe_run` (the run in one line), :func:`table_markdown` (per variant:
size, loss with its spread, rank, Table 1, throughput, memory), :func:`sentences`
(one finding each, from :mod:`ffn_lib.lm.analysis`), :func:`markdown_report` (all three).
"""

from __future__ import annotations

from typing import Any

from ..variants import SHAZEER_2020
from .verdict import significance_sentences
from .analysis import VariantSummary, ranking, still_improving, summarize


def _fmt_rate(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def _verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def _names(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe_run(doc: dict[str, Any]) -> str:
    p, c, d = doc["provenance"], doc["config"], doc["data"]
    m, t = c["model"], c["train"]
    dtype = "bfloat16 autocast" if t["amp_bf16"] else "float32"
    device = p["device"]["name"]
    if p["device"]["type"].lower() not in device.lower():
        device += f" ({p['device']['type']})"
    n_seeds = len(c["seeds"])
    return (f"{device}, {dtype}, torch {p['torch']}, Python {p['python']}, "
            f"{p['date'][:10]}; d_model {m['d_model']}, {m['n_layer']} layer{'' if m['n_layer'] == 1 else 's'}, {m['n_head']} head{'' if m['n_head'] == 1 else 's'}, context "
            f"{m['context']}, {m['init']} init; {t['steps']} steps of {t['batch_size']} windows ({c['tokens_per_run']:,} characters "
            f"per run); {n_seeds} seed{'' if n_seeds == 1 else 's'}; corpus {d['name']} ({d['chars']:,} characters, sha256 "
            f"{d['sha256'][:12]}…); `{p['command']}`")


def table_markdown(doc: dict[str, Any]) -> str:
    """Per variant: size, held-out loss (mean ± std over seeds), rank, Table 1 (quoted), throughput, memory."""
    summaries = summarize(doc)
    ranked = [s.variant for s in ranking(summaries)]
    cuda = doc["provenance"]["device"]["type"] == "cuda"
    # short headers: the table must fit the book's column at 1280 px without scrolling sideways
    head = ("| variant | d_ff | params | loss, mean ± sd | seeds | rank | Table 1 (quoted) "
            "| tokens/s |" + (" peak mem. |" if cuda else ""))
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if cuda else "")]
    for s in summaries:
        mem = f" {s.peak_memory_bytes / 2**20:.0f} MiB |" if cuda and s.peak_memory_bytes is not None else (
            " – |" if cuda else "")
        std = f"{s.std:.4f}" if s.n > 1 else "–"
        lines.append(f"| {s.variant} | {s.d_ff} | {s.params:,} | {s.mean:.4f} ± {std} | {s.n} "
                     f"| {ranked.index(s.variant) + 1} | {s.table1:.3f} | {_fmt_rate(s.tokens_per_s)} |{mem}")
    return "\n".join(lines) + "\n"


def sentences(doc: dict[str, Any]) -> list[str]:
    """The findings in words, each generated from the numbers of ``doc``."""
    summaries = summarize(doc)
    if not summaries:
        return ["No run finished."]
    ranked = ranking(summaries)
    out = [_baseline(doc, summaries)]
    if ranked[0].n < 2:
        best = ranked[0]
        out.append(f"{best.variant} has the lowest held-out loss ({best.mean:.4f}), but with one seed per variant "
                   "nothing can be said about the spread, so no ordering is resolved.")
        return out
    out += [_best_and_worst(ranked), *significance_sentences(doc)]  # t intervals, Welch and Holm (lm.stats)
    out += [_over_fitting(doc), _throughput(summaries), _peak_memory(summaries)]
    return [text for text in out if text is not None]


def _baseline(doc: dict[str, Any], summaries: list[VariantSummary]) -> str:
    base = doc["data"]["unigram_loss"]
    beat = sum(s.mean < base for s in summaries)
    if beat == len(summaries):
        return f"Every variant's mean held-out loss is below the unigram baseline ({base:.3f} nats per character)."
    return (f"Only {beat} of {len(summaries)} variants {_verb(beat, 'beats', 'beat')} the unigram baseline "
            f"({base:.3f} nats per character).")


def _best_and_worst(ranked: list[VariantSummary]) -> str:
    best, worst = ranked[0], ranked[-1]
    return (f"{best.variant} has the lowest mean held-out loss, {best.mean:.4f} nats per character (standard "
            f"deviation {best.std:.4f} over {best.n} seeds); {worst.variant} the highest, {worst.mean:.4f}.")



def _over_fitting(doc: dict[str, Any]) -> str:
    last_min, total = still_improving(doc)
    return (f"In {'all ' if last_min == total else ''}{last_min} of {total} runs the held-out loss was at its "
            "lowest at the last evaluation" + (" (no sign of over-fitting)." if last_min == total else
                                                ": the others had passed their minimum, so they over-fit the "
                                                "training text before the end."))


def _extremes(summaries: list[VariantSummary], key: Any) -> tuple[VariantSummary, VariantSummary] | None:
    """The variants with the lowest and the highest ``key`` among those that have one; None for fewer than two."""
    have = [s for s in summaries if key(s)]
    if len(have) <= 1:
        return None
    return min(have, key=key), max(have, key=key)


def _throughput(summaries: list[VariantSummary]) -> str | None:
    extremes = _extremes(summaries, lambda s: s.tokens_per_s)
    if extremes is None:
        return None
    slow, fast = extremes
    text = (f"Throughput, training steps only: {fast.variant} is fastest at {_fmt_rate(fast.tokens_per_s)} "
            f"tokens/s and {slow.variant} slowest at {_fmt_rate(slow.tokens_per_s)} tokens/s "
            f"({fast.tokens_per_s / slow.tokens_per_s:.2f}× as fast) at the same parameter count")
    if len(fast.rates) > 1 and min(fast.rates) <= max(slow.rates):
        text += (", but their runs' rates overlap (from one seed to the next the machine's speed varied as "
                 "much), so these runs cannot rank their speeds")
    return text + "."


def _peak_memory(summaries: list[VariantSummary]) -> str | None:
    extremes = _extremes(summaries, lambda s: s.peak_memory_bytes)
    if extremes is None:
        return None
    lo, hi = extremes
    return (f"Peak memory ranges from {lo.peak_memory_bytes / 2**20:.0f} MiB ({lo.variant}) to "
            f"{hi.peak_memory_bytes / 2**20:.0f} MiB ({hi.variant}).")


def markdown_report(doc: dict[str, Any]) -> str:
    return (f"# ffn_lib.lm: {doc['provenance']['device']['name']}\n\n{describe_run(doc)}.\n\n{table_markdown(doc)}\n"
            + "\n".join(f"- {s}" for s in sentences(doc)) + f"\n\nTable 1: {SHAZEER_2020}.\n")
