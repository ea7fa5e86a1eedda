"""Tensor-parallel shards of a gated FFN: every rank holds matching gate and up columns, the ranks' activations
concatenate to the block's, and their partial outputs sum to its output (the all-reduce)."""

import pytest
import torch

from ffn_lib import sharding as S
from ffn_lib.blocks import GatedFFN


def _weights(d_model=16, d_ff=12):
    torch.manual_seed(0)
    return (torch.randn(d_model, d_ff, dtype=torch.float64), torch.randn(d_model, d_ff, dtype=torch.float64),
            torch.randn(d_ff, d_model, dtype=torch.float64))


@pytest.mark.parametrize("ranks", [1, 2, 3, 4])
@pytest.mark.parametrize("layout", S.LAYOUTS)
def test_rank_outputs_concatenate_and_sum_to_the_full_block(layout, ranks):
    w_gate, w_up, w_down = _weights()
    x = torch.randn(5, 16, dtype=torch.float64)
    full_h = torch.nn.functional.silu(x @ w_gate) * (x @ w_up)
    w = torch.cat([w_gate, w_up], dim=1) if layout == "stacked" else S.interleave_columns(w_gate, w_up)
    local, partial = S.parallel_swiglu(x, S.shard_gate_up(w, ranks, layout), S.shard_down(w_down, ranks), layout)
    assert len(local) == ranks
    assert torch.allclose(torch.cat(local, dim=1), full_h)
    assert torch.allclose(sum(partial), full_h @ w_down)


def test_the_result_is_the_course_block():
    """The same weights in GatedFFN (nn.Linear stores (out, in): pass weight.T) give the same output."""
    torch.manual_seed(0)
    blk = GatedFFN(16, 12, "silu").double()
    x = torch.randn(3, 16, dtype=torch.float64)
    w = torch.cat([blk.w_gate.weight.T, blk.w_up.weight.T], dim=1)
    _, partial = S.parallel_swiglu(x, S.shard_gate_up(w, 2, "stacked"), S.shard_down(blk.w_down.weight.T, 2),
                                   "stacked")
    assert torch.allclose(sum(partial), blk(x))


def test_a_contiguous_cut_of_a_stacked_weight_mismatches_the_halves():
    w_gate, w_up, w_down = _weights()
    x = torch.randn(5, 16, dtype=torch.float64)
    w = torch.cat([w_gate, w_up], dim=1)
    full = torch.nn.functional.silu(x @ w_gate) * (x @ w_up)
    local, _ = S.parallel_swiglu(x, S.contiguous_shards(w, 2), S.shard_down(w_down, 2), "stacked")
    assert not torch.allclose(torch.cat(local, dim=1), full)


def test_interleaving_puts_gate_at_even_and_up_at_odd_columns():
    g, u = torch.arange(6.0).view(2, 3), -torch.arange(6.0).view(2, 3)
    w = S.interleave_columns(g, u)
    assert torch.equal(w[:, ::2], g) and torch.equal(w[:, 1::2], u)
    assert all(torch.equal(a, b) for a, b in zip(S.gate_up_halves(w, "interleaved"), (g, u)))


def test_layout_table_says_which_splits_keep_pairs():
    rows = S.layout_rows(4, 2)
    assert [r["matched"] for r in rows] == [False, True, True]
    assert rows[0]["ranks"] == ["g0 g1 g2 g3", "u0 u1 u2 u3"]
    assert rows[1]["ranks"] == ["g0 g1 u0 u1", "g2 g3 u2 u3"]
    assert rows[2]["ranks"] == ["g0 u0 g1 u1", "g2 u2 g3 u3"]
    table = S.layout_table(4, 2)
    assert len(table.splitlines()) == 5 and all(line.count("|") == 5 for line in table.splitlines())


def test_bad_input_names_the_argument():
    w = torch.zeros(4, 6)
    with pytest.raises(ValueError, match="divisible by ranks"):
        S.shard_gate_up(w, 2, "stacked")
    with pytest.raises(ValueError, match="layout"):
        S.shard_gate_up(torch.zeros(4, 8), 2, "blocked")
    with pytest.raises(ValueError, match="ranks"):
        S.shard_down(torch.zeros(6, 4), 4)
    with pytest.raises(ValueError, match="w_gate_up"):
        S.contiguous_shards(torch.zeros(4, 5), 1)
