"""What the exercises say, in the reader's language, translated at the moment it is said.

The exercises' English stays where it is written (a statement, a hint, a diagnosis, a table of
templates); :func:`say` looks it up in ffn_lib's catalogue (:mod:`ffn_lib.i18n`) when it is shown, so
that ``i18n.set_language("zh")`` (or ``FFN_LIB_LANG=zh``) turns everything an exercise says into 简体中文,
and English stays byte-identical. Nothing is translated at import.

A text formatted once, where it is defined, from a catalogue template (a diagnosis written as
``"the coefficient is rounded ({c}); use 0.044715 exactly.".format(c=c)``) is not itself a message:
:func:`say` recognises the template it was made from, reads back the values that filled it, and puts
them into the template's translation (the same digits in both languages).

Also here: the words for an exercise's status and kind (:func:`status_word`, :func:`kind_word`),
whole sentences joined as the language joins them (:func:`sentences`), and short lists (:func:`join`).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

from .. import i18n
from ..i18n import N_

# A status is an identifier (saved in progress files and browser storage); these are the words shown for it.
STATUS_WORDS = {"correct": N_("correct"), "incorrect": N_("incorrect"), "not attempted": N_("not attempted")}
# An exercise's kind is an identifier too ("a number"); shown, it is one of these.
KIND_WORDS = {"a number": N_("a number"), "a choice": N_("a choice"), "a shape": N_("a shape"),
              "a function": N_("a function"), "a Triton kernel": N_("a Triton kernel")}
LIST_ITEM = N_("{items}, {item}")  # one more item of a short list ("float64, float32")

# A space between two Chinese characters (or full-width punctuation), left where a field filled with Chinese
# words meets a translation that spaces its fields off as Latin text ("以 {unit} 为单位" with 字节): removed.
_WIDE = "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
WIDE_SPACE = "(" + _WIDE + ") +(?=" + _WIDE + ")"
_WIDE_SPACE = re.compile(WIDE_SPACE)

_MIN_LITERAL = 12  # a template is recognised only by this many characters of its own text, at least


def tr(message: str, /, **fields: Any) -> str:
    """:func:`ffn_lib.i18n.tr`, but signs stay ASCII "-" in Chinese too: an exercise's numbers are what a reader
    types into code and ``check()``, so they must paste as Python reads them."""
    return i18n.tr(message, **fields).replace(i18n.MINUS, "-")


def english() -> bool:
    return i18n.language() == "en"


def status_word(status: str) -> str:
    """The word shown for a status (``"correct"`` -> 正确 in Chinese)."""
    return tr(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def kind_word(kind: str) -> str:
    """The words shown for an exercise's kind (``"a number"``)."""
    return tr(KIND_WORDS[kind]) if kind in KIND_WORDS else kind


def sentences(parts) -> str:
    """Whole sentences as one paragraph: a space between them in English, none in Chinese."""
    return ("" if i18n.language() == "zh" else " ").join(parts)


def tidy(text: str) -> str:
    """A message as the reader's language spaces it: in Chinese, no space between two Chinese characters (the
    page's checker does the same, :data:`WIDE_SPACE`); English is left as it is."""
    return _WIDE_SPACE.sub(r"\1", text) if i18n.language() == "zh" else text


def join(items) -> str:
    """A short list, ``a, b, c`` in English (the separator is the language's)."""
    items = [str(i) for i in items]
    if not items:
        return ""
    out = items[0]
    for item in items[1:]:
        out = tr(LIST_ITEM, items=out, item=item)
    return out


@lru_cache(maxsize=None)
def _entries(lang: str) -> dict[str, str]:
    """msgid -> translation, for every translated message of the catalogue of ``lang``."""
    path = i18n.CATALOGUE.get(lang)
    if path is None or not path.is_file():
        return {}
    return {msgid: entry["msgstr"][0] for (context, msgid), entry in i18n.parse_po(path.read_text("utf-8")).items()
            if context is None and not entry["fuzzy"] and entry["msgstr"] and entry["msgstr"][0]}


def _parse(template: str) -> list[tuple[str, str | None]] | None:
    """(literal, field name or None) pairs of a ``str.format`` template; None when it is not one."""
    try:
        return [(literal, name) for literal, name, _, _ in string.Formatter().parse(template)]
    except ValueError:
        return None


@lru_cache(maxsize=None)
def _templates(lang: str) -> tuple[tuple[re.Pattern, str, tuple[str, ...], int], ...]:
    """(regular expression, msgid, its fields, characters of its own text) for every translated message with
    named fields, the ones with most text of their own first."""
    out = []
    for msgid, _ in _entries(lang).items():
        parts = _parse(msgid)
        if not parts or not any(name for _, name in parts):
            continue
        if any(name is not None and not re.fullmatch(r"[A-Za-z_]\w*", name) for _, name in parts):
            continue
        literal = sum(len(text) for text, _ in parts)
        if literal < _MIN_LITERAL:
            continue
        pattern, seen, names = [], {}, []
        for text, name in parts:
            pattern.append(re.escape(text))
            if name is None:
                continue
            if name in seen:
                pattern.append(f"(?P={seen[name]})")
            else:
                seen[name] = f"f{len(seen)}"
                names.append(name)
                pattern.append(f"(?P<{seen[name]}>.+?)")
        out.append((re.compile("".join(pattern), re.S), msgid, tuple(names), literal))
    out.sort(key=lambda t: -t[3])
    return tuple(out)


def _refill(text: str, lang: str) -> str | None:
    """The translation of the template ``text`` was formatted from, with the same values; None for none."""
    entries = _entries(lang)
    for pattern, msgid, names, _ in _templates(lang):
        m = pattern.fullmatch(text)
        if not m:
            continue
        values = {name: m.group(f"f{i}") for i, name in enumerate(names)}
        parts = _parse(entries[msgid])
        if parts is None or {n for _, n in parts if n is not None} != set(values):
            continue
        return "".join(literal + (entries.get(values[name], values[name]) if name else "")
                       for literal, name in parts)
    return None


def say(text: Any) -> Any:
    """``text`` in the reader's language: its translation, or, for a text formatted at definition from a
    catalogue template, the template's translation with the same values; else ``text`` itself."""
    if not isinstance(text, str) or not text or english():
        return text
    lang = i18n.language()
    entries = _entries(lang)
    if text in entries:
        return entries[text]
    refilled = _refill(text, lang)
    return text if refilled is None else refilled
