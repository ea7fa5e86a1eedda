"""The 简体中文 edition's catalogues (locales/zh_CN): in step with the English pages, complete, markup intact,
terminology consistent; and the built edition (_build/html/zh) is there, Chinese, and linked page to page.

The catalogue tests read the repository only; the extraction test runs Sphinx's gettext builder (no notebook is
executed, ~20 s); the built-site tests need `make book`.
"""
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from bookutil import HTML, ROOT, require_book

sys.path.insert(0, str(ROOT / "scripts"))
pytest.importorskip("babel")
import i18n as i18n_script  # noqa: E402  (scripts/i18n.py)

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import edition  # noqa: E402  (book/_ext/edition.py)

LOCALES = ROOT / "locales" / "zh_CN" / "LC_MESSAGES"
BOOK_PO = sorted(LOCALES.rglob("*.po"))
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# What must survive translation byte for byte: maths, code spans, MyST roles with their targets, link targets,
# HTML tags, str.format fields (library messages).
KEEP = [re.compile(p) for p in (r"\$\$.+?\$\$", r"(?<!\$)\$[^$\n]+?\$(?!\$)", r"``[^`]+``|`[^`]+`",
                                r"\{[a-z:]+\}`[^`]+`", r"\]\([^)\s]+\)", r"</?[a-zA-Z][^>]*>")]


def messages(po: Path):
    return [m for m in i18n_script.read(po) if m.id]


def kept(text: str) -> Counter:
    found = Counter()
    rest = text
    for pattern in KEEP:
        for m in pattern.finditer(rest):
            found[m.group(0)] += 1
        rest = pattern.sub(" ", rest)
    return found


def test_every_page_has_a_catalogue():
    pages = {p.relative_to(ROOT).with_suffix("").as_posix() for p in
             [*(ROOT / "notebooks").glob("0*.ipynb"), *(ROOT / "book").glob("*.md")]}
    assert pages <= {p.relative_to(LOCALES).with_suffix("").as_posix() for p in BOOK_PO}


@pytest.mark.parametrize("po", BOOK_PO, ids=lambda p: p.stem)
def test_every_message_is_translated_and_none_is_fuzzy(po):
    msgs = messages(po)
    empty = [m.id[:60] for m in msgs if not m.string]
    fuzzy = [m.id[:60] for m in msgs if m.fuzzy]
    assert not empty, f"{po.name}: {len(empty)} of {len(msgs)} untranslated, e.g. {empty[:2]}"
    assert not fuzzy, f"{po.name}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:2]}"


@pytest.mark.parametrize("po", [*BOOK_PO, i18n_script.LIBRARY_PO], ids=lambda p: p.stem)
def test_maths_code_roles_and_links_survive_translation(po):
    wrong = []
    for m in messages(po):
        for s in (m.string if isinstance(m.string, tuple) else (m.string,)):
            if s and kept(m.id if isinstance(m.id, str) else m.id[0]) != kept(s):
                wrong.append((m.id if isinstance(m.id, str) else m.id[0])[:80])
    assert not wrong, f"{po.name}: {len(wrong)} messages whose maths/code/roles/links changed: {wrong[:3]}"


def test_the_markup_check_can_fail():
    assert kept("see {cite:t}`a2020` and $x^2$ in `f()`") != kept("见 {cite:t}`a2021` 与 $x^2$、`f()`")
    assert kept("see {cite:t}`a2020` and $x^2$ in `f()`") == kept("见 {cite:t}`a2020`、`f()` 与 $x^2$")


def test_the_terminology_list_is_used():
    strict = [t for t in edition.glossary_rows() if t["check"] == "yes"]
    wrong = []
    for po in [*BOOK_PO, i18n_script.LIBRARY_PO]:
        for m in messages(po):
            english = m.id if isinstance(m.id, str) else m.id[0]
            chinese = m.string if isinstance(m.string, str) else m.string[0]
            if not chinese or chinese == english:
                continue
            prose = re.sub(r"\{[^{}]*\}|\$[^$]*\$|`[^`]*`", " ", english)   # fields, maths, code: not words
            for t in strict:
                if re.search(rf"(?<![\w-]){re.escape(t['en'])}s?(?![\w-])", prose, re.I) and t["zh"] not in chinese:
                    wrong.append(f"{po.stem}: {t['en']} -> {t['zh']}: {chinese[:50]}")
    assert not wrong, f"{len(wrong)} translations without the glossary's term, e.g. {wrong[:4]}"


