"""Chapter 7's teaching kernels (taken from the notebook itself), its helpers, diagrams and epilogue kernel,
all in Triton's interpreter on CPU tensors (conftest sets TRITON_INTERPRET=1 before triton is imported)."""

import json
import os
import re

import pytest
import torch

from bookutil import ROOT
from ffn_lib import kernel_steps
from ffn_lib.activations import act_mul_eager

NOTEBOOK = ROOT / "notebooks" / "07_writing_the_kernel.ipynb"


@pytest.fixture(scope="module")
def steps():
    """Every code cell of the chapter that defines a kernel, run in one namespace (launches come later)."""
    pytest.importorskip("triton")
    from ffn_lib.kernel_steps import tl, triton

    scope = {"torch": torch, "triton": triton, "tl": tl, "act_mul_eager": act_mul_eager}
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and text.lstrip().startswith(("@triton.jit", "class SiluMul")):
            head = text.split("\n\n\ncompare(")[0].split("\ndy = torch")[0].split("\n\nhalves =")[0]
            head = head.split("\n\n\nedges =")[0].split("\n\n\ny_view")[0]
            exec(compile(head, "07_writing_the_kernel.ipynb", "exec"), scope)  # noqa: S102 - the chapter's code
    return scope


def test_step_kernels_match_eager(steps):
    g, u, dy = torch.randn(1000) * 4, torch.randn(1000), torch.randn(1000)
    assert kernel_steps.largest_difference(steps["silu_mul"](g, u), act_mul_eager(g, u, "silu")) < 1e-5
    gr, ur = g.clone().requires_grad_(), u.clone().requires_grad_()
    want = torch.autograd.grad(act_mul_eager(gr, ur, "silu"), (gr, ur), dy)
    assert kernel_steps.largest_difference(steps["silu_mul_backward"](g, u, dy), want) < 1e-5
    x = torch.randn(5, 224)[:, :200] * 3  # rows 224 apart
    assert kernel_steps.largest_difference(steps["silu_mul_cat"](x), act_mul_eager(x[:, :100], x[:, 100:])) < 1e-5
    g64, u64 = (torch.randn(9, dtype=torch.float64, requires_grad=True) for _ in range(2))
    assert torch.autograd.gradcheck(steps["SiluMul"].apply, (g64, u64), eps=1e-3, atol=1e-3, rtol=1e-3)


def test_the_unmasked_kernel_writes_past_the_end(steps):
    y, buffer = kernel_steps.padded(1000, 256)
    g, _ = kernel_steps.padded(1000, 256, fill=1.0)
    kernel_steps.run(steps["silu_mul_no_mask"][(4,)], g, g, y, 1000, 256)
    assert int((buffer[1000:] != 0).sum()) == 24
    masked, buffer2 = kernel_steps.padded(1000, 256)
    kernel_steps.run(steps["silu_mul_kernel"][(4,)], g, g, masked, 1000, 256)
    assert int((buffer2[1000:] != 0).sum()) == 0


def test_stand_ins_show_kernels_and_skip_launches(capsys):
    triton, tl = kernel_steps.no_triton()

    @triton.jit
    def k(x_ptr, n, BLOCK: tl.constexpr):
        """doc"""

    assert k.fn.__name__ == "k" and triton.cdiv(10, 4) == 3 and triton.next_power_of_2(100) == 128
    with pytest.raises(kernel_steps.Skipped):
        k[(1,)](None, 1, 8)
    assert kernel_steps.compare(lambda: k[(1,)](), lambda: None) is None
    assert kernel_steps.SKIPPED in capsys.readouterr().out


def test_largest_difference_and_padded_validate():
    nan = torch.tensor([float("nan"), 1.0])
    assert kernel_steps.largest_difference(nan, nan) == 0.0
    assert kernel_steps.largest_difference(torch.tensor([1.0]), torch.tensor([1.5])) == 0.5
    with pytest.raises(ValueError, match="outputs"):
        kernel_steps.largest_difference((nan, nan), nan)
    with pytest.raises(ValueError, match="pad"):
        kernel_steps.padded(3, -1)


