"""The exercises in the built book: an answer box, a Check button and hints, checked in the page.

While the book is built (``FFN_LIB_BOOK=1``), an exercise's notebook output is MyST
(:func:`book_markdown`): the ``{exercise}`` directive with the statement and, inside it, a raw
HTML block (:func:`exercise_html`) holding

* a JSON spec exported by the exercise's ``page_spec()`` from the same registry the
  Python checker uses: the expected value and its bands, each known mistake with its own
  tolerance and diagnosis, every message template;
* an answer box (a number or a shape) or radio buttons (a choice) with a Check
  button, and the hints, revealed one at a time.

The checker itself, :func:`checker_js`, is one static file of the site (``_static/ffn-exercises.js``,
written by the book's extension ``book/_ext/exercise_widget.py``), loaded once per page and cached
across pages. It applies the same steps as the Python checker (``NumberExercise.verdict`` and
friends) and reads numbers with the same grammar (:data:`ffn_lib.exercises.number_text.NUMBER_FORMS`,
embedded as JSON). Everything works offline: no server, no request. Progress (status, checks, hints
seen) is kept in the browser's ``localStorage`` under :data:`STORAGE_KEY`; progress saved under an
older key is migrated once with the renumbering table of :mod:`ffn_lib.exercises.ids`, and an entry saved
for an older revision of an exercise (:data:`ffn_lib.exercises.ids.REVISED`) does not count for the new
one. Function exercises show their starter code instead of a form; how to answer each kind is said once
per chapter (:mod:`ffn_lib.exercises.guide`). Every text of the widget is one template of :data:`UI`.

The spec necessarily contains the expected answer, so a reader who opens the page's
source can see it: acceptable for self-study; the page never *displays* it until the
reader opens the worked solution. ``tests/test_exercises_page.py`` runs this checker
in Node and proves it agrees with the Python checker on every recorded answer.

This module imports no exercise class: it reads an exercise through its ``page_spec()``,
``hints``, ``options`` and ``load_solution()``, so the exercise kinds can import it.
"""

from __future__ import annotations

import html
import json
import re

from . import ids, number_text
from .. import i18n
from .words import N_, STATUS_WORDS, WIDE_SPACE, say, status_word, tr

STORAGE_KEY = "ffn_lib.exercises.v2"
OLD_STORAGE_KEYS = ("ffn_lib.exercises.v1",)  # saved before the renumbering of ids.RENUMBERED
ASSET = "ffn-exercises.js"  # the checker's file name in the site's _static folder
PAGE_KINDS = ("number", "choice", "shape")  # checked in the page; functions are checked in the notebook

# The widget's own texts, one template each (the script fills the same ones).
UI = {
    "answer": "Your answer:",
    "check": N_("Check"),
    "placeholder_number": "a number, e.g. 0.25, 3/4 or 1e-3",
    "placeholder_shape": "a shape, e.g. (2, 3)",
    "aria": "answer to exercise {id}",
    "hint": "Hint {n} of {total}:",
    "hint_button": "Show hint {n} of {total}",
    "result_head": "Exercise {id}: {status}",
    "earlier_one": "Earlier in this browser: {status} ({n} check).",
    "earlier_other": "Earlier in this browser: {status} ({n} checks).",
    "notebook_only": "Check this exercise in the notebook.",
}

