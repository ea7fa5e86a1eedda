"""The statistics of the capstone: Student's t, Welch's test, Holm's step-down and the seed-paired family contrast.

With three seeds per variant a standard deviation is itself uncertain, so an interval must use Student's t
quantiles, not the normal ones: the two-sided 95% quantile is 4.303 at 2 degrees of freedom and 2.776 at 4,
against 1.960 for the normal. No SciPy is needed: the t distribution's tail is a regularised incomplete beta
function, evaluated by its continued fraction, and the quantile is found by bisection on it.

* :func:`t_two_sided_p`, :func:`t_quantile`: Student's t distribution (any real degrees of freedom > 0).
* :func:`welch_df`: the Welch–Satterthwaite degrees of freedom of a difference of two means
  (Welch 1947; Satterthwaite 1946).
* :func:`holm`: Holm's (1979) step-down correction for a family of tests.
* :func:`pairwise_tests`: Welch's t test for every pair of variants, Holm-corrected over all pairs.
* :func:`matched_contrast`: per seed, each gated variant minus the plain variant with its own activation
  (GEGLU - GELU, SwiGLU - Swish, ReGLU - ReLU), averaged over the pairs, then a paired t interval over seeds;
  :func:`matched_tests` tests each pair alone, Holm-corrected over the pairs;
* :func:`family_contrast`: per seed, the gated variants' mean loss minus the plain variants' mean loss (each
  variant weighed equally within its family), then a paired t interval over the seeds;
* :func:`leaders`: whether named variants are resolved ahead of every other one.
* The pooled view, which assumes one seed-to-seed variance for every variant: :func:`anova` (one-way ANOVA, its
  residual variance at N - k degrees of freedom), :func:`equal_variance_test` (Levene 1960; Brown & Forsythe 1974),
  :func:`studentized_range_cdf` / :func:`studentized_range_quantile` (numerical integration, tested against printed
  tables), :func:`tukey_hsd` (Tukey 1953) and :func:`games_howell` (its unequal-variance form) for every pair, and :func:`pooled_matched_contrast`, the matched contrast
  unpaired, to set beside the paired one.
* :func:`spearman_permutation_p`: the exact permutation p-value of Spearman's rho (n <= 9).
* Along training: :func:`matched_curve` (the matched contrast at every evaluated step) and :func:`catch_up` (the
  step at which each gated mean curve reaches its plain twin's final loss).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from statistics import NormalDist
from typing import Any, Sequence

ALPHA = 0.05  # family-wise error rate of the pairwise tests, and 1 - the confidence level of the intervals


# --- Student's t ---------------------------------------------------------------------------------------


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), evaluated by the modified Lentz method (Press et al., §6.4)."""
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            return h
    raise ArithmeticError(f"the incomplete beta continued fraction did not converge for a={a}, b={b}, x={x}")


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), for a, b > 0 and 0 <= x <= 1.

    Uses I_x(a, b) = x^a (1-x)^b / (a B(a, b)) * CF(x), and the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where
    the continued fraction converges slowly (x > (a+1)/(a+b+2)); Abramowitz & Stegun 26.5.8.
    """
    if a <= 0 or b <= 0:
        raise ValueError(f"a and b must be positive, got a={a}, b={b}.")
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must lie in [0, 1], got {x}.")
    if x in (0.0, 1.0):
        return x
    log_front = a * math.log(x) + b * math.log1p(-x) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def _check_df(df: float) -> None:
    if not (isinstance(df, (int, float)) and df > 0 and not math.isnan(df)):
        raise ValueError(f"df (degrees of freedom) must be a positive number, got {df!r}.")


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with ``df`` degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2) (A&S 26.7.1)."""
    _check_df(df)
    if math.isinf(df):
        return 2.0 * (1.0 - NormalDist().cdf(abs(t)))
    return betainc(df / 2.0, 0.5, df / (df + t * t))


def t_quantile(q: float, df: float) -> float:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (``df`` may be fractional: Welch).

    Solves P(T <= t) = q by bisection on :func:`t_two_sided_p` (monotone in |t|) to about 1e-12; e.g.
    t_quantile(0.975, 2) = 4.303, t_quantile(0.975, 4) = 2.776; ``df = inf`` gives the normal quantile.
    """
    _check_df(df)
    if not 0.0 < q < 1.0:
        raise ValueError(f"q must lie strictly between 0 and 1, got {q}.")
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_quantile(1.0 - q, df)
    if math.isinf(df):
        return NormalDist().inv_cdf(q)
    target = 2.0 * (1.0 - q)  # the two-sided tail beyond t
    lo, hi = 0.0, 1.0
    while t_two_sided_p(hi, df) > target:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_two_sided_p(mid, df) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


# --- Welch, Holm ------------------------------------------------------------------------------------------


def welch_df(s_a: float, n_a: int, s_b: float, n_b: int) -> float:
    """Welch–Satterthwaite degrees of freedom of mean(a) - mean(b) with unequal variances.

        nu = (s_a^2/n_a + s_b^2/n_b)^2 / [ (s_a^2/n_a)^2/(n_a - 1) + (s_b^2/n_b)^2/(n_b - 1) ]

    (Welch 1947; Satterthwaite 1946). It lies between min(n_a, n_b) - 1 and n_a + n_b - 2: with three seeds
    each, between 2 and 4.
    """
    if n_a < 2 or n_b < 2:
        raise ValueError(f"n_a and n_b must be at least 2 (a standard deviation needs two values), got {n_a}, {n_b}.")
    va, vb = s_a * s_a / n_a, s_b * s_b / n_b
    if va + vb == 0:
        return float(n_a + n_b - 2)
    return (va + vb) ** 2 / (va * va / (n_a - 1) + vb * vb / (n_b - 1))


def holm(p_values: Sequence[float], alpha: float = ALPHA) -> tuple[list[bool], list[float]]:
    """Holm's (1979) step-down correction: which hypotheses are rejected at family-wise level ``alpha``.

    Sort the m p-values, p_(1) <= ... <= p_(m); reject H_(1), ..., H_(k) where k is the largest index with
    p_(j) <= alpha / (m - j + 1) for every j <= k, and stop at the first that fails. The adjusted p-values are
    p~_(j) = max_{i<=j} min(1, (m - i + 1) p_(i)); H_j is rejected exactly when p~_j <= alpha.
    Returns (rejected, adjusted p-values), both in the input's order.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}.")
    m = len(p_values)
    if any(not 0 <= p <= 1 for p in p_values):
        raise ValueError(f"p_values must lie in [0, 1], got {list(p_values)}.")
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return [p <= alpha for p in adjusted], adjusted


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (no ties expected): Pearson's correlation of the ranks."""
    import numpy as np

    if len(x) != len(y) or len(x) < 2:
        raise ValueError(f"x and y must have the same length of at least 2, got {len(x)} and {len(y)}.")
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


