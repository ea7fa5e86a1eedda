"""The recorded block figure: time relative to the plain blocks' median (a difference of 2% must show), the products'
rates, a memory panel only where memory differs, nothing where there is nothing to compare; text inside the canvas,
no overlapping labels, a legible legend."""

import numpy as np
import pytest

from ffn_lib import figure_check
from ffn_lib.bench import recorded
from ffn_lib.bench.block_figure import (LEGEND_SIZE, MEMORY_SPREAD, baseline, block_figure, reference,
                                        relative_times)
from ffn_lib.bench.rows import select

OPS = ["SwiGLU", "SwiGLU (d_ff 14336)"]


def _needs_run(section):
    if not section.rows():
        pytest.skip("no recorded GPU run")
    return section


@pytest.fixture
def section():
    return _needs_run(recorded("block", OPS, passes=["forward+backward"], title="The SwiGLU block, one training step"))


@pytest.fixture
def gated():  # chapter 4's section: the plain block and three gated ones, eager and fused, both passes
    return _needs_run(recorded("block", ["ReLU", "GLU", "Bilinear", "ReGLU"], title="plain and gated blocks"))


def _dots(ax):
    """(x, y) of every dot drawn (the markers, not the lines)."""
    return [(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.get_lines()
            if line.get_marker() == "o" and len(line.get_xdata()) == 1]


def test_figures_pass_the_figure_check(section, gated):
    for s in (section, gated, recorded("gemm", title="products")):
        fig = block_figure(s)
        assert fig is not None and figure_check.problems(fig) == []
        assert all(t.get_fontsize() >= LEGEND_SIZE for t in fig.legends[0].get_texts())


def test_blocks_are_drawn_as_time_over_the_plain_blocks_median(gated):
    """1 is the median of the eager ReLU, GELU and Swish blocks (not one plain row, whose noise would move every
    gated block), and the axis says so."""
    from statistics import median

    fig = block_figure(gated)
    forward, step = fig.axes  # ReLU and GLU differ by 1-2% in memory: no memory panel
    ref = {p: median(r["time"]["median"] for r in select(gated.run, group="block", ops=["ReLU", "GELU", "Swish"],
                                                         impl="eager", pass_=p))
           for p in ("forward", "forward+backward")}
    assert reference(gated, "forward") == (pytest.approx(ref["forward"]),
                                           "the eager plain blocks' median (ReLU, GELU, Swish)")
    assert "plain\nblocks' median" in forward.get_xlabel()
    relu = baseline(gated, "forward", against="ReLU")["time"]["median"]
    assert reference(gated, "forward", against="ReLU")[0] == relu
    for ax, pass_ in ((forward, "forward"), (step, "forward+backward")):
        rows = [r for r in gated.rows() if r["pass"] == pass_]
        xs = sorted(x for x, _ in _dots(ax))
        assert xs == pytest.approx(sorted(r["time"]["median"] / ref[pass_] for r in rows))
        assert any(line.get_linestyle() == "--" and line.get_xdata()[0] == 1.0 for line in ax.get_lines())
        lo, hi = ax.get_xlim()
        assert lo > 0.5 and hi - lo < 0.5, "a scale from zero would hide the few percent between blocks"
    # the whiskers are the quartiles over the same median
    r, v, q1, q3 = relative_times(gated)[3]
    assert q1 <= v <= q3 and q1 == pytest.approx(r["time"]["q1"] / ref[r["pass"]])


def test_without_a_matched_relu_block_the_first_eager_row_is_one(section):
    assert baseline(section, "forward+backward")["op"] == "SwiGLU"  # the d_ff 14336 block is larger than ReLU's
    assert baseline(section, "forward+backward", against="ReLU")["op"] == "ReLU"
    with pytest.raises(ValueError, match="against"):
        baseline(section, "forward+backward", against="no such block")
    ones = [v for r, v, _, _ in relative_times(section) if r["op"] == "SwiGLU" and r["impl"] == "eager"]
    assert ones == [1.0]


def test_memory_panel_only_where_the_values_differ(section, gated):
    fig = block_figure(section)
    memory = fig.axes[-1]
    assert "peak memory" in memory.get_title()
    widths = [p.get_width() for p in memory.patches]
    assert widths == pytest.approx([r["peak_memory"]["value"] / 2**30 for r in section.rows()])
    values = [r["peak_memory"]["value"] for r in gated.rows() if r.get("peak_memory")]
    assert (max(values) - min(values)) / max(values) < MEMORY_SPREAD
    assert not any("peak memory" in ax.get_title() for ax in block_figure(gated).axes)


def test_products_are_drawn_as_their_rates():
    products = _needs_run(recorded("gemm", title="products"))
    ax = block_figure(products).axes[0]
    assert sorted(x for x, _ in _dots(ax)) == pytest.approx(sorted(r["flop_rate"]["value"] / 1e12
                                                                   for r in products.rows()))
    assert "TFLOP/s" in ax.get_xlabel() and ax.get_xlim()[0] > 0.5 * min(x for x, _ in _dots(ax))


def test_nothing_to_compare_no_figure(gated):
    assert block_figure(recorded("block", ["no such block"])) is None
    alone = recorded("block", ["ReLU"], title="the plain block")  # one row per pass: the table says it all
    assert alone.rows() and block_figure(alone) is None and alone.figure() is None
    assert recorded("activation", ["relu"]).figure() is None  # one number: a table's job
    assert gated.figure() is not None and np.isclose(len(_dots(gated.figure().axes[0])), 7)


def test_a_block_beside_a_wider_one_of_its_name_is_labelled_with_its_width(section):
    """ch6: "SwiGLU" beside "SwiGLU (d_ff 14336)" reads "SwiGLU (d_ff 11008)" in the table and the figure."""
    from ffn_lib.bench.report import labelled

    d_ff = section.run["config"]["d_ff_gated"]
    table = section._repr_markdown_()
    assert f"| SwiGLU (d_ff {d_ff}) | eager |" in table and "| SwiGLU | " not in table
    fig = block_figure(section)
    texts = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()] + [ax.get_xlabel() for ax in fig.axes]
    assert f"SwiGLU (d_ff {d_ff}), eager" in texts and "SwiGLU, eager" not in texts
    assert any(f"the eager SwiGLU (d_ff {d_ff}) block" in t for t in texts)
    alone = [{"op": "ReLU", "params": {"d_ff": 16384}}, {"op": "SwiGLU", "params": {"d_ff": 11008}}]
    assert [r["label"] for r in labelled(alone)] == ["ReLU", "SwiGLU"]  # no wider namesake: the name stays


