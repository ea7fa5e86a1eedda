"""The benchmark suite (python -m ffn_lib.bench) and its recorded runs, on the CPU."""

import importlib.util
import json
from pathlib import Path

import pytest
import torch

from ffn_lib.bench import __main__ as bench_main
from ffn_lib.bench import latest_run, load_runs, recorded, self_checks, validate, value
from ffn_lib.bench import cases, impls, suite
from ffn_lib.bench.report import NO_RUN, default_results_dir, flop_roof, markdown_table, row, select
from ffn_lib.variants import VARIANTS

ROOT = Path(__file__).resolve().parents[1]
# Validating needs jsonschema (a test extra); reading a run does not, so the rest runs where it is missing.
needs_jsonschema = pytest.mark.skipif(importlib.util.find_spec("jsonschema") is None, reason="needs jsonschema")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One --quick CPU run shared by the tests of this module (one intra-op thread: the machine is shared)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        out = tmp_path_factory.mktemp("bench") / "run"
        code = bench_main.main(["--quick", "--out", str(out), "--no-progress", "--device", "cpu"])
    finally:
        torch.set_num_threads(threads)
    return code, out, json.loads((out / "results.json").read_text())


def _as_gpu_run(doc, folder: Path, name="Synthetic GPU"):
    """A copy of a CPU run relabelled as a CUDA run, written as folder/results.json."""
    doc = json.loads(json.dumps(doc))
    doc["provenance"]["device"].update(type="cuda", name=name, capability="9.0")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(doc))
    return doc


