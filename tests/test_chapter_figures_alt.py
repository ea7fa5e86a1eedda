"""Chapters 5, 6 and 8: every figure cell carries alt text in its ``mystnb.image.alt`` metadata (how the course gives a
figure its alt text, for inline matplotlib output as for the diagrams), and the recorded roofline labels the
datasheet roofs as quoted and keeps its zoomed panel's x axis a category, not a jittered intensity."""

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["05_geglu", "06_swiglu", "08_does_the_gate_pay"]
# what makes a code cell draw a figure in these chapters (plotting.use_style() alone draws nothing)
DRAWS = re.compile(r"plt\.subplots|plotting\.(?!use_style)\w+\(|\.figure\(\)|diagrams\.\w+\(|(?<!lm\.)recorded\(|"
                   r"act_mul_pivot\(|block_figure\.show\(|table1\(|stat_figures\.plot_\w+\(|lm\.plot_curves\(")


def _cells(chapter):
    return json.loads((ROOT / "notebooks" / f"{chapter}.ipynb").read_text())["cells"]


def _alt(cell):
    return cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_cell_has_alt_text(chapter):
    drawing = [c for c in _cells(chapter) if c["cell_type"] == "code" and DRAWS.search("".join(c["source"]))]
    assert len(drawing) >= 5, "the pattern finds the chapter's figure cells"
    missing = [c["id"] for c in drawing if not _alt(c) or len(_alt(c)) < 80]
    assert not missing, f"{chapter}: figure cells without alt text: {missing}"
    for c in drawing:
        assert not _alt(c).lower().endswith(".png"), c["id"]


def test_the_recorded_roofline_cell_carries_the_figures_own_alt_text():
    from ffn_lib.bench import latest_run
    from ffn_lib.diagrams import kernel as D

    run = latest_run()
    if run is None:
        pytest.skip("no recorded GPU run")
    cell = next(c for c in _cells("06_swiglu") if "kernel_diagrams.recorded_roofline(run)" in "".join(c["source"]))
    assert _alt(cell) == D.recorded_roofline(run).alt


def test_datasheet_roofs_are_quoted_only_for_their_device_and_labelled_as_quoted():
    from ffn_lib.bench import latest_run
    from ffn_lib.diagrams import kernel as D

    run = latest_run()
    if run is None:
        pytest.skip("no recorded GPU run")
    assert D.datasheet_roofs(run) == (4.8e12, 1979e12 / 2, "nvidia2024h200")
    other = {**run, "provenance": {**run["provenance"], "device": {**run["provenance"]["device"],
                                                                    "name": "NVIDIA A100-SXM4-80GB"}}}
    assert D.datasheet_roofs(other) is None
    fig = D.recorded_roofline(run)
    ax, zoom = fig.axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("datasheet" in t and "quoted" in t and "4.8 TB/s" in t for t in labels)
    assert "quoted" in fig.alt
    assert any("datasheet" in t.get_text() and "quoted" in t.get_text() for t in zoom.texts)
    fig_other = D.recorded_roofline(other)
    assert not any("datasheet" in t.get_text() for t in fig_other.axes[0].get_legend().get_texts())


def test_the_zoomed_panel_does_not_jitter_along_a_quantitative_axis():
    from ffn_lib.bench import latest_run
    from ffn_lib.diagrams import kernel as D

    run = latest_run()
    if run is None:
        pytest.skip("no recorded GPU run")
    zoom = D.recorded_roofline(run).axes[1]
    ticks = [t.get_text() for t in zoom.get_xticklabels()]
    assert [t.split("\n")[0] for t in ticks] == ["forward", "backward", "fwd+bwd"]  # categories, not intensities
    assert "FLOP per byte" in zoom.get_xlabel()
    for collection in zoom.collections:
        xs = {round(float(x), 6) for x, _ in collection.get_offsets()}
        assert len(xs) == 1  # one column per pass and implementation
        x = xs.pop()
        assert min(abs(x - round(x) - d) for d in (-0.25, 0.0, 0.25)) < 1e-6


def test_every_chapter_7_figure_cell_has_alt_text():
    """Chapter 7 draws its diagrams through ``kernel_diagrams``, and its recorded figures through the act·mul
    pivot, the speed-up figure and the block figure: each such cell carries alt text, and a diagram's is the
    figure's own."""
    from ffn_lib.diagrams import kernel as D

    draws = re.compile(DRAWS.pattern + r"|speedup_figure\(")
    drawing = [c for c in _cells("07_writing_the_kernel")
               if c["cell_type"] == "code" and draws.search("".join(c["source"]))]
    ids = [c["id"] for c in drawing]
    assert len(drawing) >= 9, ids  # 5 diagrams, the roofline, the pivot, the speed-ups, 2 block figures
    missing = [c["id"] for c in drawing if not _alt(c) or len(_alt(c)) < 80]
    assert not missing, f"07_writing_the_kernel: figure cells without alt text: {missing}"
    for c in drawing:
        assert not _alt(c).lower().endswith(".png"), c["id"]
    pivot = next(c for c in drawing if "act_mul_pivot(" in "".join(c["source"]))
    assert "SiLU" in _alt(pivot) and "GELU" in _alt(pivot)
    grid = next(c for c in drawing if "kernel_diagrams.row_grid(rows=3, d=100, block=64)" in "".join(c["source"]))
    assert _alt(grid) == D.row_grid(rows=3, d=100, block=64).alt
