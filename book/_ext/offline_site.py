"""Keep the built site self-contained: no page may load anything from the internet.

sphinx-thebe (always enabled by Jupyter Book 1) writes a CDN address for thebe into
every page, to be loaded only when a reader clicks "launch". This course has no
launch buttons, so the address is blanked and the script never fetches anything.
It also adds its inline configuration twice, which makes the browser report
"Identifier 'THEBE_JS_URL' has already been declared"; duplicates are dropped.
"""

from __future__ import annotations

import re

_URL = re.compile(r"https?://[^\"' ]+")


def _strip_remote_scripts(app, pagename, templatename, context, doctree):
    scripts, bodies = [], set()
    for js in context.get("script_files", []):
        filename = getattr(js, "filename", js)
        if isinstance(filename, str) and filename.startswith(("http://", "https://", "//")):
            continue  # a remote script file: drop it
        body = getattr(js, "attributes", {}).get("body")
        if body:
            # compare without the addresses: the first page's pass blanks them in the shared script object, so
            # on later pages one copy arrives blanked and the other not, and comparing raw bodies kept both
            stripped = _URL.sub("", body)
            if stripped in bodies:
                continue  # the same inline script again
            bodies.add(stripped)
            if stripped != body:
                js.attributes["body"] = stripped
        scripts.append(js)
    context["script_files"] = scripts
    context["css_files"] = [css for css in context.get("css_files", [])
                            if not str(getattr(css, "filename", css)).startswith(("http://", "https://", "//"))]


def setup(app):
    app.connect("html-page-context", _strip_remote_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
