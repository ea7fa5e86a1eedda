"""The exercises' page checker as one static file of the site, loaded once per page and cached across pages.

Each exercise on a page carries only its data (a JSON spec) and its form (see
:mod:`ffn_lib.exercises.page`); the script that checks answers is generated from the Python
registry (:func:`ffn_lib.exercises.page.checker_js`) into ``_static/ffn-exercises.js`` when the
build starts, and every page links it. Nothing is fetched from the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]  # the repository: this checkout's ffn_lib, as the notebooks use


def _page():
    if str(_ROOT) not in sys.path:
        sys.path.insert(0, str(_ROOT))
    from ffn_lib.exercises import page

    return page


def _write_checker(app):
    if app.builder.format != "html":
        return
    page = _page()
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / page.ASSET).write_text(page.checker_js(), encoding="utf-8")


def setup(app):
    page = _page()
    app.add_js_file(page.ASSET)
    app.connect("builder-inited", _write_checker)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
