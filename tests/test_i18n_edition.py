"""The zh edition's own frame, built in a tiny Sphinx project with the book's theme and extensions: exercise and
solution titles in Chinese form (book/_ext/edition.py), and the footer's author and date lines
(book/_ext/zh_templates, scripts/book_config.py). The English edition keeps the extensions' own wording."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))
pytest.importorskip("sphinx_exercise")
pytest.importorskip("sphinx_book_theme")
import book_config  # noqa: E402

PAGE = """# Page

```{exercise} BERT-base FFN parameters
:label: ex-1-1

How many?
```

```{solution} ex-1-1
:label: sol-1-1

Many.
```
"""


CONF = """
import sys
sys.path.insert(0, {ext!r})
import edition
edition.subset_font = lambda outdir: None   # the web font is not what this checks (and is slow)
extensions = ["myst_parser", "sphinx_exercise", "edition"]
html_theme = "sphinx_book_theme"
numfig = True
project, copyright = "p", "2026"
language = {language!r}
author = {author!r}
html_last_updated_fmt = {fmt!r}
"""


def build(tmp_path: Path, language: str) -> str:
    """One page built by sphinx-build in its own process (Sphinx caches its translations per process)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(PAGE, encoding="utf-8")
    zh = book_config.EDITIONS["zh"]
    (src / "conf.py").write_text(CONF.format(
        ext=str(ROOT / "book" / "_ext"), language=language,
        author=zh["author"] if language == "zh_CN" else "The ffn course authors",
        fmt=zh["sphinx"]["config"]["html_last_updated_fmt"] if language == "zh_CN" else ""), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-E", "-b", "html", str(src), str(tmp_path / "out")],
                   check=True, capture_output=True, timeout=300)
    return (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def _text(html: str, cls: str) -> str:
    found = re.search(rf'<p class="{cls}">(.*?)</p>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


@pytest.fixture(scope="module")
def zh_page(tmp_path_factory):
    return build(tmp_path_factory.mktemp("zh"), "zh_CN")


def test_exercise_and_solution_titles_read_as_chinese(zh_page):
    titles = re.findall(r'<p class="admonition-title">(.*?)</p>', zh_page, re.S)
    plain = [re.sub(r"<[^>]+>", "", t) for t in titles]
    assert plain[0] == "练习 1（BERT-base FFN parameters）", titles[0]
    assert plain[1] == "练习 1（BERT-base FFN parameters）的解答", titles[1]


def test_footer_author_and_date_read_as_chinese(zh_page):
    assert _text(zh_page, "component-author") == "作者：FFN 课程作者"
    assert re.fullmatch(r"最后更新于 20\d\d 年 [1-9]\d? 月 [1-9]\d? 日。", _text(zh_page, "last-updated"))


def test_the_english_edition_keeps_the_extensions_wording(tmp_path):
    html = build(tmp_path, "en")
    plain = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<p class="admonition-title">(.*?)</p>', html, re.S)]
    assert [" ".join(t.split()) for t in plain] == ["Exercise 1 (BERT-base FFN parameters)",
                                                    "Solution to Exercise 1 (BERT-base FFN parameters)"], plain
    assert _text(html, "component-author") == "By The ffn course authors"


def test_the_execution_tables_words_are_all_translated_for_the_zh_status_page():
    import exec_table_text   # book/_ext

    words = {"Document", "Modified", "Method", "Run Time (s)", "Status", *exec_table_text.MARKS.values()}
    assert words <= set(exec_table_text.ZH)
    assert {"cache", "force", "auto", "inline"} <= set(exec_table_text.ZH)   # MyST-NB's execution modes
