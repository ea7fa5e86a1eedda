"""The book page's exercise checker agrees with the Python checker on every recorded answer.

The checker (``ffn_lib.exercises.page.checker_js()``, the site's one static script) runs in Node when it is
installed, else in Chromium through Playwright; the test is skipped, saying why, when neither is available. A second
test drives the real widgets (answer box, Check button, hints, browser storage) in Chromium on a
small page generated here from the registry: no book build needed.
"""

import functools
import http.server
import json
import math
import os
import re
import shutil
import subprocess
import threading

import numpy as np
import pytest

from ffn_lib import exercises as E
from ffn_lib.exercises import base, number_text, page

EXERCISES = E.all_exercises()
PAGE_KINDS = ("a number", "a choice", "a shape")
CHECKABLE = [ex for ex in EXERCISES if ex.kind in PAGE_KINDS]
BY_ID = {ex.id: ex for ex in EXERCISES}

JUNK = ["abc", "1.2.3", "nan", "inf", "-inf", "0x10", "1e", "--1", "\uff11\uff12", "1/3", "2,09,712", "\u00bd",
        "1 000", "\t\n", "a" * 60, "<script>alert(1)</script>", "12 ", " 0.5\n", "(", "()", "[8, 128", "8,,2",
        "\u22121.5", "+7", ".5", "5.", "1E+03", "0012", "1e400", "-0", "(8, 128, 2048", "8 x 128 x 2048",
        "1/2", "3/2", "-1/2", "1/0", "1 / 4", "1/-2", "1.5/2", "4 722 432", "4\u202f722\u202f432",
        "4\u00a0722\u00a0432",
        "4_722_432", "4,722,432", "4,722,432.5", "1,234.5", "2,549", "-2,549", "12,345", "0,5", "0,500", "-0,093",
        "2,5491", "1234,5", "2,5e-3", "4 72 432", "4__722", "_4722", "1 000 000,5", "\u2212\u00bd",
        # a number with a unit (the learner trial typed "672 MiB"), and texts that only look like one
        "672 MiB", "672MiB", "672 mib", "1.9e10 FLOPs", "1.9e10 flop", "19 GFLOP", "9x", "9 \u00d7", "5 times",
        "10 %", "3 ms", "2 \u00b5s", "2 \u03bcs", "2 us", "1,5 GB", "2,549 MiB", "704 643 072 bytes", "12 B",
        "12 parameters", "0.5 nats", "3/4 x", "MiB", "x", "7 foo", "7 m i b", "1e MiB", "-3 s", "0x10 MiB", "4.72M",
        "4722 k", "4.7 million", "19 G", "12 bits", "2 bn"]
UNITS_PROBED = ["", "bytes", "FLOPs", "parameters", "nats"]


