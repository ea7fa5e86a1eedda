"""Chapter 7's lessons, generated from the recorded run: its numbers, and fewer sentences when rows are missing."""

import copy

import pytest

from ffn_lib.bench import latest_run, value
from ffn_lib.recorded_lessons import host_sentence, lessons


@pytest.fixture
def run():
    doc = latest_run()
    if doc is None:
        pytest.skip("no recorded GPU run")
    return doc


def test_lessons_carry_the_runs_numbers(run):
    out = lessons(run)
    assert out[0].startswith(f"From the run on {run['provenance']['device']['name']}")
    compile_line = next(line for line in out if line.startswith("- **torch.compile**"))
    assert f"eager {value('act_mul', 'silu', 'eager', 'forward', run=run):.0%}" in compile_line
    erf = next(line for line in out if line.startswith("- **erf**"))
    assert f"eager {value('act_mul', 'gelu', 'eager', 'forward', run=run):.0%}" in erf


def test_a_missing_row_drops_its_sentence_only(run):
    doc = copy.deepcopy(run)
    doc["results"] = [r for r in doc["results"] if r["impl"] != "compile"]
    out = lessons(doc)
    assert not any(line.startswith("- **torch.compile**") for line in out)
    assert not any(line.startswith("- **erf**") for line in out)
    assert any(line.startswith("- **Launch shape**") for line in out)
    assert lessons(None) == []


def test_host_sentence():
    host = {False: {"fused_us": 3.0, "eager_us": 6.0}, True: {"fused_us": 9.0, "eager_us": 3.0}}
    text = host_sentence(host)
    assert "3.0 µs of host time forward" in text and "(0.5× and 3.0× eager's" in text
    assert "against eager's 6.0 µs and 3.0 µs" in text   # eager to the same precision as fused (not "6 µs")
    text = host_sentence({False: {"fused_us": 6.3, "eager_us": 5.2}, True: {"fused_us": 40.0, "eager_us": 33.4}})
    assert "costs 6.3 µs of host time forward and 40 µs" in text and "against eager's 5.2 µs and 33 µs" in text
    assert "not installed" in host_sentence(None)


def test_block_steps_and_gemm_pair_follow_the_rows(run):
    from ffn_lib.bench import row
    from ffn_lib.recorded_lessons import block_steps, gemm_pair_sentence

    relu = row(run, "block", "ReLU", "eager", "forward+backward")["time"]["median"] * 1e3
    text = block_steps(run)
    assert f"{run['config']['d_ff_gated']:,} gated" in text and f"{relu:.1f}" in text
    two = row(run, "gemm", "gate and up, two GEMMs", "eager", "forward")["time"]["median"]
    one = row(run, "gemm", "gate_up, one GEMM", "eager", "forward")["time"]["median"]
    assert f"the two took {two / one:.3f}× as long" in gemm_pair_sentence(run)
    doc = copy.deepcopy(run)
    doc["results"] = [r for r in doc["results"] if r["group"] not in ("block", "gemm")]
    assert block_steps(doc) == "" and gemm_pair_sentence(doc) == "" and block_steps(None) == ""


def test_speedups_amdahl_and_additions(run):
    from ffn_lib import predict
    from ffn_lib.recorded_lessons import amdahl_sentence, production_additions, speedup_table

    found = predict.speedups(run)
    table = speedup_table(run)
    assert len([line for line in table.splitlines() if line.startswith("| ")]) == 1 + len(found)
    assert f"{sum(abs(s.error) <= 0.05 for s in found)} of {len(found)} predictions within 5%" in table
    # gates by the names the prose uses, not the library's codes
    assert "| tanh GELU | forward |" in table and "| GELU-erf | forward |" in table and "| identity |" in table
    assert "| gelu_tanh |" not in table and "| gelu |" not in table
    b = predict.block_step(run)
    assert f"{b.share:.1%} of the eager" in amdahl_sentence(run)
    assert "no like-for-like" in amdahl_sentence(None) and "No recorded GPU run" in speedup_table(None)
    assert len(production_additions(run)) == 8 and len(production_additions(None)) == 5
    tools = production_additions(None, {"block": 2048, "num_warps": 4})
    assert "handles 16 consecutive elements" in tools[-3] and "32 bytes in bfloat16" in tools[-3]
    assert "2 and 4 loads of 16 bytes" in tools[-3]
    assert "triton.autotune" in tools[-2] and "ncu --set full" in tools[-1] and "No profile is committed" in tools[-1]
    assert f"{value('act_mul', 'gelu', 'fused_cat', 'forward', run=run):.1%}" in production_additions(run)[1]


