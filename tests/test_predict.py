"""Predict, then measure (ffn_lib.predict): predictions from byte counts against the recorded H200 run.

The expected values were worked out by hand from results/h200-2026-11-26/results.json (times in µs, rounded
as the file gives them) and from counting PyTorch's kernels for each gate by hand.
"""

import copy
import math

import pytest

from ffn_lib import predict
from ffn_lib.bench import load_runs, row


@pytest.fixture(scope="module")
def run():
    runs = [r for r in load_runs(device_type="cuda") if r["provenance"]["date"].startswith("2026-11-26")]
    if not runs:
        pytest.skip("the recorded H200 run of 2026-11-26 is not under results/")
    return runs[0]


@pytest.mark.parametrize("gate, params, forward, backward", [
    ("silu", {}, 5, 9),  # silu writes s; mul reads s, u, writes y | two muls read dy; silu_backward reads ds, g
    ("identity", {}, 3, 6),  # one mul | two muls
    ("swish", {"beta": 1.5}, 10, 20),  # beta * g, sigmoid, two muls | six kernels
])
def test_eager_passes_are_counted_per_gate(gate, params, forward, backward):
    assert predict.eager_passes(gate, "forward", **params) == forward
    assert predict.eager_passes(gate, "backward", **params) == backward
    assert predict.eager_passes(gate, "forward+backward", **params) == forward + backward


def test_fused_passes_are_the_minimum():
    assert [predict.fused_passes(p) for p in predict.PASSES] == [3, 5, 8]
    with pytest.raises(ValueError, match="pass_"):
        predict.fused_passes("sideways")


def test_silu_speedups_of_the_recorded_run(run):
    by = {(s.gate, s.pass_): s for s in predict.speedups(run)}
    fwd, bwd, both = by["silu", "forward"], by["silu", "backward"], by["silu", "forward+backward"]
    assert fwd.predicted == pytest.approx(5 / 3) and bwd.predicted == pytest.approx(9 / 5)
    assert fwd.measured == pytest.approx(286.144 / 166.816, rel=1e-4)  # 1.715
    assert bwd.measured == pytest.approx(496.256 / 276.192, rel=1e-4)  # 1.797
    assert both.measured == pytest.approx(778.848 / 439.904, rel=1e-4)  # 1.770
    assert len(by) == 7 * 3  # every gate and pass of the run


def test_swish_prediction_uses_the_rows_beta(run):
    (s,) = [s for s in predict.speedups(run, gates=["swish"], passes=["forward"])]
    assert s.eager_passes == 10 and s.predicted == pytest.approx(10 / 3)


def test_amdahl_for_the_swiglu_block(run):
    b = predict.block_step(run)
    assert b.share == pytest.approx(0.7788 / 13.7935, rel=1e-3)  # 5.6% of the eager step is act * mul
    assert b.predicted_s == pytest.approx(13.7935e-3 - (778.848e-6 - 439.904e-6), rel=1e-4)
    assert b.measured_speedup == pytest.approx(13.7935 / 13.4117, rel=1e-4)  # 1.028
    assert b.saved_memory == 1593835520 - 1358954496 == b.one_tensor  # 224 MiB: act(g), recomputed
    assert b.fused_share == pytest.approx(0.4399 / 13.4117, rel=1e-3)


def test_block_step_needs_like_for_like_rows(run):
    other = copy.deepcopy(run)
    other["config"]["d_ff_act"] = 11008
    assert predict.block_step(other) is None
    missing = copy.deepcopy(run)
    missing["results"] = [r for r in missing["results"] if r["group"] != "block"]
    assert predict.block_step(missing) is None


def test_host_crossing_tokens(run):
    assert predict.host_crossing_tokens(run) == pytest.approx(8192 * 171.2897 / 439.904, rel=1e-4)  # ~3190
    assert predict.host_crossing_tokens({**run, "results": []}) is None


def test_recompute_saves_two_passes():
    assert predict.recompute_passes() == {"recompute": 8, "save": 10}


def test_roofline_points_sit_under_the_roofs(run):
    bandwidth, peak = predict.roofs(run)
    assert bandwidth == run["reference"]["copy_bandwidth"]["value"]
    points = predict.roofline_points(run)
    gemm = [p for p in points if p.group == "gemm"]
    assert {p.label for p in gemm} == {"square", "gate and up, two GEMMs", "gate_up, one GEMM", "down"}
    square = next(p for p in gemm if p.label == "square")
    assert square.intensity == pytest.approx(2 * 8192**3 / (3 * 8192**2 * 2))  # 2730.7 FLOP/byte
    for p in points:
        assert p.rate <= 1.05 * min(peak, p.intensity * bandwidth), p.label
    silu = next(p for p in points if p.label == "silu fused forward")
    assert silu.intensity == pytest.approx(5 / (3 * 2))  # 5 FLOPs per element, 3 bf16 tensors
    assert silu.rate == pytest.approx(5 * 8192 * 14336 / 166.816e-6, rel=1e-4)
    assert not math.isnan(silu.rate) and row(run, "act_mul", "silu", "fused", "forward")


def test_decode_floor_reads_every_weight(run):
    floor = predict.decode_floor(run)
    assert floor.weight_bytes == 3 * 4096 * 14336 * 2  # three bf16 matrices of Llama-3-8B's FFN, ~352 MB
    assert floor.seconds == pytest.approx(floor.weight_bytes / run["reference"]["copy_bandwidth"]["value"])
    assert 80e-6 < floor.seconds < 86e-6  # about 83 µs at 4.24 TB/s