# --- The capstone's tests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One variant's final held-out losses over seeds (seed order): what the tests below need of a run."""

    variant: str
    gated: bool
    losses: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.losses)

    @property
    def mean(self) -> float:
        return _mean(self.losses)

    @property
    def table1(self) -> float:
        """Shazeer's held-out log-perplexity at 65,536 steps (quoted, Table 1)."""
        from ..variants import VARIANTS

        return VARIANTS[self.variant].log_perplexity_65k


def samples(doc: dict[str, Any]) -> list[Sample]:
    """One :class:`Sample` per configured variant that has runs, in the configured order."""
    gated = {p["variant"]: p["gated"] for p in doc["params"]}
    out = []
    for name in doc["config"]["variants"]:
        runs = sorted((r for r in doc["runs"] if r["variant"] == name), key=lambda r: r["seed"])
        if runs:
            out.append(Sample(name, gated[name], tuple(r["final_val_loss"] for r in runs)))
    return out


@dataclass(frozen=True)
class PairTest:
    """Welch's t test of mean(a) - mean(b), with its Holm-adjusted p-value over the whole family of pairs."""

    a: str
    b: str
    diff: float  # mean(a) - mean(b)
    se: float  # sqrt(s_a^2/n_a + s_b^2/n_b)
    df: float  # Welch-Satterthwaite
    p: float  # two-sided, uncorrected
    p_holm: float  # Holm-adjusted over every pair
    alpha: float = ALPHA

    @property
    def t(self) -> float:
        return self.diff / self.se if self.se > 0 else math.copysign(math.inf, self.diff) if self.diff else 0.0

    @property
    def resolved(self) -> bool:
        """True when the gap is significant at family-wise level ``alpha`` after Holm's correction."""
        return self.p_holm <= self.alpha

    @property
    def resolved_uncorrected(self) -> bool:
        return self.p <= self.alpha


def pairwise_tests(summaries: Sequence[Any], alpha: float = ALPHA) -> list[PairTest]:
    """Welch's t test for every pair of variant summaries (``.variant``, ``.losses``), Holm-corrected.

    A pair whose standard error is zero (identical seeds) gets p = 1 when the means agree and p = 0 otherwise.
    """
    raw = []
    for a, b in combinations(summaries, 2):
        na, nb = len(a.losses), len(b.losses)
        sa, sb = _sd(a.losses), _sd(b.losses)
        diff = _mean(a.losses) - _mean(b.losses)
        se = math.sqrt(sa * sa / na + sb * sb / nb)
        df = welch_df(sa, na, sb, nb)
        p = t_two_sided_p(diff / se, df) if se > 0 else float(diff == 0)
        raw.append((a.variant, b.variant, diff, se, df, p))
    _, adjusted = holm([r[5] for r in raw], alpha) if raw else ([], [])
    return [PairTest(*r, p_holm=q, alpha=alpha) for r, q in zip(raw, adjusted)]


@dataclass(frozen=True)
class SeedContrast:
    """A contrast computed per seed, d_s = mean_{gated arms} L_s - mean_{plain arms} L_s, with a paired t interval.

    ``gated`` and ``plain`` name the arms each side averages with equal weight; ``kind`` says how they were
    chosen: ``"matched"`` (each gated variant against the plain variant with its own activation) or
    ``"family"`` (every gated variant against every plain one).
    """

    per_seed: tuple[float, ...]
    seeds: tuple[int, ...]
    level: float = 1 - ALPHA
    gated: tuple[str, ...] = ()
    plain: tuple[str, ...] = ()
    kind: str = "family"

    @property
    def n(self) -> int:
        return len(self.per_seed)

    @property
    def df(self) -> int:
        return self.n - 1

    @property
    def mean(self) -> float:
        return _mean(self.per_seed)

    @property
    def se(self) -> float:
        """s_d / sqrt(n), the standard error of the mean per-seed difference."""
        return _sd(self.per_seed) / math.sqrt(self.n)

    @property
    def quantile(self) -> float:
        """t_{(1 + level)/2, n - 1}."""
        return t_quantile((1 + self.level) / 2, self.df)

    @property
    def interval(self) -> tuple[float, float]:
        """mean ± t_{(1+level)/2, n-1} · s_d / sqrt(n) (Student's paired t interval)."""
        half = self.quantile * self.se
        return self.mean - half, self.mean + half

    @property
    def t(self) -> float:
        if self.se == 0:
            return 0.0 if self.mean == 0 else math.copysign(math.inf, self.mean)
        return self.mean / self.se

    @property
    def p(self) -> float:
        """Two-sided p-value of mean = 0, paired t with n - 1 degrees of freedom."""
        if self.se == 0:
            return float(self.mean == 0)
        return t_two_sided_p(self.t, self.df)

    @property
    def verdict(self) -> str:
        """"better" (interval below zero: the gated side's loss is lower), "worse", or "cannot tell"."""
        lo, hi = self.interval
        return "better" if hi < 0 else "worse" if lo > 0 else "cannot tell"


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}.")


