"""Checking, reading, analysing and showing the experiment's results documents.

Recorded runs live in the course's ``results/`` folder, one folder per run::

    results/lm-<gpu>-<date>/      e.g. results/lm-h200-2026-11-26/
        lm_results.json           the document below (validated against schema.json before it is written)
        lm_results.md             the table and the generated sentences, for reading on GitHub
        lm_curves.png             the learning curves

The file name differs from the benchmark's ``results.json`` on purpose: each reader
(``ffn_lib.bench`` and this module) finds only its own documents.

A results document (``lm_results.json``) is what :func:`~ffn_lib.lm.experiment.run_experiment`
returns. :func:`validate` checks it against ``schema.json`` and then checks what a
schema cannot: every (variant, seed) pair run or skipped exactly once, parameter
counts within 1% across variants, curves of equal length ending at the last step.

The analysis never compares two numbers without their uncertainty. With ``n`` seeds
per variant, a variant's mean held-out loss has a standard error ``s / sqrt(n)``;
two variants are *resolved* (their order is more than seed-to-seed noise) when their
means differ by more than ``RESOLVE_K = 2`` combined standard errors
``sqrt(se_a^2 + se_b^2)`` (:class:`Pair`, a rough rule kept for its users). The sentences
use :mod:`ffn_lib.lm.stats` instead: t intervals, Welch's test and Holm's correction.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from ..bench.report import check_schema, default_results_dir
from ..variants import SHAZEER_2020, VARIANTS
from .stats import family_contrast, spearman  # spearman re-exported: it moved to lm.stats

RESOLVE_K = 2.0
MATCH_TOLERANCE = 0.01  # every variant's total parameters within 1% of every other's
RESULTS_FILE = "lm_results.json"
RESULTS_GLOB = f"lm-*/{RESULTS_FILE}"


# --- Checking ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(Path(__file__).with_name("schema.json").read_text())


def _consistency_problems(doc: dict[str, Any]) -> list[str]:
    """What a JSON schema cannot check."""
    problems = []
    config = doc["config"]
    variants, seeds = config["variants"], config["seeds"]
    grid = {(v, s) for v in variants for s in seeds}
    seen: dict[tuple[str, int], str] = {}
    for kind in ("runs", "skipped"):
        for r in doc[kind]:
            key = (r["variant"], r["seed"])
            if key not in grid:
                problems.append(f"{kind}: {key} is not in the configured variants x seeds")
            elif key in seen:
                problems.append(f"{kind}: {key} appears twice (also in {seen[key]})")
            seen[key] = kind
    missing = sorted(grid - seen.keys())
    if missing:
        problems.append(f"runs: {len(missing)} (variant, seed) pairs are neither run nor skipped, e.g. {missing[0]}")
    table = {p["variant"]: p for p in doc["params"]}
    if sorted(table) != sorted(variants):
        problems.append(f"params: lists {sorted(table)}, expected the configured variants {sorted(variants)}")
    counts = [p["params"] for p in doc["params"]]
    if counts and max(counts) > (1 + MATCH_TOLERANCE) * min(counts):
        problems.append(f"params: totals from {min(counts):,} to {max(counts):,} differ by more than "
                        f"{MATCH_TOLERANCE:.0%}: the variants are not parameter-matched")
    steps = config["train"]["steps"]
    for r in doc["runs"]:
        where = f"run {r['variant']} seed {r['seed']}"
        if r["variant"] in table and (r["params"], r["d_ff"]) != (table[r["variant"]]["params"],
                                                                  table[r["variant"]]["d_ff"]):
            problems.append(f"{where}: params/d_ff differ from the params table")
        n = len(r["curve_steps"])
        if not (len(r["curve_val_loss"]) == len(r["train_loss"]) == n):
            problems.append(f"{where}: curve_steps, curve_val_loss and train_loss differ in length")
        if any(b <= a for a, b in zip(r["curve_steps"], r["curve_steps"][1:])) or r["curve_steps"][-1] != steps:
            problems.append(f"{where}: curve_steps must increase and end at the last step ({steps})")
        if doc["provenance"]["device"]["type"] == "cuda" and r["peak_memory_bytes"] is None:
            problems.append(f"{where}: a CUDA run must record its peak memory")
    curves = {tuple(r["curve_steps"]) for r in doc["runs"]}
    if len(curves) > 1:
        problems.append("runs: the learning curves were evaluated at different steps")
    if doc["provenance"]["device"]["type"] == "cuda" and not doc["provenance"]["cuda"]:
        problems.append("provenance: a CUDA run must record the CUDA version")
    return problems


def validate(doc: Any, where: str = "results") -> dict[str, Any]:
    """Check a results document; ``ValueError`` says what is wrong and where."""
    check_schema(doc, schema(), where)
    problems = _consistency_problems(doc)
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    return doc


# --- Reading ------------------------------------------------------------------------------------------


def results_files(folder: str | Path | None = None) -> list[Path]:
    """Every ``results/lm-*/lm_results.json``."""
    folder = Path(folder) if folder is not None else default_results_dir()
    return sorted(folder.glob(RESULTS_GLOB)) if folder.is_dir() else []


def load_runs(folder: str | Path | None = None, *, device_type: str | None = None) -> list[dict[str, Any]]:
    """Every recorded experiment under ``folder``, oldest first; ``device_type="cuda"`` keeps GPU runs.

    Not validated on read (no jsonschema needed): validated when written, and every committed one by the tests.
    """
    docs = []
    for path in results_files(folder):
        doc = json.loads(path.read_text())
        if device_type is None or doc["provenance"]["device"]["type"] == device_type:
            docs.append({**doc, "path": str(path)})
    return sorted(docs, key=lambda d: d["provenance"]["date"])


# --- Analysis -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantSummary:
    variant: str
    gated: bool
    d_ff: int
    params: int
    losses: tuple[float, ...]  # final held-out loss of each seed, in seed order
    seeds: tuple[int, ...]
    tokens_per_s: float | None  # mean over seeds
    peak_memory_bytes: int | None  # largest over seeds
    rates: tuple[float, ...] = ()  # tokens/s of each seed

    @property
    def n(self) -> int:
        return len(self.losses)

    @property
    def mean(self) -> float:
        return float(np.mean(self.losses))

    @property
    def std(self) -> float:
        """Sample standard deviation over seeds (n - 1 in the denominator); NaN for one seed."""
        return float(np.std(self.losses, ddof=1)) if self.n > 1 else math.nan

    @property
    def sem(self) -> float:
        return self.std / math.sqrt(self.n)

    @property
    def table1(self) -> float:
        """Shazeer's held-out log-perplexity at 65,536 steps (quoted, Table 1)."""
        return VARIANTS[self.variant].log_perplexity_65k


