"""The library's messages in the reader's language: English (the source) or 简体中文.

Every sentence the library writes for a reader (the sentences built from measurements, everything the exercises
say) is an English message looked up in one gettext catalogue, ``ffn_lib/locale/zh_CN/LC_MESSAGES/ffn_lib.po``.
Which language is used, first match wins:

1. ``set_language("zh")`` (or ``"en"``), for this process;
2. the ``FFN_LIB_LANG`` environment variable (``en``, ``zh``; ``zh_CN``, ``zh-Hans`` … are read as ``zh``);
   the book's build sets it for each edition;
3. the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``): a Chinese locale gives ``zh``;
4. English.

In code, a message is one whole sentence with named fields, so a translation can put them in its own order::

    tr("{name} took {ratio}× as long as {base}", name="GELU", ratio="1.3", base="ReLU")
    ntr("{n} exercise", "{n} exercises", n, n=n)
    TITLE = N_("Peak memory")   # a module constant: marked for the catalogue, translated where it is used
    tr(TITLE)

``scripts/i18n.py`` extracts the messages from the source (these three names, with a literal first argument) and
keeps the catalogue in step; ``tests/test_i18n.py`` fails when a message has no translation, a fuzzy one, or one
whose named fields differ from the English.
"""
from __future__ import annotations

import os
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "zh")
ENV = "FFN_LIB_LANG"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CATALOGUE = {"zh": LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "ffn_lib.po"}

_explicit: str | None = None
_warned: set[str] = set()


def normalise(lang: str) -> str | None:
    """``'zh_CN.UTF-8'``, ``'zh-Hans'``, ``'zh'`` -> ``'zh'``; ``'en_GB'`` -> ``'en'``; anything else -> None."""
    head = re.split(r"[_\-.@]", lang.strip().lower(), maxsplit=1)[0]
    return head if head in LANGUAGES else None


def set_language(lang: str | None) -> None:
    """Use ``lang`` (``'en'`` or ``'zh'``) from now on in this process; ``None`` goes back to the environment."""
    global _explicit
    if lang is None:
        _explicit = None
        return
    if not isinstance(lang, str) or normalise(lang) is None:
        raise ValueError(f"set_language: lang must be one of {', '.join(map(repr, LANGUAGES))} or None, "
                         f"got {lang!r}")
    _explicit = normalise(lang)


def language() -> str:
    """The language messages are written in now: ``'en'`` or ``'zh'`` (see the module's docstring)."""
    if _explicit is not None:
        return _explicit
    value = os.environ.get(ENV, "").strip()
    if value:
        found = normalise(value)
        if found is not None:
            return found
        if value not in _warned:
            _warned.add(value)
            warnings.warn(f"{ENV}={value!r} is not a language of this course ({', '.join(LANGUAGES)}); "
                          "writing English", stacklevel=2)
        return "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if normalise(value) == "zh" else "en"
    return "en"


# --- the catalogue ---------------------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    body = text.strip()
    if len(body) < 2 or body[0] != '"' or body[-1] != '"':
        raise ValueError(f"not a quoted .po string: {text!r}")
    return re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body[1:-1])


def parse_po(text: str) -> dict[tuple[str | None, str], dict[str, Any]]:
    """Read a .po file's entries: ``{(msgctxt, msgid): {"msgstr": [..], "plural": str|None, "fuzzy": bool}}``.

    Obsolete entries (``#~``) and the header (empty msgid) are left out.
    """
    entries: dict[tuple[str | None, str], dict[str, Any]] = {}
    fields: dict[str, str] = {}
    flags: set[str] = set()
    key: str | None = None

    def done() -> bool:
        return any(k.startswith("msgstr") for k in fields)

    def flush() -> None:
        nonlocal fields, flags, key
        if fields.get("msgid"):
            names = sorted((k for k in fields if k.startswith("msgstr")),
                           key=lambda k: int(k[7:-1]) if "[" in k else 0)
            entries[(fields.get("msgctxt"), fields["msgid"])] = {
                "msgstr": [fields[k] for k in names], "plural": fields.get("msgid_plural"),
                "fuzzy": "fuzzy" in flags}
        fields, flags, key = {}, set(), None

    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#~"):
            if not stripped and done():
                flush()
            continue
        if stripped.startswith("#"):
            if done():
                flush()
            if stripped.startswith("#,"):
                flags |= {f.strip() for f in stripped[2:].split(",")}
            continue
        if stripped.startswith('"'):
            if key is None:
                raise ValueError(f"line {number}: a continuation line before any keyword: {line!r}")
            fields[key] += _unquote(stripped)
            continue
        word, _, rest = stripped.partition(" ")
        if word in ("msgctxt", "msgid") and done():
            flush()
        if not (word in ("msgctxt", "msgid", "msgid_plural", "msgstr") or re.fullmatch(r"msgstr\[\d+\]", word)):
            raise ValueError(f"line {number}: not a .po keyword: {line!r}")
        key = word
        fields[key] = _unquote(rest)
    flush()
    return entries


