"""Progress on the exercises, kept between kernel restarts and safe with two notebooks open at once.

A small JSON file, by default ``~/.ffn_lib/progress.json``. The environment
variable ``FFN_LIB_PROGRESS`` names another file, or switches saving off with
``off`` (also ``0`` or ``none``).

Per exercise it stores the best status reached ("correct" beats "incorrect"
beats "not attempted"), the number of checks, the hints seen and whether the
solution was opened. Every change is a read-merge-write under an advisory lock
(``fcntl.flock`` on ``<file>.lock``, waiting at most :data:`LOCK_TIMEOUT_S`; where
``fcntl`` is missing the file is written unlocked): the file is read, the change
merged in (best status, summed checks, most hints), and a complete new file
atomically replaces the old one (a temporary file in the same folder, then
``os.replace``), with the old file's mode. Two processes checking at once lose
nothing.

Progress is never lost and never breaks a check; whatever happens is said once, on
stderr, and :func:`status_line` says where progress is kept:

* a damaged progress file (not JSON, or this course's structure with invalid
  entries) is set aside as ``progress.json.corrupt-<time>``; its valid entries are
  kept (the warning says how many);
* a JSON file that is not this course's progress (say ``settings.json``), one written by
  a newer version, an unreadable file or a read-only one is never replaced: the progress
  of this run of Python is kept in memory;
* a file of version 1 (before exercises were renumbered, :mod:`ffn_lib.exercises.ids`) is
  migrated once, every id moved at once, and written back as version 3;
* a record saved for an older revision of an exercise (one replaced in the same slot,
  :data:`ffn_lib.exercises.ids.REVISED`: the old 5.4) is dropped, not migrated: it is not progress on the
  exercise that has the id now. A record carries ``revision`` when it is not 1 (version 3).

No function here raises, and no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import re
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from . import ids
from .words import tr

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; writes stay atomic, concurrent ones may race
    fcntl = None

ENV = "FFN_LIB_PROGRESS"
VERSION = 3  # 1: ids before the renumbering of ids.RENUMBERED; 2: records without revisions (ids.REVISED)
LOCK_TIMEOUT_S = 10.0
_RANK = {"not attempted": 0, "incorrect": 1, "correct": 2}
_DEFAULTS: dict[str, Any] = {"status": "not attempted", "attempts": 0, "hints": 0, "solution_viewed": False}
_ID = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}$")
_unsaved_by_path: dict[str, dict[str, dict[str, Any]]] = {}  # per file: changes not (yet) in it
_blocked: dict[str, str] = {}  # path -> why the file is not written, a sentence of REASONS (said once)

# What is said about the progress file: whole sentences with named placeholders.
REASONS = {
    "foreign": "The progress file {path} holds JSON that is not this course's progress.",
    "newer": "The progress file {path} was written by a newer ffn_lib (version {version}).",
    "unreadable": "The progress file {path} could not be read ({error}).",
    "read_only": "The progress file {path} is read-only.",
    "unwritable": "The progress file {path} could not be written ({error}).",
    "stuck": "The progress file {path} is damaged ({reason}) and could not be set aside.",
}
# What is wrong inside a damaged progress file: one phrase each (they fill {reason} above and below).
PROBLEMS = {
    "not_object": "the file holds {type}, not an object",
    "exercises": "'exercises' is {type}, not an object",
    "record": "entry {key} is not an exercise record",
    "status": "entry {key}: unknown status {status}",
    "count": "entry {key}: {name} is {value}",
    "viewed": "entry {key}: solution_viewed is {value}",
    "revision": "entry {key}: revision is {value}",
    "json": "not readable as JSON: {error}",
}
MESSAGES = {
    "blocked": "{reason} It is left as it is, and the progress of this session is kept in memory.",
    "damaged_none": ("The progress file {path} was damaged ({reason}); it was kept as {name}, and none of its "
                     "entries could be read."),
    "damaged_one": ("The progress file {path} was damaged ({reason}); it was kept as {name}, and its 1 readable "
                    "entry was kept."),
    "damaged_other": ("The progress file {path} was damaged ({reason}); it was kept as {name}, and its {n} readable "
                      "entries were kept."),
    "problems": "{first}, and {n} more",
    "locked": ("The progress file {path} stayed locked for {seconds} s; this change is kept in memory and written "
               "with the next one."),
    "failed": "Progress could not be recorded ({error}).",
    "off": "Progress is not saved ({env} is off).",
    "session_only": "{reason} Progress is kept for this session only.",
    "saved": "Progress is saved in {path} (set {env} to another file, or to 'off').",
}


def location() -> Path | None:
    """The progress file, or None when saving is switched off."""
    value = os.environ.get(ENV)
    if value is not None and value.strip().lower() in ("off", "0", "none", "false", ""):
        return None
    return Path(value).expanduser() if value else Path.home() / ".ffn_lib" / "progress.json"


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else None


def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two records of one exercise as one: the best status, the checks summed, the most hints, seen if either."""
    ra, rb = a.get("revision", 1), b.get("revision", 1)
    if ra != rb:  # two different exercises in one slot (or a new record): the newer one's record, alone
        return merge(a if ra > rb else b, {"revision": max(ra, rb)})
    a, b = {**_DEFAULTS, **a}, {**_DEFAULTS, **b}
    out = {"status": a["status"] if _RANK.get(a["status"], 0) >= _RANK.get(b["status"], 0) else b["status"],
           "attempts": a["attempts"] + b["attempts"], "hints": max(a["hints"], b["hints"]),
           "solution_viewed": bool(a["solution_viewed"] or b["solution_viewed"])}
    if ra != 1:
        out["revision"] = ra
    stamps = [s for s in (a.get("updated"), b.get("updated")) if isinstance(s, str)]
    if stamps:
        out["updated"] = max(stamps)
    return out