def summarize(doc: dict[str, Any]) -> list[VariantSummary]:
    """One summary per variant that has runs, in the configured order."""
    table = {p["variant"]: p for p in doc["params"]}
    out = []
    for name in doc["config"]["variants"]:
        runs = sorted((r for r in doc["runs"] if r["variant"] == name), key=lambda r: r["seed"])
        if not runs:
            continue
        rates = [r["tokens_per_s"] for r in runs if r["tokens_per_s"] is not None]
        peaks = [r["peak_memory_bytes"] for r in runs if r["peak_memory_bytes"] is not None]
        out.append(VariantSummary(name, table[name]["gated"], table[name]["d_ff"], table[name]["params"],
                                  tuple(r["final_val_loss"] for r in runs), tuple(r["seed"] for r in runs),
                                  float(np.mean(rates)) if rates else None, max(peaks) if peaks else None,
                                  tuple(rates)))
    return out


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    diff: float  # mean(a) - mean(b)
    se: float  # sqrt(se_a^2 + se_b^2)

    @property
    def resolved(self) -> bool:
        """True when the gap exceeds RESOLVE_K combined standard errors (never with a single seed)."""
        return bool(np.isfinite(self.se) and abs(self.diff) > RESOLVE_K * self.se)


def pairwise(summaries: list[VariantSummary]) -> list[Pair]:
    """Every pair of variants: difference of means and its combined standard error."""
    return [Pair(a.variant, b.variant, a.mean - b.mean, math.hypot(a.sem, b.sem))
            for a, b in combinations(summaries, 2)]


