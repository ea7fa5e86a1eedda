"""Figures' alt texts in the 简体中文 edition.

A notebook figure's alt text is its cell's ``mystnb.image.alt`` metadata, which Sphinx's gettext never sees; it is
a message of ffn_lib's catalogue instead (``scripts/i18n.py library``), and the zh edition swaps in its translation
when a page is read (``book/_ext/edition.py``, ``translate_alt_texts``). Checked here: the catalogue has every alt
text, translated, in Chinese, with the English's numbers; the swap, on a small doctree and in a one-page Sphinx
build through myst-nb; and, once `make book` has run, the <img> alt attributes of the built zh chapters.
"""
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from docutils import nodes  # noqa: E402

from bookutil import HTML, NOTEBOOKS, ROOT, require_book  # noqa: E402
from ffn_lib import i18n  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
pytest.importorskip("babel")
import edition  # noqa: E402  (book/_ext/edition.py)
import i18n as i18n_script  # noqa: E402  (scripts/i18n.py)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# a number as the English writes it: "4,096", "0.95", "2" (in "-2", "2z", "W2"); the translation keeps each one
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def notebook_alts() -> list[tuple[str, str]]:
    """(alt text, "notebooks/x.ipynb:<cell id>") for every figure cell, read straight from the notebooks."""
    out = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")
            if alt:
                out.append((alt, f"notebooks/{path.name}:{cell['id']}"))
    return out


def catalogue() -> dict:
    return i18n.parse_po(i18n.CATALOGUE["zh"].read_text(encoding="utf-8"))


def alt_problems(alts, entries) -> list[str]:
    """What is wrong with the catalogue's translations of ``alts`` ((text, where) pairs): missing, empty, fuzzy,
    not Chinese, or without one of the English's numbers."""
    problems = []
    for alt, where in alts:
        entry = entries.get((None, alt))
        text = entry["msgstr"][0] if entry and entry["msgstr"] else ""
        if entry is None:
            problems.append(f"{where}: not in ffn_lib.po (run `python scripts/i18n.py library`)")
        elif not text:
            problems.append(f"{where}: no translation")
        elif entry["fuzzy"]:
            problems.append(f"{where}: fuzzy (check the translation, then remove the flag)")
        elif not CJK.search(text):
            problems.append(f"{where}: the translation is not Chinese: {text[:40]!r}")
        elif numbers(alt) - numbers(text):
            problems.append(f"{where}: the translation lacks {sorted(numbers(alt) - numbers(text))}")
    return problems


# --- (a) the catalogue ------------------------------------------------------------------------------------------

def test_every_figure_alt_text_is_extracted_with_its_cell():
    alts = notebook_alts()
    assert len(alts) >= 50, "the chapters' figure cells carry alt texts"
    extracted = [(text, where) for text, _, where in i18n_script.library_messages()
                 if re.fullmatch(r"notebooks/[^#:]+\.ipynb:[^:]+", where)]   # not "x.ipynb#cell3:12", code
    assert sorted(extracted) == sorted(alts)


def test_every_alt_text_is_translated_into_chinese_with_its_numbers():
    problems = alt_problems(notebook_alts(), catalogue())
    assert not problems, f"{len(problems)} alt texts: {problems[:4]}"


def test_the_alt_text_check_catches_each_fault():
    alts = [("Bars of 4,096 bytes: ReLU 1, GELU 2.00 from -2 to 2.", "nb.ipynb:a1")]

    def entry(text, fuzzy=False):
        return {(None, alts[0][0]): {"msgstr": [text], "plural": None, "fuzzy": fuzzy}}

    good = "柱状图，4,096 字节：ReLU 1，GELU 2.00，从 −2 到 2。"
    assert alt_problems(alts, entry(good)) == []
    assert "not in ffn_lib.po" in alt_problems(alts, {})[0]
    assert "no translation" in alt_problems(alts, entry(""))[0]
    assert "fuzzy" in alt_problems(alts, entry(good, fuzzy=True))[0]
    assert "not Chinese" in alt_problems(alts, entry(alts[0][0]))[0]
    assert "['4,096']" in alt_problems(alts, entry(good.replace("4,096", "4096")))[0]
    assert "['2.00']" in alt_problems(alts, entry(good.replace("2.00", "2")))[0]
    assert numbers("z from -2 to 2, W1 and 0.95 of 65,536") == {"2", "1", "0.95", "65,536"}


def test_the_catalogue_names_a_cell_by_its_id_even_an_all_digit_one(monkeypatch):
    cells = [{"id": "84980831", "metadata": {"mystnb": {"image": {"alt": "Bars of bytes"}}}},
             {"id": "c1", "metadata": {"mystnb": {"image": {"alt": "  "}}}},   # empty: not a message
             {"id": "c2", "metadata": {"tags": ["hide-input"]}}]
    found = i18n_script.cell_metadata_texts(cells, "notebooks/x.ipynb")
    assert found == [("Bars of bytes", None, "notebooks/x.ipynb:84980831")]
    monkeypatch.setattr(i18n_script, "library_messages",
                        lambda: [*found, ("a label", None, "ffn_lib/a.py:12")])
    locations = {m.id: m.locations for m in i18n_script.template() if m.id}
    assert locations == {"Bars of bytes": [("notebooks/x.ipynb:84980831", None)],   # the cell, whole
                         "a label": [("ffn_lib/a.py", 12)]}   # a file and its line (not written: include_lineno)
    with pytest.raises(ValueError, match="has no id"):
        i18n_script.cell_metadata_texts([{"metadata": {"mystnb": {"image": {"alt": "A figure"}}}}], "x.ipynb")


