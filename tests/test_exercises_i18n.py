"""The exercises in 简体中文: what the framework says is translated when it is said, and English stays as it was.

With ``i18n.set_language("zh")`` a check of each kind of exercise answers in Chinese, as do the hints' and the
solutions' frames, the chapter's note on how to answer, the progress table, the store's warnings, the page's widget
and its script. A text a chapter formats where it defines it (``"... ({c})".format(c=c)``) is recognised and
refilled in its template's translation (:func:`ffn_lib.exercises.words.say`). The chapters' own texts (statements,
hints, diagnoses) are translated by their owners; these tests use the framework's sentences, which are here.
"""

import json
import re

import numpy as np
import pytest
import torch

from ffn_lib import exercises as E
from ffn_lib import i18n
from ffn_lib.exercises import guide, page, store, words

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def zh():
    i18n.set_language("zh")
    yield
    i18n.set_language(None)


def _chinese(text: str, *english: str) -> None:
    assert CJK.search(text), text
    for sentence in english:
        assert sentence not in text, (sentence, text)


# --- one check of each kind -----------------------------------------------------------------------------------

def test_a_number_check_answers_in_chinese(zh):
    result = E.get("2.1").check(0.5)
    assert result.status == "incorrect" and result.message == "0.5 太大了。试试下一条提示。"
    assert str(result).startswith("练习 2.1 · 不正确：")
    _chinese(E.get("2.1").check_text("abc").message, "is not a number")
    _chinese(E.get("6.4").check_text("672 MiB").message, "is in")
    assert "以字节为单位" in E.get("6.4").check_text("672 MiB").message, "no space between two Chinese words"
    _chinese(E.get("2.1").check("0.5").message, "Expected a single number")


def test_a_choice_a_shape_a_function_and_a_kernel_answer_in_chinese(zh):
    _chinese(E.get("2.4").check_text("z").message, "is not one of the options")
    assert E.get("2.4").check_text("z").message.endswith('请给出 "a"、"b"、"c"、"d" 之一，或者一字不差地给出某个选项本身的文字。')
    _chinese(E.get("1.2").check((8, 128)).message, "wrong number of dimensions")
    _chinese(E.get("1.2").check_text("eight").message, "is not a shape")
    _chinese(E.get("2.2").check(3).message, "Pass the function itself")
    _chinese(E.get("2.3").check(lambda x: x * 0.5).message, "differs from the reference", "Your result")
    kernel = next(ex for ex in E.all_exercises() if ex.kind == "a Triton kernel")
    _chinese(kernel.check(...).message, "is still")
    _chinese(kernel.check(3).message, "Pass the kernel itself")


def test_correct_answers_and_their_status_word_are_chinese(zh):
    ex = E.get("1.1")
    result = ex.check(int(ex.expected()))
    assert result.passed and result.message == "4722432 正确。", "the policy is not repeated"
    assert "<strong" in result._repr_html_() and "练习 1.1：正确" in result._repr_html_()


# --- hints, solutions, the chapter's note, the table, the store -------------------------------------------------

def test_the_frames_of_hints_and_solutions_and_the_solutions_appendix_are_chinese(zh):
    ex = E.get("2.1")
    assert str(ex.hint(1)).startswith("**提示 1/2**（`ex.q1.hint()` 给出提示 2/2）：")
    assert str(ex.hint(2)).startswith("**提示 2/2**（最后一条提示）：")
    assert str(ex.solution()).startswith("**练习 2.1 的解答**：答案是 **-0.1002**（已按题目要求的精度舍入）。")
    appendix = str(E.solutions_markdown(chapters=[2]))
    assert appendix.startswith("## 第 2 章\n\n### 练习 2.1：") and "*用一个数作答。*" in appendix
    assert "Answer with" not in appendix and "The answer is" not in appendix


@pytest.mark.parametrize("book", [True, False])
def test_the_chapters_note_on_how_to_answer_is_chinese(zh, book):
    for n in E.CHAPTERS:
        note = E.chapter(n).how_to_answer().markdown(book=book)
        assert note.startswith("**如何作答**：")
        english = [s for s in guide.SENTENCES.values() if len(s) > 20]
        _chinese(note, *english)
        assert ". " not in note.replace("e.g. ", ""), "sentences joined as Chinese joins them"


def test_the_progress_table_is_chinese_and_the_saved_status_stays_an_identifier(zh):
    E.get("2.1").check(0.5)
    table = E.progress()
    text, markup = str(table), table._repr_html_()
    assert text.startswith("共 ") and "编号" in text and "状态" in text and "检查次数" in text
    assert re.search(r"^2\.1 +不正确 +1 ", text, re.M) and "未作答" in text
    assert "<th>看过解答</th>" in markup and ">不正确</td>" in markup
    assert store.load()["2.1"]["status"] == "incorrect"
    assert next(r for r in table.rows if r["id"] == "2.1")["status"] == "incorrect"