def ranking(summaries: list[VariantSummary]) -> list[VariantSummary]:
    """Lowest mean held-out loss first."""
    return sorted(summaries, key=lambda s: s.mean)


def tied_with_best(summaries: list[VariantSummary]) -> list[str]:
    """The variants the runs cannot separate from the best one (the best included)."""
    ranked = ranking(summaries)
    best = ranked[0]
    return [s.variant for s in ranked
            if s is best or not Pair(s.variant, best.variant, s.mean - best.mean, math.hypot(s.sem, best.sem)).resolved]


def gated_minus_plain(doc: dict[str, Any]) -> tuple[float, float, int] | None:
    """Per seed: mean final loss of the gated variants minus that of the plain ones (same seed, same batches).

    Returns (mean over seeds, its standard error, number of seeds), or None without both families on two or
    more seeds; :func:`ffn_lib.lm.stats.family_contrast` adds the t interval.
    """
    fc = family_contrast(doc)
    return None if fc is None else (fc.mean, fc.se, fc.n)


def table1_agreement(summaries: list[VariantSummary]) -> dict[str, Any]:
    """How the runs' order compares with Table 1's (quoted): rank correlation, and the resolved pairs."""
    pairs = pairwise(summaries)
    quoted = {s.variant: s.table1 for s in summaries}
    resolved = [p for p in pairs if p.resolved]
    agree = [p for p in resolved if (p.diff < 0) == (quoted[p.a] < quoted[p.b])]
    disagree = [p for p in resolved if p not in agree]
    rho = spearman([s.mean for s in summaries], [s.table1 for s in summaries]) if len(summaries) > 1 else math.nan
    return {"spearman": rho, "pairs": len(pairs), "resolved": resolved, "agree": agree, "disagree": disagree}


def still_improving(doc: dict[str, Any]) -> tuple[int, int]:
    """(runs whose held-out loss was lowest at the last evaluation, all runs): over-fitting shows as the first < the second."""
    last_is_min = sum(r["curve_val_loss"][-1] <= min(r["curve_val_loss"]) + 1e-12 for r in doc["runs"])
    return last_is_min, len(doc["runs"])


