"""ffn_lib.timing: the standard timing method, references, and interleaved comparisons."""

import time

import numpy as np
import pytest
import torch

from ffn_lib import ceilings, comparison, devices, sampler, timing

pytestmark = pytest.mark.serial   # these measure time: make test runs them alone, after the parallel tests


def test_benchmark_statistics_on_a_known_duration():
    duration = 0.01
    result = timing.benchmark(time.sleep, duration, label="sleep", device="cpu", warmup=1, min_reps=7, min_time=0.05)
    assert result.reps >= 7
    assert duration <= result.median_s < duration * 2  # sleep overshoots a little on a loaded machine
    q1, q3 = result.quartiles_s
    assert q1 <= result.median_s <= q3
    assert result.device == "cpu" and "CPU" in result.device_name
    assert "sleep" in result.summary() and "ms" in result.summary()
    # the host time of a synchronous CPU call is the call itself; so is one isolated call's latency
    assert duration <= result.host_time_s < duration * 3
    assert duration <= result.latency_s < duration * 3
    assert "perf_counter" in result.method and result.samples_s is result.times_s


def test_benchmark_reports_rates_from_bytes_and_flops():
    result = timing.benchmark(time.sleep, 0.002, device="cpu", nbytes=2e6, flops=4e6, copy_bandwidth=2e9,
                              min_reps=5, min_time=0.01)
    assert result.bandwidth == pytest.approx(2e6 / result.median_s)
    assert result.flop_rate == pytest.approx(4e6 / result.median_s)
    assert result.copy_share == pytest.approx(result.bandwidth / 2e9)
    assert "of the measured copy bandwidth" in result.summary()
    d = result.to_dict()
    assert d["median_s"] == result.median_s and len(d["times_s"]) == result.reps
    assert {"method", "host_time_s", "latency_s", "calls_per_sample", "cache_flushed"} <= set(d)


def test_benchmark_records_tensors_and_respects_max_reps(device):
    x = torch.randn(10, 20, device=device)
    result = timing.benchmark(torch.relu, x, min_reps=3, max_reps=3, min_time=10.0, host_time=False)
    assert result.reps == 3
    assert result.shapes == [[10, 20]] and result.dtype == "float32"
    assert result.device == str(x.device) and result.host_time_s is None


def test_benchmark_argument_errors():
    with pytest.raises(TypeError, match="fn must be callable"):
        timing.benchmark(3)
    with pytest.raises(ValueError, match="max_reps"):
        timing.benchmark(time.sleep, 0, device="cpu", min_reps=5, max_reps=2)
    with pytest.raises(ValueError, match="min_time"):
        timing.benchmark(time.sleep, 0, device="cpu", min_time=0)


def test_a_callable_without_tensors_needs_a_device():
    """No silent CPU: a closure over GPU tensors timed with the CPU's clock was chapter 6's bug."""
    x = torch.randn(4)
    with pytest.raises(ValueError, match="device"):
        timing.benchmark(lambda: torch.relu(x))
    with pytest.raises(ValueError, match="device"):
        timing.benchmark(lambda: None, device="not-a-device")
    if torch.cuda.is_available():
        with pytest.raises(ValueError, match="device='cpu'"):
            timing.benchmark(torch.relu, torch.randn(4, device="cuda"), device="cpu")
    assert timing.benchmark(lambda: torch.relu(x), device="cpu", min_reps=2, min_time=0.001).device == "cpu"


def test_calls_are_queued_back_to_back_between_synchronisations(monkeypatch):
    """Inside a sample the calls follow each other with no synchronisation (a batch on the CPU)."""
    log = []
    monkeypatch.setattr(sampler, "synchronize", lambda device: log.append("sync"))

    def fn():
        log.append("call")
        time.sleep(2e-5)

    cpu = timing._Sampler(fn, torch.device("cpu"), flush=False)
    cpu.batch = 5
    log.clear()
    times = cpu.sample(3)
    assert len(times) == 3
    assert "".join("c" if e == "call" else "s" for e in log) == "s" + "ccccc" "ss" + "ccccc" "ss" + "ccccc" "s"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_samples_have_no_host_sync_inside(monkeypatch):
    calls = []
    real = torch.cuda.synchronize
    monkeypatch.setattr(torch.cuda, "synchronize", lambda *a: (calls.append("sync"), real(*a)))
    x = torch.randn(1 << 20, device="cuda")
    cuda = timing._Sampler(lambda: x.mul_(1.0), torch.device("cuda"), flush=True)
    times = cuda.sample(20)
    assert len(times) == 20 and calls == ["sync"] and all(t > 0 for t in times)