def recorded_answers(ex):
    """The right answer, each known mistake (at its centre and inside its band), near misses, and junk."""
    answers = ["", "   "] + JUNK
    if ex.kind == "a number":
        e = float(ex.expected())
        tol = ex.tolerance(e)
        answers += [number_text.fmt_number(e), f" {number_text.fmt_number(e)} ", number_text.fmt_number(e + 0.5 * tol)]
        step = max(3 * tol, 1.0 if ex.integer else 1e-6 * max(1.0, abs(e)))
        answers += [number_text.fmt_number(e + step), number_text.fmt_number(e - step), number_text.fmt_number(-e)]
        answers += [number_text.fmt_number(e * 1.005), number_text.fmt_number(e * 0.995), number_text.fmt_number(-e * 1.003)]  # close, sign
        answers += [number_text.fmt_number(e / f) for f in (1e3, 2**10, 2**20, 1e9, 2**30)] + [number_text.fmt_number(e * 1e3)]
        if ex.integer:
            answers += [f"{int(e):,}", number_text.fmt_number(e + 0.5), f"{int(e):,}".replace(",", "."),
                        f"{int(e) + 1:,}".replace(",", "."), f"{int(e):,} {ex.unit}".strip()]
        # two numbers where one is asked for (an interval typed for its half-width), and texts that only look so
        answers += [f"{number_text.fmt_number(e)}, {number_text.fmt_number(2 * e)}", "-0.0324, 0.0024",
                    "[0.1; 0.2]", "1 to 2", "1,2,3", "(0.5, x)", "17.920", "4.722.432", "1.234.5"]
        for k in range(1, 6):  # the answer rounded to k significant digits, as a learner types it
            rounded = f"{e:.{k - 1}e}"
            answers += [rounded, number_text.fmt_number(float(rounded)), f"{float(rounded):,}"]
        right = number_text.fmt_number(e)
        answers += [f"{right} {u}" for u in ("bytes", "MiB", "FLOPs", "parameters", "nats", "x")]
        answers += [f"{right}{ex.unit}", f"{f'{e:.1e}'} {ex.unit}".strip()]
        if e < 0:
            answers.append("\u2212" + number_text.fmt_number(-e))
        # a half-width typed with its ± (read as the number only where the exercise asks for a half-width)
        answers += [f"\u00b1{right}", f"\u00b1 {right}", f"+/-{right}", f"+- {right} {ex.unit}".strip(), "\u00b1",
                    f"\u00b1-{right}", f"\u00b1\u00b1{right}", f"{right}\u00b1"]
        # three numbers or more where one is asked for, and a p-value typed with its label
        answers += [f"{right}, {right}, 0.300", f"[{right}; 1; 2]", "(1, 2, 3)", "1, 2, 3, ", "1, 2, x", "1;2;3;4",
                    f"p = {right}", f"P={right}", "p = ", f"p = {right} %", f"q = {right}"]
        answers += ["3^2", "3 ^ 2", "2**10", "-2^3", "1.5^2", "3^", "^2", "3^2^2", "3^-1", "\u22122^2"]
        percent = number_text.fmt_number(e * 100)  # a percentage typed for a fraction, with and without the sign
        answers += [percent, f"{percent}%", f"{percent} %", f"{number_text.fmt_number(e * 2)}/2", "50%", "-5.57%"]
        for v, t, _ in ex.known_mistakes():
            answers += [number_text.fmt_number(v), number_text.fmt_number(v + 0.5 * t)]
    elif ex.kind == "a choice":
        answers += [v for v in ex.options.values()] + [f" {v.upper()}. " for v in ex.options.values()]
        answers += [v + " x" for v in ex.options.values()] + ["GEGLU", "relu(x)", "x", "ReLU", "$\\sigma(x)$"]
        answers += list(ex.options) + [f"({k.upper()})" for k in ex.options] + [" c ", "z", "ab", "(a", "b.", "(C).", " d. ", "a..", "b.c"]
        # a letter typed with its option's text, as printed ("(c) GEGLU"), and with another option's text
        letters = list(ex.options)
        for k, v in ex.options.items():
            answers += [f"({k}) {v}", f"({k.upper()}){v}", f"{k}: {v}", f"{k}) {v.lower()}.", f" {k} - {v} ",
                        f"{k}. {v}", f"({k}): {v}", f"z) {v}", f"{k}{v}"]
            other = letters[(letters.index(k) + 1) % len(letters)]
            answers += [f"({other}) {v}", f"{other}: {v}"]
    else:
        shape = tuple(ex.expected())
        answers += [number_text.fmt_shape(shape), str(list(shape)), " x ".join(map(str, shape)),
                    number_text.fmt_shape(shape[:-1]), number_text.fmt_shape(shape + (1,)),
                    number_text.fmt_shape((shape[0] + 1,) + shape[1:])]
        answers += [number_text.fmt_shape(w) for w, _ in ex.known_mistakes()]
        answers += ["(" + ", ".join(f"{n}.0" for n in shape) + ")", f"{shape[0]} x 2.5", "(8.5,)"]
    return answers


