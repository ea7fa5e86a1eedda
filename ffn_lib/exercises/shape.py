"""Shape exercises: the answer is a tuple of whole numbers (a tensor's shape)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

from .base import Exercise, is_unanswered
from .number_text import fill, fmt_shape, parse_shape_text, quote_text
from .values import describe

_EXAMPLES = ((2, 3), (8, 128, 512), (4, 16, 64), (3, 5), (2, 3, 4, 5))


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
        return "The answer is **{shape}**. ".format(shape=fmt_shape(self.expected()))

    def known_mistakes(self) -> list[tuple[tuple[int, ...], str]]:
        return [(tuple(int(n) for n in (w() if callable(w) else w)), d) for w, d in self.mistakes]

    def _example(self) -> str:
        """An example shape for messages that is neither the answer nor a known mistake."""
        taken = {tuple(self.expected())} | {w for w, _ in self.known_mistakes()}
        return fmt_shape(next(s for s in _EXAMPLES if s not in taken))

    def messages(self) -> dict[str, str]:
        n = len(tuple(self.expected()))
        example = self._example()
        return {"empty": "Type a shape such as {example}, then press Check.".replace("{example}", example),
                "junk": "{text} is not a shape: type whole numbers separated by commas, such as {example}.".replace(
                    "{example}", example),
                "correct": "{shape} is right.",
                "mistake": "{shape} is not it: {diagnosis}",
                "ndim": "{shape} has the wrong number of dimensions: the answer has {n}.".replace("{n}", str(n)),
                "sizes": "{shape} has the right number of dimensions but not the right sizes."}

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

    def _check(self, answer: Any) -> tuple[str, str]:
        if is_unanswered(answer):
            return "not attempted", "Replace the `...` with a tuple such as `{example}`.".format(
                example=self._example())
        if isinstance(answer, (torch.Size, list)):
            answer = tuple(answer)
        if not isinstance(answer, tuple) or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                                                    for a in answer):
            return "incorrect", "Give a tuple of whole numbers such as {example}; got {what}.".format(
                example=self._example(), what=describe(answer))
        return self.verdict(tuple(int(a) for a in answer))

    def _check_text(self, text: str) -> tuple[str, str]:
        if not text.strip():
            return "not attempted", self.messages()["empty"]
        shape = parse_shape_text(text)
        if shape is None:
            return "incorrect", fill(self.messages()["junk"], text=quote_text(text))
        return self.verdict(shape)

    def page_spec(self) -> dict:
        return {"id": self.id, "kind": "shape", "handle": self.handle, "expected": list(self.expected()),
                "mistakes": [{"shape": list(w), "diagnosis": d} for w, d in self.known_mistakes()],
                "messages": self.messages()}
