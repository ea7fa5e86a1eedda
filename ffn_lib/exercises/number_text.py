"""Numbers and shapes as text: how answers are written in messages and read from an answer box.

One grammar serves both checkers: :data:`NUMBER_FORMS` is an ordered table of regular
expressions (written in the syntax Python's ``re`` and JavaScript read alike), each with the
way its text becomes a value. :func:`read_number` applies it in Python; the page's checker
(:mod:`ffn_lib.exercises.page`) receives the same table as JSON and applies it with the same
steps (``tests/test_exercises_page.py`` runs both on the same inputs). Accepted:

* plain decimals and scientific notation: ``0.5``, ``-1.25e-3``, ``.5``, ``+7``; a Unicode minus;
* fractions ``a/b`` of whole or decimal numbers (``3/2``, ``-1/2``, ``0.278465/5``);
* digit groups of three separated by spaces, no-break or narrow no-break spaces, underscores
  (``4 722 432``, ``4_722_432``), or commas (``4,722,432``, ``1,234.5``);
* a decimal comma where it cannot be a thousands separator (``0,5``, ``2,5491``, ``-0,093``);
* ``2,549`` is ambiguous (2.549 or 2549): :func:`read_number` returns both readings and the
  checkers ask which was meant, with no verdict.

A number may end in a unit from :data:`UNITS` (``672 MiB``, ``1.9e10 FLOPs``, ``9x``): :func:`split_unit`
separates the two (the regular expression :data:`UNIT_PATTERN` goes to the page as well), and the number
checker accepts the number when the unit is the one its exercise asks for, and says so when it is not.
:func:`significant_digits` counts the digits typed and :func:`rounds_to` says whether the answer, rounded to
that many digits, is the number typed ("close: give more digits"); the page applies the same steps.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Sequence

from .words import N_, tr

MINUS = "\u2212"
GROUP_SEPARATORS = " _\u00a0\u202f\u2009"  # space, underscore, no-break, narrow no-break, thin space
_EXP = r"(?:[eE][+-]?[0-9]+)?"
_SEP = "[ _\u00a0\u202f\u2009]"
_DECIMAL = r"(?:[0-9]{1,15}(?:\.[0-9]*)?|\.[0-9]+)"  # a fraction's numerator or denominator: 3, 0.278465, .5

# (name, pattern, how the value is read): the first pattern that matches decides. "strip" removes the
# characters listed, "comma" reads the comma as a decimal point, "fraction" divides group 1 by group 2,
# "both" gives the decimal-comma and the thousands reading.
NUMBER_FORMS: tuple[tuple[str, str, str, str], ...] = (
    ("plain", r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)" + _EXP + "$", "strip", ""),
    ("fraction", r"^([+-]?" + _DECIMAL + r") */ *(" + _DECIMAL + ")$", "fraction", ""),
    ("grouped", r"^[+-]?[1-9][0-9]{0,2}(?:" + _SEP + r"[0-9]{3})+(?:\.[0-9]+)?" + _EXP + "$", "strip",
     GROUP_SEPARATORS),
    ("thousands", r"^[+-]?[1-9][0-9]{0,2}(?:,[0-9]{3}){2,}(?:\.[0-9]+)?" + _EXP + "$", "strip", ","),
    ("thousands_point", r"^[+-]?[1-9][0-9]{0,2},[0-9]{3}\.[0-9]+" + _EXP + "$", "strip", ","),
    ("ambiguous", r"^[+-]?[1-9][0-9]{0,2},[0-9]{3}$", "both", ","),
    ("decimal_comma", r"^[+-]?[0-9]+,[0-9]+" + _EXP + "$", "comma", ","),
)
_COMPILED = [(name, re.compile(p), how, chars) for name, p, how, chars in NUMBER_FORMS]


# The units a typed number may end in: canonical name (as messages name it) -> the spellings accepted,
# compared without regard to case. "×" marks a ratio: accepted where the answer is a plain number.
UNITS: dict[str, tuple[str, ...]] = {
    "thousands (k)": ("k", "thousand"), "millions (M)": ("M", "million", "mio"), "billions (G)": ("G", "billion", "bn"),
    "bytes": ("bytes", "byte", "B"), "bits": ("bits", "bit"),
    "kB": ("kB", "KB"), "KiB": ("KiB",), "MB": ("MB",), "MiB": ("MiB",), "GB": ("GB",), "GiB": ("GiB",),
    "TB": ("TB",), "TiB": ("TiB",),
    "FLOPs": ("FLOPs", "FLOP"), "GFLOPs": ("GFLOPs", "GFLOP"), "TFLOPs": ("TFLOPs", "TFLOP"),
    "FLOP/s": ("FLOP/s",), "GFLOP/s": ("GFLOP/s",), "TFLOP/s": ("TFLOP/s",), "GB/s": ("GB/s",), "TB/s": ("TB/s",),
    "s": ("s", "sec", "seconds"), "ms": ("ms",), "\u00b5s": ("\u00b5s", "\u03bcs", "us"), "ns": ("ns",),
    "parameters": ("parameters", "parameter", "params", "param"),
    "nats": ("nats", "nat"),
    "%": ("%",),
    "\u00d7": ("\u00d7", "x", "times"),
}
RATIO = "\u00d7"
# How a unit is named in messages, where its canonical name is words (the others are symbols, shown as they are).
UNIT_NAMES = {"thousands (k)": N_("thousands (k)"), "millions (M)": N_("millions (M)"),
              "billions (G)": N_("billions (G)"), "bytes": N_("bytes"), "bits": N_("bits"),
              "parameters": N_("parameters")}
PERCENT = "%"  # where the answer is a plain number, 5.57% is read as 0.0557
_SPACES = "[ \u00a0\u202f\u2009]*"
_ALIASES = sorted({a for spellings in UNITS.values() for a in spellings}, key=lambda a: (-len(a), a))
UNIT_PATTERN = "^(.*?)" + _SPACES + "(" + "|".join(re.escape(a) for a in _ALIASES) + ")$"  # case-insensitive
_UNIT = re.compile(UNIT_PATTERN, re.IGNORECASE)
_CANONICAL = {a.lower(): name for name, spellings in UNITS.items() for a in spellings}


def unit_name(unit: str) -> str:
    """A canonical unit as messages name it, in the reader's language."""
    return tr(UNIT_NAMES[unit]) if unit in UNIT_NAMES else unit