def _losses_by_seed(doc: dict[str, Any]) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for r in doc["runs"]:
        out.setdefault(r["seed"], {})[r["variant"]] = r["final_val_loss"]
    return out


def seed_contrast(doc: dict[str, Any], pairs: Sequence[tuple[Sequence[str], Sequence[str]]], *,
                  level: float = 1 - ALPHA, kind: str = "family") -> SeedContrast | None:
    """Per seed, the mean over ``pairs`` of mean(L of the gated arms) - mean(L of the plain arms).

    ``pairs`` is a list of (gated arms, plain arms); a seed counts only if every named arm ran with it.
    Seed s fixes the data order for every variant, so the difference removes what that seed's batches do to
    all arms alike. It does not give the arms comparable initial weights: a gated and a plain block have
    different widths, so the same seed draws unrelated weights (:func:`seed_correlation` measures what the
    pairing gains). None with fewer than two complete seeds.
    """
    _check_level(level)
    by_seed = _losses_by_seed(doc)
    names = {v for g, p in pairs for v in (*g, *p)}
    diffs, seeds = [], []
    for seed in doc["config"]["seeds"]:
        losses = by_seed.get(seed, {})
        if not pairs or not names <= losses.keys():
            continue
        diffs.append(_mean([_mean([losses[v] for v in g]) - _mean([losses[v] for v in p]) for g, p in pairs]))
        seeds.append(seed)
    if len(diffs) < 2:
        return None
    gated = tuple(dict.fromkeys(v for g, _ in pairs for v in g))
    plain = tuple(dict.fromkeys(v for _, p in pairs for v in p))
    return SeedContrast(tuple(diffs), tuple(seeds), level, gated, plain, kind)


def family_contrast(doc: dict[str, Any], level: float = 1 - ALPHA) -> SeedContrast | None:
    """The seed-paired contrast of the whole gated family against the whole plain family.

        d_s = (1/|G|) sum_{g in G} L_{g,s} - (1/|P|) sum_{p in P} L_{p,s},   mean(d) ± t_{(1+level)/2, n-1} s_d/sqrt(n)

    Each variant weighs equally within its family (with Shazeer's eight: 1/5 for each gated one, GLU and
    Bilinear included, and 1/3 for each plain one): the question "gated or plain?" as Table 1 poses it.
    A seed counts only if every variant ran with it. None without both families on two or more seeds.
    """
    ran = {r["variant"] for r in doc["runs"]}
    gated = tuple(p["variant"] for p in doc["params"] if p["gated"] and p["variant"] in ran)
    plain = tuple(p["variant"] for p in doc["params"] if not p["gated"] and p["variant"] in ran)
    if not gated or not plain:
        _check_level(level)
        return None
    return seed_contrast(doc, [(gated, plain)], level=level, kind="family")


def matched_pairs(names: Sequence[str]) -> list[tuple[str, str]]:
    """(gated, plain) pairs among ``names`` that share one activation: GEGLU-GELU, SwiGLU-Swish, ReGLU-ReLU.

    GLU (sigmoid gate) and Bilinear (no activation) have no plain counterpart among Shazeer's variants.
    """
    from ..variants import VARIANTS

    known = [VARIANTS[n] for n in names]
    return [(g.name, p.name) for g in known if g.gated for p in known
            if not p.gated and p.activation == g.activation]


def matched_contrast(doc: dict[str, Any], level: float = 1 - ALPHA) -> SeedContrast | None:
    """Each gated variant against the ungated variant with its own activation, same seed, averaged over pairs.

        d_s = (1/K) sum_k (L_{gated_k, s} - L_{plain_k, s}),   mean(d) ± t_{(1+level)/2, n-1} s_d / sqrt(n)

    The contrast changes only the gate: the activation, the data order and the initialisation rule are the same
    on both sides. The initial weights are not: the two widths differ, so one seed draws unrelated weights for
    the two arms, and only the data order is shared. None without a matched pair on two or more seeds.
    """
    pairs = matched_pairs(doc["config"]["variants"])
    return seed_contrast(doc, [((g,), (p,)) for g, p in pairs], level=level, kind="matched")


@dataclass(frozen=True)
class MatchedTest:
    """One matched pair's paired t test over seeds, with its Holm-adjusted p-value over the matched pairs."""

    contrast: SeedContrast
    p_holm: float
    alpha: float = ALPHA

    @property
    def gated(self) -> str:
        return self.contrast.gated[0]

    @property
    def plain(self) -> str:
        return self.contrast.plain[0]

    @property
    def resolved(self) -> bool:
        return self.p_holm <= self.alpha