def test_the_stores_warnings_are_chinese(zh, tmp_path, monkeypatch, capsys):
    path = tmp_path / "progress.json"
    path.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(store.ENV, str(path))
    store.record_hint("2.1", 1)
    err = capsys.readouterr().err
    assert "进度文件" in err and "已损坏" in err and "无法作为 JSON 读取" in err, err
    assert "was damaged" not in err
    monkeypatch.setenv(store.ENV, "off")
    assert store.status_line() == "进度不会保存（FFN_LIB_PROGRESS 为 off）。"


# --- the page --------------------------------------------------------------------------------------------------

def _script_json(script: str, name: str) -> dict:
    start = re.search(rf"var {name} = ", script).end()  # the JSON may hold ";" (the grammar's patterns)
    return json.JSONDecoder().raw_decode(script, start)[0]


def test_the_zh_pages_script_and_widgets_carry_chinese_texts(zh):
    script = page.checker_js()
    ui, status = _script_json(script, "UI"), _script_json(script, "STATUS")
    assert ui["check"] == "检查" and ui["hint_button"] == "显示提示 {n}/{total}" and ui["answer"] == "你的答案："
    assert status == {"correct": "正确", "incorrect": "不正确", "not attempted": "未作答"}
    assert _script_json(script, "GRAMMAR")["unit_names"]["bytes"] == "字节"
    assert re.search(r"var WIDE_SPACE = null;", script) is None
    ex = E.get("2.1")
    markup = page.exercise_html(ex)
    assert '>检查</button>' in markup and "显示提示 1/2" in markup and 'aria-label="练习 2.1 的答案"' in markup
    spec = ex.page_spec()
    assert spec["messages"]["large"] == "{value} 太大了。试试下一条提示。"
    assert spec["messages"]["large_last"].startswith("{value} 太大了。所有提示你都已看过")
    assert "::::{solution}" in ex.book_markdown() and "答案是 **-0.1002**" in ex.book_markdown()


def test_the_english_script_and_widgets_are_english():
    i18n.set_language("en")
    script = page.checker_js()
    assert not CJK.search(script) and "var WIDE_SPACE = null;" in script
    assert _script_json(script, "UI") == page.UI
    assert _script_json(script, "STATUS") == {s: s for s in words.STATUS_WORDS}
    assert '>Check</button>' in page.exercise_html(E.get("2.1"))
    assert str(E.get("2.1").check(0.5)) == "Exercise 2.1 · incorrect: 0.5 is too large. Try the next hint."