def test_thread_work_counts_elements_bytes_and_loads():
    assert kernel_steps.thread_work(1024, 4, torch.bfloat16) == {"elements": 8, "bytes": 16, "loads": 1}
    assert kernel_steps.thread_work(1024, 4, "float32") == {"elements": 8, "bytes": 32, "loads": 2}
    assert kernel_steps.thread_work(128, 4, "bfloat16") == {"elements": 1, "bytes": 2, "loads": 1}
    with pytest.raises(ValueError, match="block"):
        kernel_steps.thread_work(64, 4, "bfloat16")
    with pytest.raises(ValueError, match="num_warps"):
        kernel_steps.thread_work(1024, 3, "bfloat16")


def test_epilogue_kernel_matches_eager_at_small_sizes():
    pytest.importorskip("triton")
    from ffn_lib.kernels import epilogue

    torch.manual_seed(0)
    for m, k, n in ((33, 40, 24), (7, 16, 40)):  # partial tiles in every dimension
        x, wg, wu = torch.randn(m, k), torch.randn(k, n), torch.randn(k, n)
        y = epilogue.matmul_swiglu(x, epilogue.interleave(wg, wu))
        want = act_mul_eager(x @ wg, x @ wu, "silu")
        assert y.shape == (m, n) and torch.allclose(y, want, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="w_gate and w_up"):
        epilogue.interleave(torch.zeros(2, 3), torch.zeros(3, 2))


def test_epilogue_precision_is_explicit_and_bounded():
    """The kernel's float32 output is within the 'ieee' bound; TF32's truncated inputs (emulated) stay within the
    'tf32' bound but leave the 'ieee' one: the tolerance a GPU's default tl.dot precision would need."""
    pytest.importorskip("triton")
    from ffn_lib.kernels import epilogue as E

    torch.manual_seed(1)
    x, wg, wu = torch.randn(33, 40), torch.randn(40, 24), torch.randn(40, 24)
    y = E.matmul_swiglu(x, E.interleave(wg, wu), input_precision="ieee")
    exact = E.reference(x, wg, wu)
    ieee, tf32 = E.error_bound(x, wg, wu, "ieee"), E.error_bound(x, wg, wu, "tf32")
    assert torch.all((y.double() - exact).abs() <= ieee)
    emulated = (E.reference(x, wg, wu, "tf32") - exact).abs()
    assert torch.all(emulated <= tf32) and torch.any(emulated > ieee)
    assert torch.equal(E.matmul_swiglu(x, E.interleave(wg, wu), input_precision="tf32"), y)  # the interpreter
    lines = E.precision_lines(x, wg, wu, y)
    assert len(lines) == 3 and "outside the 'ieee' bound" in lines[1] and "Relative to |x| |W|" in lines[2]
    rel = E.accumulator_error(x, wg, wu, "tf32")
    assert 1e-4 < rel <= 2 * E.TF32_INPUT_ERROR + 1e-6  # about two parts in a thousand at most, not zero
    assert E.accumulator_error(x, wg, wu, "ieee") == 0.0  # float32 inputs: the float64 product is exact here
    assert f"{rel:.1e}" in lines[2]
    with pytest.raises(ValueError, match="input_precision"):
        E.matmul_swiglu(x, E.interleave(wg, wu), input_precision="tf32x3")
    with pytest.raises(ValueError, match="input_precision"):
        E.error_bound(x, wg, wu, "fp16")


def test_truncate_to_tf32_keeps_ten_mantissa_bits():
    from ffn_lib.kernels.epilogue import truncate_to_tf32

    t = torch.randn(1000) * 100
    tt = truncate_to_tf32(t)
    assert torch.all((tt - t).abs() < 2.0**-10 * t.abs()) and torch.all((tt.view(torch.int32) & 0x1FFF) == 0)
    assert truncate_to_tf32(torch.tensor([1.0 + 2.0**-12]))[0].item() == 1.0
    with pytest.raises(ValueError, match="float32"):
        truncate_to_tf32(torch.ones(2, dtype=torch.float64))


