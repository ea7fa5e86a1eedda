"""Chapters 4 and 5 as stored: what the reviews asked of their text and code, checked where a test can see it."""

import ast
import re

import pytest

from bookutil import ROOT, notebook

CH4 = ROOT / "notebooks" / "04_glu_ffn.ipynb"
CH5 = ROOT / "notebooks" / "05_geglu.ipynb"


def _cells(path, kind=None):
    return [c for c in notebook(path)["cells"] if kind is None or c["cell_type"] == kind]


def _text(path, kind):
    return "\n".join("".join(c["source"]) for c in _cells(path, kind))


def _before_exercises(path):
    cells = _cells(path)
    end = next(i for i, c in enumerate(cells) if "".join(c["source"]).startswith("## Exercises"))
    return cells[:end]


@pytest.mark.parametrize("path", [CH4, CH5], ids=lambda p: p.stem)
def test_hidden_cells_build_their_sentences_as_whole_catalogue_messages(path):
    """A hidden cell that writes prose does it with tr("whole sentence {field}") or a library sentence, never with
    an f-string of its own (the 简体中文 edition translates whole messages only)."""
    for cell in _before_exercises(path):
        tags = cell["metadata"].get("tags", [])
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or "hide-input" not in tags or "Markdown(" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.JoinedStr):
                literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                words = re.findall(r"[A-Za-z]{3,}", literal)
                assert len(words) < 2, (cell["id"], literal)  # a format spec or "\n\n", not a sentence


def test_ch4_defines_g_and_u_warns_about_W_and_V_and_draws_the_halves():
    prose = _text(CH4, "markdown")
    first_g = prose.index("$g = xW$")
    assert first_g < prose.index("$\\mathrm{act}(g) \\otimes u$"), "g and u are defined before they are used"
    assert "$u = xV$" in prose[first_g:first_g + 200]
    assert "swap roles" in prose and ":class: warning" in prose
    assert "As in T5, whose FFNs have no biases, Shazeer omits them" in prose
    assert "On a CPU the matrix products take most" not in prose  # measured now, not typed
    code = _text(CH4, "code")
    assert "diagrams.halves_order()" in code and "three_products" in code
    assert "A bar chart of eight equal bars" not in code


def test_ch5_contour_is_centred_on_zero_with_a_zero_contour():
    code = next("".join(c["source"]) for c in _cells(CH5, "code") if "contourf" in "".join(c["source"]))
    assert "levels=21" not in code and "levels=[0]" in code and 'colors="k"' in code
    edges = ast.literal_eval(re.search(r"edges = (\[[^\]]*\])", code).group(1))
    levels = [-e for e in reversed(edges)] + edges
    assert len(levels) % 2 == 0 and levels == [-v for v in reversed(levels)]  # an odd number of bands
    assert 0 not in levels, "zero lies inside the middle band, not on a boundary"
    assert all(b == 2 * a for a, b in zip(edges, edges[1:])), "the caption says the bands double in width"
    assert 'extend="both"' in code, "values beyond the outermost edge are coloured too"


def test_ch5_order_evidence_then_recommendation_and_the_corrected_claims():
    prose = _text(CH5, "markdown")
    assert prose.index("## Siblings in the table") < prose.index("### Which gate should you choose?")
    assert "a transposed weight fails loudly (an FFN's matrices are not square" not in prose
    for needed in ("interleaved", "$+1$", "swiglu_limit", "$\\alpha = 1.702$", "biases", ".reshape"):
        assert needed in prose, needed
    assert "clamp the gate\ninput (above) and the value (both sides)" in prose
    assert "Mesh TensorFlow" in prose and "verified from the" in prose
    code = _text(CH5, "code")
    assert "F.rms_norm" in code and "F.layer_norm" not in code
    assert "shazeer.leaders_sentence()" in code and "reference_kurtosis" in code
    assert "expected_max_normal" not in code  # the Gaussian yardstick is gone


@pytest.mark.parametrize("path", [CH4, CH5], ids=lambda p: p.stem)
def test_timing_sentences_put_the_slower_variant_first(path):
    code = _text(path, "code")
    assert "def slower_first(" not in code and ".slower_first(" in code  # the library's Comparison.slower_first
    assert 'sentence("GELU-erf(g)·u", "GELU-tanh(g)·u")' not in code


# --- chapter 4's split of the SwiGLU block's time ------------------------------------------------------------

def _split(block, products, elementwise, device="cpu"):
    """A comparison of three variants with the given samples (seconds), as timing.compare returns it."""
    from ffn_lib import timing

    times = {"SwiGLU block": block, "products": products, "elementwise": elementwise}
    results = {n: timing.BenchResult(label=n, times_s=list(t), device=device, device_name="Test machine")
               for n, t in times.items()}
    return timing.Comparison(results=results, device=device, device_name="Test machine", rounds=4)