def matched_tests(doc: dict[str, Any], alpha: float = ALPHA) -> list[MatchedTest]:
    """Every matched pair (gated minus its own plain activation) as a paired t test, Holm-corrected over the pairs."""
    found = [seed_contrast(doc, [((g,), (p,))], level=1 - alpha, kind="matched")
             for g, p in matched_pairs(doc["config"]["variants"])]
    found = [c for c in found if c is not None]
    if not found:
        return []
    _, adjusted = holm([c.p for c in found], alpha)
    return [MatchedTest(c, q, alpha) for c, q in zip(found, adjusted)]


@dataclass(frozen=True)
class Pairing:
    """What pairing by seed gains for one pair of arms: the seed correlation and the two standard errors.

    ``r`` is Pearson's correlation of the arms' final losses over the shared seeds (None when either arm's
    losses do not vary); ``se_paired`` = s_d / sqrt(n) of the per-seed differences, ``se_unpaired`` =
    sqrt(s_a^2 / n + s_b^2 / n), Welch's standard error of the same difference. Since
    s_d^2 = s_a^2 + s_b^2 - 2 r s_a s_b, pairing helps (se_paired < se_unpaired) exactly when r > 0.
    """

    a: str
    b: str
    n: int
    r: float | None
    se_paired: float
    se_unpaired: float

    @property
    def ratio(self) -> float:
        """se_paired / se_unpaired: below 1 when pairing by seed narrows the interval."""
        return self.se_paired / self.se_unpaired if self.se_unpaired > 0 else 1.0


def seed_correlation(doc: dict[str, Any], a: str, b: str) -> Pairing | None:
    """Pearson's r of two variants' final losses over their shared seeds, and the paired and unpaired SE.

        r = sum_s (L_{a,s} - mean_a)(L_{b,s} - mean_b) / ((n - 1) s_a s_b)

    None with fewer than two shared seeds. Three seeds estimate r only very roughly.
    """
    by_seed = _losses_by_seed(doc)
    for name in (a, b):
        if not any(name in losses for losses in by_seed.values()):
            raise ValueError(f"a and b must be variants of the run, got {name!r}.")
    seeds = [s for s in doc["config"]["seeds"] if {a, b} <= by_seed.get(s, {}).keys()]
    if len(seeds) < 2:
        return None
    la, lb = [by_seed[s][a] for s in seeds], [by_seed[s][b] for s in seeds]
    n = len(seeds)
    sa, sb = _sd(la), _sd(lb)
    ma, mb = _mean(la), _mean(lb)
    r = (math.fsum((x - ma) * (y - mb) for x, y in zip(la, lb)) / ((n - 1) * sa * sb)) if sa > 0 and sb > 0 else None
    return Pairing(a, b, n, r, _sd([x - y for x, y in zip(la, lb)]) / math.sqrt(n), math.sqrt((sa * sa + sb * sb) / n))


def leaders(tests: Sequence[PairTest], names: Sequence[str]) -> dict[str, Any]:
    """Whether the variants ``names`` do best: each resolved (Holm) ahead of every variant outside ``names``.

    Returns ``{"supported": bool, "unresolved": [(leader, other), ...], "top": [...]}``; ``top`` lists the
    variants that no other variant is resolved ahead of (the run's top group, in no order it can tell).
    """
    everyone = list(dict.fromkeys(v for t in tests for v in (t.a, t.b)))
    missing = [n for n in names if n not in everyone]
    if missing:
        raise ValueError(f"names must be variants of the tests, got {missing} (known: {everyone}).")
    by_pair = {frozenset((t.a, t.b)): t for t in tests}

    def ahead(x: str, y: str) -> bool:
        t = by_pair[frozenset((x, y))]
        return t.resolved and (t.diff < 0) == (t.a == x)

    unresolved = [(n, o) for n in names for o in everyone if o not in names and not ahead(n, o)]
    top = [v for v in everyone if not any(ahead(o, v) for o in everyone if o != v)]
    return {"supported": not unresolved, "unresolved": unresolved, "top": top}


def mean_interval(losses: Sequence[float], level: float = 1 - ALPHA) -> float:
    """Half-width of the t interval of a mean: t_{(1+level)/2, n-1} · s / sqrt(n); 0 for a single value."""
    n = len(losses)
    if n < 2:
        return 0.0
    return t_quantile((1 + level) / 2, n - 1) * _sd(losses) / math.sqrt(n)


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def _sd(xs: Sequence[float]) -> float:
    """Sample standard deviation (n - 1 in the denominator)."""
    m = _mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


# --- The pooled view: one-way ANOVA, equal variances, Tukey's HSD ------------------------------------------


def f_sf(f: float, df1: float, df2: float) -> float:
    """P(F >= f) for Fisher's F with (df1, df2) degrees of freedom: I_{df2/(df2 + df1 f)}(df2/2, df1/2) (A&S 26.6.2)."""
    _check_df(df1)
    _check_df(df2)
    if f <= 0:
        return 1.0
    return betainc(df2 / 2.0, df1 / 2.0, df2 / (df2 + df1 * f))