def test_interleave_puts_matching_blocks_side_by_side():
    from ffn_lib.kernels.epilogue import interleave

    wg, wu = torch.arange(40.0).view(1, 40), -torch.arange(40.0).view(1, 40)
    w = interleave(wg, wu, block_n=16)
    assert w.shape == (1, 2 * 48)
    assert torch.equal(w[0, :16], wg[0, :16]) and torch.equal(w[0, 16:32], wu[0, :16])
    assert torch.equal(w[0, 32:48], wg[0, 16:32]) and torch.all(w[0, 88:] == 0)


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


def _inside(fig):
    fig.canvas.draw()
    box = fig.bbox
    for ax in fig.axes:
        for t in ax.texts:
            if t.get_text():
                b = t.get_window_extent()
                assert box.x0 - 1 <= b.x0 and b.x1 <= box.x1 + 1 and box.y0 - 1 <= b.y0 and b.y1 <= box.y1 + 1, \
                    t.get_text()


def test_grid_diagrams_label_every_program():
    from ffn_lib.diagrams import kernel as D

    fig = D.flat_grid(1000, 256)
    texts = _texts(fig)
    assert sum(t.startswith("program ") for t in texts) == 4 and "masked" in texts
    assert "program 3\noffsets 768..999" in texts and "24 offsets" in fig.alt
    _inside(fig)
    fig = D.row_grid(3, 100, 64)
    texts = _texts(fig)
    assert sum(t.startswith("gate (") for t in texts) == 6 and sum(t.startswith("up (") for t in texts) == 6
    _inside(fig)
    with pytest.raises(ValueError, match="block"):
        D.flat_grid(10, 0)


def test_data_flow_shows_which_tensors_reach_memory():
    from ffn_lib.diagrams import kernel as D

    fig = D.data_flow()
    left, right = ([t.get_text() for t in ax.texts if t.get_text()] for ax in fig.axes)  # arrows have no text
    assert sorted(left) == ["g", "mul", "s", "silu", "u", "y"] and sorted(right) == ["act_mul", "g", "u", "y"]
    assert "five tensor passes" in fig.alt and "three passes" in fig.alt
    _inside(fig)


def test_recorded_roofline_has_every_point():
    from ffn_lib import predict
    from ffn_lib.bench import latest_run
    from ffn_lib.diagrams import kernel as D

    run = latest_run()
    if run is None:
        pytest.skip("no recorded GPU run")
    fig = D.recorded_roofline(run)
    ax, zoom = fig.axes
    points = predict.roofline_points(run)
    n = sum(len(c.get_offsets()) for c in ax.collections)
    assert n == len(points)
    assert run["provenance"]["device"]["name"] in ax.get_title() and "ridge" in fig.alt
    # the zoomed panel: every act·mul row once, at its share of the copy bandwidth, on a linear scale
    act = [p for p in points if p.group == "act_mul"]
    shares = sorted(y for c in zoom.collections for _, y in c.get_offsets())
    bandwidth, peak = predict.roofs(run)
    assert shares == pytest.approx(sorted(p.rate / (p.intensity * bandwidth) for p in act))
    assert zoom.get_yscale() == "linear" and max(shares) < zoom.get_ylim()[1]
    # the flat roof is labelled as the fastest sample; the median the text quotes is drawn and labelled too
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    square = next(p for p in points if p.label == "square")
    assert any("fastest sample" in t and f"{peak / 1e12:.0f} TFLOP/s" in t for t in labels)
    assert any("median" in t and f"{square.rate / 1e12:.0f} TFLOP/s" in t for t in labels)


