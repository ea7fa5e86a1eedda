"""Exercise verdicts: no false passes, each mistake with its own tolerance, readable numbers, time limits."""

import math
from decimal import Decimal
from fractions import Fraction
import re
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from ffn_lib import exercises as E
from ffn_lib.exercises import _numeric, base, number_text, values

EXERCISES = E.all_exercises()
NUMBERS = [ex for ex in EXERCISES if ex.kind == "a number"]
FUNCTIONS = [ex for ex in EXERCISES if ex.kind == "a function"]


def solution_answer(ex):
    namespace = {}
    exec(compile(ex.load_solution().code, f"<solution {ex.id}>", "exec"), namespace)
    return namespace[ex.answer_name]


# --- False passes -----------------------------------------------------------------------------------------


def test_relu6_does_not_pass_as_relu():
    """The two submissions of issue 12: pre-activations beyond 6 must be in the hidden cases."""
    r = E.chapter(1).q3.check(lambda x, W1, b1, W2, b2: np.clip(x @ W1 + b1, 0, 6) @ W2 + b2)
    assert r.status == "incorrect" and "ReLU6" in r.message
    r = E.chapter(5).q3.check(lambda x, W, V, W2: (np.clip(x @ W, 0, 6) * (x @ V)) @ W2)
    assert r.status == "incorrect" and "ReLU6" in r.message
    # a clip that is not a registered mistake is still caught (and then described by the first difference)
    r = E.chapter(1).q3.check(lambda x, W1, b1, W2, b2: np.clip(x @ W1 + b1, 0, 9) @ W2 + b2)
    assert r.status == "incorrect" and "differs from the reference" in r.message


@pytest.mark.parametrize("ex", FUNCTIONS, ids=[e.id for e in FUNCTIONS])
def test_function_cases_are_seeded_and_reach_large_magnitudes(ex):
    first, second = ex._cases(), ex._cases()
    assert len(first) >= 3
    for a, b in zip(first, second):
        assert all(values.unchanged(x, y) for x, y in zip(a, b)), "the hidden cases must be the same at every check"
    if ex.id in ("6.3", "4.7"):  # weight conversions: no activation to saturate
        return
    peak = 0.0
    for case in first:
        x = values.as_float64(case[0])
        peak = max(peak, float(np.max(np.abs(x))))
    assert peak > 6, f"{ex.id}: inputs never leave [-6, 6]"


def test_torch_exercises_that_keep_the_dtype_are_checked_in_half_precision():
    for ex in (E.chapter(2).q3, E.chapter(5).q1, E.chapter(7).q2):
        assert {"float16", "bfloat16"} <= set(ex._dtypes()), ex.id
    r = E.chapter(2).q3.check(lambda x: torch.nn.functional.gelu(x.float()))
    assert r.status == "incorrect" and "dtype" in r.message and "keep the input's dtype" in r.message


def test_one_precision_policy_float32_inside_is_accepted_everywhere():
    """Computing in float32 and casting back passes in 2.3, 5.1 and 6.2 alike (issue 12)."""
    F = torch.nn.functional
    assert E.chapter(2).q3.check(lambda x: F.gelu(x.float()).to(x.dtype)).passed
    assert E.chapter(5).q1.check(lambda g, u: (F.gelu(g.float()) * u.float()).to(g.dtype)).passed
    assert E.chapter(6).q2.check(
        lambda x, W, V, W2: ((F.silu(x.float() @ W.float()) * (x.float() @ V.float())) @ W2.float()).to(x.dtype)).passed


