"""The helpers the chapters use: analysis, toy training runs, plotting, sources."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import math  # noqa: E402

import ffn_lib  # noqa: E402
from ffn_lib import FFN, GatedFFN, analysis, plotting, toy  # noqa: E402
from ffn_lib.activations import gelu, gelu_derivative  # noqa: E402
from ffn_lib.sources import reference_list  # noqa: E402


def test_dead_units_by_hand(device):
    block = FFN(2, 3, bias=True).to(device)
    with torch.no_grad():
        block.w1.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], device=device))
        block.w1.bias.copy_(torch.tensor([0.0, 0.0, -100.0], device=device))  # unit 2 never fires on these inputs
    x = torch.tensor([[1.0, -1.0], [-1.0, 1.0], [2.0, 2.0]], device=device)
    assert analysis.dead_unit_fraction(block, x) == pytest.approx(1 / 3)
    # zeros after ReLU: unit 0 at row 1, unit 1 at row 0, unit 2 everywhere -> 5 of 9
    assert analysis.zero_output_fraction(block, x) == pytest.approx(5 / 9)
    gated = GatedFFN(2, 3, "relu").to(device)
    assert analysis.pre_activations(gated, x).shape == (3, 3)


def test_relative_difference(device):
    a, b = torch.tensor([1.0, 2.0], device=device), torch.tensor([1.0, 4.0], device=device)
    assert analysis.relative_difference(a, b) == pytest.approx(0.5)
    assert analysis.relative_difference(torch.zeros(2, device=device), torch.zeros(2, device=device)) == 0
    with pytest.raises(ValueError, match="same shape"):
        analysis.relative_difference(a, torch.zeros(3, device=device))


# --- Numbers the chapters quote, computed ---------------------------------------------------------------


def test_gelu_derivative_zero_and_negative_slope_below_it():
    x0 = analysis.gelu_derivative_zero()
    assert x0 == pytest.approx(-0.75179, abs=1e-5)
    assert abs(gelu_derivative(x0)) < 1e-12
    below = np.linspace(-12.0, x0 - 1e-6, 10_001)
    assert np.all(gelu_derivative(below) < 0)  # GELU' < 0 all the way down: the gradient is reversed, not cut
    assert np.all(gelu_derivative(np.linspace(x0 + 1e-6, 5.0, 1001)) > 0)
    grid = np.linspace(-3, 0, 300_001)
    assert grid[np.argmin(gelu(grid))] == pytest.approx(x0, abs=2e-5)  # the zero is GELU's minimum


def test_expected_max_normal_exact_cases_and_monte_carlo():
    assert analysis.expected_max_normal(1) == pytest.approx(0.0, abs=1e-12)
    assert analysis.expected_max_normal(2) == pytest.approx(1 / math.sqrt(math.pi), rel=1e-9)  # closed form
    assert analysis.expected_max_normal(3) == pytest.approx(3 / (2 * math.sqrt(math.pi)), rel=1e-9)
    e4096 = analysis.expected_max_normal(4096)
    samples = np.random.default_rng(0).standard_normal((400, 4096)).max(axis=1)
    assert e4096 == pytest.approx(samples.mean(), abs=4 * samples.std() / math.sqrt(400))
    assert 3.5 < e4096 < 3.7
    assert analysis.expected_max_normal(64) < analysis.expected_max_normal(4096) < analysis.expected_max_normal(10**6)
    with pytest.raises(ValueError, match="n"):
        analysis.expected_max_normal(0)


def test_tanh_coefficient_errors_recomputed():
    errors = analysis.tanh_coefficient_errors()
    taylor, paper, minimax = errors["taylor"], errors["paper"], errors["minimax"]
    assert taylor.coefficient == pytest.approx(2 / (3 * math.pi) - 1 / 6, rel=1e-15)
    assert paper.coefficient == 0.044715
    assert taylor.max_error == pytest.approx(7.5e-4, rel=0.02)
    assert paper.max_error == pytest.approx(4.73e-4, rel=5e-3) and paper.at == pytest.approx(2.70, abs=0.02)
    assert minimax.coefficient == pytest.approx(0.04438, abs=2e-5)
    assert minimax.max_error == pytest.approx(3.9e-4, rel=0.02)
    assert minimax.max_error < paper.max_error < taylor.max_error
    # minimax: any nearby coefficient does worse
    for step in (-2e-5, 2e-5):
        assert analysis.tanh_gelu_max_error(minimax.coefficient + step)[0] > minimax.max_error


# --- What eager backward keeps -------------------------------------------------------------------------


def test_saved_tensors_swiglu_vs_relu(device):
    tokens, d_model, d_ff = 32, 8, 24
    x = torch.randn(tokens, d_model, device=device)
    relu = analysis.saved_activation_bytes(FFN(d_model, d_ff, "relu").to(device), x)
    swiglu = analysis.saved_activation_bytes(GatedFFN(d_model, d_ff, "silu").to(device), x)
    one = tokens * d_ff * 4  # one float32 (tokens x d_ff) tensor
    assert (relu.count, relu.nbytes) == (1, one)  # ReLU's output, shared with the second product
    assert (swiglu.count, swiglu.nbytes) == (4, 4 * one)  # g, silu(g), u, and the product
    with_x = analysis.saved_activation_bytes(GatedFFN(d_model, d_ff, "silu").to(device), x, include_input=True)
    assert with_x.count == 5 and with_x.nbytes == 4 * one + x.numel() * 4
    g = torch.randn(tokens, d_ff, device=device, requires_grad=True)
    assert analysis.saved_activation_bytes(lambda t: torch.nn.functional.silu(t) * t, g).count == 1
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        analysis.saved_activation_bytes(FFN(2, 2), [1.0, 2.0])


def test_fit_swish_beta_recovers_beta():
    history = toy.fit_swish_beta(true_beta=2.0, start_beta=1.0, steps=300, seed=1)
    assert history.values[-1] == pytest.approx(2.0, abs=0.05)
    assert history.losses[-1] < history.losses[0] / 100


def test_gated_blocks_learn_products_better_than_relu():
    x, y = toy.product_task(n=2048, d_model=4, seed=0)
    assert torch.allclose(y, x * torch.roll(x, -1, dims=-1))
    torch.manual_seed(0)
    relu_loss = toy.train_block(FFN(4, 24), x, y, steps=200).losses[-1]
    torch.manual_seed(0)
    bilinear_loss = toy.train_block(GatedFFN(4, 16, "identity"), x, y, steps=200).losses[-1]
    assert bilinear_loss < relu_loss / 10


def test_compare_variants_is_reproducible_and_learns():
    kwargs = dict(variants=("ReLU", "Bilinear"), seeds=(0, 1), steps=120)
    first = toy.compare_variants("product", **kwargs)
    assert first == toy.compare_variants("product", **kwargs)  # same seeds, same numbers
    assert set(first.scores) == {"ReLU", "Bilinear"}
    relu, bilinear = first.scores["ReLU"], first.scores["Bilinear"]
    assert (relu.d_ff, bilinear.d_ff) == (32, 21) and relu.params == 512 and bilinear.params == 504
    assert len(relu.losses) == 2 and relu.std > 0
    assert first.baseline == pytest.approx(1.0, rel=0.1)  # Var(x_i x_j) = 1 for independent N(0, 1)
    for score in first.scores.values():
        assert score.mean < 0.5 * first.baseline  # learns: well below predicting the mean
    assert bilinear.mean < relu.mean / 10  # one identity-gated unit is exactly a product
    control = toy.compare_variants("abs", **kwargs)
    assert control.scores["ReLU"].mean < control.scores["Bilinear"].mean  # no product: the gate does not help
    assert "| ReLU | 32 | 512 |" in first.table()


def test_regression_targets_by_hand():
    x, y = toy.regression_task("product", 64, 5, seed=3)
    torch.testing.assert_close(y[:, 4], x[:, 4] * x[:, 0])
    x, y = toy.regression_task("abs", 64, 5, seed=3)
    torch.testing.assert_close(y, x.abs())


def test_toy_argument_errors():
    with pytest.raises(ValueError, match="target"):
        toy.compare_variants("xor")
    with pytest.raises(ValueError, match="SwiGLU"):
        toy.compare_variants(variants=("swiglu2",))
    with pytest.raises(ValueError, match="budget"):
        toy.compare_variants(budget=10)
    with pytest.raises(ValueError, match="steps"):
        toy.fit_swish_beta(steps=0)
    with pytest.raises(ValueError, match="lr"):
        toy.train_block(FFN(2, 2), torch.zeros(4, 2), torch.zeros(4, 2), lr=-1.0)


def test_plots_have_labelled_axes_and_legends():
    x = np.linspace(-1, 1, 5)
    ax = plotting.curves(x, {"a": x, "b": 2 * x}, title="t", xlabel="x", ylabel="y")
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y" and ax.get_legend() is not None
    assert len(ax.get_lines()) >= 2
    ax = plotting.bars(["one", "two"], [1.0, 2.0], errors=[0.1, 0.1], ylabel="v", title="b")
    assert len(ax.patches) == 2 and ax.get_ylabel() == "v"
    ax = plotting.roofline({"op": (0.5, 1e9)}, bandwidth=1e10, peak_flop_rate=1e11)
    assert ax.get_xscale() == "log" and "FLOP / byte" in ax.get_xlabel()
    plt.close("all")


def test_reference_list_uses_the_registry():
    text = str(reference_list(["shazeer2020glu", "touvron2023llama"]))
    assert "arXiv:2002.05202" in text and "arXiv:2302.13971" in text
    assert str(ffn_lib.cite("nair2010relu")).endswith("ICML 2010")


def test_textbook_gelu_is_gelu_until_it_cancels():
    x = torch.linspace(-5.0, 5.0, 101, dtype=torch.float64)
    torch.testing.assert_close(analysis.textbook_gelu(x), ffn_lib.gelu(x), rtol=1e-12, atol=1e-15)
    assert analysis.textbook_gelu(torch.tensor([-10.0], dtype=torch.float64)).item() == 0
    assert ffn_lib.gelu(torch.tensor([-10.0], dtype=torch.float64)).item() < 0  # the library keeps the tail
    with pytest.raises(TypeError, match="x must be a float32 or float64 tensor"):
        analysis.textbook_gelu(torch.zeros(2, dtype=torch.bfloat16))


def test_where_the_textbook_gelu_cancels_to_zero():
    z32 = analysis.textbook_gelu_zero_below(torch.float32)
    z64 = analysis.textbook_gelu_zero_below(torch.float64)
    assert -6.0 < z32 < -5.0 and -9.0 < z64 < -8.0  # erf(x / sqrt 2) rounds to -1 sooner in float32
    for z, dtype in ((z32, torch.float32), (z64, torch.float64)):
        below = torch.tensor([z, z - 0.5], dtype=dtype)
        assert (analysis.textbook_gelu(below) == 0).all()
        assert analysis.textbook_gelu(torch.tensor([z + 0.01], dtype=dtype)).item() != 0
    with pytest.raises(ValueError, match="step"):
        analysis.textbook_gelu_zero_below(torch.float32, step=0.0)
    with pytest.raises(TypeError, match="dtype"):
        analysis.textbook_gelu_zero_below(torch.float16)


def test_predicted_dead_fraction_closed_form_and_monte_carlo():
    # one centred unit of unit spread: Phi(3.5)^4096 = e^(-0.95), about 0.386
    phi = 0.5 * math.erfc(-3.5 / math.sqrt(2))
    assert analysis.predicted_dead_fraction(3.5, 4096, [0.0], [1.0]) == pytest.approx(phi ** 4096, rel=1e-9)
    # a unit with mean b and spread s at shift t is the centred unit at (t - b) / s
    assert analysis.predicted_dead_fraction(2.0, 16, [0.5], [3.0]) == pytest.approx(
        (0.5 * math.erfc(-0.5 / math.sqrt(2))) ** 16, rel=1e-9)
    curve = analysis.predicted_dead_fraction(np.array([0.0, 1.0, 5.0]), 1, [0.0], [1.0])
    assert curve == pytest.approx([0.5, 0.5 * math.erfc(-1 / math.sqrt(2)), 1.0], abs=1e-6)
    # against a block on real draws: the measured dead share after a shift sits on the prediction
    torch.manual_seed(0)
    block, x = FFN(64, 2000), torch.randn(1024, 64)
    means, stds = analysis.unit_statistics(block)
    assert stds == pytest.approx(block.w1.weight.detach().double().norm(dim=1).numpy(), rel=1e-6)
    top = analysis.pre_activations(block, x).max(dim=0).values.double().numpy()
    for shift in (0.5, 0.8, 1.1):
        assert np.mean(top <= shift) == pytest.approx(analysis.predicted_dead_fraction(shift, 1024, means, stds),
                                                      abs=0.03)
    with pytest.raises(ValueError, match="stds"):
        analysis.predicted_dead_fraction(1.0, 4, [0.0], [0.0])
    with pytest.raises(ValueError, match="n"):
        analysis.predicted_dead_fraction(1.0, 0, [0.0], [1.0])


def test_break_jumps_cuts_a_step_function_at_its_jump():
    z = np.linspace(-2, 2, 400)  # no sample at 0
    y = plotting.break_jumps(ffn_lib.relu_derivative(z))
    assert np.isnan(y).sum() == 1 and np.isnan(y[200]) and y[199] == 0 and y[201] == 1
    smooth = plotting.break_jumps(np.sin(z))
    assert not np.isnan(smooth).any()
    with pytest.raises(ValueError, match="jump"):
        plotting.break_jumps(z, jump=0)


def test_gelu_at_infinity_asks_every_path_and_counts_what_it_saw():
    probe = analysis.gelu_at_infinity(["cpu"])
    assert probe.layouts == ("one element", "64 in a row", "every other of 128")
    assert len(probe.rows) == 8 and probe.cases == 24  # 2 forms x 4 dtypes x 3 layouts
    seen_nan = sum(v != v for *_, values in probe.rows for v in values)
    assert seen_nan == len(probe.nan_at_plus_inf)
    assert all(v == math.inf or v != v for *_, values in probe.rows for v in values)
    minus = sum(torch.nn.functional.gelu(torch.tensor([-math.inf], dtype=d), approximate=a).item() != 
                torch.nn.functional.gelu(torch.tensor([-math.inf], dtype=d), approximate=a).item()
                for a in ("none", "tanh") for d in (torch.float32, torch.float64, torch.bfloat16, torch.float16))
    assert probe.nan_at_minus_inf >= minus  # the one-element path alone already gives these
    table = probe.markdown()
    assert "| cpu | erf | float64 |" in table and f"NaN in {probe.nan_at_minus_inf} of 24 cases" in table
    alike = analysis.GeluAtInfinity(probe.rows[:1], probe.layouts, 3, ())  # every path NaN at -inf, inf at +inf
    assert not alike.differs and analysis.GeluAtInfinity(probe.rows[:1], probe.layouts, 0, ()).differs is False
    assert analysis.GeluAtInfinity(probe.rows[:1], probe.layouts, 2, ()).differs  # one path answers otherwise
    assert analysis.GeluAtInfinity(probe.rows[:1], probe.layouts, 3, ("cpu, erf, float32, one element",)).differs
    with pytest.raises(ValueError, match="devices"):
        analysis.gelu_at_infinity("cpu")
