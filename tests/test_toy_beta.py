import copy

import pytest
import torch
import torch.nn.functional as F

from ffn_lib import toy
from ffn_lib.blocks import GatedFFN


def test_the_teacher_task_is_computed_exactly_by_a_swish_block_with_any_beta():
    x, y = toy.gated_teacher_task(512, 8, seed=3)
    assert x.shape == y.shape == (512, 8) and y.std().item() == pytest.approx(1.0, rel=1e-5)
    x2, y2 = toy.gated_teacher_task(512, 8, seed=3)
    assert torch.equal(x, x2) and torch.equal(y, y2)  # the seed draws x and the teacher
    assert not torch.equal(y, toy.gated_teacher_task(512, 8, seed=4)[1])
    # rebuild the teacher inside Swish_beta blocks, W = W*/beta and W2 = beta W2*: the same outputs for each beta
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(512, 8, generator=gen)
    w = torch.randn(8, 4, generator=gen) / 8**0.5
    v = torch.randn(8, 4, generator=gen) / 8**0.5
    w2 = torch.randn(4, 8, generator=gen) / 2
    s = torch.empty(4).uniform_(torch.log(torch.tensor(0.25)).item(), torch.log(torch.tensor(4.0)).item(),
                                generator=gen).exp()
    teacher = (F.silu(x @ (w * s)) * (x @ v)) @ w2
    torch.testing.assert_close(teacher / teacher.std(), y)
    for beta in (0.4, 1.0, 2.5):
        block = GatedFFN(8, 4, "swish", beta=beta)
        with torch.no_grad():
            block.w_gate.weight.copy_((w * s / beta).T)
            block.w_up.weight.copy_(v.T)
            block.w_down.weight.copy_((beta * w2).T)
        torch.testing.assert_close(block(x), teacher, rtol=1e-5, atol=1e-5)


def test_the_teacher_task_refuses_bad_scales():
    with pytest.raises(ValueError, match="scales"):
        toy.gated_teacher_task(8, 4, seed=0, scales=(2.0, 1.0))
    with pytest.raises(ValueError, match="scales"):
        toy.gated_teacher_task(8, 4, seed=0, scales=(0.0, 1.0))


@pytest.fixture(scope="module")
def runs():
    return toy.beta_in_gated_block(seeds=(0,), steps=60)


def test_a_learned_beta_moves_and_the_fold_is_exact(runs):
    by = {r.label: r for r in runs}
    assert set(by) == {"β = 1, fixed", "β = 2.5, fixed", "β = 0.4, fixed", "β learned, from 1",
                       "β learned, from 2.5"}
    learned = by["β learned, from 1"]
    assert learned.learned and learned.beta_end != pytest.approx(1.0, abs=1e-4)  # beta did train
    for r in runs:  # folding beta into W and W2 gives the same predictions, hence the same loss
        assert r.folded_test_loss == pytest.approx(r.test_loss, rel=1e-4)
        assert r.test_loss < 0.5  # it learned something: the target's variance is 1
    fixed = {r.label: r.beta_end for r in runs if not r.learned}
    assert fixed == {"β = 1, fixed": 1.0, "β = 2.5, fixed": 2.5, "β = 0.4, fixed": 0.4}


def test_the_table_and_the_reading_come_from_the_runs(runs):
    table = toy.beta_table(runs)
    assert table.count("\n") == 1 + len({r.label for r in runs})
    r = {r.label: r for r in runs}["β = 0.4, fixed"]
    assert f"| β = 0.4, fixed | 0.4 | {r.test_loss:.4f} | {r.test_loss:.4f} to {r.test_loss:.4f} |" in table
    text = toy.beta_reading(runs)
    assert text.startswith("Folding each block's final β into its weights changed no held-out loss by more than")
    assert "The β learned from 1 ended between" in text and "the loss of β fixed at 1 (one seed)." in text
    assert "towards 0" in text or "towards infinity" in text or "No learned β ran" in text


def _fake(label, learned, start, ends, losses):
    return [toy.BetaRun(label, seed, learned, start, end, loss, loss) for seed, (end, loss) in
            enumerate(zip(ends, losses))]


def test_every_branch_of_the_reading():
    close = (_fake("β = 1, fixed", False, 1.0, [1, 1], [0.010, 0.012])
             + _fake("β = 2.5, fixed", False, 2.5, [2.5, 2.5], [0.011, 0.012])
             + _fake("β learned, from 1", True, 1.0, [1.02, 1.05], [0.01005, 0.0119]))
    text = toy.beta_reading(close)
    assert "ran from 0.0110 (β = 1, fixed) to 0.0115 (β = 2.5, fixed): close together." in text
    assert "The β learned from 1 ended between 1.02 and 1.05." in text
    assert "In no pair did the learned β move more than 10%" in text and "(2 of them ties within 1%)" in text
    assert "bought nothing here" in text and "No learned β ran" in text
    assert "not what it converges to" in text  # 200 steps measure early optimisation
    apart = (_fake("β = 1, fixed", False, 1.0, [1, 1], [0.01, 0.012]) + _fake("β = 0.4, fixed", False, 0.4,
                                                                            [0.4, 0.4], [0.04, 0.05])
             + _fake("β learned, from 1", True, 1.0, [0.01, 0.02], [0.005, 0.004]))
    text = toy.beta_reading(apart)
    # the seeds are paired: β = 0.4 against β = 1 seed by seed (4x and 4.17x), not by the overlap rule
    assert "'<' where" not in text and "ran from 0.0110 (β = 1, fixed) to 0.0450 (β = 0.4, fixed)." in text
    assert ("Against β fixed at 1, seed by seed, β fixed at 0.4 ended at 4.08× its loss (geometric mean over 2 "
            "seeds; 95% t-interval") in text
    assert "4.00× to 4.17×, above 1 in 2 of 2 seeds). β = 0.4 gets going more slowly than β = 1." in text
    assert "In every pair the learned β moved more than 10%" in text and "In every pair β moved and the loss fell" in text
    assert "at 0.41× the loss of β fixed at 1 (geometric mean over 2 seeds; 95% t-interval" in text
    assert "went towards 0" in text
    overlap = (_fake("β = 1, fixed", False, 1.0, [1, 1], [0.01, 0.03]) + _fake("β = 0.4, fixed", False, 0.4,
                                                                             [0.4, 0.4], [0.02, 0.05]))
    # unpaired the seeds overlap; paired, β = 0.4 is above β = 1 in both seeds, yet two seeds this spread say little
    text = toy.beta_reading(overlap)
    assert "above 1 in 2 of 2 seeds). These seeds do not tell β = 0.4 and β = 1 apart." in text
    faster = (_fake("β = 1, fixed", False, 1.0, [1] * 3, [0.02, 0.04, 0.03])
              + _fake("β = 2.5, fixed", False, 2.5, [2.5] * 3, [0.01, 0.021, 0.014]))
    assert "above 1 in 0 of 3 seeds). β = 2.5 gets going faster than β = 1." in toy.beta_reading(faster)
    (pr,) = toy.fixed_against_reference(faster)
    assert pr.start == 2.5 and pr.ratios == pytest.approx((0.5, 0.525, 0.014 / 0.03))
    no_one = (_fake("β = 2.5, fixed", False, 2.5, [2.5] * 2, [0.01, 0.012])
              + _fake("β = 0.4, fixed", False, 0.4, [0.4] * 2, [0.04, 0.05]))
    assert toy.fixed_against_reference(no_one) == []
    assert "β = 2.5, fixed < β = 0.4, fixed ('<' where every seed" in toy.beta_reading(no_one)  # no pair: the rule
    up = _fake("β learned, from 2.5", True, 2.5, [40.0], [0.02])
    text = toy.beta_reading(up)
    assert "ended between 40 and 40." in text and "towards infinity" in text
    mixed = (_fake("β = 1, fixed", False, 1.0, [1, 1, 1], [0.01, 0.01, 0.01])
             + _fake("a", True, 1.0, [1.5, 1.6, 1.0], [0.005, 0.011, 0.01]))
    text = toy.beta_reading(mixed)
    assert "In the 2 pairs where the learned β moved more than 10% from its start, the ratio ran from 0.50 to 1.10" in text
    assert "Where β moved, the loss fell in 1 of 2 pairs" in text
    with pytest.raises(ValueError, match="runs"):
        toy.beta_reading([])


