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
