"""The helpers the chapters use: analysis, toy training runs, plotting, sources."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import ffn_lib  # noqa: E402
from ffn_lib import FFN, GatedFFN, analysis, plotting, toy  # noqa: E402
from ffn_lib.sources import reference_list  # noqa: E402


def test_dead_units_by_hand():
    block = FFN(2, 3, bias=True)
    with torch.no_grad():
        block.w1.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        block.w1.bias.copy_(torch.tensor([0.0, 0.0, -100.0]))  # unit 2 can never fire on these inputs
    x = torch.tensor([[1.0, -1.0], [-1.0, 1.0], [2.0, 2.0]])
    assert analysis.dead_unit_fraction(block, x) == pytest.approx(1 / 3)
    # zeros after ReLU: unit 0 at row 1, unit 1 at row 0, unit 2 everywhere -> 5 of 9
    assert analysis.zero_output_fraction(block, x) == pytest.approx(5 / 9)
    gated = GatedFFN(2, 3, "relu")
    assert analysis.pre_activations(gated, x).shape == (3, 3)


def test_relative_difference():
    a, b = torch.tensor([1.0, 2.0]), torch.tensor([1.0, 4.0])
    assert analysis.relative_difference(a, b) == pytest.approx(0.5)
    assert analysis.relative_difference(torch.zeros(2), torch.zeros(2)) == 0
    with pytest.raises(ValueError, match="same shape"):
        analysis.relative_difference(a, torch.zeros(3))


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


def test_toy_argument_errors():
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