@pytest.mark.parametrize("ex", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_statement_states_the_precision_policy(ex):
    """What is an exercise's own (its tolerance, its dtypes) is under it; what its kind shares is in the chapter's
    note, said once, in the book's and the notebook's version alike."""
    text = ex.full_statement()
    assert ex.policy_text() in text
    notes = [ex_chapter_note(ex, book) for book in (True, False)]
    if ex.kind == "a number":
        assert "exact whole number" in text if ex.integer else "within" in text
        assert all("states its tolerance" in note for note in notes)
    if ex.kind == "a function":
        for dtype in ex._dtypes():
            assert dtype in text
            assert all(f"{values.FUNCTION_TOL[dtype][0]:g} in {dtype}" in note for note in notes)
        assert all("input's type, shape and dtype" in n and f"{base.TIME_LIMIT_S:g} s" in n for n in notes)
    if ex.kind in ("a choice", "a shape", "a Triton kernel"):
        assert ex.policy_text() == "" and text.startswith(ex.statement)
        word = {"a choice": "option", "a shape": "whole numbers", "a Triton kernel": "BLOCK = 128"}[ex.kind]
        assert all(word in note for note in notes), ex.id


def ex_chapter_note(ex, book):
    return E.chapter(ex.chapter).how_to_answer().markdown(book=book)


# --- Mistakes with their own tolerance -------------------------------------------------------------------


def test_known_mistakes_have_their_own_tolerance():
    ex = E.chapter(1).q4
    result = ex.check(0)
    assert "single token" not in result.message and "too small" in result.message
    per_token = ex.expected() / 2048
    assert "single token" in ex.check(per_token).message
    assert "single token" not in ex.check(per_token * 2).message


@pytest.mark.parametrize("ex", NUMBERS, ids=[e.id for e in NUMBERS])
def test_mistake_bands_never_overlap_the_answer_or_each_other(ex):
    e = float(ex.expected())
    bands = [(e, ex.tolerance(e), "answer")] + ex.known_mistakes()
    for i, (v, t, what) in enumerate(bands):
        assert math.isfinite(v) and t >= 0
        for w, u, other in bands[i + 1:]:
            assert abs(v - w) > t + u, f"{ex.id}: {what!r} and {other!r} overlap"
    for v, t, diagnosis in ex.known_mistakes():
        for probe in (v, v + 0.99 * t, v - 0.99 * t):
            assert diagnosis in ex.check(probe).message


@pytest.mark.parametrize("ex", FUNCTIONS, ids=[e.id for e in FUNCTIONS])
def test_function_mistakes_are_told_apart_from_the_answer(ex):
    for wrong, diagnosis in ex.mistakes:
        result = ex.check(wrong)
        assert result.status == "incorrect" and diagnosis in result.message, (ex.id, diagnosis, result.message)


# --- Numbers printed so they can be typed back -----------------------------------------------------------


def test_numbers_are_printed_with_the_digits_that_matter():
    assert "1.6 is too large" in E.chapter(3).q2.check(1.6).message
    assert "1.5000001 is close" in E.chapter(3).q2.check(1.5000001).message
    for value in (2.5, 0.1 + 0.2, 1e-7, -1.5e300, 2099712.0, 123456789.125, 1e16, -0.0):
        assert float(number_text.fmt_number(value)) == value


@pytest.mark.parametrize("ex", NUMBERS, ids=[e.id for e in NUMBERS])
def test_the_value_a_success_message_shows_passes_when_typed_back(ex):
    result = ex.check(solution_answer(ex))
    shown = result.message.split(" is right")[0]
    assert ex.check(float(shown)).passed, shown
    assert ex.check_text(shown).passed, shown


def test_feedback_templates_are_whole_sentences():
    answers = {E.chapter(1).q1: [True, "7", {"a": 1}, 3.5, 10**12, float("nan"), torch.ones(2)],
               E.chapter(2).q4: [3, None, "z", ["a"]], E.chapter(1).q2: [(1, 2), "x", (1.5,)]}
    for ex, values in answers.items():
        for v in values:
            message = ex.check(v).message
            for broken in ("exactly of the expected", "got a bool (True/False) is", "not a int", "should return"):
                assert broken not in message, (ex.id, v, message)
    assert "not a value of type `int`" in E.chapter(2).q4.check(3).message
    assert E.chapter(1).q1.check(True).message == "Expected a single number, but got a bool (True/False)."


def test_a_failed_function_check_shows_shapes_and_the_first_differing_value():
    result = E.chapter(1).q3.check(lambda x, W1, b1, W2, b2: np.maximum(x @ W1 + b1, 0) @ W2 + b2 + 1e-3)
    m = result.message
    assert result.status == "incorrect" and "array (4, 6) float64" in m and "b2 array (6,) float64" in m
    assert re.search(r"first at index \(\d+, \d+\): got -?[0-9.e+-]+, expected -?[0-9.e+-]+", m), m
    assert "[" not in m and len(m) < 500
    result = E.chapter(2).q2.check(lambda x: np.where(x > 3, 0.0, 0.5 * x * (1 + np.tanh(
        np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))))
    assert "the inputs there are x = " in result.message


# --- Content -----------------------------------------------------------------------------------------------


def test_swish_relu_gap_is_even_and_the_solution_says_where_it_peaks():
    beta = 5.0
    x = np.linspace(0.01, 3, 301)
    from ffn_lib import relu, swish
    assert np.allclose(np.abs(swish(x, beta) - relu(x)), np.abs(swish(-x, beta) - relu(-x)), rtol=0, atol=1e-15)
    peak = _numeric.swish_relu_gap_peak(beta)
    sol = E.chapter(3).q5.load_solution().explanation
    assert f"\\pm {peak:.4f}" in sol and "negative" not in sol
    assert not any("negative x close to 0" in h for h in E.chapter(3).q5.hints)


def test_choice_2_4_b_agrees_with_the_measured_error():
    b = E.chapter(2).q4.options["b"]
    assert "10^{-3}" in b and _numeric.tanh_gelu_error() < 1e-3


def test_6_4_eager_forward_and_3_1_swapped_arguments_get_their_own_diagnosis():
    from ffn_lib import sizing
    ex = E.chapter(6).q4
    eager = sizing.activation_bytes(8192, 14336, "bfloat16", gated=True, fused=False)
    assert "eager forward" in ex.check(eager).message
    assert "number of tensors" in ex.check(3).message
    r = E.chapter(3).q1.check(lambda beta, x: x / (1 + np.exp(-beta * x)))
    assert "swapped" in r.message


def test_answers_printed_by_the_chapters_are_not_the_exercises_answers():
    """Issue 12 listed numbers each chapter prints just before its exercises: they must not be answers."""
    printed = {"1.1": 2_099_712, "2.1": -0.158655, "2.5": 0.000473, "3.5": 0.06962, "4.4": 4_718_592, "6.1": 13824}
    for ex_id, value in printed.items():
        ex = E.get(ex_id)
        e = ex.expected()
        assert abs(e - value) > max(ex.tolerance(e), 1e-3 * abs(value)), ex_id


# --- Time limit ---------------------------------------------------------------------------------------------


def test_a_function_that_never_returns_is_stopped(monkeypatch):
    monkeypatch.setattr(base, "TIME_LIMIT_S", 0.5)
    ex = E.chapter(2).q2

    def endless(x):
        while True:
            pass

    def sleepy(x):
        time.sleep(5)
        return x

    previous = signal.getsignal(signal.SIGALRM)
    for fn in (endless, sleepy):
        start = time.monotonic()
        result = ex.check(fn)
        assert time.monotonic() - start < 1.5
        assert result.status == "incorrect" and "did not return within 0.5 s" in result.message
    assert signal.getsignal(signal.SIGALRM) is previous and signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_the_time_limit_also_works_off_the_main_thread(monkeypatch):
    monkeypatch.setattr(base, "TIME_LIMIT_S", 0.3)
    out = {}

    def sleepy(x):
        time.sleep(1.0)
        return x

    worker = threading.Thread(target=lambda: out.setdefault("r", E.chapter(2).q2.check(sleepy)))
    worker.start()
    worker.join(5)
    assert "did not return within 0.3 s" in out["r"].message


def test_warnings_in_a_learners_function_do_not_break_the_check():
    def noisy_but_right(x):
        np.exp(np.float64(1000.0))  # overflow warning
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))

    assert E.chapter(2).q2.check(noisy_but_right).passed


