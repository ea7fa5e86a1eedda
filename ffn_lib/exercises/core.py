"""Exercises that check themselves: numbers, choices, shapes and functions.

An :class:`Exercise` has a statement, graduated hints, a check and a worked
solution (kept in :mod:`ffn_lib.exercises.solutions`, imported only when asked
for). ``check(answer)`` takes the answer explicitly and returns a :class:`Result`
that prints as text and shows as HTML in Jupyter; it never raises, whatever the
answer, and never shows a traceback of the checker.

The precision policy, stated in every statement (see :meth:`Exercise.policy_text`):

* a number is compared with the exact value computed by ``ffn_lib``: counts must
  be exact, other numbers within the tolerance the statement gives; a value
  close to a known mistake is diagnosed with that mistake's own tolerance;
* a function is run on hidden inputs drawn from a fixed seed (the same inputs at
  every check, so a verdict is reproducible) that reach the regimes telling
  functions apart (large magnitudes, negative tails, float16/bfloat16 where the
  statement asks to keep the dtype); its result must keep the input's dtype and
  match a float64 reference within :data:`FUNCTION_TOL` of that dtype.

Number, choice and shape exercises can also be checked in the built book's pages:
:meth:`Exercise.page_spec` exports the same values, tolerances and messages to the
page's checker (:mod:`ffn_lib.exercises.page`), so the two cannot disagree.
"""

from __future__ import annotations

import contextlib
import copy
import dis
import html
import importlib
import inspect
import math
import os
import re
import signal
import threading
import time
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import torch

from . import store as _progress

STATUSES = ("correct", "incorrect", "not attempted")
BOOK_ENV = "FFN_LIB_BOOK"  # set while the book is built: exercises render as MyST directives + a page checker
TIME_LIMIT_S = 3.0  # seconds a learner's function may run in one check, all calls together


# --- Results -----------------------------------------------------------------------------------------


@dataclass
class Result:
    """The outcome of one check: ``passed``, ``status`` and a one-paragraph ``message``."""

    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"Exercise {self.exercise} · {self.status}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colors = {"correct": ("#e6f4ea", "#1e7e34", "✔"), "incorrect": ("#fdecea", "#b02a37", "✘"),
                  "not attempted": ("#f1f3f5", "#495057", "…")}
        bg, fg, mark = colors.get(self.status, colors["not attempted"])
        return (f'<div class="ffn-exercise-result" style="background:{bg};border-left:4px solid {fg};'
                f'padding:6px 10px;margin:4px 0"><strong style="color:{fg}">{mark} Exercise {self.exercise}: '
                f'{html.escape(self.status)}</strong><br>{_code_spans(html.escape(self.message))}</div>')


def _code_spans(text: str) -> str:
    """`code` in a message as <code>code</code> (the message is already HTML-escaped)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


# --- Display helpers ------------------------------------------------------------------------------------


@dataclass
class Markdown:
    """Text shown as Markdown in Jupyter (with MathJax) and as itself in a terminal."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


@dataclass(frozen=True)
class Solution:
    """A worked solution: an explanation (Markdown) and code that produces the answer.

    ``code`` defines the exercise's ``answer_name`` (a variable or a function);
    the tests run it and check it, so the solution shown can never be wrong.
    """

    explanation: str
    code: str


# --- Numbers as text --------------------------------------------------------------------------------------


def fmt_number(value: float) -> str:
    """A number as the shortest text that reads back as the same float (Python's ``repr``).

    Whole numbers below 1e16 print without a decimal point, so a count typed back
    from a message (``2099712``) is the same number. The page's checker formats
    numbers with the same rules.
    """
    value = float(value)
    if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


_NUMBER_TEXT = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_THOUSANDS_TEXT = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")
_SHAPE_TEXT = re.compile(r"^[0-9]{1,15}(\s*(,|x|\s)\s*[0-9]{1,15})*\s*,?$")


def parse_number_text(text: str) -> float | None:
    """The number a learner typed in a page's answer box, or None when it is not one.

    Accepts ``0.5``, ``-1.25e-3``, ``2099712`` and ``2,099,712`` (thousands separators),
    with a Unicode minus sign too; nothing else (no ``nan``, ``inf``, ``1/3``).
    """
    s = text.strip().replace("\u2212", "-")
    if _THOUSANDS_TEXT.match(s):
        s = s.replace(",", "")
    if not _NUMBER_TEXT.match(s):
        return None
    return float(s)


