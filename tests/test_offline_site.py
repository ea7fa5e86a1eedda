"""book/_ext/offline_site.py without a build: remote scripts dropped, inline duplicates dropped on every page."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ext():
    pytest.importorskip("sphinx")
    spec = importlib.util.spec_from_file_location("offline_site", ROOT / "book" / "_ext" / "offline_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_thebe_configuration_appears_once_on_every_page_not_only_the_first():
    from sphinx.builders.html._assets import _JavaScript

    ext = _ext()
    body = 'const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"; const thebe_selector = ".thebe"'
    shared = [_JavaScript(None, body=body), _JavaScript(None, body=body), _JavaScript("https://cdn.example/x.js"),
              _JavaScript("_static/local.js")]  # sphinx-thebe registers its inline script twice
    for page in ("intro", "notebooks/01_ffn_block", "book/gpu-results"):
        context = {"script_files": list(shared), "css_files": []}
        ext._strip_remote_scripts(None, page, "page.html", context, None)
        inline = [js.attributes["body"] for js in context["script_files"] if js.attributes.get("body")]
        assert len(inline) == 1, (page, inline)
        assert "https://" not in inline[0]
        names = [js.filename for js in context["script_files"] if js.filename]
        assert names == ["_static/local.js"], page