# --- Plain Python and discovery -------------------------------------------------------------------------------


def test_repr_and_str_print_the_statement_not_the_dataclass():
    ex = E.chapter(1).q3
    for text in (repr(ex), str(ex)):
        assert ex.statement in text and "Exercise 1.3" in text
        assert "hints=" not in text and "lambda" not in text and "mistakes" not in text
    assert "(a)" in repr(E.chapter(2).q4)


def test_chapters_are_discovered_from_the_modules_present():
    package = Path(E.__file__).parent
    present = sorted(int(p.stem[len("chapter"):]) for p in package.glob("chapter*.py")
                     if p.stem[len("chapter"):].isdigit())
    assert list(E._discover()) == present and list(E.CHAPTERS) == present
    assert {1, 2, 3, 4, 5, 6} <= set(present)


def test_each_chapter_has_a_derivation_exercise():
    derivations = {"1.6", "2.6", "3.6", "4.6", "5.5", "6.4", "7.2", "7.3"}
    assert {d.split(".")[0] for d in derivations} >= {str(n) for n in range(1, 8)}
    for ex_id in derivations:
        assert E.get(ex_id).load_solution().code
    assert E.get("7.2").kind == "a function" and E.get("7.3").kind == "a number"


def test_choice_mistakes_name_wrong_options_only():
    for ex in (e for e in EXERCISES if e.kind == "a choice"):
        assert ex.correct_key() in ex.options and ex.correct_key() not in ex.mistakes, ex.id
        assert set(ex.mistakes) <= set(ex.options), ex.id


