"""Self-study exercises whose answers are checked at once, in the notebook.

>>> from ffn_lib import exercises
>>> ex = exercises.chapter(2)                   # doctest: +SKIP
>>> ex.q1                                       # the statement     # doctest: +SKIP
>>> ex.q1.check(-0.1587)                        # a Result          # doctest: +SKIP
>>> ex.q1.hint(); ex.q1.solution()              # doctest: +SKIP
>>> exercises.progress()                        # every exercise, and how far you got  # doctest: +SKIP

Answers are passed explicitly to ``check`` (nothing is read from the notebook's
globals), so this works in JupyterLab, classic Notebook, VS Code and plain Python.
Progress is saved in a small JSON file: see :mod:`ffn_lib.exercises.store`.
"""

from __future__ import annotations

import html
import importlib
from dataclasses import dataclass

from . import store as _progress
from .core import (ChoiceExercise, Exercise, FunctionExercise, Markdown, NumberExercise, Result, ShapeExercise,
                   Solution)

CHAPTERS = (1, 2, 3, 4, 5, 6)

__all__ = ["CHAPTERS", "ChoiceExercise", "Exercise", "FunctionExercise", "Markdown", "NumberExercise", "Result",
           "ShapeExercise", "Solution", "all_exercises", "chapter", "get", "progress", "solutions_markdown"]


class ChapterExercises:
    """The exercises of one chapter as attributes ``q1``, ``q2``, ..."""

    def __init__(self, number: int, exercises: list[Exercise]):
        self.number = number
        self._exercises = exercises
        for i, ex in enumerate(exercises, 1):
            ex.chapter, ex.number = number, i
            setattr(self, f"q{i}", ex)

    def __iter__(self):
        return iter(self._exercises)

    def __len__(self) -> int:
        return len(self._exercises)

    def _repr_markdown_(self) -> str:
        lines = [f"**Chapter {self.number}: {len(self)} exercises.**", ""]
        lines += [f"- `ex.q{e.number}`: {e.title} ({e.kind})" for e in self]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._repr_markdown_()


_CACHE: dict[int, ChapterExercises] = {}


def chapter(number: int) -> ChapterExercises:
    """The exercises of chapter ``number`` (1 to 6)."""
    if isinstance(number, bool) or not isinstance(number, int) or number not in CHAPTERS:
        raise ValueError(f"number must be a chapter from {CHAPTERS[0]} to {CHAPTERS[-1]}, got {number!r}.")
    if number not in _CACHE:
        module = importlib.import_module(f"ffn_lib.exercises.chapter{number}")
        _CACHE[number] = ChapterExercises(number, list(module.EXERCISES))
    return _CACHE[number]


def all_exercises() -> list[Exercise]:
    return [ex for n in CHAPTERS for ex in chapter(n)]


def get(exercise_id: str) -> Exercise:
    """An exercise by id, e.g. ``"2.1"``."""
    for ex in all_exercises():
        if ex.id == exercise_id:
            return ex
    raise ValueError(f"exercise_id {exercise_id!r} is unknown; ids look like '2.1' (chapter.number).")


@dataclass
class ProgressTable:
    rows: list[dict]
    note: str

    def summary(self) -> str:
        done = sum(r["status"] == "correct" for r in self.rows)
        return f"{done} of {len(self.rows)} exercises correct."

    def __str__(self) -> str:
        lines = [self.summary(), self.note, "",
                 f"{'id':<5} {'status':<14} {'checks':>6} {'hints':>5}  title"]
        lines += [f"{r['id']:<5} {r['status']:<14} {r['attempts']:>6} {r['hints']:>5}  {r['title']}" for r in self.rows]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colors = {"correct": "#1e7e34", "incorrect": "#b02a37", "not attempted": "#6c757d"}
        body = "".join(
            f"<tr><td>{r['id']}</td><td>{html.escape(r['title'])}</td>"
            f"<td style='color:{colors[r['status']]}'>{r['status']}</td><td>{r['attempts']}</td>"
            f"<td>{r['hints']}</td><td>{'yes' if r['solution_viewed'] else ''}</td></tr>" for r in self.rows)
        return (f"<p><strong>{self.summary()}</strong> {html.escape(self.note)}</p><table><thead><tr><th>id</th>"
                f"<th>exercise</th><th>status</th><th>checks</th><th>hints</th><th>solution seen</th></tr></thead>"
                f"<tbody>{body}</tbody></table>")


def progress() -> ProgressTable:
    """Every exercise of the course: correct / incorrect / not attempted, checks made, hints used."""
    saved = _progress.load()
    rows = []
    for ex in all_exercises():
        entry = saved.get(ex.id, {})
        rows.append({"id": ex.id, "title": ex.title, "status": entry.get("status", "not attempted"),
                     "attempts": entry.get("attempts", 0), "hints": entry.get("hints", 0),
                     "solution_viewed": entry.get("solution_viewed", False)})
    return ProgressTable(rows, _progress.status_line())


def solutions_markdown(chapters=CHAPTERS) -> Markdown:
    """Every solution as MyST (the book's solutions appendix), taken from the same registry as the checks."""
    parts = []
    for n in chapters:
        parts.append(f"## Chapter {n}")
        for ex in chapter(n):
            parts.append(f"### Exercise {ex.id}: {ex.title}\n\n{ex.statement_markdown()}\n\n"
                         + ex.book_markdown(with_exercise=False))
    return Markdown("\n\n".join(parts))