def _merge_all(base: dict[str, dict], changes: dict[str, dict]) -> dict[str, dict]:
    out = dict(base)
    for key, entry in changes.items():
        out[key] = merge(out[key], entry) if key in out else merge({}, entry)
    return out


def is_progress(data: Any) -> bool:
    """True for this course's progress file structure (an object with ``exercises``), however damaged inside."""
    return isinstance(data, dict) and "exercises" in data


def clean(data: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The valid part of a progress file's content, and what was wrong with the rest (empty when nothing)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return {}, [tr(PROBLEMS["not_object"], type=type(data).__name__)]
    entries = data.get("exercises", {})
    if not isinstance(entries, dict):
        return {}, [tr(PROBLEMS["exercises"], type=type(entries).__name__)]
    out: dict[str, dict[str, Any]] = {}
    for key, entry in entries.items():
        if not isinstance(key, str) or not _ID.match(key) or not isinstance(entry, dict):
            problems.append(tr(PROBLEMS["record"], key=repr(key)))
            continue
        record = dict(_DEFAULTS)
        status = entry.get("status", "not attempted")
        if status in _RANK:
            record["status"] = status
        else:
            problems.append(tr(PROBLEMS["status"], key=key, status=repr(status)))
        for name in ("attempts", "hints"):
            n = _count(entry.get(name, 0))
            if n is None:
                problems.append(tr(PROBLEMS["count"], key=key, name=name, value=repr(entry.get(name))))
            else:
                record[name] = n
        viewed = entry.get("solution_viewed", False)
        if isinstance(viewed, bool):
            record["solution_viewed"] = viewed
        else:
            problems.append(tr(PROBLEMS["viewed"], key=key, value=repr(viewed)))
        if isinstance(entry.get("updated"), str):
            record["updated"] = entry["updated"]
        revision = entry.get("revision", 1)
        if isinstance(revision, int) and not isinstance(revision, bool) and revision >= 1:
            if revision != 1:
                record["revision"] = revision
        else:
            problems.append(tr(PROBLEMS["revision"], key=key, value=repr(revision)))
        out[key] = record
    return out, problems


def migrate(data: dict) -> dict[str, dict[str, Any]]:
    """A version-1 file's entries under today's ids (one mapping, applied to all ids at once)."""
    return ids.renumber(clean(data)[0], merge)


def current(entries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The entries that are progress on the exercise their id names now (:func:`ids.is_current`)."""
    return {k: v for k, v in entries.items() if ids.is_current(k, v)}


def _warn(message: str) -> None:
    try:
        print(f"ffn_lib.exercises: {message}", file=sys.stderr)
    except Exception:  # a closed stderr must not break a check
        pass


def _block(path: Path, reason: str) -> None:
    """Stop writing ``path`` for this run of Python, saying why (``reason``, a sentence of REASONS) once."""
    if str(path) not in _blocked:
        _blocked[str(path)] = reason
        _warn(tr(MESSAGES["blocked"], reason=reason))


def _set_aside(path: Path, reason: str, kept: int) -> bool:
    """Rename a damaged progress file to ``<name>.corrupt-<time>`` and say so in one line."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    try:
        os.replace(path, target)
    except OSError:
        _block(path, tr(REASONS["stuck"], path=path, reason=reason))
        return False
    key = "damaged_none" if kept == 0 else "damaged_one" if kept == 1 else "damaged_other"
    _warn(tr(MESSAGES[key], path=path, reason=reason, name=target.name, n=kept))
    return True


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[bool]:
    """Hold the advisory lock of ``path`` (True), or False after LOCK_TIMEOUT_S; True without fcntl."""
    if fcntl is None:
        yield True
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:  # no lock file possible (a read-only folder): the write will tell
        yield True
        return
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.005)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read(path: Path) -> tuple[str, dict[str, dict], str]:
    """(state, entries, detail): state is missing, ok, old (an older version, or records of an older revision),
    damaged (detail: what is wrong), foreign or unreadable (detail: a sentence of REASONS)."""
    try:
        if not path.exists():
            return "missing", {}, ""
        raw = path.read_bytes()
    except OSError as err:
        return "unreadable", {}, tr(REASONS["unreadable"], path=path, error=type(err).__name__)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as err:
        return "damaged", {}, tr(PROBLEMS["json"], error=type(err).__name__)
    if not is_progress(data):
        return "foreign", {}, tr(REASONS["foreign"], path=path)
    version = data.get("version", 1)
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        return "foreign", {}, tr(REASONS["newer"], path=path, version=version)
    entries, problems = clean(data)
    if version == 1:
        entries = migrate(data)
    kept = current(entries)
    if problems:
        detail = tr(MESSAGES["problems"], first=problems[0], n=len(problems) - 1) if len(problems) > 1 \
            else problems[0]
        return "damaged", kept, detail
    old = version != VERSION or len(kept) != len(entries)
    return ("old" if old else "ok"), kept, ""


def _write(path: Path, entries: dict[str, dict]) -> None:
    """A complete new file in place of the old one, atomically, with the old one's mode."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = None
    try:
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                         prefix=f".{path.name}.") as f:
            tmp = f.name
            json.dump({"version": VERSION, "exercises": entries}, f, indent=1, sort_keys=True)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _transaction(change: dict[str, dict] | None = None) -> dict[str, dict[str, Any]]:
    """Read the file under its lock, repair or migrate it, merge the unsaved changes (and ``change``) in,
    write it back when anything changed; return every entry. Never raises."""
    path = location()
    _unsaved = _unsaved_by_path.setdefault(str(path), {})
    if change:
        for key, entry in change.items():
            _unsaved[key] = merge(_unsaved[key], entry) if key in _unsaved else merge({}, entry)
    if path is None:
        return dict(_unsaved)
    try:
        with _locked(path) as held:
            state, entries, detail = _read(path)
            if state in ("foreign", "unreadable"):
                _block(path, detail)
                return _merge_all(entries, _unsaved)
            if not held:
                _warn(tr(MESSAGES["locked"], path=path, seconds=f"{LOCK_TIMEOUT_S:g}"))
                return _merge_all(entries, _unsaved)
            if str(path) in _blocked:
                return _merge_all(entries, _unsaved)
            if state == "damaged" and not _set_aside(path, detail, len(entries)):
                return _merge_all(entries, _unsaved)
            if not _unsaved and state in ("ok", "missing"):
                return entries
            if state in ("ok", "old") and not path.stat().st_mode & 0o222:
                _block(path, tr(REASONS["read_only"], path=path))
                return _merge_all(entries, _unsaved)
            merged = _merge_all(entries, _unsaved)
            try:
                _write(path, merged)
            except (OSError, TypeError, ValueError) as err:
                _block(path, tr(REASONS["unwritable"], path=path, error=type(err).__name__))
                return merged
            _unsaved.clear()
            return merged
    except Exception as err:  # progress must never break a check
        _warn(tr(MESSAGES["failed"], error=f"{type(err).__name__}: {err}"))
        return dict(_unsaved)


def load() -> dict[str, dict[str, Any]]:
    """Every saved entry, validated (with this session's unsaved changes). Never raises."""
    return _transaction()


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def _stamped(exercise_id: str, change: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A change to one exercise's record, with the time and (when not 1) the exercise's revision."""
    change["updated"] = _now()
    if ids.revision(exercise_id) != 1:
        change["revision"] = ids.revision(exercise_id)
    return {exercise_id: change}


def record_attempt(exercise_id: str, status: str) -> None:
    _transaction(_stamped(exercise_id, {"status": status if status in _RANK else "not attempted",
                                        "attempts": int(status != "not attempted")}))


def record_hint(exercise_id: str, n: int) -> None:
    _transaction(_stamped(exercise_id, {"hints": int(n)}))


def record_solution_viewed(exercise_id: str) -> None:
    _transaction(_stamped(exercise_id, {"solution_viewed": True}))


def hints_used(exercise_id: str) -> int:
    try:
        return int(load().get(exercise_id, {}).get("hints", 0))
    except Exception:
        return 0


def reset() -> None:
    """Forget all progress (this course's file and the in-memory copy); a file that is not ours stays."""
    path = location()
    _unsaved_by_path.pop(str(path), None)
    try:
        if path is not None and str(path) not in _blocked and path.exists():
            path.unlink()
    except OSError:
        pass
    if path is not None:
        _blocked.pop(str(path), None)


def status_line() -> str:
    path = location()
    if path is None:
        return tr(MESSAGES["off"], env=ENV)
    if str(path) in _blocked:
        return tr(MESSAGES["session_only"], reason=_blocked[str(path)])
    return tr(MESSAGES["saved"], path=path, env=ENV)