# --- feedback that diagnoses (issue 18) ---------------------------------------------------------------------


@pytest.mark.parametrize("ex_id, typed, words", [
    ("3.6", "1.1", "4 decimal places"), ("3.6", "1.09", "close (within 1%)"),
    ("1.4", "1.93e10", "4 significant digits"),
    ("4.6", "0.59", "4 decimal places"),
    ("2.1", "-0.100", "close"), ("2.1", "0.1002", "wrong sign"), ("1.4", "19.33", "10^9 times too small"),
    ("6.4", "672", "MiB"), ("1.1", "4722.43", "10^3 times too small"), ("2.6", "2,549", "2.549 or 2549"),
])
def test_close_wrong_sign_and_unit_slips_are_named(ex_id, typed, words):
    ex = E.get(ex_id)
    for result in (ex.check_text(typed), ex.check(number_text.read_number(typed)[0])):
        if "2,549" in typed and result is not None and result.message.startswith("2.549"):
            continue  # check(2.549) is a plain number: only the typed text is ambiguous
        assert words in result.message, (ex_id, typed, result)
        assert "Try the next hint" not in result.message
    if "2,549" in typed:
        assert ex.check_text(typed).status == "not attempted"


def test_fractions_and_decimals_are_numbers():
    assert E.get("5.5").check(Fraction(1, 2)).passed and E.get("5.5").check_text("1/2").passed
    assert E.get("1.1").check(Decimal(4722432)).passed
    assert E.get("3.2").check_text("3/2").passed
    for typed in ("4 722 432", "4\u202f722\u202f432", "4_722_432", "4,722,432"):
        assert E.get("1.1").check_text(typed).passed, typed


def test_a_learners_exit_or_error_is_a_message_and_an_interrupt_still_stops():
    def leaves(*args):
        raise SystemExit(3)

    result = E.get("1.3").check(leaves)
    assert result.status == "incorrect" and "SystemExit" in result.message and "report" not in result.message

    class Exits:
        def __float__(self):
            raise SystemExit(1)

    assert "SystemExit" in E.get("1.1").check(Exits()).message

    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        E.get("1.3").check(interrupted)


def test_a_meta_tensor_is_the_learners_output_not_a_checker_bug():
    result = E.get("2.3").check(lambda x: torch.empty_like(x, device="meta"))
    assert result.status == "incorrect" and "meta" in result.message and "report" not in result.message
    assert "meta" in E.get("2.1").check(torch.empty((), device="meta")).message


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.kind in ("a number", "a shape")],
                         ids=lambda e: e.id)
def test_no_junk_example_is_the_answer_or_a_known_mistake(ex):
    message = ex.check_text("abc").message
    if ex.kind == "a shape":
        taken = [number_text.fmt_shape(ex.expected())] + [number_text.fmt_shape(w) for w, _ in ex.known_mistakes()]
        assert not any(t in message + ex.messages()["empty"] for t in taken), (ex.id, message)
        return
    examples = message.split("such as ", 1)[1].rstrip(".").replace(" or ", ", ").split(", ")
    assert len(examples) >= 3
    for text in examples:
        result = ex.check(number_text.read_number(text)[0])
        assert not result.passed and "not it" not in result.message, (ex.id, text, result)


def test_long_values_are_summarised_and_counts_agree():
    result = E.get("1.3").check(lambda x, *a: (x @ a[0]).tolist())
    assert len(result.message) < 400 and "list of 4" in result.message
    assert "first values [" in values.describe(torch.arange(1000.0)) and len(values.describe(list(range(999)))) < 80
    assert number_text.fmt_number(1.0) == "1"


