"""Self-study exercises whose answers are checked at once, in the notebook.

>>> from ffn_lib import exercises
>>> ex = exercises.chapter(2)                   # doctest: +SKIP
>>> ex.q1                                       # the statement     # doctest: +SKIP
>>> ex.q1.check(-0.1002)                        # a Result          # doctest: +SKIP
>>> ex.q1.hint(); ex.q1.solution()              # doctest: +SKIP
>>> exercises.progress()                        # every exercise, and how far you got  # doctest: +SKIP

Answers are passed explicitly to ``check`` (nothing is read from the notebook's
globals), so this works in JupyterLab, classic Notebook, VS Code and plain Python.
Progress is saved in a small JSON file: see :mod:`ffn_lib.exercises.store`.
In the built book, number, choice and shape exercises are checked in the page
itself: see :mod:`ffn_lib.exercises.page`. Chapters are discovered from the
modules ``chapterN.py`` present in this package (:data:`CHAPTERS`).
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from . import store as _progress
from .base import Exercise, Markdown, Result, Solution
from .guide import HowToAnswer
from .choice import ChoiceExercise
from .function import FunctionExercise
from .number import NumberExercise
from .shape import ShapeExercise
from ..i18n import N_, ntr
from .words import kind_word, say, status_word, tr


def _discover() -> tuple[int, ...]:
    """The chapters that have an exercise module ``chapterN.py`` in this package, in order."""
    found = set()
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        m = re.fullmatch(r"chapter([0-9]+)", info.name)
        if m:
            found.add(int(m.group(1)))
    return tuple(sorted(found))


CHAPTERS = _discover()

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

    def how_to_answer(self) -> HowToAnswer:
        """The chapter's note on how to answer its exercises, said once for all of them (:mod:`.guide`)."""
        return HowToAnswer(self._exercises)

    def _repr_markdown_(self) -> str:
        lines = [ntr("**Chapter {n}: {count} exercise.**", "**Chapter {n}: {count} exercises.**", len(self),
                     n=self.number, count=len(self)), ""]
        lines += [tr("- `{handle}`: {title} ({kind})", handle=e.handle, title=say(e.title), kind=kind_word(e.kind))
                  for e in self]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._repr_markdown_()

    __str__ = __repr__


_CACHE: dict[int, ChapterExercises] = {}


def chapter(number: int) -> ChapterExercises:
    """The exercises of chapter ``number`` (every chapter with a module ``chapterN.py``, see :data:`CHAPTERS`)."""
    chapters = _discover()
    if isinstance(number, bool) or not isinstance(number, int) or number not in chapters:
        raise ValueError(f"number must be a chapter with exercises ({', '.join(map(str, chapters))}), got {number!r}.")
    if number not in _CACHE:
        module = importlib.import_module(f"ffn_lib.exercises.chapter{number}")
        _CACHE[number] = ChapterExercises(number, list(module.EXERCISES))
    return _CACHE[number]


def all_exercises() -> list[Exercise]:
    return [ex for n in _discover() for ex in chapter(n)]


def get(exercise_id: str) -> Exercise:
    """An exercise by id, e.g. ``"2.1"``."""
    for ex in all_exercises():
        if ex.id == exercise_id:
            return ex
    raise ValueError(f"exercise_id {exercise_id!r} is unknown; ids look like '2.1' (chapter.number).")


# The progress table's words: its summary, column headers and the mark for a solution seen.
TABLE = {
    "summary": "{done} of {total} exercises correct.",
    "id": N_("id"),
    "exercise": N_("exercise"),
    "title": N_("title"),
    "status": N_("status"),
    "checks": N_("checks"),
    "hints": N_("hints"),
    "solution_seen": "solution seen",
    "yes": N_("yes"),
}


def _width(text: str) -> int:
    """Columns a text takes in a terminal: 2 for a wide (CJK) character, 1 for another."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _left(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _right(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


@dataclass
class ProgressTable:
    """Every exercise's progress (``rows``: id, title, status, attempts, hints, solution_viewed) and where it is
    saved (``note``); the words are in the reader's language, the statuses in ``rows`` are identifiers."""

    rows: list[dict]
    note: str

    def summary(self) -> str:
        done = sum(r["status"] == "correct" for r in self.rows)
        return tr(TABLE["summary"], done=done, total=len(self.rows))

    def __str__(self) -> str:
        t = {key: tr(text) for key, text in TABLE.items()}
        lines = [self.summary(), self.note, "",
                 f"{_left(t['id'], 5)} {_left(t['status'], 14)} {_right(t['checks'], 6)} {_right(t['hints'], 5)}  "
                 f"{t['title']}"]
        lines += [f"{_left(r['id'], 5)} {_left(status_word(r['status']), 14)} {r['attempts']:>6} {r['hints']:>5}  "
                  f"{say(r['title'])}" for r in self.rows]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        t = {key: html.escape(tr(text)) for key, text in TABLE.items() if key != "summary"}
        colors = {"correct": "#1e7e34", "incorrect": "#b02a37", "not attempted": "#6c757d"}
        body = "".join(
            f"<tr><td>{html.escape(str(r['id']))}</td><td>{html.escape(str(say(r['title'])))}</td>"
            f"<td style='color:{colors.get(r['status'], '#6c757d')}'>{html.escape(str(status_word(r['status'])))}</td>"
            f"<td>{html.escape(str(r['attempts']))}</td><td>{html.escape(str(r['hints']))}</td>"
            f"<td>{t['yes'] if r['solution_viewed'] is True else ''}</td></tr>" for r in self.rows)
        return (f"<p><strong>{self.summary()}</strong> {html.escape(self.note)}</p><table><thead><tr>"
                f"<th>{t['id']}</th><th>{t['exercise']}</th><th>{t['status']}</th><th>{t['checks']}</th>"
                f"<th>{t['hints']}</th><th>{t['solution_seen']}</th></tr></thead><tbody>{body}</tbody></table>")


def progress() -> ProgressTable:
    """Every exercise of the course: correct / incorrect / not attempted, checks made, hints used."""
    try:
        saved = _progress.load()
    except Exception:  # never raise at a learner (load itself does not)
        saved = {}
    rows = []
    for ex in all_exercises():
        entry = saved.get(ex.id, {})
        if not isinstance(entry, dict):
            entry = {}
        rows.append({"id": ex.id, "title": ex.title, "status": entry.get("status", "not attempted"),
                     "attempts": entry.get("attempts", 0), "hints": entry.get("hints", 0),
                     "solution_viewed": entry.get("solution_viewed", False)})
    return ProgressTable(rows, _progress.status_line())


def solutions_markdown(chapters=None) -> Markdown:
    """Every solution as MyST (the book's solutions appendix), taken from the same registry as the checks."""
    parts = []
    for n in (_discover() if chapters is None else chapters):
        parts.append(tr("## Chapter {n}", n=n))
        for ex in chapter(n):
            parts.append(tr("### Exercise {id}: {title}", id=ex.id, title=say(ex.title)) + "\n\n"
                         + ex.statement_markdown() + "\n\n" + ex.book_markdown(with_exercise=False))
    return Markdown("\n\n".join(parts))
