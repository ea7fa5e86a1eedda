"""The built site in a real browser: headless Chromium, every request outside localhost blocked."""

from urllib.parse import urlparse

import pytest

from bookutil import ALL_PAGES, CHAPTER_PAGES, HTML, NOTEBOOKS, ROOT, chapter_title, launch_browser, require_book, serve

pytestmark = pytest.mark.browser
SCREENSHOTS = HTML.parent / "screenshots"


@pytest.fixture(scope="module")
def site():
    require_book()
    yield from serve(HTML)


@pytest.fixture(scope="module")
def browser():
    yield from launch_browser()


class Visit:
    """One page load with its console errors and any request that tried to leave localhost."""

    def __init__(self, browser, url):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.errors, self.blocked = [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url, wait_until="load")
        if self.page.locator("script[src*='mathjax']").count():  # Sphinx loads MathJax only on pages with math
            self.page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            self.page.evaluate("() => MathJax.startup.promise")

    def _route(self, route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self):
        self.context.close()


# every page of the site: the chapters, the front page and every other book page (GPU results, references, ...)
SITE_PAGES = [*ALL_PAGES, *(f"book/{p.stem}.html" for p in sorted((ROOT / "book").glob("*.md")) if p.stem != "intro")]
SITE_PAGES += [f"zh/{p}" for p in SITE_PAGES]   # the 简体中文 edition, page for page


@pytest.mark.parametrize("path", SITE_PAGES)
def test_console_is_clean_on_every_page(site, browser, path):
    """No console error (such as a duplicated inline script's "Identifier ... has already been declared") and no
    request outside the site, on every page, book pages included."""
    if not (HTML / path).exists():
        pytest.skip(f"{path} is not in this build")
    visit = Visit(browser, f"{site}/{path}")
    try:
        visit.page.wait_for_load_state("networkidle")
        assert not visit.errors, f"{path}: {visit.errors}"
        assert not visit.blocked, f"{path}: {visit.blocked}"
        declared = visit.page.evaluate("""() => Array.from(document.scripts).filter(s => !s.src)
                                          .map(s => s.textContent).filter(t => t.includes('THEBE_JS_URL')).length""")
        assert declared <= 1, f"{path}: thebe's inline configuration appears {declared} times"
    finally:
        visit.close()


PROSE_TEXT = """() => {
  const clone = document.querySelector('main, article, body').cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(e => e.remove());
  return clone.innerText;
}"""


@pytest.mark.parametrize("path", ALL_PAGES)
def test_page_renders_completely(site, browser, path):
    visit = Visit(browser, f"{site}/{path}")
    page = visit.page
    try:
        expected = "The Transformer FFN" if path == "book/intro.html" else chapter_title(
            NOTEBOOKS[CHAPTER_PAGES.index(path)])
        assert expected in page.title()
        # MathJax typeset every formula: rendered containers exist, no raw delimiters left in the prose
        assert page.locator("mjx-container").count() > 0
        prose = page.evaluate(PROSE_TEXT)
        for raw in ("$$", "\\(", "\\[", "\\begin{"):
            assert raw not in prose, f"untypeset math {raw!r} on {path}"
        # every image loaded
        images = page.evaluate("() => Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth])")
        assert all(width and width > 0 for _, width in images), [src for src, w in images if not w]
        assert not visit.errors, visit.errors
        assert not visit.blocked, visit.blocked
        if path in CHAPTER_PAGES:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{path.split('/')[-1][:-5]}.png"))
    finally:
        visit.close()


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_solutions_are_collapsed_until_clicked(site, browser, path):
    visit = Visit(browser, f"{site}/{path}")
    page = visit.page
    try:
        solutions = page.locator("div.solution.dropdown")
        assert solutions.count() >= 4
        first = solutions.first
        body = first.locator("section").first
        first.scroll_into_view_if_needed()
        assert not body.is_visible(), "the solution is visible before any click"
        first.locator("button.toggle-button").click()
        page.wait_for_timeout(300)
        assert body.is_visible(), "the solution did not open on click"
        assert not solutions.nth(1).locator("section").first.is_visible(), "opening one opened others"
        assert not visit.errors, visit.errors
    finally:
        visit.close()


# Every element of the main column must fit in the column, or sit inside a box of its own that fits and
# scrolls sideways (overflow-x auto or scroll). Content clipped by a box with overflow hidden counts as
# overflowing: the reader cannot see it.
OVERFLOW = """() => {
  const column = document.querySelector('article.bd-article') || document.querySelector('main');
  const box = column.getBoundingClientRect();
  const left = box.left - 1, right = box.right + 1;
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const fits = r => r.left >= left && r.right <= right;
  const name = el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '');
  const problems = [];
  for (const el of column.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || fits(r)) continue;
    let p = el.parentElement, contained = false;
    while (p && p !== column) {
      if (scrolls(p) && fits(p.getBoundingClientRect())) { contained = true; break; }
      p = p.parentElement;
    }
    if (contained) continue;
    // report the outermost offender only: skip an element whose parent is already reported
    if (problems.some(q => q.el.contains(el))) continue;
    problems.push({el, what: `${name(el)} is ${Math.round(r.width)} px wide at x=${Math.round(r.left)}`
      + ` (column ${Math.round(box.width)} px at x=${Math.round(box.left)}):`
      + ` ${(el.innerText || el.textContent || '').trim().slice(0, 60).replace(/\\s+/g, ' ')}`});
  }
  return {column: box.width, problems: problems.map(q => q.what)};
}"""

