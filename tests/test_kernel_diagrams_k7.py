"""Chapter 7's diagrams, read as a learner sees them: the figure check catches a label cut off by its axes (the
flat grid's "masked" once showed as "maske"), and the anatomy diagram of one Triton program."""

import matplotlib.pyplot as plt

from ffn_lib import figure_check
from ffn_lib.diagrams import kernel as D


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_text()]


def test_a_label_clipped_by_its_axes_is_a_problem_even_saved_tight():
    fig, ax = plt.subplots(figsize=(4, 1))
    ax.set_xlim(0, 10)
    ax.set_axis_off()
    ax.text(9.9, 0.5, "masked", ha="center", clip_on=True)
    found = figure_check.problems(fig, bbox_inches="tight")
    assert len(found) == 1 and "'masked' is cut off at the edge of its axes" in found[0], found
    ax.texts[0].set_clip_on(False)
    assert figure_check.problems(fig, bbox_inches="tight") == []
    plt.close(fig)


def test_every_chapter_7_diagram_passes_the_check():
    for fig in (D.flat_grid(1000, 256), D.row_grid(3, 100, 64), D.data_flow(), D.data_flow_backward(),
                D.program_anatomy()):
        assert figure_check.problems(fig, bbox_inches="tight") == [], fig.alt


def test_the_anatomy_diagram_follows_one_program_line_by_line():
    fig = D.program_anatomy(n=10, block=4)
    texts = _texts(fig)
    for code in ("pid = tl.program_id(0)", "offsets = pid * BLOCK + tl.arange(0, BLOCK)", "mask = offsets < n",
                 "tl.load(x_ptr + offsets, mask=mask)"):
        assert code in texts, code
    # the last program (2 of 3): offsets 8..11, the mask True below n = 10, the load only there
    assert [t for t in texts if t in ("8", "9", "10", "11")] == ["8", "9", "10", "11"]
    assert texts.count("True") == 2 and texts.count("False") == 2 and "x[8]" in texts and "x[10]" not in texts
    assert "Program 2 of 3" in fig.alt and "offsets are 8 to 11" in fig.alt
    assert "offsets are 0 to 3" in D.program_anatomy(n=10, block=4, pid=0).alt


def test_the_anatomy_diagram_refuses_bad_arguments():
    import pytest

    with pytest.raises(ValueError, match="pid"):
        D.program_anatomy(n=10, block=4, pid=3)
    with pytest.raises(ValueError, match="block"):
        D.program_anatomy(n=10, block=0)
    with pytest.raises(ValueError, match="at most 24"):
        D.program_anatomy(n=100, block=4)


def test_a_label_larger_than_its_box_is_a_problem():
    fig, ax = plt.subplots(figsize=(4, 1))
    D._bare(ax, 100, 1)
    D._box(ax, 90, 0.1, 10, 0.8, "masked", "0.8")  # 10 of 100 units: too narrow for the word
    found = figure_check.problems(fig, bbox_inches="tight")
    assert len(found) == 1 and "'masked' is cut off at the edge of the shape" in found[0], found
    plt.close(fig)


def test_the_flat_grid_labels_its_masked_lanes_inside_their_box():
    fig = D.flat_grid(1000, 256)
    ax = fig.axes[0]
    label = next(t for t in ax.texts if t.get_text() == "masked")
    box = next(p for p in ax.patches if p.get_x() == 1000)  # the grey lanes past n
    assert label.get_clip_box() is not None and label.get_rotation() == 90
    assert box.get_x() < label.get_position()[0] < box.get_x() + box.get_width()
    assert not [t for t in ax.texts if t.get_text() == "masked" and t.get_position()[1] > 1.7]
    assert figure_check.problems(fig) == [] and "24 offsets past the end" in fig.alt


