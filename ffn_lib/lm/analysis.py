"""The experiment's per-variant summaries over seeds: mean, spread, rank, cost, and the learning curves' ends.

Which differences are real is :mod:`ffn_lib.lm.stats`'s business (Student's t, Welch, Holm); this module
only gathers each variant's numbers from a results document.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..variants import VARIANTS
from .stats import spearman  # noqa: F401 (re-exported: it lives in lm.stats)


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


def ranking(summaries: list[VariantSummary]) -> list[VariantSummary]:
    """Lowest mean held-out loss first."""
    return sorted(summaries, key=lambda s: s.mean)


def still_improving(doc: dict[str, Any]) -> tuple[int, int]:
    """(runs whose held-out loss was lowest at the last evaluation, all runs): over-fitting shows as the first < the second."""
    last_is_min = sum(r["curve_val_loss"][-1] <= min(r["curve_val_loss"]) + 1e-12 for r in doc["runs"])
    return last_is_min, len(doc["runs"])


def curve_offset(doc: dict[str, Any]) -> dict[str, Any]:
    """How far each run's last learning-curve point lies from its final loss on every held-out window.

    The curve is scored on ``config.train.eval_tokens`` held-out characters (evenly spread windows; ``None``:
    all of them), the final loss on all. Returns ``{"subset": bool, "eval_tokens", "val_tokens", "offsets"}``
    with ``offsets`` = last curve point minus final loss, one per run (all zero when the curve uses every window).
    """
    eval_tokens = doc["config"]["train"].get("eval_tokens")
    val_tokens, context = doc["data"]["val_tokens"], doc["config"]["model"]["context"]
    windows = (val_tokens - 1) // context
    subset = eval_tokens is not None and eval_tokens // context < windows
    offsets = [r["curve_val_loss"][-1] - r["final_val_loss"] for r in doc["runs"]]
    return {"subset": subset, "eval_tokens": (min(windows, eval_tokens // context) * context if subset
                                               else windows * context),
            "val_tokens": val_tokens, "offsets": offsets}
