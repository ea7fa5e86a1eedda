"""The learner review's findings on exercises 1-6 and 8 (issue 20): each verdict it found false or noisy, and
each mistake it found undiagnosed, has its test here (the page's agreement is in test_exercises_page.py)."""

import functools
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ffn_lib import exercises as E
from ffn_lib.exercises import chapter8

ROUNDED_NOTE = "if you typed a constant rounded"


# --- false or misleading verdicts -------------------------------------------------------------------------------

def test_a_type_slip_with_exact_values_gets_no_rounded_constant_note():
    """1.3 with a torch tensor returned for NumPy inputs: the type sentence only (the gap is 2e-16, the FFN has no
    constant)."""
    def ffn_forward(x, W1, b1, W2, b2):
        return torch.from_numpy(np.maximum(x @ W1 + b1, 0) @ W2 + b2)

    message = E.get("1.3").check(ffn_forward).message
    assert "should be a NumPy array" in message and ROUNDED_NOTE not in message, message


def test_a_dtype_slip_gets_the_dtype_sentence_and_how_to_fix_it_only():
    def swiglu(x, W, V, W2):
        x32 = x.float()
        return (F.silu(x32 @ W.float()) * (x32 @ V.float())) @ W2.float()

    message = E.get("6.2").check(swiglu).message
    assert "has dtype float32; expected float64" in message and "`.to(x.dtype)`" in message, message
    assert ROUNDED_NOTE not in message and "gap is small" not in message
    # the erf GELU in float32 on a tensor exercise with constants: still only the dtype sentence
    message = E.get("2.3").check(lambda x: F.gelu(x.float())).message
    assert "`.to(x.dtype)`" in message and ROUNDED_NOTE not in message, message


def test_the_rounded_constant_note_only_where_the_formula_has_constants():
    """A small gap in SwiGLU (no constant in it) gets no note; the same gap in the tanh GELU (2.2) does."""
    message = E.get("6.2").check(lambda x, W, V, W2: (F.silu(x @ W) * (x @ V)) @ W2 * (1 + 3e-6)).message
    assert "differs from the reference" in message and ROUNDED_NOTE not in message, message
    message = E.get("2.2").check(lambda x: 0.5 * x * (1 + np.tanh(0.79788 * (x + 0.044715 * x**3)))).message
    assert ROUNDED_NOTE in message, message
    assert {ex.id for ex in E.all_exercises() if getattr(ex, "constants", False)} >= {"2.2", "2.3", "5.1"}
    assert not E.get("6.2").constants and not E.get("1.3").constants


@pytest.mark.parametrize("ex_id, factor", [("2.1", 1e3), ("2.6", 1e3), ("1.1", 1e3), ("1.4", 1e3), ("5.5", 1e3)])
def test_a_number_1000_times_too_large_without_a_smaller_unit_names_no_unit(ex_id, factor):
    ex = E.get(ex_id)
    message = ex.check(float(ex.expected()) * factor).message
    assert "times too large: did you multiply by 10^3 somewhere?" in message, message
    assert "unit" not in message


def test_a_number_1000_times_too_small_without_a_unit_names_no_unit():
    message = E.get("2.1").check(float(E.get("2.1").expected()) / 1e3).message
    assert "did you divide by 10^3 somewhere?" in message and "unit" not in message, message


def test_the_correct_verdict_does_not_repeat_the_policy():
    assert E.get("6.1").check(17920).message == "17920 is right."
    assert E.get("2.1").check_text("-0.1002").message == "-0.1002 is right."


def test_a_string_in_the_notebook_is_read_as_the_page_reads_it():
    ex = E.get("6.1")
    for text in ("17920", "17 920", "17,920"):
        assert ex.check(text).passed, text
        assert ex.check(text).message == ex.check_text(text).message
    assert ex.check("17.920").status == "not attempted"
    assert "is not a number" in ex.check("abc").message
    assert ex.check("  ").status == "not attempted" and "`answer = 0.5`" in ex.check("  ").message


def test_a_choice_accepts_its_options_own_text():
    assert E.get("5.2").check("the tanh approximation").passed
    assert E.get("5.2").check("The Tanh Approximation").passed
    assert E.get("5.2").check("ReLU").message.startswith("(d) is not right")
    assert "not one of the options" in E.get("5.2").check("GELU").message


# --- chapter-specific known mistakes -----------------------------------------------------------------------------