# --- Words, tables and figures ------------------------------------------------------------------------------


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
    out = []
    base = doc["data"]["unigram_loss"]
    ranked = ranking(summaries)
    best, worst = ranked[0], ranked[-1]
    beat = sum(s.mean < base for s in summaries)
    out.append(f"Every variant's mean held-out loss is below the unigram baseline ({base:.3f} nats per character)."
               if beat == len(summaries) else
               f"Only {beat} of {len(summaries)} variants {_verb(beat, 'beats', 'beat')} the unigram baseline "
               f"({base:.3f} nats per character).")
    n = best.n
    if n < 2:
        out.append(f"{best.variant} has the lowest held-out loss ({best.mean:.4f}), but with one seed per variant "
                   "nothing can be said about the spread, so no ordering is resolved.")
        return out
    out.append(f"{best.variant} has the lowest mean held-out loss, {best.mean:.4f} nats per character (standard "
               f"deviation {best.std:.4f} over {n} seeds); {worst.variant} the highest, {worst.mean:.4f}.")
    from .verdict import significance_sentences  # t intervals, Welch and Holm (ffn_lib.lm.stats)

    out += significance_sentences(doc)
    last_min, total = still_improving(doc)
    out.append(f"In {'all ' if last_min == total else ''}{last_min} of {total} runs the held-out loss was at its "
               "lowest at the last evaluation" + (" (no sign of over-fitting)." if last_min == total else
                                                   ": the others had passed their minimum, so they over-fit the "
                                                   "training text before the end."))
    rated = [s for s in summaries if s.tokens_per_s]
    if len(rated) > 1:
        fast = max(rated, key=lambda s: s.tokens_per_s)
        slow = min(rated, key=lambda s: s.tokens_per_s)
        text = (f"Throughput, training steps only: {fast.variant} is fastest at {_fmt_rate(fast.tokens_per_s)} "
                f"tokens/s and {slow.variant} slowest at {_fmt_rate(slow.tokens_per_s)} tokens/s "
                f"({fast.tokens_per_s / slow.tokens_per_s:.2f}× as fast) at the same parameter count")
        if len(fast.rates) > 1 and min(fast.rates) <= max(slow.rates):
            text += (", but their runs' rates overlap (from one seed to the next the machine's speed varied as "
                     "much), so these runs cannot rank their speeds")
        out.append(text + ".")
    peaks = [s for s in summaries if s.peak_memory_bytes]
    if len(peaks) > 1:
        hi = max(peaks, key=lambda s: s.peak_memory_bytes)
        lo = min(peaks, key=lambda s: s.peak_memory_bytes)
        out.append(f"Peak memory ranges from {lo.peak_memory_bytes / 2**20:.0f} MiB ({lo.variant}) to "
                   f"{hi.peak_memory_bytes / 2**20:.0f} MiB ({hi.variant}).")
    return out


def markdown_report(doc: dict[str, Any]) -> str:
    return (f"# ffn_lib.lm: {doc['provenance']['device']['name']}\n\n{describe_run(doc)}.\n\n{table_markdown(doc)}\n"
            + "\n".join(f"- {s}" for s in sentences(doc)) + f"\n\nTable 1: {SHAZEER_2020}.\n")


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


def write_outputs(doc: dict[str, Any], out: str | Path) -> dict[str, Path]:
    """``lm_results.json``, ``lm_results.md`` and ``lm_curves.png`` in ``out``.

    The numbers are written first, then validated (:func:`ffn_lib.bench.report.validate_written`): an invalid
    document is kept as ``lm_results.invalid.json`` (not read by the chapter), and a ``ValueError`` says why.
    """
    import matplotlib.pyplot as plt

    from ..bench.report import validate_written

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / RESULTS_FILE, "md": out / "lm_results.md", "png": out / "lm_curves.png"}
    side = out / "lm_results.invalid.json"
    side.write_text(json.dumps(doc, indent=1) + "\n")  # a finished run's numbers are on disk before any check
    try:
        print(validate_written(doc, str(paths["json"]), validate))
    except ValueError as err:
        raise ValueError(f"{err} (the numbers are kept in {side})") from None
    side.replace(paths["json"])
    paths["md"].write_text(markdown_report(doc))
    ax = plot_curves(doc)
    ax.figure.savefig(paths["png"], metadata={"Software": None})
    plt.close(ax.figure)
    return paths


class Recorded:
    """The recorded GPU experiments, ready to show in the chapter; one short line when there is none."""

    def __init__(self, docs: list[dict[str, Any]]):
        self.docs = docs

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.docs[-1] if self.docs else None

    def _repr_markdown_(self) -> str:
        if not self.docs:
            return ("*No recorded GPU run of this experiment yet: the GPU-scale run is pending "
                    "(`python -m ffn_lib.lm --gpu --out results/lm-<gpu>-<date>`).*")
        doc = self.latest
        return (f"**Recorded GPU run:** {describe_run(doc)}.\n\n{table_markdown(doc)}\n"
                + "\n".join(f"- {s}" for s in sentences(doc)))

    def __str__(self) -> str:
        return self._repr_markdown_()


def recorded(folder: str | Path | None = None) -> Recorded:
    """Every recorded GPU experiment under ``results/lm-*/`` (validated)."""
    return Recorded(load_runs(folder, device_type="cuda"))
