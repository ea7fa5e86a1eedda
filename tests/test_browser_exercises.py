"""The built site's exercises in a real browser: type answers, press Check, read the verdicts.

Headless Chromium against the built book (``_build/html``, or the folder named by
``FFN_LIB_BOOK_HTML`` or ``FFN_LIB_SITE``), every request outside localhost blocked. Skipped, saying why, when the
book is not built (unless ``FFN_LIB_REQUIRE_BOOK=1``) or Chromium is missing (unless
``FFN_LIB_REQUIRE_BROWSER=1``).
"""

import json
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from bookutil import HTML, launch_browser, serve
from ffn_lib import exercises as E
from ffn_lib.exercises import number_text, page

pytestmark = pytest.mark.browser
SITE = Path(os.environ.get("FFN_LIB_SITE") or HTML)


def _require_site():
    if not (SITE / "index.html").exists():
        if os.environ.get("FFN_LIB_REQUIRE_BOOK") == "1":
            pytest.fail(f"the book was not built in {SITE}: run `make book`")
        pytest.skip(f"the book is not built in {SITE}; `make test` builds it first (or set FFN_LIB_SITE)")
    pages = {}
    for html in SITE.rglob("*.html"):
        text = html.read_text(encoding="utf-8", errors="replace")
        for ex in E.all_exercises():
            if f'data-ffn-ex="{ex.id}"' in text:
                pages.setdefault(ex.id, html.relative_to(SITE).as_posix())
    if not pages:
        message = f"the site in {SITE} was built before the exercises had a page checker: rebuild it"
        if os.environ.get("FFN_LIB_REQUIRE_BOOK") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return pages


@pytest.fixture(scope="module")
def site():
    pages = _require_site()
    for url in serve(SITE):
        yield url, pages


@pytest.fixture(scope="module")
def browser():
    yield from launch_browser()


