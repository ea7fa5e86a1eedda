"""Progress is never lost and never breaks a check: damaged files are set aside, valid entries kept."""

import json

import pytest

from ffn_lib import exercises as E
from ffn_lib.exercises import store as P

DAMAGED = {
    "exercises is a list": '{"exercises": []}',
    "exercises is null": '{"exercises": null}',
    "entry is null": '{"exercises": {"2.1": null}}',
    "fields of the wrong type": '{"exercises": {"2.1": {"attempts": "many", "status": 42}}}',
    "unknown status": '{"exercises": {"2.1": {"status": "great", "attempts": 2}}}',
    "negative count and bool hints": '{"exercises": {"2.1": {"attempts": -3, "hints": true}}}',
    "top level is a list": "[1, 2, 3]",
    "top level is a string": '"progress"',
    "not JSON": "{this is not json",
    "truncated JSON": '{"exercises": {"2.1": {"status": "corr',
    "not UTF-8": b"\xff\xfe\x00garbage\x80",
    "bad key": '{"exercises": {"chapter two": {"status": "correct"}}}',
}


def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_damaged_progress_never_raises_and_is_set_aside(monkeypatch, tmp_path, capsys, content):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    _write(path, content)
    original = path.read_bytes()
    ex = E.chapter(2).q1
    assert ex.check(ex.expected()).passed
    assert "Hint 1" in str(ex.hint())
    assert "Solution to exercise 2.1" in str(ex.solution())
    table = E.progress()
    assert "<table>" in table._repr_html_() and "2.1" in str(table)
    row = next(r for r in table.rows if r["id"] == "2.1")
    assert row["status"] == "correct" and row["hints"] == 1 and row["solution_viewed"] is True
    aside = sorted(tmp_path.glob("progress.json.corrupt-*"))
    assert len(aside) == 1, "the damaged file is kept, once, beside the new one"
    assert aside[0].read_bytes() == original
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "damaged" in err and aside[0].name in err
    data = json.loads(path.read_text())  # the new file is clean
    assert P.clean(data)[1] == []
    assert _leftovers(tmp_path) == []


def test_valid_entries_are_kept_beside_damaged_ones(monkeypatch, tmp_path, capsys):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    path.write_text(json.dumps({"version": 1, "exercises": {
        "1.2": {"status": "correct", "attempts": 3, "hints": 1, "solution_viewed": False},
        "2.1": None,
        "3.1": {"status": "incorrect", "attempts": "x", "hints": 2},
    }}))
    rows = {r["id"]: r for r in E.progress().rows}
    assert rows["1.2"]["status"] == "correct" and rows["1.2"]["attempts"] == 3
    assert rows["3.1"]["status"] == "incorrect" and rows["3.1"]["attempts"] == 0 and rows["3.1"]["hints"] == 2
    assert rows["2.1"]["status"] == "not attempted"
    assert len(list(tmp_path.glob("progress.json.corrupt-*"))) == 1
    assert "damaged" in capsys.readouterr().err


def test_a_valid_file_is_left_alone(monkeypatch, tmp_path, capsys):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    E.chapter(1).q2.check((8, 128, 2048))
    E.chapter(1).q2.hint()
    E.progress()
    assert list(tmp_path.glob("*.corrupt-*")) == [] and capsys.readouterr().err == ""
    assert _leftovers(tmp_path) == []


def test_an_unknown_status_never_breaks_the_html_table():
    from ffn_lib.exercises import ProgressTable

    table = ProgressTable([{"id": "9.9", "title": "<x>", "status": "great", "attempts": "many", "hints": None,
                            "solution_viewed": "yes"}], "note")
    html = table._repr_html_()
    assert "great" in html and "&lt;x&gt;" in html


def test_a_directory_in_place_of_the_file_keeps_progress_in_memory(monkeypatch, tmp_path):
    path = tmp_path / "progress.json"
    path.mkdir()
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    assert E.chapter(1).q2.check((8, 128, 2048)).passed
    assert "session only" in E.progress().note
    P._unwritable.discard(str(path))
    P._memory.clear()


def test_a_failed_write_leaves_no_temporary_file(monkeypatch, tmp_path):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(P.os, "replace", failing_replace)
    assert E.chapter(1).q2.check((8, 128, 2048)).passed
    assert _leftovers(tmp_path) == []
    P._unwritable.discard(str(path))
    P._memory.clear()
