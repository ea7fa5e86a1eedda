"""Chinese spacing and sentence joins of the library's generated text (d2l-zh style), English untouched."""
import pytest

from ffn_lib import i18n


@pytest.fixture
def zh():
    i18n.set_language("zh")
    yield
    i18n.set_language(None)


@pytest.mark.parametrize("raw, tidy", [
    ("SwiGLU的用时是ReLU的 1.16 倍", "SwiGLU 的用时是 ReLU 的 1.16 倍"),     # a field's Latin name, both sides
    ("GLU 块的用时是SwiGLU 的", "GLU 块的用时是 SwiGLU 的"),
    ("在 AMD EPYC，2 核（CPU） 上计时", "在 AMD EPYC，2 核（CPU）上计时"),     # none beside full-width punctuation
    ("约82%的时间，即 5 µs。 下一句", "约 82% 的时间，即 5 µs。下一句"),           # units keep their own spacing
    ("第1章", "第 1 章"),
])
def test_spacing_is_tidied_beside_latin_and_full_width_punctuation(raw, tidy):
    assert i18n.tidy_spacing(raw) == tidy


@pytest.mark.parametrize("kept", [
    "用`relu的x`算", "见 $a的b$ 与 $$x的y$$", "[链接](https://a.b/c的d)", "<span class=\"x的y\">", "{name}的",
    "x   （词元数 × d_model）",                       # a diagram's alignment
    "| FLOPs（前向+反向） | 值 |",                   # a Markdown table's cell padding
    "第一行。\n\n（第二段）",                          # line breaks stay
])
def test_code_maths_links_tags_fields_alignment_and_tables_are_left_alone(kept):
    assert i18n.tidy_spacing(kept) == kept


# tidied differently from how the catalogue writes them, accepted: a sign in two exercise texts would become U+2212
# (the exercises put ASCII back, exercises.words.tr: a reader pastes their numbers into code)
ACCEPTED = {"GELU at -1.5",
            "that is -1.5 Phi(1.5): Phi(-1.5) is the probability below -1.5, a small number, equal to 1 - Phi(1.5)."}


def test_tidying_the_catalogues_own_translations_changes_nearly_none():
    """The catalogue already follows the rule, so the rule must agree with it, but for the accepted exceptions."""
    entries = i18n.parse_po(i18n.CATALOGUE["zh"].read_text(encoding="utf-8"))
    changed = {msgid for (_, msgid), e in entries.items() for s in e["msgstr"] if i18n.tidy_spacing(s) != s}
    assert changed == ACCEPTED
    for msgid in ACCEPTED:   # and only their signs change
        s = entries[(None, msgid)]["msgstr"][0]
        assert i18n.tidy_spacing(s).replace(i18n.MINUS, "-") == s


@pytest.mark.parametrize("raw, tidy", [
    ("相差 -0.0133 nats（范围 -0.0230 至 -0.0028）", "相差 \u22120.0133 nats（范围 \u22120.0230 至 \u22120.0028）"),
    ("| GEGLU | -0.100 |", "| GEGLU | \u22120.100 |"),
    ("Tables 1-3，1e-5，2026-12-02，GELU-tanh", "Tables 1-3，1e-5，2026-12-02，GELU-tanh"),   # hyphens
    ("dim=-1，x = -1.5，Phi(-1.5)，`y = -2`", "dim=-1，x = -1.5，Phi(-1.5)，`y = -2`"),   # code a reader may copy
])
def test_a_sign_is_a_real_minus_in_chinese_prose(raw, tidy):
    assert i18n.tidy_spacing(raw) == tidy


def test_tr_tidies_after_formatting_in_chinese_only(zh):
    message = "{name} took {ratio}× as long as {base}"
    i18n._catalogue("zh")[(None, message)] = {"msgstr": ["{name}的用时是{base}的 {ratio} 倍"], "plural": None,
                                               "fuzzy": False}
    try:
        assert i18n.tr(message, name="SwiGLU", base="ReLU", ratio="1.16") == "SwiGLU 的用时是 ReLU 的 1.16 倍"
        assert i18n.tr(message, name="门控块", base="ReLU", ratio="1.16") == "门控块的用时是 ReLU 的 1.16 倍"
        i18n.set_language("en")
        assert i18n.tr("{a}（{b}） x", a="甲", b="乙") == "甲（乙） x"   # English: never tidied
    finally:
        del i18n._catalogue("zh")[(None, message)]


def test_sentences_join_with_nothing_after_a_chinese_full_stop(zh):
    assert i18n.join_sentences(["甲。", "", "乙是 GPU", "丙。", " 丁。"]) == "甲。乙是 GPU 丙。丁。"
    i18n.set_language("en")
    assert i18n.join_sentences(["One.", "", "Two."]) == "One. Two."


def test_tidy_spacing_names_its_argument():
    with pytest.raises(TypeError, match="tidy_spacing: text must be a str"):
        i18n.tidy_spacing(3)


def test_generated_sentences_are_joined_by_join_sentences_not_a_space():
    """A space between two generated sentences reads "。 " in Chinese: the library and the chapters' code use
    i18n.join_sentences (or sentence_gap) instead of " ".join / + " " +."""
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] == "code" and re.search(r'" "\.join\(|" " \+|\+ " "', src):
                found.append(f"{path.name}:{cell['id']}")
    for path in sorted((root / "ffn_lib").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r'\+=? " " \+ \(?tr\(', line):
                found.append(f"{path.relative_to(root)}:{number}")
    assert found == []


def test_recorded_english_is_a_labelled_quote_in_chinese_and_left_untidied(zh):
    method = "warm-up, then calls (256 MiB written) at -1 before each.\n\nHost time: N calls / N."
    quoted = i18n.quoted_original(method)
    assert quoted == ("记录的原文（英文）：\n\n> warm-up, then calls (256 MiB written) at -1 before each.\n>\n"
                      "> Host time: N calls / N.")
    assert i18n.tidy_spacing("方法：" + quoted) == "方法：" + quoted    # quoted lines are not tidied
    i18n.set_language("en")
    assert i18n.quoted_original(method) == method


def test_the_recorded_runs_heading_and_method_on_the_gpu_results_page(zh):
    from ffn_lib.bench import load_runs, markdown_table

    runs = load_runs()
    if not runs:
        pytest.skip("no recorded run in results/")
    text = markdown_table(runs[-1], level=3)
    head, description = text.split("\n")[0], text.split("\n")[2]
    assert head.startswith("### ffn_lib.bench 记录的运行：") and description.endswith("。")
    assert "\n记录的原文（英文）：\n\n> " in text or "方法：记录的原文（英文）：\n\n> " in text
    i18n.set_language("en")
    text = markdown_table(runs[-1], level=3)
    assert text.startswith("### ffn_lib.bench: ") and "\nMethod: ffn_lib.timing" in text
