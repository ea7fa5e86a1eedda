"""The recorded block figure: text inside the canvas, no overlapping labels, legible legend, memory as recorded."""

import pytest

from ffn_lib import figure_check
from ffn_lib.bench import recorded
from ffn_lib.bench.block_figure import LEGEND_SIZE, block_figure

OPS = ["SwiGLU", "SwiGLU (d_ff 14336)"]


@pytest.fixture
def section():
    s = recorded("block", OPS, passes=["forward+backward"], title="The SwiGLU block, one training step")
    if not s.rows():
        pytest.skip("no recorded GPU run")
    return s


def test_figure_passes_the_figure_check(section):
    fig = block_figure(section)
    assert figure_check.problems(fig) == []


def test_the_old_figure_fails_it(section):  # the check can see what was wrong before
    assert figure_check.problems(section.figure()) != []


def test_memory_bars_are_the_recorded_values_and_legend_is_legible(section):
    fig = block_figure(section)
    rate, memory = fig.axes
    widths = [p.get_width() for p in memory.patches]
    assert widths == pytest.approx([r["peak_memory"]["value"] / 2**30 for r in section.rows()])
    assert all(t.get_fontsize() >= LEGEND_SIZE for t in rate.get_legend().get_texts())
    assert "peak memory" in memory.get_title()


def test_no_rows_no_figure():
    assert block_figure(recorded("block", ["no such block"])) is None
