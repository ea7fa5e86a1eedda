"""What a recorded run shared and read, in words: the text it read, its passes over it, and its throughput drift.

Every sentence is generated from the record (and the notes committed beside it), so the chapter's paragraph
under the recorded GPU run stays true for any run. Each is one catalogue message with named fields
(:mod:`ffn_lib.i18n`); the notes' own sentence is quoted as written.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..i18n import N_, tr
from . import wording


def notes_on(record: dict[str, Any]) -> tuple[str, str] | None:
    """(the notes file, its sentence) from a committed ``RUN_NOTES.md`` that says what the record shared."""
    folder = Path(record["path"]).parent
    for notes in sorted(folder.parent.glob("*/RUN_NOTES.md")):
        for item in notes.read_text().split("\n- "):
            item = " ".join(item.split())
            if folder.name in item:
                found = [s for s in item.split(". ") if "shared" in s]
                if found:
                    return f"`{notes.relative_to(folder.parent.parent)}`", found[0].rstrip(".") + "."
    return None


def text_sentence(record: dict[str, Any], info: dict[str, Any], baseline: float) -> str:
    """Whether the recorded run read the same text as this page's run (``info``: ``Corpus.describe()``)."""
    data = record["data"]
    if data["sha256"] == info["sha256"]:
        return tr("Both runs read the same text (the same SHA-256).")
    return tr("The two runs read different versions of the text: the recorded run the `{name}` of Python {python} "
              "({chars:,} characters, unigram baseline {baseline:.3f}), this page's run that of Python {page_python} "
              "({page_chars:,} characters, {page_baseline:.3f}). Their losses are not comparable digit for digit; each "
              "run compares its own variants.", name=data["name"], python=data["python"],
              chars=data["chars"], baseline=data["unigram_loss"], page_python=info["python"],
              page_chars=info["chars"], page_baseline=baseline)


def corpus_lines(record: dict[str, Any], info: dict[str, Any], baseline: float) -> str:
    """The recorded run's text first, then this page's, and whether they differ, as Markdown lines."""
    data = record["data"]
    lines = [tr("The recorded run read {chars:,} characters, {vocab} distinct; train {train:,}, held out {val:,} "
                "(last {fraction:.0%} by position); Python {python}, sha256 {sha}...; unigram baseline {baseline:.3f} nats per "
                "character, uniform guessing {uniform:.3f}.", chars=data["chars"], vocab=data["vocab_size"],
                train=data["train_tokens"], val=data["val_tokens"], fraction=data["val_tokens"] / data["chars"],
                python=data["python"],
                sha=data["sha256"][:16], baseline=data["unigram_loss"], uniform=math.log(data["vocab_size"])),
             tr("This page's own run, on the machine that builds it, reads {chars:,} characters, {vocab} distinct; "
                "train {train:,}, held out {val:,}; Python {python}, sha256 {sha}...; unigram baseline "
                "{baseline:.3f}, uniform guessing {uniform:.3f}.", chars=info["chars"], vocab=info["vocab_size"],
                train=info["train_tokens"], val=info["val_tokens"], python=info["python"], sha=info["sha256"][:16],
                baseline=baseline, uniform=math.log(info["vocab_size"])),
             text_sentence(record, info, baseline)]
    return "\n\n".join(lines)


def rate_drift(record: dict[str, Any]) -> dict[str, Any] | None:
    """Tokens/s per variant and seed: the mean per seed, the largest swing of one variant, the gap between variants.

    ``swing`` is max/min - 1 over one variant's seeds; ``between`` is max/min - 1 of the variants' mean rates.
    None with fewer than two seeds.
    """
    rates: dict[str, dict[int, float]] = {}
    for r in record["runs"]:
        if r["tokens_per_s"] is not None:
            rates.setdefault(r["variant"], {})[r["seed"]] = r["tokens_per_s"]
    seeds = record["config"]["seeds"]
    swing = {name: max(v.values()) / min(v.values()) - 1 for name, v in rates.items() if len(v) > 1}
    if not swing or len(seeds) < 2:
        return None
    by_seed = {s: sum(v[s] for v in rates.values() if s in v) / sum(s in v for v in rates.values()) for s in seeds}
    means = {name: sum(v.values()) / len(v) for name, v in rates.items()}
    worst = max(swing, key=swing.get)
    return {"rates": rates, "seeds": seeds, "by_seed": by_seed, "swing": swing, "worst": worst,
            "between": max(means.values()) / min(means.values()) - 1}


DRIFT = {
    True: N_("The runs went seed by seed through all {variants} variants: the mean rate was {first_rate:.0f} k "
             "tokens/s over seed {first}'s runs, the first, and {last_rate:.0f} k over seed {last}'s, the last. One "
             "variant's rate changed by up to {swing:.0%} from one seed to another ({worst}: {worst_lo:.0f} k to "
             "{worst_hi:.0f} k), against {between:.0%} between the fastest and slowest variants' means: so these rates "
             "cannot rank the variants' speeds."),
    False: N_("The runs went seed by seed through all {variants} variants: the mean rate was {first_rate:.0f} k "
              "tokens/s over seed {first}'s runs, the first, and {last_rate:.0f} k over seed {last}'s, the last. One "
              "variant's rate changed by up to {swing:.0%} from one seed to another ({worst}: {worst_lo:.0f} k to "
              "{worst_hi:.0f} k), against {between:.0%} between the fastest and slowest variants' means: so the gap "
              "between variants is larger than that drift."),
}
OWN_MEMORY = N_("Peak memory is this process's own allocator count and does not depend on what else ran. Chapter 7's "
                "recorded benchmark, which had the GPU to itself, measures what the FFN blocks cost.")


def drift_sentence(record: dict[str, Any]) -> str:
    """The notes' sentence on what the run shared, the throughput drift, and whether it can rank speeds."""
    text = []
    found = notes_on(record)
    if found:
        text.append(tr("The notes committed with the run ({file}) say: “{quote}”", file=found[0], quote=found[1]))
    d = rate_drift(record)
    if d is not None:
        seeds, rates, worst = d["seeds"], d["rates"], d["worst"]
        text.append(tr(DRIFT[d["swing"][worst] >= d["between"]], variants=len(rates),
                       first_rate=d["by_seed"][seeds[0]] / 1e3, first=seeds[0],
                       last_rate=d["by_seed"][seeds[-1]] / 1e3, last=seeds[-1], swing=d["swing"][worst], worst=worst,
                       worst_lo=min(rates[worst].values()) / 1e3, worst_hi=max(rates[worst].values()) / 1e3,
                       between=d["between"]))
    return wording.sentences([*text, tr(OWN_MEMORY)])


def recorded_notes(record: dict[str, Any], info: dict[str, Any], baseline: float) -> str:
    """The chapter's paragraphs under the recorded GPU run, as Markdown."""
    passes = record["config"]["tokens_per_run"] / record["data"]["train_tokens"]
    return "\n\n".join([tr("Each recorded run read {chars:,} characters, {passes:.1f} passes over its training text.",
                           chars=record["config"]["tokens_per_run"], passes=passes),
                        drift_sentence(record)])