def test_the_chapter_gives_each_diagram_its_alt_text():
    from ffn_lib.diagrams import kernel as D

    calls = {"program_anatomy(n=10, block=4)": D.program_anatomy(n=10, block=4),
             "flat_grid(n=1000, block=256)": D.flat_grid(n=1000, block=256),
             "row_grid(rows=3, d=100, block=64)": D.row_grid(rows=3, d=100, block=64), "data_flow()": D.data_flow(),
             "data_flow_backward()": D.data_flow_backward()}
    found = {}
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        text = "".join(cell["source"])
        for call, fig in calls.items():
            if cell["cell_type"] == "code" and f"kernel_diagrams.{call}" in text.replace("data_flow_backward", "@") \
                    or call == "data_flow_backward()" and "kernel_diagrams.data_flow_backward()" in text:
                found[call] = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")
                assert found[call] == fig.alt, call
    assert set(found) == set(calls)


@pytest.mark.parametrize("machine, interpreted", [("t4", True), ("v100", True), ("mps", True), ("cpu", True),
                                                  ("a100", False), ("h200", False), ("mi300x", False)])
def test_teaching_kernels_use_the_interpreter_where_triton_has_no_gpu(monkeypatch, machine, interpreted):
    """A T4 is a CUDA GPU but not one Triton supports: chapter 7's kernels then run in the interpreter on the CPU,
    not compiled for a GPU that cannot take them."""
    from ffn_lib import _fake_device, kernel_steps

    monkeypatch.delenv(kernel_steps.INTERPRET_ENV, raising=False)
    with _fake_device.faked(machine):
        monkeypatch.setattr(torch.cuda, "device_count", lambda: 1 if torch.cuda.is_available() else 0)
        kernel_steps.setup()
        assert (os.environ.get(kernel_steps.INTERPRET_ENV) == "1") is interpreted
        assert kernel_steps.device() == ("cpu" if interpreted else "cuda")


def test_the_triton_imports_a_learner_copies_are_on_the_page():
    """`import triton` and `import triton.language as tl` sit in a code cell the page shows, after setup() (which
    turns the interpreter on before triton is imported), not in hidden plumbing."""
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "code" and "import triton.language as tl" in text:
            tags = set(cell["metadata"].get("tags", []))
            assert not {"remove-input", "remove-cell", "hide-input", "hide-cell"} & tags, tags
            assert "\n    import triton\n" in text and text.index("kernel_steps.setup()") < text.index("import triton")
            return
    raise AssertionError("no visible cell imports triton.language as tl")


def test_the_first_kernel_comes_after_the_anatomy_box():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    texts = ["".join(c["source"]) for c in cells]
    box = next(i for i, t in enumerate(texts) if "Anatomy of a Triton program" in t)
    first_kernel = next(i for i, t in enumerate(texts) if t.lstrip().startswith("@triton.jit"))
    assert box < first_kernel
    for line in ("tl.program_id(0)", "tl.arange(0, BLOCK)", "offsets < n", "tl.load(", "tl.store("):
        assert line in texts[box], line


FIGURE_CALLS = ("kernel_diagrams.", "block_figure.show(", "speedup_figure(")


