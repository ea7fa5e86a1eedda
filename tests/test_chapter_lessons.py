"""Chapter 7's sentences about the recorded GPU run are generated from its numbers: check that they follow them.

The chapter's ``lessons`` function is ``ffn_lib.recorded_lessons.lessons``, which the chapter's hidden cell
calls. Runs here are the committed recorded run, edited row by row: a test's input,
never a figure the book shows.
"""

import copy
import json

import pytest

from ffn_lib.bench import latest_run, row, value
from bookutil import ROOT


def _lessons():
    from ffn_lib.recorded_lessons import lessons

    nb = json.loads((ROOT / "notebooks" / "07_writing_the_kernel.ipynb").read_text())
    assert any("from ffn_lib.recorded_lessons import" in "".join(c["source"]) and "lessons(run)" in "".join(c["source"])
               for c in nb["cells"] if c["cell_type"] == "code"), "the chapter no longer calls recorded_lessons"
    return lessons


@pytest.fixture(scope="module")
def run():
    doc = latest_run()
    if doc is None:
        pytest.skip("no recorded GPU run under results/")
    return doc


def _with(doc, source_impl, impl, scale=1.0, group="act_mul", quantity="copy_share"):
    """A copy of ``doc`` with rows of ``impl`` made from ``source_impl``'s, their ``quantity`` times ``scale``."""
    doc = copy.deepcopy(doc)
    new = []
    for r in doc["results"]:
        if r["group"] == group and r["impl"] == source_impl:
            r2 = copy.deepcopy(r)
            r2["impl"] = impl
            r2[quantity]["value"] *= scale
            new.append(r2)
    doc["results"] += new
    return doc


def test_no_run_no_sentences():
    assert _lessons()(None) == []


def test_sentences_of_the_recorded_run(run):
    text = "\n".join(_lessons()(run))
    assert "Launch shape" in text and "Host path" in text and "torch.compile" in text and "erf" in text
    assert "[gate | up]` tensor, `act_mul_cat` against compile" not in text  # no compile_cat rows: no claim


def test_compile_of_the_same_layout_is_the_fused_cat_kernels_baseline(run):
    ahead = _with(run, "fused_cat", "compile_cat", scale=0.9)
    assert "ahead or within half a point on every gate and pass" in "\n".join(_lessons()(ahead))
    behind = _with(run, "fused_cat", "compile_cat", scale=1.1)
    text = "\n".join(_lessons()(behind))
    assert "behind on" in text and "SiLU forward" in text


def test_host_floor_sentence_follows_the_numbers(run):
    eager = value("host", "silu", "eager", "forward+backward", "host_time", run=run)
    fused = value("host", "silu", "fused", "forward+backward", "host_time", run=run)
    above = _with(run, "eager", "floor", scale=1.3, group="host", quantity="host_time")
    text = "\n".join(_lessons()(above))
    assert f"launches nothing at all took {eager * 1.3 * 1e6:.0f} µs" in text and "1.3× eager's whole step" in text
    assert f"add {(fused - eager * 1.3) * 1e6:.0f} µs to it" in text
    below = _with(run, "eager", "floor", scale=0.5, group="host", quantity="host_time")
    assert "below eager's whole step" in "\n".join(_lessons()(below))
