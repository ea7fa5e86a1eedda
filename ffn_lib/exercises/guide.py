"""How to answer: the one note at the start of each chapter's exercises, said once instead of under each one:
a sentence, with the details folded away below it.

:func:`how_to_answer` writes it for the kinds of exercise the chapter has (number, shape, choice, function,
Triton kernel), in two versions: for the book's page (answer boxes and the Check button, functions in the
notebook) and for the notebook (``ex.qN.check(...)``). The notebook shows it with
``ex.how_to_answer()`` (:class:`ffn_lib.exercises.ChapterExercises`); under each exercise stays only
what is its own (its tolerance, the dtypes of its hidden inputs, its starter code).

Every sentence is one template of :data:`SENTENCES` with named placeholders, so that a translation can
word each one whole.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Sequence

from . import base, kernel
from .values import FUNCTION_TOL
from .words import join, sentences, tr

KINDS = ("a number", "a shape", "a choice", "a function", "a Triton kernel")  # the order the note follows

SENTENCES = {
    "title": "**How to answer.**",
    "lead_book": "Answer in the box under each exercise and press Check.",
    "lead_book_code": ("Answer in the box under each exercise and press Check; an exercise that asks for code is "
                       "written and checked in the chapter's notebook."),
    "lead_notebook": "Put your answer in place of the `...` in the exercise's `ex.qN.check(...)` and run the cell.",
    "details": "Formats, tolerances, time limits and hints",
    "book_number": ("A number goes in the box under its exercise: type it as 0.25, 3/4, 1.5e-3 or 2 099 712, with "
                    "the unit the statement asks for or without one, and press Check. Each exercise states its "
                    "tolerance."),
    "book_shape": "A shape goes in its box as whole numbers, such as (8, 128, 512) or 8 x 128 x 512.",
    "book_choice": "A choice is made by picking one option and pressing Check.",
    "book_page": ("The page checks your answer at once, offline, and this browser keeps your progress; hints open "
                  "one at a time, and the worked solution is folded away below each exercise."),
    "book_function": ("A function is written and checked in the chapter's notebook, starting from the code shown "
                      "under its exercise."),
    "book_kernel": ("A Triton kernel is written and checked in the chapter's notebook, starting from the code shown "
                    "under its exercise."),
    "book_both": ("Functions and Triton kernels are written and checked in the chapter's notebook, starting from the "
                  "code shown under each exercise."),
    "book_download": ("The download button at the top of this page gives the notebook; it needs the course's "
                      "`ffn_lib` (`make lab` in a clone of the course's repository, or `pip install -e .` there)."),
    "nb_number": ("A number is given as a Python number (0.25, 3 / 4, 1.5e-3, 2_099_712), or as a string read as the "
                  "book page's answer box reads it (\"2 099 712\"). Each exercise states its tolerance."),
    "nb_shape": "A shape is a tuple of whole numbers, such as (8, 128, 512).",
    "nb_choice": ("A choice is the letter of one option, as a string, such as \"b\" (or the option's own text, "
                  "typed exactly)."),
    "function": ("A function runs on hidden inputs drawn from a fixed seed, the same at every check. It must return "
                 "the input's type, shape and dtype (computing in float32 inside and casting back is fine; a NumPy "
                 "result may also be a wider float, and a tuple of results a list), every value within rtol "
                 "|expected| + atol max(1, max |expected|) of a float64 reference, with rtol = atol = {tolerances}. "
                 "The check stops after {limit} s for all calls together."),
    "tolerance": "{tol} in {dtype}",
    "kernel": ("A Triton kernel is launched with `BLOCK = {block}` (the first case also with {others}) on hidden "
               "cases (odd sizes, NaN and \u00b1inf, float32 and bfloat16), in Triton's interpreter on a CPU or "
               "natively on a GPU, and compared with eager PyTorch (rtol = atol = 1e-5 in float32, 4e-2 in "
               "bfloat16). The check stops after {limit} s for all launches together."),
    "notebook": ("In the notebook, each exercise's code cell ends in `ex.qN.check(...)`: put your answer in place "
                 "of the `...` and run the cell. `ex.qN.hint()` shows the next hint, `ex.qN.solution()` the worked "
                 "solution, and `exercises.progress()` your progress over the whole course."),
    "kernel_constants": ("A kernel's tolerance, 1e-5 of the largest expected value in float32, is a float32 "
                         "kernel's, not a constant's: constants typed to 3 digits (0.798 for \u221a(2/\u03c0), "
                         "0.0447 for 0.044715) pass."),
}


def _function_tolerances(exercises: Sequence) -> str:
    dtypes: list[str] = []
    for ex in exercises:
        if ex.kind == "a function":
            dtypes += [d for d in ex._dtypes() if d not in dtypes and d in FUNCTION_TOL]
    order = [d for d in FUNCTION_TOL if d in dtypes]
    return join(tr(SENTENCES["tolerance"], tol=f"{FUNCTION_TOL[d][0]:g}", dtype=d) for d in order)


def how_to_answer(exercises: Sequence, *, book: bool) -> str:
    """The chapter's note as Markdown: its title and one sentence, then the details (a sentence for each kind of
    exercise the chapter has) folded in a ``<details>`` block, which opens on a click in the built page and in
    Jupyter alike."""
    kinds = {ex.kind for ex in exercises}
    s = {key: tr(text) for key, text in SENTENCES.items()}
    code = {"a function", "a Triton kernel"} & kinds
    lead = s["lead_notebook"] if not book else s["lead_book_code"] if code else s["lead_book"]
    return (f"{sentences([s['title'], lead])}\n\n<details><summary>{s['details']}</summary>\n\n"
            f"{_details(exercises, kinds, s, book=book)}\n\n</details>")


def _details(exercises: Sequence, kinds: set[str], s: dict[str, str], *, book: bool) -> str:
    """The folded paragraph of :func:`how_to_answer`: how each kind of exercise is answered and checked."""
    parts: list[str] = []
    if book:
        parts += [s[f"book_{k}"] for k in ("number", "shape", "choice") if f"a {k}" in kinds]
        if kinds & {"a number", "a shape", "a choice"}:
            parts.append(s["book_page"])
        code = {"a function", "a Triton kernel"} & kinds
        if code:
            parts.append(s["book_both" if len(code) == 2 else
                           "book_function" if "a function" in code else "book_kernel"])
        parts.append(s["book_download"])
    else:
        parts += [s[f"nb_{k}"] for k in ("number", "shape", "choice") if f"a {k}" in kinds]
    if "a function" in kinds:
        parts.append(s["function"].format(tolerances=_function_tolerances(exercises), limit=f"{base.TIME_LIMIT_S:g}"))
    if "a Triton kernel" in kinds:
        others = join(kernel.BLOCKS[1:])
        parts.append(s["kernel"].format(block=kernel.BLOCK, others=others, limit=f"{kernel.KERNEL_TIME_LIMIT_S:g}"))
    parts.append(s["notebook"])
    if "a Triton kernel" in kinds:  # said after the notebook's sentence, apart from the kernel's own
        parts.append(s["kernel_constants"])
    return sentences(parts)


@dataclass
class HowToAnswer:
    """The note, shown as Markdown: the book's version while the book is built, else the notebook's."""

    exercises: Sequence

    def markdown(self, book: bool | None = None) -> str:
        return how_to_answer(self.exercises, book=bool(os.environ.get(base.BOOK_ENV)) if book is None else book)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __str__(self) -> str:
        text = re.sub(r"</?(?:details|summary)>", "", self.markdown(book=False))
        return re.sub(r"\n{3,}", "\n\n", text).replace("**", "").replace("`", "")

    __repr__ = __str__
