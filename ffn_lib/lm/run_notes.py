"""What a recorded run shared and read, in words: the text it read, its passes over it, and its throughput drift.

Every sentence is generated from the record (and the notes committed beside it), so the chapter's paragraph
under the recorded GPU run stays true for any run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


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
        return "Both runs read the same text (the same SHA-256)."
    return (f"The two runs read different versions of the text: the recorded run the `{data['name']}` of "
            f"Python {data['python']} ({data['chars']:,} characters, unigram baseline {data['unigram_loss']:.3f}), "
            f"this page's run that of Python {info['python']} ({info['chars']:,} characters, {baseline:.3f}). "
            "Their losses are not comparable digit for digit; each run compares its own variants.")


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


def drift_sentence(record: dict[str, Any]) -> str:
    """The notes' sentence on what the run shared, the throughput drift, and whether it can rank speeds."""
    text = ""
    found = notes_on(record)
    if found:
        text += f"The notes committed with the run ({found[0]}) say: “{found[1]}” "
    d = rate_drift(record)
    if d is not None:
        seeds, rates, worst = d["seeds"], d["rates"], d["worst"]
        text += (f"The runs went seed by seed through all {len(rates)} variants: the mean rate was "
                 f"{d['by_seed'][seeds[0]] / 1e3:.0f} k tokens/s over seed {seeds[0]}'s runs, the first, and "
                 f"{d['by_seed'][seeds[-1]] / 1e3:.0f} k over seed {seeds[-1]}'s, the last. One variant's rate changed "
                 f"by up to {d['swing'][worst]:.0%} from one seed to another ({worst}: "
                 f"{min(rates[worst].values()) / 1e3:.0f} k to {max(rates[worst].values()) / 1e3:.0f} k), against "
                 f"{d['between']:.0%} between the fastest and slowest variants' means: ")
        text += ("so these rates cannot rank the variants' speeds. " if d["swing"][worst] >= d["between"] else
                 "so the gap between variants is larger than that drift. ")
    return text + ("Peak memory is this process's own allocator count and does not depend on what else ran. "
                   "Chapter 7's recorded benchmark, which had the GPU to itself, measures what the FFN blocks cost.")


def recorded_notes(record: dict[str, Any], info: dict[str, Any], baseline: float) -> str:
    """The chapter's paragraphs under the recorded GPU run, as Markdown."""
    passes = record["config"]["tokens_per_run"] / record["data"]["train_tokens"]
    return "\n\n".join([text_sentence(record, info, baseline),
                        f"Each recorded run read {record['config']['tokens_per_run']:,} characters, {passes:.1f} "
                        "passes over its training text.",
                        drift_sentence(record)])