def parse_shape_text(text: str) -> tuple[int, ...] | None:
    """The shape a learner typed: ``(8, 128, 512)``, ``[8, 128, 512]``, ``8 x 128 x 512``; else None."""
    s = text.strip().replace("\u00d7", "x")
    if len(s) >= 2 and s[0] in "([" and s[-1] == {"(": ")", "[": "]"}[s[0]]:
        s = s[1:-1].strip()
    if not _SHAPE_TEXT.match(s):
        return None
    return tuple(int(n) for n in re.findall(r"[0-9]+", s))


def fmt_shape(shape: Sequence[int]) -> str:
    return str(tuple(int(n) for n in shape))


def _quote_text(text: str) -> str:
    """A learner's text inside a message: trimmed, at most 40 characters, in quotes."""
    s = text.strip()
    return "\u201c" + (s if len(s) <= 40 else s[:40] + "...") + "\u201d"


def _fill(template: str, **values: str) -> str:
    """``{name}`` placeholders filled in one pass (the page's checker fills them the same way)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


# --- Describing values without tracebacks ------------------------------------------------------------


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def describe(value: Any) -> str:
    """A short description of a value: its kind, shape and dtype, never its whole content."""
    if isinstance(value, torch.Tensor):
        return f"tensor {tuple(value.shape)} {_dtype_name(value)}"
    if isinstance(value, np.ndarray):
        return f"array {value.shape} {value.dtype}"
    if isinstance(value, dict):
        return "dict with keys " + ", ".join(map(repr, list(value)[:6]))
    if isinstance(value, (tuple, list)):
        inner = ", ".join(describe(v) for v in value[:6]) + (", ..." if len(value) > 6 else "")
        return f"{type(value).__name__} ({inner})"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


# --- The exercise base class --------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class Exercise:
    """One exercise. Subclasses define :meth:`_check` (answer -> (status, message))."""

    title: str
    statement: str
    hints: Sequence[str]
    starter: str  # the code of the notebook's starter cell
    answer_name: str = "answer"
    kind: str = field(default="exercise", init=False)
    chapter: int = field(default=0, init=False)
    number: int = field(default=0, init=False)

    # -- identity --
    @property
    def id(self) -> str:
        return f"{self.chapter}.{self.number}"

    @property
    def label(self) -> str:
        return f"ex-{self.chapter}-{self.number}"

    @property
    def handle(self) -> str:
        return f"ex.q{self.number}"

    # -- the learner's side --
    def check(self, answer: Any = ...) -> Result:
        """Check ``answer``; record the outcome in the progress file; return a :class:`Result`."""
        try:
            status, message = self._check(answer)
        except Exception as err:  # a checker bug must never look like the learner's fault
            status, message = "incorrect", (f"The checker could not assess this answer ({type(err).__name__}: "
                                            f"{_one_line(err)}). Please report this.")
        result = Result(self.id, status, _one_line(message))
        _progress.record_attempt(self.id, status)
        return result

    def check_text(self, text: str) -> Result:
        """Check an answer typed as text, exactly as the book page's answer box does (nothing is recorded)."""
        try:
            status, message = self._check_text(text)
        except Exception as err:  # pragma: no cover - a checker bug
            status, message = "incorrect", f"The checker could not assess this answer ({type(err).__name__})."
        return Result(self.id, status, _one_line(message))

    def _check_text(self, text: str) -> tuple[str, str]:
        raise NotImplementedError(f"exercise {self.id} ({self.kind}) is checked in the notebook only")

    def hint(self, n: int | None = None) -> Markdown:
        """The next hint (each call reveals one more), or hint ``n`` (1-based)."""
        total = len(self.hints)
        if n is None:
            n = min(_progress.hints_used(self.id) + 1, total)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= total:
            return Markdown(f"This exercise has hints 1 to {total}; `hint()` gives the next one.")
        _progress.record_hint(self.id, n)
        more = f" (`{self.handle}.hint()` for hint {n + 1} of {total})" if n < total else " (the last hint)"
        return Markdown(f"**Hint {n} of {total}**{more}: {self.hints[n - 1]}")

    def solution(self) -> Markdown:
        """The worked solution (loaded from :mod:`ffn_lib.exercises.solutions` only now)."""
        try:
            sol = self.load_solution()
        except Exception as err:  # never raise at a learner
            return Markdown(f"The solution of exercise {self.id} could not be loaded ({type(err).__name__}).")
        _progress.record_solution_viewed(self.id)
        return Markdown(f"**Solution to exercise {self.id}.** {self.expected_text()}{sol.explanation}\n\n"
                        f"```python\n{sol.code.strip()}\n```")

    def load_solution(self) -> Solution:
        module = importlib.import_module(f"ffn_lib.exercises.solutions.chapter{self.chapter}")
        return module.SOLUTIONS[self.number]

    def expected_text(self) -> str:
        """What the answer is, for solutions (empty for function exercises)."""
        return ""

    def policy_text(self) -> str:
        """How the answer is given and compared: the precision policy, with this exercise's tolerance."""
        return ""

    # -- rendering --
    def full_statement(self) -> str:
        """The statement, its options (for a choice) and the precision policy, as Markdown."""
        return f"{self.statement}\n\n*{self.policy_text()}*"

    def statement_markdown(self) -> str:
        """The statement for the solutions appendix (the title is the section heading there)."""
        return f"*Answer with {self.kind}.* {self.full_statement()}"

    def notebook_markdown(self) -> str:
        return (f"#### Exercise {self.id}: {self.title}\n\n{self.full_statement()}\n\n"
                f"*Check with* `{self.handle}.check(...)`, *get a hint with* `{self.handle}.hint()`, "
                f"*see the worked solution with* `{self.handle}.solution()`.")

    def book_markdown(self, with_exercise: bool = True) -> str:
        """MyST: the exercise with its page checker and hints, and its solution, collapsed (for the built book)."""
        from . import page

        sol = self.load_solution()
        parts = []
        if with_exercise:
            parts.append(f"::::{{exercise}} {self.title}\n:label: {self.label}\n\n{self.full_statement()}\n\n"
                         f"{page.exercise_html(self)}\n::::")
        parts.append(f"::::{{solution}} {self.label}\n:class: dropdown\n\n{self.expected_text()}{sol.explanation}"
                     f"\n\n```python\n{sol.code.strip()}\n```\n::::")
        return "\n\n".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        if os.environ.get(BOOK_ENV):
            return {"text/markdown": self.book_markdown(), "text/plain": f"Exercise {self.id}: {self.title}"}
        return {"text/markdown": self.notebook_markdown(), "text/plain": str(self)}

    def __str__(self) -> str:
        return (f"Exercise {self.id}: {self.title}\n\n{self.full_statement()}\n\n"
                f"Check with {self.handle}.check(...), a hint with {self.handle}.hint(), "
                f"the solution with {self.handle}.solution().")

    __repr__ = __str__

    def page_spec(self) -> dict:
        """What the book page's checker needs (see :mod:`ffn_lib.exercises.page`)."""
        return {"id": self.id, "kind": "function", "handle": self.handle}

    def _check(self, answer: Any) -> tuple[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError


# --- Numbers -----------------------------------------------------------------------------------------------


def _is_unanswered(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def to_number(answer: Any) -> float | str:
    """A float from a Python, NumPy or torch scalar; else a phrase naming what was received."""
    if isinstance(answer, (bool, np.bool_)):
        return "a bool (True/False)"
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return f"a tensor of shape {tuple(answer.shape)} (give a single number; `t.item()` turns a " \
                   "one-element tensor into one)"
        if answer.dtype == torch.bool:
            return "a bool tensor"
        return float(answer.item())
    if isinstance(answer, np.ndarray):
        if answer.size != 1:
            return f"an array of shape {answer.shape} (give a single number)"
        answer = answer.reshape(()).item()
        if isinstance(answer, bool):
            return "a bool (True/False)"
    if isinstance(answer, complex):
        return "a complex number"
    if isinstance(answer, (int, float, np.integer, np.floating)):
        try:
            return float(answer)
        except OverflowError:
            return "an integer too large for a float"
    if isinstance(answer, str):
        return f"the string {answer[:40]!r} (give the number itself, e.g. 0.5, not '0.5')"
    return _article(type(answer).__name__)


Mistake = tuple  # (value or function, diagnosis) or (value or function, diagnosis, tolerance)


@dataclass(eq=False, repr=False)
class NumberExercise(Exercise):
    """The answer is one number, within an absolute or relative tolerance.

    ``mistakes`` are ``(value, diagnosis)`` or ``(value, diagnosis, tolerance)``: ``value`` is a
    function computing the wrong number; ``tolerance`` defaults to the exercise's tolerance rules
    applied to the mistaken value itself (exact for counts), never to the expected value's band.
    """

    expected: Callable[[], float] = lambda: math.nan
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    mistakes: Sequence[Mistake] = ()
    integer: bool = False

    def __post_init__(self):
        self.kind = "a number"

    def tolerance(self, expected: float) -> float:
        return max(self.abs_tol, self.rel_tol * abs(expected))

    def known_mistakes(self) -> list[tuple[float, float, str]]:
        """(value, tolerance, diagnosis) of every known mistake, each with its own tolerance."""
        out = []
        for m in self.mistakes:
            wrong, diagnosis = m[0], m[1]
            value = float(wrong() if callable(wrong) else wrong)
            tol = float(m[2]) if len(m) > 2 else (0.0 if self.integer else self.tolerance(value))
            out.append((value, tol, diagnosis))
        return out

    def accept_text(self) -> str:
        if self.integer:
            return "only the exact whole number is accepted"
        if self.rel_tol and not self.abs_tol:
            return f"answers within {self.rel_tol * 100:g}% of the exact value are accepted"
        if self.abs_tol and not self.rel_tol:
            return f"answers within \u00b1{self.abs_tol:g} of the exact value are accepted"
        return (f"answers within \u00b1{self.abs_tol:g} or {self.rel_tol * 100:g}% of the exact value (the larger) "
                "are accepted")

    def policy_text(self) -> str:
        return f"Answer with a number; {self.accept_text()}."

    def expected_text(self) -> str:
        e = self.expected()
        value = f"{int(e):,}" if self.integer else fmt_number(e)
        return f"The answer is **{value}** ({self.accept_text()}). "

    def messages(self) -> dict[str, str]:
        """Every verdict's text, ``{value}`` / ``{text}`` / ``{diagnosis}`` filled in when used."""
        return {
            "empty": "Type a number in the box, then press Check.",
            "junk": "{text} is not a number: type digits such as 0.5, -1.25e-3 or 2099712.",
            "nan": "Your answer is NaN (not a number): check the computation that produced it.",
            "not_whole": "{value} is not a whole number; the answer is a count.",
            "correct": f"{{value}} is right; {self.accept_text()}.",
            "mistake": "{value} is not it: {diagnosis}",
            "large": f"{{value}} is too large; {self.accept_text()}. Try the next hint.",
            "small": f"{{value}} is too small; {self.accept_text()}. Try the next hint.",
        }

    def verdict(self, value: float) -> tuple[str, str]:
        """Status and message for a number (the page's checker implements the same steps)."""
        msg = self.messages()
        if math.isnan(value):
            return "incorrect", msg["nan"]
        text = fmt_number(value)
        if self.integer and math.isfinite(value) and value != int(value):
            return "incorrect", _fill(msg["not_whole"], value=text)
        expected = float(self.expected())
        if abs(value - expected) <= self.tolerance(expected):
            return "correct", _fill(msg["correct"], value=text)
        for wrong, tol, diagnosis in self.known_mistakes():
            if abs(value - wrong) <= tol:
                return "incorrect", _fill(msg["mistake"], value=text, diagnosis=diagnosis)
        return "incorrect", _fill(msg["large" if value > expected else "small"], value=text)

    def _check(self, answer: Any) -> tuple[str, str]:
        if _is_unanswered(answer):
            return "not attempted", "Replace the `...` with your answer and run the cell again."
        value = to_number(answer)
        if isinstance(value, str):
            return "incorrect", f"Expected a single number, but got {value}."
        return self.verdict(value)

    def _check_text(self, text: str) -> tuple[str, str]:
        if not text.strip():
            return "not attempted", self.messages()["empty"]
        value = parse_number_text(text)
        if value is None:
            return "incorrect", _fill(self.messages()["junk"], text=_quote_text(text))
        return self.verdict(value)

    def page_spec(self) -> dict:
        e = float(self.expected())
        return {"id": self.id, "kind": "number", "handle": self.handle, "expected": e, "tol": self.tolerance(e),
                "integer": self.integer, "messages": self.messages(),
                "mistakes": [{"value": v, "tol": t, "diagnosis": d} for v, t, d in self.known_mistakes()]}


# --- Choices ---------------------------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class ChoiceExercise(Exercise):
    """The answer is the letter of one option."""

    options: dict[str, str] = field(default_factory=dict)
    correct: Callable[[], str] | str = "a"
    mistakes: dict[str, str] = field(default_factory=dict)  # option letter -> why it is wrong

    def __post_init__(self):
        self.kind = "a choice"

    def correct_key(self) -> str:
        return self.correct() if callable(self.correct) else self.correct

    def statement_with_options(self) -> str:
        return "\n".join(f"- **({k})** {v}" for k, v in self.options.items())

    def letters(self) -> str:
        return ", ".join(f'"{k}"' for k in self.options)

    def policy_text(self) -> str:
        return f"Answer with the letter of one option ({self.letters()})."

    def full_statement(self) -> str:
        return f"{self.statement}\n\n{self.statement_with_options()}\n\n*{self.policy_text()}*"

    def expected_text(self) -> str:
        k = self.correct_key()
        option = self.options[k].rstrip()
        return f"The answer is **({k})**: {option}{'' if option.endswith(('.', '?', '!')) else '.'} "

    def messages(self) -> dict[str, str]:
        return {"empty": "Choose one option, then press Check.",
                "junk": f"{{text}} is not one of the options; give one of {self.letters()}.",
                "correct": "({key}) is right.",
                "mistake": "({key}) is not right: {diagnosis}",
                "default": "look at the formulas again, or ask for a hint."}

    def verdict_key(self, answer: str) -> tuple[str, str]:
        msg = self.messages()
        key = answer.strip().strip("()").lower()
        if key not in self.options:
            return "incorrect", _fill(msg["junk"], text=_quote_text(answer))
        if key == self.correct_key():
            return "correct", _fill(msg["correct"], key=key)
        return "incorrect", _fill(msg["mistake"], key=key, diagnosis=self.mistakes.get(key, msg["default"]))

    def _check(self, answer: Any) -> tuple[str, str]:
        if _is_unanswered(answer):
            return "not attempted", "Set `answer` to the letter of one option, e.g. `answer = \"a\"`."
        if not isinstance(answer, str):
            return "incorrect", (f"Give the letter of one option as a string ({self.letters()}), "
                                 f"not {_article(type(answer).__name__)}.")
        return self.verdict_key(answer)

    def _check_text(self, text: str) -> tuple[str, str]:
        if not text.strip():
            return "not attempted", self.messages()["empty"]
        return self.verdict_key(text)

    def page_spec(self) -> dict:
        return {"id": self.id, "kind": "choice", "handle": self.handle, "options": list(self.options),
                "correct": self.correct_key(), "mistakes": dict(self.mistakes), "messages": self.messages()}


# --- Shapes ----------------------------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class ShapeExercise(Exercise):
    """The answer is a shape: a tuple of whole numbers."""

    expected: Callable[[], tuple[int, ...]] = lambda: ()
    mistakes: Sequence[tuple[Callable[[], tuple[int, ...]], str]] = ()

    def __post_init__(self):
        self.kind = "a shape"

    def policy_text(self) -> str:
        return "Answer with a shape: a tuple of whole numbers such as (2, 3)."

    def expected_text(self) -> str:
        return f"The answer is **{fmt_shape(self.expected())}**. "

    def known_mistakes(self) -> list[tuple[tuple[int, ...], str]]:
        return [(tuple(int(n) for n in (w() if callable(w) else w)), d) for w, d in self.mistakes]

    def messages(self) -> dict[str, str]:
        n = len(tuple(self.expected()))
        return {"empty": "Type a shape such as (2, 3), then press Check.",
                "junk": "{text} is not a shape: type whole numbers separated by commas, such as (8, 128, 512).",
                "correct": "{shape} is right.",
                "mistake": "{shape} is not it: {diagnosis}",
                "ndim": f"{{shape}} has the wrong number of dimensions: the answer has {n}.",
                "sizes": "{shape} has the right number of dimensions but not the right sizes."}

    def verdict(self, answer: tuple[int, ...]) -> tuple[str, str]:
        msg = self.messages()
        text = fmt_shape(answer)
        expected = tuple(int(n) for n in self.expected())
        if answer == expected:
            return "correct", _fill(msg["correct"], shape=text)
        for wrong, diagnosis in self.known_mistakes():
            if answer == wrong:
                return "incorrect", _fill(msg["mistake"], shape=text, diagnosis=diagnosis)
        return "incorrect", _fill(msg["ndim" if len(answer) != len(expected) else "sizes"], shape=text)

    def _check(self, answer: Any) -> tuple[str, str]:
        if _is_unanswered(answer):
            return "not attempted", "Replace the `...` with a tuple such as `(2, 3)`."
        if isinstance(answer, (torch.Size, list)):
            answer = tuple(answer)
        if not isinstance(answer, tuple) or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                                                    for a in answer):
            return "incorrect", f"Give a tuple of whole numbers such as (2, 3); got {describe(answer)}."
        return self.verdict(tuple(int(a) for a in answer))

    def _check_text(self, text: str) -> tuple[str, str]:
        if not text.strip():
            return "not attempted", self.messages()["empty"]
        shape = parse_shape_text(text)
        if shape is None:
            return "incorrect", _fill(self.messages()["junk"], text=_quote_text(text))
        return self.verdict(shape)

    def page_spec(self) -> dict:
        return {"id": self.id, "kind": "shape", "handle": self.handle, "expected": list(self.expected()),
                "mistakes": [{"shape": list(w), "diagnosis": d} for w, d in self.known_mistakes()],
                "messages": self.messages()}


# --- Functions -----------------------------------------------------------------------------------------------

_STUB_PATTERNS = (
    [("LOAD_CONST", None), ("RETURN_VALUE", None)],
    [("RETURN_CONST", None)],
)


def is_stub(fn: Callable) -> bool:
    """True for a function whose body is only ``...``, ``pass``, ``return None`` or ``raise NotImplementedError``."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code)
           if i.opname not in ("RESUME", "NOP", "CACHE", "POP_TOP", "PUSH_NULL", "PRECALL", "CALL")]
    if ops in _STUB_PATTERNS:
        return True
    return bool(ops) and ops[0] == ("LOAD_GLOBAL", "NotImplementedError") and ops[-1][0] == "RAISE_VARARGS"


def _snapshot(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


def _widen(value: Any) -> Any:
    """The same inputs in float64: the reference is computed from them."""
    if isinstance(value, torch.Tensor):
        return value.detach().double() if value.is_floating_point() else value
    if isinstance(value, np.ndarray):
        return value.astype(np.float64) if value.dtype.kind == "f" else value
    if isinstance(value, dict):
        return {k: _widen(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_widen(v) for v in value)
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a.detach(), b.detach())
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return True


# The one tolerance table for a learner's float results, per dtype of the expected result:
# |got - want| <= rtol |want| + atol max(1, max |want|), with want a float64 reference. float64 and
# float32 share a row, so computing in float32 inside and casting back to float64 is accepted.
FUNCTION_TOL = {"float64": (1e-5, 1e-5), "float32": (1e-5, 1e-5), "float16": (5e-3, 5e-3),
                "bfloat16": (4e-2, 4e-2)}


def _dtype_name(x: Any) -> str:
    return str(x.dtype).replace("torch.", "")


def _as_float64(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().to(torch.float64).cpu().numpy() if x.dtype != torch.bool else x.cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def compare(got: Any, want: Any, values: Any = None, *, check_dtype: bool = True, inputs: Sequence = (),
            names: Sequence[str] = ()) -> str | None:
    """None when ``got`` matches ``want`` (structure, shape, dtype) and ``values`` (float64 numbers,
    default ``want``) within :data:`FUNCTION_TOL`; else a phrase saying what differs, with shapes and
    the first differing value (never whole arrays)."""
    values = want if values is None else values
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return f"should be a tuple of {len(want)} values, but it is {describe(got)}"
        for i, (g, w, v) in enumerate(zip(got, want, values)):
            problem = compare(g, w, v, check_dtype=check_dtype)
            if problem:
                return f"has item {i} that {problem}"
        return None
    is_torch = isinstance(want, torch.Tensor)
    if is_torch and not isinstance(got, torch.Tensor):
        return f"should be a torch tensor, but it is {describe(got)}"
    if not is_torch:
        if isinstance(got, (float, int, np.floating)) and np.ndim(want) == 0:
            got = np.asarray(got, dtype=want.dtype)
        if not isinstance(got, np.ndarray):
            return f"should be a NumPy array, but it is {describe(got)}"
    if tuple(got.shape) != tuple(want.shape):
        return f"has shape {tuple(got.shape)}; expected {tuple(want.shape)}"
    if check_dtype:
        widened = (not is_torch and got.dtype.kind == "f" and got.dtype.itemsize >= want.dtype.itemsize)
        if _dtype_name(got) != _dtype_name(want) and not widened:
            return f"has dtype {_dtype_name(got)}; expected {_dtype_name(want)} (keep the input's dtype)"
    if isinstance(got, torch.Tensor) and got.is_complex() or isinstance(got, np.ndarray) and got.dtype.kind == "c":
        return "is complex; expected real numbers"
    g, w = _as_float64(got), _as_float64(values)
    rtol, atol = FUNCTION_TOL.get(_dtype_name(want), FUNCTION_TOL["float64"])
    scale = max(1.0, float(np.max(np.abs(w[np.isfinite(w)]))) if np.isfinite(w).any() else 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = (np.abs(g - w) <= rtol * np.abs(w) + atol * scale) | (g == w) | (np.isnan(g) & np.isnan(w))
    if ok.all():
        return None
    i = tuple(int(k) for k in np.argwhere(~ok)[0]) if g.ndim else ()
    where = f"at index {i}" if i else "there"
    source = ""
    arrays = [(n, a) for n, a in zip(names, inputs) if isinstance(a, (torch.Tensor, np.ndarray))]
    if g.ndim and arrays and all(tuple(a.shape) == tuple(want.shape) for _, a in arrays):  # elementwise
        source = " (inputs there: " + ", ".join(f"{n} = {fmt_number(float(_as_float64(a)[i]))}"
                                                for n, a in arrays) + ")"
    return (f"differs from the reference at {int((~ok).sum())} of {ok.size} positions; first {where}: "
            f"got {fmt_number(float(g[i]))}, expected {fmt_number(float(w[i]))}{source} "
            f"(tolerance rtol={rtol:g}, atol={atol:g} x max|expected|)")


class _TimeUp(BaseException):
    """Raised in a learner's function when the check's time is up (BaseException: `except Exception` won't hide it)."""


@contextlib.contextmanager
def _quiet():
    """No NumPy floating-point warnings and no Python warnings from a learner's code."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _call_with_time_limit(fn: Callable, args: tuple, seconds: float) -> Any:
    """fn(*args), or _TimeUp after ``seconds``: a SIGALRM timer on the main thread (it interrupts loops and
    sleeps), else a helper thread we stop waiting for."""
    if seconds <= 0:
        raise _TimeUp()
    use_signal = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                  and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if use_signal:
        def on_alarm(signum, frame):
            raise _TimeUp()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        try:
            try:
                signal.setitimer(signal.ITIMER_REAL, seconds)
                with _quiet():
                    return fn(*args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
    box: dict[str, Any] = {}

    def run():
        try:
            with _quiet():
                box["value"] = fn(*args)
        except BaseException as err:  # handed to the caller
            box["error"] = err

    worker = threading.Thread(target=run, daemon=True, name="ffn-lib-exercise-check")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TimeUp()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _param_names(fn: Callable, n: int, starter: str = "") -> list[str]:
    """Names for the arguments in messages: the learner's parameter names, else the starter's."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    if len(names) < n:
        m = re.search(r"def \w+\(([^)]*)\)", starter)
        names = [a.strip() for a in m.group(1).split(",") if a.strip()] if m else []
    return (names + [f"argument {i + 1}" for i in range(len(names), n)])[:n]


@dataclass(eq=False, repr=False)
class FunctionExercise(Exercise):
    """The answer is a function, run against a float64 reference on hidden seeded cases.

    ``cases(rng)`` returns the argument tuples; ``rng`` is seeded from ``seed`` and the exercise id,
    so every check of a function sees the same inputs. ``time_limit`` (seconds, all calls together)
    defaults to :data:`TIME_LIMIT_S`.
    """

    reference: Callable[..., Any] = lambda *a: None
    cases: Callable[[np.random.Generator], list[tuple]] = lambda rng: []
    mistakes: Sequence[tuple[Callable[..., Any], str]] = ()
    seed: int = 2020
    time_limit: float | None = None

    def __post_init__(self):
        self.kind = "a function"

    def rng(self) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(f"{self.title}|{self.answer_name}".encode())])

    def _cases(self) -> list[tuple]:
        return list(self.cases(self.rng()))

    def _dtypes(self) -> list[str]:
        seen: list[str] = []

        def visit(v):
            if isinstance(v, (torch.Tensor, np.ndarray)):
                name = _dtype_name(v)
                if name not in seen:
                    seen.append(name)
            elif isinstance(v, dict):
                for x in v.values():
                    visit(x)
            elif isinstance(v, (tuple, list)):
                for x in v:
                    visit(x)
        for case in self._cases():
            visit(case)
        return seen

    def policy_text(self) -> str:
        dtypes = self._dtypes()
        tols = "; ".join(f"{d} rtol = atol = {FUNCTION_TOL[d][0]:g}" for d in dtypes if d in FUNCTION_TOL)
        limit = self.time_limit or TIME_LIMIT_S
        numpy = any(isinstance(a, np.ndarray) for case in self._cases() for a in case)
        wider = "a NumPy result may also be a wider float, e.g. float64 for float32 input; " if numpy else ""
        return (f"Your function is run on hidden inputs chosen to tell functions apart, drawn from a fixed seed "
                f"(the same at every check), in {', '.join(dtypes)}. Return the input's type, shape and dtype "
                f"({wider}computing in float32 inside and casting back is fine). Each value must be within "
                f"rtol |expected| + atol max(1, max |expected|) of a float64 reference: {tols}. The check stops "
                f"after {limit:g} s.")

    def _check(self, answer: Any) -> tuple[str, str]:
        if _is_unanswered(answer) or (callable(answer) and is_stub(answer)):
            return "not attempted", (f"`{self.answer_name}` is still the starter stub: write its body "
                                     "(and `return` the result), then run the check again.")
        if not callable(answer):
            return "incorrect", (f"Pass the function itself (`{self.answer_name}`, without calling it), "
                                 f"not {describe(answer)}.")
        cases = self._cases()
        limit = self.time_limit or TIME_LIMIT_S
        names = _param_names(answer, max((len(c) for c in cases), default=0), self.starter)
        runs = []
        deadline = time.monotonic() + limit
        for args in cases:
            before = [_snapshot(a) for a in args]
            shown = ", ".join(f"{n} {describe(a)}" for n, a in zip(names, before))
            try:
                got = _call_with_time_limit(answer, tuple(args), deadline - time.monotonic())
            except _TimeUp:
                return "incorrect", (f"Your function did not return within {limit:g} s (all calls of this check "
                                     f"together; it was called with {shown}). Is there an endless loop?")
            except Exception as err:
                return "incorrect", (f"Your function raised {type(err).__name__}: {_one_line(err)[:200]} "
                                     f"when called with {shown}.")
            if got is None:
                return "incorrect", f"Your function returned None for {shown}: is a `return` missing at the end?"
            if not all(_same(b, a) for b, a in zip(before, args)):
                return "incorrect", (f"Your function changed its input in place (called with {shown}); "
                                     "compute a new result instead of writing into the arguments.")
            runs.append((before, got, shown))
        for before, got, shown in runs:
            problem = compare(got, self.reference(*before), self.reference(*_widen(before)), inputs=before,
                              names=names)
            if problem:
                diagnosis = self._diagnose(runs)
                if diagnosis:
                    return "incorrect", f"Known mistake: {diagnosis}"
                return "incorrect", f"For inputs {shown}, your result {problem}."
        return "correct", (f"passed the checks: {len(cases)} hidden cases, every dtype the statement names. Good "
                           "evidence, not a proof.")

    def _diagnose(self, runs: list) -> str | None:
        """The known mistake the learner's outputs match on every case where it applies (at least one)."""
        for wrong, diagnosis in self.mistakes:
            matched = 0
            for before, got, _ in runs:
                try:
                    with _quiet():
                        out, out64 = wrong(*before), wrong(*_widen(before))
                except Exception:  # a mistake that does not apply to this case
                    continue
                if compare(got, out, out64, check_dtype=False) is not None:
                    break
                matched += 1
            else:
                if matched:
                    return diagnosis
        return None