def normalize(text: str) -> str:
    """The text as the parser sees it: trimmed, the Unicode minus as '-'."""
    return text.strip().replace(MINUS, "-")


def number_reading(text: str) -> tuple[str | None, tuple[float, ...]]:
    """(the name of the form that read the text, the number(s) it means); (None, ()) for no number."""
    s = normalize(text)
    for name, pattern, how, chars in _COMPILED:
        m = pattern.match(s)
        if not m:
            continue
        if how == "fraction":  # IEEE division of the two numbers, as the page divides them
            num, den = float(m.group(1)), float(m.group(2))
            return name, ((num / den,) if den else ())
        if how == "comma":
            return name, (float(s.replace(",", ".")),)
        if how == "both":
            return name, (float(s.replace(",", ".")), float(s.replace(",", "")))
        return name, (float(s.translate({ord(c): None for c in chars})),)
    return None, ()


def read_number(text: str) -> tuple[float, ...]:
    """The number(s) a text can mean: () for no number, (v,) for one, (decimal, thousands) when ambiguous."""
    return number_reading(text)[1]


def split_unit(text: str) -> tuple[str, str] | None:
    """(the number's text, the canonical unit) for a number followed by a unit of :data:`UNITS`
    (``672 MiB`` -> ``("672", "MiB")``); None when the text does not end in a unit or the rest is no number."""
    m = _UNIT.match(normalize(text))
    if not m or not read_number(m.group(1)):
        return None
    return m.group(1), _CANONICAL[m.group(2).lower()]


def significant_digits(text: str) -> int | None:
    """How many significant digits a typed number gives: ``1.9e10`` 2, ``0.0190`` 3, ``19000`` 2 (trailing
    zeros of a whole number are not counted); None for a fraction, zero, or a text that is not one number."""
    s = normalize(text)
    name, values = number_reading(s)
    if len(values) != 1 or name == "fraction":
        return None
    mantissa = re.split("[eE]", s)[0]
    digits = re.sub("[^0-9]", "", mantissa).lstrip("0")
    if ("," if name == "decimal_comma" else ".") not in mantissa:
        digits = digits.rstrip("0")
    return len(digits) or None


