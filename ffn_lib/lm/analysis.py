"""The experiment's analysis, with uncertainty: per-variant summaries over seeds, pairs, ranks, Table 1.

The analysis never compares two numbers without their uncertainty. With ``n`` seeds
per variant, a variant's mean held-out loss has a standard error ``s / sqrt(n)``;
two variants are *resolved* (their order is more than seed-to-seed noise) when their
means differ by more than ``RESOLVE_K = 2`` combined standard errors
``sqrt(se_a^2 + se_b^2)``. With 3 to 5 seeds this is a rough rule, not a formal
test; the chapter says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from ..variants import VARIANTS
from .stats import family_contrast, spearman  # noqa: F401 (spearman is re-exported: it lives in lm.stats)

RESOLVE_K = 2.0


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
