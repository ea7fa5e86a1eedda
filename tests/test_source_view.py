import pytest

from ffn_lib import GatedFFN, show_source


def test_show_source_renders_the_method_as_a_python_block():
    src = show_source(GatedFFN.forward)
    md = src._repr_markdown_()
    assert md.startswith("```python\ndef forward(")
    assert md.endswith("```")
    assert "def forward(" in str(src)


def test_show_source_can_keep_a_line_range():
    full = str(show_source(GatedFFN.forward)).splitlines()
    part = str(show_source(GatedFFN.forward, lines=(1, 2))).splitlines()
    assert part == full[:2]


@pytest.mark.parametrize("bad", [(0, 2), (3, 1), (1,), "1-2"])
def test_show_source_rejects_a_bad_line_range(bad):
    with pytest.raises(ValueError, match="lines"):
        show_source(GatedFFN.forward, lines=bad)


def test_show_source_names_what_it_cannot_show():
    with pytest.raises(TypeError, match="obj"):
        show_source(42)
