import matplotlib.pyplot as plt

from ffn_lib import plotting


def test_bar_labels_keep_quoted_precision_and_sit_above_the_error_bars():
    ax = plotting.bars(["ReLU", "SwiGLU"], [1.997, 1.944], errors=[0.005, 0.010])
    texts = {t.get_text(): t.xy for t in ax.texts}
    assert set(texts) == {"1.997", "1.944"}  # not "2" and "1.94"
    assert texts["1.997"][1] >= 1.997 + 0.005 and texts["1.944"][1] >= 1.944 + 0.010
    plt.close("all")


def test_bar_labels_without_errors_sit_on_the_bar():
    ax = plotting.bars(["a", "b"], [1.0, 2.5])
    assert sorted(t.xy[1] for t in ax.texts) == [1.0, 2.5]
    plt.close("all")
