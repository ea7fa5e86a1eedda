"""The capstone's statistics (ffn_lib.lm.stats), its sentences (lm.verdict) and figures (lm.stat_figures)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from statistics import NormalDist
from types import SimpleNamespace

import pytest

from ffn_lib.lm import stat_figures, stats, verdict

ROOT = Path(__file__).resolve().parent.parent
GPU_RUN = ROOT / "results" / "lm-h200-2026-11-26" / "lm_results.json"

# Student's t, two-sided 95% (q = 0.975) and 99% (q = 0.995): printed tables (e.g. NIST/SEMATECH
# e-Handbook 1.3.6.7.2), to three decimals.
T_TABLE = {(0.975, 1): 12.706, (0.975, 2): 4.303, (0.975, 3): 3.182, (0.975, 4): 2.776, (0.975, 10): 2.228,
           (0.975, 30): 2.042, (0.995, 2): 9.925, (0.995, 10): 3.169, (0.95, 5): 2.015}


@pytest.mark.parametrize(("q", "df"), sorted(T_TABLE))
def test_t_quantile_matches_the_printed_table(q, df):
    assert stats.t_quantile(q, df) == pytest.approx(T_TABLE[q, df], abs=6e-4)


def test_t_quantile_limits_symmetry_and_round_trip():
    z = NormalDist().inv_cdf(0.975)
    assert stats.t_quantile(0.975, 1e7) == pytest.approx(z, abs=1e-5)
    assert stats.t_quantile(0.975, math.inf) == pytest.approx(z)
    assert stats.t_quantile(0.025, 4) == pytest.approx(-stats.t_quantile(0.975, 4))
    assert stats.t_quantile(0.5, 3) == 0.0
    # df = 1 is Cauchy: t_q = tan(pi (q - 1/2)); df = 2 has t_q = (2q - 1) sqrt(2 / (4 q (1 - q)))
    assert stats.t_quantile(0.9, 1) == pytest.approx(math.tan(math.pi * 0.4), rel=1e-9)
    assert stats.t_quantile(0.9, 2) == pytest.approx(0.8 * math.sqrt(2 / (4 * 0.9 * 0.1)), rel=1e-9)
    for df in (2.3, 4.0, 17.5):  # fractional df (Welch) and the p-value round trip
        t = stats.t_quantile(0.975, df)
        assert stats.t_two_sided_p(t, df) == pytest.approx(0.05, rel=1e-8)
    assert stats.t_quantile(0.975, 3.5) < stats.t_quantile(0.975, 3)  # more df, thinner tails


def test_t_quantile_rejects_bad_input():
    with pytest.raises(ValueError, match="df"):
        stats.t_quantile(0.975, 0)
    with pytest.raises(ValueError, match="q must"):
        stats.t_quantile(1.0, 3)
    with pytest.raises(ValueError, match="x must"):
        stats.betainc(1, 1, 1.5)


def test_betainc_closed_forms():
    assert stats.betainc(1, 1, 0.3) == pytest.approx(0.3)  # uniform
    assert stats.betainc(2, 1, 0.3) == pytest.approx(0.09)  # x^a for b = 1
    assert stats.betainc(0.5, 0.5, 0.5) == pytest.approx(0.5)  # symmetric
    assert stats.betainc(3, 2, 0.8) == pytest.approx(1 - stats.betainc(2, 3, 0.2))


def test_welch_df_hand_computed():
    # s_a = 0.01, s_b = 0.03, n = 3 each: v_a = 1e-4/3, v_b = 9e-4/3; nu = (10e-4/3)^2 / ((1e-4/3)^2/2 + (9e-4/3)^2/2)
    #   = 100 / ((1 + 81) / 2) = 2.439...
    assert stats.welch_df(0.01, 3, 0.03, 3) == pytest.approx(200 / 82)
    assert stats.welch_df(0.02, 3, 0.02, 3) == pytest.approx(4.0)  # equal variances, equal n: n_a + n_b - 2
    assert 2 <= stats.welch_df(0.001, 3, 0.5, 3) < 2.01  # one variance dominates: n - 1 of that one
    with pytest.raises(ValueError, match="n_a and n_b"):
        stats.welch_df(0.1, 1, 0.1, 3)


def test_holm_hand_computed_example():
    # m = 4; sorted p: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> running max 0.06)
    rejected, adjusted = stats.holm([0.01, 0.04, 0.03, 0.005], alpha=0.05)
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert rejected == [True, False, False, True]
    # Step-down stops at the first failure: 0.04 <= 0.05 / 1 alone, but 0.03 > 0.05 / 2 came first
    assert stats.holm([0.03, 0.04], alpha=0.05)[0] == [False, False]
    # Bonferroni would reject only p <= 0.0125 here; Holm rejects the second too (0.015 <= 0.05 / 3)
    assert stats.holm([0.001, 0.015, 0.5, 0.9])[0] == [True, True, False, False]
    with pytest.raises(ValueError, match="p_values"):
        stats.holm([1.2])


def _summary(name, losses):
    return SimpleNamespace(variant=name, losses=tuple(losses))


def test_pairwise_tests_use_welch_t_and_holm():
    a, b = _summary("A", [1.00, 1.01, 1.02]), _summary("B", [1.05, 1.08, 1.11])
    (t,) = stats.pairwise_tests([a, b])
    se = math.sqrt(0.01 ** 2 / 3 + 0.03 ** 2 / 3)
    assert t.diff == pytest.approx(-0.07) and t.se == pytest.approx(se) and t.df == pytest.approx(200 / 82)
    assert t.p == pytest.approx(stats.t_two_sided_p(-0.07 / se, 200 / 82))
    # 3.83 standard errors apart: "two combined standard errors" would call it resolved, a normal quantile
    # too (p = 0.0001), but Welch's t at 2.4 degrees of freedom gives p = 0.046
    assert 0.04 < t.p < 0.05 and t.resolved
    c = _summary("C", [1.00, 1.03, 1.06])
    tests = stats.pairwise_tests([a, b, c])
    assert [x.p_holm for x in tests] == pytest.approx(stats.holm([x.p for x in tests])[1])


def _doc(losses: dict[str, list[float]], gated: set[str]):
    seeds = list(range(len(next(iter(losses.values())))))
    return {"config": {"seeds": seeds, "variants": list(losses)},
            "params": [{"variant": v, "gated": v in gated} for v in losses],
            "runs": [{"variant": v, "seed": s, "final_val_loss": ls[s]} for v, ls in losses.items() for s in seeds]}


def test_family_contrast_pairs_by_seed():
    # per seed: gated mean - plain mean = (1.0+1.2)/2 - 1.3 = -0.2, 1.25 - 1.4 = -0.15, 1.0 - 1.25 = -0.25
    doc = _doc({"ReLU": [1.3, 1.4, 1.25], "GEGLU": [1.0, 1.3, 0.9], "SwiGLU": [1.2, 1.2, 1.1]}, {"GEGLU", "SwiGLU"})
    fc = stats.family_contrast(doc)
    assert fc.per_seed == pytest.approx((-0.2, -0.15, -0.25)) and fc.n == 3 and fc.df == 2
    assert fc.mean == pytest.approx(-0.2) and fc.se == pytest.approx(0.05 / math.sqrt(3))
    lo, hi = fc.interval
    assert hi - fc.mean == pytest.approx(4.302653 * 0.05 / math.sqrt(3), rel=1e-6)  # t_{0.975,2}, not 1.96
    assert fc.verdict == "better" and fc.p == pytest.approx(stats.t_two_sided_p(-0.2 / fc.se, 2))
    # Unpaired, the seed-to-seed swing (seed 1 is hard for everyone) would swamp the gap; paired, it cancels
    assert fc.se < 0.03
    assert stats.family_contrast(_doc({"ReLU": [1.0, 1.1]}, set())) is None


def test_matched_pairs_share_an_activation():
    from ffn_lib.variants import VARIANTS

    assert stats.matched_pairs(list(VARIANTS)) == [("GEGLU", "GELU"), ("SwiGLU", "Swish"), ("ReGLU", "ReLU")]
    assert stats.matched_pairs(["GLU", "Bilinear", "ReLU", "GELU", "Swish"]) == []  # no plain twin for these


MATCHED = {"ReLU": [1.50, 1.52, 1.49], "GELU": [1.45, 1.47, 1.46], "Swish": [1.52, 1.50, 1.51],
           "GLU": [1.60, 1.62, 1.58], "GEGLU": [1.40, 1.43, 1.41], "SwiGLU": [1.41, 1.40, 1.42],
           "ReGLU": [1.44, 1.49, 1.43]}


def test_matched_contrast_hand_computed():
    doc = _doc(MATCHED, {"GLU", "GEGLU", "SwiGLU", "ReGLU"})
    c = stats.matched_contrast(doc)
    # per seed: ((GEGLU-GELU) + (SwiGLU-Swish) + (ReGLU-ReLU)) / 3
    expected = [((1.40 - 1.45) + (1.41 - 1.52) + (1.44 - 1.50)) / 3, ((1.43 - 1.47) + (1.40 - 1.50) + (1.49 - 1.52)) / 3,
                ((1.41 - 1.46) + (1.42 - 1.51) + (1.43 - 1.49)) / 3]
    assert c.per_seed == pytest.approx(expected) and c.kind == "matched" and c.df == 2
    assert "GLU" not in c.gated  # no plain twin: outside the matched contrast
    sd = math.sqrt(sum((x - sum(expected) / 3) ** 2 for x in expected) / 2)
    assert c.interval[1] - c.mean == pytest.approx(4.302653 * sd / math.sqrt(3), rel=1e-6)
    # the family contrast weighs every variant equally within its family, GLU included
    f = stats.family_contrast(doc)
    assert f.per_seed[0] == pytest.approx((1.60 + 1.40 + 1.41 + 1.44) / 4 - (1.50 + 1.45 + 1.52) / 3)
    assert f.gated == ("GLU", "GEGLU", "SwiGLU", "ReGLU") and f.plain == ("ReLU", "GELU", "Swish")


def test_a_seed_counts_only_when_every_arm_ran_with_it():
    doc = _doc({"GELU": [1.5, 1.6, 1.55], "GEGLU": [1.4, 1.5, 1.45]}, {"GEGLU"})
    doc["runs"] = [r for r in doc["runs"] if (r["variant"], r["seed"]) != ("GEGLU", 2)]
    c = stats.matched_contrast(doc)
    assert c.seeds == (0, 1) and c.per_seed == pytest.approx((-0.1, -0.1))
    doc["runs"] = [r for r in doc["runs"] if (r["variant"], r["seed"]) != ("GEGLU", 1)]
    assert stats.matched_contrast(doc) is None and stats.family_contrast(doc) is None


def test_matched_tests_are_paired_and_holm_corrected():
    doc = _doc(MATCHED, {"GLU", "GEGLU", "SwiGLU", "ReGLU"})
    tests = stats.matched_tests(doc)
    assert [(t.gated, t.plain) for t in tests] == [("GEGLU", "GELU"), ("SwiGLU", "Swish"), ("ReGLU", "ReLU")]
    d = [1.40 - 1.45, 1.43 - 1.47, 1.41 - 1.46]  # GEGLU - GELU per seed
    mean = sum(d) / 3
    se = math.sqrt(sum((x - mean) ** 2 for x in d) / 2) / math.sqrt(3)
    assert tests[0].contrast.p == pytest.approx(stats.t_two_sided_p(mean / se, 2))
    assert [t.p_holm for t in tests] == pytest.approx(stats.holm([t.contrast.p for t in tests])[1])


def test_leaders_need_every_comparison_resolved():
    big = {"A": [1.00, 1.01, 1.02], "B": [1.00, 1.02, 1.01], "C": [1.50, 1.51, 1.52], "D": [1.60, 1.61, 1.62]}
    tests = stats.pairwise_tests([_summary(k, v) for k, v in big.items()])
    found = stats.leaders(tests, ["A", "B"])
    assert found["supported"] and found["unresolved"] == [] and found["top"] == ["A", "B"]
    close = dict(big, C=[1.03, 1.00, 1.05])  # C within the spread of A and B
    found = stats.leaders(stats.pairwise_tests([_summary(k, v) for k, v in close.items()]), ["A", "B"])
    assert not found["supported"] and ("A", "C") in found["unresolved"] and "C" in found["top"]
    with pytest.raises(ValueError, match="names"):
        stats.leaders(tests, ["E"])


def test_leaders_sentence_both_ways():
    from ffn_lib.variants import VARIANTS

    names = list(VARIANTS)
    clear = {n: [2.0 + 0.1 * i, 2.01 + 0.1 * i, 2.02 + 0.1 * i] for i, n in enumerate(names)}
    clear["GEGLU"], clear["SwiGLU"] = [1.00, 1.01, 1.02], [1.001, 1.011, 1.021]
    gated = {n for n in names if VARIANTS[n].gated}
    text = verdict.leaders_sentence(_doc(clear, gated))
    assert text.startswith("Table 1 puts GEGLU and SwiGLU first.") and "so this run supports the claim" in text
    noisy = dict(clear, ReGLU=[0.9, 1.3, 1.1])
    text = verdict.leaders_sentence(_doc(noisy, gated))
    assert "does not single them out" in text and "GEGLU over ReGLU" in text and "ReGLU" in text.split("top group")[1]


# t = -2.38 at 2 degrees of freedom: beyond the normal 1.96, inside Student's 4.30
BORDERLINE = _doc({"ReLU": [1.30, 1.40, 1.25], "GEGLU": [1.20, 1.38, 1.10]}, {"GEGLU"})  # -0.10, -0.02, -0.15


def _check_family_contrast_is_t_based():
    fc = stats.family_contrast(BORDERLINE)
    assert fc.mean / fc.se == pytest.approx(-2.377, abs=1e-3)
    assert fc.verdict == "cannot tell"
    assert fc.interval[1] - fc.mean == pytest.approx(4.302653 * fc.se, rel=1e-6)


def _check_pairs_are_holm_corrected():
    a, b, c = _summary("A", [1.00, 1.01, 1.02]), _summary("B", [1.05, 1.08, 1.11]), _summary("C", [1.0, 1.05, 1.1])
    tests = stats.pairwise_tests([a, b, c])
    assert sum(t.resolved_uncorrected for t in tests) == 1  # A-B, p = 0.046
    assert sum(t.resolved for t in tests) == 0  # 3 x 0.046 > 0.05


def test_the_checks_pass():
    _check_family_contrast_is_t_based()
    _check_pairs_are_holm_corrected()


def test_a_normal_quantile_in_place_of_t_is_caught(monkeypatch):
    monkeypatch.setattr(stats, "t_quantile", lambda q, df: NormalDist().inv_cdf(q))
    assert stats.family_contrast(BORDERLINE).verdict == "better"  # what the normal quantile would claim
    with pytest.raises(AssertionError):
        _check_family_contrast_is_t_based()


def test_no_correction_or_no_step_down_is_caught(monkeypatch):
    monkeypatch.setattr(stats, "holm", lambda p, alpha=0.05: ([x <= alpha for x in p], list(p)))
    with pytest.raises(AssertionError):
        _check_pairs_are_holm_corrected()
    # Bonferroni (no step-down) differs from Holm on a hand-computed family: Holm rejects 0.015 <= 0.05 / 3
    p = [0.001, 0.015, 0.5, 0.9]
    monkeypatch.undo()
    assert stats.holm(p)[0] == [True, True, False, False]
    assert [x <= 0.05 / len(p) for x in p] == [True, False, False, False]


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_recorded_gpu_run_sentences():
    doc = json.loads(GPU_RUN.read_text())
    fc = stats.family_contrast(doc)
    lo, hi = fc.interval
    assert hi < 0 and fc.n == 3
    text = " ".join(verdict.significance_sentences(doc))
    assert f"{lo:+.4f} to {hi:+.4f}" in text and "2 degrees of freedom, t quantile 4.30" in text
    tests = stats.pairwise_tests(stats.samples(doc))
    n_holm, n_raw = sum(t.resolved for t in tests), sum(t.resolved_uncorrected for t in tests)
    assert n_holm < n_raw  # Holm must matter on this run, else the test below could not see it
    assert f"{n_holm} are resolved at the 5% level after Holm's correction for 28 comparisons" in text
    assert f"without the correction, {n_raw} would be" in text
    matched = stats.matched_contrast(doc)
    assert matched.gated == ("GEGLU", "SwiGLU", "ReGLU") and matched.plain == ("GELU", "Swish", "ReLU")
    m_lo, m_hi = matched.interval
    assert m_hi < 0 and f"{m_lo:+.4f} to {m_hi:+.4f}" in text
    assert text.index("GEGLU against GELU") < text.index("Over the whole families")  # matched first
    assert ("1/5 for each of the 5 gated variants, GLU, GEGLU, Bilinear, SwiGLU and ReGLU; 1/3 for each of the 3 plain "
            "ones") in text
    spread = verdict.plain_spread(doc)
    assert spread["run"] == pytest.approx(spread["high"].mean - spread["low"].mean)
    # nats per character against nats per token: only each span over its own source's matched gain is compared
    assert spread["gain_table1"] == pytest.approx(((1.942 - 1.983) + (1.944 - 1.994) + (1.953 - 1.997)) / 3)
    assert spread["rel_run"] == pytest.approx(spread["run"] / -matched.mean)
    assert spread["rel_table1"] == pytest.approx(spread["table1"] / -spread["gain_table1"])
    assert 2 < spread["relative"] < 3  # 0.80 of the gate's gain here against 0.31 in Table 1
    early = verdict.early_learning_sentence(doc)
    assert "Table 1's spread" not in early and "nats per SentencePiece token" in early and "500 steps" in early
    assert f"activations spread {spread['relative']:.1f} times as much" in early
    assert "cannot be compared in size" in verdict.table1_gap_sentence()
    said = verdict.verdict(doc)
    assert "**supports**" in said and f"{m_lo:+.4f} to {m_hi:+.4f}" in said
    assert "after 500 steps at one shared learning rate (0.002)" in said.split("**supports**")[0]
    assert "GLU ended above the best plain variant, GELU, and finished last of all 8 variants" in said
    assert "leaves 2 of the 3 matched pairs unresolved, which shows its lower power" in said
    # the paired and the 28-pair verdicts are reconciled, and the top group is said to be the 28-pair test's
    rec = verdict.reconcile_sentence(doc)
    assert rec.startswith("The matched test above resolves GEGLU minus GELU and ReGLU minus ReLU, which the test "
                          "of all 28 pairs does not") and "multiplies its smallest p-value by 3" in rec
    assert "Before any correction both tests find the gap" in rec and rec in text
    assert text.index("Its top group by this test") < text.index(rec)
    # the seed shares the data order, not the initial weights; its correlation is printed (negative on this run)
    pairing = verdict.pairing_sentence(doc)
    assert "unrelated initial weights" in pairing and "GEGLU and GELU: r = -0.95" in pairing
    assert "Pairing gains nothing here" in pairing
    # "GEGLU and SwiGLU do best" is not typed anywhere: the run's tests do not single them out
    leaders = verdict.leaders_sentence(doc)
    assert "does not single them out" in leaders and "GEGLU over GELU" in leaders


def test_text_colour_follows_the_cell_luminance():
    assert stat_figures.text_color_on((0.02, 0.19, 0.38, 1.0)) == "white"  # RdBu's darkest blue
    assert stat_figures.text_color_on((0.40, 0.0, 0.12, 1.0)) == "white"  # its darkest red
    assert stat_figures.text_color_on((0.97, 0.97, 0.97, 1.0)) == "black"
    assert stat_figures.text_color_on((0.96, 0.65, 0.51, 1.0)) == "black"


def _texts_apart(ax) -> bool:
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
    return all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_gpu_figures_pass_the_figure_check_and_labels_do_not_overlap():
    """Every figure the chapter draws for the recorded run: legible at a 1280 px window, no label on another."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ffn_lib import figure_check
    from ffn_lib.lm import figures

    doc = json.loads(GPU_RUN.read_text())
    for draw in (stat_figures.plot_pairwise_gaps, stat_figures.plot_vs_table1_t, stat_figures.plot_final_losses,
                 stat_figures.plot_contrasts, stat_figures.plot_matched_curve, figures.plot_curves):
        ax = draw(doc)
        assert figure_check.problems(ax.figure) == [], draw.__name__
        ax.figure.canvas.draw()
        assert _texts_apart(ax), draw.__name__
        if draw is stat_figures.plot_vs_table1_t:
            renderer = ax.figure.canvas.get_renderer()
            boxes = {t.get_text(): t.get_window_extent(renderer) for t in ax.texts}
            assert not boxes["GEGLU"].overlaps(boxes["SwiGLU"])
        if draw is stat_figures.plot_pairwise_gaps:
            cells = [t for t in ax.texts if t.get_text()]
            assert {t.get_color() for t in cells} == {"black", "white"}  # dark cells get white labels
            cell_px = ax.get_window_extent().width / len(ax.get_xticks())
            assert max(t.get_window_extent().width for t in cells) < cell_px  # each number inside its cell
        plt.close(ax.figure)


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_the_pairwise_map_reads_the_right_way_round():
    """Row minus column in nats, best first, a diverging map centred at 0, and a colour bar saying what negative means."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    doc = json.loads(GPU_RUN.read_text())
    names, gap, resolved = stat_figures.pairwise_gaps(doc)
    means = {s.variant: s.mean for s in stats.samples(doc)}
    assert names == sorted(means, key=means.get)  # best first
    assert gap[0, -1] == pytest.approx(means[names[0]] - means[names[-1]]) and gap[0, -1] < 0
    assert (gap == -gap.T).all() and (resolved == resolved.T).all()
    ax = stat_figures.plot_pairwise_gaps(doc)
    image = ax.images[0]
    assert image.norm.vmin == 0 and image.norm.vmax == pytest.approx(gap[-1, 0])
    bar = image.colorbar.ax.get_ylabel()
    assert "row minus column" in bar and "nats per character" in bar and "row's variant is worse" in bar
    # each pair once, below the diagonal: 28 numbers, all non-negative, the worst-vs-best cell the darkest
    k = len(names)
    cells = {t.get_position(): t.get_text() for t in ax.texts if t.get_text()}
    assert len(cells) == k * (k - 1) // 2 and all(i > j for j, i in cells)
    assert all(not text.startswith("-") for text in cells.values())
    assert cells[(0, k - 1)] == f"{gap[-1, 0]:+.3f}"
    assert image.get_array().mask[0, -1] and not image.get_array().mask[-1, 0]
    # a resolved pair's box lies inside its cell, so two resolved neighbours keep apart
    boxes = [p for p in ax.patches if p.get_width() < 1]
    assert len(boxes) == int(resolved.sum()) // 2 and boxes
    # Tukey's pairs get a dot each, in the cell's upper right corner; the legend names both marks
    tukey = stat_figures.pairwise_tukey(doc)
    dots = {(round(x - 0.3), round(y + 0.3)) for line in ax.lines for x, y in [line.get_xydata()[0]]}
    assert dots == {(j, i) for i in range(k) for j in range(i) if tukey[i, j]}
    assert len(dots) == sum(t.resolved for t in stats.tukey_hsd(stats.samples(doc))) == 20
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("box: resolved by Welch's t") and "(7)" in legend[0]
    assert legend[1].startswith("dot: resolved by Tukey's HSD") and "(20)" in legend[1]
    plt.close(ax.figure)


def test_chapter_builds_its_sentences_in_the_library_and_hides_their_input():
    path = ROOT / "notebooks" / "08_does_the_gate_pay.ipynb"
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    code = ["".join(c["source"]) for c in cells]
    assert not any("def verdict" in s or "def run_notes_on" in s for s in code)
    sentence_cells = [c for c, s in zip(cells, code)
                      if any(k in s for k in ("verdict.", "run_notes.", "lm.sentences("))]
    assert len(sentence_cells) >= 4
    for c in sentence_cells:
        assert "hide-input" in c["metadata"].get("tags", []), "".join(c["source"])[:80]
    # the recorded GPU run gets every figure; this page's short run only its table and curves
    for draw in ("plot_final_losses", "plot_pairwise_gaps", "plot_vs_table1_t", "plot_contrasts", "plot_matched_curve"):
        assert sum(f"stat_figures.{draw}(gpu" in s for s in code) == 1, draw
        assert not any(f"stat_figures.{draw}(doc" in s for s in code), draw
    assert sum("lm.plot_curves(gpu" in s for s in code) == 1
    live = [s for s in code if "run_experiment(" in s]
    assert len(live) == 1 and "lm.DEMO" in live[0]  # the live run is the short demonstration
    joined = "\n".join(code)
    for name in ("demo_sentence(doc", "full_run_sentence(doc", "cost_sentence(bench, gpu", "cost_markdown(bench, gpu",
                 "curve_sentence(gpu", "matched_sentence(gpu", "family_sentence(gpu", "leaders_sentence(gpu",
                 "early_learning_sentence(gpu", "pairing_sentence(gpu", "reconcile_sentence(gpu",
                 "over_fitting_sentence(gpu", "cost_shape_sentence(bench", "corpus_lines(gpu", "pooled_sentences(gpu",
                 "pooled_matched_sentence(gpu", "curve_contrast_sentence(gpu", "pay_sentences(bench, gpu",
                 "budget_sentence(gpu"):
        assert name in joined, name
    # the recorded run's text is printed before this page's, in the data section, not first in the cost section
    assert joined.index("corpus_lines(gpu") < joined.index("run_experiment(")
    prose = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                      if c["cell_type"] == "markdown")
    assert "do best" not in prose  # a claim only the tests may make (verdict.leaders_sentence)
    flat = " ".join(prose.split())
    assert "initial draw for both arms" not in flat and "unrelated matrices" in flat  # a seed shares the data order only
    assert "Llama-3-8B's width" not in flat  # the block rows are d_ff 16,384 / 11,008, read from the rows
    assert "command line's report" not in flat  # the learning-curve check is generated on the page
    # Shazeer (2020), sec. 3: batches of 128 examples, inputs of 512 tokens, targets of 114 (span filling on C4)
    assert "128 examples, each an input of 512 tokens and a target of 114" in " ".join(prose.split())


def test_seed_correlation_measures_what_pairing_gains():
    # GEGLU follows GELU seed by seed (r = +1): the per-seed differences are constant, pairing removes the spread
    doc = _doc({"GELU": [1.3, 1.4, 1.5], "GEGLU": [1.2, 1.3, 1.4]}, {"GEGLU"})
    p = stats.seed_correlation(doc, "GEGLU", "GELU")
    assert p.r == pytest.approx(1.0) and p.n == 3 and p.se_paired == pytest.approx(0.0, abs=1e-12)
    assert p.se_unpaired == pytest.approx(math.sqrt(2 * 0.01 / 3)) and p.ratio < 1e-9
    assert "Pairing narrows the intervals" in verdict.pairing_sentence(doc)
    # opposite orders (r = -1): the differences vary twice as much as either arm, pairing widens the interval
    doc = _doc({"GELU": [1.3, 1.4, 1.5], "GEGLU": [1.4, 1.3, 1.2]}, {"GEGLU"})
    p = stats.seed_correlation(doc, "GEGLU", "GELU")
    assert p.r == pytest.approx(-1.0) and p.ratio == pytest.approx(math.sqrt(2))
    assert "Pairing gains nothing here" in verdict.pairing_sentence(doc)
    assert "GEGLU and GELU: r = -1.00" in verdict.pairing_sentence(doc)
    with pytest.raises(ValueError, match="a and b"):
        stats.seed_correlation(doc, "SwiGLU", "GELU")


def test_reconcile_says_nothing_when_both_tests_agree():
    clear = {"ReLU": [2.0, 2.001, 2.002], "GELU": [1.9, 1.901, 1.902], "GEGLU": [1.5, 1.501, 1.502]}
    assert verdict.reconcile_sentence(_doc(clear, {"GEGLU"})) is None