def test_the_cache_is_flushed_before_each_sample_when_asked(device):
    buffer = timing._flush_buffer(device)
    cache = timing.cache_bytes(device)
    if cache:
        assert buffer.numel() * 4 > cache  # larger than the cache it must evict
    buffer.fill_(7)
    x = torch.randn(64, device=device)
    result = timing.benchmark(torch.relu, x, flush_cache=True, min_reps=2, min_time=0.001, host_time=False)
    assert result.cache_flushed and "flush" in result.method
    assert int(buffer.abs().max()) == 0  # it was written over
    default = timing.benchmark(torch.relu, x, min_reps=2, min_time=0.001, host_time=False)
    assert default.cache_flushed == (device.type == "cuda")  # do_bench's default on CUDA; batches on the CPU


def _best_time_per_call(fn, device, calls=10, repeats=5):
    """An independent clock on ``fn``: the best of ``repeats`` runs of ``calls`` calls, synchronised."""
    best = float("inf")
    for _ in range(repeats):
        timing.synchronize(device)
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        timing.synchronize(device)
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def test_copy_bandwidth_and_matmul_rate_are_plausible(device):
    cuda = device.type == "cuda"
    size = (256 if cuda else 16) * 2**20  # past a GPU's L2 cache
    bw = timing.measure_copy_bandwidth(device, nbytes=size)
    assert timing.measure_copy_bandwidth(device, nbytes=size) == bw  # cached
    copy = timing.measure_copy(device, nbytes=size)
    assert copy.nbytes == size  # half read, half written: the working set, all counted
    assert bw == pytest.approx(size / copy.median_s)  # bytes over the median of the same samples
    # the range a real machine's copy falls in: a CPU's memory (or its last cache), a GPU's HBM
    assert (5e10 < bw < 2e13) if cuda else (5e8 < bw < 2e12)
    src = torch.ones(size // 8, device=device)
    dst = torch.empty_like(src)
    by_hand = size / _best_time_per_call(lambda: dst.copy_(src), device)
    assert 0.2 < bw / by_hand < 5  # the same copy on an independent clock: a miscounted byte or call shows

    n = 128
    matmul = timing.measure_matmul(device, n=n)
    rate = timing.measure_matmul_rate(device, n=n)
    assert matmul.flop_rate == pytest.approx(2 * n**3 / matmul.median_s)  # 2 n^3 FLOPs over the same samples' median
    assert (1e10 < rate < 3e15) if cuda else (1e8 < rate < 1e13)
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    by_hand = 2 * n**3 / _best_time_per_call(lambda: a @ b, device, calls=50)
    assert 0.1 < rate / by_hand < 5
    rect = timing.measure_matmul(device, torch.float32, 64, 32, 16)
    assert rect.flops == 2 * 64 * 32 * 16 and rect.shapes == [[64, 32], [32, 16]]


def test_the_ceilings_default_to_the_chosen_device_not_the_cpu(monkeypatch):
    """On a GPU machine measure_copy_bandwidth() measures the GPU: the default is pick_device's choice."""
    asked = []
    monkeypatch.setattr(ceilings, "pick_device", lambda verbose=True: (asked.append(verbose), torch.device("cpu"))[1])
    assert timing.measure_matmul(n=8, min_time=0.001).device == "cpu" and asked == [False]
    assert timing.measure_matmul_rate(n=8) > 0 and len(asked) == 2
    assert timing.measure_copy_bandwidth(nbytes=2**16) > 0 and len(asked) == 3


def test_the_cpu_sampler_batches_fast_calls():
    """A call far shorter than the timer's resolution is timed in batches of back-to-back calls."""
    fast = timing.benchmark(lambda: None, device="cpu", min_reps=5, min_time=0.01, host_time=False)
    assert fast.calls_per_sample >= 50 and f"batches of {fast.calls_per_sample}" in fast.method
    assert fast.calls_per_sample * fast.median_s < 20 * timing.CPU_SAMPLE_TIME  # divided by the batch, per call
    assert fast.median_s < 2e-5  # a no-op call: well under 20 µs once the batch is divided out
    slow = timing.benchmark(time.sleep, 0.003, device="cpu", min_reps=3, min_time=0.01, host_time=False)
    assert slow.calls_per_sample == 1 and "around each call" in slow.method


def test_default_reference_sizes_exceed_the_caches():
    assert timing.default_copy_bytes("cuda") == 2 * 2**30
    llc = timing.cache_bytes("cpu")
    assert timing.default_copy_bytes("cpu") >= max(64 * 2**20, 4 * (llc or 0))
    assert llc is None or llc >= 2**16


def test_roofline_arithmetic_hand_worked():
    # 1 TFLOP/s peak, 100 GB/s: the ridge is at 10 FLOP/byte.
    assert timing.ridge_point(1e12, 1e11) == 10
    assert timing.attainable_flop_rate(1.0, 1e12, 1e11) == 1e11
    assert timing.attainable_flop_rate(100.0, 1e12, 1e11) == 1e12
    # an elementwise op: 1e9 bytes at 100 GB/s = 10 ms, its 1e8 FLOPs at 1 TFLOP/s = 0.1 ms
    assert timing.roofline_time(1e8, 1e9, 1e12, 1e11) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="bandwidth"):
        timing.roofline_time(1, 1, 1e12, 0)


