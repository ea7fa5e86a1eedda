"""Chapter 7's lessons, generated from the recorded run: its numbers, and fewer sentences when rows are missing."""

import copy

import pytest

from ffn_lib.bench import latest_run, value
from ffn_lib.recorded_lessons import host_sentence, lessons


@pytest.fixture
def run():
    doc = latest_run()
    if doc is None:
        pytest.skip("no recorded GPU run")
    return doc


def test_lessons_carry_the_runs_numbers(run):
    out = lessons(run)
    assert out[0].startswith(f"From the run on {run['provenance']['device']['name']}")
    compile_line = next(line for line in out if line.startswith("- **torch.compile**"))
    assert f"eager {value('act_mul', 'silu', 'eager', 'forward', run=run):.0%}" in compile_line
    erf = next(line for line in out if line.startswith("- **erf**"))
    assert f"eager {value('act_mul', 'gelu', 'eager', 'forward', run=run):.0%}" in erf


def test_a_missing_row_drops_its_sentence_only(run):
    doc = copy.deepcopy(run)
    doc["results"] = [r for r in doc["results"] if r["impl"] != "compile"]
    out = lessons(doc)
    assert not any(line.startswith("- **torch.compile**") for line in out)
    assert not any(line.startswith("- **erf**") for line in out)
    assert any(line.startswith("- **Launch shape**") for line in out)
    assert lessons(None) == []


def test_host_sentence():
    host = {False: {"fused_us": 3.0, "eager_us": 6.0}, True: {"fused_us": 9.0, "eager_us": 3.0}}
    text = host_sentence(host)
    assert "3.0 µs of host time forward" in text and "(0.5× and 3.0× eager's" in text
    assert "not installed" in host_sentence(None)