def _sentence(cmp, *, cpu=True):
    from ffn_lib import analysis

    return analysis.swiglu_split_sentence(cmp, "SwiGLU block", "products", "elementwise", cpu=cpu)


def test_split_on_a_cpu_names_the_unmeasured_rest_as_unmeasured():
    cmp = _split([1.00, 1.01, 0.99, 1.00, 1.02], [0.70, 0.71, 0.69, 0.70, 0.70], [0.10, 0.10, 0.11, 0.10, 0.10])
    text = _sentence(cmp)
    assert text.startswith("So the three products are 70% of the SwiGLU block's time, and its activation and "
                           "elementwise product, timed alone on tensors of the same shapes, 10%; the remaining 20% "
                           "is not timed apart.")
    assert "Candidates for it are the block's first writes" in text and "account for" not in text


def test_split_on_a_cpu_when_the_parts_add_up_or_exceed_the_block():
    within = _sentence(_split([1.00, 1.05, 0.95, 1.00, 1.02], [0.70, 0.72, 0.69, 0.70, 0.71],
                              [0.29, 0.30, 0.28, 0.29, 0.30]))
    assert "70%" in within and "29%" in within
    assert "within the timing noise, the two account for the whole block." in within
    assert "not timed apart" not in within and "first writes" not in within
    over = _sentence(_split([1.00, 1.01, 0.99, 1.00, 1.01], [0.80, 0.80, 0.81, 0.80, 0.80],
                            [0.40, 0.40, 0.41, 0.40, 0.40]))
    assert "40%: 120% together, more than the whole block, so the parts timed alone do not simply add" in over


def test_split_off_the_cpu_keeps_the_gpu_sentence_and_says_nothing_without_a_gap():
    cmp = _split([1.00, 1.01, 0.99, 1.00, 1.02], [0.70, 0.71, 0.69, 0.70, 0.70], [0.10, 0.10, 0.11, 0.10, 0.10],
                 device="cuda")
    assert _sentence(cmp, cpu=False) == ("So the three products are 70% of the SwiGLU block's time; the rest goes "
                                         "to the activation and the elementwise product.")
    same = _split([1.00, 1.20, 0.90, 1.10, 1.00], [1.00, 1.10, 0.95, 1.05, 1.00], [0.1] * 5)
    assert _sentence(same) == ""  # not told apart: no share to state
    faster = _split([0.50, 0.51, 0.50, 0.50, 0.50], [0.70, 0.71, 0.69, 0.70, 0.70], [0.1] * 5)
    assert _sentence(faster) == ""  # the block faster than its products: no share either


def test_split_rejects_unknown_variants_and_bad_arguments():
    from ffn_lib import analysis

    cmp = _split([1.0] * 5, [0.7] * 5, [0.1] * 5)
    with pytest.raises(KeyError, match="elementwise 'act'"):
        analysis.swiglu_split_sentence(cmp, "SwiGLU block", "products", "act", cpu=True)
    with pytest.raises(TypeError, match="cpu"):
        analysis.swiglu_split_sentence(cmp, "SwiGLU block", "products", "elementwise", cpu="cpu")
    broken = _split([1.0] * 5, [float("nan")] * 5, [0.1] * 5)
    with pytest.raises(ValueError, match="the products variant's first quartile"):
        _sentence(broken)


def test_ch4_times_the_elementwise_step_it_names_and_states_no_unmeasured_cause():
    code = _text(CH4, "code")
    assert 'fns["SwiGLU\'s activation and product"] = lambda: swiglu.act_mul(g_buf, u_buf)' in code
    assert "analysis.swiglu_split_sentence(cmp" in code
    assert "first writes into the block's freshly" not in code  # a cause no row timed, stated as fact
    alt = next(c["metadata"]["mystnb"]["image"]["alt"] for c in _cells(CH4, "code")
               if "cmp.figure(" in "".join(c["source"]))
    assert "activation and elementwise product alone" in alt, "the figure's alt text names its new row"


