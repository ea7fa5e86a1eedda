"""Shared helpers for the tests that read the built book."""

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The built site: `make book` writes _build/html; FFN_LIB_BOOK_HTML points the tests at another build
# (for example `jupyter-book build . --path-output /tmp/x` -> FFN_LIB_BOOK_HTML=/tmp/x/_build/html).
HTML = Path(os.environ.get("FFN_LIB_BOOK_HTML") or ROOT / "_build" / "html").resolve()
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
CHAPTER_PAGES = [f"notebooks/{p.stem}.html" for p in NOTEBOOKS]
ALL_PAGES = ["book/intro.html", *CHAPTER_PAGES]


def require_book():
    """Skip when the book has not been built, unless FFN_LIB_REQUIRE_BOOK=1 (set by `make test`)."""
    if not (HTML / "index.html").exists():
        if os.environ.get("FFN_LIB_REQUIRE_BOOK") == "1":
            pytest.fail(f"the book was not built ({HTML}): run `make book` (make test does it first)")
        pytest.skip("the book is not built; `make test` builds it first (or run `make book`)")


def notebook(path):
    return json.loads(Path(path).read_text())


def chapter_title(path):
    first = "".join(notebook(path)["cells"][0]["source"])
    return re.match(r"#\s+(.+)", first).group(1).strip()


class Links(HTMLParser):
    """Every href/src in a page, and every id it defines."""

    def __init__(self):
        super().__init__()
        self.refs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.refs.append(("a", a["href"], a))
        if tag == "script" and a.get("src"):
            self.refs.append(("script", a["src"], a))
        if tag == "link" and a.get("href"):
            self.refs.append(("link", a["href"], a))
        if tag == "img" and a.get("src"):
            self.refs.append(("img", a["src"], a))


def parse(path):
    p = Links()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return p
