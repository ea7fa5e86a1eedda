"""Which differences are real, in words: every sentence generated from a results document's numbers.

The statistics are :mod:`ffn_lib.lm.stats`'s, in the chapter's order: the matched contrast first (each gated
variant against the plain variant with its own activation, paired by seed, Student's t interval), each matched
pair with Holm's correction over the pairs, then the whole families, then Welch's t test for every pair with
Holm's correction over all pairs (Welch 1947; Satterthwaite 1946; Holm 1979). The wording says what three
seeds can and cannot show: a pair that is not resolved is not shown to be equal, only not shown to differ.

Each sentence is one catalogue message with named fields (:mod:`ffn_lib.i18n`: ``N_`` marks a constant,
``tr`` translates and formats it where it is used); a choice between wordings is a choice between whole
sentences, and lists are joined by :mod:`ffn_lib.lm.wording`.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

from ..i18n import N_, tr, translate_text
from ..variants import VARIANTS
from . import stats, wording

T5_BASE_PARAMS = 220e6  # quoted: Raffel et al. (2020), T5-base, about 220 million parameters


def _interval_facts(c: stats.SeedContrast) -> dict[str, Any]:
    lo, hi = c.interval
    return {"size": abs(c.mean), "mean": c.mean, "lo": lo, "hi": hi, "level": c.level, "n": c.n, "df": c.df,
            "q": c.quantile, "z": NormalDist().inv_cdf((1 + c.level) / 2), "p": c.p}


MATCHED = {
    "better": N_("Each gated variant against the plain variant with its own activation ({pairs}), on the same seed: "
                 "averaged over the {k} pairs, the gated variants' held-out loss is {size:.4f} nats per character "
                 "lower ({level:.0%} interval {lo:+.4f} to {hi:+.4f}; a paired t interval over {n} seeds, {df} degrees "
                 "of freedom, t quantile {q:.2f} rather than the normal {z:.2f}; p = {p:.3f}). The interval excludes "
                 "zero: at this scale and equal parameters, the gated block beats its ungated twin."),
    "worse": N_("Each gated variant against the plain variant with its own activation ({pairs}), on the same seed: "
                "averaged over the {k} pairs, the gated variants' held-out loss is {size:.4f} nats per character "
                "higher ({level:.0%} interval {lo:+.4f} to {hi:+.4f}; a paired t interval over {n} seeds, {df} degrees "
                "of freedom, t quantile {q:.2f} rather than the normal {z:.2f}; p = {p:.3f}). The interval excludes "
                "zero: at this scale and equal parameters, the gated block trails its ungated twin."),
    "cannot tell": N_("Each gated variant against the plain variant with its own activation ({pairs}), on the same "
                      "seed: averaged over the {k} pairs, the gated minus the plain held-out loss is {mean:+.4f} nats "
                      "per character ({level:.0%} interval {lo:+.4f} to {hi:+.4f}; a paired t interval over {n} seeds, "
                      "{df} degrees of freedom, t quantile {q:.2f} rather than the normal {z:.2f}; p = {p:.3f}). The "
                      "interval includes zero: this run cannot tell whether the gate helps."),
}


def matched_sentence(doc: dict[str, Any]) -> str | None:
    """The matched contrast (gated minus its own activation ungated, paired by seed) with its t interval."""
    c = stats.matched_contrast(doc)
    if c is None:
        return None
    pairs = wording.series(tr("{g} against {p}", g=g, p=p) for g, p in zip(c.gated, c.plain))
    return tr(MATCHED[c.verdict], pairs=pairs, k=len(c.gated), **_interval_facts(c))


PAIR_ITEM = {True: N_("{g} minus {p}: {mean:+.4f} ({lo:+.4f} to {hi:+.4f}; Holm-adjusted p = {q:.3f}, resolved)"),
             False: N_("{g} minus {p}: {mean:+.4f} ({lo:+.4f} to {hi:+.4f}; Holm-adjusted p = {q:.3f}, not resolved)")}
PAIRS_OF_MATCHED = {
    "all": N_("Pair by pair, each a paired t test over {n} seeds with Holm's correction over the {k} pairs, in nats "
              "per character with {level:.0%} intervals: {items}. All {k} pairs are resolved."),
    "some": N_("Pair by pair, each a paired t test over {n} seeds with Holm's correction over the {k} pairs, in nats "
               "per character with {level:.0%} intervals: {items}. {r} of the {k} pairs are resolved."),
    "none": N_("Pair by pair, each a paired t test over {n} seeds with Holm's correction over the {k} pairs, in nats "
               "per character with {level:.0%} intervals: {items}. No pair is resolved on its own."),
}


def matched_pairs_sentence(doc: dict[str, Any], alpha: float = stats.ALPHA) -> str | None:
    """Each matched pair on its own: its paired interval and Holm-adjusted p-value over the matched pairs."""
    tests = stats.matched_tests(doc, alpha)
    if not tests:
        return None
    items = []
    for t in tests:
        lo, hi = t.contrast.interval
        items.append(tr(PAIR_ITEM[t.resolved], g=t.gated, p=t.plain, mean=t.contrast.mean, lo=lo, hi=hi,
                        q=t.p_holm))
    r = sum(t.resolved for t in tests)
    key = "all" if r == len(tests) else "some" if r else "none"
    return tr(PAIRS_OF_MATCHED[key], n=tests[0].contrast.n, k=len(tests), level=1 - alpha,
              items=wording.clauses(items), r=r)


PAIRING_ITEM = N_("{a} and {b}: r = {r:+.2f}")
PAIRING_ITEM_FLAT = N_("{a} and {b}: r undefined (one arm's losses do not vary)")
PAIRING = {
    "wider": N_("Seed s fixes only the data order: a gated and a plain block have different widths, so the same seed "
                "draws unrelated initial weights for the two arms. Over the {n} seeds, the two arms' final losses "
                "correlate as follows (Pearson's r, which {n} values estimate only roughly): {items}. Pairing gains "
                "nothing here: the per-seed differences vary {lo:.2f} to {hi:.2f} times as much as two unpaired arms "
                "would, so the paired intervals are, if anything, the wider."),
    "mixed": N_("Seed s fixes only the data order: a gated and a plain block have different widths, so the same seed "
                "draws unrelated initial weights for the two arms. Over the {n} seeds, the two arms' final losses "
                "correlate as follows (Pearson's r, which {n} values estimate only roughly): {items}. The per-seed "
                "differences vary {lo:.2f} to {hi:.2f} times as much as two unpaired arms would: pairing narrows some "
                "intervals and widens others."),
    "narrower": N_("Seed s fixes only the data order: a gated and a plain block have different widths, so the same "
                   "seed draws unrelated initial weights for the two arms. Over the {n} seeds, the two arms' final "
                   "losses correlate as follows (Pearson's r, which {n} values estimate only roughly): {items}. "
                   "Pairing narrows the intervals: the per-seed differences vary only {lo:.2f} to {hi:.2f} times as "
                   "much as two unpaired arms would."),
}


def pairing_sentence(doc: dict[str, Any]) -> str | None:
    """What pairing by seed shares (the data order, not the initial weights) and what it gains, per matched pair."""
    found = [stats.seed_correlation(doc, g, p) for g, p in stats.matched_pairs(doc["config"]["variants"])]
    found = [f for f in found if f is not None]
    if not found:
        return None
    items = wording.clauses(tr(PAIRING_ITEM, a=f.a, b=f.b, r=f.r) if f.r is not None
                            else tr(PAIRING_ITEM_FLAT, a=f.a, b=f.b) for f in found)
    ratios = [f.ratio for f in found]
    key = "wider" if min(ratios) >= 1 else "narrower" if max(ratios) < 1 else "mixed"
    return tr(PAIRING[key], n=found[0].n, items=items, lo=min(ratios), hi=max(ratios))


FAMILY = {
    "better": N_("Over the whole families, each variant weighed equally within its own family (1/{ng} for each of the "
                 "{ng} gated variants, {gated}; 1/{np} for each of the {np} plain ones), the gated family's held-out "
                 "loss is {size:.4f} nats per character lower ({level:.0%} interval {lo:+.4f} to {hi:+.4f}, paired t "
                 "over {n} seeds, t quantile {q:.2f}; p = {p:.3f}): the interval excludes zero."),
    "worse": N_("Over the whole families, each variant weighed equally within its own family (1/{ng} for each of the "
                "{ng} gated variants, {gated}; 1/{np} for each of the {np} plain ones), the gated family's held-out "
                "loss is {size:.4f} nats per character higher ({level:.0%} interval {lo:+.4f} to {hi:+.4f}, paired t "
                "over {n} seeds, t quantile {q:.2f}; p = {p:.3f}): the interval excludes zero."),
    "cannot tell": N_("Over the whole families, each variant weighed equally within its own family (1/{ng} for each of "
                      "the {ng} gated variants, {gated}; 1/{np} for each of the {np} plain ones), the gated minus the "
                      "plain family's held-out loss is {mean:+.4f} nats per character ({level:.0%} interval {lo:+.4f} "
                      "to {hi:+.4f}, paired t over {n} seeds, t quantile {q:.2f}; p = {p:.3f}): the interval includes "
                      "zero, so this run cannot tell the two families apart."),
}


def family_sentence(doc: dict[str, Any]) -> str | None:
    """The seed-paired contrast of the whole gated and plain families, with its weighting and t interval."""
    c = stats.family_contrast(doc)
    if c is None:
        return None
    return tr(FAMILY[c.verdict], ng=len(c.gated), np=len(c.plain), gated=wording.names(c.gated),
              **_interval_facts(c))


PAIRS_COUNT = N_("Of the {m} pairs of variants, {holm} are resolved at the {alpha:.0%} level after Holm's correction "
                 "for {m} comparisons (Welch's t, {df_lo:.1f} to {df_hi:.1f} degrees of freedom); without the "
                 "correction, {raw} would be. If no variant differed from any other, about {chance:.1f} of {m} would "
                 "still pass an uncorrected {alpha:.0%} test by chance.")
PAIRS_DF = N_("The degrees of freedom matter as much as t: Holm's first step, p ≤ {alpha:g}/{m}, needs |t| above "
              "{t_lo:.1f} at {df_lo:.1f} degrees of freedom but only above {t_hi:.1f} at {df_hi:.1f}, so a large t "
              "from two very unequal spreads can fail where a smaller one passes.")
PAIRS_RESOLVED = N_("The resolved pairs, lower loss first: {items}.")
PAIR_AHEAD = N_("{low} ahead of {high}")
TIES = N_("Among the {m} pairs, not resolved from the best, {best}: {ties}. They are not shown to be equal, only not "
          "shown to differ: Welch's test estimates each pair's spread from its own {n} + {n} seeds, so at its few "
          "degrees of freedom it detects only gaps several times the seed-to-seed spread.")
NO_TIES = N_("Every other variant is resolved from the best, {best}.")


def _ahead(t: stats.PairTest) -> str:
    low, high = (t.a, t.b) if t.diff < 0 else (t.b, t.a)
    return tr(PAIR_AHEAD, low=low, high=high)


def pairs_sentences(doc: dict[str, Any], alpha: float = stats.ALPHA) -> list[str]:
    """How many of the pairs differ after Holm's correction, how many would without it, and the best's ties."""
    summaries = stats.samples(doc)
    if len(summaries) < 2 or min(s.n for s in summaries) < 2:
        return []
    tests = stats.pairwise_tests(summaries, alpha)
    m = len(tests)
    holm = [t for t in tests if t.resolved]
    dfs = [t.df for t in tests]
    out = [tr(PAIRS_COUNT, m=m, holm=len(holm), alpha=alpha, df_lo=min(dfs), df_hi=max(dfs),
              raw=sum(t.resolved_uncorrected for t in tests), chance=alpha * m)]
    if max(dfs) - min(dfs) > 0.5:
        first = 1 - alpha / m / 2  # Holm's first step: p <= alpha / m, two-sided
        out.append(tr(PAIRS_DF, alpha=alpha, m=m, df_lo=min(dfs), df_hi=max(dfs),
                      t_lo=stats.t_quantile(first, min(dfs)), t_hi=stats.t_quantile(first, max(dfs))))
    if holm:
        out.append(tr(PAIRS_RESOLVED, items=wording.clauses(_ahead(t) for t in sorted(holm, key=lambda t: t.p_holm))))
    best = min(summaries, key=lambda s: s.mean)
    ties = [t.b if t.a == best.variant else t.a for t in tests if best.variant in (t.a, t.b) and not t.resolved]
    out.append(tr(TIES, best=best.variant, ties=wording.names(ties), n=best.n, m=m) if ties
               else tr(NO_TIES, best=best.variant))
    return out


def table1_leaders(k: int = 2) -> list[str]:
    """The ``k`` variants with the lowest log-perplexity in Table 1 at 65,536 steps (quoted): GEGLU and SwiGLU."""
    return sorted(VARIANTS, key=lambda n: VARIANTS[n].log_perplexity_65k)[:k]


LEADERS = {
    True: N_("Table 1 puts {leaders} first. For a run to say they do best, each must be resolved (Welch's t, Holm over "
             "the {m} pairs) ahead of every other variant; here all {needed} of those comparisons are, so this run "
             "supports the claim."),
    False: N_("Table 1 puts {leaders} first. For a run to say they do best, each must be resolved (Welch's t, Holm "
              "over the {m} pairs) ahead of every other variant; here {missing} of those {needed} comparisons are not "
              "(for example {examples}), so this run does not single them out. Its top group by this test, the "
              "variants no other variant is resolved ahead of among the {m} pairs, is {top}."),
}
NOT_AHEAD = N_("{leader} over {other}")


def leaders_sentence(doc: dict[str, Any], alpha: float = stats.ALPHA) -> str | None:
    """Whether the run supports "Table 1's two best variants do best": Holm-resolved ahead of every other arm."""
    summaries = stats.samples(doc)
    names = [n for n in table1_leaders() if n in {s.variant for s in summaries}]
    if len(names) < 2 or len(summaries) < 3 or min(s.n for s in summaries) < 2:
        return None
    tests = stats.pairwise_tests(summaries, alpha)
    found = stats.leaders(tests, names)
    needed = len(names) * (len(summaries) - len(names))
    examples = wording.names(tr(NOT_AHEAD, leader=a, other=b) for a, b in found["unresolved"][:3])
    return tr(LEADERS[found["supported"]], leaders=wording.names(names), m=len(tests), needed=needed,
              missing=len(found["unresolved"]), examples=examples, top=wording.names(found["top"]))


RECONCILE_ITEM = N_("{g} minus {p}, p = {paired:.3f} paired and {welch:.3f} by Welch's t")
RECONCILE = {
    True: N_("The matched test above resolves {pairs}, which the test of all {m} pairs does not. The two do not "
             "contradict each other: they answer different questions with different power. The matched test asks "
             "the hypothesis's question, whether the gate alone lowers the loss, of the {k} pairs that change only "
             "the gate, so Holm's correction multiplies its smallest p-value by {k}; the map asks which of all {m} "
             "pairs of variants differ, so the same correction multiplies by up to {m}. Before any correction both "
             "tests find the gap ({items}): the size of the family is what differs. The verdict on the hypothesis "
             "rests on the matched test; \"not resolved\" and the top group here say only that the {m}-pair test "
             "cannot order those variants."),
    False: N_("The matched test above resolves {pairs}, which the test of all {m} pairs does not. The two do not "
              "contradict each other: they answer different questions with different power. The matched test asks "
              "the hypothesis's question, whether the gate alone lowers the loss, of the {k} pairs that change only "
              "the gate, so Holm's correction multiplies its smallest p-value by {k}; the map asks which of all {m} "
              "pairs of variants differ, so the same correction multiplies by up to {m}. Before any correction "
              "the two tests already differ ({items}): the paired test uses the per-seed differences, Welch's the two "
              "arms' spreads. The verdict on the hypothesis rests on the matched test; \"not resolved\" and the top "
              "group here say only that the {m}-pair test cannot order those variants."),
}


def reconcile_sentence(doc: dict[str, Any], alpha: float = stats.ALPHA) -> str | None:
    """Why a matched pair can be resolved by the matched test (Holm over K) but not among all pairs (Holm over m).

    None when the two tests agree on every matched pair.
    """
    summaries = stats.samples(doc)
    if len(summaries) < 3 or min(s.n for s in summaries) < 2:
        return None
    tests = stats.pairwise_tests(summaries, alpha)
    welch = {frozenset((t.a, t.b)): t for t in tests}
    matched = stats.matched_tests(doc, alpha)
    apart = [(t, welch[frozenset((t.gated, t.plain))]) for t in matched
             if t.resolved and not welch[frozenset((t.gated, t.plain))].resolved]
    if not apart:
        return None
    pairs = wording.names(tr("{g} minus {p}", g=t.gated, p=t.plain) for t, _ in apart)
    items = wording.clauses(tr(RECONCILE_ITEM, g=t.gated, p=t.plain, paired=t.contrast.p, welch=w.p)
                            for t, w in apart)
    both = all(w.resolved_uncorrected and t.contrast.p <= alpha for t, w in apart)
    return tr(RECONCILE[both], pairs=pairs, m=len(tests), k=len(matched), items=items)


TABLE1 = N_("Against Shazeer's Table 1 (65,536 steps, quoted), the rank correlation of the mean losses is "
            "{rho:+.2f}. Pair by pair, under each of the pairwise tests: {items}.")
TABLE1_NONE = N_("Against Shazeer's Table 1 (65,536 steps, quoted), the rank correlation of the mean losses is "
                 "{rho:+.2f}; no pair is resolved, so the runs can neither confirm nor contradict its order.")
TABLE1_TESTS = {"welch": N_("Welch's t with Holm's correction"), "tukey": N_("Tukey's HSD"),
                "games_howell": N_("Games–Howell")}
TABLE1_ITEM = {
    "none": N_("{test} resolves no pair"),
    "agree": N_("of the {r} pairs {test} resolves, all are in Table 1's order"),
    "mixed": N_("of the {r} pairs {test} resolves, {agree} are in Table 1's order and {flips} against it "
                "({examples})"),
}
# Why a variant may trail against Table 1 here: a hypothesis, named as one, never a finding of the run
TABLE1_WHY = {
    "GLU": N_("Why GLU trails here this run does not measure. A hypothesis: its sigmoid gate never closes, and for "
              "the two thirds of gate inputs within one standard deviation of zero at initialisation it stays "
              "between {lo:.2f} and {hi:.2f}, so early in training GLU's block is close to a linear map at about "
              "half the value path's scale; and the one learning rate every variant shares ({lr:g}) may suit it "
              "least. A learning-rate sweep per variant would test the second part."),
    "other": N_("Why {behind} trail here this run does not measure. One hypothesis: the one learning rate every "
                "variant shares ({lr:g}) may suit them least; a learning-rate sweep per variant would test it."),
}


def table1_orders(doc: dict[str, Any], alpha: float = stats.ALPHA) -> dict[str, stats.Table1Order]:
    """Each pairwise test's resolved pairs split by Table 1's order (:func:`ffn_lib.lm.stats.table1_order`):
    Welch's t with Holm's correction, Tukey's HSD and Games–Howell, the three the chapter uses. Empty with fewer
    than three variants or under two seeds."""
    summaries = stats.samples(doc)
    if len(summaries) < 3 or min(s.n for s in summaries) < 2:
        return {}
    quoted = {s.variant: s.table1 for s in summaries}
    return {"welch": stats.table1_order(stats.pairwise_tests(summaries, alpha), quoted),
            "tukey": stats.table1_order(stats.tukey_hsd(summaries, alpha), quoted),
            "games_howell": stats.table1_order(stats.games_howell(summaries, alpha), quoted)}


def _order_item(test: str, order: stats.Table1Order) -> str:
    key = "none" if not order.resolved else "agree" if not order.against else "mixed"
    examples = wording.names(tr(PAIR_AHEAD, low=a, high=b) for a, b in order.against)
    return tr(TABLE1_ITEM[key], test=tr(TABLE1_TESTS[test]), r=order.resolved, agree=len(order.agree),
              flips=len(order.against), examples=examples)


def table1_why_sentence(doc: dict[str, Any], alpha: float = stats.ALPHA) -> str | None:
    """One hedged sentence on why the variants that some test resolves against Table 1's order may trail: marked
    as a hypothesis, since the run measures no mechanism. None when no test resolves a pair against Table 1."""
    orders = table1_orders(doc, alpha)
    behind = list(dict.fromkeys(b for o in orders.values() for _, b in o.against))
    if not behind:
        return None
    lr = doc["config"]["train"]["lr"]
    if behind == ["GLU"]:
        return tr(TABLE1_WHY["GLU"], lr=lr, lo=1 / (1 + math.exp(1)), hi=1 / (1 + math.exp(-1)))  # sigmoid(-1), (1)
    return tr(TABLE1_WHY["other"], behind=wording.names(behind), lr=lr)


RANK_P = {
    True: N_("With {n} variants that correlation has an exact permutation p-value of {p:.3f} (two-sided, over all "
             "{perms:,} orderings): an order this close to Table 1's would arise by chance in {p:.1%} of them, so the "
             "agreement is unlikely to be luck, though with {n} points the correlation itself is uncertain."),
    False: N_("With {n} variants that correlation has an exact permutation p-value of {p:.3f} (two-sided, over all "
              "{perms:,} orderings): an order at least this close to Table 1's would arise by chance in {p:.1%} of "
              "them, so at the {alpha:.0%} level the run does not show that it follows Table 1's order."),
}


def table1_sentence(doc: dict[str, Any], alpha: float = stats.ALPHA) -> str | None:
    """The runs' order against Shazeer's Table 1 (quoted): rank correlation, then, for each pairwise test the
    chapter uses (:func:`table1_orders`), how many of its resolved pairs are in Table 1's order and which reverse
    it, and the correlation's exact permutation p-value."""
    summaries = stats.samples(doc)
    if len(summaries) < 3:
        return None
    rho = stats.spearman([s.mean for s in summaries], [s.table1 for s in summaries])
    orders = table1_orders(doc, alpha)
    if not any(o.resolved for o in orders.values()):
        text = tr(TABLE1_NONE, rho=rho)
    else:
        text = tr(TABLE1, rho=rho, items=wording.clauses(_order_item(k, o) for k, o in orders.items()))
    n = len(summaries)
    if n > 9:
        return text
    p = stats.spearman_permutation_p([s.mean for s in summaries], [s.table1 for s in summaries])
    return wording.sentences([text, tr(RANK_P[p <= alpha], n=n, perms=math.factorial(n), p=p, alpha=alpha)])


