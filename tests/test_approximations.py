import math

import numpy as np
import pytest

from ffn_lib import approximations
from ffn_lib.activations import GELU_TANH_COEF, gelu


def test_page_curve_times_x_is_the_librarys_tanh_gelu():
    x = np.linspace(-8, 8, 2001)
    assert np.max(np.abs(x * approximations.tanh_cdf(x) - gelu(x, "tanh"))) < 1e-14


def test_max_error_against_phi_matches_an_independent_evaluation():
    # an independent check at a few points with math.erf (a different Phi than the module's erfc)
    err, at = approximations.max_error(GELU_TANH_COEF, "cdf")
    phi = 0.5 * (1 + math.erf(at / math.sqrt(2)))
    assert err == pytest.approx(abs(approximations.tanh_cdf(at) - phi), rel=1e-9)
    for x in np.linspace(0.1, 6, 60):
        phi = 0.5 * (1 + math.erf(x / math.sqrt(2)))
        assert abs(approximations.tanh_cdf(x) - phi) <= err + 1e-15


def test_minimax_against_phi_is_pages_constant_and_beats_its_neighbours():
    c = approximations.minimax_coefficient("cdf")
    assert round(c, 6) == GELU_TANH_COEF  # the paper's constant is the minimax fit to Phi, to its 6 digits
    best = approximations.max_error(c, "cdf")[0]
    assert 1.78e-4 < best < 1.80e-4
    for step in (1e-6, 1e-5):  # a true minimum: both neighbours are worse
        assert approximations.max_error(c + step, "cdf")[0] > best
        assert approximations.max_error(c - step, "cdf")[0] > best


def test_minimax_against_gelu_is_smaller_and_taylor_is_larger():
    table = approximations.coefficients()
    assert table["minimax_gelu"].value == pytest.approx(0.04438, abs=1e-5)
    assert table["taylor"].value == pytest.approx(2 / (3 * math.pi) - 1 / 6)
    assert table["minimax_gelu"].value < table["paper"].value < table["taylor"].value
    # each minimax coefficient is best for its own target, and only there
    assert table["minimax_gelu"].gelu_error < table["paper"].gelu_error
    assert table["minimax_cdf"].cdf_error <= table["paper"].cdf_error < table["minimax_gelu"].cdf_error
    # equioscillation: at the minimax c against Phi, the error peaks at two places with equal height
    c = table["minimax_cdf"].value
    x = np.linspace(0, 8, 200_001)
    e = approximations.tanh_cdf(x, c) - 0.5 * np.array([math.erfc(-v / math.sqrt(2)) for v in x])
    assert e.max() == pytest.approx(-e.min(), rel=1e-3)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="target"):
        approximations.max_error(0.0447, "erf")
    with pytest.raises((TypeError, ValueError), match="coefficient"):
        approximations.max_error(float("nan"))


# --- The tanh form against bfloat16's rounding step, over every bfloat16 input ------------------------------

def test_rounding_step_is_the_distance_to_the_next_number():
    import torch

    for dtype in approximations.SIXTEEN_BIT:
        v = torch.tensor([1.0, 1.5, 2.69, 0.00936, 3e-20, 7.0], dtype=dtype)
        step = approximations.rounding_step(v.double(), dtype)
        above = torch.nextafter(v, torch.full_like(v, float("inf")))
        assert torch.equal((above.double() - v.double()), step), dtype
    assert approximations.rounding_step(torch.tensor([1.0]), torch.bfloat16).item() == 2.0**-7


def test_the_tanh_form_is_within_rounding_for_positive_inputs_only():
    r = approximations.rounding_steps("tanh")
    assert r.dtype == "bfloat16" and r.worst_at == pytest.approx(2.70, abs=0.01)
    assert r.worst_error == pytest.approx(4.73e-4, rel=0.01)
    # x = +2.70: GELU is about 2.69, where bfloat16's numbers are 2^-6 apart: the error is a few % of a step
    assert r.steps_at_plus == pytest.approx(r.worst_error / 2.0**-6, rel=1e-3)
    assert r.max_steps_positive < 0.1  # no positive input comes near one step
    # x = -2.70: the same error (it is even in x) where GELU is -0.0093 and the step 2^-14
    assert r.value_at_minus == pytest.approx(float(gelu(-r.worst_at)), rel=1e-12)
    assert r.step_at_minus == 2.0**-14
    assert r.steps_at_minus == pytest.approx(r.worst_error / 2.0**-14, rel=1e-3)
    assert 7 < r.steps_at_minus < 8.5
    # below about -2.19 every output is at least a step off; in the far tail the relative error tends to 100%,
    # i.e. between 2^7 and 2^8 steps
    assert -2.3 < r.one_step_below < -2.1
    assert 128 < r.max_steps_negative <= 256 and r.max_steps_negative_at < -5
    # for N(0, 1) inputs about 9% of the rounded outputs differ, most of them on the negative side
    assert r.differ_share == pytest.approx(0.088, abs=0.002)
    assert r.differ_share_negative > 0.8 * r.differ_share


