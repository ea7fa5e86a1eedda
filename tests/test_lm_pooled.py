"""The capstone's pooled statistics (ffn_lib.lm.stats): one-way ANOVA, equal variances, the studentized range,
Tukey's HSD, the unpaired matched contrast and the exact permutation test of Spearman's rho."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from ffn_lib.lm import stats

ROOT = Path(__file__).resolve().parent.parent
GPU_RUN = ROOT / "results" / "lm-h200-2026-11-26" / "lm_results.json"

# Upper 5% (and one 1%) points of the studentized range q(p; k, df), quoted to two decimals from the printed
# table of Pearson & Hartley, Biometrika Tables for Statisticians, vol. 1 (3rd ed., 1966), Table 29 (also in
# most textbooks' "critical values of the studentized range"). Checked here against a 2-million-draw simulation
# too: q(0.95; 8, 16) = 4.897 simulated (the brief's 4.596 is a typo: the table reads 4.90).
Q_TABLE = {(0.95, 8, 16): 4.90, (0.95, 3, 10): 3.88, (0.95, 4, 20): 3.96, (0.95, 3, 2): 8.33,
           (0.99, 5, 20): 5.29, (0.95, 8, 120): 4.36}


def _summary(name, losses):
    return SimpleNamespace(variant=name, losses=tuple(losses))


def _doc(losses: dict[str, list[float]], gated: set[str]):
    seeds = list(range(len(next(iter(losses.values())))))
    return {"config": {"seeds": seeds, "variants": list(losses)},
            "params": [{"variant": v, "gated": v in gated} for v in losses],
            "runs": [{"variant": v, "seed": s, "final_val_loss": ls[s]} for v, ls in losses.items() for s in seeds]}


@pytest.mark.parametrize(("p", "k", "df"), sorted(Q_TABLE))
def test_studentized_range_quantile_matches_the_printed_table(p, k, df):
    assert stats.studentized_range_quantile(p, k, df) == pytest.approx(Q_TABLE[p, k, df], abs=6e-3)


def test_studentized_range_closed_forms():
    # k = 2: the range of two normals over s is sqrt(2) |T|, so q(p; 2, df) = sqrt(2) t_{(1+p)/2, df}
    for df in (3, 16, math.inf):
        assert stats.studentized_range_quantile(0.95, 2, df) == pytest.approx(
            math.sqrt(2) * stats.t_quantile(0.975, df), abs=2e-6)
    # df = inf, k = 2: P(|Z1 - Z2| <= w) = 2 Phi(w / sqrt 2) - 1
    from statistics import NormalDist
    assert stats.studentized_range_cdf(1.5, 2, math.inf) == pytest.approx(2 * NormalDist().cdf(1.5 / math.sqrt(2)) - 1,
                                                                          abs=1e-9)
    assert stats.studentized_range_cdf(0.0, 5, 10) == 0.0
    assert stats.studentized_range_cdf(50.0, 5, 10) == pytest.approx(1.0, abs=1e-9)


def test_studentized_range_rejects_bad_input():
    with pytest.raises(ValueError, match="k"):
        stats.studentized_range_cdf(3.0, 1, 10)
    with pytest.raises(ValueError, match="df"):
        stats.studentized_range_cdf(3.0, 4, 0)
    with pytest.raises(ValueError, match="p must"):
        stats.studentized_range_quantile(1.0, 4, 10)


def test_anova_hand_computed_and_f_is_t_squared():
    a, b = _summary("A", [1.0, 2.0, 3.0]), _summary("B", [4.0, 5.0, 6.0])
    r = stats.anova([a, b])
    assert (r.ss_between, r.ss_within, r.df_between, r.df_within) == pytest.approx((13.5, 4.0, 1, 4))
    assert r.ms_within == pytest.approx(1.0) and r.f == pytest.approx(13.5)
    # with two groups, F = t^2 of the pooled two-sample t test
    assert r.p == pytest.approx(stats.t_two_sided_p(math.sqrt(13.5), 4), rel=1e-10)
    # df1 = 2 has a closed form: P(F >= f) = (1 + 2 f / df2)^(-df2 / 2); F_{0.95}(2, 10) = 4.10 (printed tables)
    assert stats.f_sf(4.0, 2, 10) == pytest.approx(1.8 ** -5, rel=1e-10)
    assert stats.f_sf(4.10, 2, 10) == pytest.approx(0.05, abs=5e-4)
    with pytest.raises(ValueError, match="at least two variants"):
        stats.anova([a])


def test_equal_variance_tests_hand_computed():
    a, b = _summary("A", [1.0, 2.0, 3.0]), _summary("B", [4.0, 6.0, 8.0])
    # |x - median|: A 1, 0, 1; B 2, 0, 2: group means 2/3 and 4/3, SS_between 2/3, SS_within 10/3 -> F = 0.8
    bf = stats.equal_variance_test([a, b])
    assert bf.center == "median" and bf.f == pytest.approx(0.8) and (bf.df1, bf.df2) == (1, 4)
    skew = _summary("C", [4.0, 5.0, 9.0])  # median 5 and mean 6 differ: the two tests differ
    assert stats.equal_variance_test([a, skew], "mean").f != pytest.approx(stats.equal_variance_test([a, skew]).f)
    with pytest.raises(ValueError, match="center"):
        stats.equal_variance_test([a, b], "mode")


def test_tukey_with_two_groups_is_the_pooled_t_test():
    a, b = _summary("A", [1.00, 1.01, 1.02]), _summary("B", [1.05, 1.08, 1.11])
    (t,) = stats.tukey_hsd([a, b])
    s_p = math.sqrt((0.01 ** 2 + 0.03 ** 2) / 2)
    assert t.se == pytest.approx(s_p / math.sqrt(3)) and t.df == 4 and t.k == 2
    pooled_t = 0.07 / (s_p * math.sqrt(2 / 3))
    assert t.p_adjusted == pytest.approx(stats.t_two_sided_p(pooled_t, 4), abs=1e-7)


def test_tukey_controls_the_family_not_each_pair():
    groups = [_summary(n, [1.0 + d, 1.02 + d, 1.04 + d]) for n, d in zip("ABCDEFGH", [0, .03, .06, .09, .12, .15,
                                                                                     .18, .21])]
    tests = stats.tukey_hsd(groups)
    assert len(tests) == 28
    q = stats.studentized_range_quantile(0.95, 8, 16)
    for t in tests:
        assert t.resolved == (t.q > q)
        assert t.p_adjusted >= stats.t_two_sided_p(t.q / math.sqrt(2), 16) - 1e-9  # never below the raw pooled p


def test_games_howell_with_two_groups_is_welchs_t_test():
    a, b = _summary("A", [1.00, 1.01, 1.02]), _summary("B", [1.05, 1.08, 1.11])
    (t,) = stats.games_howell([a, b])
    va, vb = 0.01 ** 2 / 3, 0.03 ** 2 / 3
    df = (va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 2)
    assert t.df == pytest.approx(df) and t.k == 2 and t.se == pytest.approx(math.sqrt((va + vb) / 2))
    welch_t = 0.07 / math.sqrt(va + vb)
    assert t.p_adjusted == pytest.approx(stats.t_two_sided_p(welch_t, df), abs=1e-7)


def test_games_howell_uses_each_pairs_own_spread_and_the_whole_family():
    # A and B vary little, C a lot: A-B keeps its small se; A-C gets C's wide one and Welch's few df
    groups = [_summary("A", [1.00, 1.001, 1.002]), _summary("B", [1.01, 1.011, 1.012]),
              _summary("C", [0.90, 1.05, 1.20])]
    tests = {(t.a, t.b): t for t in stats.games_howell(groups)}
    tukey = {(t.a, t.b): t for t in stats.tukey_hsd(groups)}
    assert tests[("A", "B")].se == pytest.approx(0.001 * math.sqrt(2 / 3) / math.sqrt(2))
    assert tests[("A", "B")].resolved and not tukey[("A", "B")].resolved  # the pooled variance drowns A-B
    assert tests[("A", "C")].df == pytest.approx(stats.welch_df(0.001, 3, 0.15, 3))
    for t in tests.values():
        assert t.p_adjusted == pytest.approx(1 - stats.studentized_range_cdf(t.q, 3, t.df), abs=1e-9)
    with pytest.raises(ValueError, match="alpha"):
        stats.games_howell(groups, alpha=1.5)
    with pytest.raises(ValueError, match="summaries"):
        stats.games_howell(groups[:1])


def test_pooled_matched_contrast_hand_computed():
    losses = {"GELU": [1.45, 1.47, 1.46], "GEGLU": [1.40, 1.43, 1.41], "ReLU": [1.50, 1.52, 1.49],
              "ReGLU": [1.44, 1.49, 1.43]}
    doc = _doc(losses, {"GEGLU", "ReGLU"})
    c = stats.pooled_matched_contrast(doc)
    means = {k: sum(v) / 3 for k, v in losses.items()}
    assert c.mean == pytest.approx(((means["GEGLU"] - means["GELU"]) + (means["ReGLU"] - means["ReLU"])) / 2)
    ss = sum((x - means[k]) ** 2 for k, v in losses.items() for x in v)
    s_p = math.sqrt(ss / (12 - 4))
    assert c.df == 8 and c.se == pytest.approx(s_p * math.sqrt(2 * (1 / 3 + 1 / 3)) / 2)  # K = 2 pairs, n = 3
    assert c.interval[1] - c.mean == pytest.approx(stats.t_quantile(0.975, 8) * c.se)


def test_spearman_permutation_p_exact():
    # n = 3: the 6 orderings have rho = 1, .5, .5, -.5, -.5, -1; |rho| >= 1 in 2 of 6
    assert stats.spearman_permutation_p([1, 2, 3], [1, 2, 3]) == pytest.approx(2 / 6)
    # n = 4, rho = 0.8 (one adjacent swap): |rho| >= 0.8 for the identity, its reverse and the 3+3 single swaps
    assert stats.spearman([1, 2, 3, 4], [1, 2, 4, 3]) == pytest.approx(0.8)
    assert stats.spearman_permutation_p([1, 2, 3, 4], [1, 2, 4, 3]) == pytest.approx(8 / 24)
    with pytest.raises(ValueError, match="at most 9"):
        stats.spearman_permutation_p(list(range(10)), list(range(10)))


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_recorded_run_pooled_view():
    doc = json.loads(GPU_RUN.read_text())
    sm = stats.samples(doc)
    a = stats.anova(sm)
    # the independent review's figures, computed with SciPy: 16 df, s_pooled = 0.0147, Levene (median) p = 0.68,
    # Tukey's HSD 20 of 28 pairs against Welch + Holm's 7
    assert a.df_within == 16 and a.s_pooled == pytest.approx(0.0147, abs=5e-5)
    assert stats.equal_variance_test(sm).p == pytest.approx(0.68, abs=5e-3)
    assert sum(t.resolved for t in stats.tukey_hsd(sm)) == 20
    assert sum(t.resolved for t in stats.pairwise_tests(sm)) == 7
    # Games-Howell (per-pair Welch df, studentized range): 14, every Welch + Holm pair among them
    gh = {(t.a, t.b): t.resolved for t in stats.games_howell(sm)}
    assert sum(gh.values()) == 14
    assert all(gh[(t.a, t.b)] for t in stats.pairwise_tests(sm) if t.resolved)
    rho = stats.spearman([s.mean for s in sm], [s.table1 for s in sm])
    assert rho == pytest.approx(16 / 21)  # 1 - 6 * 20 / 504
    assert stats.spearman_permutation_p([s.mean for s in sm], [s.table1 for s in sm]) < 0.05


def _curve_doc():
    # two seeds, one matched pair; curves at steps 10, 20, 30
    curves = {("GELU", 0): [3.0, 2.0, 1.6], ("GELU", 1): [3.2, 2.2, 1.8],
              ("GEGLU", 0): [2.9, 1.7, 1.5], ("GEGLU", 1): [3.0, 1.9, 1.6]}
    return {"config": {"seeds": [0, 1], "variants": ["GELU", "GEGLU"], "train": {"steps": 30}},
            "params": [{"variant": "GELU", "gated": False}, {"variant": "GEGLU", "gated": True}],
            "runs": [{"variant": v, "seed": s, "curve_steps": [10, 20, 30], "curve_val_loss": c,
                      "final_val_loss": c[-1]} for (v, s), c in curves.items()]}


def test_matched_curve_hand_computed():
    found = stats.matched_curve(_curve_doc())
    assert [s for s, _ in found] == [10, 20, 30]
    assert found[0][1].per_seed == pytest.approx((-0.1, -0.2)) and found[1][1].per_seed == pytest.approx((-0.3, -0.3))
    assert found[2][1].mean == pytest.approx(-0.15) and found[2][1].df == 1
    lo, hi = found[0][1].interval
    assert hi - found[0][1].mean == pytest.approx(stats.t_quantile(0.975, 1) * 0.05 / math.sqrt(2) * math.sqrt(2))


def test_first_reach_interpolates_and_catch_up_uses_the_mean_curves():
    assert stats.first_reach([10, 20, 30], [3.0, 2.0, 1.0], 1.5) == pytest.approx(25.0)
    assert stats.first_reach([10, 20], [1.0, 0.5], 2.0) == 10.0
    assert stats.first_reach([10, 20], [3.0, 2.5], 2.0) is None
    with pytest.raises(ValueError, match="same non-zero length"):
        stats.first_reach([10, 20], [3.0], 2.0)
    (c,) = stats.catch_up(_curve_doc())
    # plain target: mean of 1.6 and 1.8 = 1.7; gated mean curve 2.95, 1.8, 1.55 -> 1.7 at 20 + 10 * 0.1 / 0.25 = 24
    assert (c.gated, c.plain, c.target) == ("GEGLU", "GELU", pytest.approx(1.7))
    assert c.step == pytest.approx(24.0) and c.fraction == pytest.approx(0.8)
    # seed by seed, each gated curve against its own plain twin's last value: seed 0 reaches 1.6 at
    # 20 + 10 * 0.1 / 0.2 = 25, seed 1 reaches 1.8 at 20 + 10 * 0.1 / 0.3
    assert c.seed_steps == pytest.approx((25.0, 20 + 10 / 3))


def test_seed_steps_clause_spans_the_seeds_and_counts_those_that_never_get_there():
    from ffn_lib.lm import findings

    def catch(*steps):
        return stats.Catch("GEGLU", "GELU", 1.7, 24.0, 30, steps)

    assert findings.seed_steps_clause(catch(25.0, 23.3)) == ("seed by seed, against each seed's own GELU curve, "
                                                               "steps 23 to 25")
    assert findings.seed_steps_clause(catch(25.0, None, 21.0)) == (
        "seed by seed, against each seed's own GELU curve, 2 of 3 seeds get there, at steps 21 to 25")
    assert findings.seed_steps_clause(catch(None, None)) == ("seed by seed, against each seed's own GELU curve, "
                                                               "none of the 2 seeds gets there")


def test_cost_drift_sentence_names_the_differences_within_chapter_4s_bound():
    from ffn_lib.bench.report import block_order_sentence
    from ffn_lib.lm import findings
    from ffn_lib.recorded_lessons import DRIFT

    def block(op, impl, median):
        return {"group": "block", "op": op, "impl": impl, "pass": "forward+backward", "dtype": "bfloat16",
                "time": {"median": median, "q1": median, "q3": median}, "flops": {"value": 1.0},
                "peak_memory": {"value": 1.0}}

    def bench(gated_eager, gated_fused):
        rows = [block("GELU", "eager", 1.0), block("GELU", "fused", 1.0), block("GEGLU", "eager", gated_eager),
                block("GEGLU", "fused", gated_fused)]
        return {"results": rows}

    assert DRIFT == 0.05
    text = findings.cost_drift_sentence(bench(1.10, 1.02))
    assert text.startswith(block_order_sentence(bench(1.10, 1.02)))
    assert "GELU's first" in text and "not interleaved" in text and "under 5%" in text
    assert "Here 1 of the table's 2 step-time differences are under 5% (GEGLU vs GELU fused, +2.0%)" in text
    far = findings.cost_drift_sentence(bench(1.10, 1.08))
    assert "None of the table's 2 step-time differences is under 5%" in far
    assert findings.cost_drift_sentence(None) is None and block_order_sentence(None) is None
    assert block_order_sentence({"results": [{**block("GELU", "eager", 1.0), "group": "act_mul"}]}) is None


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_recorded_run_new_sentences():
    from ffn_lib.bench import latest_run
    from ffn_lib.lm import findings, verdict

    doc = json.loads(GPU_RUN.read_text())
    # the independent review's read-outs of the curves: steps 399, 339 and 368 of 500
    steps = {c.gated: round(c.step) for c in stats.catch_up(doc)}
    assert steps == {"GEGLU": 399, "SwiGLU": 339, "ReGLU": 368}
    curve = dict(stats.matched_curve(doc))
    assert curve[50].mean == pytest.approx(-0.024, abs=5e-4) and curve[500].mean == pytest.approx(-0.112, abs=5e-4)
    pooled = " ".join(verdict.pooled_sentences(doc))
    assert "s_pooled = 0.0147 nats per character at 16 degrees of freedom" in pooled
    assert "q(0.95; 8, 16) = 4.90" in pooled and "resolves 20 of the 28 pairs" in pooled and "against 7 for" in pooled
    assert "Brown–Forsythe test p = 0.68" in pooled
    assert "the Games–Howell test" in pooled and "resolves 14 of the 28 pairs, 14 of them among Tukey's 20" in pooled
    assert "All 7 pairs that Welch's test with Holm's correction resolves are among the 14 that Games–Howell" in pooled
    paired = stats.matched_contrast(doc)
    unpaired = stats.pooled_matched_contrast(doc)
    assert unpaired.mean == pytest.approx(paired.mean)  # same seeds for every arm: the same mean difference
    text = verdict.pooled_matched_sentence(doc)
    assert text.startswith("What pairing by seed cost") and f"{unpaired.interval[0]:+.4f} to " in text
    assert "lies below zero at 8 of the 10 evaluated steps" in verdict.curve_contrast_sentence(doc)
    assert "pointwise (each step's on its own, not a band that holds at all steps at once)" in \
        verdict.curve_contrast_sentence(doc)
    assert "Brown–Forsythe's test is the weaker of the two here: with 3 seeds" in pooled
    assert "p = 0.68 is no reassurance" in pooled
    table1 = verdict.table1_sentence(doc)
    assert "of the 7 pairs Welch's t with Holm's correction resolves, all are in Table 1's order" in table1
    assert ("of the 20 pairs Tukey's HSD resolves, 18 are in Table 1's order and 2 against it (ReLU ahead of GLU and "
            "GELU ahead of GLU)") in table1
    assert "of the 14 pairs Games–Howell resolves, 13 are in Table 1's order and 1 against it (GELU ahead" in table1
    assert verdict.table1_why_sentence(doc).startswith("Why GLU trails here this run does not measure. A hypothesis")
    assert "24 runs took 70 s" in verdict.budget_sentence(doc) and "2.36 instead of 4.30" in verdict.budget_sentence(doc)
    assert "exact permutation p-value of 0.037" in verdict.table1_sentence(doc)
    bench = latest_run()
    if bench is not None:
        pay = findings.pay_sentences(bench, doc)
        assert pay[0].startswith("Does it pay? In time to the same loss, the curves suggest it does here")
        # the crossing step per seed beside the mean curve's: 386 to 430 for GEGLU against GELU
        assert "by step 399 (seed by seed, against each seed's own GELU curve, steps 386 to 430;" in pay[0]
        assert "By the mean curves the gate buys 20% to 32% fewer steps" in pay[0]
        drift = findings.cost_drift_sentence(bench)
        assert "ReLU's first" in drift and "5 of the table's 6 step-time differences are under 5%" in drift
        # the curves are scored on a subset: the target is the plain curve's last value, not the final loss
        assert "GEGLU's mean curve is down to GELU's step-500 curve value by step 399 (" in pay[0]
        assert "430; 80% of the steps" in pay[0]
        assert "final loss at step" not in pay[0] and "not its final loss on all 49,851" in pay[0]
        assert "cosine schedule is not the end of a shorter run" in pay[1]
        # a signed change is not also called "more": "+1.2% to +3.0% more time" said it twice
        assert "its step time changes by +" in pay[0] and "more time" not in pay[0]


def test_matched_curve_figure_passes_the_figure_check():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ffn_lib import figure_check
    from ffn_lib.lm import stat_figures

    doc = json.loads(GPU_RUN.read_text()) if GPU_RUN.exists() else _curve_doc()
    ax = stat_figures.plot_matched_curve(doc)
    assert figure_check.problems(ax.figure) == []
    (band,) = ax.collections
    found = stats.matched_curve(doc)
    lows = band.get_paths()[0].vertices[:, 1]
    assert min(lows) == pytest.approx(min(c.interval[0] for _, c in found))  # the band is the t interval
    plt.close(ax.figure)


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_the_committed_report_is_the_current_code_s(tmp_path):
    """lm_results.md beside the record is what markdown_report writes from the JSON today (no stale statistic)."""
    import shutil

    from ffn_lib.lm import markdown_report
    from ffn_lib.lm.__main__ import main

    doc = json.loads(GPU_RUN.read_text())
    committed = GPU_RUN.with_name("lm_results.md").read_text()
    assert committed == markdown_report(doc), "rewrite it: python -m ffn_lib.lm --report " + str(GPU_RUN)
    assert "combined standard errors" not in committed and "Tukey" in committed
    copy = tmp_path / "lm_results.json"
    shutil.copy(GPU_RUN, copy)
    assert main(["--report", str(copy)]) == 0
    assert (tmp_path / "lm_results.md").read_text() == committed and copy.read_bytes() == GPU_RUN.read_bytes()


def test_seed_blocked_anova_removes_a_shared_seed_shift():
    base = {"A": [1.0, 1.2, 1.1], "B": [1.5, 1.4, 1.6], "C": [2.0, 2.1, 1.8]}
    doc = _doc(base, set())
    b = stats.seed_blocked_anova(doc)
    assert (b.k, b.n, b.df_seed, b.df_residual) == (3, 3, 2, 4)
    # SS_total = SS_variant + SS_seed + SS_residual
    every = [x for v in base.values() for x in v]
    grand = sum(every) / 9
    ss_total = sum((x - grand) ** 2 for x in every)
    ss_variant = 3 * sum((sum(v) / 3 - grand) ** 2 for v in base.values())
    assert ss_total == pytest.approx(ss_variant + b.ss_seed + b.ss_residual)
    # residual by hand: e = L - row mean - column mean + grand
    cols = [sum(v[j] for v in base.values()) / 3 for j in range(3)]
    ss_res = sum((v[j] - sum(v) / 3 - cols[j] + grand) ** 2 for v in base.values() for j in range(3))
    assert b.ss_residual == pytest.approx(ss_res)
    # a shift that seed s gives every variant alike moves SS_seed, not the residual
    shifted = stats.seed_blocked_anova(_doc({k: [x + d for x, d in zip(v, (0.0, 0.3, -0.2))] for k, v in base.items()},
                                            set()))
    assert shifted.ss_residual == pytest.approx(b.ss_residual) and shifted.ss_seed > b.ss_seed
    assert shifted.p_seed < b.p_seed
    assert stats.seed_blocked_anova(_doc({"A": [1.0, 1.1]}, set())) is None


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_recorded_run_seed_blocking_buys_nothing():
    from ffn_lib.lm import verdict

    doc = json.loads(GPU_RUN.read_text())
    b = stats.seed_blocked_anova(doc)
    assert b.df_residual == 14 and b.p_seed > 0.5 and b.s_residual > stats.anova(stats.samples(doc)).s_pooled
    text = verdict.pooled_sentences(doc)[2]
    assert "the seeds shift nothing detectable" in text and f"{b.s_residual:.4f} at 14 degrees of freedom" in text