@needs_jsonschema
def test_quick_run_end_to_end(quick_run, tmp_path):
    code, out, doc = quick_run
    assert code == 0
    validate(doc)
    assert doc["provenance"]["command"].startswith("python -m ffn_lib.bench --quick --out ")
    assert doc["provenance"]["device"]["type"] == "cpu" and doc["config"]["quick"] is True
    assert "back to back" in doc["provenance"]["method"] and "every parameter" in doc["provenance"]["method"]
    assert {r["group"] for r in doc["results"]} == set(suite.GROUPS)
    # every gate in every pass; swish with its beta
    eager = select(doc, group="act_mul", impl="eager")
    assert len(eager) == len(suite.GATED_ACTIVATIONS) * 3
    assert {r["op"] for r in eager} == {"sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu", "swish"}
    assert row(doc, "act_mul", "swish", "eager", "forward")["params"] == {"beta": impls.SWISH_BETA}
    # every Shazeer variant as a block, plus the SwiGLU block of issue 10, forward and training step
    blocks = {r["op"] for r in select(doc, group="block")}
    assert blocks == set(VARIANTS) | {f"SwiGLU (d_ff {doc['config']['d_ff_swiglu']})"}
    assert {r["op"] for r in select(doc, group="gemm")} == {"square", "gate and up, two GEMMs", "gate_up, one GEMM",
                                                             "down"}
    assert {(r["impl"], r["pass"]) for r in select(doc, group="host")} == {(i, p) for i in ("eager", "floor")
                                                                            for p in suite.PASSES}
    for r in doc["results"]:
        assert r["time"]["q1"] <= r["time"]["median"] <= r["time"]["q3"]
        assert len(r["samples"]) == r["reps"] and min(r["samples"]) > 0
        assert r["host_time"]["value"] > 0 and r["latency"]["value"] > 0
        if r["bytes"]:
            assert r["bandwidth"]["value"] == pytest.approx(r["bytes"]["value"] / r["time"]["median"])
    md = (out / "results.md").read_text()
    assert "| silu | eager | forward |" in md and "Skipped torch.compile" in md and "Self-checks passed" in md
    png = (out / "results.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    # the self-checks are written into the file, and hold when recomputed
    assert doc["checks"]["passed"], doc["checks"]["failures"]
    assert self_checks(doc) == doc["checks"]
    assert doc["checks"]["checked"]["flop_rate"] == len(select(doc, group="block"))
    import shutil

    shutil.copytree(out, tmp_path / "copy")
    assert load_runs(tmp_path)[0]["path"].endswith("results.json")


def test_self_checks_catch_impossible_numbers(quick_run):
    _, _, doc = quick_run
    roof = flop_roof(doc)
    broken = json.loads(json.dumps(doc))
    r = select(broken, group="block", ops=["SwiGLU"], pass_="forward+backward")[0]
    r["flop_rate"]["value"] = 1.2 * roof  # what counting weight gradients that were never computed gives
    checks = self_checks(broken)
    assert not checks["passed"] and "SwiGLU eager forward+backward" in checks["failures"][0]
    broken["checks"] = checks
    assert "Self-checks FAILED" in markdown_table(broken)
    # a share of copy bandwidth above 105% is impossible only for a working set larger than the cache
    broken = json.loads(json.dumps(doc))
    broken["reference"]["cache_bytes"] = {"value": 1000.0, "unit": "B"}
    r = select(broken, group="act_mul", ops=["silu"], impl="eager", pass_="forward")[0]
    r["copy_share"]["value"] = 1.3
    assert "act_mul silu eager forward: 130% of the copy bandwidth" in " ".join(self_checks(broken)["failures"])
    broken["reference"]["cache_bytes"] = {"value": 2 * r["bytes"]["value"], "unit": "B"}
    assert "act_mul silu eager forward:" not in " ".join(self_checks(broken)["failures"])


def test_the_roof_is_the_fastest_matrix_product_sample():
    """The roof is the best the chip was seen to do: 2 m k n / the shortest sample, over the reference square
    and the gemm rows; the slowest sample (or the median) would let an impossible rate pass."""
    doc = {"reference": {"matmul_shape": [10, 20, 30], "matmul_samples": [4.0, 1.0, 2.0]},
           "results": [{"group": "gemm", "flops": {"value": 6000.0}, "samples": [8.0, 5.0, 10.0]},
                       {"group": "block", "flops": {"value": 1e9}, "samples": [1e-9]}]}
    assert flop_roof(doc) == 2 * 10 * 20 * 30 / 1.0  # 12000 FLOP/s, not 3000 (slowest) or 6000 (median)
    doc["results"][0]["samples"] = [0.25, 0.5]  # a gemm row faster than the reference square: it is the roof
    assert flop_roof(doc) == 6000.0 / 0.25


@needs_jsonschema
def test_committed_results_validate_carry_provenance_and_pass_self_checks():
    """Every results file committed under results/ is a real run of the suite, and a sane one."""
    folder = default_results_dir()
    for doc in load_runs(folder):
        path = Path(doc["path"])
        validate({k: v for k, v in doc.items() if k != "path"}, str(path))  # load_runs does not validate
        prov = doc["provenance"]
        assert prov["command"].startswith("python -m ffn_lib.bench")
        if prov["device"]["type"] == "cuda":
            assert prov["driver"] and prov["cuda"] and prov["device"]["capability"]
            assert doc["config"]["quick"] is False
        assert doc["checks"]["passed"], (path, doc["checks"]["failures"])
        assert self_checks(doc)["passed"], path
        assert (path.parent / "results.md").exists() and (path.parent / "results.png").exists()


@needs_jsonschema
def test_schema_rejects_a_number_without_provenance(quick_run):
    _, _, doc = quick_run
    broken = json.loads(json.dumps(doc))
    del broken["provenance"]["torch"]
    with pytest.raises(ValueError, match="torch"):
        validate(broken)
    broken = json.loads(json.dumps(doc))
    broken["results"][0]["time"]["median"] = -1
    with pytest.raises(ValueError, match="results/0/time/median"):
        validate(broken)
    broken = json.loads(json.dumps(doc))
    broken["results"][0]["bandwidth"] = 12.5  # a bare number, no unit
    with pytest.raises(ValueError):
        validate(broken)
    broken = json.loads(json.dumps(doc))
    del broken["results"][0]["samples"]  # raw samples are part of the provenance
    with pytest.raises(ValueError, match="samples"):
        validate(broken)
    broken = json.loads(json.dumps(doc))
    del broken["checks"]
    with pytest.raises(ValueError, match="checks"):
        validate(broken)
    assert "Activations alone" in markdown_table(doc)


def test_schema_is_valid_json_schema():
    from ffn_lib.bench.report import schema

    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema())