def test_pick_device(monkeypatch, capsys):
    monkeypatch.setattr(devices, "_SAID", set())
    assert timing.pick_device("cpu").type == "cpu"
    out = capsys.readouterr().out
    assert "the device this code asks for" in out and "FFN_LIB_DEVICE" not in out  # the variable would not apply
    monkeypatch.setenv("FFN_LIB_DEVICE", "cpu")
    assert timing.pick_device(verbose=False).type == "cpu"
    if not torch.cuda.is_available():
        monkeypatch.setenv("FFN_LIB_DEVICE", "cuda")
        with pytest.raises(ValueError, match="FFN_LIB_DEVICE='cuda'"):
            timing.pick_device(verbose=False)
    with pytest.raises(ValueError, match="not a device name"):
        timing.pick_device("gpu-please", verbose=False)


def test_format_helpers():
    assert timing.format_time(0.0015) == "1.5 ms"
    assert timing.format_time(2.5e-6) == "2.5 µs"
    assert timing.format_rate(4.23e12, "B/s") == "4.23 TB/s"


# --- compare ---------------------------------------------------------------------------------------


def _synthetic(times_a, times_b, name="Test CPU, 2 cores (CPU)"):
    results = {label: timing.BenchResult(label=label, times_s=list(t), device="cpu", device_name=name)
               for label, t in (("GELU (erf)", times_a), ("ReLU", times_b))}
    return timing.Comparison(results=results, device="cpu", device_name=name, rounds=4)


def test_sentence_when_the_middle_halves_are_apart():
    cmp = _synthetic([1.30, 1.31, 1.32, 1.29, 1.30], [1.00, 1.01, 0.99, 1.00, 1.02])
    assert cmp.ratio("GELU (erf)", "ReLU") == pytest.approx(1.30)
    lo, hi = cmp.ratio_range("GELU (erf)", "ReLU")
    assert lo == pytest.approx(1.30 / 1.01) and hi == pytest.approx(1.31 / 1.00)
    assert cmp.distinguishable("GELU (erf)", "ReLU") and cmp.distinguishable("ReLU", "GELU (erf)")  # both orders
    assert cmp.sentence("GELU (erf)", "ReLU") == (
        "On this machine (Test CPU, 2 cores, CPU) GELU (erf) took 1.30× as long as ReLU (middle halves 1.29-1.31×).")
    # the other way round: the ratio below one, and still told apart
    assert cmp.sentence("ReLU", "GELU (erf)") == (
        "On this machine (Test CPU, 2 cores, CPU) ReLU took 0.77× as long as GELU (erf) (middle halves 0.76-0.78×).")


def test_sentence_without_the_machine_and_with_a_large_ratio_rounded():
    cmp = _synthetic([41.46, 41.5, 41.4, 41.45, 41.47], [1.00, 1.01, 0.99, 1.00, 1.02])
    assert cmp.machine_sentence() == "Measured on this machine (Test CPU, 2 cores, CPU):"
    assert cmp.sentence("GELU (erf)", "ReLU", machine=False) == (
        "GELU (erf) took 41.5× as long as ReLU (middle halves 41.0-41.5×).")
    close = _synthetic([1.00, 1.20, 1.05, 1.10, 0.95], [1.02, 1.00, 1.15, 0.98, 1.05])
    assert close.sentence("GELU (erf)", "ReLU", machine=False).startswith("GELU (erf) took 1.03× as long as ReLU")
    assert "cannot tell them apart" in close.sentence("GELU (erf)", "ReLU", machine=False)


