"""The experiment's findings in words and tables, each sentence generated from the numbers of a document.

:func:`describe_run` (the run in one line), :func:`table_markdown` (per variant: size, loss with its
spread, rank, Table 1, throughput, memory), :func:`sentences` (one finding each: the summaries of
:mod:`ffn_lib.lm.analysis`, the statistics of :mod:`ffn_lib.lm.verdict`), :func:`markdown_report` (all
three: what ``python -m ffn_lib.lm`` writes), :func:`curve_sentence` (what the learning curves were scored
on), and the cost side weighed against the gain: :func:`block_costs`, :func:`cost_markdown` and
:func:`cost_sentence`, from the recorded benchmark's whole blocks (:mod:`ffn_lib.bench`), with
:func:`cost_drift_sentence` (how far the blocks' timing order lets those numbers be trusted) and
:func:`pay_sentences` (steps saved, per mean curve and per seed, against time per step).

Every sentence, table header and row label is one catalogue message with named fields (:mod:`ffn_lib.i18n`);
a choice of wording is a choice of sentence, and lists are joined by :mod:`ffn_lib.lm.wording`.
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_, tr
from ..variants import SHAZEER_2020, VARIANTS
from . import stats, wording
from .analysis import VariantSummary, curve_offset, ranking, still_improving, summarize
from .verdict import significance_sentences

DESCRIBE = N_("{device}, {dtype}, torch {torch}, Python {python}, {date}; d_model {d_model}, layers {n_layer}, heads "
              "{n_head}, context {context}, {init} init; {steps} steps of {batch} windows ({run_chars:,} characters "
              "per run); seeds {seeds}; corpus {corpus} ({chars:,} characters, sha256 {sha}…); `{command}`")


def _fmt_rate(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def describe_run(doc: dict[str, Any]) -> str:
    """The run in one line: device, precision, versions, date, sizes, seeds, corpus, command."""
    p, c, d = doc["provenance"], doc["config"], doc["data"]
    m, t = c["model"], c["train"]
    device = p["device"]["name"]
    if p["device"]["type"].lower() not in device.lower():
        device = tr("{name} ({kind})", name=device, kind=p["device"]["type"])
    return tr(DESCRIBE, device=device, dtype="bfloat16 autocast" if t["amp_bf16"] else "float32",
              torch=p["torch"], python=p["python"], date=p["date"][:10], d_model=m["d_model"],
              n_layer=m["n_layer"], n_head=m["n_head"], context=m["context"], init=m["init"],
              steps=t["steps"], batch=t["batch_size"], run_chars=c["tokens_per_run"],
              seeds=wording.series(c["seeds"]), corpus=d["name"], chars=d["chars"],
              sha=d["sha256"][:12], command=p["command"])


# short headers: the table must fit the book's column at 1280 px without scrolling sideways
TABLE_HEAD = (N_("variant"), "d_ff", N_("params"), N_("loss, mean ± sd"), N_("seeds"), N_("rank"),
              N_("Table 1 (quoted)"), N_("tokens/s"))
PEAK_MEMORY_HEAD = N_("peak mem.")


def _header(labels: list[str]) -> str:
    """A Markdown header row, each label in the reader's language (names and units are left as they are)."""
    return "| " + " | ".join(tr(h) for h in labels) + " |"


def run_section(doc: dict[str, Any], level: int = 3) -> str:
    """A recorded run as a section of the book's GPU-results page: its heading, the run in one line, its table."""
    heading = tr("Chapter 8's language model: {device}", device=doc["provenance"]["device"]["name"])
    return (f"{'#' * level} {heading}\n\n" + tr("{description}.", description=describe_run(doc))
            + f"\n\n{table_markdown(doc)}")


