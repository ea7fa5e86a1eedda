"""What exercises 5.x-8.x say: in the chapters' notation, in step with the restructured capstone, and in Chinese."""

import re
import string
import sys
from pathlib import Path

import pytest

from ffn_lib import exercises as E
from ffn_lib import i18n, sizing

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n as i18n_script  # noqa: E402  (scripts/i18n.py)
from i18nutil import templates_fullmatching

CHAPTERS = (5, 6, 7, 8)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _texts(ex) -> list[str]:
    """Everything an exercise says: title, statement, hints, options, diagnoses, solution."""
    texts = [ex.title, ex.statement, *ex.hints, ex.load_solution().explanation]
    texts += list((getattr(ex, "options", None) or {}).values())
    mistakes = ex.mistakes.values() if isinstance(ex.mistakes, dict) else [m[1] for m in ex.mistakes]
    texts += list(mistakes) + [m[1] for m in getattr(ex, "emulated_mistakes", ())]
    return texts


def _has_words(text: str) -> bool:
    """Whether a text has words to translate, outside code and maths (not only names such as "SwiGLU")."""
    return bool(re.search(r"\b[a-z]{3,}\b", re.sub(r"`[^`]*`|\$[^$]*\$", "", text)))


def test_5_4_speaks_of_gate_and_value_weights_as_the_chapter_does():
    ex = E.get("5.4")
    assert "gate and value weights are aligned" in ex.statement and "up rows" not in ex.statement


def test_5_5_names_the_mean_and_the_root_mean_square():
    ex = E.get("5.5")
    assert "the mean E[h]" in ex.check(0.0).message
    assert "root mean square" in ex.check(0.7071).message and ex.check(0.5).passed


def test_8_3_and_8_4_name_the_chapters_presets_with_their_widths():
    from ffn_lib import lm
    from ffn_lib.exercises import chapter8 as ex8

    three, four = E.get("8.3").statement, E.get("8.4").statement
    assert f"`lm.DEMO` uses {lm.DEMO.d_model}, the recorded GPU run {lm.GPU.d_model}" in three
    assert "(`lm.CPU`, the size of the chapter's short run)" in four
    assert (lm.CPU.d_model, lm.CPU.n_layer, lm.CPU.context) == (lm.DEMO.d_model, lm.DEMO.n_layer, lm.DEMO.context)
    preset = ex8.reader_preset()
    assert preset.train.steps == ex8.READER_STEPS == 60 and preset.d_model == ex8.READER_D_MODEL == 48
    assert f"n_layer={lm.CPU.n_layer}, n_head={lm.CPU.n_head}, context={lm.CPU.context}" in three


def test_8_3_solution_widths_are_the_sizing_rule():
    text = E.get("8.3").load_solution().explanation
    from ffn_lib import lm

    for d_model in (48, lm.DEMO.d_model, lm.GPU.d_model):
        exact = 2 * 4 * d_model / 3
        assert sizing.matched_d_ff(d_model, gated=True) == int(exact)
        shown = f"{exact:g}" if exact == int(exact) else f"{exact:.2f}"
        assert shown in text, (d_model, shown)
        assert str(sizing.matched_d_ff(d_model, gated=True)) in text


def test_8_5_statement_solution_and_verdict_agree_with_its_numbers():
    from statistics import NormalDist, mean

    from ffn_lib.exercises import chapter8 as ex8
    from ffn_lib.lm import stats

    ex = E.get("8.5")
    shown = re.findall(r"\$(-0\.\d+)\$", ex.statement)
    assert sorted(float(x) for x in shown) == sorted(ex8.PAIRED_DIFFERENCES)
    d = ex8.PAIRED_DIFFERENCES
    half = stats.mean_interval(d)
    assert abs(float(ex.expected()) - half) < 1e-6 and ex.check(round(half, 4)).passed
    low, high = mean(d) - half, mean(d) + half
    normal = ex8.paired_interval(quantile=NormalDist().inv_cdf(0.975))
    assert low < 0 < high, "the solution says the t interval contains zero"
    assert mean(d) + normal < 0, "the solution says the normal interval excludes zero"
    text = ex.load_solution().explanation
    assert f"{low:.4f}" in text and f"{high:+.4f}" in text and "contains zero" in text
    for typed in (round(normal, 4), round(ex8.paired_interval(quantile=2.0), 4)):
        assert "Student's t at 2 degrees of freedom" in ex.check(typed).message



