"""The book's two editions, English at the site's root and 简体中文 under ``zh/``, built from one source.

* **Switcher**: every page links the same page in the other edition (a button in the article's header, written
  by ``ffn-edition.js`` from a ``<link rel="alternate" hreflang>`` this extension adds to the page's head).
* **The library's language**: the Sphinx process's own ``ffn_lib`` (the exercise widget's script, generated when
  the build starts) writes in the edition's language; the notebooks' kernels get it from ``FFN_LIB_LANG``
  (the Makefile sets it for each edition).
* **Chinese text everywhere**: a CJK font stack in the CSS (``ffn-zh.css``), and, so that no reader sees empty
  boxes even without a Chinese system font, a web font cut down to the characters each edition uses (Noto Sans
  CJK SC from the ``mplfonts`` package, subset with fontTools when the build finishes; a few hundred KB for
  简体中文, a few KB for English, whose switcher and glossary hold Chinese; ``ffn-cjk.css``).
* **Figures' alt texts**: a notebook figure's alt text is its cell's ``mystnb.image.alt`` metadata, which myst-nb
  copies onto the ``image`` node and Sphinx's gettext never sees. It is a message of ffn_lib's catalogue
  (``scripts/i18n.py library`` extracts it); in zh, :func:`translate_alt_texts` swaps in its translation when each
  page is read, and an alt text without one is a build warning (an error under ``-W``), not an English alt.
* **Sections named in zh prose**: a ``{ref}`` that prints a section's own title reads “参数相同，内存不同”一节,
  the title in Chinese quotation marks with no space either side where Chinese text meets it
  (:func:`quote_section_refs`; a ``{ref}`` with its own text is left as written).
* **The glossary**: ``{ffn-glossary}`` draws the bilingual terminology list from ``locales/glossary.tsv``, the
  same file the catalogue test checks the translations against. Its cells are not messages (they already hold
  both languages), so gettext leaves them alone.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "locales" / "glossary.tsv"
GLOSSARY_NOTES_ZH = ROOT / "locales" / "zh_CN" / "glossary-notes.tsv"   # the notes column, for the zh page
OTHER = {"en": ("zh", "zh-Hans", "简体中文"), "zh": ("en", "en", "English")}
FONT_FILE = "ffn-cjk.woff"
ZH_TEMPLATES = Path(__file__).resolve().parent / "zh_templates"   # the footer's author and date lines, in zh
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def edition(app) -> str:
    return "zh" if (app.config.language or "en").lower().startswith("zh") else "en"


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))


def glossary_rows(path: Path = GLOSSARY, lang: str = "en") -> list[dict[str, str]]:
    """The terminology list: one dict per term with keys ``en``, ``zh`` and ``note``; with ``lang="zh"`` the
    note is the Chinese one (:data:`GLOSSARY_NOTES_ZH`)."""
    if lang not in ("en", "zh"):
        raise ValueError(f"glossary_rows: lang must be 'en' or 'zh', got {lang!r}")
    rows = _tsv(path)
    for i, row in enumerate(rows, 2):
        if not row.get("en") or not row.get("zh"):
            raise ValueError(f"{path.name} line {i}: a term needs both 'en' and 'zh'")
    if lang == "zh":
        notes = glossary_notes_zh()
        rows = [{**row, "note": notes.get(row["en"], "")} for row in rows]
    return rows


def glossary_notes_zh(path: Path = GLOSSARY_NOTES_ZH) -> dict[str, str]:
    """The Chinese notes of the glossary's terms: ``{English term: note}``."""
    return {row["en"]: row["note_zh"] for row in _tsv(path) if row.get("en")}


def other_edition_url(pagename: str, lang: str) -> str:
    """The relative address, from page ``pagename`` of edition ``lang``, of the same page in the other one."""
    depth = pagename.count("/")
    if lang == "en":
        return "../" * depth + "zh/" + pagename + ".html"
    return "../" * (depth + 1) + pagename + ".html"