def test_a_dict_result_is_described_with_plural_agreement():
    """The learner trial: a function returning {"y": ...} was told 'dict with 1 keys'."""
    assert values.describe({"y": 1}).startswith("dict with 1 key (")
    assert values.describe({"a": 1, "b": 2}).startswith("dict with 2 keys (")
    result = E.get("1.3").check(lambda x, W1, b1, W2, b2: {"y": x})
    assert "dict with 1 key (" in result.message, result.message


@pytest.mark.parametrize("typed", ["b.", "B.", "(b).", " b. ", "b)"])
def test_a_choice_letter_with_a_full_stop_is_read(typed):
    """The learner trial: 'b.' (a letter as a list item writes it) was 'not one of the options'."""
    ex = next(e for e in EXERCISES if e.kind == "a choice")
    key = ex.correct_key()
    text = typed.replace("b", key).replace("B", key.upper())
    assert ex.check_text(text).passed and ex.check(text).passed, text
    other = next(k for k in ex.options if k != key)
    assert ex.check_text(f"{other}.").status == "incorrect" and f"({other}) is not right" in ex.check_text(f"{other}.").message
    assert ex.check_text("b..c").status == "incorrect"


def test_a_masked_value_is_no_answer():
    """The learner trial: a NumPy masked array whose one value is masked passed as that (hidden) value."""
    ex = E.get("5.5")
    masked = np.ma.masked_array([float(ex.expected())], mask=[True])
    result = ex.check(masked)
    assert result.status == "incorrect" and "masked" in result.message, result
    assert ex.check(np.ma.masked_array([float(ex.expected())], mask=[False])).passed


# --- every text a whole sentence with named placeholders (a translation follows) -----------------------------

def _sentence_templates():
    from ffn_lib.exercises import base as B, function as Fn, guide, kernel as K, page, store, values as V

    labels = {"system_exit", "heading", "title", "result", "result_head", "tolerance", "problems",
              "stride", "half", "default", "default_last",
              "details"}  # labels, noun phrases, and diagnoses that follow a colon
    tables = {"base.TEXTS": B.TEXTS, "function.MESSAGES": Fn.MESSAGES, "kernel.MESSAGES": K.MESSAGES,
              "values.MISMATCH": V.MISMATCH, "store.REASONS": store.REASONS, "store.MESSAGES": store.MESSAGES,
              "guide.SENTENCES": guide.SENTENCES, "base.ANSWER_WITH": B.ANSWER_WITH,
              "page.UI": {"notebook_only": page.UI["notebook_only"], "earlier_one": page.UI["earlier_one"],
                          "earlier_other": page.UI["earlier_other"]}}
    for ex in EXERCISES:
        if hasattr(ex, "messages"):
            tables[f"{ex.id} messages"] = ex.messages()
    for name, table in tables.items():
        for key, template in table.items():
            if key not in labels:
                yield f"{name}[{key}]", template


def test_every_feedback_text_is_a_whole_sentence_with_named_placeholders():
    """One template per sentence: it starts like a sentence, ends like one, and every blank has a name; no English
    article or plural is computed from a word (the learner trial's 'dict with 1 keys' came from such a helper)."""
    problems = []
    for where, template in _sentence_templates():
        if re.search(r"\{\}|\{[0-9]", template):
            problems.append(f"{where}: a positional placeholder in {template!r}")
        filled = re.sub(r"\{[a-z_]+\}", "X", template).strip()
        if not re.match(r"^[A-Z(`“*X0-9]", filled) or not re.search(r"[.?!)]\**$|X$", filled):
            problems.append(f"{where}: not a whole sentence: {template!r}")
    assert not problems, "\n".join(problems)
    for ex in EXERCISES:  # what fills {diagnosis}: a clause or sentence that ends as one
        mistakes = ex.mistakes.values() if isinstance(ex.mistakes, dict) else [m[1] for m in ex.mistakes]
        for diagnosis in mistakes:
            assert diagnosis.rstrip().endswith((".", "?", "!", ")")), (ex.id, diagnosis)
    assert not hasattr(values, "article") and not hasattr(number_text, "plural")
