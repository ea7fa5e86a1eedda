"""Where a learner's progress is kept between kernel restarts.

A small JSON file, by default ``~/.ffn_lib/progress.json``. The environment
variable ``FFN_LIB_PROGRESS`` names another file, or switches saving off with
``off`` (also ``0`` or ``none``). If the file cannot be written (a read-only
home directory, say) progress is kept in memory for the session and
:func:`status_line` says so.

Per exercise it stores the best status reached ("correct" beats "incorrect"
beats "not attempted"), the number of checks, the hints seen and whether the
solution was opened.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

ENV = "FFN_LIB_PROGRESS"
_RANK = {"not attempted": 0, "incorrect": 1, "correct": 2}
_memory: dict[str, dict[str, Any]] = {}
_unwritable: set[str] = set()


def location() -> Path | None:
    """The progress file, or None when saving is switched off."""
    value = os.environ.get(ENV)
    if value is not None and value.strip().lower() in ("off", "0", "none", "false", ""):
        return None
    return Path(value).expanduser() if value else Path.home() / ".ffn_lib" / "progress.json"


def load() -> dict[str, dict[str, Any]]:
    path = location()
    if path is None or str(path) in _unwritable:
        return _memory
    try:
        data = json.loads(path.read_text())
        return data.get("exercises", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(entries: dict[str, dict[str, Any]]) -> None:
    path = location()
    if path is None or str(path) in _unwritable:
        _memory.update(entries)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
            json.dump({"version": 1, "exercises": entries}, f, indent=1, sort_keys=True)
        os.replace(f.name, path)
    except OSError:
        _unwritable.add(str(path))
        _memory.update(entries)


def _update(exercise_id: str, **changes: Any) -> None:
    entries = load()
    entry = {"status": "not attempted", "attempts": 0, "hints": 0, "solution_viewed": False, **entries.get(exercise_id, {})}
    for key, value in changes.items():
        entry[key] = value(entry[key]) if callable(value) else value
    entry["updated"] = _dt.datetime.now().isoformat(timespec="seconds")
    entries[exercise_id] = entry
    _save(entries)


def record_attempt(exercise_id: str, status: str) -> None:
    _update(exercise_id, attempts=lambda n: n + (status != "not attempted"),
            status=lambda old: status if _RANK[status] >= _RANK.get(old, 0) else old)


def record_hint(exercise_id: str, n: int) -> None:
    _update(exercise_id, hints=lambda old: max(old, n))


def record_solution_viewed(exercise_id: str) -> None:
    _update(exercise_id, solution_viewed=True)


def hints_used(exercise_id: str) -> int:
    return int(load().get(exercise_id, {}).get("hints", 0))


def reset() -> None:
    """Forget all progress (the file and the in-memory copy)."""
    _memory.clear()
    path = location()
    if path is not None and path.exists():
        path.unlink()


def status_line() -> str:
    path = location()
    if path is None:
        return f"Progress is not saved ({ENV} is off)."
    if str(path) in _unwritable:
        return f"Progress could not be written to {path}; it is kept for this session only."
    return f"Progress is saved in {path} (set {ENV} to another file, or to 'off')."