def test_speedup_figure_has_a_dot_per_prediction(run):
    from ffn_lib import figure_check, predict
    from ffn_lib.recorded_lessons import speedup_figure

    found = predict.speedups(run)
    fig = speedup_figure(found, "GPU")
    ys = sorted(y for line in fig.axes[0].get_lines() if line.get_marker() == "o" for y in line.get_ydata())
    assert ys == pytest.approx(sorted(s.measured / s.predicted for s in found))
    assert figure_check.problems(fig) == [] and speedup_figure([], "GPU") is None


def test_speedup_figure_draws_the_band_the_text_judges_by(run):
    """The ±5% band of the table's sentence is on the figure, labelled, and the dots inside it are those counted."""
    from ffn_lib import predict
    from ffn_lib.recorded_lessons import speedup_figure, speedup_table

    found = predict.speedups(run)
    fig = speedup_figure(found, "GPU")
    ax = fig.axes[0]
    bands = [p for p in ax.patches if "within" in p.get_label()]
    assert len(bands) == 1 and "5%" in bands[0].get_label()
    lo, hi = sorted(ax.transData.inverted().transform(bands[0].get_window_extent())[:, 1])
    assert (lo, hi) == pytest.approx((1 - predict.PREDICTION_BAND, 1 + predict.PREDICTION_BAND))
    inside = sum(lo <= s.measured / s.predicted <= hi for s in found)
    assert f"{inside} of {len(found)} predictions within 5%" in speedup_table(run)
    assert "0.95 to 1.05" in fig.alt


def test_prediction_misses_explain_each_miss(run):
    """measured / predicted is the fused kernel's share over eager's share on its own passes: one line per miss."""
    from ffn_lib import predict
    from ffn_lib.recorded_lessons import prediction_misses

    found = predict.speedups(run)
    misses = [s for s in found if not s.within()]
    out = prediction_misses(run)
    assert len(out) == len(misses) + 1 and out[-1].startswith("- Pointing to the erf")
    assert "without isolating it" in out[-1] and "isolates" not in out[-1]
    for s, line in zip(misses, out):
        assert f"their ratio, {s.measured / s.predicted:.3f}," in line
    compile_fwd = value("act_mul", "gelu", "compile", "forward", run=run)
    assert f"{compile_fwd:.1%} of the copy bandwidth" in out[-1]
    assert prediction_misses(None) == []


def test_the_chapter_gives_the_speedup_figure_its_alt_text(run):
    import json

    from bookutil import ROOT

    from ffn_lib import predict
    from ffn_lib.recorded_lessons import speedup_figure

    cells = json.loads((ROOT / "notebooks" / "07_writing_the_kernel.ipynb").read_text())["cells"]
    cell = next(c for c in cells if "speedup_figure(" in "".join(c["source"]))
    assert cell["metadata"]["mystnb"]["image"]["alt"] == speedup_figure(predict.speedups(run), "GPU").alt


def _numbers(text):
    import re
    return sorted(re.findall(r"\d+(?:[.,]\d+)*", text))


def test_in_chinese_the_same_numbers_in_whole_chinese_sentences(run):
    """The zh edition's sentences: Chinese (no English sentence left), every number the English one has."""
    import re

    from ffn_lib import i18n
    from ffn_lib.recorded_lessons import amdahl_sentence, prediction_misses, production_additions, speedup_table

    def texts():
        return [*lessons(run), *prediction_misses(run), *production_additions(run), speedup_table(run),
                amdahl_sentence(run)]
    english = texts()
    i18n.set_language("zh")
    chinese = texts()
    assert len(chinese) == len(english)
    assert "| 恒等 |" in speedup_table(run) and "| identity |" not in speedup_table(run)
    for en, zh in zip(english, chinese):
        assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"\b(the|of|and) ", zh), zh[:80]
        assert _numbers(zh) == _numbers(en), (en[:60], zh[:60])


