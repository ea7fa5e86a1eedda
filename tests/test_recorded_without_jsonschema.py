"""Reading a recorded run needs no jsonschema (the lent GPU machine has none); writing one never loses it."""

import json
import sys

import pytest

from ffn_lib.bench import report
from ffn_lib.lm import results as lm_results


@pytest.fixture
def no_jsonschema(monkeypatch):
    for name in [m for m in sys.modules if m == "jsonschema" or m.startswith("jsonschema.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # import jsonschema raises ImportError


def test_recorded_runs_are_read_without_jsonschema(no_jsonschema):
    with pytest.raises(ImportError):
        import jsonschema  # noqa: F401
    runs = report.load_runs()
    assert runs and all(r["provenance"]["command"].startswith("python -m ffn_lib.bench") for r in runs)
    assert "NO_RUN" not in report.recorded("act_mul", ["silu"], title="x")._repr_markdown_()
    assert lm_results.load_runs() and lm_results.recorded()._repr_markdown_().startswith("**Recorded GPU run")


def test_validate_written_says_when_it_could_not_validate(no_jsonschema):
    assert "not validated here (no jsonschema)" in report.validate_written({}, "x.json")


def test_validate_written_validates_where_it_can():
    pytest.importorskip("jsonschema")
    with pytest.raises(ValueError, match="x.json"):
        report.validate_written({}, "x.json")


def test_an_invalid_lm_run_is_kept_on_disk(tmp_path):
    pytest.importorskip("jsonschema")
    doc = json.loads(lm_results.results_files()[0].read_text())
    del doc["provenance"]  # what a schema bug or a missing field would do to a finished run
    with pytest.raises(ValueError, match="lm_results.invalid.json"):
        lm_results.write_outputs(doc, tmp_path)
    assert json.loads((tmp_path / "lm_results.invalid.json").read_text())["runs"] == doc["runs"]
    assert not (tmp_path / "lm_results.json").exists()  # the chapter reads only valid runs