def significance_sentences(doc: dict[str, Any], alpha: float = stats.ALPHA) -> list[str]:
    """The matched contrast first (paired, unpaired, along training), then the families, every pair (Welch and
    Holm), the leaders, the pooled view (ANOVA, Tukey) and Table 1."""
    out = [matched_sentence(doc), matched_pairs_sentence(doc, alpha), pairing_sentence(doc),
           pooled_matched_sentence(doc), curve_contrast_sentence(doc), family_sentence(doc)]
    out += pairs_sentences(doc, alpha)
    out += [leaders_sentence(doc, alpha), reconcile_sentence(doc, alpha), *pooled_sentences(doc, alpha),
            table1_sentence(doc, alpha), table1_why_sentence(doc, alpha)]
    return [s for s in out if s]


def table1_matched_gain() -> float:
    """Table 1's (quoted) matched gain: the mean over GEGLU-GELU, SwiGLU-Swish and ReGLU-ReLU at 65,536 steps."""
    pairs = stats.matched_pairs(list(VARIANTS))
    return sum(VARIANTS[g].log_perplexity_65k - VARIANTS[p].log_perplexity_65k for g, p in pairs) / len(pairs)


def plain_spread(doc: dict[str, Any]) -> dict[str, Any] | None:
    """Range of the plain variants' mean losses in the run and in Table 1 (quoted), each against its own gate gain.

    The run's loss is in nats per character, Table 1's in nats per SentencePiece token, so the two ranges are
    not compared directly. Each is divided by the matched gate gain of its own source (the mean of gated minus
    plain over the pairs that share an activation), a ratio without units: ``rel_run``, ``rel_table1``, and
    ``relative`` = rel_run / rel_table1. The relative keys are None when either gain is not a gain (not below zero).
    """
    plain = [s for s in stats.samples(doc) if not s.gated]
    if len(plain) < 2:
        return None
    lo, hi = min(plain, key=lambda s: s.mean), max(plain, key=lambda s: s.mean)
    quoted = [s.table1 for s in plain]
    run, table = hi.mean - lo.mean, max(quoted) - min(quoted)
    matched = stats.matched_contrast(doc)
    gain_run, gain_table1 = (matched.mean if matched is not None else None), table1_matched_gain()
    rel_run = run / -gain_run if gain_run is not None and gain_run < 0 else None
    rel_table1 = table / -gain_table1 if gain_table1 < 0 else None
    relative = rel_run / rel_table1 if rel_run is not None and rel_table1 else None
    return {"low": lo, "high": hi, "run": run, "table1": table, "gain_run": gain_run, "gain_table1": gain_table1,
            "rel_run": rel_run, "rel_table1": rel_table1, "relative": relative}