def _strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, path)


def test_no_cell_metadata_text_escapes_the_catalogue():
    """A text in a cell's mystnb metadata other than the alt text (a ``figure.caption``) would reach the zh reader
    in English: extract it (scripts/i18n.py MYSTNB_TEXTS) and translate it in the build (edition.py) first."""
    other = [f"{path.name}:{cell.get('id')}: mystnb.{'.'.join(keys)}" for path in NOTEBOOKS
             for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
             for keys, text in _strings(cell["metadata"].get("mystnb", {}))
             if tuple(keys) not in i18n_script.MYSTNB_TEXTS and re.search(r"[A-Za-z]{3,} [A-Za-z]", text)]
    assert not other, other


# Alt texts a figure also writes itself (its .alt, formatted from a template in the catalogue): the metadata keeps
# the English; its translation must read as the figure's own Chinese alt does.
FIGURE_ALTS = {
    "07_writing_the_kernel:c7-03b": ("program_anatomy", dict(n=10, block=4)),
    "07_writing_the_kernel:c7-07": ("flat_grid", dict(n=1000, block=256)),
    "07_writing_the_kernel:c7-22": ("row_grid", dict(rows=3, d=100, block=64)),
    "07_writing_the_kernel:c7-31": ("data_flow", {}),
    "07_writing_the_kernel:c7-31c": ("data_flow_backward", {}),
    "06_swiglu:c6-21b": ("recorded_roofline", "run"),
    "07_writing_the_kernel:c7-37": ("speedup_figure", "run"),
}


def _figure(name, args):
    from ffn_lib import predict, recorded_lessons
    from ffn_lib.bench import latest_run
    from ffn_lib.diagrams import kernel

    if args != "run":
        return getattr(kernel, name)(**args)
    run = latest_run()
    if run is None:
        pytest.skip("no recorded GPU run")
    if name == "speedup_figure":
        return recorded_lessons.speedup_figure(predict.speedups(run), run["provenance"]["device"]["name"])
    return kernel.recorded_roofline(run)


@pytest.mark.parametrize("cell", FIGURE_ALTS)
def test_a_figures_own_alt_text_and_its_translation_agree(cell):
    nb, _, cid = cell.partition(":")
    alt = dict((w.rpartition(":")[2], a) for a, w in notebook_alts() if f"/{nb}.ipynb:" in w)[cid]
    name, args = FIGURE_ALTS[cell]
    fig = _figure(name, args)
    assert fig.alt == alt   # the notebook's metadata is the figure's English alt
    i18n.set_language("zh")
    zh = _figure(name, args).alt
    plt.close("all")
    assert CJK.search(zh) and catalogue()[(None, alt)]["msgstr"][0] == zh


# --- (b) the swap, on a doctree ---------------------------------------------------------------------------------

def _tree(*alts):
    tree = nodes.section()
    for alt in alts:
        tree += nodes.image(uri="x.png", **({} if alt is None else {"alt": alt}))
    return tree


def test_translate_alt_texts_swaps_in_each_translation_and_reports_the_missing():
    tree = _tree("Two panels.", "Not in the catalogue.", None, "已经是中文。", "")
    done, missing = edition.translate_alt_texts(tree, {"Two panels.": "两个面板。"}.get)
    images = list(tree.findall(nodes.image))
    assert [i.get("alt") for i in images] == ["两个面板。", "Not in the catalogue.", None, "已经是中文。", ""]
    assert done == images[:1] and missing == images[1:2]
    with pytest.raises(TypeError, match="translate_alt_texts: translate must be callable"):
        edition.translate_alt_texts(tree, {})
    with pytest.raises(TypeError, match="translate_alt_texts: doctree must be"):
        edition.translate_alt_texts("<img>", dict.get)


def test_the_real_catalogue_gives_a_chapters_alt_text_in_chinese():
    alt, _ = notebook_alts()[0]
    assert i18n.translation(alt, "zh") == catalogue()[(None, alt)]["msgstr"][0]
    assert i18n.translation(alt, "en") == alt
    assert i18n.translation("no such message, anywhere", "zh") is None
    with pytest.raises(ValueError, match="translation: lang must be one of 'en', 'zh' or None, got 'fr'"):
        i18n.translation(alt, "fr")
    tree = _tree(alt)
    edition.translate_alt_texts(tree, lambda t: i18n.translation(t, "zh"))
    assert next(tree.findall(nodes.image))["alt"] == catalogue()[(None, alt)]["msgstr"][0]