def test_every_figure_cell_of_the_chapter_has_alt_text():
    """Every code cell that draws a figure (a diagram, a recorded block or product figure, the speed-ups) carries
    its alternative text in the cell's metadata, where MyST-NB puts it on the image."""
    cells = [c for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    drawing = [c for c in cells if any(call in "".join(c["source"]) for call in FIGURE_CALLS)]
    assert len(drawing) >= 9
    for c in drawing:
        alt = c["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 12, "".join(c["source"])[:80]


def test_the_page_says_which_kernels_ran_only_in_the_interpreter_and_the_three_epilogue_bounds():
    texts = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    code = "\n".join(texts)
    assert "recorded_lessons.gpu_checked_sentence(latest_run())" in code
    assert "recorded_lessons.epilogue_lines(run)" in code and "training step {b.fused_share" not in code
    assert "recorded_lessons.erf_accuracy_sentence(run, dev)" in code
    # the on-machine prediction: the copy timed in the same interleaved rounds as the step, the reading generated
    assert "timing.compare(" in code and "kernel_steps.bytes_prediction(timed" in code
    assert "measure_copy_bandwidth" not in code
    assert "tokens of d_ff {run['config']['d_ff_act']:,}" in code
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    prose = "\n".join(t for t, c in zip(texts, cells) if c["cell_type"] == "markdown")
    assert "checks the Function's wiring" in prose and "Step 2's comparison with autograd is the accuracy test" in prose
    for gloss in ("`g_ptr`: a tensor passed to a kernel arrives as a pointer", "`BLOCK: tl.constexpr`: a compile-time",
                  "`y_ptr.dtype.element_ty`: the element type"):
        assert gloss in prose, gloss
    # no GPU figure typed into the prose: the erf's isolating row is named as the next run's first measurement
    assert "An earlier run" not in prose
    assert not re.findall(r"\d\d(?:\.\d)?(?:–\d+(?:\.\d)?)?% of the copy|\b(?:88|9\d)(?:\.\d)?%", prose)
    assert 'kernels.set_math(erf="libdevice")' in prose and "the first thing the next GPU run is" in prose
    assert "show_source(triton_act_mul._gelu_cdf_and_density.fn)" in code and "7.1.26" in prose
    assert "the host runs ahead while the GPU works through the matrix products" in prose


def test_the_bytes_prediction_reads_each_outcome():
    """Measured over predicted: about 1 agrees; far below 1 blames the copy reference (no pass through memory
    beats its own bytes at the copy's speed); far above says the step is slower than its bytes."""
    from ffn_lib.kernel_steps import AGREES_FROM, AGREES_TO, BytesPrediction

    def at(ratio):
        return BytesPrediction(nbytes=335544320, bandwidth=8.06e9, measured_s=ratio * 335544320 / 8.06e9,
                               machine="AMD EPYC, 2 cores, CPU")

    assert at(1.0).predicted_s == pytest.approx(41.63e-3, rel=1e-3) and at(0.56).ratio == pytest.approx(0.56)
    slow_copy = at(0.56).sentence()
    assert at(0.56).verdict() == "reference slow" and "0.56 times the prediction" in slow_copy
    assert "the bandwidth reference, not the model, is what this run got wrong" in slow_copy
    assert "8.06 GB/s" in slow_copy and "320 MiB" in slow_copy and "AMD EPYC, 2 cores, CPU" in slow_copy
    agrees = at(1.1).sentence()
    assert at(1.1).verdict() == "agrees" and "takes about its bytes over the bandwidth" in agrees
    assert "not the model" not in agrees and "slower than its bytes" not in agrees
    slow_step = at(1.6).sentence()
    assert at(1.6).verdict() == "step slow" and "The step is slower than its bytes" in slow_step
    assert at(AGREES_FROM * 1.001).verdict() == at(AGREES_TO * 0.999).verdict() == "agrees"
    assert at(AGREES_FROM * 0.99).verdict() == "reference slow" and at(AGREES_TO * 1.01).verdict() == "step slow"


def test_the_bytes_prediction_uses_the_copy_timed_in_the_same_rounds():
    from ffn_lib import timing

    x, y = torch.randn(64, 64), torch.empty(64, 64)
    timed = timing.compare({"copy": lambda: y.copy_(x)}, device="cpu", nbytes=2 * x.numel() * 4, rounds=2,
                           min_time=0.02)
    found = kernel_steps.bytes_prediction(timed, "copy")
    assert found.bandwidth == timed.results["copy"].copy_bandwidth > 0 and "CPU" in found.machine
    assert found.measured_s == timed.results["copy"].median_s and found.nbytes == 2 * x.numel() * 4
    assert found.predicted_s == pytest.approx(found.nbytes / found.bandwidth)
    with pytest.raises(KeyError, match="name"):
        kernel_steps.bytes_prediction(timed, "step")
    with pytest.raises(TypeError, match="timed"):
        kernel_steps.bytes_prediction(None, "copy")
    bare = timing.compare({"copy": lambda: y.copy_(x)}, device="cpu", rounds=1, min_time=0.01)
    with pytest.raises(ValueError, match="nbytes="):
        kernel_steps.bytes_prediction(bare, "copy")