# wordings the glossary's terms rule out, with the term to use ("median" is 中位数: "用时的中位数")
AVOIDED = {"中位时间": "中位数"}


@pytest.mark.parametrize("po", [*BOOK_PO, i18n_script.LIBRARY_PO], ids=lambda p: p.stem)
def test_no_translation_uses_a_wording_the_glossary_rules_out(po):
    found = [(word, (m.id if isinstance(m.id, str) else m.id[0])[:60]) for m in messages(po)
             for s in (m.string if isinstance(m.string, tuple) else (m.string,)) for word in AVOIDED if s and word in s]
    assert not found, f"{po.name}: use {[AVOIDED[w] for w, _ in found[:1]]}: {found[:3]}"


def test_the_glossary_notes_are_in_chinese_on_the_zh_page_and_english_on_the_english_one():
    en, zh = edition.glossary_rows(), edition.glossary_rows(lang="zh")
    notes = edition.glossary_notes_zh()
    noted = {t["en"] for t in en if t.get("note")}
    assert set(notes) == noted, "every noted term has one Chinese note, and no other term does"
    assert [t["en"] for t in en] == [t["en"] for t in zh]
    assert all(CJK.search(t["note"]) for t in zh if t["note"]), [t["note"] for t in zh if not CJK.search(t["note"])]
    assert next(t for t in en if t["en"] == "feed-forward network")["note"] == 'FFN; "FFN 块" for the block'
    with pytest.raises(ValueError, match="glossary_rows: lang must be"):
        edition.glossary_rows(lang="fr")


@pytest.mark.book
def test_the_catalogues_are_in_step_with_the_english_pages():
    """Extract the pages' messages afresh: a changed English sentence must be in its catalogue (translated)."""
    pot_dir = i18n_script.extract_book()
    stale = []
    for pot in sorted(pot_dir.rglob("*.pot")):
        po = LOCALES / pot.relative_to(pot_dir).with_suffix(".po")
        source = {m.id for m in i18n_script.read(pot) if m.id}
        have = {m.id for m in messages(po)} if po.exists() else set()
        if source - have:
            stale.append(f"{po.relative_to(ROOT)}: {len(source - have)} new, e.g. {sorted(source - have)[0][:60]!r}")
    assert not stale, "run `python scripts/i18n.py book` and translate: " + "; ".join(stale)


# --- the built edition -------------------------------------------------------------------------------------------

ZH = HTML / "zh"


def _pages():
    return sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
                  if not p.is_relative_to(ZH) and p.parts[len(HTML.parts)] in ("book", "notebooks"))


def _article_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    body = html.split('<article class="bd-article"', 1)[-1].split("</article>", 1)[0]
    body = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<div class="cell_input.*?</div>\s*</div>', " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_each_english_page_has_its_chinese_page_and_they_link_each_other():
    require_book()
    for page in _pages():
        zh = ZH / page
        assert zh.exists(), f"no 简体中文 page for {page}"
        assert re.search(r'<html lang="zh-CN"', zh.read_text(encoding="utf-8"))
        for here, lang in ((HTML / page, "en"), (zh, "zh")):
            link = re.search(r'<link rel="alternate" hreflang="[^"]+" href="([^"]+)"[^>]*data-ffn-edition>',
                             here.read_text(encoding="utf-8"))
            assert link, f"{here}: no edition link"
            target = (here.parent / link.group(1)).resolve()
            assert target == (zh if lang == "en" else HTML / page).resolve(), (here, link.group(1))


def test_the_chinese_pages_read_in_chinese():
    require_book()
    for page in _pages():
        if page in ("book/glossary.html", "book/references.html"):   # the English terms, the sources' own titles
            continue
        text = _article_text(ZH / page)
        cjk = len(CJK.findall(text))
        latin = len(re.findall(r"\b[A-Za-z]{3,}\b", text))
        assert cjk > 2 * latin, f"{page}: {cjk} Chinese characters against {latin} English words"


