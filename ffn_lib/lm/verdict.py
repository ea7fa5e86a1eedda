"""Which differences are real, in words: every sentence generated from a results document's numbers.

The statistics are :mod:`ffn_lib.lm.stats`'s: the seed-paired family contrast with a Student's t interval
first, then Welch's t test for every pair with Holm's correction over all pairs (Welch 1947; Satterthwaite
1946; Holm 1979). The wording says what three seeds can and cannot show: a pair that is not resolved is
not shown to be equal, only not shown to differ.
"""

from __future__ import annotations

from typing import Any

from ..variants import VARIANTS
from . import stats

T5_BASE_PARAMS = 220e6  # quoted: Raffel et al. (2020), T5-base, about 220 million parameters


def _names(items: list[str], conj: str = "and") -> str:
    if len(items) < 2:
        return items[0] if items else "no variant"
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def _pairs_word(n: int) -> str:
    return "pair" if n == 1 else "pairs"


def family_sentence(doc: dict[str, Any]) -> str | None:
    """The seed-paired contrast of the gated and plain families, with its t interval and what it means."""
    fc = stats.family_contrast(doc)
    if fc is None:
        return None
    lo, hi = fc.interval
    level = f"{fc.level:.0%}"
    word = "lower" if fc.mean < 0 else "higher"
    text = (f"Seed by seed, the gated variants' mean held-out loss is {abs(fc.mean):.4f} nats per character {word} "
            f"than the plain ones' ({level} interval {lo:+.4f} to {hi:+.4f}, a paired t interval over {fc.n} "
            f"seeds: {fc.df} degrees of freedom, t quantile {fc.quantile:.2f} rather than the normal 1.96; "
            f"p = {fc.p:.3f}): ")
    if fc.verdict == "cannot tell":
        text += "the interval includes zero, so this run cannot tell the two families apart."
    else:
        text += (f"the interval excludes zero, so at this scale the gated family "
                 f"{'does better' if fc.verdict == 'better' else 'does worse'}.")
    return text + (f" With {fc.n} seeds the interval is wide and rests on the per-seed differences being roughly "
                   "normal; it speaks for this model, data and recipe only.")


def pairs_sentences(doc: dict[str, Any], alpha: float = stats.ALPHA) -> list[str]:
    """How many of the pairs differ after Holm's correction, how many would without it, and the best's ties."""
    summaries = stats.samples(doc)
    tests = stats.pairwise_tests(summaries, alpha)
    if not tests or min(s.n for s in summaries) < 2:
        return []
    m = len(tests)
    holm = [t for t in tests if t.resolved]
    raw = sum(t.resolved_uncorrected for t in tests)
    dfs = [t.df for t in tests]
    out = [f"Of the {m} {_pairs_word(m)} of variants, {len(holm)} {'differs' if len(holm) == 1 else 'differ'} at "
           f"the {alpha:.0%} level after Holm's correction for {m} comparisons (Welch's t, {min(dfs):.1f} to "
           f"{max(dfs):.1f} degrees of freedom); without the correction, {raw} would. If no variant differed from any "
           f"other, about {alpha * m:.1f} of {m} would still pass an uncorrected {alpha:.0%} test by chance."]
    if max(dfs) - min(dfs) > 0.5:
        first = 1 - alpha / m / 2  # Holm's first step: p <= alpha / m, two-sided
        out.append(f"The degrees of freedom matter as much as t: Holm's first step, p ≤ {alpha:g}/{m}, needs |t| "
                   f"above {stats.t_quantile(first, min(dfs)):.1f} at {min(dfs):.1f} degrees of freedom but only "
                   f"above {stats.t_quantile(first, max(dfs)):.1f} at {max(dfs):.1f}, so a large t from two very "
                   "unequal spreads can fail where a smaller one passes.")
    if holm:
        shown = [f"{t.a if t.diff < 0 else t.b} ahead of {t.b if t.diff < 0 else t.a}"
                 for t in sorted(holm, key=lambda t: t.p_holm)]
        out.append(f"The resolved {_pairs_word(len(holm))}: {'; '.join(shown)}.")
    best = min(summaries, key=lambda s: s.mean)
    ties = [t.b if t.a == best.variant else t.a for t in tests
            if best.variant in (t.a, t.b) and not t.resolved]
    if ties:
        out.append(f"{_names(ties)} {'is' if len(ties) == 1 else 'are'} not resolved from the best, {best.variant}: "
                   f"not shown to be equal, only not shown to differ, since with {best.n} seeds a test detects only gaps "
                   "several times the seed-to-seed spread.")
    else:
        out.append(f"Every other variant is resolved from the best, {best.variant}.")
    return out


