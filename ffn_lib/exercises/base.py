"""The base of every exercise kind: :class:`Exercise`, its :class:`Result`, and running learner code.

An :class:`Exercise` has a statement, graduated hints, a check and a worked
solution (kept in :mod:`ffn_lib.exercises.solutions`, imported only when asked
for). ``check(answer)`` takes the answer explicitly and returns a :class:`Result`
that prints as text and shows as HTML in Jupyter. It never raises at a learner:
an exception from their code (``SystemExit`` included) becomes a message; only
``KeyboardInterrupt`` stops a check, so a learner can interrupt it.

A kind (one module each: :mod:`.number`, :mod:`.choice`, :mod:`.shape`, :mod:`.function`)
defines ``_check(answer) -> (status, message)``, ``policy_text`` and ``page_spec`` (what
the book page's checker needs, see :mod:`ffn_lib.exercises.page`).
:func:`call_with_time_limit` runs a learner's function under :data:`TIME_LIMIT_S`.
"""

from __future__ import annotations

import contextlib
import html
import importlib
import os
import re
import signal
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import page
from . import store as _progress

STATUSES = ("correct", "incorrect", "not attempted")
BOOK_ENV = "FFN_LIB_BOOK"  # set while the book is built: exercises render as MyST directives + a page checker
TIME_LIMIT_S = 3.0  # seconds a learner's function may run in one check, all calls together


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


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def is_unanswered(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def learner_error(err: BaseException) -> str:
    """An exception raised by a learner's code, as a phrase (``SystemExit`` included)."""
    if isinstance(err, SystemExit):
        return f"SystemExit({err.code!r}) (`sys.exit()` or `exit()` ends the whole program; `return` instead)"
    return f"{type(err).__name__}: {one_line(err)[:200]}"


# --- running a learner's code under a time limit ---------------------------------------------------------


class TimeUp(BaseException):
    """Raised in a learner's function when the check's time is up (BaseException: `except Exception` won't hide it)."""


@contextlib.contextmanager
def quiet():
    """No NumPy floating-point warnings and no Python warnings from a learner's code."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def call_with_time_limit(fn: Callable, args: tuple, seconds: float) -> Any:
    """fn(*args), or :class:`TimeUp` after ``seconds``: a SIGALRM timer on the main thread (it interrupts loops
    and sleeps), else a helper thread we stop waiting for."""
    if seconds <= 0:
        raise TimeUp()
    use_signal = (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
                  and signal.getitimer(signal.ITIMER_REAL)[0] == 0)
    if use_signal:
        def on_alarm(signum, frame):
            raise TimeUp()

        previous = signal.signal(signal.SIGALRM, on_alarm)
        try:
            try:
                signal.setitimer(signal.ITIMER_REAL, seconds)
                with quiet():
                    return fn(*args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
    box: dict[str, Any] = {}

    def run():
        try:
            with quiet():
                box["value"] = fn(*args)
        except BaseException as err:  # handed to the caller
            box["error"] = err

    worker = threading.Thread(target=run, daemon=True, name="ffn-lib-exercise-check")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeUp()
    if "error" in box:
        raise box["error"]
    return box["value"]


# --- the exercise ------------------------------------------------------------------------------------------


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
        except KeyboardInterrupt:  # the learner stops the check
            raise
        except Exception as err:  # a checker bug must never look like the learner's fault
            status, message = "incorrect", (f"The checker could not assess this answer ({type(err).__name__}: "
                                            f"{one_line(err)}). Please report this.")
        except BaseException as err:  # SystemExit and the like, from a learner's object (its __float__, ...)
            status, message = "incorrect", f"Your answer raised {learner_error(err)} when the checker read it."
        result = Result(self.id, status, one_line(message))
        _progress.record_attempt(self.id, status)
        return result

    def check_text(self, text: str) -> Result:
        """Check an answer typed as text, exactly as the book page's answer box does (nothing is recorded)."""
        try:
            status, message = self._check_text(text)
        except Exception as err:  # pragma: no cover - a checker bug
            status, message = "incorrect", f"The checker could not assess this answer ({type(err).__name__})."
        return Result(self.id, status, one_line(message))

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
        """MyST for the built book: the exercise with its page checker and hints, and its solution, collapsed."""
        return page.book_markdown(self, with_exercise=with_exercise)

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