@lru_cache(maxsize=None)
def _catalogue(lang: str) -> dict[tuple[str | None, str], dict[str, Any]]:
    path = CATALOGUE.get(lang)
    if path is None or not path.is_file():
        return {}
    return {k: v for k, v in parse_po(path.read_text(encoding="utf-8")).items()
            if not v["fuzzy"] and any(v["msgstr"])}


def gettext(message: str, plural: str | None = None, n: int | None = None, *, context: str | None = None) -> str:
    """``message`` in the current language (itself where the catalogue has no translation)."""
    entry = _catalogue(language()).get((context, message))
    if entry is None:
        return message if plural is None or n == 1 else plural
    return entry["msgstr"][0]   # 简体中文 has one plural form


def translation(message: str, lang: str | None = None) -> str | None:
    """``message``'s translation into ``lang`` (default: the current language), or None where the catalogue has
    none (or only a fuzzy one). English, the source, is ``message`` itself. Unlike :func:`gettext`, a missing
    translation is told apart from a present one (the zh book edition's alt texts must all have one)."""
    if not isinstance(message, str):
        raise TypeError(f"translation: message must be a str, got {type(message).__name__}")
    if lang is not None and (not isinstance(lang, str) or normalise(lang) is None):
        raise ValueError(f"translation: lang must be one of {', '.join(map(repr, LANGUAGES))} or None, got {lang!r}")
    lang = language() if lang is None else normalise(lang)
    if lang == "en":
        return message
    entry = _catalogue(lang).get((None, message))
    return entry["msgstr"][0] if entry is not None else None


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "marked, translated later"
    """Mark ``message`` for the catalogue without translating it (module constants; translate with ``tr``)."""
    return message


def tr(message: str, /, **fields: Any) -> str:
    """``message`` translated, then formatted with ``fields`` (``str.format``; none given: returned as is);
    in Chinese, its spacing tidied after formatting (:func:`tidy_spacing`)."""
    text = gettext(message)
    return _tidied(text.format(**fields) if fields else text)


def ntr(singular: str, plural: str, n: int, /, **fields: Any) -> str:
    """The singular or plural message for ``n``, translated, then formatted with ``fields`` (and tidied, as tr)."""
    text = gettext(singular, plural, n)
    return _tidied(text.format(**fields) if fields else text)


# --- Chinese spacing -------------------------------------------------------------------------------------------

# Han characters (not the CJK punctuation blocks)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LATIN = "A-Za-z0-9"
# the full-width punctuation that carries its own space: none beside it
FULL_WIDTH = "（）「」『』《》，。：；？！、“”‘’"
# never tidied: `code` spans, $$display$$ and $inline$ maths, a link's (target), HTML tags, URLs, {fields},
# and block-quote lines (recorded text, quoted as it was recorded: quoted_original)
_PROTECTED = re.compile(r"(`+).+?\1|\$\$.+?\$\$|\$[^$\n]+?\$|\]\([^)\n]*\)|<[^<>\n]+>|https?://[^\s)）>\]]+"
                        r"|\{[^{}\s]*\}|^>[^\n]*", re.S | re.M)
_HAN_LATIN = re.compile(f"([{_HAN}])([{_LATIN}])")
_LATIN_HAN = re.compile(f"([{_LATIN}%])([{_HAN}])")   # "82% 的", as the catalogue writes it
# one space goes (a run of them aligns a diagram; "| " around a Markdown table cell stays)
_SPACE_BEFORE = re.compile(f"(?<![ |])[ \u00a0](?=[{FULL_WIDTH}])")
_SPACE_AFTER = re.compile(f"(?<=[{FULL_WIDTH}])[ \u00a0](?![ |])")
# one space between two Han characters goes too: a field spliced in with spaces ("出现在 激活函数的反向")
_HAN_SPACE_HAN = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")


