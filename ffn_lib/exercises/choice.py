"""Choice exercises: the answer is the letter of one option (or its text, typed exactly: "GEGLU"); each wrong option
has its diagnosis."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .base import Exercise, is_unanswered
from .number_text import LETTERED, fill, quote_text
from .values import type_phrase
from .words import join, say, tr


# Every verdict of a choice check: one template each ({key}, {text}, {letters} ... filled in when used).
MESSAGES = {
    "unanswered": "Set `answer` to the letter of one option, e.g. `answer = \"a\"`.",
    "not_a_string": "Give the letter of one option as a string ({letters}), not {what}.",
    "answer": "The answer is **({key})**: {option} ",
    "empty": "Choose one option, then press Check.",
    "junk": "{text} is not one of the options; give one of {letters}, or an option's own text, exactly.",
    "disagree": ("{text} is not checked: the letter ({key}) and the text of option ({other}) disagree. Give the "
                 "letter alone, or the option's text alone."),
    "correct": "({key}) is right.",
    "mistake": "({key}) is not right: {diagnosis}",
    "default": "look at the formulas again, or ask for a hint.",
    "typing": ("Type the letter of one option as a string, such as `answer = \"b\"`, or the option's own text "
               "(with its letter in front or without it)."),
    "default_last": "look at the formulas again, or at the worked solution: you have seen every hint.",
}


def option_text_key(text: str) -> str:
    """An option's text as it is compared with a typed answer: spaces collapsed, trailing full stops dropped,
    lower case (the page's checker normalises the same way)."""
    return re.sub(r"\.+$", "", re.sub(r"\s+", " ", text).strip()).strip().lower()


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
        return "\n".join(f"- **({k})** {say(v)}" for k, v in self.options.items())

    def letters(self) -> str:
        return join(f'"{k}"' for k in self.options)

    def policy_text(self) -> str:
        return ""  # how to answer a choice is said in the chapter's note (.guide)

    def full_statement(self) -> str:
        return f"{say(self.statement)}\n\n{self.statement_with_options()}"

    def typing_text(self) -> str:
        """What to type in the notebook (the book page has radio buttons instead)."""
        return tr(MESSAGES["typing"])

    def notebook_markdown(self) -> str:
        return f"{super().notebook_markdown()}\n\n*{self.typing_text()}*"

    def __str__(self) -> str:
        return f"{super().__str__()}\n\n{self.typing_text()}"

    __repr__ = __str__

    def expected_text(self) -> str:
        k = self.correct_key()
        option = say(self.options[k]).rstrip()
        option = option if option.endswith((".", "?", "!", "\u3002", "\uff1f", "\uff01")) else option + tr(".")
        return tr(MESSAGES["answer"], key=k, option=option)

    def diagnoses(self) -> dict[str, str]:
        """Why each wrong option is wrong, in the reader's language."""
        return {k: say(v) for k, v in self.mistakes.items()}

    def labels(self) -> dict[str, str]:
        """Each option's own text (as shown, and in English), normalised -> its letter: typing an option's text
        exactly ("GEGLU", "relu(x)") answers with that option."""
        out: dict[str, str] = {}
        for k, v in self.options.items():
            for text in (say(v), v):
                out.setdefault(option_text_key(text), k)
        return {t: k for t, k in out.items() if t and t not in self.options}

    def messages(self) -> dict[str, str]:
        m = {key: tr(MESSAGES[key]) for key in ("empty", "junk", "disagree", "correct", "mistake", "default",
                                                "default_last")}
        m["junk"] = fill(m["junk"], letters=self.letters())
        return m

    def verdict_key(self, answer: str, last_hint: bool = False) -> tuple[str, str]:
        msg = self.messages()
        key = answer.strip().rstrip(".").strip().strip("()").strip().lower()  # "b", "(B)", "b)", "b." (as the page)
        if key not in self.options:
            key = self.labels().get(option_text_key(answer), key)
        if key not in self.options:
            lettered = LETTERED.match(answer.strip())  # "(c) GEGLU": a letter, then an option's text
            letter = lettered.group(1).lower() if lettered else ""
            other = self.labels().get(option_text_key(lettered.group(2))) if lettered else None
            if letter in self.options and other == letter:
                key = letter
            elif letter in self.options and other is not None:
                return "not attempted", fill(msg["disagree"], text=quote_text(answer), key=letter, other=other)
        if key not in self.options:
            return "incorrect", fill(msg["junk"], text=quote_text(answer))
        if key == self.correct_key():
            return "correct", fill(msg["correct"], key=key)
        diagnosis = self.diagnoses().get(key, msg["default_last" if last_hint else "default"])
        return "incorrect", fill(msg["mistake"], key=key, diagnosis=diagnosis)

    def _check(self, answer: Any) -> tuple[str, str]:
        if is_unanswered(answer):
            return "not attempted", tr(MESSAGES["unanswered"])
        if not isinstance(answer, str):
            return "incorrect", tr(MESSAGES["not_a_string"], letters=self.letters(),
                                   what=type_phrase(type(answer).__name__))
        return self.verdict_key(answer, self.hints_shown_all())

    def _check_text(self, text: str, hints_seen: int = 0) -> tuple[str, str]:
        if not text.strip():
            return "not attempted", self.messages()["empty"]
        return self.verdict_key(text, self.hints_shown_all(hints_seen))

    def page_spec(self) -> dict:
        return {"id": self.id, "kind": "choice", "handle": self.handle, "options": list(self.options),
                "correct": self.correct_key(), "hints": len(self.hints), "mistakes": self.diagnoses(),
                "labels": self.labels(),
                "messages": self.messages()}
