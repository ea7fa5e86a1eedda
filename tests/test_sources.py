"""The library's citations agree with the book's reference list, "a"/"b" suffixes included."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

import ffn_lib
from ffn_lib.sources import reference_list

ROOT = Path(__file__).resolve().parent.parent


def _book_labels() -> dict[str, str]:
    """Each bib key's label as the book's own pybtex style writes it ("Touvron et al., 2023a")."""
    pybtex = pytest.importorskip("pybtex.database")
    pytest.importorskip("sphinxcontrib.bibtex")
    spec = importlib.util.spec_from_file_location("bib_style", ROOT / "book" / "_ext" / "bib_style.py")
    style = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bib_style", style)  # dataclasses look their module up there
    spec.loader.exec_module(style)
    bib = pybtex.parse_file(str(ROOT / "book" / "references.bib"))
    entries = style.PlainAuthorYearTitleSorting().sort(list(bib.entries.values()))
    return {e.key: label for e, label in zip(entries, style.AuthorYearLabelStyle().format_labels(entries))}


def test_year_labels_match_the_books_reference_list():
    labels = _book_labels()
    suffixed = {k for k, label in labels.items() if re.search(r"\d{4}[a-z]$", label)}
    assert suffixed, "expected at least one pair of same-author, same-year sources"
    for key, source in ffn_lib.SOURCES.items():
        assert labels[key].rpartition(", ")[2] == source.year_label, key


def test_reference_list_tells_the_two_touvron_papers_apart():
    text = str(reference_list(["touvron2023llama", "touvron2023llama2"]))
    assert "Touvron et al. (2023a)" in text and "Touvron et al. (2023b)" in text


def test_no_key_is_defined_twice():
    """A repeated key makes the book warn ("repeated bibliography entry") and the dict keep the last one."""
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M)
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
    source = (ROOT / "ffn_lib" / "sources.py").read_text()
    keys = re.findall(r'Source\("([^"]+)"', source)
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
