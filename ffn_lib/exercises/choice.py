"""Choice exercises: the answer is the letter of one option; each wrong option has its diagnosis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .base import Exercise, is_unanswered
from .number_text import fill, quote_text
from .values import type_phrase


@dataclass(eq=False, repr=False)
class ChoiceExercise(Exercise):
    """The answer is the letter of one option."""

    options: dict[str, str] = field(default_factory=dict)
    correct: Callable[[], str] | str = "a"
    mistakes: dict[str, str] = field(default_factory=dict)  # option letter -> why it is wrong

    def __post_init__(self):
        self.kind = "a choice"

    def correct_key(self) -> str:
        return self.correct() if callable(self.correct) else self.correct

    def statement_with_options(self) -> str:
        return "\n".join(f"- **({k})** {v}" for k, v in self.options.items())

    def letters(self) -> str:
        return ", ".join(f'"{k}"' for k in self.options)

    def policy_text(self) -> str:
        return ""  # how to answer a choice is said in the chapter's note (.guide)

    def full_statement(self) -> str:
        return f"{self.statement}\n\n{self.statement_with_options()}"

    def expected_text(self) -> str:
        k = self.correct_key()
        option = self.options[k].rstrip()
        option = option if option.endswith((".", "?", "!")) else option + "."
        return "The answer is **({key})**: {option} ".format(key=k, option=option)

    def messages(self) -> dict[str, str]:
        return {"empty": "Choose one option, then press Check.",
                "junk": "{text} is not one of the options; give one of {letters}.".replace("{letters}", self.letters()),
                "correct": "({key}) is right.",
                "mistake": "({key}) is not right: {diagnosis}",
                "default": "look at the formulas again, or ask for a hint."}

    def verdict_key(self, answer: str) -> tuple[str, str]:
        msg = self.messages()
        key = answer.strip().rstrip(".").strip().strip("()").strip().lower()  # "b", "(B)", "b)", "b." (as the page)
        if key not in self.options:
            return "incorrect", fill(msg["junk"], text=quote_text(answer))
        if key == self.correct_key():
            return "correct", fill(msg["correct"], key=key)
        return "incorrect", fill(msg["mistake"], key=key, diagnosis=self.mistakes.get(key, msg["default"]))

    def _check(self, answer: Any) -> tuple[str, str]:
        if is_unanswered(answer):
            return "not attempted", "Set `answer` to the letter of one option, e.g. `answer = \"a\"`."
        if not isinstance(answer, str):
            return "incorrect", "Give the letter of one option as a string ({letters}), not {what}.".format(
                letters=self.letters(), what=type_phrase(type(answer).__name__))
        return self.verdict_key(answer)

    def _check_text(self, text: str) -> tuple[str, str]:
        if not text.strip():
            return "not attempted", self.messages()["empty"]
        return self.verdict_key(text)

    def page_spec(self) -> dict:
        return {"id": self.id, "kind": "choice", "handle": self.handle, "options": list(self.options),
                "correct": self.correct_key(), "mistakes": dict(self.mistakes), "messages": self.messages()}
