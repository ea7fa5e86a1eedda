"""Exercises that check themselves: numbers, choices, shapes and functions.

An :class:`Exercise` has a statement, graduated hints, a check and a worked
solution (kept in :mod:`ffn_lib.exercises.solutions`, imported only when asked
for). ``check(answer)`` takes the answer explicitly and returns a :class:`Result`
that prints as text and shows as HTML in Jupyter; it never raises on a bad
answer and never shows a traceback of the checker.
"""

from __future__ import annotations

import copy
import dis
import html
import importlib
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import torch

from . import store as _progress

STATUSES = ("correct", "incorrect", "not attempted")
BOOK_ENV = "FFN_LIB_BOOK"  # set while the book is built: exercises render as MyST directives


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
        bg, fg, mark = colors[self.status]
        return (f'<div class="ffn-exercise-result" style="background:{bg};border-left:4px solid {fg};'
                f'padding:6px 10px;margin:4px 0"><strong style="color:{fg}">{mark} Exercise {self.exercise}: '
                f'{self.status}</strong><br>{_code_spans(html.escape(self.message))}</div>')


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


# --- Describing values without tracebacks ------------------------------------------------------------


def describe(value: Any) -> str:
    """A short, readable description of an argument or a result."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().flatten()[:4].tolist()
        return f"tensor of shape {tuple(value.shape)} ({str(value.dtype).replace('torch.', '')}) starting {_fmt(flat)}"
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} ({value.dtype}) starting {_fmt(value.ravel()[:4].tolist())}"
    if isinstance(value, dict):
        return "dict with keys " + ", ".join(map(repr, list(value)[:6]))
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(describe(v) for v in value) + ")"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _fmt(values: list) -> str:
    return "[" + ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in values) + (", ...]" if values else "]")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# --- The exercise base class --------------------------------------------------------------------------


@dataclass(eq=False)
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
        sol = self.load_solution()
        _progress.record_solution_viewed(self.id)
        return Markdown(f"**Solution to exercise {self.id}.** {self.expected_text()}{sol.explanation}\n\n"
                        f"```python\n{sol.code.strip()}\n```")

    def load_solution(self) -> Solution:
        module = importlib.import_module(f"ffn_lib.exercises.solutions.chapter{self.chapter}")
        return module.SOLUTIONS[self.number]

    def expected_text(self) -> str:
        """What the answer is, for solutions (empty for function exercises)."""
        return ""

    # -- rendering --
    def statement_markdown(self) -> str:
        """The statement for the solutions appendix (the title is the section heading there)."""
        return f"*Answer with {self.kind}.* {self.statement}"

    def notebook_markdown(self) -> str:
        return (f"#### Exercise {self.id}: {self.title}\n\n{self.statement}\n\n"
                f"*Check with* `{self.handle}.check(...)`, *get a hint with* `{self.handle}.hint()`, "
                f"*see the worked solution with* `{self.handle}.solution()`.")

    def book_markdown(self, with_exercise: bool = True) -> str:
        """MyST: the exercise, its hints and its solution, collapsed (for the built book)."""
        sol = self.load_solution()
        parts = []
        if with_exercise:
            parts.append(f"::::{{exercise}} {self.title}\n:label: {self.label}\n\n{self.statement}\n\n"
                         f"*In the notebook:* `{self.handle}.check(...)`, `{self.handle}.hint()`, "
                         f"`{self.handle}.solution()`.\n::::")
            for i, h in enumerate(self.hints, 1):
                parts.append(f":::{{dropdown}} Hint {i}\n{h}\n:::")
        parts.append(f"::::{{solution}} {self.label}\n:class: dropdown\n\n{self.expected_text()}{sol.explanation}"
                     f"\n\n```python\n{sol.code.strip()}\n```\n::::")
        return "\n\n".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        if os.environ.get(BOOK_ENV):
            return {"text/markdown": self.book_markdown(), "text/plain": f"Exercise {self.id}: {self.title}"}
        return {"text/markdown": self.notebook_markdown(), "text/plain": f"Exercise {self.id}: {self.title}\n"
                f"{self.statement}"}

    def _check(self, answer: Any) -> tuple[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError


# --- Numbers -----------------------------------------------------------------------------------------------


def _is_unanswered(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def to_number(answer: Any) -> float | str:
    """A float from a Python, NumPy or torch scalar; else a message saying what was received."""
    if isinstance(answer, bool):
        return "a bool (True/False) is not a number."
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return f"a tensor of shape {tuple(answer.shape)}; give a single number (e.g. t.item())."
        return float(answer.item())
    if isinstance(answer, np.ndarray):
        if answer.size != 1:
            return f"an array of shape {answer.shape}; give a single number."
        answer = answer.reshape(()).item()
    if isinstance(answer, (int, float, np.integer, np.floating)):
        return float(answer)
    if isinstance(answer, str):
        return f"the string {answer!r}; give the number itself, not text (e.g. 0.5, not '0.5')."
    return f"a {type(answer).__name__}; give a single number."


@dataclass(eq=False)
class NumberExercise(Exercise):
    """The answer is one number, within an absolute or relative tolerance."""

    expected: Callable[[], float] = lambda: math.nan
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    mistakes: Sequence[tuple[Callable[[], float], str]] = ()
    integer: bool = False

    def __post_init__(self):
        self.kind = "a number"

    def tolerance(self, expected: float) -> float:
        return max(self.abs_tol, self.rel_tol * abs(expected))

    def tolerance_text(self, expected: float) -> str:
        if self.integer:
            return "exactly"
        return f"within ±{self.tolerance(expected):.3g}"

    def expected_text(self) -> str:
        e = self.expected()
        value = f"{int(e):,}" if self.integer else f"{e:.6g}"
        return f"The answer is **{value}** ({self.tolerance_text(e)} is accepted). "

    def _check(self, answer: Any) -> tuple[str, str]:
        if _is_unanswered(answer):
            return "not attempted", "Replace the `...` with your answer and run the cell again."
        value = to_number(answer)
        if isinstance(value, str):
            return "incorrect", f"Expected a number but got {value}"
        if math.isnan(value):
            return "incorrect", "Your answer is NaN (not a number): check the computation that produced it."
        expected = self.expected()
        tol = self.tolerance(expected)
        if abs(value - expected) <= tol:
            return "correct", (f"{value:.6g} is right ({self.tolerance_text(expected)} of the expected value "
                               "is accepted).")
        for wrong, diagnosis in self.mistakes:
            w = wrong()
            if abs(value - w) <= max(tol, 1e-12 * abs(w)):
                return "incorrect", f"{value:.6g} is not it: {diagnosis}"
        direction = "too large" if value > expected else "too small"
        return "incorrect", (f"{value:.6g} is {direction}; answers {self.tolerance_text(expected)} of the "
                             f"expected value are accepted. Try {self.handle}.hint().")


# --- Choices ---------------------------------------------------------------------------------------------


@dataclass(eq=False)
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

    def statement_markdown(self) -> str:
        return f"{super().statement_markdown()}\n\n{self.statement_with_options()}"

    def expected_text(self) -> str:
        k = self.correct_key()
        return f"The answer is **({k})**: {self.options[k]} "

    def notebook_markdown(self) -> str:
        return super().notebook_markdown().replace("\n\n*Check", f"\n\n{self.statement_with_options()}\n\n*Check", 1)

    def book_markdown(self, with_exercise: bool = True) -> str:
        text = super().book_markdown(with_exercise)
        return text.replace(f"\n\n*In the notebook:*", f"\n\n{self.statement_with_options()}\n\n*In the notebook:*", 1)

    def _check(self, answer: Any) -> tuple[str, str]:
        if _is_unanswered(answer):
            return "not attempted", "Set `answer` to the letter of one option, e.g. `answer = \"a\"`."
        letters = ", ".join(f'"{k}"' for k in self.options)
        if not isinstance(answer, str):
            return "incorrect", f"Give the letter of one option as a string ({letters}), not a {type(answer).__name__}."
        key = answer.strip().strip("()").lower()
        if key not in self.options:
            return "incorrect", f"{answer!r} is not one of the options; give one of {letters}."
        if key == self.correct_key():
            return "correct", f"({key}) is right."
        why = self.mistakes.get(key, "look at the formulas again, or ask for a hint.")
        return "incorrect", f"({key}) is not right: {why}"


# --- Shapes ----------------------------------------------------------------------------------------------


@dataclass(eq=False)
class ShapeExercise(Exercise):
    """The answer is a shape: a tuple of whole numbers."""

    expected: Callable[[], tuple[int, ...]] = lambda: ()
    mistakes: Sequence[tuple[Callable[[], tuple[int, ...]], str]] = ()

    def __post_init__(self):
        self.kind = "a shape"

    def expected_text(self) -> str:
        return f"The answer is **{tuple(self.expected())}**. "

    def _check(self, answer: Any) -> tuple[str, str]:
        if _is_unanswered(answer):
            return "not attempted", "Replace the `...` with a tuple such as `(2, 3)`."
        if isinstance(answer, (torch.Size, list)):
            answer = tuple(answer)
        if not isinstance(answer, tuple) or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                                                    for a in answer):
            return "incorrect", f"Give a tuple of whole numbers such as (2, 3); got {describe(answer)}."
        answer = tuple(int(a) for a in answer)
        expected = tuple(self.expected())
        if answer == expected:
            return "correct", f"{answer} is right."
        for wrong, diagnosis in self.mistakes:
            if answer == tuple(wrong()):
                return "incorrect", f"{answer} is not it: {diagnosis}"
        if len(answer) != len(expected):
            return "incorrect", f"{answer} has {len(answer)} dimensions; the answer has {len(expected)}."
        return "incorrect", f"{answer} has the right number of dimensions but not the right sizes."


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


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a.detach(), b.detach())
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return True


# Tolerances for a learner's float results against the reference, per dtype.
FUNCTION_TOL = {"float64": (1e-6, 1e-8), "float32": (1e-4, 1e-5), "float16": (1e-2, 1e-3), "bfloat16": (2e-2, 1e-2)}


def _dtype_name(x: Any) -> str:
    return str(x.dtype).replace("torch.", "")


def compare(got: Any, want: Any) -> str | None:
    """None when ``got`` matches ``want`` (structure, shape, dtype, values); else what differs."""
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return f"should return {len(want)} values as a tuple, but returned {describe(got)}"
        for i, (g, w) in enumerate(zip(got, want)):
            problem = compare(g, w)
            if problem:
                return f"item {i} of the returned tuple {problem}"
        return None
    kind = "torch tensor" if isinstance(want, torch.Tensor) else "NumPy array"
    if isinstance(want, torch.Tensor) and not isinstance(got, torch.Tensor):
        return f"should return a {kind}, but returned {describe(got)}"
    if isinstance(want, np.ndarray):
        if isinstance(got, (float, int, np.floating)) and want.ndim == 0:
            got = np.asarray(got, dtype=want.dtype)
        if not isinstance(got, np.ndarray):
            return f"should return a {kind}, but returned {describe(got)}"
    if tuple(got.shape) != tuple(want.shape):
        return f"has shape {tuple(got.shape)}; expected {tuple(want.shape)}"
    widened = isinstance(want, np.ndarray) and got.dtype.kind == "f" and got.dtype.itemsize >= want.dtype.itemsize
    if _dtype_name(got) != _dtype_name(want) and not widened:
        return f"has dtype {_dtype_name(got)}; expected {_dtype_name(want)} (keep the input's dtype)"
    g = got.detach().double().cpu().numpy() if isinstance(got, torch.Tensor) else np.asarray(got, dtype=np.float64)
    w = want.detach().double().cpu().numpy() if isinstance(want, torch.Tensor) else np.asarray(want, dtype=np.float64)
    rtol, atol = FUNCTION_TOL.get(_dtype_name(want), (1e-6, 1e-8))
    bad = ~np.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
    if bad.any():
        i = np.unravel_index(int(np.argmax(np.where(bad, np.abs(g - w), -1))), g.shape) if g.ndim else ()
        return (f"differs from the expected values at {int(bad.sum())} of {bad.size} positions "
                f"(e.g. at index {tuple(int(k) for k in i)}: got {g[i]:.6g}, expected {w[i]:.6g}; "
                f"tolerance rtol={rtol:g}, atol={atol:g})")
    return None


@dataclass(eq=False)
class FunctionExercise(Exercise):
    """The answer is a function, run against the reference on fixed and seeded random cases."""

    reference: Callable[..., Any] = lambda *a: None
    cases: Callable[[np.random.Generator], list[tuple]] = lambda rng: []
    mistakes: Sequence[tuple[Callable[..., Any], str]] = ()
    seed: int = 2020

    def __post_init__(self):
        self.kind = "a function"

    def _check(self, answer: Any) -> tuple[str, str]:
        if _is_unanswered(answer) or (callable(answer) and is_stub(answer)):
            return "not attempted", (f"`{self.answer_name}` is still the starter stub: write its body "
                                     "(and `return` the result), then run the check again.")
        if not callable(answer):
            return "incorrect", f"Pass the function itself (`{self.answer_name}`, without calling it), not {describe(answer)}."
        cases = self.cases(np.random.default_rng(self.seed))
        for args in cases:
            before = [_snapshot(a) for a in args]
            try:
                got = answer(*args)
            except Exception as err:
                return "incorrect", (f"Your function raised {type(err).__name__}: {_one_line(err)} "
                                     f"when called with {describe(args)}.")
            if got is None:
                return "incorrect", (f"Your function returned None for {describe(args)}: is a `return` missing "
                                     "at the end?")
            if not all(_same(b, a) for b, a in zip(before, args)):
                return "incorrect", (f"Your function changed its input in place (called with {describe(before)}); "
                                     "compute a new result instead of writing into the arguments.")
            want = self.reference(*before)
            problem = compare(got, want)
            if problem:
                for wrong, diagnosis in self.mistakes:
                    try:
                        if compare(got, wrong(*before)) is None:
                            return "incorrect", f"Known mistake: {diagnosis}"
                    except Exception:  # a mistake that does not apply to this case
                        continue
                return "incorrect", f"For input {describe(before)}, your result {problem}."
        return "correct", (f"passed the public checks: {len(cases)} cases, fixed and seeded-random inputs "
                           "(good evidence, not a proof).")