def test_8_2_statement_names_the_constants_p_values_pair_by_pair():
    from ffn_lib.exercises import chapter8 as ex8

    ex = E.get("8.2")
    shown = re.findall(r"\$p = (0\.\d+)\$ for (\w+) against (\w+)", ex.statement)
    assert [float(p) for p, _, _ in shown] == list(ex8.MATCHED_P_VALUES)
    assert [(g, q) for _, g, q in shown] == [("GEGLU", "GELU"), ("SwiGLU", "Swish"), ("ReGLU", "ReLU")]
    assert "made-up numbers" in ex.statement
    assert shown[ex8.HOLM_ASKED][1:] == ("GEGLU", "GELU") and "adjusted p-value of GEGLU against GELU" in ex.statement


def test_8_2_expects_holms_adjusted_p_value_and_the_numbers_separate_the_mistakes():
    from ffn_lib.exercises import chapter8 as ex8
    from ffn_lib.lm import stats

    p, i = ex8.MATCHED_P_VALUES, ex8.HOLM_ASKED
    _, adjusted = stats.holm(p)
    ex = E.get("8.2")
    assert float(ex.expected()) == adjusted[i]
    raw, bonferroni, step = p[i], len(p) * p[i], ex8.holm_step()
    # the running maximum matters here: the asked pair's own step value is below the one ranked before it
    assert step < adjusted[i] and len({round(v, 6) for v in (adjusted[i], raw, bonferroni, step)}) == 4
    assert bonferroni > stats.ALPHA >= adjusted[i], "the solution says Bonferroni misses what Holm resolves"


def test_8_2_the_answer_passes_in_every_form_a_learner_gives_it():
    import numpy as np

    ex = E.get("8.2")
    answer = float(ex.expected())
    for given in (answer, np.float64(answer), np.float32(answer), round(answer, 3)):
        assert ex.check(given).passed, given
    for typed in ("0.045", " 0.045 ", "0.0450", "4.5e-2"):
        assert ex.check_text(typed).passed, typed
    assert not ex.check(0.1).passed and not ex.check_text("0.050").passed


def test_8_2_each_named_mistake_gets_its_own_feedback():
    from ffn_lib.exercises import chapter8 as ex8
    from ffn_lib.lm import stats

    p, i = ex8.MATCHED_P_VALUES, ex8.HOLM_ASKED
    j = sorted(p).index(p[i]) + 1  # the asked pair's rank, smallest first
    m = len(p)
    ex = E.get("8.2")
    wrong = {"the pair's own p-value, uncorrected": p[i],
             "Bonferroni's correction": m * p[i],
             "without the running maximum": (m - j + 1) * p[i],
             "the maximum over all three pairs": max((m - sorted(p).index(q)) * q for q in p),
             "Holm's threshold for this pair's rank": stats.ALPHA / (m - j + 1)}
    messages = set()
    for phrase, value in wrong.items():
        result = ex.check(round(value, 3))
        assert result.status == "incorrect" and phrase in result.message, (phrase, value, result.message)
        messages.add(result.message)
    assert len(messages) == len(wrong), "each mistake has its own feedback"


def test_6_5_is_the_ridge_point_budget_of_the_quoted_figures_and_names_each_slip():
    from ffn_lib import analysis
    from ffn_lib.diagrams.kernel import DATASHEET_ROOFS
    from ffn_lib.exercises import chapter6 as ex6
    from ffn_lib.exercises import ids
    from ffn_lib.roofline import ridge_point

    ex = E.get("6.5")
    bandwidth, tensor_rate, _ = DATASHEET_ROOFS[("H200", "bfloat16")]
    assert (ex6.FP32_RATE, ex6.TENSOR_RATE, ex6.BANDWIDTH) == (
        analysis.QUOTED_FP32_FLOP_RATE["NVIDIA H200"][0], tensor_rate, bandwidth), "the library's quoted figures"
    for text in ("67 TFLOP/s of FP32", "989 TFLOP/s of dense BF16", "4.8 TB/s", "quoted, not measured"):
        assert text in ex.statement, text
    assert abs(float(ex.expected()) - ridge_point(67e12, 4.8e12) * 3 * 2) < 1e-9
    assert abs(ex.expected() - 83.75) < 1e-9
    assert ex.check(83.75).passed and ex.check(83.8).passed and not ex.check(85.0).passed
    slips = {67 / 4.8 * 2: "one tensor", 67 / 4.8 * 4: "the two tensors read", 67 / 4.8 * 12: "4 bytes per element",
             989 / 4.8 * 6: "tensor cores' rate", 4.8 / 67 * 6: "inverted", 67 / 4.8: "the ridge point itself",
             67 / 4.8 * 10: "five tensors"}
    for value, words in slips.items():
        result = ex.check(round(value, 2))
        assert result.status == "incorrect" and words in result.message, (value, result.message)
    assert ids.revision("6.5") == 2 and not ids.is_current("6.5", {"status": "correct"})
    assert "Table 1" not in ex.title + ex.statement


