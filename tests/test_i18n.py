"""ffn_lib's message catalogue: the language choice, the .po reader, and a catalogue complete for the source.

The completeness tests are what keep the two languages in step: a new or changed English message without its
Chinese (or with a fuzzy one, or with different named fields) fails here, so it cannot land.
"""
import io
import string
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from ffn_lib import figure_text, i18n, plotting  # noqa: E402,F401  (plotting installs the hook)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
babel = pytest.importorskip("babel")
import i18n as i18n_script  # noqa: E402  (scripts/i18n.py)


def fields(message: str) -> set[str]:
    """The named fields of a str.format message ("{ratio:.2f}" -> "ratio"; "{{" is a literal brace)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(message)
            if name is not None}


# --- choosing the language ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [("zh", "zh"), ("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"),
                                             ("en_GB", "en"), ("EN", "en")])
def test_the_environment_chooses_the_language(monkeypatch, value, expected):
    monkeypatch.setenv(i18n.ENV, value)
    assert i18n.language() == expected


def test_explicit_choice_wins_and_none_returns_to_the_environment(monkeypatch):
    monkeypatch.setenv(i18n.ENV, "en")
    i18n.set_language("zh")
    assert i18n.language() == "zh"
    i18n.set_language(None)
    assert i18n.language() == "en"


def test_the_locale_is_read_when_nothing_else_is_set(monkeypatch):
    for name in (i18n.ENV, "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.language() == "zh"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert i18n.language() == "en"


@pytest.mark.parametrize("bad", ["fr", "", 3])
def test_a_language_the_course_lacks_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="set_language: lang must be one of 'en', 'zh'"):
        i18n.set_language(bad)


def test_an_unknown_environment_value_warns_once_and_writes_english(monkeypatch):
    monkeypatch.setenv(i18n.ENV, "klingon")
    i18n._warned.discard("klingon")
    with pytest.warns(UserWarning, match="FFN_LIB_LANG='klingon'"):
        assert i18n.language() == "en"


# --- the .po reader ----------------------------------------------------------------------------------------------

PO = r'''
msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\n"

#, fuzzy
msgid "Peak memory"
msgstr "峰值内存"

msgid "{n} exercise"
msgid_plural "{n} exercises"
msgstr[0] "{n} 道练习"

msgctxt "verdict"
msgid "close"
msgstr "接近"

msgid "two\n"
"lines \"quoted\""
msgstr "两行\n"
"「引号」"
#~ msgid "gone"
#~ msgstr "已删"
'''


def test_the_reader_reads_flags_plurals_contexts_and_continuations():
    got = i18n.parse_po(PO)
    assert got[(None, "Peak memory")]["fuzzy"] is True
    assert got[(None, "{n} exercise")] == {"msgstr": ["{n} 道练习"], "plural": "{n} exercises", "fuzzy": False}
    assert got[("verdict", "close")]["msgstr"] == ["接近"]
    assert got[(None, 'two\nlines "quoted"')]["msgstr"] == ["两行\n「引号」"]
    assert (None, "gone") not in got and (None, "") not in got


def test_a_broken_line_is_reported_with_its_number():
    with pytest.raises(ValueError, match="line 2"):
        i18n.parse_po('msgid "a"\nmsgtsr "b"\n')


def test_the_reader_agrees_with_babel_on_the_real_catalogue():
    ours = i18n.parse_po(i18n.CATALOGUE["zh"].read_text(encoding="utf-8"))
    theirs = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m
              for m in i18n_script.read(i18n.CATALOGUE["zh"]) if m.id}
    assert set(ours) == set(theirs)
    for key, entry in ours.items():
        string_ = theirs[key].string
        assert entry["msgstr"] == (list(string_) if isinstance(string_, tuple) else [string_]), key


# --- the catalogue against the source ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalogue():
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in i18n_script.read(i18n.CATALOGUE["zh"]) if m.id}


def test_every_message_in_the_source_is_in_the_catalogue_and_nothing_stale(catalogue):
    source = {msgid for msgid, _, _ in i18n_script.library_messages()}
    missing = sorted(source - set(catalogue))
    stale = sorted(set(catalogue) - source)
    assert not missing, f"run `python scripts/i18n.py library`, then translate: {missing[:5]}"
    assert not stale, f"run `python scripts/i18n.py library`: no longer in the source: {stale[:5]}"


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    empty = [k for k, m in catalogue.items() if not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [k for k, m in catalogue.items() if m.fuzzy]
    assert not empty, f"{len(empty)} messages without a translation, e.g. {empty[:3]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy translations to check, e.g. {fuzzy[:3]}"


def test_translations_keep_the_named_fields(catalogue):
    wrong = []
    for msgid, m in catalogue.items():
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            if s and fields(s) != fields(msgid):
                wrong.append((msgid, s))
    assert not wrong, wrong[:3]


def test_extraction_finds_each_kind_of_marked_message():
    src = ('tr("one {x}", x=1)\nntr("{n} cat", "{n} cats", 2, n=2)\nA = N_("a constant label")\n'
           'ax.set(title="A title here", xlabel="x")\nax.set_title("Set by method")\ntr(f"not {1}")\n')
    lib = {m for m, _, _ in i18n_script.messages_in(src, "lib.py")}
    nb = {m for m, _, _ in i18n_script.messages_in(src, "nb", plot_arguments=True)}
    assert lib == {"one {x}", "{n} cat", "a constant label"}
    assert nb == lib | {"A title here", "Set by method"}   # "x" is a symbol, not a label


def test_extraction_reads_the_marked_messages_of_a_pages_code_cells():
    page = ('# A page\n\nprose tr("not code")\n\n```{code-cell} ipython3\n:tags: [hide-input]\n\nx = 1\n'
            'tr("first {n}", n=x)\n```\n\n```python\ntr("a plain code block is not run")\n```\n\n'
            '```{code-cell} ipython3\nMarkdown(tr("second"))\n```\n')
    cells = i18n_script.page_code_cells(page)
    assert len(cells) == 2 and cells[0].splitlines()[0] == ""   # the option line blanked, line numbers kept
    found = [(m, where) for i, c in enumerate(cells) for m, _, where in i18n_script.messages_in(c, f"p.md#cell{i}")]
    assert found == [("first {n}", "p.md#cell0:4"), ("second", "p.md#cell1:1")]
    hardware = {m for m, _, where in i18n_script.library_messages() if where.startswith("book/hardware.md#")}
    assert "fused Triton kernels" in hardware


# --- formatting and figures --------------------------------------------------------------------------------------

def _some_translated(catalogue):
    for msgid, m in catalogue.items():
        if isinstance(m.string, str) and m.string and m.string != msgid and not fields(msgid):
            return msgid, m.string
    pytest.skip("the catalogue has no translated message without fields yet")


def test_tr_translates_in_chinese_and_formats(catalogue):
    msgid, zh = _some_translated(catalogue)
    assert i18n.tr(msgid) == msgid
    i18n.set_language("zh")
    assert i18n.tr(msgid) == zh
    assert i18n.tr("not a message {x}", x=3) == "not a message 3"
    assert i18n.ntr("{n} thing", "{n} things", 2, n=2) == "2 things"


def test_a_figure_is_drawn_in_the_readers_language(catalogue):
    msgid, zh = _some_translated(catalogue)
    fig, ax = plt.subplots()
    ax.set_title(msgid)
    ax.set_xlabel("GELU")   # a name: not a message, left alone
    fig.savefig(io.BytesIO(), format="png")
    assert ax.get_title() == msgid
    if figure_text.cjk_family() is None:
        pytest.skip("no CJK font here (mplfonts not installed)")
    i18n.set_language("zh")
    fig.savefig(io.BytesIO(), format="png")
    assert ax.get_title() == zh and ax.get_xlabel() == "GELU"
    assert figure_text.cjk_family() in ax.title.get_fontfamily()
    plt.close(fig)


def test_without_a_cjk_font_figures_stay_english_and_say_why(monkeypatch, catalogue):
    msgid, _ = _some_translated(catalogue)
    monkeypatch.setattr(figure_text, "cjk_family", lambda: None)
    monkeypatch.setattr(figure_text.translate, "_warned", False, raising=False)
    i18n.set_language("zh")
    fig, ax = plt.subplots()
    ax.set_title(msgid)
    with pytest.warns(UserWarning, match="no font with Chinese glyphs"):
        assert figure_text.translate(fig) == 0
    assert ax.get_title() == msgid
    plt.close(fig)


def test_exercise_texts_are_messages_where_they_are_written():
    src = ('EX = [NumberExercise(title="A title", statement=r"Compute $x$.", hints=["first", "second {c}".format(c=1)],\n'
           '      mistakes=[(lambda: 1, "that is one."), (lambda: 2, "that is two.")], options={"a": "opt a"},\n'
           '      starter="answer = ...")]\nS = {1: Solution("Because.", "answer = 1")}\n'
           'TEXTS = {"ok": "Exercise {id} is right.", "code": "x"}\n')
    got = {m for m, _, _ in i18n_script.exercise_messages(src, "chapter9.py")}
    assert got == {"A title", "Compute $x$.", "first", "second {c}", "that is one.", "that is two.", "opt a",
                   "Because.", "Exercise {id} is right."}


def test_chinese_words_around_maths_are_drawn_in_the_cjk_font(monkeypatch, caplog):
    if figure_text.cjk_family() is None:
        pytest.skip("no CJK font here (mplfonts not installed)")
    monkeypatch.setattr(i18n, "translate_text", lambda text: "门控函数 $\\mathrm{act}(g)$ 的图像")
    i18n.set_language("zh")
    fig, ax = plt.subplots()
    ax.set_title("The gate functions $\\mathrm{act}(g)$")
    with caplog.at_level("WARNING", logger="matplotlib"):
        fig.savefig(io.BytesIO(), format="png")
    assert "does not have a glyph" not in caplog.text
    assert ax.title.get_fontfamily() == [figure_text.cjk_family()]
    plt.close(fig)


def test_in_chinese_every_new_text_falls_back_to_the_cjk_font(monkeypatch):
    import matplotlib
    if figure_text.cjk_family() is None:
        pytest.skip("no CJK font here (mplfonts not installed)")
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["DejaVu Sans"])
    assert not figure_text.use_cjk_fallback()   # English: nothing changes
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans"]
    i18n.set_language("zh")
    assert figure_text.use_cjk_fallback()
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", figure_text.cjk_family()]
    fig, ax = plt.subplots()
    ax.set_title("峰值显存")   # Chinese not through the catalogue: drawn without a missing-glyph warning
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_updating_the_library_catalogue_changes_nothing_when_nothing_is_new(tmp_path, monkeypatch):
    """`scripts/i18n.py library` once wrote each message's line number and a new creation date, so any run
    rewrote ~2,700 lines of ffn_lib.po (helpers hand-picked their entries back out of it). Run on the committed
    catalogue, it must now leave the file byte for byte as it was."""
    copy = tmp_path / "ffn_lib.po"
    committed = i18n.CATALOGUE["zh"]
    copy.write_bytes(committed.read_bytes())
    monkeypatch.setattr(i18n_script, "LIBRARY_PO", copy)
    i18n_script.update_library()
    assert copy.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")


# --- the registry line and the citations in it (chapters 1, 2) ----------------------------------------------

def test_an_activations_summary_is_one_whole_message_in_either_language():
    from ffn_lib import cite, get_activation

    squared, gelu = get_activation("squared_relu"), get_activation("gelu")
    source = cite(squared.source)
    assert squared.summary() == (f"{squared.description}: ${squared.formula}$ "
                                 f"(source: {source.authors}, {source.year})")   # what chapter 1 printed
    assert gelu.summary(full_source=True) == (f"{gelu.description}: ${gelu.formula}$ "
                                              f"(source: {cite(gelu.source)})")   # and chapter 2
    i18n.set_language("zh")
    try:
        assert squared.summary() == ("平方 ReLU（Primer；Nemotron-4）：$" + squared.formula + "$（出处：So 等人，2021）")
        full = gelu.summary(full_source=True)
        assert full.endswith("$（出处：Hendrycks 和 Gimpel（2016），“Gaussian Error Linear Units (GELUs)”，"
                             "arXiv:1606.08415）") and "source" not in full
        assert cite("ramachandran2017swish").cited_authors == "Ramachandran、Zoph 和 Le"
    finally:
        i18n.set_language(None)


def test_a_legend_label_made_by_an_f_string_is_translated_from_its_template():
    """Chapter 1's legend entries are f"batch of {n:,}" in its code: the figure draws them from the template."""
    assert figure_text.translate_label("batch of 4,096") == "batch of 4,096"   # English: as written
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="batch of 4,096")
    ax.plot([0, 1], [1, 0], label="batches of 16")   # no template: left alone
    legend = ax.legend()
    if figure_text.cjk_family() is None:
        pytest.skip("no CJK font here (mplfonts not installed)")
    i18n.set_language("zh")
    try:
        assert figure_text.translate_label("batch of 4,096") == "4,096 个输入的批量"
        fig.savefig(io.BytesIO(), format="png")
        assert [t.get_text() for t in legend.get_texts()] == ["4,096 个输入的批量", "batches of 16"]
    finally:
        i18n.set_language(None)
        plt.close(fig)