def test_sentence_when_the_middle_halves_overlap():
    cmp = _synthetic([1.00, 1.20, 1.05, 1.10, 0.95], [1.02, 1.00, 1.15, 0.98, 1.05])
    assert not cmp.distinguishable("GELU (erf)", "ReLU") and not cmp.distinguishable("ReLU", "GELU (erf)")
    text = cmp.sentence("GELU (erf)", "ReLU")
    assert text.startswith("On this machine (Test CPU, 2 cores, CPU) GELU (erf) took 1.03× as long as ReLU (middle halves 0.95-1.10×)")
    assert text.endswith("the difference is within the run-to-run spread, so this run cannot tell them apart.")
    with pytest.raises(KeyError, match="SiLU"):
        cmp.ratio("SiLU", "ReLU")


def test_sentence_without_the_machine_and_with_large_ratios_rounded():
    cmp = _synthetic([41.3, 41.5, 41.6, 41.4, 41.5], [1.00, 1.01, 0.99, 1.00, 1.00])
    assert cmp.sentence("GELU (erf)", "ReLU") == (
        "On this machine (Test CPU, 2 cores, CPU) GELU (erf) took 41.5× as long as ReLU (middle halves 41.4-41.5×).")
    assert cmp.sentence("GELU (erf)", "ReLU", machine=False) == (
        "GELU (erf) took 41.5× as long as ReLU (middle halves 41.4-41.5×).")
    assert cmp.machine_sentence() == "Measured on this machine (Test CPU, 2 cores, CPU):"
    same = _synthetic([1.00, 1.20, 1.05, 1.10, 0.95], [1.02, 1.00, 1.15, 0.98, 1.05])
    assert same.sentence("GELU (erf)", "ReLU", machine=False).endswith("so this run cannot tell them apart.")
    names = {"the FFN block": [1.2] * 5, "torch.compile": [1.0] * 5}
    both = timing.Comparison(results={k: timing.BenchResult(label=k, times_s=t, device="cpu", device_name="X (CPU)")
                                      for k, t in names.items()}, device="cpu", device_name="X (CPU)")
    assert both.sentence("the FFN block", "torch.compile", machine=False).startswith("The FFN block took 1.20×")
    assert both.sentence("torch.compile", "the FFN block", machine=False).startswith("torch.compile took 0.83×")


def test_a_name_that_is_code_keeps_its_lower_case_and_slower_first_names_the_slower():
    names = {"x @ W1": [31.2] * 5, "GELU (erf)": [1.0] * 5, "its two matrix products": [2.0] * 5, "act_mul": [0.5] * 5}
    cmp = timing.Comparison(results={k: timing.BenchResult(label=k, times_s=t, device="cpu", device_name="X (CPU)")
                                     for k, t in names.items()}, device="cpu", device_name="X (CPU)")
    assert cmp.sentence("x @ W1", "GELU (erf)", machine=False).startswith("x @ W1 took 31.2× as long as GELU (erf)")
    assert cmp.sentence("its two matrix products", "GELU (erf)", machine=False).startswith("Its two matrix products")
    assert cmp.sentence("act_mul", "GELU (erf)", machine=False).startswith("act_mul took")
    assert cmp.slower_first("GELU (erf)", "x @ W1", machine=False).startswith("x @ W1 took 31.2×")
    assert cmp.slower_first("x @ W1", "GELU (erf)") == cmp.sentence("x @ W1", "GELU (erf)")
    assert cmp.slower_first("act_mul", "GELU (erf)", machine=False).startswith("GELU (erf) took 2.00×")


def test_format_ratio_keeps_three_significant_figures_from_ten():
    from ffn_lib.formatting import format_ratio

    assert [format_ratio(r) for r in (0.774, 1.3, 9.994, 9.996, 41.46, 99.96, 123.4, 12345.6)] == [
        "0.77", "1.30", "9.99", "10.0", "41.5", "100", "123", "12,346"]
    with pytest.raises(TypeError, match="ratio"):
        format_ratio("41.46")