class ZhExerciseTitles(SphinxPostTransform):
    """zh: sphinx-exercise's titles in Chinese form, "练习 1.1（BERT-base 的 FFN 参数量）" (it writes
    "练习 1.1 (…)", half-width brackets after a space) and a solution's "练习 1.1（…）的解答" (it writes
    "解答 练习 1.1 (…)"). Runs after sphinx-exercise's own title transforms (priorities 20, 21); English untouched.
    The space Sphinx puts after the number inside ``caption-number`` goes in :func:`_page_context`."""

    default_priority = 30
    formats = ("html",)
    KINDS = ("exercise_node", "exercise_enumerable_node", "solution_node")

    def run(self, **kwargs):
        if edition(self.app) != "zh":
            return
        for title in list(self.document.findall(nodes.title)):
            if type(title.parent).__name__ not in self.KINDS:
                continue
            for text in list(title.findall(nodes.Text)):
                if str(text) in (" (", ")"):
                    text.parent.replace(text, nodes.Text("（" if str(text) == " (" else "）"))
            kids = title.children
            if (type(title.parent).__name__ == "solution_node" and len(kids) == 2
                    and isinstance(kids[0], nodes.Text) and isinstance(kids[1], nodes.reference)):
                label, ref = str(kids[0]).strip(), kids[1]
                if ref.children and isinstance(ref.children[0], nodes.Text):
                    ref.replace(ref.children[0], nodes.Text(str(ref.children[0]).lstrip()))
                title.children = []
                title += ref
                title += nodes.Text(ZH_SOLUTION_OF.format(solution=label))


def _is_section_ref(node) -> bool:
    """A ``{ref}`` (std:ref) that will print its target's own title: no text of its own."""
    return (isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "std"
            and node.get("reftype") == "ref" and not node.get("refexplicit"))


def quote_section_refs(doctree: nodes.Node) -> list[nodes.Node]:
    """zh: put each ``{ref}`` that prints a section's title (:func:`_is_section_ref`) in “…”, and drop the space
    between it and Chinese text either side ("与 {ref}`sec` 一节" reads 与“参数相同，内存不同”一节). Runs before
    Sphinx resolves the references, which is when a ``{ref}`` with its own text can still be told apart.
    Returns the references quoted."""
    if not isinstance(doctree, nodes.Node):
        raise TypeError(f"quote_section_refs: doctree must be a docutils node, got {type(doctree).__name__}")
    done = []
    for ref in list(doctree.findall(_is_section_ref)):
        parent = ref.parent
        if parent is None:
            continue
        i = parent.index(ref)
        before = parent[i - 1] if i > 0 else None
        if isinstance(before, nodes.Text):
            text = str(before)
            if text.endswith(" ") and _CJK.match(text.rstrip()[-1:] or "a"):
                text = text.rstrip()
            parent.replace(before, nodes.Text(text + "“"))
        else:
            parent.insert(i, nodes.Text("“"))
            i += 1
        after = parent[i + 1] if i + 1 < len(parent) else None
        if isinstance(after, nodes.Text):
            text = str(after)
            if text.startswith(" ") and _CJK.match(text.lstrip()[:1] or "a"):
                text = text.lstrip()
            parent.replace(after, nodes.Text("”" + text))
        else:
            parent.insert(i + 1, nodes.Text("”"))
        done.append(ref)
    return done


class ZhSectionRefs(SphinxPostTransform):
    """zh: sections named by ``{ref}`` in quotation marks (:func:`quote_section_refs`); English untouched."""

    default_priority = 5   # before Sphinx's ReferencesResolver (10) turns the pending references into links

    def run(self, **kwargs):
        if edition(self.app) == "zh":
            quote_section_refs(self.document)


ZH_SOLUTION_OF = "的{solution}"   # after the exercise's link: "练习 1.1（…）的解答"
_CAPTION_NUMBER_SPACE = re.compile(r'(<span class="caption-number">[^<]*?) </span>(?=\s*（)')


def _page_context(app, pagename, templatename, context, doctree):
    lang = edition(app)
    if lang == "zh" and context.get("body"):   # "练习 1.1 </span>（" -> "练习 1.1</span>（"
        context["body"] = _CAPTION_NUMBER_SPACE.sub(r"\1</span>", context["body"])
    _, hreflang, label = OTHER[lang]
    href = other_edition_url(pagename, lang)
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="alternate" hreflang="{hreflang}" href="{href}" title="{label}" data-ffn-edition>')