def table1_sentence(doc: dict[str, Any], alpha: float = stats.ALPHA) -> str | None:
    """The runs' order against Shazeer's Table 1 (quoted): rank correlation, and the Holm-resolved pairs."""
    summaries = stats.samples(doc)
    if len(summaries) < 3:
        return None
    quoted = {s.variant: s.table1 for s in summaries}
    rho = stats.spearman([s.mean for s in summaries], [s.table1 for s in summaries])
    text = f"Against Shazeer's Table 1 (65,536 steps, quoted), the rank correlation of the mean losses is {rho:+.2f}"
    resolved = [t for t in stats.pairwise_tests(summaries, alpha) if t.resolved] if min(s.n for s in summaries) > 1 else []
    if not resolved:
        return text + "; no pair is resolved, so the runs can neither confirm nor contradict its order."
    agree = [t for t in resolved if (t.diff < 0) == (quoted[t.a] < quoted[t.b])]
    flips = [f"{t.a if t.diff < 0 else t.b} ahead of {t.b if t.diff < 0 else t.a}" for t in resolved if t not in agree]
    text += (f"; of the {len(resolved)} resolved {_pairs_word(len(resolved))}, {len(agree)} "
             f"{'is' if len(agree) == 1 else 'are'} in Table 1's order")
    if flips:
        text += f" and {len(flips)} {'is' if len(flips) == 1 else 'are'} reversed ({'; '.join(flips[:4])})"
    return text + "."


def significance_sentences(doc: dict[str, Any], alpha: float = stats.ALPHA) -> list[str]:
    """The family contrast first, then the pairs, then Table 1: every sentence about which gaps are real."""
    out = [s for s in (family_sentence(doc),) if s]
    out += pairs_sentences(doc, alpha)
    t1 = table1_sentence(doc, alpha)
    return out + ([t1] if t1 else [])


def plain_spread(doc: dict[str, Any]) -> dict[str, Any] | None:
    """Range of the plain variants' mean losses in the run and in Table 1 (quoted), and their ratio."""
    plain = [s for s in stats.samples(doc) if not s.gated]
    if len(plain) < 2:
        return None
    lo, hi = min(plain, key=lambda s: s.mean), max(plain, key=lambda s: s.mean)
    quoted = [s.table1 for s in plain]
    run, table = hi.mean - lo.mean, max(quoted) - min(quoted)
    return {"low": lo, "high": hi, "run": run, "table1": table, "ratio": run / table if table else float("inf")}


def early_learning_sentence(doc: dict[str, Any]) -> str | None:
    """Why the plain family spreads more than in Table 1: a short run at one learning rate measures early speed."""
    spread = plain_spread(doc)
    if spread is None:
        return None
    train = doc["config"]["train"]
    lo, hi = spread["low"], spread["high"]
    text = (f"Within the plain family the mean losses span {spread['run']:.3f} nats ({lo.variant} {lo.mean:.3f} to "
            f"{hi.variant} {hi.mean:.3f}), {spread['ratio']:.1f}× Table 1's spread for the same variants "
            f"({spread['table1']:.3f}, quoted, at 65,536 steps). ")
    if spread["ratio"] > 2:
        text += (f"A run of {train['steps']:,} steps at one peak learning rate ({train['lr']:g}) for every variant "
                 "measures how fast each variant learns early in training under that recipe, not the loss it would "
                 "reach after long training, which is what Table 1 reports: a gap this large between activations "
                 "of one family is likely about speed, and need not persist.")
    else:
        text += "Here the plain variants spread about as much as in Table 1."
    return text


def verdict(doc: dict[str, Any]) -> str:
    """The chapter's verdict on the hypothesis for one run, generated from its numbers."""
    fc = stats.family_contrast(doc)
    runs = doc["runs"]
    lo_p, hi_p = min(r["params"] for r in runs), max(r["params"] for r in runs)
    fewer = float(f"{T5_BASE_PARAMS / runs[0]['params']:.2g}")  # two significant digits: "about"
    tail = (f"Its models have {lo_p:,} to {hi_p:,} parameters, about {fewer:,.0f} times fewer than T5-base, and its "
            f"runs took {doc['wall_s'] / len(runs):.1f} s each on average.")
    if fc is None:
        return "the run has too few seeds or variants for a family contrast. " + tail
    lo, hi = fc.interval
    word = {"better": "supports", "worse": "contradicts", "cannot tell": "neither supports nor contradicts"}[fc.verdict]
    text = (f"the gated family's held-out loss is {fc.mean:+.4f} nats per character relative to the plain family's "
            f"({fc.level:.0%} interval {lo:+.4f} to {hi:+.4f} over {fc.n} seeds), which **{word}** the hypothesis at "
            "this scale. ")
    summaries = stats.samples(doc)
    best_plain = min((s for s in summaries if not s.gated), key=lambda s: s.mean)
    behind = [s.variant for s in summaries if s.gated and s.mean > best_plain.mean]
    if behind:
        text += (f"Not every gated variant shares the family's result: {_names(behind)} ended above the best plain "
                 f"variant, {best_plain.variant}. ")
    return text + tail


def table1_gap_sentence() -> str:
    """Table 1's (quoted) gap between the best plain and the best gated variant, with its run-to-run spread."""
    best = {g: min(v.log_perplexity_65k for v in VARIANTS.values() if v.gated == g) for g in (True, False)}
    stds = [v.log_perplexity_65k_std for v in VARIANTS.values()]
    return (f"In Table 1 (quoted) the best plain variant trails the best gated one by {best[False] - best[True]:.3f} "
            f"at 65,536 steps, with standard deviations over runs of {min(stds):.3f} to {max(stds):.3f}.")