def test_2_5_a_coarse_grid_is_named():
    message = E.get("2.5").check(0.0029972).message
    assert "coarse grid (step 0.1)" in message and "underestimates a maximum" in message, message
    assert "step of 0.001 or finer" in E.get("2.5").statement


def test_3_3_silus_minimum_typed_to_3_decimals_is_named():
    for typed in (-0.278, -0.2785, -0.27846):
        message = E.get("3.3").check(typed).message
        assert "that is SiLU's minimum (beta = 1); here beta = 3" in message, (typed, message)


def test_3_1_torch_on_numpy_inputs_is_named():
    message = E.get("3.1").check(lambda x, beta: x * torch.sigmoid(beta * torch.as_tensor(x))).message
    assert "this exercise passes NumPy arrays" in message and "`np.exp`" in message, message


def test_6_2_gelu_instead_of_silu_is_named():
    assert "that is GEGLU" in E.get("6.2").check(lambda x, W, V, W2: (F.gelu(x @ W) * (x @ V)) @ W2).message
    tanh = E.get("6.2").check(lambda x, W, V, W2: (F.gelu(x @ W, approximate="tanh") * (x @ V)) @ W2).message
    assert "GEGLU with the tanh GELU" in tanh, tanh


def test_6_4_elements_instead_of_bytes_is_named():
    message = E.get("6.4").check(3 * 8192 * 14336).message
    assert "the number of elements" in message and "bytes = elements x 2" in message, message


def test_8_4_a_run_result_passed_itself_names_its_attribute():
    RunResult = type("RunResult", (), {})  # the check names the attribute before it trains anything
    message = E.get("8.4").check(RunResult()).message
    assert "the answer is its `.final_val_loss`" in message, message


def test_8_4_says_before_it_trains(monkeypatch, capsys):
    monkeypatch.setattr(chapter8, "_reader_run", functools.lru_cache(maxsize=None)(lambda *a: None))
    assert chapter8._training_note() == chapter8.TRAINING_NOTE
    ex = E.get("8.4")
    monkeypatch.setattr(ex, "expected", lambda: 2.5)
    monkeypatch.setattr(ex, "mistakes", ())
    ex.check(2.5)
    assert "Checking: training the reference runs first" in capsys.readouterr().out
    for args in chapter8._READER_RUNS:
        chapter8._reader_run(*args)
    assert chapter8._training_note() is None


def test_8_4_the_last_curve_point_is_named():
    """Trains the exercise's runs (as the check does, once)."""
    run = chapter8._reader_run()
    message = E.get("8.4").check(run.curve_val_loss[-1]).message
    assert "`curve_val_loss[-1]`" in message and "`final_val_loss`" in message, message


def test_8_5_the_whole_width_is_named_and_the_unit_is_nats():
    ex = E.get("8.5")
    message = ex.check(2 * float(ex.expected())).message
    assert "the whole width of the interval" in message, message
    assert ex.unit == "nats" and ex.check_text("0.0174 nats").passed
    assert ex.check_text("1.74 %").status == "not attempted"
    assert "is two numbers" in ex.check_text("-0.0324, 0.0024").message


# --- what a learner is asked to type ------------------------------------------------------------------------------

@pytest.mark.parametrize("ex_id", ["8.1", "8.2", "8.3", "8.5"])
def test_8_the_second_questions_are_marked_as_not_checked(ex_id):
    statement = E.get(ex_id).statement
    assert "To think about (not checked; the solution discusses it):" in statement
    head = statement.split("To think about")[0]
    assert head.rstrip().endswith(("?", ".")), "the checked question comes first"


def test_6_1_and_6_2_hints_lead_without_handing_over_the_solution():
    for ex_id, code in (("6.1", "int(2 * 4 * 6656 / 3)"), ("6.2", "F.silu(x @ W) * (x @ V)")):
        ex = E.get(ex_id)
        assert not any(code in h for h in ex.hints), ex_id
        assert code in ex.load_solution().code or ex_id == "6.1"
    assert not any(re.search(r"\b17920\b", h) for h in E.get("6.1").hints)


def test_6_4_and_1_4_hints_leave_the_last_step_to_the_learner():
    assert not any("8192 x 14336" in h for h in E.get("6.4").hints)
    assert not any(r"2048 \times 768 \times 3072" in h for h in E.get("1.4").hints)