_CHECKER_TEMPLATE = r"""
(function () {
  "use strict";
  var root = typeof window !== "undefined" ? window : globalThis;
  if (root.FFNExercises) { root.FFNExercises.mountAll(); return; }
  var F = {};
  var STORAGE_KEY = "__STORAGE_KEY__";
  var RANK = {"not attempted": 0, "incorrect": 1, "correct": 2};
  // Python's repr of a float: shortest round-trip digits; fixed notation for 1e-4 <= |v| < 1e16.
  F.fmt = function (v) {
    if (Number.isNaN(v)) return "nan";
    if (!isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v === 0 ? 0 : v);
    var parts = v.toExponential().split("e");
    var mant = parts[0], ex = parseInt(parts[1], 10);
    var neg = mant.charAt(0) === "-";
    if (neg) mant = mant.slice(1);
    if (ex >= -4 && ex < 16) {
      var digits = mant.replace(".", ""), s;
      if (ex >= 0) {
        s = digits.length <= ex + 1 ? digits + "0".repeat(ex + 1 - digits.length) + ".0"
          : digits.slice(0, ex + 1) + "." + digits.slice(ex + 1);
      } else {
        s = "0." + "0".repeat(-ex - 1) + digits;
      }
      return (neg ? "-" : "") + s;
    }
    var a = Math.abs(ex);
    return (neg ? "-" : "") + mant + "e" + (ex < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
  };
  F.fmtShape = function (a) {
    return "(" + a.join(", ") + (a.length === 1 ? "," : "") + ")";
  };
  var GRAMMAR = __GRAMMAR__;
  var FORMS = GRAMMAR.forms.map(function (f) {
    return {name: f.name, re: new RegExp(f.pattern), how: f.how, chars: f.chars};
  });
  var SHAPE = new RegExp(GRAMMAR.shape);
  var ITEM_SEP = new RegExp(GRAMMAR.shape_item_separator);
  var LETTERED = new RegExp(__LETTERED__);
  var PLUS_MINUS = new RegExp(__PLUS_MINUS__);
  var P_LABEL = new RegExp(__P_LABEL__);
  var ITEM_NUMBER = new RegExp(GRAMMAR.shape_item_number);
  var FRACTIONAL = new RegExp(GRAMMAR.shape_item_fractional);
  var UNIT = new RegExp(GRAMMAR.unit, "i");
  var PAIR = new RegExp(GRAMMAR.pair);
  var POWER = new RegExp(GRAMMAR.power);
  var THOUSANDS_DOT = new RegExp(GRAMMAR.thousands_dot);
  var UI = __UI__;
  var STATUS = __STATUS__;  // the word shown for each status (the status itself is what is saved)
  function unitName(u) {
    return Object.prototype.hasOwnProperty.call(GRAMMAR.unit_names, u) ? GRAMMAR.unit_names[u] : u;
  }
  function strip(s, chars) {
    return s.split("").filter(function (c) { return chars.indexOf(c) < 0; }).join("");
  }
  function normalize(text) { return text.trim().split(GRAMMAR.minus).join("-"); }
  // The form that reads a text and the number(s) it means (number_text.number_reading).
  F.reading = function (text) {
    var s = normalize(text);
    for (var i = 0; i < FORMS.length; i++) {
      var f = FORMS[i], m = f.re.exec(s);
      if (!m) continue;
      if (f.how === "fraction") {
        var den = Number(m[2]);
        return {name: f.name, values: den === 0 ? [] : [Number(m[1]) / den]};
      }
      if (f.how === "comma") return {name: f.name, values: [Number(s.replace(",", "."))]};
      if (f.how === "both") return {name: f.name, values: [Number(s.replace(",", ".")), Number(strip(s, ","))]};
      return {name: f.name, values: [Number(strip(s, f.chars))]};
    }
    return {name: null, values: []};
  };
  // The number(s) a text can mean: [] none, [v] one, [decimal, thousands] when ambiguous (number_text.read_number).
  F.readNumber = function (text) { return F.reading(text).values; };
  // A number followed by a unit: [number's text, canonical unit], or null (number_text.split_unit).
  F.splitUnit = function (text) {
    var m = UNIT.exec(normalize(text));
    if (!m || !F.readNumber(m[1]).length) return null;
    return [m[1], GRAMMAR.units[m[2].toLowerCase()]];
  };
  // Significant digits typed (number_text.significant_digits): null for a fraction, zero or no single number.
  F.sigDigits = function (text) {
    var s = normalize(text), r = F.reading(s);
    if (r.values.length !== 1 || r.name === "fraction") return null;
    var mantissa = s.split(/[eE]/)[0];
    var digits = mantissa.replace(/[^0-9]/g, "").replace(/^0+/, "");
    if (mantissa.indexOf(r.name === "decimal_comma" ? "," : ".") < 0) digits = digits.replace(/0+$/, "");
    return digits.length || null;
  };
  // Whether the answer rounded to `digits` significant digits is the value typed (number_text.rounds_to).
  F.roundsTo = function (expected, value, digits) {
    if (digits === null || digits < 1 || digits > 15 || !isFinite(expected) || !isFinite(value)) return false;
    if (expected === 0 || value === 0 || (expected < 0) !== (value < 0)) return false;
    var e = Math.abs(expected), v = Math.abs(value);
    var exponent = parseInt(e.toExponential().split("e")[1], 10);
    var unit = Number("1e" + (exponent - digits + 1));
    var rounded = Math.floor(e / unit + 0.5) * unit;
    return Math.abs(rounded - v) <= 1e-9 * v;
  };
  // Two numbers typed where one is asked for: [a, b], or null (number_text.read_pair).
  F.readPair = function (text) {
    var m = PAIR.exec(normalize(text));
    if (!m) return null;
    var a = F.readNumber(m[1]), b = F.readNumber(m[2]);
    return a.length === 1 && b.length === 1 ? [a[0], b[0]] : null;
  };
  // The whole number a text means if its "." separate thousands, or null (number_text.thousands_dot).
  // How many numbers a text is when it is three or more in a list, or null (number_text.count_numbers).
  F.countNumbers = function (text) {
    var s = normalize(text), close = {"(": ")", "[": "]"};
    if (s.length >= 2 && close[s.charAt(0)] && s.charAt(s.length - 1) === close[s.charAt(0)]) s = s.slice(1, -1).trim();
    var items = s.split(new RegExp(GRAMMAR.many_separator));
    return items.length >= 3 && items.every(function (t) { return F.readNumber(t).length === 1; }) ? items.length : null;
  };
  F.thousandsDot = function (text) {
    var s = normalize(text);
    return THOUSANDS_DOT.test(s) ? Number(s.split(".").join("")) : null;
  };
  F.parseNumber = function (text) {
    var v = F.readNumber(text);
    return v.length === 1 ? v[0] : null;
  };
  F.parseShape = function (text) {
    var s = text.trim().replace(/\u00d7/g, "x");
    var close = {"(": ")", "[": "]"};
    if (s.length >= 2 && close[s.charAt(0)] && s.charAt(s.length - 1) === close[s.charAt(0)]) {
      s = s.slice(1, -1).trim();
    }
    if (!SHAPE.test(s)) return null;
    return s.match(/[0-9]+/g).map(function (n) { return parseInt(n, 10); });
  };
  F.fill = function (template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(values, k) ? values[k] : m;
    });
  };
  F.quote = function (text) {
    var s = text.trim();
    return "\u201c" + (s.length <= 40 ? s : s.slice(0, 40) + "...") + "\u201d";
  };
  var WIDE_SPACE = __WIDE_SPACE__;  // null in English; in Chinese, a space between two Chinese characters goes
  function result(status, message) {
    message = message.trim().split(/\s+/).join(" ");
    if (WIDE_SPACE) message = message.replace(new RegExp(WIDE_SPACE, "g"), "$1");
    return {status: status, message: message};
  }
  function numberVerdict(spec, v, typed, shownText, last) {
    var m = spec.messages;
    if (Number.isNaN(v)) return result("incorrect", m.nan);
    var text = shownText === undefined || shownText === null ? F.fmt(v) : shownText;
    var digitsText = typed === undefined ? F.fmt(v) : typed;
    var e = spec.expected;
    if (Math.abs(v - e) <= spec.tol) return result("correct", F.fill(m.correct, {value: text}));
    for (var i = 0; i < spec.mistakes.length; i++) {
      var k = spec.mistakes[i];
      if (Math.abs(v - k.value) <= k.tol) {
        return result("incorrect", F.fill(m.mistake, {value: text, diagnosis: k.diagnosis}));
      }
    }
    if (e !== 0 && Math.abs(v + e) <= spec.sign) return result("incorrect", F.fill(m.sign, {value: text}));
    if (spec.percent && Math.abs(v / 100 - e) <= spec.close) {
      return result("incorrect", F.fill(m.percent, {value: text}));
    }
    for (var j = 0; j < spec.units.length; j++) {
      if (Math.abs(v * spec.units[j].factor - e) <= spec.close) {
        return result("incorrect", F.fill(spec.units[j].message, {value: text}));
      }
    }
    if (spec.integer && isFinite(v) && v !== Math.trunc(v)) {
      return result("incorrect", F.fill(m.not_whole, {value: text}));
    }
    if (F.roundsTo(e, v, F.sigDigits(digitsText))) {
      return result("incorrect", F.fill(m.digits, {value: text}));
    }
    if (Math.abs(v - e) <= spec.close) {
      if (spec.integer) {  // a count: off by a few terms, not by rounding (number.py, close_whole)
        return result("incorrect", F.fill(m.close_whole, {value: text, off: F.fmt(Math.abs(v - e))}));
      }
      return result("incorrect", F.fill(m.close, {value: text}));
    }
    var key = (v > e ? "large" : "small") + (last ? "_last" : "");
    return result("incorrect", F.fill(m[key], {value: text}));
  }
  function shapeVerdict(spec, a) {
    var m = spec.messages, text = F.fmtShape(a);
    var same = function (b) { return b.length === a.length && b.every(function (n, i) { return n === a[i]; }); };
    if (same(spec.expected)) return result("correct", F.fill(m.correct, {shape: text}));
    for (var i = 0; i < spec.mistakes.length; i++) {
      if (same(spec.mistakes[i].shape)) {
        return result("incorrect", F.fill(m.mistake, {shape: text, diagnosis: spec.mistakes[i].diagnosis}));
      }
    }
    return result("incorrect", F.fill(a.length !== spec.expected.length ? m.ndim : m.sizes, {shape: text}));
  }
  function choiceVerdict(spec, text, last) {
    var m = spec.messages;
    var key = text.trim().replace(/\.+$/, "").trim().replace(/^[()]+|[()]+$/g, "").trim().toLowerCase();
    if (spec.options.indexOf(key) < 0) {  // an option's own text, typed exactly (choice.option_text_key)
      var label = text.replace(/\s+/g, " ").trim().replace(/\.+$/, "").trim().toLowerCase();
      if (Object.prototype.hasOwnProperty.call(spec.labels || {}, label)) key = spec.labels[label];
    }
    if (spec.options.indexOf(key) < 0) {  // a letter, then an option's text: "(c) GEGLU" (number_text.LETTERED)
      var lettered = LETTERED.exec(text.trim());
      var letter = lettered ? lettered[1].toLowerCase() : "";
      var rest = lettered ? lettered[2].replace(/\s+/g, " ").trim().replace(/\.+$/, "").trim().toLowerCase() : "";
      var other = lettered && Object.prototype.hasOwnProperty.call(spec.labels || {}, rest) ? spec.labels[rest] : null;
      if (spec.options.indexOf(letter) >= 0 && other === letter) key = letter;
      else if (spec.options.indexOf(letter) >= 0 && other !== null) {
        return result("not attempted", F.fill(m.disagree, {text: F.quote(text), key: letter, other: other}));
      }
    }
    if (spec.options.indexOf(key) < 0) return result("incorrect", F.fill(m.junk, {text: F.quote(text)}));
    if (key === spec.correct) return result("correct", F.fill(m.correct, {key: key}));
    var why = Object.prototype.hasOwnProperty.call(spec.mistakes, key) ? spec.mistakes[key]
      : (last ? m.default_last : m["default"]);
    return result("incorrect", F.fill(m.mistake, {key: key, diagnosis: why}));
  }
  // The first item of a typed shape written with a decimal point (8.0): {item, n, count}, or null
  // (number_text.non_whole_item).
  F.nonWholeItem = function (text) {
    var s = text.trim().replace(/\u00d7/g, "x");
    var close = {"(": ")", "[": "]"};
    if (s.length >= 2 && close[s.charAt(0)] && s.charAt(s.length - 1) === close[s.charAt(0)]) {
      s = s.slice(1, -1).trim();
    }
    var items = s.replace(/\s*,$/, "").split(ITEM_SEP);
    if (!items.length || !items.every(function (t) { return ITEM_NUMBER.test(t); })) return null;
    for (var i = 0; i < items.length; i++) {
      if (FRACTIONAL.test(items[i])) return {item: items[i], n: i + 1, count: items.length};
    }
    return null;
  };
  // The verdict on a typed answer: the same steps as the Python checker's check_text. hintsSeen: the hints
  // shown so far (once all are, the feedback stops suggesting the next one).
  F.verdict = function (spec, text, hintsSeen) {
    text = String(text);
    var last = (hintsSeen | 0) >= (spec.hints | 0);
    if (!text.trim()) return result("not attempted", spec.messages.empty);
    if (spec.kind === "number") {
      if (spec.half_width) text = text.replace(PLUS_MINUS, "");  // "±0.0174" for a half-width (number_text.PLUS_MINUS)
      if (spec.p_value) text = text.replace(P_LABEL, "");  // "p = 0.045" for a p-value (number_text.P_LABEL)
      var number = text, vs = F.readNumber(text), shownText = null;
      if (!vs.length) {
        var split = F.splitUnit(text);
        if (split === null) {
          if (spec.integer && F.thousandsDot(text) !== null) {
            return result("not attempted", F.fill(spec.messages.thousands_dot,
                                                  {text: F.quote(text), whole: F.fmt(F.thousandsDot(text))}));
          }
          if (F.readPair(text) !== null) {
            return result("not attempted", F.fill(spec.messages.pair, {text: F.quote(text)}));
          }
          if (POWER.test(normalize(text))) {  // "3^2" (number_text.is_power)
            return result("not attempted", F.fill(spec.messages.power, {text: F.quote(text)}));
          }
          if (F.countNumbers(text) !== null) {
            return result("not attempted", F.fill(spec.messages.many, {text: F.quote(text),
                                                                       count: String(F.countNumbers(text))}));
          }
          return result("incorrect", F.fill(spec.messages.junk, {text: F.quote(text)}));
        }
        number = split[0];
        vs = F.readNumber(number);
        if (split[1] === GRAMMAR.percent && spec.percent_typed && vs.length === 1) {
          shownText = F.fmt(vs[0]) + GRAMMAR.percent;
          vs = [vs[0] / 100];
        } else if (split[1] !== spec.unit && !(split[1] === GRAMMAR.ratio && !spec.unit)) {
          return result("not attempted", F.fill(spec.unit ? spec.messages.unit_other : spec.messages.unit_none,
                                                {text: F.quote(text), unit: unitName(split[1]),
                                                 expected_unit: unitName(spec.unit)}));
        }
      }
      if (vs.length === 2 && spec.integer) vs = [vs[1]];
      if (spec.integer && vs.length === 1 && vs[0] !== Math.trunc(vs[0]) && shownText === null &&
          F.thousandsDot(number) !== null) {
        return result("not attempted", F.fill(spec.messages.thousands_dot,
                                              {text: F.quote(text), whole: F.fmt(F.thousandsDot(number))}));
      }
      if (vs.length === 2) {
        return result("not attempted", F.fill(spec.messages.ambiguous,
                                              {text: F.quote(text), first: F.fmt(vs[0]), second: F.fmt(vs[1])}));
      }
      return numberVerdict(spec, vs[0], number, shownText, last);
    }
    if (spec.kind === "shape") {
      var a = F.parseShape(text);
      if (a === null) {
        var bad = F.nonWholeItem(text);
        if (bad !== null) {
          return result("incorrect", F.fill(spec.messages.item, {text: F.quote(text), item: bad.item,
                                                                 n: String(bad.n), count: String(bad.count)}));
        }
        return result("incorrect", F.fill(spec.messages.junk, {text: F.quote(text)}));
      }
      return shapeVerdict(spec, a);
    }
    if (spec.kind === "choice") return choiceVerdict(spec, text, last);
    return result("not attempted", UI.notebook_only);
  };
  // Progress in the browser (best status, checks, hints seen); nothing breaks without storage.
  var RENUMBER = __RENUMBER__;
  var REVISED = __REVISED__;
  var OLD_KEYS = __OLD_KEYS__;
  function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  // The id an exercise saved before the renumbering has now (ids.renumbered): one table, applied at once.
  F.renumbered = function (id) {
    if (own(RENUMBER.ids, id)) return RENUMBER.ids[id];
    var m = /^([0-9]{1,3})\.([0-9]{1,3})$/.exec(id);
    var ch = m ? String(parseInt(m[1], 10)) : null;
    return ch !== null && own(RENUMBER.chapters, ch) ? RENUMBER.chapters[ch] + "." + m[2] : id;
  };
  // The revision of the exercise an id names now (ids.revision): progress saved for an older one is not its.
  F.revision = function (id) { return own(REVISED, id) ? REVISED[id] : 1; };
  function current(id, entry) {
    return !!entry && typeof entry === "object" && ((entry.revision | 0) || 1) === F.revision(id);
  }
  function readKey(key) {
    var data = JSON.parse(root.localStorage.getItem(key) || "{}");
    return data && typeof data === "object" && !Array.isArray(data) ? data : {};
  }
  function merged(a, b) {
    var sa = own(RANK, a.status) ? a.status : "not attempted", sb = own(RANK, b.status) ? b.status : "not attempted";
    return {status: RANK[sb] > RANK[sa] ? sb : sa, attempts: (a.attempts | 0) + (b.attempts | 0),
            hints: Math.max(a.hints | 0, b.hints | 0)};
  }
  // Progress saved under an older key moves to the current one, once, every id renumbered.
  F.migrate = function () {
    try {
      if (root.localStorage.getItem(STORAGE_KEY) !== null) return false;
      var out = {}, found = false;
      OLD_KEYS.forEach(function (key) {
        if (root.localStorage.getItem(key) === null) return;
        found = true;
        var old = readKey(key);
        Object.keys(old).forEach(function (id) {
          if (!old[id] || typeof old[id] !== "object") return;
          var now = F.renumbered(id);
          out[now] = own(out, now) ? merged(out[now], old[id]) : merged({}, old[id]);
        });
      });
      if (found) root.localStorage.setItem(STORAGE_KEY, JSON.stringify(out));
      return found;
    } catch (e) { return false; }
  };
  // Saved progress, each entry for the exercise its id names now (an entry of an older revision is left out).
  F.loadProgress = function () {
    try {
      var data = readKey(STORAGE_KEY), out = {};
      Object.keys(data).forEach(function (id) { if (current(id, data[id])) out[id] = data[id]; });
      return out;
    } catch (e) { return {}; }
  };
  F.saveProgress = function (id, change) {
    try {
      var data = readKey(STORAGE_KEY);
      var entry = current(id, data[id]) ? data[id] : {};
      var old = RANK.hasOwnProperty(entry.status) ? entry.status : "not attempted";
      var rec = {status: old, attempts: entry.attempts | 0, hints: entry.hints | 0};
      if (F.revision(id) !== 1) rec.revision = F.revision(id);
      if (change.status) {
        if (change.status !== "not attempted") rec.attempts += 1;
        if (RANK[change.status] >= RANK[old]) rec.status = change.status;
      }
      if (change.hints) rec.hints = Math.max(rec.hints, change.hints);
      data[id] = rec;
      root.localStorage.setItem(STORAGE_KEY, JSON.stringify(data));
      return rec;
    } catch (e) { return null; }
  };
  var COLORS = {"correct": ["#e6f4ea", "#1e7e34", "\u2714"], "incorrect": ["#fdecea", "#b02a37", "\u2718"],
                "not attempted": ["#f1f3f5", "#495057", "\u2026"]};
  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function show(box, id, res) {
    var c = COLORS[res.status] || COLORS["not attempted"];
    box.style.cssText = "background:" + c[0] + ";border-left:4px solid " + c[1] + ";padding:6px 10px;margin:6px 0";
    box.innerHTML = '<strong style="color:' + c[1] + '">' + c[2] + " " +
      escapeHtml(F.fill(UI.result_head, {id: id, status: STATUS[res.status] || res.status})) + "</strong><br>" +
      escapeHtml(res.message).replace(/`([^`]+)`/g, "<code>$1</code>");
    box.setAttribute("data-status", res.status);
    box.hidden = false;
  }
  F.mount = function (el) {
    if (el.getAttribute("data-ffn-mounted")) return;
    el.setAttribute("data-ffn-mounted", "1");
    var spec = JSON.parse(el.querySelector("script.ffn-ex-spec").textContent);
    var feedback = el.querySelector(".ffn-ex-feedback");
    var input = el.querySelector("input.ffn-ex-input");
    var button = el.querySelector("button.ffn-ex-check");
    var hints = el.querySelectorAll(".ffn-ex-hint");
    var hintButton = el.querySelector("button.ffn-ex-hint-button");
    var shown = 0;
    function revealHints(n) {
      n = Math.min(n, hints.length);
      for (var i = shown; i < n; i++) {
        hints[i].hidden = false;
        if (root.MathJax && root.MathJax.typesetPromise) {
          root.MathJax.typesetPromise([hints[i]]).catch(function () {});
        }
      }
      shown = Math.max(shown, n);
      if (hintButton) {
        if (shown >= hints.length) { hintButton.hidden = true; }
        else { hintButton.textContent = F.fill(UI.hint_button, {n: shown + 1, total: hints.length}); }
      }
    }
    var saved = F.loadProgress()[spec.id];
    if (saved && typeof saved === "object") {
      revealHints(saved.hints | 0);
      if (RANK.hasOwnProperty(saved.status) && saved.status !== "not attempted") {
        var note = el.querySelector(".ffn-ex-earlier");
        if (note) {
          note.textContent = F.fill((saved.attempts | 0) === 1 ? UI.earlier_one : UI.earlier_other,
                                    {status: STATUS[saved.status] || saved.status, n: saved.attempts | 0});
          note.hidden = false;
        }
      }
    }
    if (hintButton) {
      hintButton.addEventListener("click", function () {
        revealHints(shown + 1);
        F.saveProgress(spec.id, {hints: shown});
      });
    }
    if (!button) return;
    function answerText() {
      if (spec.kind === "choice") {
        var picked = el.querySelector("input.ffn-ex-option:checked");
        return picked ? picked.value : "";
      }
      return input ? input.value : "";
    }
    function run() {
      var res = F.verdict(spec, answerText(), shown);
      show(feedback, spec.id, res);
      F.saveProgress(spec.id, {status: res.status});
    }
    button.addEventListener("click", run);
    if (input) {
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); run(); } });
    }
  };
  F.mountAll = function () {
    var all = document.querySelectorAll("div.ffn-ex");
    for (var i = 0; i < all.length; i++) {
      try { F.mount(all[i]); } catch (e) { if (root.console) root.console.error("ffn exercise", e); }
    }
  };
  F.migrate();
  root.FFNExercises = F;
  if (typeof module !== "undefined" && module.exports) module.exports = F;
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", F.mountAll);
    else F.mountAll();
  }
})();
"""