def rounds_to(expected: float, value: float, digits: int | None) -> bool:
    """Whether ``expected`` rounded to ``digits`` significant digits (half away from zero) is ``value``.

    The page's checker computes the same: the exponent of the shortest text of ``expected`` (Python's repr,
    JavaScript's toExponential()), the unit of its last kept digit read from the text ``1e<n>``, then
    floor(|expected| / unit + 1/2) x unit, compared with |value| to 1e-9 of it.
    """
    if digits is None or not 1 <= digits <= 15 or not (math.isfinite(expected) and math.isfinite(value)):
        return False
    if expected == 0 or value == 0 or (expected < 0) != (value < 0):
        return False
    exponent = Decimal(repr(abs(expected))).adjusted()
    unit = float(f"1e{exponent - digits + 1}")
    rounded = math.floor(abs(expected) / unit + 0.5) * unit
    return abs(rounded - abs(value)) <= 1e-9 * abs(value)


# Two numbers typed where one is asked for ("-0.0324, 0.0024", "[0.1; 0.2]", "1 to 2"): each side one number.
PAIR_PATTERN = r"^[\[(]?\s*([^,;\[\]()]+?)\s*(?:[,;]|\s+to\s+|\.\.)\s*([^,;\[\]()]+?)\s*[\])]?$"
_PAIR = re.compile(PAIR_PATTERN)
# A whole number with "." between groups of three digits, as some languages write thousands: 17.920, 4.722.432.
THOUSANDS_DOT_PATTERN = r"^[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+$"
_THOUSANDS_DOT = re.compile(THOUSANDS_DOT_PATTERN)


def read_pair(text: str) -> tuple[float, float] | None:
    """The two numbers of a text that is two numbers (an interval typed for its half-width), else None. Only for
    a text that is not itself one number (the checkers ask it last)."""
    m = _PAIR.match(normalize(text))
    if not m:
        return None
    a, b = read_number(m.group(1)), read_number(m.group(2))
    return (a[0], b[0]) if len(a) == 1 and len(b) == 1 else None


# Three or more numbers typed where one is asked for ("0.045, 0.045, 0.300": every adjusted p-value): items split
# at ";" or at a comma followed by a space (so "2,549" and "4,722,432" stay one number).
MANY_SEPARATOR = r"\s*;\s*|,\s+"


def count_numbers(text: str) -> int | None:
    """How many numbers a text is when it is three or more numbers in a list, else None (the checkers ask it
    after the one-number and two-number readings)."""
    s = normalize(text)
    if len(s) >= 2 and s[0] in "([" and s[-1] == {"(": ")", "[": "]"}[s[0]]:
        s = s[1:-1].strip()
    items = re.split(MANY_SEPARATOR, s)
    return len(items) if len(items) >= 3 and all(len(read_number(t)) == 1 for t in items) else None


# A power written out ("3^2", "2**10") where its value is asked for; the page's checker uses the same expression.
POWER_PATTERN = r"^-?[0-9]+(?:\.[0-9]+)?\s*(?:\^|\*\*)\s*[-+]?[0-9]+(?:\.[0-9]+)?$"
_POWER = re.compile(POWER_PATTERN)


def is_power(text: str) -> bool:
    """Whether a text is a power written out, such as ``3^2`` (the checkers ask it after the other readings)."""
    return bool(_POWER.match(normalize(text)))


def thousands_dot(text: str) -> int | None:
    """The whole number a text means if its "." separate thousands (``17.920`` -> 17920), else None."""
    s = normalize(text)
    return int(s.replace(".", "")) if _THOUSANDS_DOT.match(s) else None


def parse_number_text(text: str) -> float | None:
    """The one number a learner typed, or None when the text is not a number or is ambiguous."""
    values = read_number(text)
    return values[0] if len(values) == 1 else None


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


SHAPE_PATTERN = r"^[0-9]{1,15}(\s*(,|x|\s)\s*[0-9]{1,15})*\s*,?$"
_SHAPE_TEXT = re.compile(SHAPE_PATTERN)


