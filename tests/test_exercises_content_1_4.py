"""What the exercises of chapters 1-4 claim in their text, checked against the library (review follow-ups)."""

from ffn_lib import exercises as E
from ffn_lib import swish_derivative
from ffn_lib.exercises import _numeric
from i18nutil import templates_fullmatching


def _significant(value: float, digits: int) -> str:
    return f"{value:.{digits - 1}e}"


def test_2_5_the_gap_to_the_papers_form_agrees_to_3_digits_as_the_statement_says():
    ex = E.get("2.5")
    answer, gap = float(ex.expected()), _numeric.tanh_forms_gap(0.05, 0.044715)
    assert "agrees with this one to 3 significant digits" in ex.statement and "0.03%" not in ex.statement
    assert _significant(answer, 3) == _significant(gap, 3) and _significant(answer, 4) != _significant(gap, 4)
    assert ex.check(gap).status == "incorrect" and ex.check(float(_significant(answer, 5))).passed


def test_2_5_solution_credits_page_for_the_coefficient():
    sol = E.get("2.5").load_solution().explanation
    assert "Page (1977)" in sol and "was fitted" not in sol


def test_3_2_is_the_second_derivative_at_0_measured_by_a_finite_difference():
    ex = E.get("3.2")
    h = 1e-5
    measured = (float(swish_derivative(h, 3.0)) - float(swish_derivative(-h, 3.0))) / (2 * h)
    assert abs(measured - float(ex.expected())) < 1e-6 and ex.expected() == 1.5
    assert "the bend is the second derivative" in ex.check(0.5).message
    assert "beta^2 SiLU''(0)" in ex.check(4.5).message


def test_2_1_phi_of_plus_1_5_is_a_named_mistake():
    result = E.get("2.1").check(-1.3998)
    assert result.status == "incorrect" and "1 - Phi(1.5)" in result.message


def test_4_6_the_diagrams_reading_of_g_is_a_named_mistake():
    result = E.get("4.6").check(3)
    assert result.status == "incorrect" and "g = xW" in result.message and "u = xV" in result.message


def test_1_6_uses_the_chapters_rule_of_thumb_only():
    ex = E.get("1.6")
    texts = list(ex.hints) + [ex.load_solution().explanation]
    assert any(r"6 \times$ parameters per token" in t for t in texts)
    assert not any(bad in t for t in texts for bad in ("6 N D", "6ND", r"6 \cdot T \cdot N"))


def test_1_5_dead_units_is_the_librarys_criterion_and_its_cases_tell_the_slips_apart():
    import numpy as np
    import torch
    from ffn_lib import FFN
    from ffn_lib.analysis import dead_unit_fraction, pre_activations
    from ffn_lib.exercises import ids

    ex = E.get("1.5")
    cases = ex._cases()
    for x, W1, b1 in cases:
        block = FFN(W1.shape[0], W1.shape[1]).double()
        with torch.no_grad():
            block.w1.weight.copy_(torch.tensor(W1.T, dtype=torch.float64))
            block.w1.bias.copy_(torch.tensor(b1, dtype=torch.float64))
        xt = torch.tensor(x, dtype=torch.float64)
        mask = ex.reference(x, W1, b1)
        assert mask.dtype == bool and mask.shape == (W1.shape[1],)
        assert np.array_equal(mask, (pre_activations(block, xt) <= 0).all(dim=0).numpy())
        assert abs(mask.mean() - dead_unit_fraction(block, xt)) < 1e-6  # the library takes a float32 mean
    h = [x @ W1 + b1 for x, W1, b1 in cases]
    assert any(((z <= 0).all(0) != (z < 0).all(0)).any() for z in h), "a case where a unit peaks at exactly 0"
    assert any(((z <= 0).all(0) != (z <= 0).any(0)).any() for z in h) and any(m.all(0).any() for m in
                                                                              (z <= 0 for z in h)), "dead units"
    assert ex.check(lambda x, W1, b1: (np.maximum(x @ W1 + b1, 0) == 0).all(axis=0)).passed
    assert "exactly 0" in ex.check(lambda x, W1, b1: (x @ W1 + b1 < 0).all(axis=0)).message
    assert "`all`" in ex.check(lambda x, W1, b1: (x @ W1 + b1 <= 0).any(axis=0)).message
    assert ids.revision("1.5") == 2 and not ids.is_current("1.5", {"status": "correct"})


def test_3_4_is_the_beta_that_brings_swish_within_1_percent_of_relu_at_0_1():
    import math
    from ffn_lib import relu, swish
    from ffn_lib.exercises import ids

    ex = E.get("3.4")
    beta = float(ex.expected())
    assert abs(beta - 10 * math.log(99)) < 1e-9, "sigma(-0.1 beta) = 0.01"
    gap = lambda b: (float(relu(0.1)) - float(swish(0.1, b))) / 0.1  # noqa: E731
    assert abs(gap(beta) - 0.01) < 1e-12 and gap(beta - 0.01) > 0.01 > gap(beta + 0.01), "the smallest such beta"
    assert ex.check(45.95).passed and not ex.check(46.0).passed
    for value, words in ((46.05, "e^(beta x) = 99"), (4.595, "divide by x"), (21.97, "absolute terms"),
                         (278.5, "for every x"), (278, "for every x")):
        result = ex.check(value)
        assert result.status == "incorrect" and words in result.message, (value, result.message)
    assert "wrong sign" in ex.check(-45.95).message
    assert ids.revision("3.4") == 2 and not ids.is_current("3.4", {"status": "correct"})