def test_caption_names_the_machine_once_and_explains_a_share_above_the_copy():
    results = {label: timing.BenchResult(label=label, times_s=[t] * 5, device="cpu", device_name="Test CPU (CPU)",
                                         nbytes=1e9, copy_bandwidth=1e9, method="time.perf_counter around each call")
               for label, t in (("ReLU", 0.8), ("GELU (erf)", 1.2))}
    cmp = timing.Comparison(results=results, device="cpu", device_name="Test CPU (CPU)", rounds=4)
    caption = cmp.caption()
    assert caption.startswith("Timed on Test CPU (CPU), interleaved over 4 rounds; time.perf_counter around each call.")
    assert "(cpu)" not in caption
    assert "A share of copy above 100% (ReLU) most likely means that part of the data stayed in the cache" in caption
    results["ReLU"].times_s = [1.1] * 5  # both below the copy: no note
    assert "above 100%" not in cmp.caption()
    for r in results.values():  # on a GPU the cache is flushed before each call: the note would not apply
        r.times_s, r.cache_flushed = [0.8] * 5, True
    assert "above 100%" not in cmp.caption()


def test_compare_interleaves_the_variants_and_warms_each_first():
    order = []

    def variant(name):
        def fn():
            order.append(name)
            time.sleep(2e-4)
        return fn

    cmp = timing.compare({"a": variant("a"), "b": variant("b"), "c": variant("c")}, device="cpu", rounds=4,
                         min_time=0.02, warmup=2, warmup_time=0.0)
    # warm-up and calibration: each variant alone, a then b then c
    first = [order.index(n) for n in "abc"]
    assert first == sorted(first)
    # after every variant has been warmed, the calls switch between variants round after round
    measured = order[max(len(order) - sum(r.reps * r.calls_per_sample for r in cmp.results.values()), 0):]
    switches = sum(1 for x, y in zip(measured, measured[1:]) if x != y)
    assert switches >= 4 * 3 - 1
    # each round starts one variant further along, so no variant is always first
    assert {r.reps for r in cmp.results.values()} and all(r.reps >= 4 for r in cmp.results.values())
    assert "interleaved over 4 rounds" in cmp.results["a"].method


def test_compare_table_figure_and_rates(device):
    x = torch.randn(256, 256, device=device)
    out = torch.empty_like(x)
    cmp = timing.compare({"ReLU": lambda: torch.clamp_min(x, 0, out=out),
                          "copy": lambda: out.copy_(x)}, device=device, nbytes=2 * x.numel() * 4,
                         flops={"ReLU": x.numel()}, copy_bandwidth=1e10, rounds=3, min_time=0.03)
    assert set(cmp.results) == {"ReLU", "copy"} and cmp.device_name == timing.device_name(device)
    assert cmp.results["ReLU"].copy_share == pytest.approx(cmp.results["ReLU"].bandwidth / 1e10)
    assert cmp.results["copy"].flops is None and cmp.results["ReLU"].flops == x.numel()
    md = cmp._repr_markdown_()
    assert "| ReLU |" in md and "share of copy" in md and "interleaved over 3 rounds" in md
    html = cmp._repr_html_()
    assert html.count("<tr>") == 3 and "<table>" in html
    fig = cmp.figure()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ReLU", "copy"]
    assert "time per call" in ax.get_xlabel()


def test_compare_measures_its_copy_reference_inside_the_same_rounds(monkeypatch):
    samplers = []
    real = timing._Sampler

    class Recording(real):
        def __init__(self, fn, device, flush):
            super().__init__(fn, device, flush)
            samplers.append(self)

    monkeypatch.setattr(comparison, "_Sampler", Recording)
    monkeypatch.setattr(comparison, "default_copy_bytes", lambda device: 8 * 2**20)
    x = torch.randn(1 << 16)
    out = torch.empty_like(x)
    cmp = timing.compare({"ReLU": lambda: torch.clamp_min(x, 0, out=out)}, device="cpu",
                         nbytes=2 * x.numel() * 4, rounds=3, min_time=0.03)
    assert len(samplers) == 2  # the variant and the hidden copy, sampled in the same rounds
    assert set(cmp.results) == {"ReLU"}  # the copy is a reference, not a row
    bw = cmp.results["ReLU"].copy_bandwidth
    assert bw is not None and 5e8 < bw < 2e12  # bytes per second of an 8 MiB copy on a CPU (memory or last cache)
    assert cmp.results["ReLU"].copy_share == pytest.approx(cmp.results["ReLU"].bandwidth / bw)


