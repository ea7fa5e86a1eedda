import pytest

from ffn_lib import toy


def test_a_learned_beta_moves_but_buys_nothing_the_weights_cannot_absorb():
    runs = toy.beta_in_gated_block(seeds=(0,), steps=60)
    by = {r.label: r for r in runs}
    learned = by["β learned, from 1"]
    assert learned.learned and learned.beta_end != pytest.approx(1.0, abs=1e-4)  # beta did train
    for r in runs:  # folding beta into W and W2 gives the same predictions, hence the same loss
        assert r.folded_test_loss == pytest.approx(r.test_loss, rel=1e-4)
        assert r.test_loss < 1.0  # it learned something: the target's variance is 1
    fixed = {r.label: r.beta_end for r in runs if not r.learned}
    assert fixed == {"β = 1, fixed": 1.0, "β = 2.5, fixed": 2.5}


def test_beta_runs_refuse_an_empty_or_impossible_setting():
    with pytest.raises(ValueError, match="seeds"):
        toy.beta_in_gated_block(seeds=())
    with pytest.raises(ValueError, match="budget"):
        toy.beta_in_gated_block(budget=8)
