"""Number exercises: one number, exact for counts, else within a stated tolerance.

The verdict's steps, in order (the page's checker applies the same steps to the same
:meth:`NumberExercise.page_spec`): NaN; right; a known mistake (each with its own band); the
right size with the wrong sign; a unit slip (off by 10^3, 2^10, 10^6, 2^20, 10^9, 2^30 or
10^12: the unit named); not whole where a whole number is asked for; close (within
:data:`CLOSE` but outside the tolerance: how many digits to give); too large / too small.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Sequence

import numpy as np
import torch

from .base import Exercise, is_unanswered
from .number_text import fill, fmt_number, quote_text, read_number
from .values import article

CLOSE = 1e-2  # "close": within 1% of the answer, though outside its tolerance

# (factor, how it reads, the unit a learner who is off by it probably used); answer = learner's value x factor.
UNIT_SLIPS: tuple[tuple[float, str, str], ...] = (
    (1e3, "10^3", "thousands (k, kB), or seconds where milliseconds are asked"),
    (2.0**10, "2^10", "KiB"),
    (1e6, "10^6", "millions (M, MB)"),
    (2.0**20, "2^20", "MiB"),
    (1e9, "10^9", "billions (G: GFLOP, GB)"),
    (2.0**30, "2^30", "GiB"),
    (1e12, "10^12", "T (TFLOP, TB)"),
)

_JUNK_EXAMPLES = (("0.5", 0.5), ("-1.25e-3", -1.25e-3), ("3/4", 0.75), ("2 099 712", 2099712.0), ("7", 7.0))


def to_number(answer: Any) -> float | str:
    """A float from a Python, NumPy or torch scalar, a Fraction or a Decimal; else a phrase naming what was received."""
    if isinstance(answer, (bool, np.bool_)):
        return "a bool (True/False)"
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return f"a tensor of shape {tuple(answer.shape)} (give a single number; `t.item()` turns a " \
                   "one-element tensor into one)"
        if answer.dtype == torch.bool:
            return "a bool tensor"
        if answer.is_complex():
            return "a complex tensor"
        if answer.device.type == "meta":
            return "a tensor on the meta device (it has no value; compute it on a real device)"
        return float(answer.item())
    if isinstance(answer, np.ndarray):
        if np.ma.is_masked(answer):
            return "a masked array whose value is masked (it holds no number)"
        if answer.size != 1:
            return f"an array of shape {answer.shape} (give a single number)"
        answer = answer.reshape(()).item()
        if isinstance(answer, bool):
            return "a bool (True/False)"
    if isinstance(answer, (complex, np.complexfloating)):
        return "a complex number"
    if isinstance(answer, (numbers.Real, Decimal)):
        try:
            return float(answer)
        except OverflowError:
            return "a number too large for a float"
        except (ValueError, ArithmeticError):
            return f"{article(type(answer).__name__)} that is not a number ({answer})"
    if hasattr(type(answer), "__float__") and not isinstance(answer, (str, bytes)):  # another library's scalar
        try:
            return float(answer)
        except Exception as err:  # the learner's object, not the checker
            return f"{article(type(answer).__name__)} whose float() raised {type(err).__name__}"
    if isinstance(answer, str):
        return f"the string {answer[:40]!r} (give the number itself, e.g. 0.5, not '0.5')"
    return article(type(answer).__name__)


def close_advice(abs_tol: float, rel_tol: float, integer: bool) -> str:
    """What to do about an answer within CLOSE of the right one but outside its tolerance."""
    if integer:
        return "check how you rounded, and that nothing is left out"
    parts = []
    if abs_tol:
        parts.append(f"round to {max(0, math.ceil(-math.log10(2 * abs_tol) - 1e-9))} decimal places")
    if rel_tol:
        parts.append(f"{max(1, math.ceil(1 - math.log10(2 * rel_tol) - 1e-9))} significant digits")
    return "give more digits: " + " or ".join(parts) + " or more"


Mistake = tuple  # (value or function, diagnosis) or (value or function, diagnosis, tolerance)


@dataclass(eq=False, repr=False)
class NumberExercise(Exercise):
    """The answer is one number, within an absolute or relative tolerance.

    ``mistakes`` are ``(value, diagnosis)`` or ``(value, diagnosis, tolerance)``: ``value`` is a
    function computing the wrong number; ``tolerance`` defaults to the exercise's tolerance rules
    applied to the mistaken value itself (exact for counts), never to the expected value's band.
    ``integer=True``: the answer is a whole number and only the exact one is accepted.
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
        return f"Answer with {'a whole number' if self.integer else 'a number'}; {self.accept_text()}."

    def expected_text(self) -> str:
        e = self.expected()
        value = f"{int(e):,}" if self.integer else fmt_number(e)
        return f"The answer is **{value}** ({self.accept_text()}). "

    def _junk_examples(self) -> str:
        """Example numbers for the junk message: none of them the answer or a known mistake."""
        e = float(self.expected())
        taken = [(e, self.tolerance(e))] + [(v, t) for v, t, _ in self.known_mistakes()]
        shown = [text for text, v in _JUNK_EXAMPLES if all(abs(v - w) > t for w, t in taken)][:4]
        return ", ".join(shown[:-1]) + " or " + shown[-1]

    def messages(self) -> dict[str, str]:
        """Every verdict's text, ``{value}`` / ``{text}`` / ``{diagnosis}`` filled in when used."""
        accept = self.accept_text()
        return {
            "empty": "Type a number in the box, then press Check.",
            "junk": f"{{text}} is not a number: type digits such as {self._junk_examples()}.",
            "ambiguous": "{text} can be read two ways: did you mean {first} or {second}? Type it with a decimal "
                         "point ({first}) or without the comma ({second}).",
            "nan": "Your answer is NaN (not a number): check the computation that produced it.",
            "not_whole": "{value} is not a whole number; the answer is a whole number (a count, or rounded as the "
                         "statement says).",
            "correct": f"{{value}} is right; {accept}.",
            "mistake": "{value} is not it: {diagnosis}",
            "sign": "{value} has the right size but the wrong sign: check the sign of each term.",
            "close": f"{{value}} is close (within {CLOSE:.0%}) but not within the tolerance ({accept}): "
                     f"{close_advice(self.abs_tol, self.rel_tol, self.integer)}.",
            "large": f"{{value}} is too large; {accept}. Try the next hint.",
            "small": f"{{value}} is too small; {accept}. Try the next hint.",
        }

    def unit_slips(self) -> list[tuple[float, str]]:
        """(factor, message): a value that times ``factor`` is the answer was probably given in another unit."""
        out = []
        for factor, name, unit in UNIT_SLIPS:
            out.append((factor, f"{{value}} is {name} times too small: did you give it in {unit}? The answer is "
                                "the plain number, in the unit the statement names."))
            out.append((1.0 / factor, f"{{value}} is {name} times too large: check the unit; the answer is in the "
                                      f"unit the statement names, not 1/{name} of it."))
        return out

    def bands(self, expected: float) -> dict[str, float]:
        tol = self.tolerance(expected)
        return {"tol": tol, "close": CLOSE * abs(expected), "sign": max(tol, CLOSE * abs(expected))}

    def verdict(self, value: float) -> tuple[str, str]:
        """Status and message for a number (the page's checker implements the same steps)."""
        msg = self.messages()
        if math.isnan(value):
            return "incorrect", msg["nan"]
        text = fmt_number(value)
        expected = float(self.expected())
        band = self.bands(expected)
        if abs(value - expected) <= band["tol"]:
            return "correct", fill(msg["correct"], value=text)
        for wrong, tol, diagnosis in self.known_mistakes():
            if abs(value - wrong) <= tol:
                return "incorrect", fill(msg["mistake"], value=text, diagnosis=diagnosis)
        if expected != 0 and abs(value + expected) <= band["sign"]:
            return "incorrect", fill(msg["sign"], value=text)
        for factor, message in self.unit_slips():
            if abs(value * factor - expected) <= band["close"]:
                return "incorrect", fill(message, value=text)
        if self.integer and math.isfinite(value) and value != int(value):
            return "incorrect", fill(msg["not_whole"], value=text)
        if abs(value - expected) <= band["close"]:
            return "incorrect", fill(msg["close"], value=text)
        return "incorrect", fill(msg["large" if value > expected else "small"], value=text)

    def _check(self, answer: Any) -> tuple[str, str]:
        if is_unanswered(answer):
            return "not attempted", "Replace the `...` with your answer and run the cell again."
        value = to_number(answer)
        if isinstance(value, str):
            return "incorrect", f"Expected a single number, but got {value}."
        return self.verdict(value)

    def _check_text(self, text: str) -> tuple[str, str]:
        if not text.strip():
            return "not attempted", self.messages()["empty"]
        values = read_number(text)
        if not values:
            return "incorrect", fill(self.messages()["junk"], text=quote_text(text))
        if len(values) == 2:
            return "not attempted", fill(self.messages()["ambiguous"], text=quote_text(text),
                                         first=fmt_number(values[0]), second=fmt_number(values[1]))
        return self.verdict(values[0])

    def page_spec(self) -> dict:
        e = float(self.expected())
        return {"id": self.id, "kind": "number", "handle": self.handle, "expected": e, **self.bands(e),
                "integer": self.integer, "messages": self.messages(),
                "mistakes": [{"value": v, "tol": t, "diagnosis": d} for v, t, d in self.known_mistakes()],
                "units": [{"factor": f, "message": m} for f, m in self.unit_slips()]}
