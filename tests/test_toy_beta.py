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
    assert "The β learned from 1 ended between" in text and "for β fixed at 1." in text
    assert "towards 0" in text or "towards infinity" in text or "No learned β ran" in text


def _fake(label, learned, start, ends, losses):
    return [toy.BetaRun(label, seed, learned, start, end, loss, loss) for seed, (end, loss) in
            enumerate(zip(ends, losses))]


def test_every_branch_of_the_reading():
    close = (_fake("β = 1, fixed", False, 1.0, [1, 1], [0.010, 0.012])
             + _fake("β = 2.5, fixed", False, 2.5, [2.5, 2.5], [0.011, 0.012])
             + _fake("β learned, from 1", True, 1.0, [0.9, 1.4], [0.012, 0.014]))
    text = toy.beta_reading(close)
    assert "ran from 0.0110 (β = 1, fixed) to 0.0115 (β = 2.5, fixed): close together." in text
    assert "ended between 0.9 and 1.4, with a mean held-out loss of 0.0130 against 0.0110" in text
    assert "never ended lower than keeping it fixed from the same start (2 runs)" in text and "No learned β ran" in text
    apart = (_fake("β = 1, fixed", False, 1.0, [1], [0.01]) + _fake("β = 0.4, fixed", False, 0.4, [0.4], [0.04])
             + _fake("β learned, from 1", True, 1.0, [0.01], [0.005]))
    text = toy.beta_reading(apart)
    assert "4.0× as much" in text and "the gap is the optimisation's" in text
    assert "ended lower than keeping it fixed from the same start in all 1 runs" in text and "went towards 0" in text
    up = _fake("β learned, from 2.5", True, 2.5, [40.0], [0.02])
    text = toy.beta_reading(up)
    assert "ended between 40 and 40, with a mean held-out loss of 0.0200." in text and "towards infinity" in text
    mixed = (_fake("β = 1, fixed", False, 1.0, [1], [0.01]) + _fake("β = 2, fixed", False, 2.0, [2], [0.01])
             + _fake("a", True, 1.0, [1.1], [0.005]) + _fake("b", True, 2.0, [2.1], [0.02]))
    assert "in 1 of 2 runs: no consistent effect" in toy.beta_reading(mixed)
    with pytest.raises(ValueError, match="runs"):
        toy.beta_reading([])


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