@dataclass(frozen=True)
class Anova:
    """One-way analysis of variance of the final losses by variant: the pooled within-variant variance.

    ``ms_within`` = sum_v sum_s (L_{v,s} - mean_v)^2 / (N - k) is the residual variance, the estimate of the
    seed-to-seed variance that every variant shares if they all have the same spread; ``s_pooled`` its root.
    """

    k: int  # variants
    n_total: int  # runs
    ss_between: float
    ss_within: float

    @property
    def df_between(self) -> int:
        return self.k - 1

    @property
    def df_within(self) -> int:
        return self.n_total - self.k

    @property
    def ms_within(self) -> float:
        return self.ss_within / self.df_within

    @property
    def s_pooled(self) -> float:
        return math.sqrt(self.ms_within)

    @property
    def f(self) -> float:
        ms_between = self.ss_between / self.df_between
        return ms_between / self.ms_within if self.ms_within > 0 else math.inf

    @property
    def p(self) -> float:
        """P(F >= f) under "every variant has the same mean"."""
        return 0.0 if math.isinf(self.f) else f_sf(self.f, self.df_between, self.df_within)


def _groups(summaries: Sequence[Any]) -> list[tuple[float, ...]]:
    groups = [tuple(s.losses) for s in summaries]
    if len(groups) < 2 or any(len(g) < 2 for g in groups):
        raise ValueError(f"summaries must hold at least two variants with at least two seeds each, got sizes "
                         f"{[len(g) for g in groups]}.")
    return groups


def anova(summaries: Sequence[Any]) -> Anova:
    """One-way ANOVA of the losses (``.losses`` of each summary): between- and within-variant sums of squares."""
    groups = _groups(summaries)
    every = [x for g in groups for x in g]
    grand = _mean(every)
    ss_between = math.fsum(len(g) * (_mean(g) - grand) ** 2 for g in groups)
    ss_within = math.fsum((x - _mean(g)) ** 2 for g in groups for x in g)
    return Anova(len(groups), len(every), ss_between, ss_within)


@dataclass(frozen=True)
class EqualVariance:
    """Levene's test of equal variances (``center="mean"``) or Brown and Forsythe's (``center="median"``).

    Both are the one-way ANOVA F of the absolute deviations |L_{v,s} - centre_v| (Levene 1960; Brown &
    Forsythe 1974); a small p says the variants' spreads differ, a large one only that the data do not show it.
    """

    center: str
    f: float
    df1: int
    df2: int

    @property
    def p(self) -> float:
        return 0.0 if math.isinf(self.f) else f_sf(self.f, self.df1, self.df2)


def equal_variance_test(summaries: Sequence[Any], center: str = "median") -> EqualVariance:
    """Brown–Forsythe (``center="median"``, the default, robust to skew) or Levene (``center="mean"``)."""
    if center not in ("mean", "median"):
        raise ValueError(f"center must be 'mean' or 'median', got {center!r}.")
    from statistics import median

    groups = _groups(summaries)
    pick = _mean if center == "mean" else median
    deviations = [tuple(abs(x - pick(g)) for x in g) for g in groups]
    a = anova([Sample(str(i), False, d) for i, d in enumerate(deviations)])
    return EqualVariance(center, a.f, a.df_between, a.df_within)


# The studentized range Q = (max - min of k standard normals) / s, with s^2 an independent chi^2_df / df.
_GL_X, _GL_W = None, None


def _gauss_legendre(n: int = 64):
    global _GL_X, _GL_W
    import numpy as np

    if _GL_X is None or len(_GL_X) != n:
        _GL_X, _GL_W = np.polynomial.legendre.leggauss(n)
    return _GL_X, _GL_W


def _composite(lo: float, hi: float, pieces: int):
    """Nodes and weights of a composite 64-point Gauss–Legendre rule on [lo, hi]."""
    import numpy as np

    x, w = _gauss_legendre()
    edges = np.linspace(lo, hi, pieces + 1)
    half = (edges[1:] - edges[:-1])[:, None] / 2
    mid = (edges[1:] + edges[:-1])[:, None] / 2
    return (mid + half * x).ravel(), (half * w).ravel()


def _normal_cdf(z):
    import numpy as np
    import torch

    return torch.special.ndtr(torch.as_tensor(np.asarray(z, dtype=np.float64))).numpy()


def _range_cdf_normal(w, k: int):
    """P(range of k standard normals <= w) = k ∫ φ(z) [Φ(z) - Φ(z - w)]^(k-1) dz, for an array of w >= 0."""
    import numpy as np

    z, wz = _composite(-9.0, 9.0, 6)
    w = np.asarray(w, dtype=np.float64)[..., None]
    phi = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    inner = np.clip(_normal_cdf(z) - _normal_cdf(z - w), 0.0, 1.0) ** (k - 1)
    return np.clip(k * np.sum(wz * phi * inner, axis=-1), 0.0, 1.0)


def studentized_range_cdf(q: float, k: int, df: float) -> float:
    """P(Q <= q) for the studentized range of ``k`` means with ``df`` degrees of freedom (``df = inf``: normal).

        P(Q <= q) = ∫_0^∞ f_df(s) · P_inf(q s) ds,   f_df(s) = df^{df/2} s^{df-1} e^{-df s^2/2} / (Γ(df/2) 2^{df/2-1}),

    the density of s = sqrt(chi^2_df / df), and P_inf(w) = k ∫ φ(z) [Φ(z) - Φ(z - w)]^{k-1} dz (Tukey 1953;
    Lund & Lund 1983, AS 190), both by composite Gauss–Legendre quadrature in numpy, to about 1e-8.
    """
    import numpy as np

    if not (isinstance(k, int) and k >= 2):
        raise ValueError(f"k (the number of means) must be an integer of at least 2, got {k!r}.")
    _check_df(df)
    if q <= 0:
        return 0.0
    if math.isinf(df):
        return float(_range_cdf_normal(q, k))
    spread = math.sqrt((df + 12.0 * math.sqrt(2.0 * df) + 60.0) / df)  # beyond it the chi density is negligible
    s, ws = _composite(0.0, spread, 8)
    log_f = (df / 2) * math.log(df) + (df - 1) * np.log(s) - df * s * s / 2 - math.lgamma(df / 2) \
        - (df / 2 - 1) * math.log(2)
    return float(np.clip(np.sum(ws * np.exp(log_f) * _range_cdf_normal(q * s, k)), 0.0, 1.0))