EARLY = {
    True: N_("Within the plain family the mean losses span {run:.3f} nats per character here ({lo} {lo_mean:.3f} to "
             "{hi} {hi_mean:.3f}) and {table1:.3f} nats per SentencePiece token in Table 1 (quoted, 65,536 steps). "
             "The units differ, so the two spans cannot be set against each other directly; each can be set against "
             "the gate's matched gain in its own units. Here the plain span is {rel_run:.2f} times the matched gain "
             "({gain_run:.3f}), in Table 1 {rel_table1:.2f} times ({gain_table1:.3f}): relative to the gate, the "
             "activations spread {relative:.1f} times as much in this run. A run of {steps:,} steps at one peak "
             "learning rate ({lr:g}) for every variant measures how fast each variant learns early in training "
             "under that recipe, not the loss it would reach after long training, which is what Table 1 reports: a "
             "gap this large between activations of one family is likely about speed, and need not persist."),
    False: N_("Within the plain family the mean losses span {run:.3f} nats per character here ({lo} {lo_mean:.3f} to "
              "{hi} {hi_mean:.3f}) and {table1:.3f} nats per SentencePiece token in Table 1 (quoted, 65,536 steps). "
              "The units differ, so the two spans cannot be set against each other directly; each can be set "
              "against the gate's matched gain in its own units. Here the plain span is {rel_run:.2f} times the "
              "matched gain ({gain_run:.3f}), in Table 1 {rel_table1:.2f} times ({gain_table1:.3f}): relative to "
              "the gate, the plain variants spread about as much as in Table 1."),
}
EARLY_UNITS = N_("Within the plain family the mean losses span {run:.3f} nats per character here ({lo} {lo_mean:.3f} "
                 "to {hi} {hi_mean:.3f}) and {table1:.3f} nats per SentencePiece token in Table 1 (quoted, 65,536 "
                 "steps). The units differ, so the two spans cannot be compared, and without a gate gain in this run "
                 "there is nothing in its own units to set its span against.")