class Tab:
    """One browser context (its own storage), every request outside localhost blocked and recorded."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.errors, self.blocked = [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url):
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function("() => window.FFNExercises !== undefined")

    def close(self):
        self.context.close()


def _pick(pages, kind):
    for ex in E.all_exercises():
        if ex.kind == kind and ex.id in pages and ex.hints:
            return ex
    pytest.fail(f"no exercise of kind {kind!r} on the built site")


def _widget(tab, ex):
    return tab.page.locator(f'div.ffn-ex[data-ffn-ex="{ex.id}"]')


def _verdict(tab, ex):
    text = _widget(tab, ex).locator(".ffn-ex-feedback").inner_text()
    head, _, message = text.partition("\n")
    return head, message


def test_right_answer_known_mistake_and_junk_in_three_exercises(site, browser):
    base, pages = site
    number, choice, shape = _pick(pages, "a number"), _pick(pages, "a choice"), _pick(pages, "a shape")
    tab = Tab(browser)
    try:
        # a number: the right answer
        tab.open(f"{base}/{pages[number.id]}")
        right = number_text.fmt_number(number.expected())
        w = _widget(tab, number)
        w.scroll_into_view_if_needed()
        assert w.locator(".ffn-ex-feedback").is_hidden()
        w.locator("input.ffn-ex-input").fill(right)
        w.locator("button.ffn-ex-check").click()
        head, message = _verdict(tab, number)
        assert head.endswith(f"Exercise {number.id}: correct"), head
        assert message == number.check_text(right).message.replace("`", "")

        # a choice: a known mistake gets its own diagnosis
        tab.open(f"{base}/{pages[choice.id]}")
        wrong = next(k for k in choice.options if k != choice.correct_key() and k in choice.mistakes)
        w = _widget(tab, choice)
        w.scroll_into_view_if_needed()
        w.locator(f"input.ffn-ex-option[value='{wrong}']").check()
        w.locator("button.ffn-ex-check").click()
        head, message = _verdict(tab, choice)
        assert head.endswith("incorrect") and choice.mistakes[wrong] in message
        assert message == choice.check_text(wrong).message.replace("`", "")

        # a shape: junk is answered, not crashed on
        tab.open(f"{base}/{pages[shape.id]}")
        w = _widget(tab, shape)
        w.scroll_into_view_if_needed()
        w.locator("input.ffn-ex-input").fill("eight by 128")
        w.locator("input.ffn-ex-input").press("Enter")
        head, message = _verdict(tab, shape)
        assert head.endswith("incorrect") and message == shape.check_text("eight by 128").message

        stored = json.loads(tab.page.evaluate(f"() => localStorage.getItem('{page.STORAGE_KEY}')"))
        assert stored[number.id]["status"] == "correct" and stored[choice.id]["status"] == "incorrect"
        assert not tab.errors, tab.errors
        assert not tab.blocked, tab.blocked
    finally:
        tab.close()


def test_hints_one_at_a_time_typeset_and_remembered(site, browser):
    base, pages = site
    ex = next(e for e in E.all_exercises() if e.id in pages and len(e.hints) >= 2
              and any("$" in h for h in e.hints))
    tab = Tab(browser)
    try:
        tab.open(f"{base}/{pages[ex.id]}")
        w = _widget(tab, ex)
        hints = w.locator(".ffn-ex-hint")
        button = w.locator("button.ffn-ex-hint-button")
        button.scroll_into_view_if_needed()
        assert hints.count() == len(ex.hints) and not hints.nth(0).is_visible()
        button.click()
        assert hints.nth(0).is_visible() and not hints.nth(1).is_visible()
        assert button.inner_text() == f"Show hint 2 of {len(ex.hints)}"
        typeset = next(i for i, h in enumerate(ex.hints) if "$" in h)
        for _ in range(typeset):
            button.click()
        tab.page.wait_for_function(
            "([id, i]) => document.querySelector(`div.ffn-ex[data-ffn-ex='${id}']`)"
            ".querySelectorAll('.ffn-ex-hint')[i].querySelector('mjx-container') !== null", arg=[ex.id, typeset])
        tab.page.reload()
        tab.page.wait_for_function("() => window.FFNExercises !== undefined")
        assert _widget(tab, ex).locator(".ffn-ex-hint").nth(typeset).is_visible(), "hints seen are remembered"
        # the solution stays collapsed until asked for
        solution = tab.page.locator(f"div.solution.dropdown:has(a[href='#{ex.label}'])")
        if solution.count():
            assert not solution.first.locator("section").first.is_visible()
        assert not tab.errors, tab.errors
    finally:
        tab.close()


def test_function_exercises_say_how_to_run_them(site, browser):
    base, pages = site
    ex = next(e for e in E.all_exercises() if e.kind == "a function" and e.id in pages)
    tab = Tab(browser)
    try:
        tab.open(f"{base}/{pages[ex.id]}")
        text = tab.page.locator(f"#{ex.label}").inner_text() if tab.page.locator(f"#{ex.label}").count() else \
            tab.page.inner_text("body")
        assert f"{ex.handle}.check({ex.answer_name})" in tab.page.inner_text("body")
        assert _widget(tab, ex).locator("button.ffn-ex-check").count() == 0
        assert text
    finally:
        tab.close()


def test_each_page_loads_the_checker_once_as_a_static_file():
    """The checker is _static/ffn-exercises.js, linked once per page, never inlined (issue 17); no page declares
    thebe's configuration twice ("Identifier 'THEBE_JS_URL' has already been declared")."""
    import re

    pages = _require_site()
    assert (SITE / "_static" / page.ASSET).read_text(encoding="utf-8") == page.checker_js()
    for html in sorted(SITE.rglob("*.html")):
        text = html.read_text(encoding="utf-8", errors="replace")
        name = html.relative_to(SITE).as_posix()
        assert "root.FFNExercises = F" not in text, f"{name}: the checker is inlined"
        assert len(re.findall(r"THEBE_JS_URL\s*=", text)) <= 1, f"{name}: thebe's configuration twice"
        if name in set(pages.values()):
            assert len(re.findall(r'<script[^>]+src="[^"]*_static/ffn-exercises\.js', text)) == 1, name
