"""Progress is never lost and never breaks a check: damaged files are set aside, valid entries kept, files that
are not ours never replaced, and two processes checking at once lose nothing."""

import json
import multiprocessing
import os
import stat

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
    try:
        kept = len(P.clean(json.loads(original))[0])
    except ValueError:
        kept = 0
    assert ("none of its entries could be read" in err) == (kept == 0), err
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
    err = capsys.readouterr().err
    assert "damaged" in err and "its 2 readable entries were kept" in err


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
    assert "session only" in E.progress().note and "could not be read (IsADirectoryError)" in E.progress().note
    assert E.progress().rows[1]["status"] == "correct", "kept in memory"


def test_a_failed_write_leaves_no_temporary_file(monkeypatch, tmp_path):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(P.os, "replace", failing_replace)
    assert E.chapter(1).q2.check((8, 128, 2048)).passed
    assert _leftovers(tmp_path) == []
    assert "could not be written (OSError)" in E.progress().note


@pytest.mark.parametrize("content", ['{"theme": "dark", "font": 12}', "[1, 2, 3]", '"progress"',
                                     '{"version": 99, "exercises": {}}'])
def test_a_json_file_that_is_not_our_progress_is_never_overwritten(monkeypatch, tmp_path, capsys, content):
    path = tmp_path / "settings.json"
    path.write_text(content)
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    ex = E.chapter(1).q2
    assert ex.check((8, 128, 2048)).passed and ex.check((1, 2)).status == "incorrect"
    assert path.read_text() == content and list(tmp_path.iterdir()) != [] and not list(tmp_path.glob("*.corrupt-*"))
    row = next(r for r in E.progress().rows if r["id"] == "1.2")
    assert row["status"] == "correct" and row["attempts"] == 2, "progress of this session is kept in memory"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "left as it is" in err, "said once"
    assert "session only" in E.progress().note


def test_a_read_only_file_is_read_but_not_replaced(monkeypatch, tmp_path, capsys):
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"version": 2, "exercises": {"2.1": {"status": "correct", "attempts": 4}}}))
    path.chmod(0o444)
    before = path.read_bytes()
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    E.chapter(1).q2.check((8, 128, 2048))
    E.chapter(1).q2.check((8, 128, 2048))
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    rows = {r["id"]: r for r in E.progress().rows}
    assert rows["2.1"]["attempts"] == 4 and rows["1.2"]["attempts"] == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "read-only" in err
    assert "read-only" in E.progress().note


def test_saving_keeps_the_files_mode(monkeypatch, tmp_path):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    E.chapter(1).q2.check((8, 128, 2048))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, "a new file gets the usual mode, not 0600"
    path.chmod(0o640)
    E.chapter(1).q2.check((8, 128, 2048))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_version_1_file_is_migrated_once_all_ids_at_once(monkeypatch, tmp_path, capsys):
    from ffn_lib.exercises import ids

    path = tmp_path / "progress.json"
    old = {"6.4": {"status": "correct", "attempts": 2}, "6.6": {"status": "incorrect", "attempts": 1, "hints": 1},
           "6.8": {"status": "correct", "attempts": 1}, "7.1": {"status": "correct", "attempts": 3},
           "7.3": {"status": "incorrect", "attempts": 7}, "7.4": {"status": "correct", "attempts": 1}}
    path.write_text(json.dumps({"version": 1, "exercises": old}))
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    entries = P.load()
    saved = json.loads(path.read_text())
    assert saved["version"] == P.VERSION == 3 and saved["exercises"] == entries
    assert {k: (v["status"], v["attempts"], v["hints"]) for k, v in entries.items()} == {
        "6.4": ("correct", 2, 0), "7.1": ("incorrect", 1, 1), "7.3": ("correct", 1, 0), "8.1": ("correct", 3, 0),
        "8.3": ("incorrect", 7, 0), "8.4": ("correct", 1, 0)}, "one mapping at once: 6.6 -> 7.1, not on to 8.1"
    assert P.load() == entries, "a second load migrates nothing again"
    assert all(ids.renumbered(k) in entries for k in old) and capsys.readouterr().err == ""


def _hammer(path, worker, n):
    os.environ["FFN_LIB_PROGRESS"] = str(path)
    for i in range(n):
        P.record_attempt("1.1", "incorrect" if i % 2 else "correct")
        P.record_attempt(f"2.{worker}", "incorrect")
        if i % 50 == 0:
            P.record_hint("1.1", worker + i // 50)


def test_two_processes_checking_at_once_lose_nothing(tmp_path):
    path = tmp_path / "progress.json"
    n = 300
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_hammer, args=(path, w, n)) for w in (1, 2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    entries = json.loads(path.read_text())["exercises"]
    assert entries["1.1"]["attempts"] == 2 * n and entries["1.1"]["status"] == "correct"
    assert entries["2.1"]["attempts"] == n and entries["2.2"]["attempts"] == n
    assert entries["1.1"]["hints"] == 2 + (n - 1) // 50
    assert _leftovers(tmp_path) == []


def test_merging_keeps_the_best_status_and_sums_the_checks():
    a = {"status": "correct", "attempts": 2, "hints": 1}
    b = {"status": "incorrect", "attempts": 3, "hints": 2, "solution_viewed": True}
    assert P.merge(a, b) == P.merge(b, a) == {"status": "correct", "attempts": 5, "hints": 2, "solution_viewed": True}


def test_the_old_exercise_5_4s_progress_does_not_count_for_the_new_one(monkeypatch, tmp_path):
    """5.4 was replaced in its slot (ids.REVISED): a version-2 file's 5.4, solved, is dropped, not migrated;
    the other entries stay, and the new 5.4's record carries its revision."""
    from ffn_lib.exercises import ids

    assert ids.revision("5.4") == 2 and ids.revision("5.5") == 1 and E.get("5.4").title == "Growing an aligned unit"
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"version": 2, "exercises": {
        "5.4": {"status": "correct", "attempts": 3, "hints": 2, "solution_viewed": True},
        "5.5": {"status": "correct", "attempts": 1}}}))
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    rows = {r["id"]: r for r in E.progress().rows}
    assert rows["5.4"]["status"] == "not attempted" and rows["5.4"]["attempts"] == 0 and rows["5.4"]["hints"] == 0
    assert rows["5.5"]["status"] == "correct"
    saved = json.loads(path.read_text())
    assert saved["version"] == 3 and "5.4" not in saved["exercises"] and "5.5" in saved["exercises"]
    assert E.get("5.4").hint().text.startswith("**Hint 1 of"), "the old record's hints are not the new one's"
    E.get("5.4").check(3.0)
    entry = json.loads(path.read_text())["exercises"]["5.4"]
    assert entry["revision"] == 2 and entry["status"] == "incorrect" and entry["attempts"] == 1
    assert P.load()["5.4"]["revision"] == 2, "the new record is kept on the next load"


def test_a_record_of_an_older_revision_never_merges_into_the_new_one():
    old = {"status": "correct", "attempts": 5, "hints": 3}
    new = {"status": "incorrect", "attempts": 1, "revision": 2}
    assert P.merge(old, new) == P.merge(new, old) == {"status": "incorrect", "attempts": 1, "hints": 0,
                                                      "solution_viewed": False, "revision": 2}
    assert P.current({"5.4": old, "5.5": old, "7.1": new}) == {"5.5": old}
    assert P.clean({"exercises": {"5.4": {"status": "correct", "revision": "2"}}})[1] == ["entry 5.4: revision is '2'"]
