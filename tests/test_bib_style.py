"""The book's citation style (book/_ext/bib_style.py): BibTeX's "and others" reads "et al." / 等人 in the text and
in the list, and the 简体中文 edition names a corporate "contributors" author in Chinese."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BIB = r"""
@misc{rouhani, author = {Rouhani, Bita Darvish and others}, title = {Microscaling}, year = {2023}}
@misc{palm, author = {Chowdhery, Aakanksha and Narang, Sharan and Devlin, Jacob and others}, title = {PaLM},
       year = {2022}}
@misc{gelu, author = {Hendrycks, Dan and Gimpel, Kevin}, title = {GELU}, year = {2016}}
@misc{swish, author = {Ramachandran, Prajit and Zoph, Barret and Le, Quoc V.}, title = {Swish}, year = {2017}}
@misc{vec, author = {{PyTorch contributors}}, title = {Vectorised maths}, year = {2025}}
@misc{gemma, author = {{Gemma Team} and Mesnard, Thomas and others}, title = {Gemma}, year = {2024}}
@book{olkin, editor = {Olkin, Ingram and others}, title = {Contributions}, year = {1960}, publisher = {SUP}}
"""


@pytest.fixture(scope="module")
def style():
    pytest.importorskip("pybtex")
    pytest.importorskip("sphinxcontrib.bibtex")
    spec = importlib.util.spec_from_file_location("bib_style", ROOT / "book" / "_ext" / "bib_style.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bib_style", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    module.setup(object())   # registers the plugins; the app is not used
    return module


@pytest.fixture(scope="module")
def entries(style):
    from pybtex.database import parse_string

    bib = parse_string(BIB, "bibtex")
    formatted = {e.key: e for e in style.AuthorYearStyle().format_entries(bib.entries.values())}
    return bib, formatted


def cite(style, entries, key, role, zh=False):
    from sphinxcontrib.bibtex.style.referencing import format_references
    from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

    bib, formatted = entries
    ref_style = style.RoundAuthorYearReferenceStyleZh() if zh else style.RoundAuthorYearReferenceStyle()
    info = SphinxReferenceInfo(None, "page", "references", key, None, "", "")
    return str(format_references(ref_style, role, [(bib.entries[key], formatted[key], info)]))


@pytest.mark.parametrize("key, role, en, zh", [
    ("rouhani", "p", "(Rouhani et al., 2023)", "（Rouhani 等人，2023）"),
    ("rouhani", "t", "Rouhani et al. (2023)", "Rouhani 等人（2023）"),
    ("rouhani", "ps", "(Rouhani et al., 2023)", "（Rouhani 等人，2023）"),
    ("palm", "p", "(Chowdhery et al., 2022)", "（Chowdhery 等人，2022）"),
    ("palm", "ts", "Chowdhery, Narang, Devlin et al. (2022)", "Chowdhery、Narang、Devlin 等人（2022）"),
    ("gemma", "p", "(Gemma Team et al., 2024)", "（Gemma Team 等人，2024）"),
    ("olkin", "t", "Olkin et al. (1960)", "Olkin 等人（1960）"),
    # the ones without "and others" are as they were
    ("gelu", "p", "(Hendrycks and Gimpel, 2016)", "（Hendrycks 和 Gimpel，2016）"),
    ("swish", "t", "Ramachandran et al. (2017)", "Ramachandran 等人（2017）"),
    ("swish", "ps", "(Ramachandran, Zoph, and Le, 2017)", "（Ramachandran、Zoph 和 Le，2017）"),
    ("vec", "p", "(PyTorch contributors, 2025)", "（PyTorch 贡献者，2025）"),
    ("vec", "t", "PyTorch contributors (2025)", "PyTorch 贡献者（2025）"),
])
def test_citations_in_both_editions(style, entries, key, role, en, zh):
    assert cite(style, entries, key, role) == en
    assert cite(style, entries, key, role, zh=True) == zh


def test_others_never_printed(style, entries):
    """Every role, both editions: no "others" left, whatever the number of named authors."""
    for key in ("rouhani", "palm", "gemma", "olkin"):
        for role in ("p", "t", "ps", "ts", "author", "authors"):
            for zh in (False, True):
                assert "others" not in cite(style, entries, key, role, zh), (key, role, zh)


def test_reference_list_writes_et_al(style, entries):
    _, formatted = entries
    text = {k: e.text.render_as("text") for k, e in formatted.items()}
    assert text["rouhani"].startswith("Bita Darvish Rouhani et al. Microscaling.")
    assert text["palm"].startswith("Aakanksha Chowdhery, Sharan Narang, Jacob Devlin et al. ")
    assert text["swish"].startswith("Prajit Ramachandran, Barret Zoph, and Quoc V. Le. Swish.")
    assert "others" not in " ".join(text.values())
    assert formatted["rouhani"].label == "Rouhani et al., 2023"


def test_corporate_renaming_is_word_by_word_and_zh_only(style):
    from pybtex.database import Person

    zh = style.RoundAuthorYearReferenceStyleZh().person
    assert str(zh.corporate_name(Person("{vLLM contributors}"))) == "vLLM 贡献者"
    assert zh.corporate_name(Person("{Qwen Team}")) is None          # a team's name stays its own
    assert zh.corporate_name(Person("Contributors, Ann")) is None    # a person, not an organisation
    assert style.RoundAuthorYearReferenceStyle().person.corporate_name(Person("{vLLM contributors}")) is None