def early_learning_sentence(doc: dict[str, Any]) -> str | None:
    """Why the plain family spreads more than in Table 1, each span against its own source's gate gain."""
    spread = plain_spread(doc)
    if spread is None:
        return None
    train = doc["config"]["train"]
    lo, hi = spread["low"], spread["high"]
    facts = dict(run=spread["run"], lo=lo.variant, lo_mean=lo.mean, hi=hi.variant, hi_mean=hi.mean,
                 table1=spread["table1"])
    if spread["relative"] is None:
        return tr(EARLY_UNITS, **facts)
    return tr(EARLY[spread["relative"] > 2], rel_run=spread["rel_run"], rel_table1=spread["rel_table1"],
              gain_run=-spread["gain_run"], gain_table1=-spread["gain_table1"], relative=spread["relative"],
              steps=train["steps"], lr=train["lr"], **facts)


VERDICT = {
    "better": N_("On the {where} ({device}), after {steps:,} steps at one shared learning rate ({lr:g}), the gated "
                 "variants' held-out loss, each against its own activation ungated and paired by seed, is {mean:+.4f} "
                 "nats per character ({level:.0%} interval {lo:+.4f} to {hi:+.4f} over {n} seeds), which **supports** "
                 "the hypothesis at this scale and this training length."),
    "worse": N_("On the {where} ({device}), after {steps:,} steps at one shared learning rate ({lr:g}), the gated "
                "variants' held-out loss, each against its own activation ungated and paired by seed, is {mean:+.4f} "
                "nats per character ({level:.0%} interval {lo:+.4f} to {hi:+.4f} over {n} seeds), which "
                "**contradicts** the hypothesis at this scale and this training length."),
    "cannot tell": N_("On the {where} ({device}), after {steps:,} steps at one shared learning rate ({lr:g}), the "
                      "gated variants' held-out loss, each against its own activation ungated and paired by seed, is "
                      "{mean:+.4f} nats per character ({level:.0%} interval {lo:+.4f} to {hi:+.4f} over {n} seeds), "
                      "which **neither supports nor contradicts** the hypothesis at this scale and this training "
                      "length."),
}
BEHIND = N_("Not every gated variant shares that result: {behind} ended above the best plain variant, {best_plain}.")
BEHIND_LAST = N_("Not every gated variant shares that result: {behind} ended above the best plain variant, "
                 "{best_plain}, and {last} finished last of all {n} variants.")
