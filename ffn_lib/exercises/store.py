"""Where a learner's progress is kept between kernel restarts.

A small JSON file, by default ``~/.ffn_lib/progress.json``. The environment
variable ``FFN_LIB_PROGRESS`` names another file, or switches saving off with
``off`` (also ``0`` or ``none``). If the file cannot be written (a read-only
home directory, say) progress is kept in memory for the session and
:func:`status_line` says so.

Per exercise it stores the best status reached ("correct" beats "incorrect"
beats "not attempted"), the number of checks, the hints seen and whether the
solution was opened.

Progress is never lost and never breaks a check: every entry read back is
validated and what is valid is kept; a file that cannot be read, or whose
structure is damaged, is set aside as ``progress.json.corrupt-<time>`` (with a
one-line warning on stderr) before a clean file replaces it. No function here
raises, and no temporary file is left behind.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ENV = "FFN_LIB_PROGRESS"
_RANK = {"not attempted": 0, "incorrect": 1, "correct": 2}
_DEFAULTS: dict[str, Any] = {"status": "not attempted", "attempts": 0, "hints": 0, "solution_viewed": False}
_ID = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}$")
_memory: dict[str, dict[str, Any]] = {}
_unwritable: set[str] = set()


def location() -> Path | None:
    """The progress file, or None when saving is switched off."""
    value = os.environ.get(ENV)
    if value is not None and value.strip().lower() in ("off", "0", "none", "false", ""):
        return None
    return Path(value).expanduser() if value else Path.home() / ".ffn_lib" / "progress.json"


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9 else None


def clean(data: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The valid part of a progress file's content, and what was wrong with the rest (empty when nothing)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return {}, [f"the file holds {type(data).__name__}, not an object"]
    entries = data.get("exercises", {})
    if not isinstance(entries, dict):
        return {}, [f"'exercises' is {type(entries).__name__}, not an object"]
    out: dict[str, dict[str, Any]] = {}
    for key, entry in entries.items():
        if not isinstance(key, str) or not _ID.match(key) or not isinstance(entry, dict):
            problems.append(f"entry {key!r} is not an exercise record")
            continue
        record = dict(_DEFAULTS)
        status = entry.get("status", "not attempted")
        if status in _RANK:
            record["status"] = status
        else:
            problems.append(f"entry {key}: unknown status {status!r}")
        for name in ("attempts", "hints"):
            n = _count(entry.get(name, 0))
            if n is None:
                problems.append(f"entry {key}: {name} is {entry.get(name)!r}")
            else:
                record[name] = n
        viewed = entry.get("solution_viewed", False)
        if isinstance(viewed, bool):
            record["solution_viewed"] = viewed
        else:
            problems.append(f"entry {key}: solution_viewed is {viewed!r}")
        if isinstance(entry.get("updated"), str):
            record["updated"] = entry["updated"]
        out[key] = record
    return out, problems


def _warn(message: str) -> None:
    try:
        print(f"ffn_lib.exercises: {message}", file=sys.stderr)
    except Exception:  # a closed stderr must not break a check
        pass


def _set_aside(path: Path, reason: str) -> None:
    """Rename a damaged progress file to ``<name>.corrupt-<time>`` and say so in one line."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    try:
        os.replace(path, target)
        _warn(f"the progress file {path} was damaged ({reason}); it was kept as {target.name} "
              "and its readable entries were kept.")
    except OSError:
        _warn(f"the progress file {path} was damaged ({reason}) and could not be set aside; "
              "progress is kept for this session only.")
        _unwritable.add(str(path))


def load() -> dict[str, dict[str, Any]]:
    """Every saved entry, validated. Never raises."""
    path = location()
    if path is None or str(path) in _unwritable:
        return _memory
    try:
        if not path.exists():
            return {}
        raw = path.read_bytes()
    except OSError:
        _unwritable.add(str(path))
        return _memory
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as err:
        entries, problems = {}, [f"not readable as JSON: {type(err).__name__}"]
    else:
        entries, problems = clean(data)
    if problems:
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        _set_aside(path, problems[0] + more)
        _save(entries)
    return entries


def _save(entries: dict[str, dict[str, Any]]) -> None:
    path = location()
    if path is None or str(path) in _unwritable:
        _memory.update(entries)
        return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                         prefix=f".{path.name}.") as f:
            tmp = f.name
            json.dump({"version": 1, "exercises": entries}, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
        tmp = None
    except (OSError, TypeError, ValueError):
        _unwritable.add(str(path))
        _memory.update(entries)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _update(exercise_id: str, **changes: Any) -> None:
    try:
        entries = load()
        entry = {**_DEFAULTS, **entries.get(exercise_id, {})}
        for key, value in changes.items():
            entry[key] = value(entry[key]) if callable(value) else value
        entry["updated"] = _dt.datetime.now().isoformat(timespec="seconds")
        entries[exercise_id] = entry
        _save(entries)
    except Exception as err:  # progress must never break a check
        _warn(f"progress could not be recorded ({type(err).__name__}: {err}).")


def record_attempt(exercise_id: str, status: str) -> None:
    _update(exercise_id, attempts=lambda n: n + (status != "not attempted"),
            status=lambda old: status if _RANK.get(status, 0) >= _RANK.get(old, 0) else old)


def record_hint(exercise_id: str, n: int) -> None:
    _update(exercise_id, hints=lambda old: max(old, n))


def record_solution_viewed(exercise_id: str) -> None:
    _update(exercise_id, solution_viewed=True)


def hints_used(exercise_id: str) -> int:
    try:
        return int(load().get(exercise_id, {}).get("hints", 0))
    except Exception:
        return 0


def reset() -> None:
    """Forget all progress (the file and the in-memory copy)."""
    _memory.clear()
    path = location()
    try:
        if path is not None and path.exists():
            path.unlink()
    except OSError:
        pass


def status_line() -> str:
    path = location()
    if path is None:
        return f"Progress is not saved ({ENV} is off)."
    if str(path) in _unwritable:
        return f"Progress could not be written to {path}; it is kept for this session only."
    return f"Progress is saved in {path} (set {ENV} to another file, or to 'off')."