def test_the_row_grid_draws_each_rows_masked_lanes():
    fig = D.row_grid(rows=3, d=100, block=64)
    texts = _texts(fig)
    assert texts.count("masked") == 2 * 3  # the last column block of each row, in both halves
    patches = fig.axes[0].patches
    filled = [p for p in patches if p.get_facecolor()[3] > 0]  # the tensor's columns, drawn at their true width
    assert sorted({(round(p.get_x()), round(p.get_width())) for p in filled}) == [(0, 64), (64, 36), (100, 64),
                                                                                  (164, 36)]
    assert fig.axes[0].get_xlim() == (0, 100 + 128)  # the row (200 columns) and the up program's lanes past it
    hatched = [p for p in patches if p.get_hatch()]
    # no gap between gate and up: the gate program's masked lanes lie on up's first 28 columns, the up program's
    # past the row's end
    assert sorted({(round(p.get_x()), round(p.get_width())) for p in hatched}) == [(100, 28), (200, 28)]
    assert len(hatched) == 2 * 3
    assert any("would read up's first 28 columns" in t for t in texts)
    assert not any("columns d and up" in t for t in texts)
    assert "36 valid columns and 28 masked lanes" in fig.alt and "up's first 28 columns" in fig.alt
    assert figure_check.problems(fig, bbox_inches="tight") == []
    # a width that the blocks divide: no masked lanes, nothing hatched, nothing said about them
    even = D.row_grid(rows=2, d=128, block=64)
    assert not [p for p in even.axes[0].patches if p.get_hatch()] and "masked" not in _texts(even)
    assert "hatched" not in even.alt


def test_the_backward_data_flow_counts_nine_passes_against_five():
    fig = D.data_flow_backward()
    texts = _texts(fig)
    titles = [ax.get_title() for ax in fig.axes]
    assert any("9 tensor passes" in t for t in titles) and any("5 tensor passes" in t for t in titles)
    eager, fused = fig.axes
    assert len([t for t in eager.texts if t.get_text() == "dy"]) == 1
    # every arrow is a tensor pass: 9 in eager (dy read twice), 5 fused
    assert [len([c for c in ax.texts if c.get_text() == "" and hasattr(c, "arrow_patch")]) for ax in fig.axes] == [9, 5]
    assert {"mul du", "mul ds", "silu_bwd", "act_mul_bwd", "dg", "du", "ds"} <= set(texts)
    assert "nine tensor passes" in fig.alt and "five passes" in fig.alt
    assert figure_check.problems(fig, bbox_inches="tight") == []


def test_chapter_7_cites_what_it_names_and_lists_what_it_cites():
    import json
    import re
    from pathlib import Path

    from ffn_lib.sources import reference_list

    cells = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / "07_writing_the_kernel.ipynb")
                       .read_text())["cells"]
    prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    cited = {k.strip() for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", prose) for k in group.split(",")}
    listing = next("".join(c["source"]) for c in cells if "reference_list(" in "".join(c["source"]))
    listed = set(re.findall(r'"(\w+)"', listing))
    assert cited <= listed, f"cited in ch7 but not in its reference list: {sorted(cited - listed)}"
    # the sources the chapter names, each cited where it is named
    for name, key in (("DualGemm", "thakkar2023cutlass"), ("gemm_gated", "daolab2025quack"),
                      ("float32 additions", "higham2002accuracy")):
        paragraph = next(p for p in prose.split("\n\n") if name in p)
        assert f"{{cite:p}}`{key}`" in paragraph, name
    text = str(reference_list(sorted(listed)))  # every listed key is a known source
    assert "Higham" in text and "DualGemm" in text and "QuACK" in text


def test_every_shape_of_a_chapter_7_diagram_lies_inside_its_axes():
    """A box that crosses its axes' edge loses that border (the backward data flow's s, dy and u once did)."""
    for fig in (D.flat_grid(1000, 256), D.row_grid(3, 100, 64), D.data_flow(), D.data_flow_backward(),
                D.program_anatomy()):
        for ax in fig.axes:
            (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
            for p in ax.patches:
                if hasattr(p, "get_x"):
                    assert x0 <= p.get_x() and p.get_x() + p.get_width() <= x1 + 1e-9, (fig.alt[:40], p)
                    assert y0 <= p.get_y() and p.get_y() + p.get_height() <= y1 + 1e-9, (fig.alt[:40], p)