def parse_shape_text(text: str) -> tuple[int, ...] | None:
    """The shape a learner typed: ``(8, 128, 512)``, ``[8, 128, 512]``, ``8 x 128 x 512``; else None."""
    s = text.strip().replace("\u00d7", "x")
    if len(s) >= 2 and s[0] in "([" and s[-1] == {"(": ")", "[": "]"}[s[0]]:
        s = s[1:-1].strip()
    if not _SHAPE_TEXT.match(s):
        return None
    return tuple(int(n) for n in re.findall(r"[0-9]+", s))


# A typed shape that is not one: its items (split as the shape pattern separates them), to name one that is a
# number but not a whole one ("(8.0, 128, 2048)": 8.0). The page's checker receives the same patterns.
SHAPE_ITEM_SEPARATOR = r"\s*(?:,|x|\s)\s*"
SHAPE_ITEM_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$"
SHAPE_ITEM_FRACTIONAL = r"\."  # an item with a decimal point: 8.0, 2.5, .5


def non_whole_item(text: str) -> tuple[str, int, int] | None:
    """(item, its position from 1, how many items) of the first item of a typed shape written with a decimal
    point (8.0, 2.5), when every item is a number; else None."""
    s = text.strip().replace("\u00d7", "x")
    if len(s) >= 2 and s[0] in "([" and s[-1] == {"(": ")", "[": "]"}[s[0]]:
        s = s[1:-1].strip()
    items = re.split(SHAPE_ITEM_SEPARATOR, re.sub(r"\s*,$", "", s, count=1))
    if not all(re.match(SHAPE_ITEM_NUMBER, t) for t in items):
        return None
    for n, item in enumerate(items, 1):
        if re.search(SHAPE_ITEM_FRACTIONAL, item):
            return item, n, len(items)
    return None


def fmt_shape(shape: Sequence[int]) -> str:
    return str(tuple(int(n) for n in shape))


def quote_text(text: str) -> str:
    """A learner's text inside a message: trimmed, at most 40 characters, in quotes."""
    s = text.strip()
    return "\u201c" + (s if len(s) <= 40 else s[:40] + "...") + "\u201d"


def fill(template: str, **values: str) -> str:
    """``{name}`` placeholders filled in one pass (the page's checker fills them the same way)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def grammar_spec() -> dict:
    """The parser's table for the page's checker."""
    return {"forms": [{"name": n, "pattern": p, "how": h, "chars": c} for n, p, h, c in NUMBER_FORMS],
            "minus": MINUS, "shape": SHAPE_PATTERN, "unit": UNIT_PATTERN, "ratio": RATIO, "percent": PERCENT,
            "shape_item_separator": SHAPE_ITEM_SEPARATOR, "shape_item_number": SHAPE_ITEM_NUMBER,
            "shape_item_fractional": SHAPE_ITEM_FRACTIONAL, "pair": PAIR_PATTERN, "many_separator": MANY_SEPARATOR, "power": POWER_PATTERN,
            "thousands_dot": THOUSANDS_DOT_PATTERN, "unit_names": {u: unit_name(u) for u in UNIT_NAMES},
            "units": {a.lower(): name for name, spellings in UNITS.items() for a in spellings}}


# A letter typed in front of an option's text: "(c) GEGLU", "(c)GEGLU", "c: GEGLU", "c) GEGLU", "c GEGLU". The page's
# checker uses the same expression (page.py, LETTERED).
LETTERED = re.compile(r"^\(?\s*([A-Za-z])\s*(?:\)\s*[.:-]?|[.:-]|\s)\s*(\S.*)$")


# A leading ± on a half-width ("±0.0174", also "+/-" and "+-"); the page's checker uses the same expression.
PLUS_MINUS = re.compile(r"^\s*(?:\u00b1|\+/-|\+-)\s*(?=\S)")


# "p = 0.045" for a p-value: the label is read as the number after it. The page's checker uses the same expression.
P_LABEL = re.compile(r"^\s*[pP]\s*=\s*(?=\S)")


def strip_p_label(text: str) -> str:
    """``text`` without a leading "p =" ("p = 0.045" -> "0.045")."""
    return P_LABEL.sub("", text, count=1)


def strip_plus_minus(text: str) -> str:
    """``text`` without a leading ± ("±0.0174" -> "0.0174"), as typed for a half-width."""
    return PLUS_MINUS.sub("", text, count=1)
