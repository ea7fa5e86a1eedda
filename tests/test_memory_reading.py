"""Chapter 4's memory budget table and the reading of why the peaks differ less than the saved bytes."""

import pytest

from ffn_lib import analysis, sizing

CASES = (("ReLU", "relu", False, False), ("GLU", "sigmoid", True, False), ("SwiGLU", "silu", True, False),
         ("SwiGLU, fused", "silu", True, True))


def _budgets(tokens=8192, d_model=4096, plain=16384, gated=11008):
    return {label: sizing.training_step_memory(tokens, d_model, gated if g else plain, "bfloat16", gated=g,
                                               activation=act, fused=f) for label, act, g, f in CASES}


def test_the_reading_counts_the_widths_alive_at_each_peak():
    text = analysis.memory_peak_reading(_budgets())
    # plain: h + dh + dz = 3 full widths; GLU has freed h: act(g), u + dh, d act(g), du = 5 x 0.672 = 3.36
    assert "3 tensors of the hidden width alive (1 saved, 2 gradients): 3.00 full widths" in text
    assert "GLU peaks in the product's backward with 5 (2 saved, 3 gradients), each 0.672 of the plain width: " \
           "3.36 full widths, 1.12× the plain block's" in text
    assert "W2's backward frees h" in text and "narrower" not in text and "two thirds as wide" not in text
    assert "yet their peaks are 1.05× and 1.23× the ReLU block's" in text
    assert analysis.memory_peak_reading({"ReLU": _budgets()["ReLU"]}) == ""


def test_the_budget_table_has_one_row_per_block_and_the_recorded_peak():
    b = _budgets()
    table = analysis.memory_budget_table(b, {"ReLU": b["ReLU"]["peak"]})
    lines = table.splitlines()
    assert len(lines) == 2 + len(b)
    assert lines[2].startswith("| ReLU | 0.250 GiB (1 × 0.250) | the activation's backward | "
                               "y (the output) + h + dW2 + dh + dz | 0.938 GiB | 0.938 GiB |")
    assert lines[3].endswith("| 0.986 GiB | – |")
    with pytest.raises(ValueError, match="budgets"):
        analysis.memory_budget_table({})
