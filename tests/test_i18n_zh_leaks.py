"""English left behind in the built 简体中文 edition (_build/html/zh; FFN_LIB_BOOK_HTML points at another build).

Three leaks are looked for in the prose of each chapter and page, that is the text of the article outside code,
maths, citations, links to references, English quoted as such (in “…”, a gloss in （…）, a chapter's reference
list, the recorded English of ``quoted_original``) and the glossary's English column:

* a run of three or more Latin words in a row ("the activation's backward"): an untranslated message or label;
* a Han character (or a code span after one) followed by "." or ";", or ";" before Chinese ("…核函数完成.",
  "实现 eager; 阶段"): a sentence or list assembled with English punctuation;
* a space between two Han characters ("与 参数相同，内存不同 一节"): a title or field spliced in with spaces.

What else may stay English is listed in :data:`ALLOWED` with the reason; citations are checked on their own (no
"others", "contributors" or "et al." in a zh citation). Skipped when the book is not built.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bookutil import ALL_PAGES, HTML, require_book

ZH = HTML / "zh"
EXTRA_PAGES = ["book/about-the-source.html", "book/gpu-results.html", "book/hardware.html", "book/notation.html",
               "book/status.html", "book/glossary.html", "book/solutions.html"]
PAGES = [*ALL_PAGES, *EXTRA_PAGES]

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a "word": letters with inner apostrophes, hyphens, dots or digits ("activation's", "Liger-Kernel", "v1.1")
WORD = r"[A-Za-z][A-Za-z0-9]*(?:['’\-.][A-Za-z0-9]+)*"
MIN_WORDS = 3
LATIN_RUN = re.compile(rf"{WORD}(?:,?[ \u00a0]+{WORD}){{{MIN_WORDS - 1},}}")
SKIPPED = "⟦⟧"   # where a skipped element (code, maths, a citation) was: the words either side are not one run
# a Han character, or a code span right after Chinese, then "." or ";" ending the clause
HAN_LATIN_STOP = re.compile(f"(?:[{HAN}]|[{HAN}]? ?{SKIPPED})[.;](?![\\w.])|;(?= ?[{HAN}])")
# English that is quoted as such: inside “…”, and a gloss in full-width brackets with no Chinese in it
# ("高斯误差线性单元（Gaussian Error Linear Unit，GELU）", "“没有明显的计算缺点”（no apparent computational drawbacks）")
QUOTED = re.compile(f"“[^“”]*”|（[^（）{HAN}]*）|「[^「」]*」|(?<=（)[^（），{HAN}]+(?=，)")
# a line of a chapter's reference list (ffn_lib.sources.reference_list): "Author (2017), “Title”, where"
# a space between two Han characters: a spliced title or field ("与 参数相同，内存不同 一节")
HAN_SPACE_HAN = re.compile(f"[{HAN}] [{HAN}]")
REFERENCE_ENTRY = re.compile(r"^[^“]{2,80} \(\d{4}[a-z]?\), “")

# elements whose text is never prose: code, maths, scripts, the navigation
SKIP_TAGS = {"code", "pre", "kbd", "samp", "tt", "script", "style", "svg", "math", "nav", "button", "template"}
SKIP_CLASSES = {"math", "MathJax", "highlight", "bibtex-citation", "citation", "cell_input", "headerlink",
                "toctree-wrapper", "docutils literal", "ffn-lang-en", "sig", "pre"}
BLOCKS = {"p", "li", "td", "th", "tr", "table", "ul", "ol", "div", "dd", "dt", "dl", "h1", "h2", "h3", "h4", "h5",
          "h6", "figure", "figcaption", "caption", "summary", "details", "section", "blockquote"}
BLOCK_END = "\x00"   # between blocks (paragraphs, list items, cells); a line break inside one is a space
RECORDED_LABEL = "记录的原文（英文）："   # ffn_lib.i18n.quoted_original's label: the block quote after it is English

# What may stay English in zh prose, each with its reason (a regular expression matched against the whole run).
ALLOWED: list[tuple[str, str]] = [
    (r"(?:[gu]\d )+[gu]\d", "the elements of a tensor in a layout diagram (g0 g1 u0 u1)"),
    (r"(?i)hugging face(?: llama(?: mlp)?)?", "a library's and a model's names (Hugging Face's Llama MLP)"),
    (r"T5 v1\.1 base", "a checkpoint's name"),
    (r"GEGLU, tanh GELU", "a variant named by its gate and the form of GELU it uses, the library's labels"),
    (r"\w+ vs \w+", "a pair of variants compared (\"GEGLU vs GELU\"), the library's labels; vs is common in "
     "Chinese technical writing"),
    (r"GPU Speed Of Light Throughput|Memory Workload Analysis", "Nsight Compute's section names, as it prints them"),
    (r"Biometrika Tables for Statisticians", "a cited book's title, by name"),
    (r"(?:NVIDIA|AMD|Intel|Apple) [A-Za-z0-9 ]+", "a vendor's product (GPU, CPU), by its name"),
    (r"share of copy", "the glossary's note names the English term it translates"),
]
_ALLOWED = [(re.compile(p), why) for p, why in ALLOWED]


class Prose(HTMLParser):
    """The article's prose: the text outside the skipped elements, a skipped element's place marked SKIPPED."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []   # (tag, skipped)
        self.in_article = 0
        self.pieces: list[str] = []
        self.last_text = ""
        self.glossary_column = 0   # the glossary table's column (its first, English column is English by design)

    VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "col", "area", "base", "embed"}

    def skipped(self) -> bool:
        return any(s for _, s in self.stack) or not self.in_article

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        in_glossary = any(t == "glossary" for t, _ in self.stack)
        if in_glossary and tag == "tr":
            self.glossary_column = 0
        if in_glossary and tag in ("td", "th"):
            self.glossary_column += 1
        skip = (tag in SKIP_TAGS or bool(classes & SKIP_CLASSES)
                or (tag == "a" and "reference" in classes and "external" in classes)
                or (tag == "blockquote" and self.last_text.rstrip().endswith(RECORDED_LABEL))
                or (in_glossary and tag in ("td", "th") and self.glossary_column == 1))
        if tag == "table" and "ffn-glossary" in classes:
            tag = "glossary"   # the glossary's table, told apart on the stack
        if tag == "article" and "bd-article" in classes:
            self.in_article += 1
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == "article" and self.in_article:
                self.in_article -= 1
            if open_tag == tag or (open_tag == "glossary" and tag == "table"):
                break
        if tag in BLOCKS:
            self.pieces.append(BLOCK_END)

    def handle_data(self, data):
        if not data.strip():
            if self.pieces and not self.skipped():
                self.pieces.append(data)
            return
        if not self.skipped():
            self.pieces.append(data)
            self.last_text = data
        elif self.in_article and (not self.pieces or self.pieces[-1] != SKIPPED):
            self.pieces.append(SKIPPED)   # a skipped element: its neighbours are not one run of words