class GlossaryTable(SphinxDirective):
    """``{ffn-glossary}``: the terminology list as a table, English | 中文 | note."""

    has_content = False

    def run(self):
        self.env.note_dependency(str(GLOSSARY))
        zh = self.env.config.language and self.env.config.language.startswith("zh")
        heads = ("英文", "中文", "说明") if zh else ("English", "中文", "Note")
        table = nodes.table(classes=["ffn-glossary"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (3, 3, 6):
            group += nodes.colspec(colwidth=width)
        head, body = nodes.thead(), nodes.tbody()
        group += head
        group += body

        def row(cells, lang_of=(None, "zh", None)):
            tr_ = nodes.row()
            for text, lang in zip(cells, lang_of):
                entry = nodes.entry()
                para = nodes.paragraph(text=text)   # no .source: not a message for gettext
                if lang:
                    para["classes"].append("ffn-lang-zh")
                entry += para
                tr_ += entry
            return tr_

        head += row(heads, (None, None, None))
        self.env.note_dependency(str(GLOSSARY_NOTES_ZH))
        for term in glossary_rows(lang="zh" if zh else "en"):
            body += row((term["en"], term["zh"], term.get("note") or ""))
        return [table]


def _zh_templates(app, config):
    """In zh, the footer's author and date lines come from :data:`ZH_TEMPLATES` (before the theme's own)."""
    if (config.language or "en").lower().startswith("zh") and str(ZH_TEMPLATES) not in config.templates_path:
        config.templates_path.insert(0, str(ZH_TEMPLATES))


logger = logging.getLogger(__name__)


def translate_alt_texts(doctree: nodes.Node, translate) -> tuple[list[nodes.image], list[nodes.image]]:
    """Put each image's alt text into the other language: ``node["alt"] = translate(alt)``. ``translate``
    returns the translation, or None where there is none; an alt text that is already Chinese is left alone.
    Returns (the images translated, the images left as they were for want of a translation)."""
    if not isinstance(doctree, nodes.Node):
        raise TypeError(f"translate_alt_texts: doctree must be a docutils node, got {type(doctree).__name__}")
    if not callable(translate):
        raise TypeError(f"translate_alt_texts: translate must be callable, got {type(translate).__name__}")
    done, missing = [], []
    for image in doctree.findall(nodes.image):
        alt = image.get("alt")
        if not alt or not alt.strip() or _CJK.search(alt):
            continue
        text = translate(alt)
        if text:
            image["alt"] = text
            done.append(image)
        else:
            missing.append(image)
    return done, missing


def _zh_alt_texts(app, doctree):
    """zh: every figure's alt text from ffn_lib's catalogue (see the module's docstring)."""
    if edition(app) != "zh":
        return
    from ffn_lib import i18n

    done, missing = translate_alt_texts(doctree, lambda text: i18n.translation(text, "zh"))
    if done or missing:   # a new translation re-reads the page
        app.env.note_dependency(str(i18n.CATALOGUE["zh"]))
    for image in missing:
        logger.warning("no 简体中文 translation of this figure's alt text in ffn_lib.po: %r (run `python "
                       "scripts/i18n.py library`, then translate it)", image["alt"][:80], type="ffn",
                       subtype="alt-text", location=(app.env.docname, image.line))


def _set_library_language(app):
    sys.path.insert(0, str(ROOT)) if str(ROOT) not in sys.path else None
    from ffn_lib import i18n

    i18n.set_language(edition(app))
    app.add_css_file("ffn-cjk.css")   # both editions: the English one shows CJK too (switcher, glossary)
    if edition(app) == "zh":
        app.add_css_file("ffn-zh.css")


def subset_font(outdir: Path) -> Path | None:
    """Cut Noto Sans CJK SC down to the CJK characters of the built pages; None where mplfonts is missing."""
    try:
        from importlib.resources import files

        from fontTools import subset
        source = files("mplfonts").joinpath("fonts/NotoSansCJKsc-Regular.otf")
    except ModuleNotFoundError:
        return None
    chars = set()
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0] == "zh":
            continue   # the English site's copy of the 简体中文 one (made after both builds): it has its own font
        chars |= set(_CJK.findall(page.read_text(encoding="utf-8", errors="ignore")))
    for script in (outdir / "_static").glob("ffn-*.js"):
        chars |= set(_CJK.findall(script.read_text(encoding="utf-8", errors="ignore")))
    target = outdir / "_static" / FONT_FILE
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    font = subset.load_font(str(source), options)
    sub = subset.Subsetter(options)
    sub.populate(text="".join(sorted(chars)) + "，。、：；！？（）《》“”‘’—…·")
    sub.subset(font)
    subset.save_font(font, str(target), options)
    return target


def _finished(app, exception):
    if exception is None and app.builder.format == "html":
        subset_font(Path(app.outdir))


def setup(app):
    app.add_directive("ffn-glossary", GlossaryTable)
    app.connect("config-inited", _zh_templates)
    app.add_post_transform(ZhExerciseTitles)
    app.add_post_transform(ZhSectionRefs)
    app.connect("doctree-read", _zh_alt_texts)
    app.add_js_file("ffn-edition.js")
    app.connect("builder-inited", _set_library_language, priority=100)   # before the exercise widget's script
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