def test_paired_ratios_and_their_interval():
    runs = (_fake("β = 1, fixed", False, 1.0, [1, 1, 1], [0.01, 0.02, 0.04])
            + _fake("β learned, from 1", True, 1.0, [2, 2, 1], [0.005, 0.01, 0.04]))
    (pr,) = toy.paired_ratios(runs)
    assert pr.ratios == pytest.approx((0.5, 0.5, 1.0)) and pr.moved == (True, True, False)
    assert pr.geometric_mean == pytest.approx(0.25 ** (1 / 3))
    lo, hi = pr.interval()
    assert lo < pr.geometric_mean < hi and hi > 1  # three seeds this spread cannot exclude 1
    assert toy.ranking_text([("a", [1, 2]), ("b", [3, 4]), ("c", [3.5, 9])]) == "a < b ≈ c"


def test_beta_runs_refuse_an_empty_or_impossible_setting():
    with pytest.raises(ValueError, match="seeds"):
        toy.beta_in_gated_block(seeds=())
    with pytest.raises(ValueError, match="budget"):
        toy.beta_in_gated_block(budget=8)


def test_a_fixed_beta_under_adam_is_an_init_scale_and_a_per_matrix_learning_rate():
    result = toy.beta_adam_equivalence(2.5, steps=60, n_train=512, n_test=256)
    assert result.output_size > 0.05  # the block learned outputs of a readable size
    assert result.folded_difference < 1e-4  # the same trajectory, to rounding and Adam's epsilon
    assert result.plain_difference > 1e3 * result.folded_difference  # one learning rate for all: another one


def test_the_adam_fold_scales_the_learning_rate_of_each_matrix():
    from ffn_lib.rescaling import fold_swish_beta_for_adam

    block = GatedFFN(8, 5, "swish", beta=2.5)
    folded, groups = fold_swish_beta_for_adam(block, 0.01)
    assert [g["lr"] for g in groups] == pytest.approx([0.025, 0.01, 0.004])
    assert groups[0]["params"][0] is folded.w_gate.weight and groups[2]["params"][0] is folded.w_down.weight
    x = torch.randn(16, 8)
    torch.testing.assert_close(folded(x), block(x), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="fixed beta"):
        fold_swish_beta_for_adam(GatedFFN(8, 5, "swish", beta=2.5, learn_beta=True), 0.01)
    with pytest.raises(ValueError, match="lr"):
        fold_swish_beta_for_adam(block, 0.0)
    with pytest.raises(ValueError, match="swish"):
        fold_swish_beta_for_adam(GatedFFN(8, 5, "relu"), 0.01)


def test_one_table_for_both_targets_shows_geometric_means_and_seed_ranges():
    scores = {"ReLU": toy.VariantScore("ReLU", 32, 512, (0.1, 0.4)), "GLU": toy.VariantScore("GLU", 21, 504, (0.01, 0.04))}
    results = {"product": toy.Comparison("product", 1.0, scores),
               "abs": toy.Comparison("abs", 0.5, {k: toy.VariantScore(k, v.d_ff, v.params, (0.05, 0.05))
                                                  for k, v in scores.items()})}
    table = toy.comparisons_table(results, {"product": "products"})
    assert "products: loss / baseline, geometric mean (seed range)" in table
    assert "| ReLU | 32 | 512 | 0.2 (0.1–0.4) | 0.1 (0.1–0.1) |" in table
    assert "| GLU | 21 | 504 | 0.02 (0.01–0.04) |" in table
    assert toy.geometric_mean([1, 100]) == pytest.approx(10)
    with pytest.raises(ValueError, match="results"):
        toy.comparisons_table({})
    with pytest.raises(ValueError, match="values"):
        toy.geometric_mean([1, -1])


def test_the_ranking_and_its_fold_use_the_tables_geometric_mean():
    # arithmetic means 1.0 vs 0.55: "a" is worse; geometric means 0.1 vs 0.5: "a" is better, as the table shows
    scores = {"a": toy.VariantScore("a", 4, 8, (0.01, 1.0)), "b": toy.VariantScore("b", 4, 8, (0.5, 0.5))}
    best, worst, ratio = toy.best_and_worst(toy.Comparison("product", 1.0, scores))
    assert (best.name, worst.name) == ("a", "b") and ratio == pytest.approx(5.0)
    assert scores["a"].geometric_mean == pytest.approx(0.1)
    assert toy.ranking_text([("a", [0.01, 1.0]), ("b", [0.5, 0.5])], geometric=True) == "a ≈ b"
    assert toy.ranking_text([("a", [0.01, 1.0]), ("b", [0.5, 0.5])]) == "b ≈ a"
    with pytest.raises(ValueError, match="result"):
        toy.best_and_worst(toy.Comparison("product", 1.0, {}))
