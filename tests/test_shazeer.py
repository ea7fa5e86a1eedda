"""Shazeer's Table 1 as dots: the quoted values at the dots, the quoted std as the error bars, nothing clipped."""

import numpy as np
import pytest

from ffn_lib import figure_check
from ffn_lib.shazeer import table1
from ffn_lib.variants import VARIANTS


def _dots(ax):
    return [tuple(line.get_xydata()[0]) for line in ax.get_lines() if line.get_marker() == "o" and len(line.get_xdata())]


def test_dots_are_the_quoted_values_best_on_top():
    fig = table1()
    for ax, key in zip(fig.axes, ("log_perplexity_65k", "log_perplexity_524k")):
        names = [t.get_text() for t in ax.get_yticklabels()]
        assert sorted(names) == sorted(VARIANTS)
        xs = dict(zip(names, [x for x, _ in sorted(_dots(ax), key=lambda d: d[1])]))
        assert xs == pytest.approx({n: getattr(VARIANTS[n], key) for n in names})
        assert getattr(VARIANTS[names[0]], key) == max(getattr(v, key) for v in VARIANTS.values())  # worst at y=0


def test_error_bars_are_the_quoted_std():
    ax = table1().axes[0]
    spans = sorted(np.ptp(seg[:, 0]) / 2 for c in ax.collections for seg in getattr(c, "get_segments", lambda: [])())
    assert spans == pytest.approx(sorted(v.log_perplexity_65k_std for v in VARIANTS.values()))


def test_axis_is_not_truncated_to_exaggerate_and_figure_is_clean():
    fig = table1()
    assert figure_check.problems(fig) == []
    lo, hi = fig.axes[0].get_xlim()
    values = [v.log_perplexity_65k for v in VARIANTS.values()]
    assert lo < min(values) and hi > max(values)


def test_statements_follow_the_quoted_numbers():
    from dataclasses import replace

    from ffn_lib.shazeer import statements

    lines = statements()
    assert len(lines) == 5 and all(line.startswith("- ") for line in lines)
    assert "GLU" in lines[0].split("did not")[0].split(";")[1]  # GLU is the gated variant that does not clear
    assert "(GELU, 1.983)" in lines[0]
    moved = dict(VARIANTS, GLU=replace(VARIANTS["GLU"], log_perplexity_65k=1.90))
    assert "; none did not." in statements(moved)[0]


def test_leaders_are_the_quoted_bests():
    from ffn_lib.shazeer import leaders

    best = leaders()
    assert {k: v.name for k, v in best.items()} == {"log_perplexity_65k": "GEGLU", "log_perplexity_524k": "GEGLU",
                                                    "glue": "ReGLU", "superglue": "SwiGLU"}
    assert (best["glue"].glue, best["superglue"].superglue) == (84.67, 74.56)  # FACTS.md, Tables 2 and 3


def test_leaders_sentence_follows_the_numbers():
    from dataclasses import replace

    from ffn_lib.shazeer import leaders_sentence

    text = leaders_sentence()
    assert text.startswith("No variant leads on every measure")
    assert "GEGLU has the lowest log-perplexity at both lengths (1.942 at 65,536 steps, 1.633 at 524,288)" in text
    assert "ReGLU the best GLUE average (84.67)" in text and "SwiGLU the best SuperGLUE average (74.56)" in text
    moved = dict(VARIANTS, GEGLU=replace(VARIANTS["GEGLU"], glue=85.0, superglue=75.0))
    assert leaders_sentence(moved).startswith("In Shazeer's quoted tables one variant leads on every measure, GEGLU")
    split = dict(VARIANTS, SwiGLU=replace(VARIANTS["SwiGLU"], log_perplexity_524k=1.60))
    assert "SwiGLU at 524,288 steps (1.600)" in leaders_sentence(split)
