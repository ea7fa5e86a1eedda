"""Timing helpers and the benchmark suite, on the CPU."""

import json
import time

import jsonschema
import pytest
import torch

from ffn_lib import timing
from ffn_lib.bench import __main__ as bench_main
from ffn_lib.bench import load_runs, validate
from ffn_lib.bench.report import default_results_dir, markdown_table, select


def test_benchmark_statistics_on_a_known_duration():
    duration = 0.01
    result = timing.benchmark(time.sleep, duration, label="sleep", warmup=1, min_reps=7, min_time=0.05)
    assert result.reps >= 7
    assert duration <= result.median_s < duration * 2  # sleep overshoots a little on a loaded machine
    q1, q3 = result.quartiles_s
    assert q1 <= result.median_s <= q3
    assert result.device == "cpu" and "CPU" in result.device_name
    assert "sleep" in result.summary() and "ms" in result.summary()


def test_benchmark_reports_rates_from_bytes_and_flops():
    result = timing.benchmark(time.sleep, 0.002, nbytes=2e6, flops=4e6, copy_bandwidth=2e9, min_reps=5,
                              min_time=0.01)
    assert result.bandwidth == pytest.approx(2e6 / result.median_s)
    assert result.flop_rate == pytest.approx(4e6 / result.median_s)
    assert result.copy_share == pytest.approx(result.bandwidth / 2e9)
    assert "of the measured copy bandwidth" in result.summary()
    d = result.to_dict()
    assert d["median_s"] == result.median_s and len(d["times_s"]) == result.reps


def test_benchmark_records_tensors_and_respects_max_reps():
    x = torch.randn(10, 20)
    result = timing.benchmark(torch.relu, x, min_reps=3, max_reps=3, min_time=10.0)
    assert result.reps == 3
    assert result.shapes == [[10, 20]] and result.dtype == "float32"


def test_benchmark_argument_errors():
    with pytest.raises(TypeError, match="fn must be callable"):
        timing.benchmark(3)
    with pytest.raises(ValueError, match="max_reps"):
        timing.benchmark(time.sleep, 0, min_reps=5, max_reps=2)
    with pytest.raises(ValueError, match="min_time"):
        timing.benchmark(time.sleep, 0, min_time=0)


def test_copy_bandwidth_and_matmul_rate_are_plausible():
    bw = timing.measure_copy_bandwidth("cpu", nbytes=8 * 2**20)
    assert 1e8 < bw < 1e13  # 0.1 GB/s .. 10 TB/s
    assert timing.measure_copy_bandwidth("cpu", nbytes=8 * 2**20) == bw  # cached
    rate = timing.measure_matmul_rate("cpu", n=256)
    assert 1e7 < rate < 1e15


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
    assert timing.pick_device("cpu").type == "cpu"
    assert "FFN_LIB_DEVICE" in capsys.readouterr().out
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


def test_bench_quick_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    assert bench_main.main(["--quick", "--out", str(out), "--no-progress", "--device", "cpu"]) == 0
    doc = json.loads((out / "results.json").read_text())
    validate(doc)
    assert doc["provenance"]["command"] == f"python -m ffn_lib.bench --quick --out {out} --no-progress --device cpu"
    assert doc["provenance"]["device"]["type"] == "cpu" and doc["config"]["quick"] is True
    groups = {r["group"] for r in doc["results"]}
    assert groups == {"activation", "act_mul", "block"}
    # every gated activation in every pass, and every Shazeer variant as a block
    assert len(select(doc, group="act_mul", impl="eager")) == 6 * 3
    assert {r["op"] for r in select(doc, group="block")} == {
        "ReLU", "GELU", "Swish", "GLU", "GEGLU", "Bilinear", "SwiGLU", "ReGLU"}
    for r in doc["results"]:
        assert r["time"]["q1"] <= r["time"]["median"] <= r["time"]["q3"]
        if r["bytes"]:
            assert r["bandwidth"]["value"] == pytest.approx(r["bytes"]["value"] / r["time"]["median"])
    md = (out / "results.md").read_text()
    assert "| silu | eager | forward |" in md and "Skipped torch.compile" in md
    png = (out / "results.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert load_runs(tmp_path)[0]["path"].endswith("results.json")


def test_schema_rejects_a_number_without_provenance(tmp_path):
    out = tmp_path / "run"
    bench_main.main(["--quick", "--out", str(out), "--no-progress", "--device", "cpu"])
    doc = json.loads((out / "results.json").read_text())
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
    assert "Activations alone" in markdown_table(doc)


def test_committed_results_validate_and_carry_provenance():
    """Every results file committed under results/ is a real run of the suite."""
    folder = default_results_dir()
    for path in sorted(folder.glob("**/results.json")):
        doc = json.loads(path.read_text())
        validate(doc, str(path))
        prov = doc["provenance"]
        assert prov["command"].startswith("python -m ffn_lib.bench")
        if prov["device"]["type"] == "cuda":
            assert prov["driver"] and prov["cuda"] and prov["device"]["capability"]
        assert (path.parent / "results.md").exists() and (path.parent / "results.png").exists()


def test_schema_is_valid_json_schema():
    from ffn_lib.bench.report import schema

    jsonschema.Draft202012Validator.check_schema(schema())


def test_recorded_sections_show_gpu_runs_and_say_when_there_are_none(tmp_path):
    from ffn_lib.bench import recorded

    empty = recorded("act_mul", ["silu"], title="x", folder=tmp_path)
    assert "No recorded GPU run yet" in empty._repr_markdown_() and empty.figure() is None
    out = tmp_path / "h100-test"
    bench_main.main(["--quick", "--out", str(out), "--no-progress", "--device", "cpu"])
    doc = json.loads((out / "results.json").read_text())
    doc["provenance"]["device"].update(type="cuda", name="Synthetic GPU", capability="9.0")
    (out / "results.json").write_text(json.dumps(doc))
    section = recorded("act_mul", ["silu"], title="SwiGLU step", folder=tmp_path)
    md = section._repr_markdown_()
    assert "Synthetic GPU" in md and "| silu | eager | forward |" in md
    fig = section.figure()
    assert fig is not None and len(fig.axes[0].patches) == len(section.rows(doc))
    block_fig = recorded("block", ["SwiGLU"], folder=tmp_path).figure()
    assert "TFLOP/s" in block_fig.axes[0].get_ylabel()
    import matplotlib.pyplot as plt

    plt.close("all")