# Code (cells and code blocks), text outputs and display equations are read, not panned: they must fit the column without a sideways
# scrollbar (outputs wrap; an equation too wide for the column is split over lines in the notebook; code lines
# are kept short enough, tests/test_book.py::test_code_on_the_page_fits_its_column).
SIDEWAYS = """() => {
  const column = document.querySelector('article.bd-article') || document.querySelector('main');
  const boxes = [...column.querySelectorAll('div.highlight pre, '
    + 'div.cell_output div.output:is(.stream, .text_plain, .stderr, .traceback) pre, mjx-container[display="true"]')];
  // a formula wider than its table cell runs under the next cell and is hidden there
  const clipped = [...column.querySelectorAll('td mjx-container, th mjx-container')].filter(m => {
    const cell = m.closest('td, th').getBoundingClientRect(), r = m.getBoundingClientRect();
    return r.width > 0 && (r.right > cell.right + 1 || r.left < cell.left - 1);
  });
  return [...boxes.filter(b => b.clientWidth > 0 && b.scrollWidth > b.clientWidth + 2), ...clipped].map(b =>
    `${b.tagName.toLowerCase()} needs ${b.scrollWidth} px in ${b.clientWidth} px`
    + (b.closest('td, th') ? ` (its cell is ${Math.round(b.closest('td, th').getBoundingClientRect().width)} px)` : '')
    + ': '
    + (b.innerText || '').trim().slice(0, 70).replace(/\\s+/g, ' '));
}"""

WHOLE_TABLE = """(selector) => Array.from(document.querySelectorAll(selector)).map(t => {
  const column = document.querySelector('article.bd-article').getBoundingClientRect();
  const r = t.getBoundingClientRect();
  return [Math.round(r.width), Math.round(column.width), r.right <= column.right + 1];
})"""


WIDE_CHECKED = [*ALL_PAGES, "book/about-the-source.html", "book/notation.html", "book/references.html",
                "book/solutions.html", "book/gpu-results.html", "book/status.html", "book/glossary.html"]


@pytest.mark.parametrize("path", [*WIDE_CHECKED, *(f"zh/{p}" for p in WIDE_CHECKED)])
def test_nothing_is_wider_than_the_column(site, browser, path):
    if not (HTML / path).exists():
        pytest.skip(f"{path} is not in this build")
    visit = Visit(browser, f"{site}/{path}")
    try:
        result = visit.page.evaluate(OVERFLOW)
        assert result["column"] > 500, f"the main column is only {result['column']} px wide at 1280 px"
        assert not result["problems"], f"{path}: " + "\n".join(result["problems"][:12])
        panned = visit.page.evaluate(SIDEWAYS)
        assert not panned, f"{path}: " + "\n".join(panned[:12])
    finally:
        visit.close()


def test_about_the_source_table_shows_every_column(site, browser):
    """The corrections column must be visible at 1280 px without scrolling the table."""
    visit = Visit(browser, f"{site}/book/about-the-source.html")
    try:
        tables = visit.page.evaluate(WHOLE_TABLE, "table.source-claims")
        assert tables, "the table of corrections (class source-claims) is missing"
        assert all(fits for _, _, fits in tables), tables
        header = visit.page.locator("table.source-claims th").last
        assert header.is_visible() and "chapter" in header.inner_text()
    finally:
        visit.close()


@pytest.mark.parametrize("width", [1280, 900])
def test_in_page_contents_open_from_the_article_header(site, browser, width):
    """The in-page table of contents is a drawer (the column takes its place); the list button in the article's
    header opens it, with a link to every section, and Escape closes it."""
    visit = Visit(browser, f"{site}/{CHAPTER_PAGES[5]}")
    try:
        page = visit.page
        page.set_viewport_size({"width": width, "height": 900})
        column = page.evaluate("() => document.querySelector('article.bd-article').getBoundingClientRect().width")
        if width == 1280:
            assert column > 900, f"the column is {column} px wide at 1280 px: the contents still take its room"
        button = page.locator(".bd-header-article button.secondary-toggle")
        assert button.is_visible()
        button.click()
        page.wait_for_timeout(600)
        links = page.locator("dialog[open] nav.page-toc a")
        assert links.count() >= 10 and links.first.is_visible()
        assert any("Loading Llama-layout weights" in t for t in links.all_inner_texts())
        page.keyboard.press("Escape")
        page.wait_for_timeout(400)
        assert page.locator("dialog[open]").count() == 0
        assert not visit.errors, visit.errors
    finally:
        visit.close()


@pytest.mark.parametrize("path", ["notebooks/02_gelu.html", "book/intro.html", "zh/notebooks/02_gelu.html",
                                  "zh/book/glossary.html"])
def test_the_edition_switcher_leads_to_the_same_page_in_the_other_language(site, browser, path):
    visit = Visit(browser, f"{site}/{path}")
    try:
        switch = visit.page.locator(".article-header-buttons a.ffn-edition-switch")
        assert switch.count() == 1, f"{path}: no edition switcher in the article's header"
        label = switch.inner_text().strip()
        assert label == ("English" if path.startswith("zh/") else "简体中文")
        switch.click()
        visit.page.wait_for_load_state("load")
        expected = path[3:] if path.startswith("zh/") else f"zh/{path}"
        assert visit.page.url == f"{site}/{expected}"
        lang = visit.page.evaluate("() => document.documentElement.lang")
        assert lang.startswith("zh") != path.startswith("zh/")
        assert not visit.errors, visit.errors
    finally:
        visit.close()