# a sign, not a hyphen: "-" before a digit, after neither a letter, digit, "." nor a dash ("Tables 1-3", "1e-5",
# "2026-12-02", "GELU-tanh" stay); and not where the text reads as code a reader may copy: after "=" ("dim=-1",
# "x = -1.5") or as a call's argument ("Phi(-1.5)")
_SIGN = re.compile(r"(?<![\w.\-\u2212])-(?=\d)")
_CODE_BEFORE = re.compile(r"(=\s*|\w\()$")
MINUS = "\u2212"


def _minus(text: str) -> str:
    return _SIGN.sub(lambda m: m.group(0) if _CODE_BEFORE.search(text[max(0, m.start() - 8):m.start()])
                     else MINUS, text)


def _tidy_plain(text: str) -> str:
    text = _minus(text)
    text = _HAN_LATIN.sub(r"\1 \2", text)
    text = _LATIN_HAN.sub(r"\1 \2", text)
    text = _SPACE_BEFORE.sub("", text)
    text = _HAN_SPACE_HAN.sub("", text)
    return _SPACE_AFTER.sub("", text)


def tidy_spacing(text: str) -> str:
    """Chinese text spaced as d2l-zh spaces it: one space between a Han character and a Latin letter or digit
    (either side: "SwiGLU 的用时是 ReLU 的 1.16 倍"), none beside full-width punctuation（）「」，。：；？！、
    ("在 AMD EPYC，2 核（CPU）上") and none between two Han characters ("出现在激活函数的反向"); a sign is a real
    minus, U+2212 ("−0.0133 nats"), but a hyphen stays one ("Tables 1-3", "1e-5", "GELU-tanh") and so does a sign
    in code a reader may copy ("dim=-1"). Units keep their own spacing ("5 µs", "82%"). Code spans, maths, URLs,
    link targets, HTML tags and unfilled ``{fields}`` are left exactly as they are; line breaks are kept."""
    if not isinstance(text, str):
        raise TypeError(f"tidy_spacing: text must be a str, got {type(text).__name__}")
    out, last = [], 0
    for m in _PROTECTED.finditer(text):
        out += [_tidy_plain(text[last:m.start()]), m.group(0)]
        last = m.end()
    out.append(_tidy_plain(text[last:]))
    return "".join(out)


def _tidied(text: str) -> str:
    return tidy_spacing(text) if language() == "zh" else text


RECORDED_LABEL = N_("Recorded text (in English):")


def quoted_original(text: str) -> str:
    """Recorded English (a run's method line, its notes) shown as it was recorded: in English, ``text`` itself;
    in Chinese, a block quote under the label 「记录的原文（英文）：」, so it does not read as the book's prose."""
    if language() != "zh":
        return text
    quoted = "\n".join("> " + line if line.strip() else ">" for line in text.strip().splitlines())
    return gettext(RECORDED_LABEL) + "\n\n" + quoted


def sentence_gap(previous: str) -> str:
    """What goes between sentence ``previous`` and the next one: a space in English; in Chinese nothing after
    full-width punctuation or a Han character, else a space (a sentence that ends in Latin text)."""
    if language() != "zh":
        return " "
    end = previous.rstrip()[-1:]
    return "" if end and (end in FULL_WIDTH or re.match(f"[{_HAN}]", end)) else " "


_SENTENCE_END = ".!?。！？…"


def end_sentence(text: str) -> str:
    """``text`` (already translated, a list of clauses say) closed as a sentence in the reader's language: "." in
    English, "。" in Chinese, whatever it ends with (a Han character, a `code` span, a word); left as it is where
    it already ends a sentence ("…。", "…?")."""
    if not isinstance(text, str):
        raise TypeError(f"end_sentence: text must be a str, got {type(text).__name__}")
    body = text.rstrip()
    if not body:
        return text
    if body[-1] in _SENTENCE_END:
        return body
    return body + ("。" if language() == "zh" else ".")


def join_sentences(parts) -> str:
    """Whole sentences, each already translated, as one paragraph: joined with a space in English, and in
    Chinese with nothing after a full-width full stop (see :func:`sentence_gap`); empty parts are left out."""
    out = ""
    for part in (p for p in parts if p):
        if not out:
            out = part
        elif language() == "zh":
            out = out.rstrip(" ") + sentence_gap(out) + part.lstrip(" ")
        else:
            out = out + " " + part
    return out


def translate_text(text: str) -> str:
    """A label that may or may not be a message (a figure title, a series name): its translation, or itself."""
    return gettext(text) if isinstance(text, str) else text