BEHIND_ONLY_LAST = N_("Not every gated variant shares that result: {last} ended above the best plain variant, "
                      "{best_plain}, and finished last of all {n} variants.")
SCOPE = N_("The verdict rests on the matched test, the one that changes only the gate; the test of all {m} pairs "
           "answers another question, which variants differ, and with its correction for {m} comparisons it leaves "
           "{open} of the {k} matched pairs unresolved, which shows its lower power, not a contrary result.")
SIZE = N_("Its models have {lo:,} to {hi:,} parameters, about {fewer:,.0f} times fewer than T5-base, and its runs took "
          "{each:.1f} s each on average.")
NO_CONTRAST = N_("The {where} ({device}) has too few seeds or no matched pair, so it cannot test the hypothesis.")


RECORDED_RUN = N_("recorded GPU run")


def verdict(doc: dict[str, Any], where: str = RECORDED_RUN) -> str:
    """The chapter's verdict on the hypothesis for one run, from its matched contrast, as whole sentences.

    ``where`` names the run ("recorded GPU run"); a catalogue message is translated, any other name kept.
    """
    c = stats.matched_contrast(doc)
    where = translate_text(where)
    runs = doc["runs"]
    device = doc["provenance"]["device"]["name"]
    lo_p, hi_p = min(r["params"] for r in runs), max(r["params"] for r in runs)
    size = tr(SIZE, lo=lo_p, hi=hi_p, fewer=float(f"{T5_BASE_PARAMS / runs[0]['params']:.2g}"),
              each=doc["wall_s"] / len(runs))
    if c is None:
        return wording.sentences([tr(NO_CONTRAST, where=where, device=device), size])
    lo, hi = c.interval
    train = doc["config"]["train"]
    text = [tr(VERDICT[c.verdict], where=where, device=device, mean=c.mean, level=c.level, lo=lo, hi=hi, n=c.n,
               steps=train["steps"], lr=train["lr"])]
    summaries = stats.samples(doc)
    if c.verdict != "cannot tell" and len(summaries) > 2 and min(s.n for s in summaries) > 1:
        welch = {frozenset((t.a, t.b)): t for t in stats.pairwise_tests(summaries)}
        matched = stats.matched_tests(doc)
        still = [t for t in matched if t.resolved and not welch[frozenset((t.gated, t.plain))].resolved]
        if still:
            text.append(tr(SCOPE, m=len(welch), open=len(still), k=len(matched)))
    plain = [s for s in summaries if not s.gated]
    if plain:
        best_plain = min(plain, key=lambda s: s.mean)
        behind = [s.variant for s in summaries if s.gated and s.mean > best_plain.mean]
        last = max(summaries, key=lambda s: s.mean)
        if behind == [last.variant]:
            text.append(tr(BEHIND_ONLY_LAST, best_plain=best_plain.variant, last=last.variant, n=len(summaries)))
        elif behind and last.variant in behind:
            text.append(tr(BEHIND_LAST, behind=wording.names(behind), best_plain=best_plain.variant,
                           last=last.variant, n=len(summaries)))
        elif behind:
            text.append(tr(BEHIND, behind=wording.names(behind), best_plain=best_plain.variant))
    return wording.sentences([*text, size])


def table1_gap_sentence() -> str:
    """Table 1's (quoted) gap between the best plain and the best gated variant, in its own unit and spread."""
    best = {g: min(v.log_perplexity_65k for v in VARIANTS.values() if v.gated == g) for g in (True, False)}
    stds = [v.log_perplexity_65k_std for v in VARIANTS.values()]
    return tr("In Table 1 (quoted) the best plain variant trails the best gated one by {gap:.3f} nats per "
              "SentencePiece token at 65,536 steps, with standard deviations over runs of {lo:.3f} to {hi:.3f}. "
              "This run's losses are in nats per character, so its gaps and Table 1's cannot be compared in size; "
              "what can be compared is their sign and the order of the variants, as above.",
              gap=best[False] - best[True], lo=min(stds), hi=max(stds))


