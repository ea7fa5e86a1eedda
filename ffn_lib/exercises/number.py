"""Number exercises: one number, exact for counts, else within a stated tolerance.

The verdict's steps, in order (the page's checker applies the same steps to the same
:meth:`NumberExercise.page_spec`): NaN; right; a known mistake (each with its own band); the
right size with the wrong sign; a unit slip (off by 10^3, 2^10, 10^6, 2^20, 10^9, 2^30 or
10^12: the unit named); not whole where a whole number is asked for; the answer rounded to the
significant digits typed ("close: give more digits", how many); close (within :data:`CLOSE` but
outside the tolerance); too large / too small.
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
from .number_text import (RATIO, UNITS, fill, fmt_number, quote_text, read_number, rounds_to, significant_digits,
                          split_unit)
from .values import type_phrase

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

UNIT_SLIP_SMALL = ("{value} is {factor} times too small: did you give it in {unit}? The answer is the plain number, "
                   "in the unit the statement names.")
UNIT_SLIP_LARGE = ("{value} is {factor} times too large: check the unit; the answer is in the unit the statement "
                   "names, not 1/{factor} of it.")

_JUNK_EXAMPLES = (("0.5", 0.5), ("-1.25e-3", -1.25e-3), ("3/4", 0.75), ("2 099 712", 2099712.0), ("7", 7.0))


def to_number(answer: Any) -> float | str:
    """A float from a Python, NumPy or torch scalar, a Fraction or a Decimal; else a phrase naming what was received
    (one noun phrase each, with named placeholders)."""
    if isinstance(answer, (bool, np.bool_)):
        return "a bool (True/False)"
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return ("a tensor of shape {shape} (give a single number; `t.item()` turns a one-element tensor into "
                    "one)").format(shape=tuple(answer.shape))
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
            return "an array of shape {shape} (give a single number)".format(shape=answer.shape)
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
            return "a value of type `{type}` that is not a number ({value})".format(type=type(answer).__name__,
                                                                                    value=answer)
    if hasattr(type(answer), "__float__") and not isinstance(answer, (str, bytes)):  # another library's scalar
        try:
            return float(answer)
        except Exception as err:  # the learner's object, not the checker
            return "a value of type `{type}` whose float() raised {error}".format(type=type(answer).__name__,
                                                                                  error=type(err).__name__)
    if isinstance(answer, str):
        return "the string {text} (give the number itself, e.g. 0.5, not '0.5')".format(text=repr(answer[:40]))
    return type_phrase(type(answer).__name__)


def digits_advice(abs_tol: float, rel_tol: float, integer: bool) -> str:
    """What to do about an answer right to the digits given but outside its tolerance: one whole sentence."""
    if integer or not (abs_tol or rel_tol):
        return "Give the exact whole number." if integer else "Give more digits."
    places = max(0, math.ceil(-math.log10(2 * abs_tol) - 1e-9)) if abs_tol else 0
    digits = max(1, math.ceil(1 - math.log10(2 * rel_tol) - 1e-9)) if rel_tol else 0
    if abs_tol and rel_tol:
        return "Give {digits} significant digits or {places} decimal places, or more.".format(digits=digits,
                                                                                                places=places)
    if abs_tol:
        template = "Give 1 decimal place or more." if places == 1 else "Give {places} decimal places or more."
        return template.format(places=places)
    template = "Give 1 significant digit or more." if digits == 1 else "Give {digits} significant digits or more."
    return template.format(digits=digits)


Mistake = tuple  # (value or function, diagnosis) or (value or function, diagnosis, tolerance)


@dataclass(eq=False, repr=False)
class NumberExercise(Exercise):
    """The answer is one number, within an absolute or relative tolerance.

    ``mistakes`` are ``(value, diagnosis)`` or ``(value, diagnosis, tolerance)``: ``value`` is a
    function computing the wrong number; ``tolerance`` defaults to the exercise's tolerance rules
    applied to the mistaken value itself (exact for counts), never to the expected value's band.
    ``integer=True``: the answer is a whole number and only the exact one is accepted. ``unit``: the
    unit the statement asks for (a key of :data:`ffn_lib.exercises.number_text.UNITS`), or "" for a
    plain number; a typed answer may end in it (``704643072 bytes``), and another unit is named.
    """

    expected: Callable[[], float] = lambda: math.nan
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    mistakes: Sequence[Mistake] = ()
    integer: bool = False
    unit: str = ""

    def __post_init__(self):
        self.kind = "a number"
        if self.unit and self.unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)} or '', got {self.unit!r}.")

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
        """How the answer is compared, as one sentence."""
        if self.integer:
            return "Only the exact whole number is accepted."
        pct, tol = f"{self.rel_tol * 100:g}", f"{self.abs_tol:g}"
        if self.rel_tol and not self.abs_tol:
            return "Answers within {pct}% of the exact value are accepted.".format(pct=pct)
        if self.abs_tol and not self.rel_tol:
            return "Answers within \u00b1{tol} of the exact value are accepted.".format(tol=tol)
        return ("Answers within \u00b1{tol} or {pct}% of the exact value, whichever is larger, are "
                "accepted.").format(tol=tol, pct=pct)

    def policy_text(self) -> str:
        return self.accept_text()

    def expected_text(self) -> str:
        e = self.expected()
        value = f"{int(e):,}" if self.integer else fmt_number(e)
        return "The answer is **{value}**. {accept} ".format(value=value, accept=self.accept_text())

    def _junk_examples(self) -> str:
        """Example numbers for the junk message: none of them the answer or a known mistake."""
        e = float(self.expected())
        taken = [(e, self.tolerance(e))] + [(v, t) for v, t, _ in self.known_mistakes()]
        return ", ".join([text for text, v in _JUNK_EXAMPLES if all(abs(v - w) > t for w, t in taken)][:4])

    def messages(self) -> dict[str, str]:
        """Every verdict's text, one template each: ``{value}``, ``{text}``, ``{unit}``... filled in when used."""
        accept = self.accept_text()
        advice = digits_advice(self.abs_tol, self.rel_tol, self.integer)
        return {
            "empty": "Type a number in the box, then press Check.",
            "junk": "{text} is not a number. Type digits, such as {examples}.".replace(
                "{examples}", self._junk_examples()),
            "ambiguous": "{text} can be read two ways: did you mean {first} or {second}? Type it with a decimal "
                         "point ({first}) or without the comma ({second}).",
            "unit_other": "{text} is in {unit}, but this answer is asked for in {expected_unit}: type the number "
                          "alone, in {expected_unit}.",
            "unit_none": "{text} ends in a unit, {unit}, but this answer is a plain number: type the number alone.",
            "nan": "Your answer is NaN (not a number): check the computation that produced it.",
            "not_whole": "{value} is not a whole number; the answer is a whole number (a count, or rounded as the "
                         "statement says).",
            "correct": "{value} is right. " + accept,
            "mistake": "{value} is not it: {diagnosis}",
            "sign": "{value} has the right size but the wrong sign: check the sign of each term.",
            "digits": "{value} is close: it is the answer rounded to the digits you gave, but the tolerance asks "
                      "for more. " + advice,
            "close": "{value} is close (within {close}) but outside the tolerance. ".replace(
                "{close}", f"{CLOSE:.0%}") + accept + " Check the last steps of your computation, and how you rounded.",
            "large": "{value} is too large. Try the next hint.",
            "small": "{value} is too small. Try the next hint.",
        }

    def unit_slips(self) -> list[tuple[float, str]]:
        """(factor, message): a value that times ``factor`` is the answer was probably given in another unit."""
        out = []
        for factor, name, unit in UNIT_SLIPS:
            out.append((factor, fill(UNIT_SLIP_SMALL, factor=name, unit=unit)))
            out.append((1.0 / factor, fill(UNIT_SLIP_LARGE, factor=name)))
        return out

    def bands(self, expected: float) -> dict[str, float]:
        tol = self.tolerance(expected)
        return {"tol": tol, "close": CLOSE * abs(expected), "sign": max(tol, CLOSE * abs(expected))}

    def verdict(self, value: float, text: str | None = None) -> tuple[str, str]:
        """Status and message for a number, typed as ``text`` (default: the number's shortest text); the page's
        checker implements the same steps."""
        msg = self.messages()
        if math.isnan(value):
            return "incorrect", msg["nan"]
        shown = fmt_number(value)
        expected = float(self.expected())
        band = self.bands(expected)
        if abs(value - expected) <= band["tol"]:
            return "correct", fill(msg["correct"], value=shown)
        for wrong, tol, diagnosis in self.known_mistakes():
            if abs(value - wrong) <= tol:
                return "incorrect", fill(msg["mistake"], value=shown, diagnosis=diagnosis)
        if expected != 0 and abs(value + expected) <= band["sign"]:
            return "incorrect", fill(msg["sign"], value=shown)
        for factor, message in self.unit_slips():
            if abs(value * factor - expected) <= band["close"]:
                return "incorrect", fill(message, value=shown)
        if self.integer and math.isfinite(value) and value != int(value):
            return "incorrect", fill(msg["not_whole"], value=shown)
        if rounds_to(expected, value, significant_digits(shown if text is None else text)):
            return "incorrect", fill(msg["digits"], value=shown)
        if abs(value - expected) <= band["close"]:
            return "incorrect", fill(msg["close"], value=shown)
        return "incorrect", fill(msg["large" if value > expected else "small"], value=shown)

    def _check(self, answer: Any) -> tuple[str, str]:
        if is_unanswered(answer):
            return "not attempted", "Replace the `...` with your answer and run the cell again."
        value = to_number(answer)
        if isinstance(value, str):
            return "incorrect", "Expected a single number, but got {what}.".format(what=value)
        return self.verdict(value)

    def _check_text(self, text: str) -> tuple[str, str]:
        msg = self.messages()
        if not text.strip():
            return "not attempted", msg["empty"]
        number = text
        values = read_number(text)
        if not values:
            split = split_unit(text)
            if split is None:
                return "incorrect", fill(msg["junk"], text=quote_text(text))
            number, unit = split
            if unit != self.unit and not (unit == RATIO and not self.unit):
                key = "unit_other" if self.unit else "unit_none"
                return "not attempted", fill(msg[key], text=quote_text(text), unit=unit, expected_unit=self.unit)
            values = read_number(number)
        if len(values) == 2:
            return "not attempted", fill(msg["ambiguous"], text=quote_text(text),
                                         first=fmt_number(values[0]), second=fmt_number(values[1]))
        return self.verdict(values[0], number)

    def page_spec(self) -> dict:
        e = float(self.expected())
        return {"id": self.id, "kind": "number", "handle": self.handle, "expected": e, **self.bands(e),
                "integer": self.integer, "unit": self.unit, "messages": self.messages(),
                "mistakes": [{"value": v, "tol": t, "diagnosis": d} for v, t, d in self.known_mistakes()],
                "units": [{"factor": f, "message": m} for f, m in self.unit_slips()]}