def test_4_7_the_paper_matrices_reproduce_a_phi3_mlp_and_each_layout_slip_is_named():
    import torch
    import torch.nn.functional as F
    from ffn_lib.blocks import split_gate_up

    ex = E.get("4.7")
    torch.manual_seed(0)
    d, f = 8, 6
    gate_up, down = torch.nn.Linear(d, 2 * f, bias=False).double(), torch.nn.Linear(f, d, bias=False).double()
    x = torch.randn(5, d, dtype=torch.float64)
    gate, up = gate_up(x).chunk(2, dim=-1)  # Hugging Face's Phi3MLP.forward, SiLU as Phi-3's act
    phi3 = down(up * F.silu(gate))
    sd = {"gate_up_proj.weight": gate_up.weight.detach(), "down_proj.weight": down.weight.detach()}
    W, V, W2 = ex.reference(sd)
    assert torch.allclose((F.silu(x @ W) * (x @ V)) @ W2, phi3, rtol=1e-12, atol=1e-12)
    halves = split_gate_up(sd["gate_up_proj.weight"], "gate_first", 0)
    assert all(torch.equal(a, b.T) for a, b in zip((W, V), halves))
    w = sd["gate_up_proj.weight"]
    slips = {"swapped": lambda s: (w[f:].T, w[:f].T, s["down_proj.weight"].T),
             "not transposed": lambda s: (w[:f], w[f:], s["down_proj.weight"]),
             "alternate rows": lambda s: (w[0::2].T, w[1::2].T, s["down_proj.weight"].T)}
    for words, fn in slips.items():  # on this dict in float64, as well as on the hidden cases (the generic test)
        assert words in ex._diagnose([([sd], fn(sd), "")]), words
    assert ex.check(lambda s: list(ex.reference(s))).passed, "a list is accepted"


_templates_fullmatching = templates_fullmatching


def test_everything_exercises_1_to_4_say_has_its_chinese():
    """Each statement, hint, option, diagnosis and solution of chapters 1-4 is a catalogue message translated into
    Chinese, or was formatted from one (a solution's computed number), or is maths/symbols only."""
    import re
    from ffn_lib import i18n
    cjk = re.compile(r"[\u4e00-\u9fff]")
    entries = {msgid: e["msgstr"][0] for (ctx, msgid), e in i18n.parse_po(
        i18n.CATALOGUE["zh"].read_text(encoding="utf-8")).items() if ctx is None and e["msgstr"][0] and not e["fuzzy"]}
    missing = []
    for n in (1, 2, 3, 4):
        for ex in E.chapter(n)._exercises:
            texts = [ex.title, ex.statement, *ex.hints, ex.load_solution().explanation]
            texts += list(getattr(ex, "options", {}).values())
            texts += list(ex.mistakes.values()) if isinstance(ex.mistakes, dict) else [m[1] for m in ex.mistakes]
            for text in texts:
                if text in entries:
                    ok = cjk.search(entries[text]) or not re.search(r"\b[a-z]{3,}\b", re.sub(r"\$[^$]*\$", "", text))
                else:
                    ok = any(cjk.search(entries[t]) for t in _templates_fullmatching(text, entries))
                if not ok:
                    missing.append(f"{ex.id}: {text[:60]}")
    assert not missing, missing[:5]


def test_1_7_is_phi_3_to_the_1024_and_its_solution_numbers_are_the_closed_forms():
    import math
    import re

    ex = E.get("1.7")
    phi = 0.5 * (1 + math.erf(3 / math.sqrt(2)))
    assert abs(ex.expected() - phi ** 1024) < 1e-9 and 0.25 < ex.expected() < 0.26
    assert ex.check(round(phi ** 1024, 3)).passed and not ex.check(0.25).passed
    assert "probability for one input" in ex.check(phi).message
    assert "alive" in ex.check(1 - phi ** 1024).message
    sol = ex.load_solution().explanation
    for typed, value in (("0.99865", phi), ("0.98", phi ** 16), ("0.004", phi ** 4096), ("-1.38", 1024 * math.log(phi))):
        assert typed in sol and float(typed) == round(value, len(typed.split(".")[1])), typed
    assert re.search(r"\\Phi\(3\)\^\{1024\}", sol)
    code = "".join("".join(c["source"]) for c in __import__("bookutil").notebook(
        __import__("bookutil").ROOT / "notebooks" / "01_ffn_block.ipynb")["cells"])
    assert "ex.q7.check(answer)" in code


def test_4_8_asks_which_half_f_glu_gates_and_the_answer_is_torchs():
    import torch
    import torch.nn.functional as F

    ex = E.get("4.8")
    a, b = torch.randn(3, 5), torch.randn(3, 5)
    assert torch.allclose(F.glu(torch.cat([a, b], dim=-1), dim=-1), a * torch.sigmoid(b))
    assert ex.options[ex.correct_key()] == r"$a \otimes \sigma(b)$"
    assert "gate-first order" in ex.check("b").message and ex.check("a").passed
    assert 'answer = "a"' in ex.load_solution().code
    from bookutil import ROOT, notebook
    code = "".join("".join(c["source"]) for c in notebook(ROOT / "notebooks" / "04_glu_ffn.ipynb")["cells"])
    assert "ex.q8.check(answer)" in code
