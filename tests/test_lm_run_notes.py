"""The paragraphs under the recorded GPU run (ffn_lib.lm.run_notes), generated from the record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ffn_lib.lm import run_notes

GPU_RUN = Path(__file__).resolve().parent.parent / "results" / "lm-h200-2026-11-26" / "lm_results.json"


def _record(rates):
    seeds = sorted({s for v in rates.values() for s in v})
    return {"config": {"seeds": seeds, "tokens_per_run": 1000},
            "data": {"train_tokens": 400, "sha256": "a" * 64},
            "runs": [{"variant": v, "seed": s, "tokens_per_s": r} for v, by in rates.items() for s, r in by.items()],
            "path": "/nonexistent/lm-x/lm_results.json"}


def test_drift_larger_than_the_gap_cannot_rank_speeds():
    rec = _record({"ReLU": {0: 1000.0, 1: 1500.0}, "SwiGLU": {0: 1100.0, 1: 1200.0}})
    d = run_notes.rate_drift(rec)
    assert d["swing"]["ReLU"] == pytest.approx(0.5) and d["worst"] == "ReLU"
    assert d["between"] == pytest.approx(1250 / 1150 - 1)
    assert d["by_seed"] == {0: pytest.approx(1050.0), 1: pytest.approx(1350.0)}
    text = run_notes.drift_sentence(rec)
    assert "up to 50% from one seed to another (ReLU: 1 k to 2 k)" in text
    assert "cannot rank the variants' speeds" in text


def test_gap_larger_than_the_drift_is_said():
    rec = _record({"ReLU": {0: 2000.0, 1: 2050.0}, "SwiGLU": {0: 1000.0, 1: 1010.0}})
    assert "larger than that drift" in run_notes.drift_sentence(rec)
    assert run_notes.rate_drift(_record({"ReLU": {0: 1.0}})) is None


def test_text_and_passes():
    rec = _record({"ReLU": {0: 1.0, 1: 1.0}})
    info = {"sha256": "a" * 64, "python": "3.x", "chars": 10}
    assert run_notes.text_sentence(rec, info, 2.0) == "Both runs read the same text (the same SHA-256)."
    assert "2.5 passes over its training text" in run_notes.recorded_notes(rec, info, 2.0)


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_the_recorded_run_has_its_notes():
    rec = {**json.loads(GPU_RUN.read_text()), "path": str(GPU_RUN)}
    found = run_notes.notes_on(rec)
    assert found is not None and "RUN_NOTES.md" in found[0] and "shared" in found[1]


@pytest.mark.skipif(not GPU_RUN.exists(), reason="the recorded GPU run is not in this checkout")
def test_corpus_lines_put_the_recorded_text_first_and_say_how_it_differs():
    rec = {**json.loads(GPU_RUN.read_text()), "path": str(GPU_RUN)}
    info = {"chars": 465126, "vocab_size": 103, "train_tokens": 418613, "val_tokens": 46513, "python": "3.11.7",
            "sha256": "b" * 64}
    text = run_notes.corpus_lines(rec, info, 3.238)
    assert text.index("The recorded run read 498,510 characters, 104 distinct") < text.index("465,126 characters")
    assert "Python 3.12.3" in text.split("\n\n")[0] and "unigram baseline 3.218" in text.split("\n\n")[0]
    assert text.split("\n\n")[2].startswith("The two runs read different versions of the text")
    assert "read different versions" not in run_notes.recorded_notes(rec, info, 3.238)  # said once, at first sight
