"""Chapter 8's generated text in the reader's language: the lists' joints, the recorded run's sentences and
tables in 简体中文 with the English run's numbers, and figure labels that are all catalogue messages."""

from __future__ import annotations

import io
import re
from collections import Counter

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from ffn_lib import figure_text, i18n, lm  # noqa: E402
from ffn_lib.lm import figures, findings, run_notes, stat_figures, verdict, wording  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?%?")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language(None)


@pytest.fixture(scope="module")
def gpu():
    doc = lm.recorded().latest
    if doc is None:
        pytest.skip("no recorded GPU run under results/")
    return doc


def test_lists_join_as_each_language_writes_them():
    assert [wording.names(x) for x in ([], ["A"], ["A", "B"], ["A", "B", "C"])] == ["", "A", "A and B",
                                                                                   "A, B and C"]
    assert wording.series([0, 1, 2]) == "0, 1, 2" and wording.clauses(["x", "y"]) == "x; y"
    assert wording.sentences(["One.", "Two."]) == "One. Two."
    i18n.set_language("zh")
    assert wording.names(["A", "B", "C"]) == "A、B 和 C" and wording.series([0, 1, 2]) == "0、1、2"
    assert wording.clauses(["x", "y"]) == "x；y" and wording.sentences(["一。", "二。"]) == "一。二。"


def _texts(doc) -> list[str]:
    return [*verdict.significance_sentences(doc), verdict.early_learning_sentence(doc), verdict.verdict(doc),
            verdict.table1_gap_sentence(), findings.describe_run(doc), findings.table_markdown(doc),
            findings.curve_sentence(doc), *findings.sentences(doc), findings.run_section(doc),
            run_notes.drift_sentence(doc)]


def test_the_recorded_run_reads_in_chinese_with_the_same_numbers(gpu):
    english = _texts(gpu)
    i18n.set_language("zh")
    chinese = _texts(gpu)
    for en, zh in zip(english, chinese):
        assert CJK.search(zh), zh[:80]
        assert Counter(NUMBER.findall(en)) == Counter(NUMBER.findall(zh.replace(i18n.MINUS, "-"))), (en[:80], zh[:80])
        if not zh.startswith("|"):   # a sentence, not a table: no English joints left between its parts
            words = re.sub(r"`[^`]*`|“[^”]*”", "", zh)   # code and the notes' quoted (English) sentence
            assert not re.search(r" and |; |\. [A-Z一-龥]", words), zh[:120]


def _words_left(fig) -> list[str]:
    """English words (lower-case, four letters or more) in a figure's texts, after it is drawn."""
    fig.savefig(io.BytesIO(), format="png")
    found = [t.get_text() for t in fig.findobj(Text) if t.get_text()]
    return [s for s in found if re.search(r"\b(?!nats\b)[a-z]{4,}\b", s)]


@pytest.mark.parametrize("draw", [figures.plot_curves, stat_figures.plot_final_losses, stat_figures.plot_contrasts,
                                  stat_figures.plot_pairwise_gaps, stat_figures.plot_vs_table1_t])
def test_every_figure_label_is_a_message(gpu, draw):
    if figure_text.cjk_family() is None:
        pytest.skip("no CJK font here (mplfonts not installed): figures stay English by design")
    i18n.set_language("zh")
    ax = draw(gpu)
    assert _words_left(ax.figure) == []
    plt.close("all")