def test_only_runs_the_named_groups(tmp_path):
    out = tmp_path / "gemm"
    assert bench_main.main(["--quick", "--only", "gemm", "--out", str(out), "--no-progress", "--device", "cpu"]) == 0
    doc = json.loads((out / "results.json").read_text())
    assert {r["group"] for r in doc["results"]} == {"gemm"} and doc["config"]["groups"] == ["gemm"]


@pytest.mark.parametrize("args, message", [
    (["--only", "blocks"], "unknown group"),
    (["--only", ","], "at least one group"),
])
def test_cli_rejects_bad_groups(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        bench_main.main(["--quick", "--out", str(tmp_path / "x"), "--device", "cpu", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_checks_out_before_the_run(tmp_path, capsys, monkeypatch):
    """A bad --out is a clear error with exit code 2 before anything is measured, not a traceback after."""
    monkeypatch.setattr(suite, "run_suite", lambda *a, **k: pytest.fail("the suite ran with a bad --out"))
    monkeypatch.setattr(bench_main, "run_suite", lambda *a, **k: pytest.fail("the suite ran with a bad --out"))
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    for out, message in ((a_file, "is not a folder"), (a_file / "sub", "is not a folder")):
        with pytest.raises(SystemExit) as exit_info:
            bench_main.main(["--quick", "--out", str(out), "--device", "cpu"])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    (tmp_path / "taken" / "results.json").mkdir(parents=True)
    assert "is a folder" in bench_main.out_problem(tmp_path / "taken")
    assert bench_main.out_problem(tmp_path / "new" / "deeper") is None


# --- torch.compile: fresh, and a fallback is an error ------------------------------------------------------


def test_a_graph_break_is_an_error_not_a_number(device):
    import torch._dynamo

    def breaks(x):
        torch._dynamo.graph_break()
        return x * 2

    compiled = suite.FreshCompiled(breaks, backend="eager")
    with pytest.raises(suite.CompileFallbackError, match="fallen back to eager"):
        compiled(torch.ones(3, device=device))


def test_hitting_the_recompile_limit_is_an_error_not_a_number(device):
    import torch._dynamo

    def double(x):
        return x * 2

    compiled = suite.FreshCompiled(double, backend="eager")
    with torch._dynamo.config.patch(recompile_limit=2):
        compiled(torch.ones(1, device=device))
        compiled(torch.ones(2, device=device))  # static shapes: one more entry per shape
        with pytest.raises(suite.CompileFallbackError):
            compiled(torch.ones(3, device=device))


def test_every_gate_is_compiled_fresh_and_its_rows_recorded(monkeypatch, device):
    """Seven gates x (grad off, grad on) through one code object would pass dynamo's limit of 8 and
    silently run eagerly; each gate is compiled after a reset, so none falls back (run with a limit of 2)."""
    import torch._dynamo

    monkeypatch.setattr(cases, "GATED_ACTIVATIONS", ("silu", "swish", "gelu_tanh"))
    config = suite.Config.default(device, quick=True, groups=("act_mul",))
    config = suite.Config(**{**config.__dict__, "compile": True, "compile_backend": "eager", "tokens": 8,
                             "d_ff_act": 16, "min_time": 0.002, "warmup_time": 0.0})
    with torch._dynamo.config.patch(recompile_limit=2):
        doc = suite.run_suite(device, config, ["--test"], progress=False)
    for impl in ("compile", "compile_cat"):  # the two layouts, each compiled fresh per gate
        compiled = select(doc, group="act_mul", impl=impl)
        assert {(r["op"], r["pass"]) for r in compiled} == {(g, p) for g in ("silu", "swish", "gelu_tanh")
                                                             for p in suite.PASSES}
    assert row(doc, "act_mul", "silu", "compile_cat", "forward")["shapes"] == [[8, 32]]
    if importlib.util.find_spec("jsonschema") is not None:  # the CUDA run of this test needs none
        validate(doc)


def test_concatenated_layout_is_the_same_step_on_halves(device):
    """compile_cat's input: act(x[..., :d]) * x[..., d:], the gate first, as act_mul_cat takes it."""
    x = torch.randn(4, 16, device=device)
    torch.testing.assert_close(impls._eager("swish", cat=True)(x), impls._eager("swish")(x[:, :8], x[:, 8:]))
    assert not torch.allclose(impls._eager("silu", cat=True)(x), impls._eager("silu")(x[:, 8:], x[:, :8]))


def test_python_floor_allocates_and_differentiates_but_computes_nothing(device):
    """The host group's floor: an autograd.Function with outputs of the right shape, dtype and device."""
    g = torch.randn(3, 5, device=device, dtype=torch.bfloat16, requires_grad=True)
    u = torch.randn(3, 5, device=device, dtype=torch.bfloat16, requires_grad=True)
    y = impls.python_floor(g, u)
    assert (y.shape, y.dtype, y.device) == (g.shape, g.dtype, g.device)
    assert y.grad_fn is not None and "PythonFloor" in type(y.grad_fn).__name__
    dg, du = torch.autograd.grad(y, (g, u), torch.ones_like(y))
    assert dg.shape == g.shape and du.shape == u.shape and dg.device == g.device


def test_compiled_gate_matches_eager(device):
    g, u = torch.randn(4, 8, device=device), torch.randn(4, 8, device=device)
    compiled = suite.FreshCompiled(impls._eager("swish"), backend="eager")
    torch.testing.assert_close(compiled(g, u), impls._eager("swish")(g, u))
    assert torch.allclose(impls._eager("swish")(g, u), g * torch.sigmoid(1.5 * g) * u)


# --- A block's forward+backward is a training step ------------------------------------------------------


def test_training_step_takes_the_gradients_of_the_input_and_every_parameter(device):
    block = VARIANTS["SwiGLU"].build(16, 32).to(device)
    x = torch.randn(5, 16, device=device, requires_grad=True)
    grads = impls.training_step(block, x)()
    params = list(block.parameters())
    assert len(grads) == 1 + len(params) == 4
    assert grads[0].shape == x.shape and all(g.shape == p.shape for g, p in zip(grads[1:], params))
    assert all(g.device.type == device.type for g in grads)


def test_peak_memory_of_a_step(device):
    block = VARIANTS["GELU"].build(32, 128).to(device)
    x = torch.randn(64, 32, device=device, requires_grad=True)
    peak = suite._peak_memory(device, impls.training_step(block, x))
    if device.type == "cuda":
        assert peak >= 64 * 128 * 4  # at least the hidden activation
    else:
        assert peak is None


# --- The recorded runs in a chapter ----------------------------------------------------------------------


def test_recorded_section_without_a_run_is_one_short_line(tmp_path):
    section = recorded("act_mul", ["silu"], title="x", folder=tmp_path)
    assert section._repr_markdown_() == NO_RUN and "\n" not in NO_RUN
    assert section.figure() is None and section.value("silu", "eager", "forward") is None
    assert latest_run(tmp_path) is None and value("act_mul", "silu", "eager", "forward", folder=tmp_path) is None


def test_recorded_section_shows_table_and_figure_of_gpu_runs(quick_run, tmp_path, monkeypatch):
    _, _, cpu_doc = quick_run
    (tmp_path / "cpu-run").mkdir()
    (tmp_path / "cpu-run" / "results.json").write_text(json.dumps(cpu_doc))  # not a GPU run: not shown
    doc = _as_gpu_run(cpu_doc, tmp_path / "h100-test")
    section = recorded("act_mul", ["silu", "gelu"], passes=["forward"], title="SwiGLU step", folder=tmp_path)
    md = section._repr_markdown_()
    assert "Synthetic GPU" in md and "recorded on" in md and "| silu | eager | forward |" in md
    rows = [line for line in md.split("|---", 1)[1].splitlines() if line.startswith("|")]  # the table, not its notes
    assert not any("backward" in line for line in rows) and "| gelu | eager | forward |" in md
    assert len(section.rows()) == 2
    fig = section.figure()
    assert fig is not None and len([p for p in fig.axes[0].patches if p.get_height() > 0]) == 2
    # numbers for generated sentences
    r = row(doc, "act_mul", "silu", "eager", "forward")
    assert section.value("silu", "eager", "forward") == r["copy_share"]["value"]
    assert value("act_mul", "silu", "eager", "forward", "time", folder=tmp_path) == r["time"]["median"]
    assert latest_run(tmp_path)["provenance"]["device"]["name"] == "Synthetic GPU"
    with pytest.raises(ValueError, match="quantity"):
        value("act_mul", "silu", "eager", "forward", "speed", run=doc)
    # one display: the table, then the figure (the display path needs IPython, which Jupyter installs)
    display_module = pytest.importorskip("IPython.display")
    shown = []
    monkeypatch.setattr(display_module, "display", lambda obj: shown.append(type(obj).__name__))
    section._ipython_display_()
    assert shown == ["Markdown", "Image"]


def test_a_chapters_table_carries_a_short_provenance_and_links_the_rest(quick_run, tmp_path):
    _, _, cpu_doc = quick_run
    doc = _as_gpu_run(cpu_doc, tmp_path / "h200-test", name="NVIDIA H200")
    md = recorded("act_mul", ["silu"], passes=["forward"], title="step", folder=tmp_path)._repr_markdown_()
    date = doc["provenance"]["date"][:10]
    short = {"bfloat16": "bf16", "float32": "fp32"}[doc["config"]["dtype"]]
    assert md.startswith(f"**step**: recorded on H200, {short}, {date}, "
                         "copy bandwidth ")  # the table shows shares of it
    assert "[GPU results](../book/gpu-results.md)" in md
    assert doc["provenance"]["command"] not in md and "torch " not in md  # those are on the GPU results page
    blocks = recorded("block", ["ReLU"], title="blocks", folder=tmp_path)._repr_markdown_()
    assert blocks.startswith("**blocks**: recorded on H200, ") and "copy bandwidth" not in blocks.split("\n")[0]
    assert doc["provenance"]["command"] in markdown_table(doc)  # the full provenance stays on that page


def test_recorded_blocks_show_rates_and_peak_memory(quick_run, tmp_path):
    _, _, cpu_doc = quick_run
    doc = json.loads(json.dumps(cpu_doc))
    for r in select(doc, group="block", pass_="forward+backward"):
        r["peak_memory"] = {"value": (1.5 if r["op"] == "SwiGLU" else 1.0) * 2**30, "unit": "B"}
    _as_gpu_run(doc, tmp_path / "h200-test")
    section = recorded("block", ["SwiGLU", "ReLU"], impls=["eager"], title="blocks", folder=tmp_path)
    assert "1.50 GiB" in section._repr_markdown_() and "FLOP/s" in section._repr_markdown_()
    fig = section.figure()  # time over the plain blocks' median, a panel per pass, then the memory that differs
    assert "plain\nblocks' median" in fig.axes[0].get_xlabel() and "peak memory" in fig.axes[-1].get_title()
    assert len(fig.axes) == 3
    host = recorded("host", folder=tmp_path)
    assert "host time / call" in host._repr_markdown_()
    assert "host time" in host.figure().axes[0].get_ylabel()
    assert "above what was allocated before it" in section._repr_markdown_()  # what the peak memory counts


def test_recorded_sections_say_what_each_implementation_is(quick_run, tmp_path):
    _, _, cpu_doc = quick_run
    doc = json.loads(json.dumps(cpu_doc))
    extra = json.loads(json.dumps(row(doc, "act_mul", "silu", "eager", "forward")))
    extra["impl"], extra["copy_share"] = "fused_cat", {"value": 1.01, "unit": "fraction of copy bandwidth"}
    doc["results"].append(extra)
    _as_gpu_run(doc, tmp_path / "h200-test")
    md = recorded("act_mul", ["silu"], passes=["forward"], title="step", folder=tmp_path)._repr_markdown_()
    assert "*eager: PyTorch as usually written, one kernel per operation; fused_cat: the same kernel on one" in md
    assert "a little above 100% means the op streamed slightly better" in md
    blocks = recorded("block", ["SwiGLU"], title="blocks", folder=tmp_path)._repr_markdown_()
    assert "fused" not in blocks or "`GatedFFN(fused=True)`" in blocks
    one = recorded("act_mul", ["silu"], impls=["eager"], title="step", folder=tmp_path)._repr_markdown_()
    assert "PyTorch as usually written" not in one  # a single implementation needs no legend


def test_load_runs_skips_other_tools_results(tmp_path, quick_run):
    _, _, doc = quick_run
    (tmp_path / "lm-run").mkdir()
    (tmp_path / "lm-run" / "results.json").write_text(json.dumps({"provenance": {"command": "python -m ffn_lib.lm"}}))
    _as_gpu_run(doc, tmp_path / "gpu")
    assert [Path(d["path"]).parent.name for d in load_runs(tmp_path)] == ["gpu"]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "results.json").write_text(json.dumps({"provenance": {"command": "python -m ffn_lib.bench"}}))
    with pytest.raises(ValueError, match="bad"):
        load_runs(tmp_path)


# --- Packaging ---------------------------------------------------------------------------------------


def test_the_wheel_carries_the_schema_and_declares_jsonschema():
    """.ci/run builds and installs the wheel; here, the configuration that makes it right."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(d.startswith("jsonschema") for d in project["project"]["dependencies"])
    data = project["tool"]["setuptools"]["package-data"]
    assert "*.json" in data.get("*", []) or "schema.json" in data.get("ffn_lib.bench", [])
    assert "liger" in project["project"]["optional-dependencies"]
    assert (ROOT / "ffn_lib" / "bench" / "schema.json").is_file()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip wheel" in ci and "python3 -m venv" in ci and "-m ffn_lib.bench --quick" in ci


@pytest.mark.parametrize("gate", suite.GATED_ACTIVATIONS)
def test_the_fused_rows_time_the_public_kernels_with_the_right_gate(gate, kernel_device):
    """What the suite labels 'fused' / 'fused_cat' computes the same act(g) * u as its eager row (swish with beta)."""
    act_name, params = impls._gate(gate)
    g, u = torch.randn(3, 16, device=kernel_device), torch.randn(3, 16, device=kernel_device)
    expected = impls._eager(gate)(g, u)
    torch.testing.assert_close(impls._fused(act_name, params)(g, u), expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(impls._fused(act_name, params, cat=True)(torch.cat([g, u], -1)), expected,
                               rtol=1e-5, atol=1e-5)


def test_a_graph_break_recorded_after_compiling_is_caught(device):
    """Belt and braces beside fullgraph=True: dynamo's graph-break counter is read after each compiled case."""
    from torch._dynamo.utils import counters

    compiled = suite.FreshCompiled(impls._eager("silu"), backend="eager")
    compiled(torch.ones(2, device=device), torch.ones(2, device=device))
    compiled.check()  # nothing recorded since the compile
    counters["graph_break"]["a break elsewhere"] += 1
    try:
        with pytest.raises(suite.CompileFallbackError, match="graph breaks"):
            compiled.check()
    finally:
        del counters["graph_break"]["a break elsewhere"]


def test_gpu_results_page_links_chapter_2_and_gives_its_figure_the_library_s_alt_text():
    """The page's figure cell carries report.RUN_FIGURE_ALT (a catalogue message, so the zh edition swaps in its
    translation), the activations' table links chapter 2, and the block table says how the blocks were timed."""
    from myst_nb.core.read import read_myst_markdown_notebook

    from ffn_lib.bench import report

    page = Path(__file__).resolve().parent.parent / "book" / "gpu-results.md"
    cells = [c for c in read_myst_markdown_notebook(page.read_text(encoding="utf-8")).cells if c.cell_type == "code"]
    figure = [c for c in cells if "plot_run(doc)" in c.source]
    assert len(figure) == 1 and figure[0].metadata["mystnb"]["image"]["alt"] == report.RUN_FIGURE_ALT
    assert "read_in=read_in" in figure[0].source and "block_order_sentence(doc)" in figure[0].source
    run = latest_run()
    if run is None:
        pytest.skip("no recorded GPU run in this checkout")
    full = markdown_table(run, level=3, read_in={"activation": "READ IN CH2"})
    assert full.index("READ IN CH2") > full.index("Activations alone") and full.count("READ IN CH2") == 1
    assert full.index("READ IN CH2") < full.index("Gated act(g) * u")
    assert "READ IN CH2" not in markdown_table(run, level=3)
    assert "../notebooks/02_gelu.ipynb" in report.READ_IN["activation"]
    with pytest.raises(ValueError, match="read_in names no group"):
        markdown_table(run, read_in={"activations": "x"})
    with pytest.raises(TypeError, match="read_in must be a dict"):
        markdown_table(run, read_in=["x"])
    order = report.block_order_sentence(run)
    assert "one after another (ReLU's first)" in order and "not interleaved" in order and "under 5%" in order
