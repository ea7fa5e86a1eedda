"""The 简体中文 text the library assembles: no English label spliced in, Chinese punctuation where a sentence or a
list of clauses ends, no space between two Han characters, section names quoted, 记事本 for "notebook"."""

import re
import sys

import pytest

from bookutil import ROOT
from ffn_lib import analysis, i18n, sizing
from ffn_lib.bench.pivot import ActMulPivot
from ffn_lib.bench.report import RecordedSection

LATIN_WORDS = re.compile(r"[A-Za-z]{2,}(?:['’][a-z]+)?(?: [A-Za-z]{2,}(?:['’][a-z]+)?){1,}")
HAN = "\u3400-\u4dbf\u4e00-\u9fff"


@pytest.fixture
def zh():
    i18n.set_language("zh")
    yield
    i18n.set_language(None)


def _budgets():
    cases = (("ReLU", "relu", False, False), ("GLU", "sigmoid", True, False), ("SwiGLU", "silu", True, False),
             ("SwiGLU, fused", "silu", True, True))
    return {label: sizing.training_step_memory(8192, 4096, 11008 if g else 16384, "bfloat16", gated=g,
                                               activation=act, fused=f) for label, act, g, f in cases}


# --- 1. sizing's moments and the output's name -----------------------------------------------------------------


def test_every_moment_of_the_timeline_is_a_translated_message(zh):
    budgets = [sizing.training_step_memory(64, 16, 32, gated=g, activation=a, fused=f)
               for g, a, f in ((False, "relu", False), (False, "gelu", False), (True, "silu", False),
                               (True, "identity", False), (True, "silu", True))]
    moments = {m for b in budgets for m, _ in b["timeline"]} | {sizing.OUTPUT}
    assert len(moments) == 8
    for moment in moments:
        assert i18n.translation(moment, "zh"), moment
        assert not re.search("[A-Za-z]{3,}", i18n.tr(moment).replace("act·mul", "")), i18n.tr(moment)


def test_the_peak_memory_reading_names_its_moments_in_chinese(zh):
    text = analysis.memory_peak_reading(_budgets())
    assert "普通块的峰值出现在激活函数的反向，" in text and "GLU 的峰值出现在乘积的反向，" in text
    assert not [w for w in LATIN_WORDS.findall(text) if w not in ("act mul",)], LATIN_WORDS.findall(text)


def test_the_memory_table_names_its_moments_in_chinese(zh):
    table = analysis.memory_budget_table(_budgets())
    assert "| 激活函数的反向 |" in table and "| 乘积的反向 |" in table and "| 融合 act·mul 的反向 |" in table
    for english in ("backward", "the activation", "the product", "the output"):
        assert english not in table
    assert "y（输出）" in table  # what is alive at the peak, named in Chinese too


def test_english_keys_and_text_are_unchanged():
    plain = sizing.training_step_memory(8192, 4096, 16384, gated=False, activation="relu")
    assert plain["peak_moment"] == "the activation's backward" and "y (the output)" in plain["peak_live"]
    assert "The plain block peaks in the activation's backward" in analysis.memory_peak_reading(_budgets())


# --- 3. sentences and lists of clauses end in Chinese punctuation ------------------------------------------------


def test_end_sentence(zh):
    assert i18n.end_sentence("liger：Liger-Kernel 的融合算子") == "liger：Liger-Kernel 的融合算子。"
    assert i18n.end_sentence("本课程的 Triton 核函数 `kernels.act_mul`") == "本课程的 Triton 核函数 `kernels.act_mul`。"
    assert i18n.end_sentence("已经结束。") == "已经结束。" and i18n.end_sentence("真的吗？ ") == "真的吗？"
    assert i18n.end_sentence("") == ""
    i18n.set_language("en")
    assert i18n.end_sentence("liger: Liger-Kernel's fused op") == "liger: Liger-Kernel's fused op."
    assert i18n.end_sentence("done.") == "done."
    with pytest.raises(TypeError, match="end_sentence: text must be a str"):
        i18n.end_sentence(None)


def _row(op, impl, pass_, share=0.5, group="act_mul"):
    return {"group": group, "op": op, "impl": impl, "pass": pass_,
            "time": {"median": 1e-3, "q1": 1e-3, "q3": 1e-3, "unit": "s"},
            "copy_share": {"value": share, "unit": "fraction"}, "bandwidth": {"value": 2e12, "unit": "B/s"}}


RUN = {"provenance": {"device": {"name": "Test GPU"}, "date": "2026-01-01T00:00", "torch": "2", "command": "x"},
       "config": {"dtype": "bfloat16"}, "reference": {"copy_bandwidth": {"value": 4e12}},
       "results": [_row("silu", "eager", "forward"), _row("silu", "fused", "forward"),
                   _row("silu", "liger", "forward"), _row("relu", "eager", "forward", group="activation"),
                   _row("gelu", "eager", "forward", group="activation")]}