DEMO = {
    "better": N_("This page's run trained {variants} with {n} seeds for {steps} steps each ({runs} runs, {wall:.0f} s "
                 "on {device}): the recorded run's code and statistics at a size one CPU thread trains in seconds. Its "
                 "one matched pair, {g} minus {p}, is {mean:+.4f} nats per character ({level:.0%} interval {lo:+.4f} "
                 "to {hi:+.4f}, paired over {n} seeds), an interval below zero. It does not test the other {others} "
                 "variants, and {steps} steps of a model of {params:,} parameters measure only the start of training, "
                 "so it neither confirms nor contradicts the recorded run."),
    "worse": N_("This page's run trained {variants} with {n} seeds for {steps} steps each ({runs} runs, {wall:.0f} s "
                "on {device}): the recorded run's code and statistics at a size one CPU thread trains in seconds. Its "
                "one matched pair, {g} minus {p}, is {mean:+.4f} nats per character ({level:.0%} interval {lo:+.4f} to "
                "{hi:+.4f}, paired over {n} seeds), an interval above zero. It does not test the other {others} "
                "variants, and {steps} steps of a model of {params:,} parameters measure only the start of training, "
                "so it neither confirms nor contradicts the recorded run."),
    "cannot tell": N_("This page's run trained {variants} with {n} seeds for {steps} steps each ({runs} runs, "
                      "{wall:.0f} s on {device}): the recorded run's code and statistics at a size one CPU thread "
                      "trains in seconds. Its one matched pair, {g} minus {p}, is {mean:+.4f} nats per character "
                      "({level:.0%} interval {lo:+.4f} to {hi:+.4f}, paired over {n} seeds): the interval includes "
                      "zero, so this short run cannot tell the two apart. It does not test the other {others} "
                      "variants, and {steps} steps of a model of {params:,} parameters measure only the start of "
                      "training, so it neither confirms nor contradicts the recorded run."),
}
DEMO_NO_PAIR = N_("This page's run trained {variants} with {n} seeds for {steps} steps each ({runs} runs, {wall:.0f} s "
                  "on {device}); it has no matched pair on two or more seeds, so it tests nothing: it shows the "
                  "pipeline running.")
FULL = N_("To run the whole experiment yourself: `python -m ffn_lib.lm` trains all {variants} variants with {seeds} "
          "seeds for {steps} steps each on a CPU, {runs} runs, about {minutes:.1f} minutes at this page's pace; "
          "`python -m ffn_lib.lm --gpu --out results/lm-<gpu>-<date>` records the GPU run, estimated at {gpu_s:.0f} s "
          "on one H100 or H200.")


def demo_sentence(doc: dict[str, Any]) -> str:
    """What this page's short run does and does not resolve, generated from its own numbers."""
    cfg, runs = doc["config"], doc["runs"]
    facts = {"variants": wording.names(cfg["variants"]), "n": len(cfg["seeds"]), "steps": cfg["train"]["steps"],
             "runs": len(runs), "wall": doc["wall_s"], "device": doc["provenance"]["device"]["name"]}
    tests = stats.matched_tests(doc)
    if not tests:
        return tr(DEMO_NO_PAIR, **facts)
    c = tests[0].contrast
    lo, hi = c.interval
    return tr(DEMO[c.verdict], g=c.gated[0], p=c.plain[0], mean=c.mean, level=c.level, lo=lo, hi=hi,
              others=len(VARIANTS) - len(cfg["variants"]), params=runs[0]["params"], **facts)


def full_run_sentence(doc: dict[str, Any], vocab_size: int) -> str:
    """The one line that runs the full CPU experiment, timed from this page's run, and the one for the GPU."""
    from .experiment import CPU, GPU, estimate_seconds

    cfg = doc["config"]
    per_step = doc["wall_s"] / (len(doc["runs"]) * cfg["train"]["steps"])
    runs = len(CPU.variants) * len(CPU.seeds)
    return tr(FULL, variants=len(CPU.variants), seeds=len(CPU.seeds), steps=CPU.train.steps, runs=runs,
              minutes=per_step * runs * CPU.train.steps / 60,
              gpu_s=estimate_seconds(GPU, vocab_size, len(GPU.variants) * len(GPU.seeds), "cuda"))


# --- The pooled view: one variance for every variant ----------------------------------------------------------

POOLED = {
    False: N_("If every variant has the same seed-to-seed variance, one estimate serves them all: the one-way "
              "analysis of variance pools the {N} runs' deviations from their own variant's mean, s_pooled = "
              "{s:.4f} nats per character at {df} degrees of freedom (t quantile {q:.2f}). The data do not reject "
              "equal variances (Brown–Forsythe test p = {bf:.2f}, Levene's test with means p = {lev:.2f}), but "
              "with {n} seeds per variant neither test has much power: the variants' standard deviations range "
              "from {sd_lo:.4f} to {sd_hi:.4f}, a factor of {ratio:.0f} that {n} seeds cannot tell from chance."),
    True: N_("If every variant has the same seed-to-seed variance, one estimate serves them all: the one-way "
             "analysis of variance pools the {N} runs' deviations from their own variant's mean, s_pooled = "
             "{s:.4f} nats per character at {df} degrees of freedom (t quantile {q:.2f}). Here the data speak "
             "against equal variances (Brown–Forsythe test p = {bf:.2f}, Levene's test with means p = {lev:.2f}; "
             "standard deviations {sd_lo:.4f} to {sd_hi:.4f}), so the pooled analysis below rests on an assumption "
             "this run doubts."),
}
# with an odd number of seeds the median is one of the values: a structural zero deviation in every group
BROWN_FORSYTHE_WEAK = N_("Brown–Forsythe's test is the weaker of the two here: with {n} seeds each variant's median "
                         "is one of its own {n} losses, so one of its {n} deviations is zero by construction, and its "
                         "p = {bf:.2f} is no reassurance that the spreads are equal.")
TUKEY = N_("Tukey's honestly significant difference with that pooled variance compares each gap, divided by "
           "s_pooled/√{n}, with the studentized range of {k} means, q(0.95; {k}, {df}) = {q:.2f}, and resolves {tukey} "
           "of the {m} pairs at family-wise {alpha:.0%}, against {welch} for Welch's t with Holm's correction.")
TUKEY_WHY = {
    "more": N_("The assumption of equal variances buys the difference: it lets every pair borrow the {df} degrees of "
               "freedom of all {N} runs, where Welch's test estimates each pair's spread from its own two arms at "
               "{df_lo:.1f} to {df_hi:.1f}. If the variances do differ, Tukey's test is over-confident for the pairs "
               "with the noisiest arms, and Welch's is the one to trust."),
    "same": N_("Borrowing the {df} degrees of freedom of all {N} runs, instead of Welch's {df_lo:.1f} to {df_hi:.1f} "
               "per pair, resolves no more pairs here."),
    "fewer": N_("Welch's test resolves more here: the pairs whose two arms both vary little gain from their own small "
                "spreads more than pooling's {df} degrees of freedom give them."),
}
TUKEY_OPEN = N_("Left unresolved by Tukey's test: {open}. Its top group, the variants no other is resolved ahead of: "
                "{top}.")