def table_markdown(doc: dict[str, Any]) -> str:
    """Per variant: size, held-out loss (mean ± std over seeds), rank, Table 1 (quoted), throughput, memory."""
    summaries = summarize(doc)
    ranked = [s.variant for s in ranking(summaries)]
    cuda = doc["provenance"]["device"]["type"] == "cuda"
    lines = [_header([*TABLE_HEAD, *([PEAK_MEMORY_HEAD] if cuda else [])]),
             "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if cuda else "")]
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
        return [tr("No run finished.")]
    ranked = ranking(summaries)
    out = [_baseline(doc, summaries)]
    if ranked[0].n < 2:
        out.append(tr("{best} has the lowest held-out loss ({loss:.4f}), but with one seed per variant nothing can be "
                      "said about the spread, so no ordering is resolved.", best=ranked[0].variant,
                      loss=ranked[0].mean))
        return out
    out += [_best_and_worst(ranked), *significance_sentences(doc)]  # t intervals, Welch and Holm (lm.stats)
    out += [curve_sentence(doc), _over_fitting(doc), _throughput(summaries), _peak_memory(summaries)]
    return [text for text in out if text is not None]


def _baseline(doc: dict[str, Any], summaries: list[VariantSummary]) -> str:
    base = doc["data"]["unigram_loss"]
    beat = sum(s.mean < base for s in summaries)
    if beat == len(summaries):
        return tr("Every variant's mean held-out loss is below the unigram baseline ({base:.3f} nats per "
                  "character).", base=base)
    return tr("Only {beat} of the {n} variants have a mean held-out loss below the unigram baseline ({base:.3f} nats "
              "per character).", beat=beat, n=len(summaries), base=base)


def _best_and_worst(ranked: list[VariantSummary]) -> str:
    best, worst = ranked[0], ranked[-1]
    return tr("{best} has the lowest mean held-out loss, {loss:.4f} nats per character (standard deviation {sd:.4f} "
              "over {n} seeds); {worst} the highest, {worst_loss:.4f}.",
              best=best.variant, loss=best.mean, sd=best.std, n=best.n, worst=worst.variant, worst_loss=worst.mean)


CURVES = {
    True: N_("The learning curves were scored on {curve:,} of the {val:,} held-out characters (evenly spread windows), "
             "the final losses on all of them: at the last step the curve reads {mean:+.4f} nats from the final loss "
             "on average over the {n} runs ({lo:+.4f} to {hi:+.4f}), so read the curves for their shape and the table "
             "for the numbers."),
    False: N_("The learning curves and the final losses were scored on the same {val:,} held-out characters, so each "
              "curve ends at its run's final loss (largest difference {largest:.1e} nats)."),
}


def curve_sentence(doc: dict[str, Any]) -> str:
    """What the learning curves were scored on, and how far their last point lies from the final loss (computed)."""
    off = curve_offset(doc)
    d = off["offsets"]
    return tr(CURVES[off["subset"]], curve=off["eval_tokens"], val=off["val_tokens"], mean=sum(d) / len(d),
              n=len(d), lo=min(d), hi=max(d), largest=max(abs(x) for x in d))


def over_fitting_sentence(doc: dict[str, Any]) -> str:
    """The learning-curve check for over-fitting: in how many runs the held-out loss was lowest at the end."""
    return _over_fitting(doc)


def _over_fitting(doc: dict[str, Any]) -> str:
    last_min, total = still_improving(doc)
    if last_min == total:
        return tr("In all {total} runs the held-out loss was at its lowest at the last evaluation (no sign of "
                  "over-fitting).", total=total)
    return tr("In {last_min} of {total} runs the held-out loss was at its lowest at the last evaluation: the others "
              "had passed their minimum, so they over-fit the training text before the end.",
              last_min=last_min, total=total)


def _extremes(summaries: list[VariantSummary], key: Any) -> tuple[VariantSummary, VariantSummary] | None:
    """The variants with the lowest and the highest ``key`` among those that have one; None for fewer than two."""
    have = [s for s in summaries if key(s)]
    if len(have) <= 1:
        return None
    return min(have, key=key), max(have, key=key)


THROUGHPUT = {
    False: N_("Throughput, training steps only: {fast} is fastest at {fast_rate} tokens/s and {slow} slowest at "
              "{slow_rate} tokens/s ({ratio:.2f}× as fast) at the same parameter count."),
    True: N_("Throughput, training steps only: {fast} is fastest at {fast_rate} tokens/s and {slow} slowest at "
             "{slow_rate} tokens/s ({ratio:.2f}× as fast) at the same parameter count, but their runs' rates overlap "
             "(from one seed to the next the machine's speed varied as much), so these runs cannot rank their speeds."),
}


def _throughput(summaries: list[VariantSummary]) -> str | None:
    extremes = _extremes(summaries, lambda s: s.tokens_per_s)
    if extremes is None:
        return None
    slow, fast = extremes
    overlap = len(fast.rates) > 1 and min(fast.rates) <= max(slow.rates)
    return tr(THROUGHPUT[overlap], fast=fast.variant, fast_rate=_fmt_rate(fast.tokens_per_s), slow=slow.variant,
              slow_rate=_fmt_rate(slow.tokens_per_s), ratio=fast.tokens_per_s / slow.tokens_per_s)


def _peak_memory(summaries: list[VariantSummary]) -> str | None:
    extremes = _extremes(summaries, lambda s: s.peak_memory_bytes)
    if extremes is None:
        return None
    lo, hi = extremes
    return tr("Peak memory ranges from {lo:.0f} MiB ({lo_name}) to {hi:.0f} MiB ({hi_name}).",
              lo=lo.peak_memory_bytes / 2**20, lo_name=lo.variant, hi=hi.peak_memory_bytes / 2**20, hi_name=hi.variant)


def markdown_report(doc: dict[str, Any]) -> str:
    """The report ``python -m ffn_lib.lm`` writes: the run, its table, every finding, the source of Table 1."""
    return (f"# ffn_lib.lm: {doc['provenance']['device']['name']}\n\n"
            + tr("{description}.", description=describe_run(doc)) + "\n\n"
            + tr("Generated from lm_results.json by `ffn_lib.lm.markdown_report` (rewrite it with `python -m ffn_lib.lm "
                 "--report <path to lm_results.json>`). Which differences are real is decided by Student's t intervals "
                 "paired by seed (the matched and family contrasts), Welch's t with Holm's correction over every pair, "
                 "and, beside it, Tukey's HSD on the one-way ANOVA's pooled variance, all from `ffn_lib.lm.stats`.")
            + f"\n\n{table_markdown(doc)}\n"
            + "\n".join(f"- {s}" for s in sentences(doc)) + "\n\n" + tr("Table 1: {source}.", source=tr(SHAZEER_2020))
            + "\n")


# --- The cost side: the recorded benchmark's whole blocks, matched pair by matched pair ----------------------


def block_costs(bench_run: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per matched pair (GEGLU-GELU, SwiGLU-Swish, ReGLU-ReLU): the recorded training step of each whole block.

    From the benchmark's ``block`` rows (forward+backward: the gradients of the input and every weight, the
    step's peak memory): ``time`` is the gated block's median over the plain block's, minus one, eager and
    fused; ``memory`` the same for peak memory; ``flops`` the gated block's FLOPs over the plain one's minus one
    (the widths are rounded, so not exactly zero). Empty without a run or without the rows.
    """
    from ..bench import row

    if bench_run is None:
        return []
    out = []
    names = dict.fromkeys(r["op"] for r in bench_run["results"] if r["group"] == "block" and r["op"] in VARIANTS)
    for gated, plain in stats.matched_pairs(list(names)):
        base = row(bench_run, "block", plain, "eager", "forward+backward")
        cells: dict[str, Any] = {"gated": gated, "plain": plain}
        for impl in ("eager", "fused"):
            r = row(bench_run, "block", gated, impl, "forward+backward")
            if base is None or r is None:
                continue
            cells[impl] = {"time": r["time"]["median"] / base["time"]["median"] - 1,
                           "memory": r["peak_memory"]["value"] / base["peak_memory"]["value"] - 1
                           if r.get("peak_memory") and base.get("peak_memory") else None,
                           "apart": r["time"]["q1"] > base["time"]["q3"] or r["time"]["q3"] < base["time"]["q1"]}
            cells["flops"] = r["flops"]["value"] / base["flops"]["value"] - 1
        if "eager" in cells:
            out.append(cells)
    return out


COST_HEAD = (N_("gated vs plain"), N_("step time, eager"), N_("step time, fused"), N_("peak memory, eager"),
             N_("peak memory, fused"), N_("loss change in the LM run (nats per character)"))


def cost_markdown(bench_run: dict[str, Any] | None, doc: dict[str, Any]) -> str:
    """One row per matched pair: the recorded step time and peak memory of the gated block over the plain one,
    eager and fused, next to the language-model run's loss gain for the same pair (paired by seed, 95% interval)."""
    costs = block_costs(bench_run)
    if not costs:
        return ""
    gains = {(t.gated, t.plain): t for t in stats.matched_tests(doc)}
    lines = [_header(list(COST_HEAD)), "|---|---:|---:|---:|---:|---:|"]

    def pct(cell: dict[str, Any] | None, key: str) -> str:
        return "–" if cell is None or cell.get(key) is None else f"{cell[key]:+.1%}"

    for c in costs:
        t = gains.get((c["gated"], c["plain"]))
        gain = "–" if t is None else tr("{mean:+.3f} ({lo:+.3f} to {hi:+.3f})", mean=t.contrast.mean,
                                        lo=t.contrast.interval[0], hi=t.contrast.interval[1])
        pair = tr("{gated} vs {plain}", gated=c["gated"], plain=c["plain"])
        lines.append(f"| {pair} | {pct(c.get('eager'), 'time')} | {pct(c.get('fused'), 'time')} "
                     f"| {pct(c.get('eager'), 'memory')} | {pct(c.get('fused'), 'memory')} | {gain} |")
    return "\n".join(lines) + "\n"


COST = N_("On the {device} (recorded benchmark of {date}: {tokens:,} tokens, d_model {d_model}, d_ff {plain_ff:,} "
          "plain and {gated_ff:,} gated, {dtype}), the gated block's training step takes {eager_lo:+.1%} to "
          "{eager_hi:+.1%} time against its ungated twin's in eager PyTorch and {fused_lo:+.1%} to {fused_hi:+.1%} "
          "with the fused kernel, at {flops:+.1%} FLOPs from the rounded widths; in the language-model run the same "
          "pairs' gated variants changed the held-out loss by {gain_lo:+.3f} to {gain_hi:+.3f} nats per character "
          "(matched mean {gain:+.3f}). The cost is measured on one block of d_model {d_model} and the loss in a model "
          "of d_model {lm_d}: they weigh the trade at two scales, and neither says how the other would change.")
COST_SHAPE = {
    True: N_("The benchmark's block rows: {tokens:,} tokens of d_model {d_model}, plain blocks {plain_ff:,} wide "
             "({ratio:g} × d_model) and gated blocks {gated_ff:,} wide, {model}'s width (quoted in chapter 6's "
             "table), in {dtype}."),
    False: N_("The benchmark's block rows: {tokens:,} tokens of d_model {d_model}, plain blocks {plain_ff:,} wide "
              "({ratio:g} × d_model) and gated blocks {gated_ff:,} wide, in {dtype}."),
}


def cost_shape_sentence(bench_run: dict[str, Any] | None) -> str | None:
    """The block rows' shape, read from the benchmark's configuration, and the released model of that gated width."""
    from ..released_models import RELEASED_MODELS

    if bench_run is None:
        return None
    cfg = bench_run["config"]
    same = [m.name for m in RELEASED_MODELS if (m.d_model, m.d_ff) == (cfg["d_model"], cfg["d_ff_gated"])]
    return tr(COST_SHAPE[bool(same)], tokens=cfg["tokens"], d_model=cfg["d_model"], plain_ff=cfg["d_ff_plain"],
              ratio=cfg["d_ff_plain"] / cfg["d_model"], gated_ff=cfg["d_ff_gated"], model=same[0] if same else "",
              dtype=cfg["dtype"])


COST_DRIFT = {
    True: N_("{order} Here {k} of the table's {n} step-time differences are under {drift:.0%} ({cells}): within that "
             "drift, so this run cannot tell them from no difference, and the others are uncertain by as much."),
    False: N_("{order} None of the table's {n} step-time differences is under {drift:.0%}, but each is uncertain "
              "by a few percent."),
}
COST_DRIFT_CELL = N_("{pair} {impl}, {time:+.1%}")


def cost_drift_sentence(bench_run: dict[str, Any] | None) -> str | None:
    """The block rows' timing order as an uncertainty on the cost table's step times: the page-independent
    sentence of :func:`ffn_lib.bench.report.block_order_sentence`, then which of the table's differences lie
    within :data:`ffn_lib.bench.report.DRIFT` (chapter 4's bound). None without block rows."""
    from ..bench.report import block_order_sentence
    from ..bench.report import DRIFT

    costs = block_costs(bench_run)
    if not costs:
        return None
    cells = [(tr("{gated} vs {plain}", gated=c["gated"], plain=c["plain"]), impl, c[impl]["time"])
             for c in costs for impl in ("eager", "fused") if impl in c]
    small = [tr(COST_DRIFT_CELL, pair=pair, impl=impl, time=t) for pair, impl, t in cells if abs(t) < DRIFT]
    return tr(COST_DRIFT[bool(small)], order=block_order_sentence(bench_run), k=len(small), n=len(cells),
              drift=DRIFT, cells=wording.clauses(small))


def cost_sentence(bench_run: dict[str, Any] | None, doc: dict[str, Any]) -> str | None:
    """The recorded GPU cost of the gated blocks against the plain ones, next to the loss they gain (generated)."""
    costs = [c for c in block_costs(bench_run) if "fused" in c]
    tests = {(t.gated, t.plain): t for t in stats.matched_tests(doc)}
    matched = stats.matched_contrast(doc)
    both = [c for c in costs if (c["gated"], c["plain"]) in tests]
    if not both or matched is None:
        return None
    eager = [c["eager"]["time"] for c in both]
    fused = [c["fused"]["time"] for c in both]
    gains = [tests[(c["gated"], c["plain"])].contrast.mean for c in both]
    cfg = bench_run["config"]
    return tr(COST, device=bench_run["provenance"]["device"]["name"], date=bench_run["provenance"]["date"][:10],
              tokens=cfg["tokens"], d_model=cfg["d_model"], plain_ff=cfg["d_ff_plain"], gated_ff=cfg["d_ff_gated"],
              dtype=cfg["dtype"], eager_lo=min(eager), eager_hi=max(eager), fused_lo=min(fused), fused_hi=max(fused),
              flops=both[0]["flops"], gain_lo=min(gains), gain_hi=max(gains), gain=matched.mean,
              lm_d=doc["config"]["model"]["d_model"])


# --- Does it pay? Steps saved against time per step -------------------------------------------------------------

PAY_ITEM = {
    False: N_("{g} reaches {p}'s final loss at step {step:.0f} ({seeds}; {frac:.0%} of the steps; {cost:+.1%} time "
              "per step fused, so {time:.0%} of the plain run's time)"),
    True: N_("{g}'s mean curve is down to {p}'s step-{last} curve value by step {step:.0f} ({seeds}; {frac:.0%} of "
             "the steps; {cost:+.1%} time per step fused, so {time:.0%} of the plain run's time)"),
}
# the crossing seed by seed, each gated seed against its own plain twin's last value: how far the mean's step spreads
PAY_SEEDS = {
    "all": N_("seed by seed, against each seed's own {p} curve, steps {lo:.0f} to {hi:.0f}"),
    "some": N_("seed by seed, against each seed's own {p} curve, {reached} of {n} seeds get there, at steps "
               "{lo:.0f} to {hi:.0f}"),
    "none": N_("seed by seed, against each seed's own {p} curve, none of the {n} seeds gets there"),
}
PAY_NEVER = {
    False: N_("{g} never reaches {p}'s final loss ({cost:+.1%} time per step fused)"),
    True: N_("{g}'s mean curve never gets down to {p}'s step-{last} curve value ({cost:+.1%} time per step fused)"),
}
PAY_SUBSET = N_("Both curves are scored on the same {windows:,} held-out characters, so each target is the plain "
                "twin's last curve value there, not its final loss on all {val:,} held-out characters, which the "
                "tables report.")
PAY = {
    "all": N_("Does it pay? In time to the same loss, the curves suggest it does here: {items}. By the mean curves "
              "the gate buys {save_lo:.0%} to {save_hi:.0%} fewer steps, and its step time changes by {fused_lo:+.1%} "
              "to {fused_hi:+.1%} with the fused kernel ({eager_lo:+.1%} to {eager_hi:+.1%} in eager PyTorch), from "
              "the recorded benchmark on the {device}."),
    "some": N_("Does it pay? In time to the same loss, the curves suggest it does only for some pairs: {items}. From "
               "the recorded benchmark on the {device}, a gated step's time changes by {fused_lo:+.1%} to "
               "{fused_hi:+.1%} with the fused kernel ({eager_lo:+.1%} to {eager_hi:+.1%} in eager PyTorch)."),
    "none": N_("Does it pay? In time to the same loss, the curves suggest it does not here: {items}. From the "
               "recorded benchmark on the {device}, a gated step's time changes by {fused_lo:+.1%} to {fused_hi:+.1%} "
               "with the fused kernel ({eager_lo:+.1%} to {eager_hi:+.1%} in eager PyTorch)."),
}
PAY_CAVEAT = N_("Two caveats. A step inside a cosine schedule is not the end of a shorter run: a run planned for "
                "fewer steps decays its learning rate sooner and usually ends lower than the longer run's curve at "
                "that step, so the step counts above are not those of a planned shorter run, and the saving is an "
                "estimate, not a measurement; the direct test is iso-time runs, the plain variant trained for "
                "about {iso:.2f} times the gated one's steps. And the cost is of one block of d_model {d_model} in "
                "the benchmark, not of this model's whole step, in which the FFN is only a part.")


def seed_steps_clause(c: stats.Catch) -> str:
    """How the crossing step spreads over the seeds (:attr:`ffn_lib.lm.stats.Catch.seed_steps`), as a clause."""
    reached = [s for s in c.seed_steps if s is not None]
    n = len(c.seed_steps)
    if not reached:
        return tr(PAY_SEEDS["none"], p=c.plain, n=n)
    key = "all" if len(reached) == n else "some"
    return tr(PAY_SEEDS[key], p=c.plain, lo=min(reached), hi=max(reached), reached=len(reached), n=n)


def pay_sentences(bench_run: dict[str, Any] | None, doc: dict[str, Any]) -> list[str]:
    """The title's question in one unit, time: the steps each gated model needs to reach its plain twin's final
    loss (:func:`ffn_lib.lm.stats.catch_up`, on the mean curves) against the recorded per-step time cost."""
    costs = {(c["gated"], c["plain"]): c for c in block_costs(bench_run) if "fused" in c}
    catches = [c for c in stats.catch_up(doc) if (c.gated, c.plain) in costs]
    if not catches:
        return []
    offset = curve_offset(doc)
    subset = bool(offset["subset"])
    last = stats._curves(doc)[0][-1]  # the last evaluated step, the plain curve's target
    items, pays, saves = [], [], []
    for c in catches:
        cost = costs[(c.gated, c.plain)]["fused"]["time"]
        if c.step is None:
            items.append(tr(PAY_NEVER[subset], g=c.gated, p=c.plain, cost=cost, last=last))
            pays.append(False)
            continue
        time = c.fraction * (1 + cost)
        items.append(tr(PAY_ITEM[subset], g=c.gated, p=c.plain, step=c.step, frac=c.fraction, cost=cost, time=time,
                        last=last, seeds=seed_steps_clause(c)))
        pays.append(time < 1)
        saves.append(1 - c.fraction)
    fused = [costs[(c.gated, c.plain)]["fused"]["time"] for c in catches]
    eager = [costs[(c.gated, c.plain)]["eager"]["time"] for c in catches]
    key = "all" if all(pays) else "some" if any(pays) else "none"
    facts = dict(items=wording.clauses(items), fused_lo=min(fused), fused_hi=max(fused), eager_lo=min(eager),
                 eager_hi=max(eager), device=bench_run["provenance"]["device"]["name"])
    if saves:
        facts.update(save_lo=min(saves), save_hi=max(saves))
    first = tr(PAY[key], **facts)
    if subset:
        first = wording.sentences([first, tr(PAY_SUBSET, windows=offset["eval_tokens"], val=offset["val_tokens"])])
    return [first, tr(PAY_CAVEAT, iso=1 + max(fused), d_model=bench_run["config"]["d_model"])]
