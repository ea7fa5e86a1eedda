"""The compact pivot of recorded act·mul rows: one line per (gate, implementation), a column per pass."""

import pytest

from ffn_lib.bench import latest_run, value
from ffn_lib.bench.pivot import PASSES, ActMulPivot, act_mul_pivot


def _row(op, impl, pass_, share, median=1e-3):
    return {"group": "act_mul", "op": op, "impl": impl, "pass": pass_,
            "time": {"median": median, "q1": median, "q3": median, "unit": "s"},
            "copy_share": {"value": share, "unit": "fraction"}, "bandwidth": {"value": 2e12, "unit": "B/s"}}


RUN = {"provenance": {"device": {"name": "Test GPU"}, "date": "2026-01-01T00:00", "torch": "2", "command": "x"},
       "config": {"dtype": "bfloat16"}, "reference": {"copy_bandwidth": {"value": 4e12}},
       "results": [_row("silu", "eager", "forward", 0.58), _row("silu", "eager", "backward", 0.56),
                   _row("silu", "fused", "forward", 1.01), _row("gelu", "eager", "forward+backward", 0.5),
                   {"group": "block", "op": "SwiGLU", "impl": "eager", "pass": "forward",
                    "time": {"median": 1.0, "q1": 1.0, "q3": 1.0}}]}


def test_cells_are_the_rows_values_in_the_right_columns():
    p = ActMulPivot(RUN, ["silu", "gelu"])
    assert p.lines() == [("silu", "eager", [0.58, 0.56, None]), ("silu", "fused", [1.01, None, None]),
                         ("gelu", "eager", [None, None, 0.5])]
    table = p.markdown()
    assert "| SiLU | eager | 58% | 56% | – |" in table
    assert "| GELU (erf) | eager | – | – | 50% |" in table
    assert "above 100%" in table  # 1.01 needs the note
    # the short provenance, the copy bandwidth the shares are of, and the page with the rest
    assert table.startswith("**share of the copy bandwidth**: recorded on Test GPU, bf16, 2026-01-01, copy bandwidth "
                            "4 TB/s measured in the same run (the [GPU results](../book/gpu-results.md) page")
    assert "torch" not in table and "`x`" not in table
    assert len([line for line in table.splitlines() if line.startswith("| ")]) == 1 + 3
    assert p.figure() is not None


def test_time_and_errors():
    p = ActMulPivot(RUN, ["silu"], ["eager"], quantity="time")
    assert p.value("silu", "eager", "forward") == 1e-3
    with pytest.raises(ValueError, match="quantity"):
        ActMulPivot(RUN, quantity="speed")
    with pytest.raises(ValueError, match="pass_"):
        p.value("silu", "eager", "both")


def test_no_run_says_so():
    p = ActMulPivot(None)
    assert "No recorded GPU run" in p.markdown() and p.figure() is None


def test_recorded_run_agrees_with_value():
    run = latest_run()
    if run is None:
        pytest.skip("no recorded GPU run")
    p = act_mul_pivot(["silu", "gelu"])
    for op, impl, cells in p.lines():
        assert cells == [value("act_mul", op, impl, pass_, run=run) for pass_ in PASSES]
    assert len(p.lines()) < len([r for r in run["results"] if r["group"] == "act_mul" and r["op"] in ("silu", "gelu")])


def test_a_compact_recorded_table_states_constant_columns_once():
    from ffn_lib.bench import recorded
    from ffn_lib.bench.pivot import GATE_NAMES

    section = recorded("activation", ["relu", "gelu", "gelu_tanh"], title="alone", compact=True, names=GATE_NAMES)
    text = section._repr_markdown_()
    assert "Every row: impl eager; pass forward." in text
    assert "| op | median time |" in text and "| eager |" not in text
    assert "| GELU (erf) |" in text and "| tanh GELU |" in text and "| gelu_tanh |" not in text
    full = recorded("activation", ["relu", "gelu"], title="alone")._repr_markdown_()
    assert "| op | impl | pass |" in full and "Every row" not in full  # the default is unchanged
    fig = section.figure()  # the figure names the ops as the table does
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "GELU (erf)" in ticks and "tanh GELU" in ticks and "gelu_tanh" not in ticks
    block = recorded("block", ["ReLU"], title="block", compact=True)._repr_markdown_()
    assert "Every row: impl eager." in block and "| op | pass |" in block  # two passes: the pass column stays