def test_decode_sentence_applies_the_rule_to_the_whole_step(run):
    from ffn_lib import predict
    from ffn_lib.recorded_lessons import decode_sentence

    text = decode_sentence(run)
    floor = predict.decode_floor(run)
    eager = value("host", "silu", "eager", "forward", "host_time", run=run)
    assert "act·mul op alone" in text and f"{floor.weight_bytes / 1e6:,.0f} MB per layer" in text
    assert "at least 83 µs" in text and f"{floor.seconds / eager:.1f}× the eager" in text
    assert "cannot say" in text
    assert decode_sentence(None) == "" and decode_sentence({**run, "results": []}) == ""


def test_plain_block_rates_follow_the_rows(run):
    from ffn_lib.recorded_lessons import plain_block_rates

    text = plain_block_rates(run)
    square = value("gemm", "square", "eager", "forward", "flop_rate", run=run)
    forward = value("block", "ReLU", "eager", "forward", "flop_rate", run=run)
    assert f"ran at {forward / 1e12:.0f} TFLOP/s" in text and f"median {square / 1e12:.0f} TFLOP/s" in text
    assert "nearly all of the block's time" in text  # the ReLU's traffic is a few percent of the forward
    doc = copy.deepcopy(run)
    for r in doc["results"]:
        if r["group"] == "activation" and r["op"] == "relu":
            r["bandwidth"]["value"] /= 10  # ten times slower: its pass becomes a visible share
    assert plain_block_rates(doc).endswith("a visible share of it.")
    doc["results"] = [r for r in doc["results"] if r["group"] != "gemm"]
    assert plain_block_rates(doc) == "" and plain_block_rates(None) == ""


def _block_times(run, op, pass_, median, q1, q3):
    doc = copy.deepcopy(run)
    for r in doc["results"]:
        if r["group"] == "block" and r["op"] == op and r["impl"] == "eager" and r["pass"] == pass_:
            r["time"].update(median=median, q1=q1, q3=q3)
    return doc


def test_a_gap_of_a_few_percent_between_separate_blocks_is_read_as_clock_drift(run):
    from ffn_lib.bench import row
    from ffn_lib.recorded_lessons import against_baseline

    base = row(run, "block", "ReLU", "eager", "forward")["time"]
    m, q1, q3 = base["median"], base["q1"], base["q3"]
    overlapping = against_baseline(_block_times(run, "GLU", "forward", m, q1, q3), "GLU", "forward")
    assert overlapping.endswith("overlapping).")
    near = against_baseline(_block_times(run, "GLU", "forward", m * 1.04, q3 * 1.02, q3 * 1.05), "GLU", "forward")
    assert "within clock drift" in near and near.startswith("- GLU, the forward: 1.04× the eager ReLU block's time")
    far = against_baseline(_block_times(run, "GLU", "forward", m * 1.5, q3 * 1.4, q3 * 1.6), "GLU", "forward")
    assert "drift" not in far and "overlapping" not in far
    faster = against_baseline(_block_times(run, "GLU", "forward", m * 0.97, q1 * 0.96, q1 * 0.98), "GLU", "forward")
    assert "within clock drift" in faster
    assert against_baseline(run, "no such block", "forward") is None and against_baseline(None, "GLU", "forward") is None


def test_epilogue_bounds_three_settings_labelled(run):
    from ffn_lib import predict
    from ffn_lib.recorded_lessons import epilogue_lines

    e = predict.epilogue_bounds(run)
    assert e.inference == pytest.approx(166.816e-6 / 4.4776e-3, rel=1e-3)  # 3.7%
    assert e.training_forward == pytest.approx(2 / 3 * 166.816e-6 / 13.4117e-3, rel=1e-3)  # 0.8%
    assert e.training_both == pytest.approx(predict.block_step(run).fused_share)  # 3.3%
    assert e.training_forward < e.training_both and e.saved_passes == 2 and e.passes == 3
    lines = epilogue_lines(run)
    assert len(lines) == 3 and "**Inference**" in lines[0] and "3.7%" in lines[0]
    assert "forward epilogue only" in lines[1] and "0.8%" in lines[1] and "2/3" in lines[1]
    assert "both directions fused" in lines[2] and "3.3%" in lines[2]
    missing = copy.deepcopy(run)
    missing["results"] = [r for r in missing["results"] if r["group"] != "block"]
    assert predict.epilogue_bounds(missing) is None and len(epilogue_lines(missing)) == 1