def test_8_2_solution_computes_its_numbers_and_says_what_holm_resolves():
    from ffn_lib.exercises import chapter8 as ex8
    from ffn_lib.exercises import ids
    from ffn_lib.lm import stats

    p = ex8.MATCHED_P_VALUES
    rejected, adjusted = stats.holm(p)
    assert rejected == [True, True, False], "the solution resolves GEGLU-GELU and SwiGLU-Swish, not ReGLU-ReLU"
    assert sorted(range(3), key=lambda k: p[k]) == [1, 0, 2], "the solution ranks SwiGLU-Swish first"
    solution = E.get("8.2").load_solution()
    text = solution.explanation
    for value in (*p, *adjusted, ex8.holm_step(), len(p) * p[0]):
        assert f"${value:.3f}$" in text or f"{value:.3f})" in text, value
    assert "lm.stats.holm" in text and "stats.holm(" in solution.code
    assert "p = [" + ", ".join(f"{q:.3f}" for q in p) + "]" in solution.code, "the code's p-values are the constant's"
    assert ids.revision("8.2") == 2 and not ids.is_current("8.2", {"status": "correct"})

def test_the_kernel_exercises_emulated_mistakes_are_catalogue_messages():
    found = {m for m, _, _ in i18n_script.library_messages()}
    for n in (4, 5, 6):
        for _, diagnosis in E.get(f"7.{n}").emulated_mistakes:
            assert diagnosis in found, diagnosis


def test_every_text_of_chapters_5_to_8_is_extracted_where_it_is_written():
    """Each text is a catalogue message, or was formatted from one (a solution's computed numbers)."""
    found = {m for m, _, _ in i18n_script.library_messages()}
    missing = [f"{ex.id}: {t[:60]}" for n in CHAPTERS for ex in E.chapter(n)._exercises for t in _texts(ex)
               if t not in found and not _templates_fullmatching(t, found) and _has_words(t)]
    assert not missing, missing[:5]


_templates_fullmatching = templates_fullmatching


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_everything_the_exercises_say_has_its_chinese(chapter):
    """Each statement, hint, option, diagnosis and solution is translated (directly, or through the template it
    was formatted from), unless it is maths, code or names only."""
    entries = {msgid: e["msgstr"][0] for (ctx, msgid), e in i18n.parse_po(
        i18n.CATALOGUE["zh"].read_text(encoding="utf-8")).items() if ctx is None and e["msgstr"][0] and not e["fuzzy"]}
    missing = []
    for ex in E.chapter(chapter)._exercises:
        for text in _texts(ex):
            if not _has_words(text):
                ok = True
            elif text in entries:
                ok = CJK.search(entries[text])
            else:
                ok = any(CJK.search(entries[t]) for t in _templates_fullmatching(text, entries))
            if not ok:
                missing.append(f"{ex.id}: {text[:60]}")
    assert not missing, missing[:5]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_in_chinese_the_statements_and_solutions_read_as_chinese(chapter):
    try:
        i18n.set_language("zh")
        for ex in E.chapter(chapter)._exercises:
            for text in (ex.title, ex.statement, ex.load_solution().explanation, *ex.hints):
                shown = i18n.tr(text)
                if shown == text or not _has_words(text):   # formatted at definition (its template carries it),
                    continue                                    # or maths and code only
                assert CJK.search(shown), (ex.id, shown[:60])
    finally:
        i18n.set_language(None)
