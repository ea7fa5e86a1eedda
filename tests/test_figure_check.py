from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import io  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from ffn_lib import figure_check, plotting  # noqa: E402
from ffn_lib.diagrams import blocks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _closed():
    yield
    figure_check.install("off")
    plt.close("all")


def _clipped_title():
    fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
    ax.set_title("peak memory of one training step, above weights and input")
    return fig


def test_a_title_wider_than_its_figure_is_clipped_unless_saved_tight():
    found = figure_check.problems(_clipped_title())
    assert any("runs outside the canvas" in p and "peak memory" in p for p in found), found
    assert not any("outside" in p for p in figure_check.problems(_clipped_title(), bbox_inches="tight"))


def test_crowded_tick_labels_overlap_flat_and_rotated():
    labels = [f"implementation {i}" for i in range(12)]
    for rotation, width in ((0, 5), (30, 2.5)):  # 30 degrees: baselines ~8 px apart for ~14 px of text
        fig, ax = plt.subplots(figsize=(width, 3))
        ax.bar(range(12), range(12))
        ax.set_xticks(range(12), labels, rotation=rotation)
        found = figure_check.problems(fig, bbox_inches="tight")
        assert any("x-tick labels" in p and "overlap" in p for p in found), (rotation, found)
    fig, ax = plt.subplots(figsize=(8, 3))  # the same labels, vertical, on a wide axis: apart
    ax.bar(range(12), range(12))
    ax.set_xticks(range(12), labels, rotation=90)
    assert figure_check.problems(fig, bbox_inches="tight") == []


def test_small_legend_text_is_flagged_at_the_columns_width():
    fig, ax = plt.subplots(figsize=(11, 3.8))
    ax.plot([0, 1], label="eager")
    ax.legend(fontsize=7)
    found = figure_check.problems(fig, bbox_inches="tight")
    assert any("'eager'" in p and "px high" in p for p in found), found
    ax.legend(fontsize=10)
    assert figure_check.problems(fig, bbox_inches="tight") == []


def test_the_courses_helpers_and_diagrams_pass():
    figs = [plotting.bars(["ReLU", "SwiGLU"], [1.997, 1.944], errors=[0.005, 0.01]).figure,
            plotting.curves([0, 1, 2], {"a": [0, 1, 2], "b": [2, 1, 0]}, title="t").figure,
            blocks.ffn_in_layer(), blocks.gated_block(4096, 11008, 8192, "SiLU"), blocks.gelu_decision()]
    assert figure_check.all_problems(figs) == []


def test_installed_check_raises_or_warns_on_savefig_and_names_the_text():
    figure_check.install("error")
    with pytest.raises(figure_check.FigureCheckError, match="peak memory"):
        _clipped_title().savefig(io.BytesIO(), format="png")

def test_warn_mode_writes_the_log_not_the_page(monkeypatch, tmp_path, capsys):
    log = tmp_path / "figure-check.log"
    monkeypatch.setenv("FFN_LIB_FIGURE_LOG", str(log))
    figure_check.install("warn")
    _clipped_title().savefig(io.BytesIO(), format="png")
    assert "peak memory" in log.read_text()
    assert "peak memory" not in capsys.readouterr().err  # the cell's output stays clean
    figure_check.install("off")
    before = log.read_text()
    _clipped_title().savefig(io.BytesIO(), format="png")
    assert log.read_text() == before
    monkeypatch.delenv("FFN_LIB_FIGURE_LOG")
    figure_check.install("warn")  # outside the book build: stderr
    _clipped_title().savefig(io.BytesIO(), format="png")
    assert "peak memory" in capsys.readouterr().err


def test_the_latest_book_build_logged_no_figure_problem():
    """After `make book`: every figure every chapter drew passed (the log holds this build's problems only)."""
    log, started = ROOT / "_build" / "figure-check.log", ROOT / "_build" / ".book-inputs"
    if not started.exists():
        pytest.skip("the book has not been built here")
    if not log.exists() or log.stat().st_mtime < started.stat().st_mtime:
        return  # nothing logged by this build
    assert not log.read_text().strip(), log.read_text()[:4000]


def test_mode_from_the_environment():
    assert figure_check.mode_from_env({}) == "off"
    assert figure_check.mode_from_env({"FFN_LIB_BOOK": "1"}) == "warn"
    assert figure_check.mode_from_env({"FFN_LIB_BOOK": "1", "FFN_LIB_FIGURE_CHECK": "error"}) == "error"
    with pytest.raises(ValueError, match="FFN_LIB_FIGURE_CHECK"):
        figure_check.mode_from_env({"FFN_LIB_FIGURE_CHECK": "loud"})


def test_many_bars_keep_their_labels_apart():
    """Chapter 7's 21 gate-and-pass bars: slanted two-line labels overlapped; upright one-line ones do not."""
    from ffn_lib import plotting

    labels = [f"{g}\n{p}" for g in ("sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu", "swish")
              for p in ("forward", "backward", "both")]
    ax = plotting.bars(labels, [1.0 + 0.01 * i for i in range(len(labels))], title="many bars")
    assert figure_check.problems(ax.figure, bbox_inches="tight") == []