def test_cuda_tests_are_read_from_the_runs_junit(run, tmp_path):
    from ffn_lib.recorded_lessons import cuda_test_passed, cuda_tests, gpu_checked_sentence

    tests = cuda_tests(run)
    assert sum(len(v) for v in tests.values()) == 528 and "test_kernel_chapter" not in tests
    assert cuda_test_passed(run, "test_kernels", "test_gelu_erf_accuracy") is True
    assert cuda_test_passed(run, "test_kernel_chapter", "test_steps") is None
    text = gpu_checked_sentence(run)
    assert text.startswith("Checked in Triton's interpreter; not yet run on a GPU") and "528 tests" in text
    assert "521 passed; the 7 failures, in `test_bench`, `test_blocks`, `test_timing`, are described" in text
    assert "[GPU results](../book/gpu-results.md)" in text
    assert "none of the 93 tests of the production kernels (`test_kernels`) failed" in text
    # a run whose CUDA tests include the chapter's, and one with a failure, and one without the file
    (tmp_path / "results.json").write_text("{}")
    (tmp_path / "tests-cuda.xml").write_text(
        '<testsuites><testsuite><testcase classname="tests.test_kernel_chapter" name="test_a[x]"/>'
        '<testcase classname="tests.test_kernels" name="test_b[y]"><failure/></testcase></testsuite></testsuites>')
    other = {**run, "path": str(tmp_path / "results.json")}
    text = gpu_checked_sentence(other)
    assert "ran this chapter's tests on CUDA too (`test_kernel_chapter`)" in text
    assert "1 passed; the 1 failure, in `test_kernels`, is described" in text
    assert "1 of the 1 tests of the production kernels (`test_kernels`) failed" in text
    assert cuda_test_passed(other, "test_kernels", "test_b") is False
    (tmp_path / "tests-cuda.xml").write_text(
        '<testsuites><testsuite><testcase classname="tests.test_timing" name="test_a"/></testsuite></testsuites>')
    assert "(`test_timing`): all 1 passed. None of this chapter" in gpu_checked_sentence(other)
    (tmp_path / "tests-cuda.xml").unlink()
    assert cuda_tests(other) is None and "only in Triton's interpreter" in gpu_checked_sentence(other)


def test_chapter4_block_sentences_use_the_charts_reference(run):
    # the recorded-blocks chart of a parameter-matched section divides by the eager plain blocks' median; the
    # bullets under it must give the same numbers (GLU forward 1.01x in the chart, not 0.96x over ReLU)
    from ffn_lib.bench.block_figure import relative_times
    from ffn_lib.bench.report import RecordedSection
    from ffn_lib.recorded_lessons import against_plain_blocks, plain_blocks_median

    section = RecordedSection([run], "block", ["ReLU", "GLU", "Bilinear", "ReGLU"], "plain and gated blocks")
    for r, ratio, lo, hi in relative_times(section):
        if r["impl"] != "eager":
            continue
        text = against_plain_blocks(run, r["op"], r["pass"])
        assert f": {ratio:.2f}× the eager plain blocks' median (middle half {lo:.2f}-{hi:.2f}×" in text, text
    fwd = [row_ for row_ in run["results"] if row_["group"] == "block" and row_["impl"] == "eager"
           and row_["pass"] == "forward" and row_["op"] in ("ReLU", "GELU", "Swish")]
    assert plain_blocks_median(run, "forward") == sorted(r["time"]["median"] for r in fwd)[1]
    m = plain_blocks_median(run, "forward")
    assert "containing 1" in against_plain_blocks(_block_times(run, "GLU", "forward", m, m * 0.9, m * 1.1),
                                                  "GLU", "forward")
    near = against_plain_blocks(_block_times(run, "GLU", "forward", m * 1.04, m * 1.03, m * 1.05), "GLU", "forward")
    assert "within clock drift" in near and near.startswith("- GLU, the forward: 1.04×")
    far = against_plain_blocks(_block_times(run, "GLU", "forward", m * 1.5, m * 1.4, m * 1.6), "GLU", "forward")
    assert "drift" not in far and "containing" not in far
    no_gelu = copy.deepcopy(run)
    no_gelu["results"] = [r for r in no_gelu["results"] if not (r["group"] == "block" and r["op"] == "GELU")]
    assert plain_blocks_median(no_gelu, "forward") is None and against_plain_blocks(no_gelu, "GLU", "forward") is None
    assert against_plain_blocks(None, "GLU", "forward") is None