def _run_node(script, payload):
    node = shutil.which("node")
    if node is None:
        return None
    proc = subprocess.run([node, "-e", script], input=json.dumps(payload), capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


NODE_SCRIPT = r"""
const fs = require("fs");
const payload = JSON.parse(fs.readFileSync(0, "utf8"));
const F = (new Function("module", "globalThis", payload.checker + "; return module.exports;"))({exports: {}}, {});
const out = {verdicts: payload.cases.map(([id, text]) => F.verdict(payload.specs[id], text, payload.hints || 0)),
             formats: payload.floats.map((v) => F.fmt(v))};
process.stdout.write(JSON.stringify(out));
"""

BROWSER_SCRIPT = """(payload) => {
  const F = window.FFNExercises;
  return {verdicts: payload.cases.map(([id, text]) => F.verdict(payload.specs[id], text)),
          formats: payload.floats.map((v) => F.fmt(v))};
}"""


def _chromium():
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _run_browser(payload):
    executable = _chromium()
    if executable is None:
        return None
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page()
            tab.set_content("<!doctype html><title>checker</title>")
            tab.add_script_tag(content=page.checker_js())
            return tab.evaluate(BROWSER_SCRIPT, payload)
        finally:
            browser.close()


def _floats():
    rng = np.random.default_rng(12)
    values = [0.0, -0.0, 1.0, -1.5, 0.1, 0.1 + 0.2, 1e-4, 9.99e-5, 1e-5, 1.5e-7, 123456.789, 1e15 + 0.5, 1e16, 2.5e16,
              1.7976931348623157e308, 5e-324, 2099712.0, 4722432.5, -0.10021080190328713, 1e21, 123456789012345678.0]
    values += list(rng.normal(size=40) * 10.0 ** rng.integers(-12, 18, size=40))
    return [float(v) for v in values]


def test_page_checker_agrees_with_the_python_checker_on_every_recorded_answer():
    cases = [(ex.id, text) for ex in CHECKABLE for text in recorded_answers(ex)]
    payload = {"checker": page.checker_js(), "specs": {ex.id: ex.page_spec() for ex in CHECKABLE},
               "cases": cases, "floats": _floats()}
    out = _run_node(NODE_SCRIPT, payload)
    if out is None:
        out = _run_browser(payload)
    if out is None:
        pytest.skip("neither Node (`node`) nor Chromium is installed: the page checker cannot be run here")
    assert len(out["verdicts"]) == len(cases)
    disagreements = []
    for (ex_id, text), js in zip(cases, out["verdicts"]):
        py = BY_ID[ex_id].check_text(text)
        if (py.status, py.message) != (js["status"], js["message"]):
            disagreements.append(f"{ex_id} {text!r}: python {py.status}: {py.message} | page {js['status']}: "
                                 f"{js['message']}")
    assert not disagreements, "\n".join(disagreements[:20])
    for value, shown in zip(payload["floats"], out["formats"]):
        assert shown == number_text.fmt_number(value), value
    # The recorded answers cover every verdict: right, each mistake, too large/small, junk, empty.
    statuses = {(ex_id, js["status"]) for (ex_id, _), js in zip(cases, out["verdicts"])}
    for ex in CHECKABLE:
        assert {(ex.id, s) for s in base.STATUSES} <= statuses, ex.id


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_checker_agrees_in_each_language_once_every_hint_is_seen(lang):
    """The zh edition's script (its own UI and message templates, Chinese spacing) and the English one agree with the
    Python checker in that language, and both stop suggesting the next hint once every hint is shown."""
    from ffn_lib import i18n

    i18n.set_language(lang)
    seen = 5  # every exercise has fewer hints than this
    assert all(len(ex.hints) <= seen for ex in CHECKABLE)
    cases = [(ex.id, text) for ex in CHECKABLE for text in recorded_answers(ex)]
    payload = {"checker": page.checker_js(), "specs": {ex.id: ex.page_spec() for ex in CHECKABLE},
               "cases": cases, "floats": [], "hints": seen}
    out = _run_node(NODE_SCRIPT, payload)
    if out is None:
        pytest.skip("Node (`node`) is not installed: the page checker cannot be run here")
    disagreements = []
    for (ex_id, text), js in zip(cases, out["verdicts"]):
        py = BY_ID[ex_id].check_text(text, hints_seen=seen)
        if (py.status, py.message) != (js["status"], js["message"]):
            disagreements.append(f"{ex_id} {text!r}: python {py.message} | page {js['message']}")
    assert not disagreements, "\n".join(disagreements[:20])
    messages = [js["message"] for js in out["verdicts"]]
    assert not any("Try the next hint" in m or "试试下一条提示" in m for m in messages)
    assert any("You have seen every hint" in m for m in messages) == (lang == "en")
    assert any("所有提示你都已看过" in m for m in messages) == (lang == "zh")


def test_python_text_checks_match_object_checks():
    """check_text (the page's semantics) and check (the notebook's) give the same verdict on the same answer."""
    for ex in CHECKABLE:
        if ex.kind == "a number":
            e = float(ex.expected())
            for v in [e] + [v for v, _, _ in ex.known_mistakes()]:
                a, b = ex.check_text(number_text.fmt_number(v)), ex.check(v)
                assert (a.status, a.message) == (b.status, b.message), ex.id
        elif ex.kind == "a choice":
            for k in ex.options:
                assert ex.check_text(k).message == ex.check(k).message
        else:
            shape = tuple(ex.expected())
            assert ex.check_text(number_text.fmt_shape(shape)).message == ex.check(shape).message


NUMBER_TEXTS = {  # what a learner types -> the readings (two when ambiguous, none when not a number)
    "0.5": (0.5,), "-1.25e-3": (-1.25e-3,), "\u22120.25": (-0.25,), "1/2": (0.5,), "3/2": (1.5,), "-1/3": (-1 / 3,),
    "1/0": (), "2,099,712": (2099712.0,), "4 722 432": (4722432.0,), "4\u202f722\u202f432": (4722432.0,),
    "4_722_432": (4722432.0,), "1,234.5": (1234.5,), "0,5": (0.5,), "0,500": (0.5,), "-0,093": (-0.093,),
    "2,5491": (2.5491,), "2,549": (2.549, 2549.0), "nan": (), "inf": (), "0x10": (), "2,09,712": (), "\uff11": (),
    "4 72 432": (), "1,2,3": (), "1.5/2": (0.75,), "0.278465/5": (0.278465 / 5,), ".5/.25": (2.0,), "1/-2": (),
    "5./2": (2.5,), "1e-3/2": (),
}


def test_text_parsers():
    for text, readings in NUMBER_TEXTS.items():
        assert number_text.read_number(text) == readings, text
        assert number_text.parse_number_text(text) == (readings[0] if len(readings) == 1 else None), text
    assert number_text.parse_shape_text("[8, 128, 512]") == (8, 128, 512)
    assert number_text.parse_shape_text("8 \u00d7 128") == (8, 128)
    assert number_text.parse_shape_text("(3,)") == (3,)
    for junk in ("()", "(8.5, 2)", "8,,2", "(8, 2]", "a"):
        assert number_text.parse_shape_text(junk) is None, junk


def test_page_and_python_read_numbers_alike():
    """The page's parser, built from the same table (number_text.NUMBER_FORMS), reads every text the same."""
    texts = list(NUMBER_TEXTS) + JUNK
    out = _run_node(NODE_READ, {"checker": page.checker_js(), "texts": texts})
    if out is None:
        pytest.skip("Node (`node`) is not installed: the page's parser cannot be run here")
    for text, js in zip(texts, out):
        assert tuple(js) == tuple(number_text.fmt_number(v) for v in number_text.read_number(text)), text


NODE_UNITS = r"""
const fs = require("fs");
const payload = JSON.parse(fs.readFileSync(0, "utf8"));
const F = (new Function("module", "globalThis", payload.checker + "; return module.exports;"))({exports: {}}, {});
process.stdout.write(JSON.stringify({
  split: payload.texts.map((t) => F.splitUnit(t)),
  digits: payload.texts.map((t) => F.sigDigits(t)),
  rounds: payload.rounds.map(([e, v, k]) => F.roundsTo(e, v, k))}));
"""

ROUNDS = [(1.9327352832e10, 1.9e10, 2), (1.9327352832e10, 1.93e10, 3), (1.9327352832e10, 1.9e10, 3), (9.0, 10.0, 1),
          (9.96, 10.0, 1), (2.5, 3.0, 1), (2.5, 2.0, 1), (0.125, 0.13, 2), (-0.10021, -0.1, 1), (-0.10021, 0.1, 1),
          (4722432.0, 4700000.0, 2), (4722432.0, 4720000.0, 2), (1e-7, 1e-7, 1), (0.0, 0.0, 1), (3.0, 3.0, None),
          (1.5, 2.0, 16), (1e308, 1e308, 1), (0.045, 0.05, 1), (0.055, 0.06, 1), (1234.5, 1230.0, 3)]


def test_page_and_python_read_units_and_significant_digits_alike():
    """The learner trial: "1.9e10" for 1.93e10 is the answer to the digits typed ("give more digits"), and "672 MiB"
    is a number with a unit. Python and the page split units, count digits and round alike."""
    texts = list(NUMBER_TEXTS) + JUNK
    out = _run_node(NODE_UNITS, {"checker": page.checker_js(), "texts": texts, "rounds": ROUNDS})
    if out is None:
        pytest.skip("Node (`node`) is not installed: the page's parser cannot be run here")
    for text, split, digits in zip(texts, out["split"], out["digits"]):
        py = number_text.split_unit(text)
        assert (list(py) if py else None) == split, text
        assert number_text.significant_digits(text) == digits, text
    assert out["rounds"] == [number_text.rounds_to(e, v, k) for e, v, k in ROUNDS]
    assert out["rounds"][:5] == [True, True, False, False, True], "9 rounded to 1 digit is 9, not 10"
    assert number_text.split_unit("672 MiB") == ("672", "MiB") and number_text.split_unit("7 foo") is None
    assert [number_text.significant_digits(t) for t in ("1.9e10", "0.0190", "19000", "19000.", "3/4", "0")] == \
        [2, 3, 2, 5, None, None]


@pytest.mark.parametrize("ex_id, typed, status, words", [
    ("1.4", "1.9e10", "incorrect", "the answer rounded to the digits you gave"),  # 1.7% off, 2 digits typed
    ("1.4", "1.93e10", "incorrect", "Give 4 significant digits or more."),
    ("1.4", "1.8e10", "incorrect", "too small"),
    ("1.4", "1.933e10 FLOPs", "correct", "is right"),
    ("1.4", "19.33 GFLOP", "not attempted", "is in GFLOPs, but this answer is asked for in FLOPs"),
    ("6.4", "672 MiB", "not attempted", "is in MiB, but this answer is asked for in bytes: type the number alone"),
    ("6.4", "704 643 072 bytes", "correct", "is right"),
    ("6.4", "704643072B", "correct", "is right"),
    ("1.1", "4.7e6", "incorrect", "Give the exact whole number."),
    ("1.1", "4722432 params", "correct", "is right"),
    ("5.4", "9x", "correct", "is right"),
    ("5.4", "9 MiB", "not attempted", "this answer is a plain number: type the number alone"),
    ("5.4", "10", "incorrect", "too large"),
    ("2.1", "-0.1", "incorrect", "Give 4 decimal places or more."),
])
def test_digits_and_units_get_their_own_verdict(ex_id, typed, status, words):
    result = E.get(ex_id).check_text(typed)
    assert result.status == status and words in result.message, result
    assert "Try the next hint" not in result.message or status == "incorrect" and "too" in result.message


NODE_REVISION = r"""
const fs = require("fs");
const payload = JSON.parse(fs.readFileSync(0, "utf8"));
const items = payload.items;
const storage = {getItem: (k) => (k in items ? items[k] : null), setItem: (k, v) => { items[k] = String(v); }};
const F = (new Function("module", "globalThis", payload.checker + "; return module.exports;"))(
  {exports: {}}, {localStorage: storage});
const before = F.loadProgress();
const saved = F.saveProgress("5.4", {status: "incorrect"});
const hinted = F.saveProgress("5.5", {hints: 2});
process.stdout.write(JSON.stringify({before: before, saved: saved, hinted: hinted, after: F.loadProgress(),
                                     revisions: ["5.4", "5.5", "1.1"].map(F.revision)}));
"""


def test_the_pages_saved_progress_on_the_old_5_4_does_not_count_for_the_new_one():
    """Browser storage from before 5.4 was replaced: its 5.4 (solved) is left out, and the first check of the new
    5.4 starts a fresh record (revision 2); 5.5 keeps its progress."""
    from ffn_lib.exercises import ids

    stored = {"5.4": {"status": "correct", "attempts": 4, "hints": 2}, "5.5": {"status": "correct", "attempts": 1}}
    items = {page.STORAGE_KEY: json.dumps(stored)}
    out = _run_node(NODE_REVISION, {"checker": page.checker_js(), "items": items})
    if out is None:
        pytest.skip("Node (`node`) is not installed: the page's storage cannot be run here")
    assert out["revisions"] == [ids.revision(i) for i in ("5.4", "5.5", "1.1")] == [2, 1, 1]
    assert "5.4" not in out["before"] and out["before"]["5.5"]["status"] == "correct"
    assert out["saved"] == {"status": "incorrect", "attempts": 1, "hints": 0, "revision": 2}
    assert out["hinted"] == {"status": "correct", "attempts": 1, "hints": 2}
    assert out["after"]["5.4"] == out["saved"] and set(out["after"]) == {"5.4", "5.5"}


def test_an_ambiguous_comma_gets_a_question_not_a_verdict():
    ex = E.get("2.6")  # a plain decimal number: "2,549" may be 2.549 or 2549
    result = ex.check_text("2,549")
    assert result.status == "not attempted" and "2.549 or 2549" in result.message


@pytest.mark.parametrize("ex_id, typed, status, words", [
    # a whole number is asked for: the comma groups thousands, and a "." between groups of three is asked about
    ("6.1", "17,920", "correct", "17920 is right."),
    ("1.1", "2,549", "incorrect", "2549 is too small"),
    ("6.1", "17.920", "not attempted", "type the digits alone: 17920"),
    ("6.1", "4.722.432", "not attempted", "type the digits alone: 4722432"),
    ("6.1", "17.92", "incorrect", "10^3 times too small"),
    # two numbers where one is asked for; a percentage only where the answer is a fraction (a p-value)
    ("8.5", "-0.0324, 0.0024", "not attempted", "is two numbers; the answer is one number"),
    ("8.5", "[-0.0324; 0.0024]", "not attempted", "is two numbers"),
    ("8.5", "1.74 %", "not attempted", "is in %, but this answer is asked for in nats"),
    ("8.5", "0.0174 nats", "correct", "is right."),
    ("8.2", "4.5%", "correct", "is right."),
    ("2.1", "-10.02%", "not attempted", "this answer is a plain number"),
    # a choice answered with its option's text, exactly
    ("5.2", "the tanh approximation", "correct", "(b) is right."),
    ("5.2", " relu. ", "incorrect", "(d) is not right"),
    ("5.2", "The Tanh Approximation", "correct", "(b) is right."),
    ("5.2", "GELU", "incorrect", "is not one of the options"),
    # a choice answered with its letter and its option's text, as the option is printed (learner review 2)
    ("5.2", "(b) the tanh approximation", "correct", "(b) is right."),
    ("5.2", "(b)the tanh approximation", "correct", "(b) is right."),
    ("5.2", "b: the tanh approximation", "correct", "(b) is right."),
    ("5.2", "(d) ReLU", "incorrect", "(d) is not right"),
    ("8.1", "(a) SwiGLU, then Bilinear, then ReLU", "correct", "(a) is right."),
    ("5.2", "(a) the tanh approximation", "not attempted", "the letter (a) and the text of option (b) disagree"),
    ("5.2", "b GELU", "incorrect", "is not one of the options"),
    # a half-width typed with its ±
    ("8.5", "\u00b10.0174", "correct", "0.0174 is right."),
    ("8.5", "+/- 0.0174 nats", "correct", "0.0174 is right."),
    ("2.1", "\u00b1-0.1002", "incorrect", "is not a number"),  # not a half-width: ± is not read there
    # all three adjusted p-values typed for one (as 8.5 answers two numbers); a p-value typed as "p = 0.045"
    ("8.2", "0.045, 0.045, 0.300", "not attempted", "is 3 numbers; the answer is one number"),
    ("8.2", "p = 0.045", "correct", "0.045 is right."),
    ("5.4", "3^2", "not attempted", "is a power written out: type its value"),
    ("2.1", "p = -0.1002", "incorrect", "is not a number"),  # not a p-value: the label is not read there
])
def test_typed_forms_a_learner_uses(ex_id, typed, status, words):
    result = E.get(ex_id).check_text(typed)
    assert result.status == status and words in result.message, result


NODE_READ = r"""
const fs = require("fs");
const payload = JSON.parse(fs.readFileSync(0, "utf8"));
const F = (new Function("module", "globalThis", payload.checker + "; return module.exports;"))({exports: {}}, {});
process.stdout.write(JSON.stringify(payload.texts.map((t) => F.readNumber(t).map(F.fmt))));
"""


NODE_MIGRATE = r"""
const fs = require("fs");
const payload = JSON.parse(fs.readFileSync(0, "utf8"));
const items = payload.items;
const storage = {getItem: (k) => (k in items ? items[k] : null), setItem: (k, v) => { items[k] = String(v); }};
const load = () => (new Function("module", "globalThis", payload.checker + "; return module.exports;"))(
  {exports: {}}, {localStorage: storage});
load();  // the checker migrates when it loads
const first = JSON.parse(JSON.stringify(items));
load();  // and only once
process.stdout.write(JSON.stringify({first: first, second: items,
                                     ids: payload.ids.map((i) => load().renumbered(i))}));
"""


def test_the_pages_saved_progress_moves_to_the_new_ids_once():
    """Browser storage under the old key: every id renumbered at once (6.6 -> 7.1, 7.1 -> 8.1), then left alone."""
    from ffn_lib.exercises import ids

    old = {"6.4": {"status": "correct", "attempts": 2, "hints": 1}, "6.6": {"status": "incorrect", "attempts": 1},
           "7.1": {"status": "correct", "attempts": 3, "hints": 2}, "7.4": {"status": "incorrect", "attempts": 5}}
    items = {page.OLD_STORAGE_KEYS[0]: json.dumps(old)}
    probe = ["6.1", "6.4", "6.6", "6.7", "6.8", "7.1", "7.2", "7.4", "7.12", "8.1", "1.1"]
    out = _run_node(NODE_MIGRATE, {"checker": page.checker_js(), "items": items, "ids": probe})
    if out is None:
        pytest.skip("Node (`node`) is not installed: the page's storage migration cannot be run here")
    assert out["ids"] == [ids.renumbered(i) for i in probe]
    assert out["ids"][2] == "7.1" and out["ids"][5] == "8.1" and out["ids"][1] == "6.4"
    moved = json.loads(out["first"][page.STORAGE_KEY])
    assert moved == {"6.4": {"status": "correct", "attempts": 2, "hints": 1},
                     "7.1": {"status": "incorrect", "attempts": 1, "hints": 0},
                     "8.1": {"status": "correct", "attempts": 3, "hints": 2},
                     "8.4": {"status": "incorrect", "attempts": 5, "hints": 0}}
    assert out["second"] == out["first"], "a second page load migrates nothing again"


@pytest.mark.parametrize("ex", EXERCISES, ids=[e.id for e in EXERCISES])
def test_page_markup(ex):
    md = ex.book_markdown()
    assert md.startswith(f"::::{{exercise}} {ex.title}\n:label: {ex.label}")
    block = md[md.index('<div class="ffn-ex"'):md.index("</div>\n::::") + len("</div>")]
    assert "FFNExercises" not in md and md.count("<script") == 1, "the checker is the site's static file"
    assert "\n\n" not in block, "a blank line would end the raw HTML block"
    spec = json.loads(re.search(r'<script type="application/json" class="ffn-ex-spec">(.*?)</script>', block).group(1))
    assert spec == json.loads(json.dumps(ex.page_spec()))
    assert block.count("class=\"ffn-ex-hint\"") == len(ex.hints) and "hidden" in block
    visible = re.sub(r"<script.*?</script>", "", block, flags=re.S)
    if ex.kind == "a number":
        # hidden until right: the answer is in the spec (self-study) but never displayed
        e = ex.expected()
        for shown in {number_text.fmt_number(e), f"{e:,}"}:
            if len(shown) >= 3:
                assert shown not in visible and shown not in md.split("::::{solution}")[0].replace(block, ""), ex.id
        assert 'class="ffn-ex-input"' in block
    if ex.kind == "a choice":
        assert block.count('class="ffn-ex-option"') == len(ex.options)
    if ex.kind == "a function":
        assert "ffn-ex-check" not in visible and f"{ex.handle}.check({ex.answer_name})" in md
        assert ex.starter.strip() in md
    assert "\\(" not in visible or 'class="math notranslate nohighlight">\\(' in visible


def _html_page(exercises):
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>exercises</title>"
             f"<script src='{page.ASSET}'></script></head><body>"]
    for ex in exercises:
        md = page.exercise_html(ex)
        parts.append(f'<section id="{ex.label}">' + md[md.index('<div class="ffn-ex"'):] + "</section>")
    return "\n".join(parts) + "</body></html>"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_widgets_in_chromium_on_a_generated_page(tmp_path):
    executable = _chromium()
    if executable is None:
        if os.environ.get("FFN_LIB_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium was not found (apt-get install chromium)")
        pytest.skip("Chromium was not found (apt-get install chromium): the widgets cannot be driven here")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    number, choice, shape = E.get("1.1"), E.get("2.4"), E.get("1.2")
    (tmp_path / "index.html").write_text(_html_page([number, choice, shape, E.get("1.3")]), encoding="utf-8")
    (tmp_path / page.ASSET).write_text(page.checker_js(), encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
            try:
                tab = browser.new_page()
                errors = []
                tab.on("pageerror", lambda e: errors.append(str(e)))
                tab.goto(url)
                _drive_widgets(tab, number, choice, shape)
                tab.reload()
                box = tab.locator(f"#{number.label} .ffn-ex-earlier")
                assert box.is_visible() and "correct" in box.inner_text()
                assert tab.locator(f"#{choice.label} .ffn-ex-hint").nth(0).is_visible(), "hints seen are remembered"
                assert not errors, errors
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


def _feedback(tab, ex):
    box = tab.locator(f"#{ex.label} .ffn-ex-feedback")
    head, _, message = box.inner_text().partition("\n")
    return head, message


def _drive_widgets(tab, number, choice, shape):
    """Right answer in a number box, a known mistake as a choice, junk in a shape box; hints one at a time."""
    right = number_text.fmt_number(number.expected())
    tab.fill(f"#{number.label} input.ffn-ex-input", right)
    tab.click(f"#{number.label} button.ffn-ex-check")
    head, message = _feedback(tab, number)
    expected = number.check_text(right)
    assert expected.passed and head.endswith("correct") and message == expected.message.replace("`", "")

    tab.check(f"#{choice.label} input.ffn-ex-option[value='a']")
    tab.click(f"#{choice.label} button.ffn-ex-check")
    head, message = _feedback(tab, choice)
    assert head.endswith("incorrect") and choice.mistakes["a"] in message
    assert message == choice.check_text("a").message.replace("`", "")

    tab.fill(f"#{shape.label} input.ffn-ex-input", "eight by 128")
    tab.press(f"#{shape.label} input.ffn-ex-input", "Enter")
    head, message = _feedback(tab, shape)
    assert head.endswith("incorrect") and message == shape.check_text("eight by 128").message

    hints = tab.locator(f"#{choice.label} .ffn-ex-hint")
    assert hints.count() == len(choice.hints) >= 2 and not hints.nth(0).is_visible()
    button = tab.locator(f"#{choice.label} button.ffn-ex-hint-button")
    button.click()
    assert hints.nth(0).is_visible() and not hints.nth(1).is_visible()
    assert button.inner_text() == f"Show hint 2 of {len(choice.hints)}"
    stored = json.loads(tab.evaluate(f"() => localStorage.getItem('{page.STORAGE_KEY}')"))
    assert stored[number.id]["status"] == "correct" and stored[choice.id]["hints"] == 1
    assert stored[shape.id]["status"] == "incorrect"
    assert math.isfinite(number.expected())


def test_the_checker_is_one_static_asset_not_inlined_per_exercise(tmp_path):
    """A chapter's exercises carry data and forms only; the book's extension serves the checker once, as a file."""
    import importlib.util
    from pathlib import Path
    from types import SimpleNamespace

    for n in E.CHAPTERS:
        chapter_md = "\n\n".join(ex.book_markdown() for ex in E.chapter(n))
        assert "FFNExercises" not in chapter_md and "mountAll" not in chapter_md, n
        assert chapter_md.count("<script") == len(E.chapter(n)), "one JSON spec per exercise, no code"
    source = Path(__file__).resolve().parents[1] / "book" / "_ext" / "exercise_widget.py"
    spec = importlib.util.spec_from_file_location("exercise_widget", source)
    ext = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ext)
    calls = {"js": [], "events": {}}
    app = SimpleNamespace(add_js_file=lambda name, **kw: calls["js"].append(name),
                          connect=lambda event, fn, **kw: calls["events"].setdefault(event, fn),
                          outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    ext.setup(app)
    assert calls["js"] == [page.ASSET], "linked once, from every page"
    calls["events"]["builder-inited"](app)
    assert (tmp_path / "_static" / page.ASSET).read_text(encoding="utf-8") == page.checker_js()