GAMES_HOWELL = N_("Without the assumption of equal variances, the Games–Howell test keeps the studentized range of "
                  "the {k} means for the family but takes each pair's spread from its own two arms, at Welch's "
                  "{df_lo:.1f} to {df_hi:.1f} degrees of freedom: it resolves {gh} of the {m} pairs, {kept} of them "
                  "among Tukey's {tukey}.")
GAMES_HOWELL_LOST = N_("Tukey's test resolves these only with the pooled variance: {lost}.")
GAMES_HOWELL_EXTRA = N_("It resolves these, which Tukey's test leaves open: {extra}.")
GAMES_HOWELL_WELCH = {
    True: N_("All {welch} pairs that Welch's test with Holm's correction resolves are among the {gh} that "
             "Games–Howell resolves."),
    False: N_("Of the {welch} pairs Welch's test with Holm's correction resolves, Games–Howell leaves {open_w} "
              "open."),
}


BLOCKED = {
    False: N_("Blocking by seed, the two-way model loss ~ variant + seed, removes any shift a seed gives every variant "
              "alike, at the price of {df_seed} degrees of freedom: here the seeds shift nothing detectable (F = "
              "{f:.2f}, p = {p:.2f}), the residual standard deviation is {s:.4f} at {df} degrees of freedom against "
              "{s1:.4f} at {df1} without the seeds, and Tukey's test resolves {r} pairs against {r1}. The seed buys "
              "nothing here, as the paired contrast showed."),
    True: N_("Blocking by seed, the two-way model loss ~ variant + seed, removes any shift a seed gives every variant "
             "alike, at the price of {df_seed} degrees of freedom: here the seeds do shift the losses (F = {f:.2f}, "
             "p = {p:.2f}), the residual standard deviation is {s:.4f} at {df} degrees of freedom against {s1:.4f} at "
             "{df1} without the seeds, and Tukey's test resolves {r} pairs against {r1}."),
}


def pooled_sentences(doc: dict[str, Any], alpha: float = stats.ALPHA) -> list[str]:
    """The pooled view beside Welch and Holm: the ANOVA's variance, the equal-variance tests, Tukey's HSD."""
    summaries = stats.samples(doc)
    if len(summaries) < 3 or min(s.n for s in summaries) < 2:
        return []
    a = stats.anova(summaries)
    bf, lev = stats.equal_variance_test(summaries, "median"), stats.equal_variance_test(summaries, "mean")
    sds = [stats._sd(s.losses) for s in summaries]
    first = tr(POOLED[min(bf.p, lev.p) <= alpha], N=a.n_total, s=a.s_pooled, df=a.df_within,
               q=stats.t_quantile(1 - alpha / 2, a.df_within), bf=bf.p, lev=lev.p, n=min(s.n for s in summaries),
               sd_lo=min(sds), sd_hi=max(sds), ratio=max(sds) / min(sds) if min(sds) > 0 else math.inf)
    n_min = min(s.n for s in summaries)
    if n_min % 2 and len({s.n for s in summaries}) == 1:
        first = wording.sentences([first, tr(BROWN_FORSYTHE_WEAK, n=n_min, bf=bf.p)])
    tukey = stats.tukey_hsd(summaries, alpha)
    welch = stats.pairwise_tests(summaries, alpha)
    dfs = [t.df for t in welch]
    n_tukey, n_welch = sum(t.resolved for t in tukey), sum(t.resolved for t in welch)
    facts = dict(k=a.k, df=a.df_within, q=stats.studentized_range_quantile(1 - alpha, a.k, a.df_within), m=len(tukey),
                 tukey=n_tukey, alpha=alpha, welch=n_welch, N=a.n_total, df_lo=min(dfs), df_hi=max(dfs),
                 n=min(s.n for s in summaries))
    why = "more" if n_tukey > n_welch else "same" if n_tukey == n_welch else "fewer"
    text = [tr(TUKEY, **facts), tr(TUKEY_WHY[why], **facts)]
    open_ = [t for t in tukey if not t.resolved]
    if open_:
        text.append(tr(TUKEY_OPEN, open=wording.clauses(tr("{a} against {b}", a=t.a, b=t.b) for t in open_),
                       top=wording.names(stats.leaders(tukey, [])["top"])))
    out = [first, wording.sentences(text)]
    blocked = stats.seed_blocked_anova(doc)
    if blocked is not None and blocked.df_residual > 0 and len({s.n for s in summaries}) == 1:
        out.append(tr(BLOCKED[blocked.p_seed <= alpha], df_seed=blocked.df_seed, f=blocked.f_seed, p=blocked.p_seed,
                      s=blocked.s_residual, df=blocked.df_residual, s1=a.s_pooled, df1=a.df_within,
                      r=stats.tukey_resolved(summaries, blocked.s_residual, blocked.df_residual, alpha), r1=n_tukey))
    out.append(games_howell_sentence(summaries, alpha))
    return out


def games_howell_sentence(summaries, alpha: float = stats.ALPHA) -> str:
    """What survives without the equal-variance assumption: Games–Howell beside Tukey and Welch + Holm."""
    gh = stats.games_howell(summaries, alpha)
    tukey = {(t.a, t.b): t.resolved for t in stats.tukey_hsd(summaries, alpha)}
    welch = {(t.a, t.b): t.resolved for t in stats.pairwise_tests(summaries, alpha)}
    pair = lambda t: tr("{a} against {b}", a=t.a, b=t.b)  # noqa: E731
    lost = [pair(t) for t in gh if tukey[(t.a, t.b)] and not t.resolved]
    extra = [pair(t) for t in gh if t.resolved and not tukey[(t.a, t.b)]]
    open_w = [t for t in gh if welch[(t.a, t.b)] and not t.resolved]
    dfs = [t.df for t in gh]
    text = [tr(GAMES_HOWELL, k=len(summaries), df_lo=min(dfs), df_hi=max(dfs), gh=sum(t.resolved for t in gh),
               m=len(gh), kept=sum(t.resolved and tukey[(t.a, t.b)] for t in gh), tukey=sum(tukey.values()))]
    if lost:
        text.append(tr(GAMES_HOWELL_LOST, lost=wording.clauses(lost)))
    if extra:
        text.append(tr(GAMES_HOWELL_EXTRA, extra=wording.clauses(extra)))
    text.append(tr(GAMES_HOWELL_WELCH[not open_w], welch=sum(welch.values()), open_w=len(open_w),
                   gh=sum(t.resolved for t in gh)))
    return wording.sentences(text)


