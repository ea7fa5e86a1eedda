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