def test_chapter4_reading_prints_the_charts_1_and_condenses_the_blocks_within_drift(gated):
    """The chart's 1 is the middle one of three plain medians the table does not show: the reading prints all three
    (ms) per pass, so every ratio can be checked from the page; blocks all within drift get one sentence, and a
    block outside it brings back one bullet per block and pass."""
    import copy
    import re
    import statistics

    from ffn_lib.bench.block_figure import plain_family_median, plain_family_times
    from ffn_lib.recorded_lessons import against_plain_summary

    run, ops = gated.run, ("ReLU", "GLU", "Bilinear", "ReGLU")
    text = against_plain_summary(run, ops)
    for pass_, words in (("forward", "forward"), ("forward+backward", "one training step")):
        times = plain_family_times(run, pass_)
        assert list(times) == ["ReLU", "GELU", "Swish"]
        assert statistics.median(times.values()) == plain_family_median(run, pass_)
        relu, gelu, swish = (f"{t * 1e3:.3f}" for t in times.values())
        shown = f"{relu}, {gelu} and {swish}"
        assert f"{words} {shown} ms, so {plain_family_median(run, pass_) * 1e3:.3f} ms" in text, text
    from ffn_lib.recorded_lessons import DRIFT

    eager = [(m, lo, hi) for r, m, lo, hi in relative_times(gated) if r["impl"] == "eager"]
    ratios = [m for m, _, _ in eager]
    close = all(lo <= 1 <= hi or 0 < lo - 1 < DRIFT or 0 < 1 - hi < DRIFT for _, lo, hi in eager)
    assert ("Every block in the table" in text) == close and ("- GLU, the forward" in text) != close
    if close:
        lo, hi = re.search(r"took ([0-9.]+)× to ([0-9.]+)× that time", text).groups()
        assert (lo, hi) == (f"{min(ratios):.2f}", f"{max(ratios):.2f}")
    # one block far from the plain ones: every block and pass gets its bullet, and no "every block" sentence
    far = copy.deepcopy(run)
    for r in far["results"]:
        if r["group"] == "block" and r["op"] == "GLU" and r["impl"] == "eager" and r["pass"] == "forward":
            r["time"].update(median=r["time"]["median"] * 1.5, q1=r["time"]["q1"] * 1.5, q3=r["time"]["q3"] * 1.5)
    listed = against_plain_summary(far, ops)
    assert "Every block in the table" not in listed and listed.count("\n- ") + listed.startswith("- ") == 8
    assert "- GLU, the forward: 1.5" in listed
    # a run without one of the plain blocks, or without a block asked for, gives nothing
    no_gelu = copy.deepcopy(run)
    no_gelu["results"] = [r for r in run["results"] if not (r["group"] == "block" and r["op"] == "GELU")]
    assert against_plain_summary(no_gelu, ops) == "" and plain_family_times(no_gelu, "forward") is None
    assert against_plain_summary(run, ("no such block",)) == "" and against_plain_summary(None, ops) == ""
