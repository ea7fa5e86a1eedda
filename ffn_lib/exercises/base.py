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
from .words import say, status_word, tidy, tr

STATUSES = ("correct", "incorrect", "not attempted")

# The texts every kind shares: whole sentences with named placeholders.
TEXTS = {
    "result": "Exercise {id} \u00b7 {status}: {message}",
    "result_head": "Exercise {id}: {status}",
    "checker_bug": "The checker could not assess this answer ({error}). Please report this.",
    "checker_bug_text": "The checker could not assess this answer ({error}).",
    "raised_on_read": "Your answer raised {error} when the checker read it.",
    "system_exit": "SystemExit({code}) (`sys.exit()` or `exit()` ends the whole program; `return` instead)",
    "hint_range": "This exercise has hints 1 to {total}; `hint()` gives the next one.",
    "hint": "**Hint {n} of {total}** (`{handle}.hint()` for hint {next} of {total}): {hint}",
    "hint_last": "**Hint {n} of {total}** (the last hint): {hint}",
    "solution": "**Solution to exercise {id}.** {expected}{explanation}",
    "solution_missing": "The solution of exercise {id} could not be loaded ({error}).",
    "heading": "#### Exercise {id}: {title}",
    "title": "Exercise {id}: {title}",
    "plain": ("Exercise {id}: {title}\n\n{statement}\n\nCheck with {handle}.check(...), a hint with {handle}.hint(), "
              "the solution with {handle}.solution()."),
    "notebook_only": "Check this exercise in the notebook.",
}
# How the answer is given, for the solutions appendix (where no chapter note precedes the statement).
ANSWER_WITH = {"a number": "Answer with a number.", "a choice": "Answer with the letter of one option.",
               "a shape": "Answer with a shape.", "a function": "Answer with a function.",
               "a Triton kernel": "Answer with a Triton kernel."}
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
        return tr(TEXTS["result"], id=self.exercise, status=status_word(self.status), message=self.message)

    __repr__ = __str__

    def head(self) -> str:
        """The result's heading, "Exercise 2.1: correct", in the reader's language."""
        return tr(TEXTS["result_head"], id=self.exercise, status=status_word(self.status))

    def _repr_html_(self) -> str:
        colors = {"correct": ("#e6f4ea", "#1e7e34", "✔"), "incorrect": ("#fdecea", "#b02a37", "✘"),
                  "not attempted": ("#f1f3f5", "#495057", "…")}
        bg, fg, mark = colors.get(self.status, colors["not attempted"])
        return (f'<div class="ffn-exercise-result" style="background:{bg};border-left:4px solid {fg};'
                f'padding:6px 10px;margin:4px 0"><strong style="color:{fg}">{mark} '
                f'{html.escape(self.head())}</strong><br>'
                f'{_code_spans(html.escape(self.message))}</div>')


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
        return tr(TEXTS["system_exit"], code=repr(err.code))
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
            status, message = "incorrect", tr(TEXTS["checker_bug"], error=f"{type(err).__name__}: {one_line(err)}")
        except BaseException as err:  # SystemExit and the like, from a learner's object (its __float__, ...)
            status, message = "incorrect", tr(TEXTS["raised_on_read"], error=learner_error(err))
        result = Result(self.id, status, tidy(one_line(message)))
        _progress.record_attempt(self.id, status)
        return result

    def check_text(self, text: str, hints_seen: int = 0) -> Result:
        """Check an answer typed as text, exactly as the book page's answer box does (nothing is recorded);
        ``hints_seen``: how many hints the page has shown (the feedback stops suggesting the next hint when
        every hint is shown)."""
        try:
            status, message = self._check_text(text, hints_seen)
        except Exception as err:  # pragma: no cover - a checker bug
            status, message = "incorrect", tr(TEXTS["checker_bug_text"], error=type(err).__name__)
        return Result(self.id, status, tidy(one_line(message)))

    def _check_text(self, text: str, hints_seen: int = 0) -> tuple[str, str]:
        raise NotImplementedError(f"exercise {self.id} ({self.kind}) is checked in the notebook only")

    def hint(self, n: int | None = None) -> Markdown:
        """The next hint (each call reveals one more), or hint ``n`` (1-based)."""
        total = len(self.hints)
        if n is None:
            n = min(_progress.hints_used(self.id) + 1, total)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= total:
            return Markdown(tr(TEXTS["hint_range"], total=total))
        _progress.record_hint(self.id, n)
        template = TEXTS["hint"] if n < total else TEXTS["hint_last"]
        return Markdown(tr(template, n=n, total=total, next=n + 1, handle=self.handle, hint=say(self.hints[n - 1])))

    def hints_shown_all(self, seen: int | None = None) -> bool:
        """Whether every hint has been shown: ``seen`` of them, or (None) as many as the progress file says."""
        if seen is None:
            seen = _progress.hints_used(self.id)
        return seen >= len(self.hints)

    def solution(self) -> Markdown:
        """The worked solution (loaded from :mod:`ffn_lib.exercises.solutions` only now)."""
        try:
            sol = self.load_solution()
        except Exception as err:  # never raise at a learner
            return Markdown(tr(TEXTS["solution_missing"], id=self.id, error=type(err).__name__))
        _progress.record_solution_viewed(self.id)
        text = tr(TEXTS["solution"], id=self.id, expected=self.expected_text(), explanation=say(sol.explanation))
        return Markdown(f"{text}\n\n```python\n{sol.code.strip()}\n```")

    def load_solution(self) -> Solution:
        module = importlib.import_module(f"ffn_lib.exercises.solutions.chapter{self.chapter}")
        return module.SOLUTIONS[self.number]

    def expected_text(self) -> str:
        """What the answer is, for solutions (empty for function exercises)."""
        return ""

    def policy_text(self) -> str:
        """What is this exercise's own in how the answer is compared (its tolerance, the dtypes of its hidden
        inputs); what every exercise of a kind shares is said once per chapter (:mod:`.guide`). "" for none."""
        return ""

    # -- rendering --
    def full_statement(self) -> str:
        """The statement, its options (for a choice) and this exercise's own precision policy, as Markdown."""
        policy = self.policy_text()
        return f"{say(self.statement)}\n\n*{policy}*" if policy else say(self.statement)

    def statement_markdown(self) -> str:
        """The statement for the solutions appendix (the title is the section heading there)."""
        return f"*{tr(ANSWER_WITH[self.kind])}* {self.full_statement()}"

    def notebook_markdown(self) -> str:
        """The exercise in the notebook: how to check it is said once, in the chapter's note (:mod:`.guide`)."""
        return tr(TEXTS["heading"], id=self.id, title=say(self.title)) + "\n\n" + self.full_statement()

    def book_markdown(self, with_exercise: bool = True) -> str:
        """MyST for the built book: the exercise with its page checker and hints, and its solution, collapsed."""
        return page.book_markdown(self, with_exercise=with_exercise)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        if os.environ.get(BOOK_ENV):
            return {"text/markdown": self.book_markdown(),
                    "text/plain": tr(TEXTS["title"], id=self.id, title=say(self.title))}
        return {"text/markdown": self.notebook_markdown(), "text/plain": str(self)}

    def __str__(self) -> str:
        return tr(TEXTS["plain"], id=self.id, title=say(self.title), statement=self.full_statement(),
                  handle=self.handle)

    __repr__ = __str__

    def page_spec(self) -> dict:
        """What the book page's checker needs (see :mod:`ffn_lib.exercises.page`)."""
        return {"id": self.id, "kind": "function", "handle": self.handle}

    def _check(self, answer: Any) -> tuple[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError
