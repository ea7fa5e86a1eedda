"""No answer in plain sight: the text a reader meets before an exercise never shows that exercise's answer.

The book's pages in reading order (chapter notebooks by file name), cell by cell: markdown, the code that is
shown (not ``remove-input``), and each earlier exercise as it renders in the book (statement, and its worked
solution, collapsed but on the page). The notebooks are stored without outputs, so an answer a cell *prints*
is found in the built pages only: ``test_built_pages`` scans those when the book is built.
"""

import json
import os
import re
from pathlib import Path

import pytest

from ffn_lib import exercises as E
from ffn_lib.exercises import number_text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SITE = Path(os.environ.get("FFN_LIB_SITE") or ROOT / "_build" / "html")


def answer_forms(ex) -> list[str]:
    """The expected value as a learner would type it, when distinctive (at least 3 digits)."""
    e = float(ex.expected())
    if ex.integer or (e == int(e) and abs(e) < 1e15):
        n = int(e)
        forms = {str(n), f"{n:,}", f"{n:,}".replace(",", " "), f"{n:,}".replace(",", "\u202f")}
    else:
        tol = ex.tolerance(e)
        forms = {number_text.fmt_number(e)}
        for d in range(0, 12):  # the shortest rounding that passes, and the next two
            if abs(round(e, d) - e) <= tol:
                forms |= {f"{e:.{k}f}" for k in (d, d + 1, d + 2)}
                break
    return sorted(f for f in forms if sum(c.isdigit() for c in f.lstrip("-0.")) >= 3)


def hits(text: str, forms: list[str]) -> list[str]:
    found = []
    for form in forms:
        for m in re.finditer(r"(?<![\d.,])" + re.escape(form) + r"(?![\d]|[.,]\d)", text):
            found.append(f"{form!r} in ...{text[max(0, m.start() - 60):m.end() + 20]!r}...")
    return found


def _chapter_of(nb) -> int | None:
    for cell in nb["cells"]:
        m = re.search(r"exercises\.chapter\((\d+)\)", "".join(cell["source"]))
        if m:
            return int(m.group(1))
    return None


def reading_order():
    """(exercise, text before it) in the book's order."""
    before, out = [], []
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        number = _chapter_of(nb)
        for index, cell in enumerate(nb["cells"]):
            source = "".join(cell["source"])
            shown = re.fullmatch(r"\s*ex\.q(\d+)\s*", source)
            if cell["cell_type"] == "code" and shown and number is not None:
                ex = E.chapter(number)._exercises[int(shown.group(1)) - 1]
                out.append((ex, "\n".join(before)))
                before.append(f"[{path.name} cell {index}] " + ex.book_markdown())
            elif cell["cell_type"] == "markdown" or "remove-input" not in cell.get("metadata", {}).get("tags", []):
                before.append(f"[{path.name} cell {index}] {source}")
    return out


ORDER = reading_order()


def test_every_exercise_is_found_in_its_chapter():
    assert {ex.id for ex, _ in ORDER} == {ex.id for ex in E.all_exercises()}


# Known hits, reported to the notebook's owner: exercise title -> reason, each an xfail marker (strict: once the
# text changes, its marker must go). None now.
KNOWN_HITS: dict[str, str] = {}


def _cases():
    for ex, text in ORDER:
        if ex.kind != "a number":
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_HITS[ex.title])] if ex.title in KNOWN_HITS else []
        yield pytest.param(ex, text, id=ex.id, marks=marks)


@pytest.mark.parametrize("ex, text", list(_cases()))
def test_no_answer_before_its_exercise(ex, text):
    found = hits(text, answer_forms(ex))
    assert not found, f"exercise {ex.id}'s answer appears before it: " + "; ".join(found[:3])


def test_the_scan_finds_a_planted_answer():
    ex = next(ex for ex, _ in ORDER if ex.kind == "a number" and ex.integer)
    n = int(ex.expected())
    assert hits(f"the width is {n:,} here", answer_forms(ex)) and not hits(f"{n}1 and 9{n}", answer_forms(ex))


def _page_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ")


def test_built_pages():
    """The pages as built, outputs included: the chapter's text before each exercise's widget."""
    if not (SITE / "index.html").exists():
        pytest.skip(f"the book is not built in {SITE}")
    pages = {}
    for html in SITE.rglob("*.html"):
        raw = html.read_text(encoding="utf-8", errors="replace")
        for ex in E.all_exercises():
            i = raw.find(f'data-ffn-ex="{ex.id}"')
            if i >= 0:
                pages.setdefault(html.stem, []).append((ex, i))
    problems = []
    for name in sorted(pages):  # chapter pages are named 01_..., 02_...
        # Each exercise against its own chapter's text before it: an earlier chapter's measured numbers (a
        # timing ratio of 2.55x, say) can equal a later exercise's machine-dependent answer by coincidence.
        raw = (SITE / next(SITE.rglob(f"{name}.html")).relative_to(SITE)).read_text(encoding="utf-8")
        for ex, i in sorted(pages[name], key=lambda p: p[1]):
            if ex.kind == "a number":
                problems += [f"{ex.id}: {h}" for h in hits(_page_text(raw[:i]), answer_forms(ex))]
    assert not problems, "\n".join(problems[:10])