def test_chinese_search_is_segmented():
    require_book()
    index = (ZH / "searchindex.js").read_text(encoding="utf-8").encode("ascii", "backslashreplace").decode(
        "unicode_escape")   # Sphinx writes the index's non-ASCII as \uXXXX escapes
    assert "激活函数" in index or "激活" in index
    assert "前馈" in index


def test_the_site_carries_its_own_chinese_font():
    require_book()
    font = ZH / "_static" / edition.FONT_FILE
    assert font.exists() and font.stat().st_size > 10_000
    from fontTools.ttLib import TTFont
    cmap = TTFont(str(font)).getBestCmap()
    used = set(CJK.findall(_article_text(ZH / "notebooks" / "01_ffn_block.html")))
    assert used and all(ord(c) in cmap for c in used)


def test_the_english_site_carries_a_font_for_its_chinese_too():
    """The English pages hold Chinese as well (the switcher's 简体中文, the glossary's 中文 column): without a CJK
    system font a reader saw empty boxes there. Every CJK character of every English page is in the English
    site's font subset, and every page loads the stylesheet that declares it."""
    require_book()
    from fontTools.ttLib import TTFont
    en = HTML
    cmap = TTFont(str(en / "_static" / edition.FONT_FILE)).getBestCmap()
    pages = [p for p in en.rglob("*.html") if p.relative_to(en).parts[0] not in ("zh", "_static")]
    glossary = (en / "book" / "glossary.html").read_text(encoding="utf-8")
    assert "前馈网络" in glossary
    for page in pages:
        html = page.read_text(encoding="utf-8")
        missing = sorted(set(edition._CJK.findall(html)) - {chr(c) for c in cmap})
        assert not missing, f"{page.relative_to(en)}: no glyph in the site's font for {''.join(missing[:20])}"
        if "<article" in html:
            assert "ffn-cjk.css" in html, f"{page.relative_to(en)} does not load ffn-cjk.css"


def test_other_edition_url_is_relative_to_the_page():
    assert edition.other_edition_url("index", "en") == "zh/index.html"
    assert edition.other_edition_url("notebooks/02_gelu", "en") == "../zh/notebooks/02_gelu.html"
    assert edition.other_edition_url("notebooks/02_gelu", "zh") == "../../notebooks/02_gelu.html"


def test_chinese_pages_cite_in_chinese():
    require_book()
    text = re.sub(r"\s+", "", _article_text(ZH / "notebooks" / "02_gelu.html"))   # tags leave spaces
    assert "Hendrycks和Gimpel（2016）" in text and "HendrycksandGimpel(2016)" not in text
    assert "等人" in _article_text(ZH / "notebooks" / "01_ffn_block.html")


def test_no_markdown_is_left_unrendered_on_the_chinese_pages():
    """A bold run-in heading whose closing ** follows Chinese punctuation ("**结论。**正文") is not closed by
    Markdown and shows its asterisks: the punctuation goes after the ** ("**结论**。正文")."""
    require_book()
    left = []
    for page in _pages():
        html = (ZH / page).read_text(encoding="utf-8")
        body = html.split('<article class="bd-article"', 1)[-1].split("</article>", 1)[0]
        body = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", body, flags=re.S)
        text = re.sub(r"<[^>]+>", "", body)
        left += [f"{page}: {m.group(0)}" for m in re.finditer(r".{0,10}\*\*.{0,10}", text)]
    assert not left, f"{len(left)} unrendered ** on the zh pages, e.g. {left[:3]}"


@pytest.mark.parametrize("po", [*BOOK_PO, i18n_script.LIBRARY_PO], ids=lambda p: p.stem)
def test_bold_and_emphasis_render_in_every_translation(po):
    """CommonMark (as MyST parses it) closes ** only where its flanking rules allow: a translation whose markers
    sit against Chinese punctuation shows them as asterisks. Rendered here, no build needed."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    bad = []
    for m in messages(po):
        for s in (m.string if isinstance(m.string, tuple) else (m.string,)):
            if s and "**" in s:
                text = re.sub(r"<[^>]+>", "", md.render(re.sub(r"``[^`]+``|`[^`]+`|\$[^$]+\$", "X", s)))
                if "**" in text:
                    bad.append(s[:60])
    assert not bad, f"{po.name}: {len(bad)} translations whose ** does not render, e.g. {bad[:2]}"