POOLED_MATCHED = {
    True: N_("What pairing by seed cost: unpaired, with the seeds ignored and the pooled variance ({df} degrees of "
             "freedom), the matched contrast is {mean:+.4f} nats per character ({level:.0%} interval {lo:+.4f} to "
             "{hi:+.4f}), against {pmean:+.4f} ({plo:+.4f} to {phi:+.4f}) paired. The paired interval is "
             "{ratio:.1f} times as wide: the unpaired standard error is {se:.4f} against {pse:.4f}, and its t quantile "
             "{q:.2f} against {pq:.2f} at the paired test's {pdf} degrees of freedom. Pairing would pay only if the "
             "arms' losses rose and fell together from seed to seed, which they do not here."),
    False: N_("What pairing by seed gained: unpaired, with the seeds ignored and the pooled variance ({df} degrees "
              "of freedom), the matched contrast is {mean:+.4f} nats per character ({level:.0%} interval {lo:+.4f} "
              "to {hi:+.4f}), against {pmean:+.4f} ({plo:+.4f} to {phi:+.4f}) paired: the unpaired interval is "
              "{ratio:.1f} times as wide, the paired standard error {pse:.4f} against {se:.4f} despite a t quantile of "
              "{pq:.2f} at {pdf} degrees of freedom against {q:.2f}."),
}


def pooled_matched_sentence(doc: dict[str, Any]) -> str | None:
    """The matched contrast's paired interval beside its unpaired, pooled one: what pairing by seed gained or cost."""
    paired, pooled = stats.matched_contrast(doc), stats.pooled_matched_contrast(doc)
    if paired is None or pooled is None:
        return None
    (lo, hi), (plo, phi) = pooled.interval, paired.interval
    narrower = (hi - lo) < (phi - plo)
    ratio = (phi - plo) / (hi - lo) if narrower else (hi - lo) / (phi - plo)
    return tr(POOLED_MATCHED[narrower], df=pooled.df, mean=pooled.mean, level=pooled.level, lo=lo, hi=hi,
              pmean=paired.mean, plo=plo, phi=phi, ratio=ratio, se=pooled.se, pse=paired.se, q=pooled.quantile,
              pq=paired.quantile, pdf=paired.df)


# --- The matched contrast along training ------------------------------------------------------------------------

CURVE_CONTRAST = N_("Along training (the curves' {windows:,} held-out characters), the matched contrast is "
                    "{first:+.3f} nats per character at step {s_first}, largest at step {s_peak} ({peak:+.3f}) and "
                    "{last:+.3f} at the last step, {s_last}: the gated models leave the early plateau sooner, and "
                    "the gap then narrows by {shrink:.0%} of its largest by the end. Its {level:.0%} t interval, "
                    "pointwise (each step's on its own, not a band that holds at all steps at once), lies below zero "
                    "at {below} of the {n} evaluated steps ({steps}). A gap that narrows while the models "
                    "still learn is a gap in learning speed as much as in end point; where it would settle, this run "
                    "is too short to say.")


def curve_contrast_sentence(doc: dict[str, Any]) -> str | None:
    """How the matched contrast evolves over the learning curves: first, largest, last, and where it is resolved."""
    from .analysis import curve_offset

    found = stats.matched_curve(doc)
    if len(found) < 2:
        return None
    step_peak, peak = min(found, key=lambda sc: sc[1].mean)
    below = [s for s, c in found if c.verdict == "better"]
    last = found[-1][1].mean
    shrink = (last - peak.mean) / -peak.mean if peak.mean < 0 else 0.0
    return tr(CURVE_CONTRAST, windows=curve_offset(doc)["eval_tokens"], first=found[0][1].mean, s_first=found[0][0],
              s_peak=step_peak, peak=peak.mean, last=last, s_last=found[-1][0], shrink=max(0.0, shrink),
              level=peak.level, below=len(below), n=len(found), steps=wording.names(str(s) for s in below) or "–")


# --- Why the record is this small ---------------------------------------------------------------------------------

BUDGET = {
    True: N_("The recorded run is small by choice of budget, not of method: its {runs} runs took {wall:.0f} s on the "
             "GPU, {each:.1f} s each, under a budget of {budget:.0f} s set on its command line; each read {steps} "
             "steps of {batch} windows, {passes:.1f} passes over the training text, at one learning rate. The curves "
             "still fall at the end (the mean over variants drops by {drop:.3f} nats per character between steps {a} "
             "and {b}). A larger record would add three things: more seeds ({more} per variant would put the paired t "
             "quantile at {q_more:.2f} instead of {q:.2f}, and show whether the spreads really differ), several times "
             "the steps (where the gap settles, not how fast it opens), and a small learning-rate sweep per variant "
             "(the one confound every variant shares here)."),
    False: N_("The recorded run is small by choice of budget, not of method: its {runs} runs took {wall:.0f} s on the "
              "GPU, {each:.1f} s each, under a budget of {budget:.0f} s set on its command line; each read {steps} "
              "steps of {batch} windows, {passes:.1f} passes over the training text, at one learning rate. The curves "
              "have levelled off at the end (the mean over variants changes by {drop:+.3f} nats per character between "
              "steps {a} and {b}). A larger record would add three things: more seeds ({more} per variant would put the"
              " paired t quantile at {q_more:.2f} instead of {q:.2f}, and show whether the spreads really differ), "
              "several times the steps (where the gap settles, not how fast it opens), and a small learning-rate sweep "
              "per variant (the one confound every variant shares here)."),
}


def budget_sentence(doc: dict[str, Any], more_seeds: int = 8) -> str | None:
    """Why the recorded run is small (its budget), and what a larger one would add, from its own numbers."""
    if more_seeds < 2:
        raise ValueError(f"more_seeds must be at least 2, got {more_seeds}.")
    runs, cfg = doc["runs"], doc["config"]
    if not runs or len(runs[0]["curve_steps"]) < 2:
        return None
    curves = [r["curve_val_loss"] for r in runs]
    drop = stats._mean([c[-2] - c[-1] for c in curves])  # > 0: still falling
    n = len(cfg["seeds"])
    return tr(BUDGET[drop > 0.001], runs=len(runs), wall=doc["wall_s"], each=doc["wall_s"] / len(runs), budget=cfg["budget_s"],
              steps=cfg["train"]["steps"], batch=cfg["train"]["batch_size"],
              passes=cfg["tokens_per_run"] / doc["data"]["train_tokens"], drop=drop,
              a=runs[0]["curve_steps"][-2], b=runs[0]["curve_steps"][-1], more=more_seeds,
              q_more=stats.t_quantile(1 - stats.ALPHA / 2, more_seeds - 1),
              q=stats.t_quantile(1 - stats.ALPHA / 2, n - 1) if n > 1 else math.inf)