def test_a_busy_run_prints_its_times_only_with_the_reason_as_caption():
    """Ch4's CPU timing on a busy machine: no FLOP/s column beside "no verdict" (rates from a median whose middle
    half spans 180% of it are not measurements); a quiet run keeps its rates."""
    from ffn_lib import analysis, timing

    def run(noisy):
        glu = [0.02, 0.05, 0.09, 0.03, 0.08, 0.04] if noisy else [0.050, 0.051, 0.049, 0.050, 0.052, 0.050]
        times = {"GLU block": glu, "ReLU block": [0.050, 0.051, 0.049, 0.050, 0.052, 0.050]}
        results = {n: timing.BenchResult(label=n, times_s=t, device="cpu", device_name="Test machine", flops=4e9)
                   for n, t in times.items()}
        return timing.Comparison(results=results, device="cpu", device_name="Test machine", rounds=6)

    busy_cmp, quiet_cmp = run(True), run(False)
    busy = analysis.busy_machine_sentence(busy_cmp, [("GLU block", "ReLU block")])
    assert busy and analysis.busy_machine_sentence(quiet_cmp, [("GLU block", "ReLU block")]) == ""
    shown = busy_cmp.times_only(busy)
    for table in (shown._repr_markdown_(), shown._repr_html_()):
        assert "FLOP/s" not in table and "GFLOP" not in table and "no verdict" in table
        assert "leaves out the rates" in table and "middle half" in table
    assert all(list(row) == ["variant", "median", "middle half"] for row in shown.rows())
    assert "FLOP/s" in quiet_cmp._repr_markdown_() and "leaves out" not in quiet_cmp._repr_markdown_()
    assert "FLOP/s" in busy_cmp._repr_markdown_(), "times_only returns a view; the comparison keeps its rates"
    for bad in ("", "  ", None):
        with pytest.raises(ValueError, match="reason"):
            busy_cmp.times_only(bad)
    code = _text(CH4, "code")
    assert "display(cmp.times_only(busy) if busy else cmp)" in code
    timing_cell = next("".join(c["source"]) for c in _cells(CH4, "code")
                       if "timing.compare(fns" in "".join(c["source"]))
    assert not timing_cell.rstrip().endswith("\ncmp"), "the table is shown once, after the verdict is known"


def test_ch4_evidence_section_shows_table_1_quoted_from_the_library():
    cells = _cells(CH4)
    start = next(i for i, c in enumerate(cells) if "## Evidence beyond one paper" in "".join(c["source"]))
    code = "".join(cells[start + 1]["source"])
    assert cells[start + 1]["cell_type"] == "code" and 'VARIANTS["ReLU"]' in code
    assert all(f'"{name}"' in code for name in ("GLU", "Bilinear", "ReGLU"))
    assert "quoted from Shazeer (2020), Table 1" in code
    assert not re.search(r"1\.9[0-9]{2}", code), "the numbers come from ffn_lib.VARIANTS, not typed in"


def test_ch4_halves_order_says_what_the_plus_one_is():
    from ffn_lib.diagrams.blocks import halves_order  # noqa: F401  (the strip that shows "+ 1")

    prose = _text(CH4, "markdown")
    assert "(gpt-oss also adds 1 to the value and clamps both; chapter 5)" in prose
    alt = next(c["metadata"]["mystnb"]["image"]["alt"] for c in _cells(CH4, "code")
               if "diagrams.halves_order()" in "".join(c["source"]))
    assert "adds 1 to the value and clamps both (chapter 5)" in alt


def test_one_colour_per_variant_across_ch4():
    import matplotlib

    matplotlib.use("Agg")
    from ffn_lib import plotting, timing

    assert plotting.variant_colors(["GELU", "Bilinear"]) == [plotting.VARIANT_COLORS["GELU"],
                                                             plotting.VARIANT_COLORS["Bilinear"]]
    assert len(set(plotting.VARIANT_COLORS.values())) == len(plotting.VARIANT_COLORS)
    from ffn_lib.variants import VARIANTS
    assert set(plotting.VARIANT_COLORS) == set(VARIANTS)
    with pytest.raises(ValueError, match="names"):
        plotting.variant_colors(["ReLU", "Maxout"])
    code = _text(CH4, "code")
    assert "colors=plotting.variant_colors(kept)" in code  # the saved-bytes bars
    assert "color=plotting.VARIANT_COLORS[score.name]" in code  # the toy's dots
    assert "cmp.figure(colors=block_colors)" in code  # the timing figure
    # the timing figure draws a named variant in its colour and the others in colours none of them uses
    results = {n: timing.BenchResult(label=n, times_s=[1.0, 1.1, 1.2], device="cpu", device_name="Test machine")
               for n in ("ReLU block", "GLU block", "products")}
    cmp = timing.Comparison(results=results, device="cpu", device_name="Test machine")
    given = {"ReLU block": plotting.VARIANT_COLORS["ReLU"], "GLU block": plotting.VARIANT_COLORS["GLU"]}
    fig = cmp.figure(colors=given)
    drawn = [matplotlib.colors.to_hex(line.get_color()) for line in fig.axes[0].get_lines()
             if line.get_linewidth() == 6]
    assert drawn[:2] == [given["ReLU block"], given["GLU block"]] and drawn[2] not in given.values()
    with pytest.raises(ValueError, match="colors"):
        cmp.figure(colors={"SwiGLU block": "#000000"})
