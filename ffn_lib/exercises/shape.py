"""Shape exercises: the answer is a tuple of whole numbers (a tensor's shape)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

from .base import Exercise, is_unanswered
from .number_text import fill, fmt_shape, non_whole_item, parse_shape_text, quote_text
from .values import describe, type_phrase
from .words import say, tr

_EXAMPLES = ((2, 3), (8, 128, 512), (4, 16, 64), (3, 5), (2, 3, 4, 5))

# Every verdict of a shape check: one template each ({shape}, {text}, {example} ... filled in when used).
MESSAGES = {
    "unanswered": "Replace the `...` with a tuple such as `{example}`.",
    "not_shape": "Give a tuple of whole numbers such as {example}; got {what}.",
    "item_float": ("Give a tuple of whole numbers such as {example}; got {what}, and its item {item} (position {n} "
                   "of {count}) is a float: write {whole}, or convert it with `int(...)`."),
    "item_other": ("Give a tuple of whole numbers such as {example}; got {what}, and its item {item} (position {n} "
                   "of {count}) is {kind}, not a whole number."),
    "empty": "Type a shape such as {example}, then press Check.",
    "junk": "{text} is not a shape: type whole numbers separated by commas, such as {example}.",
    "item": ("{text} is not a shape: {item} (position {n} of {count}) is not a whole number (0, 1, 2, ...). Type "
             "whole numbers separated by commas, such as {example}."),
    "correct": "{shape} is right.",
    "mistake": "{shape} is not it: {diagnosis}",
    "ndim": "{shape} has the wrong number of dimensions: the answer has {n}.",
    "sizes": "{shape} has the right number of dimensions but not the right sizes.",
}


def _whole(a: Any) -> bool:
    return isinstance(a, (int, np.integer)) and not isinstance(a, bool)


@dataclass(eq=False, repr=False)
class ShapeExercise(Exercise):
    """The answer is a shape: a tuple of whole numbers."""

    expected: Callable[[], tuple[int, ...]] = lambda: ()
    mistakes: Sequence[tuple[Callable[[], tuple[int, ...]], str]] = ()

    def __post_init__(self):
        self.kind = "a shape"

    def policy_text(self) -> str:
        return ""  # how to answer a shape is said in the chapter's note (.guide)

    def expected_text(self) -> str:
        return tr("The answer is **{shape}**. ", shape=fmt_shape(self.expected()))

    def known_mistakes(self) -> list[tuple[tuple[int, ...], str]]:
        return [(tuple(int(n) for n in (w() if callable(w) else w)), say(d)) for w, d in self.mistakes]

    def _example(self) -> str:
        """An example shape for messages that is neither the answer nor a known mistake."""
        taken = {tuple(self.expected())} | {w for w, _ in self.known_mistakes()}
        return fmt_shape(next(s for s in _EXAMPLES if s not in taken))

    def messages(self) -> dict[str, str]:
        n = len(tuple(self.expected()))
        example = self._example()
        m = {key: tr(MESSAGES[key]) for key in ("empty", "junk", "item", "correct", "mistake", "ndim", "sizes")}
        for key in ("empty", "junk", "item"):
            m[key] = fill(m[key], example=example)
        m["ndim"] = fill(m["ndim"], n=str(n))
        return m

    def verdict(self, answer: tuple[int, ...]) -> tuple[str, str]:
        msg = self.messages()
        text = fmt_shape(answer)
        expected = tuple(int(n) for n in self.expected())
        if answer == expected:
            return "correct", fill(msg["correct"], shape=text)
        for wrong, diagnosis in self.known_mistakes():
            if answer == wrong:
                return "incorrect", fill(msg["mistake"], shape=text, diagnosis=diagnosis)
        return "incorrect", fill(msg["ndim" if len(answer) != len(expected) else "sizes"], shape=text)

    def _not_whole(self, answer: tuple | list) -> str:
        """The message for a tuple with an item that is not a whole number: it names the first such item."""
        fields = {"example": self._example(), "what": describe(answer), "count": len(answer)}
        n, item = next((i, a) for i, a in enumerate(answer, 1) if not _whole(a))
        if isinstance(item, (float, np.floating)) and float(item).is_integer():
            return tr(MESSAGES["item_float"], item=item, n=n, whole=int(item), **fields)
        return tr(MESSAGES["item_other"], item=describe(item), n=n, kind=type_phrase(type(item).__name__), **fields)

    def _check(self, answer: Any) -> tuple[str, str]:
        if is_unanswered(answer):
            return "not attempted", tr(MESSAGES["unanswered"], example=self._example())
        if isinstance(answer, str) and answer.strip():  # "(8, 128, 2048)", "22016 x 4096": as the page reads it
            return self._check_text(answer)
        if isinstance(answer, (torch.Size, list)):
            answer = tuple(answer)
        if not isinstance(answer, tuple) or not all(_whole(a) for a in answer):
            if isinstance(answer, tuple) and all(isinstance(a, (int, float, np.integer, np.floating)) for a in answer):
                return "incorrect", self._not_whole(answer)
            return "incorrect", tr(MESSAGES["not_shape"], example=self._example(), what=describe(answer))
        return self.verdict(tuple(int(a) for a in answer))

    def _check_text(self, text: str, hints_seen: int = 0) -> tuple[str, str]:
        msg = self.messages()
        if not text.strip():
            return "not attempted", msg["empty"]
        shape = parse_shape_text(text)
        if shape is None:
            bad = non_whole_item(text)
            if bad is not None:
                return "incorrect", fill(msg["item"], text=quote_text(text), item=bad[0], n=str(bad[1]),
                                         count=str(bad[2]))
            return "incorrect", fill(msg["junk"], text=quote_text(text))
        return self.verdict(shape)

    def page_spec(self) -> dict:
        return {"id": self.id, "kind": "shape", "handle": self.handle, "expected": list(self.expected()),
                "hints": len(self.hints), "messages": self.messages(),
                "mistakes": [{"shape": list(w), "diagnosis": d} for w, d in self.known_mistakes()]}