def ui() -> dict[str, str]:
    """The widget's texts in the reader's language (the book's edition sets it before the script is written)."""
    return {key: tr(text) for key, text in UI.items()}


def checker_js() -> str:
    """The page's checker: one script for the whole site, with the number grammar and the id renumbering
    embedded from their Python definitions, and the widget's texts in the current language (one script per
    edition of the book)."""
    renumber = {"ids": ids.RENUMBERED, "chapters": {str(k): str(v) for k, v in ids.CHAPTER_MOVED.items()}}
    values = {"__STORAGE_KEY__": STORAGE_KEY, "__OLD_KEYS__": json.dumps(list(OLD_STORAGE_KEYS)),
              "__GRAMMAR__": json.dumps(number_text.grammar_spec(), ensure_ascii=True),
              "__RENUMBER__": json.dumps(renumber), "__REVISED__": json.dumps(ids.REVISED),
              "__UI__": json.dumps(ui(), ensure_ascii=True),
              "__STATUS__": json.dumps({s: status_word(s) for s in STATUS_WORDS}, ensure_ascii=True),
              "__LETTERED__": json.dumps(number_text.LETTERED.pattern),
              "__PLUS_MINUS__": json.dumps(number_text.PLUS_MINUS.pattern),
              "__P_LABEL__": json.dumps(number_text.P_LABEL.pattern),
              "__WIDE_SPACE__": json.dumps(WIDE_SPACE if i18n.language() == "zh" else None)}
    return re.sub(r"__[A-Z_]+__", lambda m: values[m.group(0)], _CHECKER_TEMPLATE).strip() + "\n"


