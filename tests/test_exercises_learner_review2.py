"""The second learner review's findings on exercises 1-6 and 8 (issue 20; chapter 7's are tested with its checker).
The page's agreement on the new typed forms is in test_exercises_page.py."""

import numpy as np
import torch

from ffn_lib import exercises as E
from ffn_lib.exercises.solutions import chapter8 as sol8


def test_choice_statements_say_what_to_type_in_the_notebook():
    """The review: choice exercises never said "type the letter, as a string"."""
    for ex in E.all_exercises():
        if ex.kind == "a choice":
            for text in (ex.notebook_markdown(), str(ex)):
                assert 'answer = "b"' in text and "the option's own text" in text, ex.id


def test_a_letter_with_another_options_text_is_not_graded_but_told_so():
    result = E.get("5.2").check("(a) the tanh approximation")
    assert result.status == "not attempted" and "(a)" in result.message and "option (b)" in result.message
    assert E.get("5.2").check("(b) the tanh approximation").status == "correct"
    assert E.get("8.1").check("(a) SwiGLU, then Bilinear, then ReLU").status == "correct"


def test_a_half_width_with_its_plus_minus_sign():
    assert E.get("8.5").check("±0.0174").status == "correct"
    assert E.get("8.5").check("± 0.0348").message.count("whole width") == 1  # read, then diagnosed


def test_6_3_says_a_list_is_accepted_and_accepts_it():
    ex = E.get("6.3")
    assert "A list `[W, V, W2]` is accepted too" in ex.statement

    def as_list(sd):
        return [sd["gate_proj.weight"].T, sd["up_proj.weight"].T, sd["down_proj.weight"].T]

    assert ex.check(as_list).status == "correct"


def test_8_4_says_where_a_fixed_seed_was_checked_and_its_tolerance():
    ex = E.get("8.4")
    assert "only on the CPU build of PyTorch that built this book" in ex.statement
    assert "±0.002" in ex.full_statement()
    assert "only on the CPU build" in sol8.SOLUTIONS[4].explanation
    assert "same machine, to the last digit" not in sol8.SOLUTIONS[4].explanation


def test_8_1_solution_says_which_test_resolves_only_large_gaps():
    """Gaps several times the spread are what Welch's test at 2-4 df resolves; the pooled view resolves more."""
    text = sol8.SOLUTIONS[1].explanation
    welch, pooled = text.index("Welch's test"), text.index("pooled view")
    assert welch < text.index("several times the seed-to-seed spread") < pooled
    assert "resolves smaller gaps" in text[pooled:]


def test_a_near_miss_on_a_count_is_not_blamed_on_rounding():
    for ex_id, typed in [("4.1", "3585"), ("8.3", str(int(E.get("8.3").expected()) - 1)), ("1.1", "4722433")]:
        result = E.get(ex_id).check_text(typed)
        assert "off by 1" in result.message and "how you rounded" not in result.message, (ex_id, result)
    assert "how you rounded" in E.get("2.1").check_text("-0.1006").message  # a decimal answer still says it


def test_new_known_mistakes_from_the_review():
    one_bias = E.get("1.1").check(2 * 768 * 3072 + 3072)
    assert "only one of the two biases" in one_bias.message, one_bias
    assert "gap at beta = 1" in E.get("3.5").check_text("0.278").message  # SiLU's dip, typed to 3 decimals
    assert "standard error" in E.get("8.5").check_text("0.00404").message
    silu_gate = E.get("5.1").check(lambda g, u: torch.nn.functional.silu(g) * u)
    assert "SwiGLU's inner step" in silu_gate.message, silu_gate


def test_a_shape_given_as_a_string_is_read_as_the_page_reads_it():
    """The review: check('(8, 128, 2048)') was "incorrect: Give a tuple of whole numbers"."""
    ex = E.get("1.2")
    for text in ("(8, 128, 2048)", "8 x 128 x 2048"):
        assert ex.check(text).status == "correct", text
    assert ex.check("(8, 128)").status == "incorrect" and ex.check("abc").status == "incorrect"
    assert ex.check("  ").status == "incorrect"  # an empty string is not a shape, as before


def test_8_2_all_three_p_values_or_a_labelled_one():
    """The review: "0.045, 0.045, 0.300" was "not a number" (8.5 says "two numbers"); "p = 0.045" was refused."""
    many = E.get("8.2").check("0.045, 0.045, 0.300")
    assert many.status == "not attempted" and "is 3 numbers; the answer is one number" in many.message
    assert E.get("8.2").check("p = 0.045").status == "correct"
    assert E.get("1.1").check_text("4,722,432").status == "correct"  # thousands groups stay one number


def test_math_functions_on_arrays_and_iterating_a_0d_input_are_explained():
    import math

    erf = E.get("2.3").check(lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))))
    assert "takes one number" in erf.message and "`torch.erf`" in erf.message, erf
    tanh = E.get("2.2").check(lambda x: 0.5 * x * (1 + math.tanh(x)))
    assert "takes one number" in tanh.message, tanh
    listed = E.get("2.2").check(lambda x: np.array(list(np.tanh(x))))
    assert "0-d array" in listed.message and "return the array itself" in listed.message, listed
    assert "takes one number" not in E.get("2.2").check(lambda x: 1 / 0).message  # other errors: as before


def test_a_power_written_out_is_asked_for_its_value():
    """The review: 5.4 "3^2" was "not a number" while "9x" was accepted."""
    result = E.get("5.4").check_text("3^2")
    assert result.status == "not attempted" and "type its value" in result.message, result
    assert E.get("5.4").check("2**10").status == "not attempted"
