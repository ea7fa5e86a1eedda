"""Shared helpers for the tests that read the message catalogue."""

import re
import string


def templates_fullmatching(text: str, messages) -> list[str]:
    """Catalogue messages with named fields that ``text`` was formatted from (the values read back)."""
    out = []
    for msgid in messages:
        try:
            parts = list(string.Formatter().parse(msgid))
        except ValueError:
            continue
        if not any(name for _, name, _, _ in parts):
            continue
        pattern = "".join(re.escape(lit) + ("(.+?)" if name is not None else "") for lit, name, _, _ in parts)
        if re.fullmatch(pattern, text, re.S):
            out.append(msgid)
    return out