def _no_latin_stop(text):
    """No "." or ";" closing Chinese text, a code span after Chinese included."""
    return re.findall(f"(?:[{HAN}]|[{HAN}] ?`[^`]+`)[.;](?!\\w)", text)


def test_a_pivots_legend_ends_in_a_chinese_full_stop(zh):
    text = ActMulPivot(RUN, ["silu"]).markdown()
    assert "liger：Liger-Kernel 的融合算子。*" in text
    assert not _no_latin_stop(text), _no_latin_stop(text)


def test_a_sections_legend_and_every_row_line_read_as_chinese(zh):
    text = RecordedSection([RUN], "act_mul", ["silu"], "act·mul")._repr_markdown_()
    assert "liger：Liger-Kernel 的融合算子。*" in text and not _no_latin_stop(text)
    compact = RecordedSection([RUN], "activation", ["relu", "gelu"], "alone", compact=True)._repr_markdown_()
    assert "各行的实现均为 eager，阶段均为前向。" in compact, compact
    assert "; " not in compact.split("\n\n")[0] and not _no_latin_stop(compact)


def test_the_english_legend_is_unchanged():
    text = ActMulPivot(RUN, ["silu"]).markdown()
    assert "liger: Liger-Kernel's fused op.*" in text
    compact = RecordedSection([RUN], "activation", ["relu", "gelu"], "alone", compact=True)._repr_markdown_()
    assert "Every row: impl eager; pass forward." in compact


# --- 4. no space between two Han characters; section names quoted --------------------------------------------------


def test_tidy_spacing_drops_a_space_between_han_characters():
    assert i18n.tidy_spacing("峰值出现在 激活函数的反向，共 3 个") == "峰值出现在激活函数的反向，共 3 个"
    assert i18n.tidy_spacing("与 参数相同，内存不同 一节") == "与参数相同，内存不同一节"
    assert i18n.tidy_spacing("块  乘积") == "块  乘积"             # a run of spaces aligns a diagram: kept
    assert i18n.tidy_spacing("| 块 | 乘积 |") == "| 块 | 乘积 |"   # a Markdown table's cells: kept
    assert i18n.tidy_spacing("`a 的 b`") == "`a 的 b`"             # code: kept


@pytest.fixture(scope="module")
def edition():
    pytest.importorskip("sphinx")
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    import edition as module

    return module


def _paragraph(before, after, explicit=False):
    from docutils import nodes
    from sphinx import addnodes

    ref = addnodes.pending_xref("", nodes.inline("", "sec-equal-memory"), refdomain="std", reftype="ref",
                                reftarget="sec-equal-memory", refexplicit=explicit)
    return nodes.paragraph("", "", nodes.Text(before), ref, nodes.Text(after)), ref


def test_a_section_ref_is_quoted_without_stray_spaces(edition):
    para, ref = _paragraph("它看起来与 ", " 一节相矛盾：")
    assert edition.quote_section_refs(para) == [ref]
    assert [str(n) for n in para.children if not n is ref] == ["它看起来与“", "”一节相矛盾："]
    para, _ = _paragraph("see ", " for more")
    edition.quote_section_refs(para)
    assert str(para[0]) == "see “" and str(para[2]) == "” for more"   # Latin neighbours keep their space
    para, ref = _paragraph("与 ", " 一节", explicit=True)                  # a ref with its own text: as written
    assert edition.quote_section_refs(para) == [] and str(para[0]) == "与 "
    with pytest.raises(TypeError, match="quote_section_refs: doctree must be a docutils node"):
        edition.quote_section_refs("text")


def test_a_section_ref_alone_in_its_paragraph_gets_its_quotes(edition):
    from docutils import nodes
    from sphinx import addnodes

    ref = addnodes.pending_xref("", nodes.inline("", "x"), refdomain="std", reftype="ref", reftarget="x")
    para = nodes.paragraph("", "", ref)
    edition.quote_section_refs(para)
    assert para.astext() == "“x”"


# --- 5. "notebook" is 记事本 -------------------------------------------------------------------------------------


def test_library_messages_about_the_notebook_say_jishiben():
    catalogue = i18n.parse_po(i18n.CATALOGUE["zh"].read_text(encoding="utf-8"))
    named = {msgid: entry["msgstr"][0] for (_, msgid), entry in catalogue.items()
             if re.search(r"\bnotebooks?\b", re.sub(r"`[^`]*`|\{[^}]*\}|\S+\.ipynb|notebooks/", "", msgid))}
    assert named, "expected messages that name the chapter's notebook"
    bad = {k: v for k, v in named.items() if "记事本" not in v or re.search(r"\bnotebook", v)}
    assert not bad, bad
