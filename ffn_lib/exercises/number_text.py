"""Numbers and shapes as text: how answers are written in messages and read from an answer box.

One grammar serves both checkers: :data:`NUMBER_FORMS` is an ordered table of regular
expressions (written in the syntax Python's ``re`` and JavaScript read alike), each with the
way its text becomes a value. :func:`read_number` applies it in Python; the page's checker
(:mod:`ffn_lib.exercises.page`) receives the same table as JSON and applies it with the same
steps (``tests/test_exercises_page.py`` runs both on the same inputs). Accepted:

* plain decimals and scientific notation: ``0.5``, ``-1.25e-3``, ``.5``, ``+7``; a Unicode minus;
* fractions ``a/b`` of whole numbers (``3/2``, ``-1/2``);
* digit groups of three separated by spaces, no-break or narrow no-break spaces, underscores
  (``4 722 432``, ``4_722_432``), or commas (``4,722,432``, ``1,234.5``);
* a decimal comma where it cannot be a thousands separator (``0,5``, ``2,5491``, ``-0,093``);
* ``2,549`` is ambiguous (2.549 or 2549): :func:`read_number` returns both readings and the
  checkers ask which was meant, with no verdict.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Sequence

MINUS = "\u2212"
GROUP_SEPARATORS = " _\u00a0\u202f\u2009"  # space, underscore, no-break, narrow no-break, thin space
_EXP = r"(?:[eE][+-]?[0-9]+)?"
_SEP = "[ _\u00a0\u202f\u2009]"

# (name, pattern, how the value is read): the first pattern that matches decides. "strip" removes the
# characters listed, "comma" reads the comma as a decimal point, "fraction" divides group 1 by group 2,
# "both" gives the decimal-comma and the thousands reading.
NUMBER_FORMS: tuple[tuple[str, str, str, str], ...] = (
    ("plain", r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)" + _EXP + "$", "strip", ""),
    ("fraction", r"^([+-]?[0-9]{1,15}) */ *([0-9]{1,15})$", "fraction", ""),
    ("grouped", r"^[+-]?[1-9][0-9]{0,2}(?:" + _SEP + r"[0-9]{3})+(?:\.[0-9]+)?" + _EXP + "$", "strip",
     GROUP_SEPARATORS),
    ("thousands", r"^[+-]?[1-9][0-9]{0,2}(?:,[0-9]{3}){2,}(?:\.[0-9]+)?" + _EXP + "$", "strip", ","),
    ("thousands_point", r"^[+-]?[1-9][0-9]{0,2},[0-9]{3}\.[0-9]+" + _EXP + "$", "strip", ","),
    ("ambiguous", r"^[+-]?[1-9][0-9]{0,2},[0-9]{3}$", "both", ","),
    ("decimal_comma", r"^[+-]?[0-9]+,[0-9]+" + _EXP + "$", "comma", ","),
)
_COMPILED = [(name, re.compile(p), how, chars) for name, p, how, chars in NUMBER_FORMS]


def normalize(text: str) -> str:
    """The text as the parser sees it: trimmed, the Unicode minus as '-'."""
    return text.strip().replace(MINUS, "-")


def read_number(text: str) -> tuple[float, ...]:
    """The number(s) a text can mean: () for no number, (v,) for one, (decimal, thousands) when ambiguous."""
    s = normalize(text)
    for _name, pattern, how, chars in _COMPILED:
        m = pattern.match(s)
        if not m:
            continue
        if how == "fraction":
            num, den = int(m.group(1)), int(m.group(2))
            return (float(Fraction(num, den)),) if den else ()
        if how == "comma":
            return (float(s.replace(",", ".")),)
        if how == "both":
            return float(s.replace(",", ".")), float(s.replace(",", ""))
        return (float(s.translate({ord(c): None for c in chars})),)
    return ()


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


def fmt_shape(shape: Sequence[int]) -> str:
    return str(tuple(int(n) for n in shape))


def quote_text(text: str) -> str:
    """A learner's text inside a message: trimmed, at most 40 characters, in quotes."""
    s = text.strip()
    return "\u201c" + (s if len(s) <= 40 else s[:40] + "...") + "\u201d"


def fill(template: str, **values: str) -> str:
    """``{name}`` placeholders filled in one pass (the page's checker fills them the same way)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def plural(n: int, word: str) -> str:
    """``1 check``, ``2 checks``."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def grammar_spec() -> dict:
    """The parser's table for the page's checker."""
    return {"forms": [{"name": n, "pattern": p, "how": h, "chars": c} for n, p, h, c in NUMBER_FORMS],
            "minus": MINUS, "shape": SHAPE_PATTERN}