def _emphasis(escaped: str) -> str:
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"<em>\1</em>", escaped)


def inline_html(markdown: str) -> str:
    """A hint's Markdown as HTML: `code`, **bold**, *emphasis*, and $math$ as Sphinx marks inline math."""
    out, pos = [], 0
    for m in re.finditer(r"\$([^$]+)\$|`([^`]+)`", markdown):
        out.append(_emphasis(html.escape(markdown[pos:m.start()], quote=False)))
        if m.group(1) is not None:
            tex = html.escape(m.group(1), quote=False)
            out.append(f'<span class="math notranslate nohighlight">\\({tex}\\)</span>')
        else:
            out.append(f"<code>{html.escape(m.group(2), quote=False)}</code>")
        pos = m.end()
    out.append(_emphasis(html.escape(markdown[pos:], quote=False)))
    return " ".join("".join(out).split())


def spec_json(ex) -> str:
    """The exercise's page spec as JSON that is safe inside a <script> element."""
    return json.dumps(ex.page_spec(), ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")


def _form(ex, kind: str) -> str:
    label = f"ffn-ex-{ex.chapter}-{ex.number}"
    esc, text = html.escape, ui()
    check = f'<button type="button" class="ffn-ex-check">{esc(text["check"])}</button>'
    if kind == "choice":
        options = "".join(f'<label style="margin-right:1em"><input type="radio" class="ffn-ex-option" name="{label}" '
                          f'value="{esc(k)}"> ({esc(k)})</label>' for k in ex.options)
        return f'<div class="ffn-ex-form"><span>{esc(text["answer"])} </span>{options}{check}</div>'
    placeholder = text["placeholder_number"] if kind == "number" else text["placeholder_shape"]
    return (f'<div class="ffn-ex-form"><label>{esc(text["answer"])} <input type="text" class="ffn-ex-input" '
            f'autocomplete="off" spellcheck="false" size="28" placeholder="{esc(placeholder)}" '
            f'aria-label="{esc(text["aria"].format(id=ex.id))}"></label> {check}</div>')


def exercise_html(ex) -> str:
    """MyST for the page: one raw HTML block (no blank line inside) with the exercise's spec, its form and
    hints, after the starter code for a function (how to answer is said once per chapter, :mod:`.guide`); the
    checker script is the site's static file (:func:`checker_js`)."""
    kind = ex.page_spec()["kind"]
    n, text = len(ex.hints), ui()
    hints = "".join(f'<div class="ffn-ex-hint" hidden><strong>{html.escape(text["hint"].format(n=i, total=n))}'
                    f'</strong> {inline_html(say(h))}</div>' for i, h in enumerate(ex.hints, 1))
    button = html.escape(text["hint_button"].format(n=1, total=n))
    hint_button = f'<button type="button" class="ffn-ex-hint-button">{button}</button>' if n else ""
    lines = [f'<div class="ffn-ex" data-ffn-ex="{ex.id}" data-kind="{kind}">',
             f'<script type="application/json" class="ffn-ex-spec">{spec_json(ex)}</script>']
    if kind in PAGE_KINDS:
        lines.append(_form(ex, kind))
        lines.append('<div class="ffn-ex-feedback" role="status" aria-live="polite" hidden></div>')
        lines.append('<div class="ffn-ex-earlier" style="color:#6c757d;font-size:0.9em" hidden></div>')
    lines += [f'<div class="ffn-ex-hints">{hints}</div>', hint_button, "</div>"]
    block = "\n".join(line for line in lines if line)
    assert "\n\n" not in block and "\n\n" not in block.replace("\r", "")
    if kind not in PAGE_KINDS:
        return f"```python\n{ex.starter.strip()}\n```\n\n{block}"
    return block


def book_markdown(ex, with_exercise: bool = True) -> str:
    """MyST: the exercise with its page form and hints, and its solution, collapsed (for the built book)."""
    sol = ex.load_solution()
    parts = []
    if with_exercise:
        parts.append(f"::::{{exercise}} {say(ex.title)}\n:label: {ex.label}\n\n{ex.full_statement()}\n\n"
                     f"{exercise_html(ex)}\n::::")
    parts.append(f"::::{{solution}} {ex.label}\n:class: dropdown\n\n{ex.expected_text()}{say(sol.explanation)}"
                 f"\n\n```python\n{sol.code.strip()}\n```\n::::")
    return "\n\n".join(parts)
