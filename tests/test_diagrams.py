import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from ffn_lib import figure_check, i18n  # noqa: E402
from ffn_lib.activations import get_activation  # noqa: E402
from ffn_lib.blocks import split_gate_up  # noqa: E402
from ffn_lib.diagrams import blocks  # noqa: E402


def _texts(fig):
    return " | ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.fixture(autouse=True)
def _closed():
    yield
    plt.close("all")
    i18n.set_language(None)


def test_every_diagram_has_alt_text_and_passes_the_figure_check():
    for name, alt in blocks.ALT.items():
        fig = getattr(blocks, name)()
        assert len(alt) > 80, name
        assert figure_check.problems(fig) == [], name
        assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0), "a white panel reads in the dark theme too"


def test_gated_block_prints_the_shapes_it_is_given():
    text = _texts(blocks.gated_block(4096, 11008, 8192, "SiLU"))
    for shape in ("8192 \\times 4096", "4096 \\times 11008", "11008 \\times 4096", "8192 \\times 11008"):
        assert f"${shape}$" in text, shape
    assert "SiLU" in text
    assert "$d_\\mathrm{model} \\times d_\\mathrm{ff}$" in _texts(blocks.gated_block())


def test_gated_block_uses_the_books_notation_g_is_xW_before_the_activation():
    """Notation page, chapters 4-7: g = xW and u = xV are the projections, h = act(g) ⊗ u. Labelling the gate
    g = act(xW) and h = g ⊗ u would make h the Bilinear block's product."""
    text = _texts(blocks.gated_block())
    assert "$g = x W$" in text and "$u = x V$" in text
    assert "$\\mathrm{act}(g)$" in text and "$h = \\mathrm{act}(g) \\otimes u$" in text
    assert "g = \\mathrm{act}" not in text and "h = g" not in text
    assert "g = xW" in blocks.ALT["gated_block"] and "act(g) ⊗ u" in blocks.ALT["gated_block"]


def test_halves_chart_reads_each_layout_off_the_librarys_split():
    for layout, _, _ in blocks.HALVES_ROWS:
        roles = blocks.halves_roles(layout, 4)
        gate, value = split_gate_up(torch.arange(8), layout)
        assert [k for k, r in enumerate(roles) if r == "gate"] == gate.tolist(), layout
        assert [k for k, r in enumerate(roles) if r == "value"] == value.tolist(), layout
    assert blocks.halves_roles("glu", 2) == ["value", "value", "gate", "gate"]        # F.glu: second half gated
    assert blocks.halves_roles("gate_first", 2) == ["gate", "gate", "value", "value"]  # Phi-3, vLLM
    assert blocks.halves_roles("interleaved", 2) == ["gate", "value", "gate", "value"]  # gpt-oss


def test_halves_chart_agrees_with_F_glu_and_marks_act_on_every_gate_column():
    a = torch.randn(3, 8)
    roles = blocks.halves_roles("glu", 4)
    gate = a[:, [k for k, r in enumerate(roles) if r == "gate"]]
    value = a[:, [k for k, r in enumerate(roles) if r == "value"]]
    torch.testing.assert_close(value * torch.sigmoid(gate), F.glu(a, dim=-1))
    fig = blocks.halves_order(4)
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    gates = sum(r == "gate" for layout, _, _ in blocks.HALVES_ROWS for r in blocks.halves_roles(layout, 4))
    assert texts.count("act") == gates == texts.count("g") == 12
    text = _texts(fig)
    for name in ("F.glu(a)", "gate_up_proj (Phi-3, vLLM)", "gpt-oss, interleaved", "a[..., 1::2]"):
        assert name in text, name
    for word in ("F.glu", "gate_up_proj", "gpt-oss", "even columns"):
        assert word in blocks.ALT["halves_order"], word
    with pytest.raises(ValueError, match="d_ff"):
        blocks.halves_order(0)


def test_diagram_labels_are_in_the_readers_language():
    i18n.set_language("zh")
    text = _texts(blocks.halves_order()) + _texts(blocks.gated_block()) + _texts(blocks.gelu_decision())
    assert "value u = x V" not in text and "gate  g = x W" not in text, "labels are catalogue messages"
    assert "u = x V" in text and "g = x W" in text  # the maths stays as it is
    i18n.set_language("en")
    assert "value u = x V" in _texts(blocks.halves_order())


def test_ffn_in_layer_shows_both_sublayers_and_the_ffns_matrices():
    text = _texts(blocks.ffn_in_layer())
    for part in ("self-attention", "Norm", "FFN", "$W_1$, $b_1$:   $d_\\mathrm{model} \\times d_\\mathrm{ff}$",
                 "$W_2$, $b_2$:   $d_\\mathrm{ff} \\times d_\\mathrm{model}$", "residual",
                 "$\\mathrm{act}(x W_1 + b_1)\\, W_2 + b_2$", "position-wise", "attention: between positions",
                 "$t_4$", "$y_4$"):
        assert part in text, part
    assert "W1" not in text and "d_model" not in text, "symbols are typeset as the prose typesets them"
    assert text.count("FFN") >= 5  # the layer's FFN box and one per token column
    assert "z" not in text.replace("tokens", "").replace("sized", ""), "the FFN's input is x, as in the formula"


def test_gated_block_typesets_its_symbols_as_chapter_1s_diagram_does():
    """Matrices, shapes and formulas are mathtext ($W_2$, $d_\\mathrm{ff}$), as in ffn_in_layer and the prose."""
    for fig in (blocks.gated_block(), blocks.gated_block(4096, 11008, 8192, "SiLU")):
        text = _texts(fig)
        for part in ("$x$", "$\\cdot\\, W$", "$\\cdot\\, V$", "$\\cdot\\, W_2$", "$\\otimes$",
                     "$(\\mathrm{act}(xW) \\otimes xV)\\, W_2$", "$d_\\mathrm{ff} = \\frac{2}{3}"):
            assert part in text, part
        assert "W2" not in text and "d_model" not in text and "d_ff" not in text, "symbols are typeset"
        assert "⊗" not in text and "⅔" not in text, "no symbol as plain text"
    text = _texts(blocks.gated_block())
    assert "tokens × $d_\\mathrm{model}$" in text, "a word stays text beside the typeset symbol, as in chapter 1"
    i18n.set_language("zh")
    assert "词元数 × $d_\\mathrm{ff}$" in _texts(blocks.gated_block()), "the word is translated, the maths is not"


def test_shapes_are_written_by_one_helper_for_every_diagram():
    assert blocks._shape("d_model", "d_ff") == "$d_\\mathrm{model} \\times d_\\mathrm{ff}$"
    assert blocks._shape(8192, "4096") == "$8192 \\times 4096$"
    assert blocks._shape("tokens", "d_ff") == "tokens × $d_\\mathrm{ff}$"
    assert blocks._shape("d_ff") == "$d_\\mathrm{ff}$"
    assert blocks._shape("batch", "tokens") == "batch × tokens"
    with pytest.raises(ValueError, match="value"):
        blocks._shape(True, "d_ff")
    # chapter 1's rows are built with it: the same strings its test reads
    assert f"$W_1$, $b_1$:   {blocks._shape('d_model', 'd_ff')}, {blocks._shape('d_ff')}" in _texts(
        blocks.ffn_in_layer())


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