def studentized_range_quantile(p: float, k: int, df: float) -> float:
    """The ``p`` quantile of the studentized range, by bisection on :func:`studentized_range_cdf` (to 1e-6).

    E.g. q(0.95; k = 8, df = 16) = 4.596; for k = 2 it is sqrt(2) · t_{(1+p)/2, df} exactly.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie strictly between 0 and 1, got {p}.")
    lo, hi = 0.0, 4.0
    while studentized_range_cdf(hi, k, df) < p:
        lo, hi = hi, 2.0 * hi
        if hi > 1e6:
            raise ArithmeticError(f"the studentized range cdf did not reach p={p} for k={k}, df={df}.")
    while hi - lo > 1e-6:
        mid = 0.5 * (lo + hi)
        if studentized_range_cdf(mid, k, df) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class TukeyTest:
    """Tukey's HSD for one pair: the gap over the pooled standard error, against the studentized range."""

    a: str
    b: str
    diff: float  # mean(a) - mean(b)
    se: float  # s_pooled * sqrt((1/n_a + 1/n_b) / 2)
    df: int  # N - k, the ANOVA's residual degrees of freedom
    k: int  # variants in the family
    p_adjusted: float  # P(Q >= |diff| / se), family-wise over all k(k-1)/2 pairs
    alpha: float = ALPHA

    @property
    def q(self) -> float:
        return abs(self.diff) / self.se if self.se > 0 else math.inf

    @property
    def resolved(self) -> bool:
        return self.p_adjusted <= self.alpha


def tukey_hsd(summaries: Sequence[Any], alpha: float = ALPHA) -> list[TukeyTest]:
    """Tukey's honestly significant difference (Tukey–Kramer for unequal seeds) for every pair of variants.

        q_ab = |mean_a - mean_b| / (s_pooled sqrt((1/n_a + 1/n_b) / 2)),   p_ab = P(Q_{k, N-k} >= q_ab),

    with s_pooled from :func:`anova`. It assumes every variant has the same seed-to-seed variance (check with
    :func:`equal_variance_test`); in return it estimates that variance from all N - k residuals at once,
    instead of from two arms at a time as Welch's test does.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}.")
    a = anova(summaries)
    out = []
    for x, y in combinations(summaries, 2):
        se = a.s_pooled * math.sqrt((1 / len(x.losses) + 1 / len(y.losses)) / 2)
        diff = _mean(x.losses) - _mean(y.losses)
        p = (1.0 - studentized_range_cdf(abs(diff) / se, a.k, a.df_within)) if se > 0 else float(diff == 0)
        out.append(TukeyTest(x.variant, y.variant, diff, se, a.df_within, a.k, max(0.0, p), alpha))
    return out


@dataclass(frozen=True)
class GamesHowellTest(TukeyTest):
    """Games–Howell for one pair: the gap over the pair's own (Welch) standard error, against the studentized range
    at the pair's Welch–Satterthwaite degrees of freedom."""

    df: float  # welch_df of the pair, not N - k