def test_compare_takes_numpy_numbers():
    x = torch.randn(1 << 10)
    cmp = timing.compare({"relu": lambda: torch.relu(x)}, device="cpu", nbytes=np.int64(8 * x.numel()),
                         flops={"relu": np.float32(x.numel())}, copy_bandwidth=np.float64(1e10), rounds=2,
                         min_time=0.01)
    r = cmp.results["relu"]
    assert r.nbytes == 8 * x.numel() and type(r.nbytes) is int and type(r.flops) is float
    assert r.copy_share == pytest.approx(r.bandwidth / 1e10)
    with pytest.raises(TypeError, match="nbytes must be a number"):
        timing.compare({"relu": lambda: None}, device="cpu", nbytes=True)
    with pytest.raises(TypeError, match="flops\\['relu'\\] must be a number"):
        timing.compare({"relu": lambda: None}, device="cpu", flops={"relu": "many"})


def test_compare_argument_errors():
    with pytest.raises(ValueError, match="device"):
        timing.compare({"a": lambda: None}, device=None)
    with pytest.raises(ValueError, match="fns"):
        timing.compare({}, device="cpu")
    with pytest.raises(TypeError, match="fns\\['a'\\]"):
        timing.compare({"a": 3}, device="cpu")
    with pytest.raises(ValueError, match="nbytes names \\['b'\\]"):
        timing.compare({"a": lambda: None}, device="cpu", nbytes={"b": 1.0})


def test_samples_that_spread_widely_give_no_verdict():
    # ch6's false "0.60×": two equal-FLOP blocks timed while another process held the second core. The middle
    # halves were apart, but each spanned far more than a quiet machine's spread, so no verdict is given.
    busy = _synthetic([0.055, 0.06, 0.09, 0.12, 0.26, 0.07, 0.13], [0.15, 0.14, 0.2, 0.16, 0.25, 0.15, 0.17])
    assert busy.too_noisy("GELU (erf)", "ReLU") == "GELU (erf)"
    assert busy.spread("GELU (erf)") > timing.NOISY_SPREAD
    assert not busy.distinguishable("GELU (erf)", "ReLU") and not busy.distinguishable("ReLU", "GELU (erf)")
    text = busy.sentence("GELU (erf)", "ReLU")
    assert text.startswith("On this machine (Test CPU, 2 cores, CPU): GELU (erf) took ")
    assert "the samples of GELU (erf) spread too widely for a verdict (their middle half spans" in text
    assert text.endswith("The machine was busy while it timed them: run the cell again when nothing else is running.")
    short = busy.sentence("ReLU", "GELU (erf)", machine=False)
    assert short.startswith("ReLU took ") and "spread too widely" in short and "run the cell again" not in short
    # said once, above the sentences that leave the machine out
    assert busy.machine_sentence().startswith("Some of these samples spread widely")
    assert busy.machine_sentence().endswith("Measured on this machine (Test CPU, 2 cores, CPU):")
    assert busy.machine_sentence(advice=False) == "Measured on this machine (Test CPU, 2 cores, CPU):"
    # noisy samples, but a gap far larger than their spread: still a verdict ("x @ W1 took 27× as long")
    far = _synthetic([2.0, 2.6, 3.0, 3.4, 4.0], [0.09, 0.1, 0.11, 0.12, 0.13])
    assert far.spread("GELU (erf)") > timing.NOISY_SPREAD and far.too_noisy("GELU (erf)", "ReLU") is None
    assert far.distinguishable("GELU (erf)", "ReLU") and "spread too widely" not in far.sentence("GELU (erf)", "ReLU")
    # the same spread with a gap inside it: no verdict
    near = _synthetic([2.0, 2.6, 3.0, 3.4, 4.0], [2.2, 2.3, 2.4, 2.5, 2.6])
    assert near.too_noisy("GELU (erf)", "ReLU") == "GELU (erf)"
    # a quiet machine's spread (a few per cent) keeps the verdict
    quiet = _synthetic([1.30, 1.31, 1.32, 1.29, 1.30], [1.00, 1.01, 0.99, 1.00, 1.02])
    assert quiet.too_noisy("GELU (erf)", "ReLU") is None and quiet.distinguishable("GELU (erf)", "ReLU")
