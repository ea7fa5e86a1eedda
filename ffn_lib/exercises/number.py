"""Number exercises: one number, exact for counts, else within a stated tolerance.

The verdict's steps, in order (the page's checker applies the same steps to the same
:meth:`NumberExercise.page_spec`): NaN; right; a known mistake (each with its own band); the
right size with the wrong sign; a unit slip (off by 10^3, 2^10, 10^6, 2^20, 10^9, 2^30 or
10^12: the unit named where the answer has one that could be confused with another); not whole
where a whole number is asked for; the answer rounded to the significant digits typed ("close: give
more digits", how many); close (within :data:`CLOSE` but outside the tolerance); too large / too small.
A typed text is read first: two numbers (an interval typed for its half-width) and, in a whole-number
exercise, "." between groups of three digits (17.920) get a question, not a verdict; "17,920" is 17920
there. A string passed to ``check`` in the notebook is read the same way.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Sequence

import numpy as np
import torch

from .base import Exercise, is_unanswered
from .number_text import (PERCENT, RATIO, UNITS, fill, fmt_number, quote_text, read_number, read_pair, rounds_to,
                          significant_digits, split_unit, strip_p_label, strip_plus_minus, thousands_dot, unit_name, count_numbers, is_power)
from .values import type_phrase
from .words import N_, join, say, tr

CLOSE = 1e-2  # "close": within 1% of the answer, though outside its tolerance
PERCENT_MAX = 10.0  # a plain answer up to this size (a fraction, a ratio) may be typed as a percentage

# (factor, how it reads, the unit a learner who is off by it probably used); answer = learner's value x factor.
UNIT_SLIPS: tuple[tuple[float, str, str], ...] = (
    (1e3, "10^3", N_("thousands (k, kB), or seconds where milliseconds are asked")),
    (2.0**10, "2^10", "KiB"),
    (1e6, "10^6", N_("millions (M, MB)")),
    (2.0**20, "2^20", "MiB"),
    (1e9, "10^9", N_("billions (G: GFLOP, GB)")),
    (2.0**30, "2^30", "GiB"),
    (1e12, "10^12", "T (TFLOP, TB)"),
)

UNIT_SLIP_SMALL = N_("{value} is {factor} times too small: did you give it in {unit}? The answer is the plain "
                     "number, in the unit the statement names.")
UNIT_SLIP_LARGE = N_("{value} is {factor} times too large: check the unit; the answer is in the unit the statement "
                     "names, not 1/{factor} of it.")
# The same slips where the answer has no unit, or one with no smaller unit to be confused with (a count of
# parameters, FLOPs or bytes): no unit to check, only a factor.
UNIT_SLIP_SMALL_PLAIN = N_("{value} is {factor} times too small: did you divide by {factor} somewhere?")
UNIT_SLIP_LARGE_PLAIN = N_("{value} is {factor} times too large: did you multiply by {factor} somewhere?")
# Units with a smaller unit of the same quantity (ms for s, kB for MB): an answer 10^3 too large may be in it.
SCALED_UNITS = frozenset({"thousands (k)", "millions (M)", "billions (G)", "kB", "KiB", "MB", "MiB", "GB", "GiB",
                          "TB", "TiB", "GFLOPs", "TFLOPs", "FLOP/s", "GFLOP/s", "TFLOP/s", "GB/s", "TB/s", "s", "ms",
                          "\u00b5s"})

_JUNK_EXAMPLES = (("0.5", 0.5), ("-1.25e-3", -1.25e-3), ("3/4", 0.75), ("2 099 712", 2099712.0), ("7", 7.0))

# What was received instead of one number: one noun phrase each, with named placeholders.
RECEIVED = {
    "bool": "a bool (True/False)",
    "tensor_shape": ("a tensor of shape {shape} (give a single number; `t.item()` turns a one-element tensor into "
                     "one)"),
    "bool_tensor": "a bool tensor",
    "complex_tensor": "a complex tensor",
    "meta": "a tensor on the meta device (it has no value; compute it on a real device)",
    "masked": "a masked array whose value is masked (it holds no number)",
    "array_shape": "an array of shape {shape} (give a single number)",
    "complex": "a complex number",
    "too_large": "a number too large for a float",
    "not_a_number": "a value of type `{type}` that is not a number ({value})",
    "float_raised": "a value of type `{type}` whose float() raised {error}",
    "string": "the string {text} (give the number itself, e.g. 0.5, not '0.5')",
}
# What to do about an answer right to the digits given but outside its tolerance, and how answers are compared.
ADVICE = {
    "whole": "Give the exact whole number.",
    "more": "Give more digits.",
    "both": "Give {digits} significant digits or {places} decimal places, or more.",
    "place_one": "Give 1 decimal place or more.",
    "places": "Give {places} decimal places or more.",
    "digit_one": "Give 1 significant digit or more.",
    "digits": "Give {digits} significant digits or more.",
    "exact": "Only the exact whole number is accepted.",
    "rel": "Answers within {pct}% of the exact value are accepted.",
    "abs": "Answers within \u00b1{tol} of the exact value are accepted.",
    "abs_rel": "Answers within \u00b1{tol} or {pct}% of the exact value, whichever is larger, are accepted.",
    "answer": "The answer is **{value}**. {accept} ",
    "answer_rounded": "The answer is **{value}** (rounded to the precision asked). {accept} ",
}
# Every verdict of a number check: one template each ({value}, {text}, {unit} ... filled in when used).
MESSAGES = {
    "unanswered": "Replace the `...` with your answer and run the cell again.",
    "not_a_number": "Expected a single number, but got {what}.",
    "object": "Expected a single number, but got {what}: the answer is its `.{attribute}`.",
    "unanswered_text": "Write your answer as a number, e.g. `answer = 0.5`, and run the cell again.",
    "empty": "Type a number in the box, then press Check.",
    "junk": "{text} is not a number. Type digits, such as {examples}.",
    "ambiguous": ("{text} can be read two ways: did you mean {first} or {second}? Type it with a decimal point "
                  "({first}) or without the comma ({second})."),
    "pair": "{text} is two numbers; the answer is one number: type only the one the statement asks for.",
    "power": "{text} is a power written out: type its value, as a number.",
    "many": "{text} is {count} numbers; the answer is one number: type only the one the statement asks for.",
    "thousands_dot": ("{text} is not a whole number, and the answer is one. If \u201c.\u201d separates thousands "
                      "there, type the digits alone: {whole}."),
    "unit_other": ("{text} is in {unit}, but this answer is asked for in {expected_unit}: type the number alone, in "
                   "{expected_unit}."),
    "unit_none": "{text} ends in a unit, {unit}, but this answer is a plain number: type the number alone.",
    "nan": "Your answer is NaN (not a number): check the computation that produced it.",
    "not_whole": ("{value} is not a whole number; the answer is a whole number (a count, or rounded as the statement "
                  "says)."),
    "correct": "{value} is right.",
    "mistake": "{value} is not it: {diagnosis}",
    "sign": "{value} has the right size but the wrong sign: check the sign of each term.",
    "percent": ("{value} looks like a percentage: this answer is a plain number, a fraction or a ratio, not a "
                "percentage. Divide by 100 (50% is 0.5)."),
    "digits": ("{value} is close: it is the answer rounded to the digits you gave, but the tolerance asks for more. "
               "{advice}"),
    "close": ("{value} is close (within {close}) but outside the tolerance. {accept} Check the last steps of your "
              "computation, and how you rounded."),
    "close_whole": ("{value} is off by {off}: a whole-number answer is exact, so nothing was rounded; check each term "
                    "of your computation."),
    "large": "{value} is too large. Try the next hint.",
    "small": "{value} is too small. Try the next hint.",
    "large_last": "{value} is too large. You have seen every hint: the worked solution shows the steps.",
    "small_last": "{value} is too small. You have seen every hint: the worked solution shows the steps.",
}


def to_number(answer: Any) -> float | str:
    """A float from a Python, NumPy or torch scalar, a Fraction or a Decimal; else a phrase naming what was received
    (one noun phrase each, with named placeholders)."""
    r = RECEIVED
    if isinstance(answer, (bool, np.bool_)):
        return tr(r["bool"])
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return tr(r["tensor_shape"], shape=tuple(answer.shape))
        if answer.dtype == torch.bool:
            return tr(r["bool_tensor"])
        if answer.is_complex():
            return tr(r["complex_tensor"])
        if answer.device.type == "meta":
            return tr(r["meta"])
        return float(answer.item())
    if isinstance(answer, np.ndarray):
        if np.ma.is_masked(answer):
            return tr(r["masked"])
        if answer.size != 1:
            return tr(r["array_shape"], shape=answer.shape)
        answer = answer.reshape(()).item()
        if isinstance(answer, bool):
            return tr(r["bool"])
    if isinstance(answer, (complex, np.complexfloating)):
        return tr(r["complex"])
    if isinstance(answer, (numbers.Real, Decimal)):
        try:
            return float(answer)
        except OverflowError:
            return tr(r["too_large"])
        except (ValueError, ArithmeticError):
            return tr(r["not_a_number"], type=type(answer).__name__, value=answer)
    if hasattr(type(answer), "__float__") and not isinstance(answer, (str, bytes)):  # another library's scalar
        try:
            return float(answer)
        except Exception as err:  # the learner's object, not the checker
            return tr(r["float_raised"], type=type(answer).__name__, error=type(err).__name__)
    if isinstance(answer, str):
        return tr(r["string"], text=repr(answer[:40]))
    return type_phrase(type(answer).__name__)


def precision(abs_tol: float, rel_tol: float) -> tuple[int, int]:
    """(decimal places, significant digits) an answer needs to be within ``abs_tol`` / ``rel_tol`` once rounded;
    0 for a tolerance not given."""
    places = max(0, math.ceil(-math.log10(2 * abs_tol) - 1e-9)) if abs_tol else 0
    digits = max(1, math.ceil(1 - math.log10(2 * rel_tol) - 1e-9)) if rel_tol else 0
    return places, digits


def digits_advice(abs_tol: float, rel_tol: float, integer: bool) -> str:
    """What to do about an answer right to the digits given but outside its tolerance: one whole sentence."""
    a = ADVICE
    if integer or not (abs_tol or rel_tol):
        return tr(a["whole"]) if integer else tr(a["more"])
    places, digits = precision(abs_tol, rel_tol)
    if abs_tol and rel_tol:
        return tr(a["both"], digits=digits, places=places)
    if abs_tol:
        return tr(a["place_one"]) if places == 1 else tr(a["places"], places=places)
    return tr(a["digit_one"]) if digits == 1 else tr(a["digits"], digits=digits)


def answer_text(value: float, abs_tol: float, rel_tol: float, integer: bool) -> tuple[str, bool]:
    """The answer as a solution writes it: (text, whether it is rounded). Whole numbers from a million up with
    thousands separators (19,327,352,832; 17920 without, as "17,920" could be 17.92); others to the precision the
    tolerance asks for (-0.1002 for +-5e-5). Typed back into the answer box, the text is accepted."""
    value = float(value)
    if not math.isfinite(value):
        return fmt_number(value), False
    if integer or (value == int(value) and abs(value) < 1e16):  # below a million one comma reads two ways: 17,920
        return (f"{int(value):,}" if abs(value) >= 1e6 else str(int(value))), False
    if not (abs_tol or rel_tol):
        return fmt_number(value), False
    places, digits = precision(abs_tol, rel_tol)
    if rel_tol and (not abs_tol or rel_tol * abs(value) > abs_tol):  # the relative tolerance is the wider one
        exponent = math.floor(math.log10(abs(value))) if value else 0
        places = max(0, digits - 1 - exponent)
    text = f"{value:,.{places}f}"
    if float(text.replace(",", "")) == value:
        return fmt_number(value) if abs(value) < 1e4 else text, False
    return text, True


Mistake = tuple  # (value or function, diagnosis) or (value or function, diagnosis, tolerance)


@dataclass(eq=False, repr=False)
class NumberExercise(Exercise):
    """The answer is one number, within an absolute or relative tolerance.

    ``mistakes`` are ``(value, diagnosis)`` or ``(value, diagnosis, tolerance)``: ``value`` is a
    function computing the wrong number; ``tolerance`` defaults to the exercise's tolerance rules
    applied to the mistaken value itself (exact for counts), never to the expected value's band.
    ``integer=True``: the answer is a whole number and only the exact one is accepted ("17,920" is
    17920 there, with no question). ``unit``: the unit the statement asks for (a key of
    :data:`ffn_lib.exercises.number_text.UNITS`), or "" for a plain number; a typed answer may end in it
    (``704643072 bytes``), and another unit is named. ``fraction=True``: the answer is a fraction (a
    p-value), so it may be typed as a percentage (4.5%), and 100 times it reads as one. ``objects``: type
    name -> the attribute that holds the answer (``{"RunResult": "final_val_loss"}``), named when the
    object itself is passed. ``preparing``: returns a line to print before a check that first has to
    compute its answer at length (training a model), or None. ``half_width=True``: the answer is a half-width
    (of an interval), so a leading ± ("±0.0174", also "+/-" and "+-") is read as the number after it.
    """

    expected: Callable[[], float] = lambda: math.nan
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    mistakes: Sequence[Mistake] = ()
    integer: bool = False
    unit: str = ""
    fraction: bool = False
    objects: dict = field(default_factory=dict)
    preparing: Callable[[], str | None] | None = None
    half_width: bool = False

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
            out.append((value, tol, say(diagnosis)))
        return out

    def accept_text(self) -> str:
        """How the answer is compared, as one sentence."""
        a = ADVICE
        if self.integer:
            return tr(a["exact"])
        pct, tol = f"{self.rel_tol * 100:g}", f"{self.abs_tol:g}"
        if self.rel_tol and not self.abs_tol:
            return tr(a["rel"], pct=pct)
        if self.abs_tol and not self.rel_tol:
            return tr(a["abs"], tol=tol)
        return tr(a["abs_rel"], tol=tol, pct=pct)

    def policy_text(self) -> str:
        return self.accept_text()

    def expected_text(self) -> str:
        value, rounded = answer_text(self.expected(), self.abs_tol, self.rel_tol, self.integer)
        return tr(ADVICE["answer_rounded" if rounded else "answer"], value=value, accept=self.accept_text())

    def _junk_examples(self) -> str:
        """Example numbers for the junk message: none of them the answer or a known mistake."""
        e = float(self.expected())
        taken = [(e, self.tolerance(e))] + [(v, t) for v, t, _ in self.known_mistakes()]
        return join([text for text, v in _JUNK_EXAMPLES if all(abs(v - w) > t for w, t in taken)][:4])

    def percent_slip(self) -> bool:
        """Whether a number 100 times the answer reads as a percentage typed for it: the answer is a plain number
        (no unit) no larger than :data:`PERCENT_MAX` in size (a fraction or a ratio), and not zero."""
        e = float(self.expected())
        return not self.unit and 0 < abs(e) <= PERCENT_MAX

    def percent_typed(self) -> bool:
        """Whether the answer may be typed with a percent sign (4.5% for 0.045): only a fraction (``fraction=True``,
        a p-value), not a loss, a slope or a second moment, whose "1.74 %" means nothing."""
        return self.fraction and self.percent_slip()

    def messages(self) -> dict[str, str]:
        """Every verdict's text, one template each: ``{value}``, ``{text}``, ``{unit}``... filled in when used."""
        notebook_only = ("unanswered", "not_a_number", "object", "unanswered_text")
        m = {key: tr(template) for key, template in MESSAGES.items() if key not in notebook_only}
        m["junk"] = fill(m["junk"], examples=self._junk_examples())
        m["digits"] = fill(m["digits"], advice=digits_advice(self.abs_tol, self.rel_tol, self.integer))
        m["close"] = fill(m["close"], close=f"{CLOSE:.0%}", accept=self.accept_text())
        return m

    def unit_slips(self) -> list[tuple[float, str]]:
        """(factor, message): a value that times ``factor`` is the answer was probably given in another unit."""
        out = []
        small = UNIT_SLIP_SMALL if self.unit else UNIT_SLIP_SMALL_PLAIN
        large = UNIT_SLIP_LARGE if self.unit in SCALED_UNITS else UNIT_SLIP_LARGE_PLAIN
        for factor, name, unit in UNIT_SLIPS:
            out.append((factor, fill(tr(small), factor=name, unit=tr(unit))))
            out.append((1.0 / factor, fill(tr(large), factor=name)))
        return out

    def bands(self, expected: float) -> dict[str, float]:
        tol = self.tolerance(expected)
        return {"tol": tol, "close": CLOSE * abs(expected), "sign": max(tol, CLOSE * abs(expected))}

    def verdict(self, value: float, text: str | None = None, *, shown: str | None = None,
                last_hint: bool = False) -> tuple[str, str]:
        """Status and message for a number, typed as ``text`` (default: the number's shortest text) and shown in
        the message as ``shown`` (default: the number's shortest text); ``last_hint``: every hint has been shown.
        The page's checker implements the same steps."""
        msg = self.messages()
        if math.isnan(value):
            return "incorrect", msg["nan"]
        shown = fmt_number(value) if shown is None else shown
        digits_text = fmt_number(value) if text is None else text
        expected = float(self.expected())
        band = self.bands(expected)
        if abs(value - expected) <= band["tol"]:
            return "correct", fill(msg["correct"], value=shown)
        for wrong, tol, diagnosis in self.known_mistakes():
            if abs(value - wrong) <= tol:
                return "incorrect", fill(msg["mistake"], value=shown, diagnosis=diagnosis)
        if expected != 0 and abs(value + expected) <= band["sign"]:
            return "incorrect", fill(msg["sign"], value=shown)
        if self.percent_slip() and abs(value / 100 - expected) <= band["close"]:
            return "incorrect", fill(msg["percent"], value=shown)
        for factor, message in self.unit_slips():
            if abs(value * factor - expected) <= band["close"]:
                return "incorrect", fill(message, value=shown)
        if self.integer and math.isfinite(value) and value != int(value):
            return "incorrect", fill(msg["not_whole"], value=shown)
        if rounds_to(expected, value, significant_digits(digits_text)):
            return "incorrect", fill(msg["digits"], value=shown)
        if abs(value - expected) <= band["close"]:
            if self.integer:  # a count: off by a few terms, not by rounding
                return "incorrect", fill(msg["close_whole"], value=shown, off=fmt_number(abs(value - expected)))
            return "incorrect", fill(msg["close"], value=shown)
        key = ("large" if value > expected else "small") + ("_last" if last_hint else "")
        return "incorrect", fill(msg[key], value=shown)

    def _check(self, answer: Any) -> tuple[str, str]:
        if is_unanswered(answer):
            return "not attempted", tr(MESSAGES["unanswered"])
        if isinstance(answer, str):  # "17920", typed as text: read as the page's answer box reads it
            if not answer.strip():
                return "not attempted", tr(MESSAGES["unanswered_text"])
            self._prepare()
            return self._check_text(answer, None)  # None: the hints seen are the progress file's
        attribute = self.objects.get(type(answer).__name__)
        if attribute:
            return "incorrect", tr(MESSAGES["object"], what=type_phrase(type(answer).__name__), attribute=attribute)
        value = to_number(answer)
        if isinstance(value, str):
            return "incorrect", tr(MESSAGES["not_a_number"], what=value)
        self._prepare()
        return self.verdict(value, last_hint=self.hints_shown_all())

    def _prepare(self) -> None:
        """Say so before a check whose answer takes a while to compute the first time (``preparing``)."""
        note = self.preparing() if self.preparing else None
        if note:
            print(say(note), flush=True)

    def _check_text(self, text: str, hints_seen: int | None = 0) -> tuple[str, str]:
        msg = self.messages()
        if not text.strip():
            return "not attempted", msg["empty"]
        if self.half_width:
            text = strip_plus_minus(text)
        if self.fraction:  # a p-value: "p = 0.045"
            text = strip_p_label(text)
        number = text
        values = read_number(text)
        shown = None
        if not values:
            split = split_unit(text)
            if split is None:
                if self.integer and thousands_dot(text) is not None:  # 4.722.432
                    return "not attempted", fill(msg["thousands_dot"], text=quote_text(text),
                                                 whole=fmt_number(float(thousands_dot(text))))
                if read_pair(text):
                    return "not attempted", fill(msg["pair"], text=quote_text(text))
                if is_power(text):
                    return "not attempted", fill(msg["power"], text=quote_text(text))
                if count_numbers(text):
                    return "not attempted", fill(msg["many"], text=quote_text(text), count=str(count_numbers(text)))
                return "incorrect", fill(msg["junk"], text=quote_text(text))
            number, unit = split
            values = read_number(number)
            if unit == PERCENT and self.percent_typed() and len(values) == 1:  # 4.5% where the answer is 0.045
                shown = fmt_number(values[0]) + PERCENT
                values = (values[0] / 100,)
            elif unit != self.unit and not (unit == RATIO and not self.unit):
                key = "unit_other" if self.unit else "unit_none"
                return "not attempted", fill(msg[key], text=quote_text(text), unit=unit_name(unit),
                                             expected_unit=unit_name(self.unit))
        if len(values) == 2 and self.integer:  # "17,920": a whole number is asked for, so the comma groups thousands
            values = values[1:]
        if (self.integer and len(values) == 1 and math.isfinite(values[0]) and values[0] != int(values[0])
                and thousands_dot(number)
                and shown is None):
            return "not attempted", fill(msg["thousands_dot"], text=quote_text(text),
                                         whole=fmt_number(float(thousands_dot(number))))
        if len(values) == 2:
            return "not attempted", fill(msg["ambiguous"], text=quote_text(text),
                                         first=fmt_number(values[0]), second=fmt_number(values[1]))
        return self.verdict(values[0], number, shown=shown, last_hint=self.hints_shown_all(hints_seen))

    def page_spec(self) -> dict:
        e = float(self.expected())
        return {"id": self.id, "kind": "number", "handle": self.handle, "expected": e, **self.bands(e),
                "integer": self.integer, "unit": self.unit, "percent": self.percent_slip(),
                "percent_typed": self.percent_typed(), "half_width": self.half_width,
                "p_value": self.fraction, "hints": len(self.hints),
                "messages": self.messages(),
                "mistakes": [{"value": v, "tol": t, "diagnosis": d} for v, t, d in self.known_mistakes()],
                "units": [{"factor": f, "message": m} for f, m in self.unit_slips()]}