def games_howell(summaries: Sequence[Any], alpha: float = ALPHA) -> list[GamesHowellTest]:
    """The Games–Howell test (Games & Howell 1976) for every pair: Tukey's test without equal variances.

        q_ab = |mean_a - mean_b| / sqrt((s_a^2/n_a + s_b^2/n_b) / 2),   p_ab = P(Q_{k, nu_ab} >= q_ab),

    with nu_ab from :func:`welch_df`: each pair's spread from its own two arms, as in Welch's test, and the
    family-wise control of the studentized range of all k means, as in Tukey's. With two variants it is Welch's
    two-sided t test (Q_{2, nu} = sqrt(2) |T_nu|).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}.")
    k = len(summaries)
    if k < 2:
        raise ValueError(f"summaries must hold at least two variants, got {k}.")
    out = []
    for x, y in combinations(summaries, 2):
        s_x, s_y, n_x, n_y = _sd(x.losses), _sd(y.losses), len(x.losses), len(y.losses)
        df = welch_df(s_x, n_x, s_y, n_y)
        se = math.sqrt((s_x * s_x / n_x + s_y * s_y / n_y) / 2)
        diff = _mean(x.losses) - _mean(y.losses)
        p = (1.0 - studentized_range_cdf(abs(diff) / se, k, df)) if se > 0 else float(diff == 0)
        out.append(GamesHowellTest(x.variant, y.variant, diff, se, k=k, p_adjusted=max(0.0, p), alpha=alpha, df=df))
    return out


@dataclass(frozen=True)
class PooledContrast:
    """The matched contrast unpaired: the same mean difference, its standard error from the pooled variance."""

    mean: float
    se: float
    df: int
    level: float = 1 - ALPHA

    @property
    def quantile(self) -> float:
        return t_quantile((1 + self.level) / 2, self.df)

    @property
    def interval(self) -> tuple[float, float]:
        half = self.quantile * self.se
        return self.mean - half, self.mean + half


def pooled_matched_contrast(doc: dict[str, Any], level: float = 1 - ALPHA) -> PooledContrast | None:
    """The matched contrast as two independent groups of arms, with the ANOVA's pooled variance (N - k df).

        c = (1/K) sum_k (mean_{g_k} - mean_{p_k}),   SE = s_pooled sqrt((1/K^2) sum_k (1/n_{g_k} + 1/n_{p_k}))

    The seeds are ignored: nothing is paired, and every variant's spread is assumed equal. None without a
    matched pair or with fewer than two seeds per variant.
    """
    _check_level(level)
    summaries = samples(doc)
    by_name = {s.variant: s for s in summaries}
    pairs = [(g, p) for g, p in matched_pairs(doc["config"]["variants"]) if g in by_name and p in by_name]
    if not pairs or min(s.n for s in summaries) < 2:
        return None
    a = anova(summaries)
    k = len(pairs)
    mean = _mean([by_name[g].mean - by_name[p].mean for g, p in pairs])
    se = a.s_pooled * math.sqrt(math.fsum(1 / by_name[g].n + 1 / by_name[p].n for g, p in pairs)) / k
    return PooledContrast(mean, se, a.df_within, level)


# --- Rank correlation with its uncertainty -----------------------------------------------------------------


def spearman_permutation_p(x: Sequence[float], y: Sequence[float]) -> float:
    """Exact two-sided permutation p-value of Spearman's rho: the share of all n! orderings of y's ranks whose
    |rho| is at least the observed |rho| (no ties; n <= 9, 362,880 orderings)."""
    import numpy as np
    from itertools import permutations

    n = len(x)
    if n != len(y) or n < 3:
        raise ValueError(f"x and y must have the same length of at least 3, got {len(x)} and {len(y)}.")
    if n > 9:
        raise ValueError(f"x has {n} values; the exact test enumerates n! orderings, so n must be at most 9.")
    rx = np.argsort(np.argsort(x)).astype(np.float64)
    ry = np.argsort(np.argsort(y))
    observed = abs(spearman(x, y))
    perms = np.array(list(permutations(range(n))), dtype=np.float64)
    # rho = 1 - 6 sum d^2 / (n (n^2 - 1)) for ranks without ties
    rho = 1.0 - 6.0 * ((perms - rx[None, :]) ** 2).sum(axis=1) / (n * (n * n - 1))
    del ry
    return float(np.mean(np.abs(rho) >= observed - 1e-12))


# --- The matched contrast along training, and the steps each gate saves ------------------------------------


def _curves(doc: dict[str, Any]) -> tuple[list[int], dict[int, dict[str, list[float]]]]:
    steps = list(doc["runs"][0]["curve_steps"]) if doc["runs"] else []
    out: dict[int, dict[str, list[float]]] = {}
    for r in doc["runs"]:
        if list(r["curve_steps"]) != steps:
            raise ValueError("doc: the runs' learning curves must be evaluated at the same steps.")
        out.setdefault(r["seed"], {})[r["variant"]] = list(r["curve_val_loss"])
    return steps, out


def matched_curve(doc: dict[str, Any], level: float = 1 - ALPHA) -> list[tuple[int, SeedContrast]]:
    """The matched contrast at every evaluated step of the learning curves: (step, paired t contrast over seeds).

    At step t and seed s, d_s(t) = (1/K) sum_k (C_{g_k,s}(t) - C_{p_k,s}(t)) with C the held-out curve (scored on
    the curves' windows, which may be a subset of the final loss's); then the same paired t interval as
    :func:`matched_contrast`. Empty without a matched pair on two or more seeds.
    """
    _check_level(level)
    if not doc["runs"]:
        return []
    steps, curves = _curves(doc)
    pairs = matched_pairs(doc["config"]["variants"])
    out = []
    for i, step in enumerate(steps):
        diffs, seeds = [], []
        for seed in doc["config"]["seeds"]:
            c = curves.get(seed, {})
            if pairs and all(g in c and p in c for g, p in pairs):
                diffs.append(_mean([c[g][i] - c[p][i] for g, p in pairs]))
                seeds.append(seed)
        if len(diffs) >= 2:
            out.append((step, SeedContrast(tuple(diffs), tuple(seeds), level, tuple(g for g, _ in pairs),
                                           tuple(p for _, p in pairs), "matched")))
    return out


@dataclass(frozen=True)
class Catch:
    """When the gated variant's mean curve first reaches the loss its plain twin ends at (None: never)."""

    gated: str
    plain: str
    target: float  # the plain twin's mean curve at the last step
    step: float | None  # linear interpolation between evaluated steps
    steps: int  # the run's length
    seed_steps: tuple[float | None, ...] = ()  # per seed: its gated curve against its own plain twin's last value

    @property
    def fraction(self) -> float | None:
        """step / steps: the share of the run the gated variant needed to reach the plain one's end."""
        return None if self.step is None else self.step / self.steps


def first_reach(steps: Sequence[float], curve: Sequence[float], target: float) -> float | None:
    """The first step at which ``curve`` (evaluated at ``steps``) falls to ``target``, linearly interpolated.

    None when it never does; the first step itself when it starts at or below the target.
    """
    if len(steps) != len(curve) or not steps:
        raise ValueError(f"steps and curve must have the same non-zero length, got {len(steps)} and {len(curve)}.")
    if curve[0] <= target:
        return float(steps[0])
    for (s0, c0), (s1, c1) in zip(zip(steps, curve), zip(steps[1:], curve[1:])):
        if c1 <= target:
            return s0 + (s1 - s0) * (c0 - target) / (c0 - c1)
    return None