def _app(language):
    noted = []
    return SimpleNamespace(config=SimpleNamespace(language=language),
                           env=SimpleNamespace(docname="notebooks/x", note_dependency=noted.append)), noted


def test_the_zh_edition_swaps_alt_texts_and_warns_of_a_missing_one_and_english_keeps_them(caplog):
    alt, _ = notebook_alts()[0]
    app, noted = _app("zh_CN")
    tree = _tree(alt, "An alt text nobody translated.")
    edition._zh_alt_texts(app, tree)
    first, second = tree.findall(nodes.image)
    assert CJK.search(first["alt"]) and second["alt"] == "An alt text nobody translated."
    assert noted == [str(i18n.CATALOGUE["zh"])]
    assert any("no 简体中文 translation" in r.getMessage() and "nobody translated" in r.getMessage()
               for r in caplog.records)
    app, noted = _app("en")
    tree = _tree(alt)
    edition._zh_alt_texts(app, tree)
    assert next(tree.findall(nodes.image))["alt"] == alt and noted == []


# --- the swap in a one-page Sphinx build, through myst-nb's own image nodes ---------------------------------------

PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

CONF = """
import sys
sys.path.insert(0, {ext!r})
import edition
edition.subset_font = lambda outdir: None
extensions = ["myst_nb", "edition"]
nb_execution_mode = "off"
project, copyright = "p", "2026"
language = {language!r}
"""


def _notebook(alts):
    cells = [{"cell_type": "markdown", "id": "m0", "metadata": {}, "source": ["# Page\n"]}]
    for i, alt in enumerate(alts):
        cells.append({"cell_type": "code", "id": f"c{i}", "execution_count": 1, "source": ["fig\n"],
                      "metadata": {"mystnb": {"image": {"alt": alt}}},
                      "outputs": [{"output_type": "display_data", "metadata": {},
                                   "data": {"image/png": PNG, "text/plain": ["<Figure>"]}}]})
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                        "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


def img_alts(html: str) -> list[str]:
    parser = _Images()
    parser.feed(html)
    return parser.alts


def _build(tmp_path, language, alts):
    pytest.importorskip("myst_nb")
    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "index.ipynb").write_text(json.dumps(_notebook(alts)), encoding="utf-8")
    (src / "conf.py").write_text(CONF.format(ext=str(ROOT / "book" / "_ext"), language=language), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-E", "-b", "html", str(src),
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return img_alts((tmp_path / "out" / "index.html").read_text(encoding="utf-8")), done.stderr


def test_a_built_zh_page_carries_the_translated_alt_text_and_warns_of_a_missing_one(tmp_path):
    alt, _ = notebook_alts()[0]
    zh_alts, log = _build(tmp_path / "zh", "zh_CN", [alt, "An alt text nobody translated."])
    assert zh_alts == [catalogue()[(None, alt)]["msgstr"][0], "An alt text nobody translated."]
    assert "no 简体中文 translation of this figure's alt text" in log and "nobody translated" in log
    en_alts, log = _build(tmp_path / "en", "en", [alt])
    assert en_alts == [alt] and "alt text" not in log


# --- (c) the built book ------------------------------------------------------------------------------------------

def _article(html: str) -> str:
    return html.split('<article class="bd-article"', 1)[-1].split("</article>", 1)[0]


@pytest.mark.parametrize("nb", [p.stem for p in NOTEBOOKS])
def test_the_built_zh_chapters_images_have_chinese_alt_texts(nb):
    require_book()
    english = {alt for alt, where in notebook_alts() if f"/{nb}.ipynb:" in where}
    chinese = {catalogue()[(None, alt)]["msgstr"][0] for alt in english}
    alts = img_alts(_article((HTML / "zh" / "notebooks" / f"{nb}.html").read_text(encoding="utf-8")))
    left = [a for a in alts if a in english]
    assert not left, f"zh/{nb}.html: {len(left)} images with their English alt text, e.g. {left[0][:60]!r}"
    prose = [a for a in alts if a and re.search(r"\s|[\u3400-\u9fff]", a)]   # else its file name: no metadata
    assert all(a in chinese for a in prose), [a[:60] for a in prose if a not in chinese][:3]
    if english:
        assert set(prose) & chinese, f"zh/{nb}.html: none of the chapter's translated alt texts"
        en_alts = img_alts(_article((HTML / "notebooks" / f"{nb}.html").read_text(encoding="utf-8")))
        assert set(en_alts) & english, f"{nb}.html: the English edition lost its alt texts"


def test_the_gpu_results_figure_alt_text_is_translated():
    """book/gpu-results.md's figure cell carries ffn_lib.bench.report.RUN_FIGURE_ALT (tests/test_bench.py checks
    that): a library message, so the zh edition's swap finds its translation like a chapter figure's."""
    from ffn_lib.bench import report

    assert alt_problems([(report.RUN_FIGURE_ALT, "book/gpu-results.md")], catalogue()) == []
    assert CJK.search(i18n.translation(report.RUN_FIGURE_ALT, "zh"))
