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


# --- A real browser against the built site (tests/test_browser*.py) ---------------------------------------


def chromium_path():
    """Debian's Chromium; skips (fails under FFN_LIB_REQUIRE_BROWSER=1, as .ci/run sets) when it is missing."""
    import shutil

    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    message = ("SKIPPED the browser test: Chromium was not found. Install Debian's `chromium` package "
               "(apt-get install chromium) to run it; .ci/run installs it and makes this test mandatory.")
    if os.environ.get("FFN_LIB_REQUIRE_BROWSER") == "1":
        pytest.fail(message.replace("SKIPPED", "FAILED"))
    pytest.skip(message)


def serve(folder):
    """Serve ``folder`` on 127.0.0.1 in a thread; yields the base URL (use in a fixture with ``yield from``)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def launch_browser():
    """Headless Chromium through Playwright, with no background network; yields the browser."""
    executable = chromium_path()
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()