def catch_up(doc: dict[str, Any]) -> list[Catch]:
    """For each matched pair: the step at which the gated mean curve (over seeds) reaches the plain mean curve's
    last value. Both curves are the same held-out windows, so the comparison is like with like."""
    if not doc["runs"]:
        return []
    steps, curves = _curves(doc)
    out = []
    for g, p in matched_pairs(doc["config"]["variants"]):
        gs = [c[g] for c in curves.values() if g in c]
        ps = [c[p] for c in curves.values() if p in c]
        if not gs or not ps:
            continue
        gated_mean = [_mean(col) for col in zip(*gs)]
        target = _mean([c[-1] for c in ps])
        per_seed = tuple(first_reach(steps, c[g], c[p][-1]) for c in curves.values() if g in c and p in c)
        out.append(Catch(g, p, target, first_reach(steps, gated_mean, target), doc["config"]["train"]["steps"],
                         per_seed))
    return out


@dataclass(frozen=True)
class Table1Order:
    """A test's resolved pairs split by Table 1's order (quoted): ``agree`` and ``against`` hold the pairs as
    (ahead, behind) in the run, the variant with the lower mean loss first."""

    agree: tuple[tuple[str, str], ...]
    against: tuple[tuple[str, str], ...]

    @property
    def resolved(self) -> int:
        return len(self.agree) + len(self.against)


def table1_order(tests: Sequence[Any], quoted: dict[str, float]) -> Table1Order:
    """Split the resolved pairs of any pairwise test (``.a``, ``.b``, ``.diff`` = mean(a) - mean(b), ``.resolved``)
    into those the run orders as Table 1 does (``quoted``: variant -> log-perplexity) and those it reverses.

    A pair that Table 1 ties counts as against it; a pair with a variant Table 1 lacks is an error."""
    agree, against = [], []
    for t in tests:
        if not t.resolved:
            continue
        missing = [v for v in (t.a, t.b) if v not in quoted]
        if missing:
            raise ValueError(f"quoted has no Table 1 value for {', '.join(missing)}.")
        ahead, behind = (t.a, t.b) if t.diff < 0 else (t.b, t.a)
        (agree if quoted[ahead] < quoted[behind] else against).append((ahead, behind))
    return Table1Order(tuple(agree), tuple(against))


@dataclass(frozen=True)
class SeedBlocked:
    """The additive two-way model ``loss ~ variant + seed``: the residual once each seed's shared shift is removed."""

    k: int  # variants
    n: int  # seeds
    ss_seed: float
    ss_residual: float

    @property
    def df_seed(self) -> int:
        return self.n - 1

    @property
    def df_residual(self) -> int:
        return (self.k - 1) * (self.n - 1)

    @property
    def s_residual(self) -> float:
        return math.sqrt(self.ss_residual / self.df_residual)

    @property
    def f_seed(self) -> float:
        ms = self.ss_residual / self.df_residual
        return (self.ss_seed / self.df_seed) / ms if ms > 0 else math.inf

    @property
    def p_seed(self) -> float:
        """P(F >= f) under "the seeds shift every variant's loss by nothing"."""
        return 0.0 if math.isinf(self.f_seed) else f_sf(self.f_seed, self.df_seed, self.df_residual)


def seed_blocked_anova(doc: dict[str, Any]) -> SeedBlocked | None:
    """``loss ~ variant + seed`` on the complete seeds: L_{v,s} = mu + a_v + b_s + e_{v,s}, no interaction.

        SS_seed = k sum_s (mean_s - grand)^2,   SS_res = sum_{v,s} (L_{v,s} - mean_v - mean_s + grand)^2,

    at (k - 1)(n - 1) residual degrees of freedom. It is to the one-way ANOVA what the paired test is to the
    unpaired one: it pays n - 1 degrees of freedom to remove each seed's shift shared by all variants.
    None with fewer than two variants or two complete seeds.
    """
    by_seed = _losses_by_seed(doc)
    names = [n for n in doc["config"]["variants"] if any(n in v for v in by_seed.values())]
    seeds = [s for s in doc["config"]["seeds"] if set(names) <= by_seed.get(s, {}).keys()]
    if len(names) < 2 or len(seeds) < 2:
        return None
    table = [[by_seed[s][v] for s in seeds] for v in names]
    grand = _mean([x for row in table for x in row])
    row_m = [_mean(row) for row in table]
    col_m = [_mean([table[i][j] for i in range(len(names))]) for j in range(len(seeds))]
    ss_seed = len(names) * math.fsum((c - grand) ** 2 for c in col_m)
    ss_res = math.fsum((table[i][j] - row_m[i] - col_m[j] + grand) ** 2
                       for i in range(len(names)) for j in range(len(seeds)))
    return SeedBlocked(len(names), len(seeds), ss_seed, ss_res)


def tukey_resolved(summaries: Sequence[Any], s: float, df: float, alpha: float = ALPHA) -> int:
    """How many pairs Tukey's HSD resolves with a given residual standard deviation ``s`` at ``df`` (equal n)."""
    k = len(summaries)
    q = studentized_range_quantile(1 - alpha, k, df)
    return sum(abs(_mean(a.losses) - _mean(b.losses)) / (s / math.sqrt(len(a.losses))) > q
               for a, b in combinations(summaries, 2))