def test_the_share_that_differs_agrees_with_pytorch_in_bfloat16():
    import torch

    x = torch.randn(400_000, generator=torch.Generator().manual_seed(0)).to(torch.bfloat16)
    F = torch.nn.functional
    share = (F.gelu(x) != F.gelu(x, approximate="tanh")).double().mean().item()
    assert share == pytest.approx(approximations.rounding_steps("tanh").differ_share, abs=0.003)


def test_the_output_scale_of_gelu_for_standard_normal_inputs():
    x = np.linspace(-12, 12, 240_001)
    density = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    rms = math.sqrt(np.sum(gelu(x) ** 2 * density) * (x[1] - x[0]))
    assert approximations.rounding_steps("tanh").rms_output == pytest.approx(rms, rel=2e-3)


def test_rounding_steps_refuses_what_it_cannot_enumerate():
    import torch

    with pytest.raises(ValueError, match="approximate"):
        approximations.rounding_steps("erf")
    with pytest.raises(ValueError, match="dtype"):
        approximations.rounding_steps("tanh", torch.float32)


def test_the_rounding_reading_states_both_sides():
    import dataclasses

    import torch

    steps = approximations.rounding_steps("tanh")
    text = approximations.rounding_reading(steps)
    assert "For positive inputs the two forms agree within bfloat16's rounding" in text
    assert f"never exceeds {steps.max_steps_positive:.2f} of a step" in text
    assert f"at x = -2.70, where GELU is {steps.value_at_minus:.4f}, the same largest error is 7.8 steps" in text
    assert "a relative error of 5%" in text and f"below {steps.one_step_below:.2f}" in text
    assert "8.8% of the bfloat16 outputs differ" in text and "far below the scale of a layer's outputs" in text
    # the other branches: a form that is off even for positive inputs, and one without a one-step edge
    coarse = approximations.rounding_reading(approximations.rounding_steps("sigmoid"))
    assert coarse.startswith("Even for positive inputs the two forms differ by up to 3.25")
    assert "far below" not in coarse and "e+31 steps" in coarse
    half = approximations.rounding_reading(approximations.rounding_steps("tanh", torch.float16))
    assert "float16's rounding" in half and "no digit is right" not in half
    no_edge = dataclasses.replace(steps, one_step_below=None)
    assert "every input below" not in approximations.rounding_reading(no_edge)
    with pytest.raises(TypeError, match="steps"):
        approximations.rounding_reading(0.5)


def test_the_logistic_cubic_with_both_coefficients_free_is_bowlings_and_beats_page():
    fit = approximations.logistic_minimax()
    # Bowling, Khasawneh, Kaewkuekool & Cho (2009): 1 / (1 + exp(-(1.5976 x + 0.070566 x^3)))
    assert fit.linear == pytest.approx(1.5976, abs=5e-4) and fit.cubic == pytest.approx(0.070566, abs=2e-5)
    assert fit.cdf_error == pytest.approx(1.40e-4, rel=0.01) and fit.cdf_at == pytest.approx(2.69, abs=0.01)
    assert fit.cdf_error <= approximations.logistic_max_error(1.5976, 0.070566)[0] + 1e-9  # a minimum
    for da, db in ((1e-3, 0), (-1e-3, 0), (0, 1e-4), (0, -1e-4)):
        assert approximations.logistic_max_error(fit.linear + da, fit.cubic + db)[0] > fit.cdf_error
    # Page's form is the same curve with the linear coefficient fixed at 2 sqrt(2/pi): the same error
    a = 2 * math.sqrt(2 / math.pi)
    page = approximations.minimax_coefficient("cdf")
    assert approximations.logistic_max_error(a, a * page)[0] == pytest.approx(
        approximations.max_error(page, "cdf")[0], rel=1e-9)
    assert fit.cdf_error < approximations.max_error(page, "cdf")[0]
    table = approximations.coefficient_table()
    assert table.count("\n") == 7 and "| the paper's | 0.0447150 | 1.789e-04 |" in table
    assert "$a$ = 1.5976, $b$ = 0.07056" in table and "|x|" not in table  # a bar would split the cell
    with pytest.raises(ValueError, match="linear"):
        approximations.logistic_cdf(1.0, float("nan"), 0.07)


def test_pytorchs_tanh_gelu_returns_zero_where_the_exact_form_is_still_a_number():
    import torch

    z = approximations.pytorch_tanh_zero_below(torch.float32)
    assert -9.0 < z < -3.0
    for x in (z, z - 0.5, z - 2.0):  # 64 contiguous values: the vectorised path the function measures
        row = torch.full((64,), x, dtype=torch.float64)
        assert (torch.nn.functional.gelu(row.float(), approximate="tanh") == 0).all()
        assert (approximations._form(row, "tanh").abs() > torch.finfo(torch.float32).tiny).all()
    above = torch.full((64,), z + 0.5, dtype=torch.float32)
    assert (torch.nn.functional.gelu(above, approximate="tanh") != 0).all()
    with pytest.raises(TypeError, match="dtype"):
        approximations.pytorch_tanh_zero_below(torch.float64)