def test_every_framework_message_of_the_catalogue_has_its_chinese():
    """The catalogue entries written in the framework's files are translated (the chapters' are their owners')."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import i18n as i18n_script

    framework = ("base", "number", "choice", "shape", "function", "kernel", "number_text", "values", "guide", "page",
                 "store", "ids", "words", "__init__")
    paths = {f"ffn_lib/exercises/{name}.py" for name in framework}
    source = {msgid for msgid, _, where in i18n_script.library_messages() if where.split(":")[0] in paths}
    entries = words._entries("zh")
    missing = sorted(m for m in source if m not in entries)
    assert len(source) > 150 and not missing, missing[:5]


# --- texts formatted where they are defined --------------------------------------------------------------------

@pytest.fixture
def catalogue(monkeypatch):
    table = {"the coefficient is rounded ({c}); use 0.044715 exactly, as the statement gives it.":
             "系数被舍入了（{c}）；请按题目给出的 0.044715 精确使用。",
             "Known mistake: {diagnosis}": "已知错误：{diagnosis}",
             "{n} of {m}": "{m} 中的 {n}",  # too little text of its own to be recognised
             "{value:.3f} below the {what} of the curve": "比曲线的{what}低 {value:.3f}", "peak": "峰值"}
    monkeypatch.setattr(words, "_entries", lambda lang: table if lang == "zh" else {})
    words._templates.cache_clear()
    yield table
    words._templates.cache_clear()


def test_a_text_formatted_at_definition_is_refilled_in_its_translation(zh, catalogue):
    text = "the coefficient is rounded ({c}); use 0.044715 exactly, as the statement gives it.".format(c=0.0447)
    assert words.say(text) == "系数被舍入了（0.0447）；请按题目给出的 0.044715 精确使用。"
    assert words.say("1.250 below the peak of the curve") == "比曲线的峰值低 1.250", "a spec, and a message as value"
    assert words.say("3 of 4") == "3 of 4", "a template with under 12 characters of its own is not guessed at"
    assert words.say("something else entirely") == "something else entirely"
    i18n.set_language("en")
    assert words.say(text) is text


# --- the reviews' findings (English) -----------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id, answer", [("3.6", 109.98), ("2.1", -10.02), ("5.5", 50)])
def test_a_percentage_typed_for_a_fraction_or_ratio_is_named(ex_id, answer):
    message = E.get(ex_id).check(answer).message
    assert "looks like a percentage" in message and "Try the next hint" not in message
    assert "looks like a percentage" in E.get(ex_id).check_text(str(answer)).message


def test_a_percentage_with_its_sign_is_read_as_the_fraction_on_the_page():
    assert E.get("8.2").check_text("4.5 %").passed and E.get("8.2").check_text("4.5%").message == "4.5% is right."
    # a slope, a second moment, a loss are not fractions of anything: "%" is refused with what to type instead
    for ex_id, typed in (("3.6", "109.98%"), ("5.5", "50 %"), ("8.5", "1.74 %")):
        result = E.get(ex_id).check_text(typed)
        assert result.status == "not attempted" and "type the number alone" in result.message, result
    assert "looks like a percentage" not in E.get("1.1").check(472243200).message, "not for a count"


def test_decimal_fractions_are_numbers():
    assert E.get("5.5").check_text("0.25/0.5").passed and E.get("5.5").check_text("1.5/3").passed
    assert "is not a number" not in E.get("3.5").check_text("0.278465/5").message


def test_no_next_hint_is_suggested_once_every_hint_is_seen():
    ex = E.get("2.1")
    assert "Try the next hint" in ex.check(0.5).message
    for n in range(1, len(ex.hints) + 1):
        ex.hint(n)
    message = ex.check(0.5).message
    assert message == "0.5 is too large. You have seen every hint: the worked solution shows the steps."
    assert ex.check_text("0.5").message.endswith("Try the next hint."), "the page counts its own hints"
    assert "every hint" in ex.check_text("0.5", hints_seen=len(ex.hints)).message
    choice = E.ChoiceExercise(title="t", statement="s", hints=["h"], starter="ex.q1.check(answer)",
                              options={"a": "A.", "b": "B.", "c": "C."}, correct="a", mistakes={"b": "not b."})
    assert "ask for a hint" in choice.check_text("c").message
    assert choice.check_text("c", hints_seen=1).message == ("(c) is not right: look at the formulas again, or at "
                                                            "the worked solution: you have seen every hint.")


def test_a_numpy_array_where_a_tensor_is_expected_is_named():
    import math

    ex = E.get("2.3")
    message = ex.check(lambda x: np.asarray(x)).message
    assert "returned a NumPy array" in message and "torch functions" in message
    erf = np.vectorize(math.erf)
    via_numpy = ex.check(lambda x: torch.from_numpy(0.5 * x.numpy() * (1 + erf(x.numpy() / math.sqrt(2))))
                         .to(x.dtype))
    assert "NumPy has no bfloat16" in via_numpy.message and "ScalarType" in via_numpy.message


def test_a_rounded_constant_gets_a_note_and_a_wrong_formula_does_not():
    rounded = E.get("2.2").check(lambda x: 0.5 * x * (1 + np.tanh(0.79788 * (x + 0.044715 * x**3)))).message
    assert re.search(r"The gap is small \(at most [1-9]e-06 of the values' scale", rounded), rounded
    assert "The gap is small" in E.get("2.3").check(lambda x: 0.5 * x * (1 + torch.erf(x * 0.7071))).message
    assert "The gap is small" not in E.get("2.3").check(lambda x: x * 0.5).message


def test_the_item_of_a_shape_that_is_not_whole_is_named():
    ex = E.get("1.2")
    message = ex.check((8.0, 128, 2048)).message
    assert "its item 8.0 (position 1 of 3) is a float: write 8" in message
    assert "8.5 (position 1 of 3) is a value of type `float`" in ex.check((8.5, 128, 2048)).message
    assert "8.0 (position 1 of 3) is not a whole number" in ex.check_text("(8.0, 128, 2048)").message
    assert "position" not in ex.check_text("(-8, 128)").message


def test_solutions_give_the_answer_to_the_precision_asked_and_it_is_accepted():
    assert "The answer is **-0.1002** (rounded to the precision asked)." in E.get("2.1").expected_text()
    assert "The answer is **19,327,352,832**." in E.get("1.4").expected_text()
    assert "The answer is **4,722,432**." in E.get("1.1").expected_text()
    assert "The answer is **3584**." in E.get("4.1").expected_text(), "3,584 would read two ways"
    for ex in (e for e in E.all_exercises() if e.kind == "a number"):
        shown = re.search(r"\*\*(.+?)\*\*", ex.expected_text()).group(1)
        assert len(shown.replace(",", "").lstrip("-")) <= 12, (ex.id, shown)
        assert ex.check_text(shown).passed, (ex.id, shown)


def test_the_install_hint_is_the_books():
    note = E.chapter(2).how_to_answer().markdown(book=True)
    assert "`pip install -e .`" in note
    assert not any(re.search(r"pip install \.(?!\[)", s) for s in guide.SENTENCES.values())
