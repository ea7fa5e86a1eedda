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


def _chapter_citations(path):
    """(keys cited with {cite:p}/{cite:t} in a notebook's markdown, keys in its reference_list([...]) call)."""
    import json

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    cited = {k.strip() for group in re.findall(r"\{cite:[pt]\}`([^`]+)`", text) for k in group.split(",")}
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    listed = re.search(r"reference_list\(\[(.*?)\]\)", code, flags=re.S)
    return cited, set(re.findall(r'"([^"]+)"', listed.group(1))) if listed else set()


def test_chapter_8_cites_its_statistics_sources_and_lists_them():
    """Tukey 1953, Levene 1960, Brown & Forsythe 1974 and Pearson & Hartley's Table 29 are cited with {cite:p}, not
    in plain prose, and the chapter's reference list (from ffn_lib.SOURCES) names every source it cites."""
    path = ROOT / "notebooks" / "08_does_the_gate_pay.ipynb"
    cited, listed = _chapter_citations(path)
    assert {"tukey1953", "levene1960", "brown1974", "pearson1966biometrika"} <= cited
    assert cited <= listed and listed <= set(ffn_lib.SOURCES), (cited - listed, listed - set(ffn_lib.SOURCES))
    prose = path.read_text(encoding="utf-8")
    for plain in ("(Levene 1960)", "Forsythe's (1974)", "(Tukey 1953)"):
        assert plain not in prose, plain
    assert ffn_lib.SOURCES["brown1974"].year_label == "1974" and "364-367" in str(ffn_lib.SOURCES["brown1974"])
