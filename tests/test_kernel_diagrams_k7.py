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
    for fig in (D.flat_grid(1000, 256), D.row_grid(3, 100, 64), D.data_flow(), D.program_anatomy()):
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
