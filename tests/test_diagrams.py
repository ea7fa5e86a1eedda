import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from ffn_lib import figure_check  # noqa: E402
from ffn_lib.activations import get_activation  # noqa: E402
from ffn_lib.diagrams import blocks  # noqa: E402


def _texts(fig):
    return " | ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.fixture(autouse=True)
def _closed():
    yield
    plt.close("all")


def test_every_diagram_has_alt_text_and_passes_the_figure_check():
    for name, alt in blocks.ALT.items():
        fig = getattr(blocks, name)()
        assert len(alt) > 80, name
        assert figure_check.problems(fig) == [], name
        assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0), "a white panel reads in the dark theme too"


def test_gated_block_prints_the_shapes_it_is_given():
    text = _texts(blocks.gated_block(4096, 11008, 8192, "SiLU"))
    for shape in ("8192 × 4096", "4096 × 11008", "11008 × 4096", "8192 × 11008"):
        assert shape in text
    assert "SiLU" in text
    assert "d_model × d_ff" in _texts(blocks.gated_block())


def test_ffn_in_layer_shows_both_sublayers_and_the_ffns_matrices():
    text = _texts(blocks.ffn_in_layer())
    for part in ("self-attention", "Norm", "FFN", "W1 + b1   (d_model × d_ff; b1: d_ff)",
                 "W2 + b2   (d_ff × d_model; b2: d_model)", "residual", "act(x W1 + b1) W2 + b2"):
        assert part in text, part
    assert "z" not in text.replace("tokens", "").replace("sized", ""), "the FFN's input is x, as in the formula"


def test_gelu_chart_groups_config_names_as_the_registry_does():
    groups = blocks.gelu_forms()
    for form, names in groups.items():
        for name in names:
            assert get_activation(name).name == form
    assert sorted(n for names in groups.values() for n in names) == sorted(blocks.CONFIG_NAMES)
    text = _texts(blocks.gelu_decision())
    for name in blocks.CONFIG_NAMES:
        assert f'"{name}"' in text
    assert set(groups) == {"gelu", "gelu_tanh", "gelu_sigmoid"}
    assert 'F.gelu(x, approximate="tanh")' in text


def test_every_diagram_cell_in_the_chapters_carries_its_alt_text():
    import json
    import re
    from pathlib import Path

    found = {}
    for path in sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("0*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            for name in re.findall(r"diagrams\.(\w+)\(", source):
                if name in blocks.ALT:
                    alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")
                    assert alt == blocks.ALT[name], (path.stem, name)
                    found[name] = path.stem
    assert set(found) == set(blocks.ALT), found  # every diagram is shown somewhere, with its alt text
