"""Lists and runs of sentences in the reader's language, for the capstone's generated prose.

English writes "A, B and C", "x; y" and "One. Two."; 简体中文 writes 「A、B 和 C」, 「x；y」 and
「一。二。」 (no space after a full stop). Each joint is one catalogue message with named fields, so a
translation picks its own punctuation and word order, and no sentence is stitched from English fragments.
"""

from __future__ import annotations

from functools import reduce
from typing import Any, Callable, Iterable

from ..i18n import tr


def _fold(join: Callable[[str, str], str], items: Iterable[Any]) -> str:
    words = [str(x) for x in items]
    return reduce(join, words) if words else ""


def series(items: Iterable[Any]) -> str:
    """Items separated by commas: "0, 1, 2" (in Chinese 「0、1、2」)."""
    return _fold(lambda a, b: tr("{first}, {next}", first=a, next=b), items)


def names(items: Iterable[Any]) -> str:
    """Names as prose: "A", "A and B", "A, B and C" (in Chinese 「A、B 和 C」)."""
    words = [str(x) for x in items]
    if len(words) < 2:
        return words[0] if words else ""
    return tr("{first} and {last}", first=series(words[:-1]), last=words[-1])


def clauses(items: Iterable[Any]) -> str:
    """Clauses separated by semicolons: "x; y; z" (in Chinese 「x；y；z」)."""
    return _fold(lambda a, b: tr("{first}; {next}", first=a, next=b), items)


def sentences(items: Iterable[Any]) -> str:
    """Whole sentences one after another: "One. Two." (in Chinese 「一。二。」, no space)."""
    return _fold(lambda a, b: tr("{first} {next}", first=a, next=b), items)