def prose(path) -> list[str]:
    """The page's prose, one line per block (paragraph, list item, table cell)."""
    p = Prose()
    p.feed(path.read_text(encoding="utf-8"))
    return [" ".join(line.split()) for line in "".join(p.pieces).split(BLOCK_END) if line.strip()]


def allowed(run: str) -> str | None:
    for pattern, why in _ALLOWED:
        if pattern.fullmatch(run):
            return why
    return None


def leaks(lines: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """(Latin runs not allowed, Han-then-Latin-stop places, spaces between Han characters), each with the line's
    context."""
    runs, stops, spaces = [], [], []
    for line in lines:
        quoted = [m.span() for m in QUOTED.finditer(line)]
        for m in LATIN_RUN.finditer(line):
            inside = any(a <= m.start() and m.end() <= b for a, b in quoted)
            if not inside and not REFERENCE_ENTRY.match(line) and allowed(m.group(0)) is None:
                runs.append((m.group(0), line[max(0, m.start() - 30):m.end() + 30]))
        for m in HAN_LATIN_STOP.finditer(line):
            stops.append((m.group(0), line[max(0, m.start() - 40):m.end() + 20]))
        for m in HAN_SPACE_HAN.finditer(line):
            spaces.append((m.group(0), line[max(0, m.start() - 30):m.end() + 30]))
    return runs, stops, spaces


# --- the scanner itself, on a small page (no build needed) --------------------------------------------------------

PAGE = """<html><body><nav>Skip to main content now please</nav><article class="bd-article">
<p>普通块的峰值出现在 the activation’s backward，此时存活着 3 个张量.</p>
<p>用 <code>torch.compile of the whole thing</code> 编译；<span class="math">\\(a b c d e\\)</span>。</p>
<p>见<span class="bibtex-citation">（Rouhani 和 others，2023）</span>与 <a class="reference external" href="x">Read the
activation name here</a>。高斯误差线性单元（Gaussian Error Linear Unit，GELU），“no apparent computational
drawbacks”。sigmoid 加权线性单元（sigmoid-weighted linear unit，同样简称 SiLU）。</p>
<p>记录的原文（英文）：</p><blockquote><p>three kernels per pass on the GPU; fused.</p></blockquote>
<p>实现均为 eager; 阶段为前向。见 Hugging Face Llama MLP 的键。本课程的核函数 <code>kernels.act_mul</code>.</p>
<table class="ffn-glossary"><tr><td><p>mixture of experts</p></td><td><p>混合专家</p></td>
<td><p>share of copy the suite reports</p></td></tr></table>
<table><tr><td>liger：Liger-Kernel 的融合算子.</td></tr></table>
</article><footer>By the course authors and friends</footer></body></html>"""


def test_the_scanner_finds_runs_and_stops_in_prose_only(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    runs, stops, spaces = leaks(prose(page))
    assert [r for r, _ in runs] == ["the activation’s backward", "share of copy the suite reports"]
    assert [s for s, _ in stops] == ["量.", ";", f"数 {SKIPPED}.", "子."]
    assert not spaces
    runs, stops, spaces = leaks(["它看起来与 参数相同，内存不同 一节相矛盾"])
    assert [s for s, _ in spaces] == ["与 参", "同 一"]


# --- the built edition ---------------------------------------------------------------------------------------------


def _page(name):
    require_book()
    path = ZH / name
    if not path.exists():
        pytest.skip(f"{path} is not built")
    return path


@pytest.mark.parametrize("name", PAGES)
def test_no_english_runs_in_zh_prose(name):
    runs, _, _ = leaks(prose(_page(name)))
    assert not runs, f"{name}: {len(runs)} English run(s) in the 简体中文 prose:\n" + "\n".join(
        f"  {run!r}  in  …{context}…" for run, context in runs[:40])


@pytest.mark.parametrize("name", PAGES)
def test_no_latin_full_stop_after_chinese(name):
    _, stops, _ = leaks(prose(_page(name)))
    assert not stops, f"{name}: {len(stops)} Latin '.'/';' after a Han character:\n" + "\n".join(
        f"  {stop!r}  in  …{context}…" for stop, context in stops[:40])


@pytest.mark.parametrize("name", PAGES)
def test_zh_citations_have_no_english_words(name):
    text = _page(name).read_text(encoding="utf-8")
    cites = re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', text, flags=re.S)
    bad = [re.sub(r"<[^>]+>", "", c) for c in cites if re.search(r"\b(others|contributors|et al)\b",
                                                                re.sub(r"<[^>]+>", "", c))]
    assert not bad, f"{name}: {bad[:5]}"


@pytest.mark.parametrize("name", PAGES)
def test_no_space_between_han_characters(name):
    _, _, spaces = leaks(prose(_page(name)))
    assert not spaces, f"{name}: {len(spaces)} space(s) between Han characters:\n" + "\n".join(
        f"  {space!r}  in  …{context}…" for space, context in spaces[:40])
