"""Exercises, generated from the registry: every exercise is checked the same way."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from ffn_lib import exercises as E
from ffn_lib.exercises import base, function
from ffn_lib.exercises import store as P

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = E.all_exercises()
IDS = [ex.id for ex in EXERCISES]


def solution_answer(ex):
    """Run the solution's code and return what it defines under the exercise's answer name."""
    namespace = {}
    exec(compile(ex.load_solution().code, f"<solution {ex.id}>", "exec"), namespace)
    return namespace[ex.answer_name]


def assert_one_paragraph(result):
    assert isinstance(result, base.Result)
    assert result.status in base.STATUSES
    assert "Traceback" not in result.message and "\n" not in result.message
    assert 10 < len(result.message) < 700


def test_every_chapter_has_at_least_four_exercises_of_mixed_kinds():
    kinds = set()
    for n in E.CHAPTERS:
        chapter = E.chapter(n)
        assert len(chapter) >= 4, n
        kinds |= {ex.kind for ex in chapter}
        assert len({ex.kind for ex in chapter}) >= 2, n
    assert kinds >= {"a number", "a function", "a choice", "a shape"}


def test_ids_are_unique_and_every_exercise_is_complete():
    assert len(IDS) == len(set(IDS))
    for ex in EXERCISES:
        assert ex.statement and ex.title and ex.starter
        assert len(ex.hints) >= 1
        sol = ex.load_solution()
        assert sol.explanation and sol.code
        assert f"{ex.handle}.check(" in ex.starter


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_solution_code_passes_its_own_check(ex):
    result = ex.check(solution_answer(ex))
    assert result.passed, result
    assert result.status == "correct"
    if ex.kind == "a function":
        assert "passed the checks" in result.message


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.mistakes], ids=[e.id for e in EXERCISES if e.mistakes])
def test_every_registered_mistake_gets_its_own_diagnosis(ex):
    mistakes = ex.mistakes.items() if isinstance(ex.mistakes, dict) else ex.mistakes
    for wrong, diagnosis, *_ in mistakes:  # a number's mistake may carry its own tolerance
        if ex.kind == "a choice":
            answer = wrong
        elif ex.kind == "a function":
            answer = wrong
        else:
            answer = wrong()
        result = ex.check(answer)
        assert result.status == "incorrect", (ex.id, diagnosis)
        assert diagnosis in result.message, (ex.id, result.message)
        assert_one_paragraph(result)


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_starter_counts_as_not_attempted(ex):
    namespace = {"ex": None}
    code = ex.starter.rsplit(f"{ex.handle}.check", 1)[0]
    exec(code, namespace)
    result = ex.check(namespace[ex.answer_name])
    assert result.status == "not attempted"
    assert not result.passed
    assert_one_paragraph(result)


def _malformed(ex):
    if ex.kind == "a function":
        def returns_none(*args):
            _ = [a for a in args]

        def raises(*args):
            raise RuntimeError("boom")

        def wrong_shape(*args):
            return np.zeros((2, 3, 4, 5))

        def nan_output(*args):
            out = ex.reference(*args)
            if isinstance(out, tuple):
                return tuple(o * float("nan") for o in out)
            return out * float("nan")

        first = ex._cases()[0][0]
        wrong_words = "torch tensor" if isinstance(first, torch.Tensor) else "should be a" if isinstance(first, dict) \
            else "shape"  # a NumPy array for tensors is named as such
        return [("returns None", returns_none, "return"), ("raises", raises, "RuntimeError: boom"),
                ("wrong shape", wrong_shape, wrong_words), ("NaN", nan_output, "differs"),
                ("not a function", 3.5, "function itself")]
    return [("wrong type", {"a": 1}, "dict"), ("NaN", float("nan"), "NaN" if ex.kind == "a number" else ""),
            ("string number", "12", "")]


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_malformed_answers_get_a_clear_message(ex):
    for what, answer, expected_words in _malformed(ex):
        result = ex.check(answer)
        assert result.status == "incorrect", (ex.id, what, result)
        assert_one_paragraph(result)
        assert expected_words in result.message, (ex.id, what, result.message)


def test_function_check_details():
    ex = E.chapter(2).q2  # gelu_tanh, NumPy

    def modifies_input(x):
        x *= 2
        return x

    result = ex.check(modifies_input)
    assert result.status == "incorrect" and "in place" in result.message

    def exact(x):
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))

    assert ex.check(exact).passed
    assert ex.check(lambda x: exact(x).astype(np.float64)).passed  # a wider NumPy dtype is accepted
    torch_ex = E.chapter(2).q3
    result = torch_ex.check(lambda x: x.double().numpy())
    assert "torch tensor" in result.message
    result = torch_ex.check(lambda x: torch.nn.functional.gelu(x.float()))
    assert "dtype" in result.message


def test_number_and_choice_and_shape_details():
    ex = E.chapter(1).q1
    expected = ex.expected()
    assert ex.check(np.int64(expected)).passed and ex.check(torch.tensor(expected)).passed
    assert "too large" in ex.check(expected * 10).message
    assert "single number" in ex.check(np.array([1.0, 2.0])).message
    assert "bool" in ex.check(True).message
    choice = E.chapter(2).q4
    assert choice.check(" (B) ").passed
    assert "not one of the options" in choice.check("z").message
    shape = E.chapter(4).q5
    assert shape.check(torch.Size([4, 10, 3072])).passed and shape.check([4, 10, 3072]).passed
    assert "dimensions" in shape.check((4, 3072)).message


def test_expected_value_shown_only_after_success_or_by_solution():
    ex = E.chapter(6).q4
    expected = f"{ex.expected():,}"
    for wrong in (1, 2.5, ex.expected() + 10):
        assert expected not in ex.check(wrong).message and str(ex.expected()) not in ex.check(wrong).message
    assert expected in str(ex.solution())


def test_solutions_are_loaded_only_when_asked(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from ffn_lib import exercises as E; ex = E.chapter(3); ex.q1.check(None); "
            "assert not any(m.startswith('ffn_lib.exercises.solutions.') for m in sys.modules), 'loaded early'; "
            "ex.q1.solution(); assert 'ffn_lib.exercises.solutions.chapter3' in sys.modules")
    env = dict(os.environ, FFN_LIB_PROGRESS="off")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_hints_are_graduated_and_counted():
    ex = E.chapter(2).q2
    first = str(ex.hint())
    assert "Hint 1 of 2" in first
    assert "Hint 2 of 2" in str(ex.hint())
    assert "Hint 2 of 2" in str(ex.hint())  # stays on the last
    assert "Hint 1 of 2" in str(ex.hint(1))
    assert "hints 1 to 2" in str(ex.hint(7))
    assert P.hints_used(ex.id) == 2


def test_progress_persists_and_can_be_switched_off(monkeypatch, tmp_path):
    path = tmp_path / "p.json"
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(path))
    ex = E.chapter(1).q2
    ex.check((1, 2))
    ex.check((8, 128, 2048))
    ex.check((1, 2))  # a later wrong answer does not undo a correct one
    data = json.loads(path.read_text())
    assert data["exercises"]["1.2"]["status"] == "correct" and data["exercises"]["1.2"]["attempts"] == 3
    table = E.progress()
    row = next(r for r in table.rows if r["id"] == "1.2")
    assert row["status"] == "correct"
    assert "1 of" in table.summary() and "<table>" in table._repr_html_() and "1.2" in str(table)
    monkeypatch.setenv("FFN_LIB_PROGRESS", "off")
    assert P.location() is None
    ex.check((8, 128, 2048))
    assert "not saved" in E.progress().note
    P.reset()


def test_unwritable_progress_file_does_not_break_checks(monkeypatch, tmp_path):
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(0o500)
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(target / "sub" / "p.json"))
    if os.access(target, os.W_OK):  # root ignores permissions
        monkeypatch.setenv("FFN_LIB_PROGRESS", "/proc/ffn-lib-cannot-write/p.json")
    result = E.chapter(1).q2.check((8, 128, 2048))
    assert result.passed
    assert "session only" in E.progress().note


def test_display_in_notebook_and_in_book(monkeypatch):
    ex = E.chapter(4).q3
    monkeypatch.delenv("FFN_LIB_BOOK", raising=False)
    bundle = ex._repr_mimebundle_()
    assert "Exercise 4.3" in bundle["text/markdown"] and "(b)" in bundle["text/markdown"]
    assert "{solution}" not in bundle["text/markdown"]  # the notebook never shows the answer unasked
    monkeypatch.setenv("FFN_LIB_BOOK", "1")
    md = ex._repr_mimebundle_()["text/markdown"]
    assert "::::{exercise}" in md and ":label: ex-4-3" in md and "::::{solution} ex-4-3" in md
    assert ":class: dropdown" in md and ex.load_solution().code.strip() in md
    result = ex.check("a")
    assert "background" in result._repr_html_() and "incorrect" in str(result)


def test_chapter_errors():
    with pytest.raises(ValueError, match="number must be a chapter"):
        E.chapter(99)
    with pytest.raises(ValueError, match="exercise_id"):
        E.get("99.9")
    assert E.get("2.1").title == "GELU at -1.5"


def test_stub_detection():
    def a(x):
        ...

    def b(x):
        """Docstring."""
        pass

    def c(x):
        raise NotImplementedError

    def d(x):
        y = x * 2  # noqa: F841 - forgot to return

    assert function.is_stub(a) and function.is_stub(b) and function.is_stub(c)
    assert not function.is_stub(d) and not function.is_stub(lambda x: x)


def _notebook_sources(chapter):
    path = next((ROOT / "notebooks").glob(f"0{chapter}_*.ipynb"), None)
    if path is None:
        return None
    nb = json.loads(path.read_text())
    return ["".join(c["source"]) for c in nb["cells"]]


@pytest.mark.parametrize("chapter", E.CHAPTERS)
def test_every_exercise_appears_in_its_notebook(chapter):
    sources = _notebook_sources(chapter)
    assert sources is not None, f"notebook of chapter {chapter} is missing"
    text = "\n".join(sources)
    assert f"exercises.chapter({chapter})" in text
    for ex in E.chapter(chapter):
        assert any(s.strip() == ex.handle for s in sources), f"{ex.id}: no cell showing {ex.handle}"
        assert any(ex.starter.strip() == s.strip() for s in sources), f"{ex.id}: starter cell missing or edited"


def test_solutions_appendix_lists_every_solution():
    md = str(E.solutions_markdown())
    for ex in EXERCISES:
        assert f"::::{{solution}} {ex.label}" in md
        assert ex.load_solution().code.strip() in md


def test_the_exercise_modules_import_no_cycle():
    """Module-level or inside functions: the exercises package's imports form no cycle (issue 17)."""
    import ast
    from pathlib import Path

    root = Path(E.__file__).parent
    graph = {}
    for path in root.glob("*.py"):
        name = path.stem
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names)
        graph[name] = {d for d in deps if (root / f"{d}.py").exists()}
    graph.pop("__init__", None)

    def visit(node, stack):
        assert node not in stack, " -> ".join(stack + [node])
        for dep in graph.get(node, ()):
            visit(dep, stack + [node])

    for module in graph:
        visit(module, [])
    assert not graph["page"] & {"base", "number", "choice", "shape", "function", "core"}