def test_the_shared_fields_read_as_one_sentence_in_either_language():
    from ffn_lib import i18n
    from ffn_lib.bench.report import every_row

    assert every_row({"impl": "eager", "pass": "forward"}) == "Every row: impl eager; pass forward."
    assert every_row({"pass": "forward"}) == "Every row: pass forward."
    with pytest.raises(ValueError, match="same"):
        every_row({})
    i18n.set_language("zh")
    assert every_row({"impl": "eager", "pass": "前向"}) == "各行的实现均为 eager，阶段均为前向。"
    assert every_row({"impl": "eager"}) == "各行的实现均为 eager。"


def test_a_share_above_100_percent_names_its_candidate_causes_as_unmeasured():
    table = ActMulPivot(RUN, ["silu"], page=None).markdown()  # on the GPU results page: said in full, once
    assert "reads two for each one it writes" in table and "The run does not measure why" in table
    assert "fixed cost of each timed call" in table  # both candidates, neither claimed
    chapter = ActMulPivot(RUN, ["silu"]).markdown()  # in a chapter: one sentence linking there
    assert "fixed cost of each timed call" not in chapter and "reads two for each one" not in chapter
    assert "the run does not measure; the [GPU results](../book/gpu-results.md) page names the two" in chapter
    below = {**RUN, "results": [_row("silu", "eager", "forward", 0.58)]}
    assert "does not measure why" not in ActMulPivot(below, ["silu"]).markdown()  # only where a share exceeds 100%


def test_the_gpu_results_summary_has_every_block_and_the_full_tables_fold():
    from ffn_lib.bench.report import block_summary, folded, markdown_table

    run = latest_run()
    if run is None:
        pytest.skip("no recorded GPU run")
    summary = block_summary(run)
    blocks = [r for r in run["results"] if r["group"] == "block"]
    assert summary.count("\n| ") == len({(r["op"], r.get("params", {}).get("d_ff")) for r in blocks}) + 1
    assert "| forward, eager | forward, fused |" in summary.replace("| block ", "")
    relu = next(r for r in blocks if r["op"] == "ReLU" and r["pass"] == "forward" and r["impl"] == "eager")
    from ffn_lib.timing import format_time
    assert f"| ReLU | {format_time(relu['time']['median'])} | – |" in summary  # no fused plain block
    body = markdown_table(run, level=3).partition("\n")[2]
    box = folded("The full tables", body)
    assert box.startswith("::::{dropdown} The full tables\n") and box.rstrip().endswith("::::")
    assert "\n#" not in box and "**Whole FFN blocks**" in box  # headings become bold lines inside the directive
    assert "with the GPU still idle" in body  # the start clocks say what they are
    assert block_summary({**run, "results": []}) == ""


def test_the_pivot_on_the_gpu_results_page_does_not_send_the_reader_to_that_page():
    linked = ActMulPivot(RUN, ["silu"]).markdown()
    assert "page has the command and the versions" in linked
    here = ActMulPivot(RUN, ["silu"], page=None).markdown()
    assert "page has the command" not in here and "recorded on" in here


def test_an_implementation_keeps_its_colour_whichever_others_are_drawn():
    from matplotlib.colors import to_hex

    from ffn_lib.plotting import IMPL_COLORS, impl_color

    def colours(impls):
        fig = ActMulPivot(RUN, ["silu", "gelu"], impls).figure()
        return {line.get_label(): to_hex(line.get_color()) for line in fig.axes[0].get_lines()
                if line.get_label() in impls}

    both, fused_only = colours(["eager", "fused"]), colours(["fused"])
    assert both == {"eager": IMPL_COLORS["eager"], "fused": IMPL_COLORS["fused"]}
    assert fused_only["fused"] == both["fused"]  # not the first colour of the cycle because it is drawn first
    assert len(set(IMPL_COLORS.values())) == len(IMPL_COLORS)  # one colour per implementation
    assert impl_color("new_impl") == impl_color("new_impl") not in IMPL_COLORS.values()
    with pytest.raises(ValueError, match="impl"):
        impl_color("")


def test_the_implementations_legend_ends_with_the_languages_full_stop():
    from ffn_lib import i18n

    assert "kernels.act_mul`.*" in ActMulPivot(RUN, ["silu"]).markdown()
    i18n.set_language("zh")
    legend = next(line for line in ActMulPivot(RUN, ["silu"]).markdown().split("\n\n") if "eager：" in line)
    assert legend.endswith("。*") and not legend.endswith(".*")