# --- How to answer: said once per chapter, not under each exercise ----------------------------------------

BOILERPLATE = ("Type your answer and press Check", "Write this function in the chapter's notebook", "*Check with*",
               "the download button", "Answer with", "rtol |expected|", "The check stops after", "press Check")


@pytest.mark.parametrize("chapter", E.CHAPTERS)
def test_how_to_answer_is_said_once_per_chapter_and_names_the_chapters_kinds(chapter, monkeypatch):
    exercises = E.chapter(chapter)
    kinds = {ex.kind for ex in exercises}
    for book in (True, False):
        note = exercises.how_to_answer().markdown(book=book)
        assert note.startswith("**How to answer.**") and "`ex.qN.check(...)`" in note
        assert ("A function" in note) == ("a function" in kinds), (chapter, book)
        assert ("A Triton kernel" in note) == ("a Triton kernel" in kinds), (chapter, book)
        assert ("A choice" in note) == ("a choice" in kinds) and ("A shape" in note) == ("a shape" in kinds)
        assert ("A number" in note) == ("a number" in kinds)
        assert ("press Check" in note) == book and ("download button" in note) == book
        lead, folded = note.split("\n\n<details><summary>", 1)  # one sentence shown, the details folded
        sentence = lead.removeprefix("**How to answer.** ")
        assert ". " not in sentence and "\n" not in sentence and sentence.endswith(".") and len(sentence.split()) < 30
        assert folded.endswith("\n\n</details>")
        assert "</summary>\n\n" in folded and ("press Check" in lead) == book
    monkeypatch.setenv("FFN_LIB_BOOK", "1")
    assert "press Check" in exercises.how_to_answer()._repr_markdown_()
    monkeypatch.delenv("FFN_LIB_BOOK")
    assert "press Check" not in exercises.how_to_answer()._repr_markdown_()
    for ex in exercises:  # under each exercise only what is its own
        page = re.sub(r"<script.*?</script>", "", ex.book_markdown().split("::::{solution}")[0], flags=re.S)
        rendered = [page, ex.notebook_markdown()]
        for text in rendered:
            assert not [b for b in BOILERPLATE if b in text], (ex.id, [b for b in BOILERPLATE if b in text])
        own = ex.full_statement().replace(ex.statement, "")
        if ex.kind == "a choice":
            own = own.replace(ex.statement_with_options(), "")
        assert len(own.split()) <= 16, (ex.id, own)


@pytest.mark.parametrize("chapter", E.CHAPTERS)
def test_each_notebook_shows_the_note_before_its_first_exercise(chapter):
    path = next((ROOT / "notebooks").glob(f"0{chapter}_*.ipynb"))
    cells = json.loads(path.read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells]
    note = sources.index(f"ex = exercises.chapter({chapter})\nex.how_to_answer()")
    assert "remove-input" in cells[note]["metadata"].get("tags", []), "the note is shown, its code hidden"
    assert note < sources.index("ex.q1")
    assert not [s for s in sources if "How to work them" in s or "Check an answer in the box" in s], path.name


def test_the_swish_solution_uses_the_overflow_safe_sigmoid_the_chapter_teaches():
    import warnings

    swish = solution_answer(E.chapter(3).q1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # np.exp(1000) would warn "overflow encountered in exp"
        out = swish(np.array([-1000.0, -40.0, 0.0, 40.0]), 2.0)
    assert out[0] == 0 and out[-1] == 40.0
