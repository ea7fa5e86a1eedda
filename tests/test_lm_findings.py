"""Chapter 8's cost side (lm.findings: the recorded blocks against the loss gain) and its demonstration run's words."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ffn_lib.lm import findings, stats, verdict

ROOT = Path(__file__).resolve().parent.parent
GPU_RUN = ROOT / "results" / "lm-h200-2026-11-26" / "lm_results.json"
BENCH_RUN = ROOT / "results" / "h200-2026-11-26" / "results.json"


def _block(op, impl, median, memory, flops, q=0.01):
    return {"group": "block", "op": op, "impl": impl, "pass": "forward+backward",
            "time": {"median": median, "q1": median * (1 - q), "q3": median * (1 + q), "unit": "s"},
            "flops": {"value": flops, "unit": "FLOP"}, "peak_memory": {"value": memory, "unit": "B"}}


BENCH = {
    "provenance": {"device": {"name": "Test GPU"}, "date": "2026-01-01T00:00:00+00:00"},
    "config": {"tokens": 1024, "d_model": 64, "d_ff_plain": 256, "d_ff_gated": 172, "dtype": "bfloat16"},
    "results": [_block("GELU", "eager", 10.0, 100.0, 1000.0), _block("GEGLU", "eager", 11.0, 125.0, 1010.0),
                _block("GEGLU", "fused", 10.5, 105.0, 1010.0), _block("GELU", "forward-only", 1.0, 1.0, 1.0)],
}


def _lm(gegl, gelu):
    seeds = list(range(len(gegl)))
    return {"config": {"seeds": seeds, "variants": ["GELU", "GEGLU"], "model": {"d_model": 32}},
            "params": [{"variant": "GELU", "gated": False}, {"variant": "GEGLU", "gated": True}],
            "runs": [{"variant": v, "seed": s, "final_val_loss": ls[s]} for v, ls in (("GELU", gelu), ("GEGLU", gegl))
                     for s in seeds]}


def test_block_costs_pair_each_gated_block_with_its_own_activation():
    (cost,) = findings.block_costs(BENCH)
    assert (cost["gated"], cost["plain"]) == ("GEGLU", "GELU")
    assert cost["eager"]["time"] == pytest.approx(0.10) and cost["fused"]["time"] == pytest.approx(0.05)
    assert cost["eager"]["memory"] == pytest.approx(0.25) and cost["fused"]["memory"] == pytest.approx(0.05)
    assert cost["flops"] == pytest.approx(0.01) and cost["eager"]["apart"]
    assert findings.block_costs(None) == []


def test_cost_sentence_sets_the_time_against_the_loss():
    doc = _lm([1.40, 1.42, 1.41], [1.50, 1.51, 1.52])
    text = findings.cost_sentence(BENCH, doc)
    assert "takes +10.0% to +10.0% time against its ungated twin's in eager PyTorch and +5.0% to +5.0%" in text
    assert "at +1.0% FLOPs" in text and "by -0.100 to -0.100 nats per character (matched mean -0.100)" in text
    assert "d_model 32" in text and "Test GPU" in text
    table = findings.cost_markdown(BENCH, doc)
    assert "| GEGLU vs GELU | +10.0% | +5.0% | +25.0% | +5.0% | -0.100 (" in table
    assert findings.cost_sentence(None, doc) is None and findings.cost_markdown(None, doc) == ""
    slower_loss = copy.deepcopy(BENCH)
    slower_loss["results"] = [r for r in slower_loss["results"] if r["impl"] != "fused"]
    assert findings.cost_sentence(slower_loss, doc) is None  # needs both implementations


@pytest.mark.skipif(not (GPU_RUN.exists() and BENCH_RUN.exists()), reason="the recorded runs are not in this checkout")
def test_recorded_cost_side():
    doc, bench = json.loads(GPU_RUN.read_text()), json.loads(BENCH_RUN.read_text())
    costs = findings.block_costs(bench)
    assert [(c["gated"], c["plain"]) for c in costs] == stats.matched_pairs(doc["config"]["variants"])
    eager = [c["eager"]["time"] for c in costs]
    text = findings.cost_sentence(bench, doc)
    assert f"{min(eager):+.1%} to {max(eager):+.1%} time" in text and "NVIDIA H200" in text
    assert all(c["eager"]["time"] > 0 for c in costs)  # on this run every gated block costs more eager


def _demo_doc(gegl, gelu):
    doc = _lm(gegl, gelu)
    doc.update(wall_s=12.0, provenance={"device": {"name": "Test CPU"}})
    doc["config"]["train"] = {"steps": 100}
    for r in doc["runs"]:
        r["params"] = 109_000
    return doc


def test_demo_sentence_says_what_the_short_run_resolves():
    clear = verdict.demo_sentence(_demo_doc([1.40, 1.42, 1.41], [1.50, 1.52, 1.51]))
    assert "an interval below zero" in clear and "does not test the other 6 variants" in clear
    assert "neither confirms nor contradicts the recorded run" in clear
    noisy = verdict.demo_sentence(_demo_doc([1.40, 1.55, 1.45], [1.50, 1.42, 1.47]))
    assert "cannot tell the two apart" in noisy and "6 runs, 12 s on Test CPU" in noisy
    full = verdict.full_run_sentence(_demo_doc([1.4] * 3, [1.5] * 3), vocab_size=100)
    # 12 s for 6 runs of 100 steps: 0.02 s a step; the CPU experiment is 24 runs of 160 steps = 1.28 minutes
    assert "`python -m ffn_lib.lm` trains all 8 variants with 3 seeds for 160 steps each" in full
    assert "about 1.3 minutes at this page's pace" in full and "--gpu --out results/lm-<gpu>-<date>" in full


def test_cost_shape_is_read_from_the_rows():
    text = findings.cost_shape_sentence(BENCH)
    assert "d_model 64, plain blocks 256 wide (4 × d_model) and gated blocks 172 wide, in bfloat16" in text
    assert "'s width" not in text  # no released model has this width
    llama = copy.deepcopy(BENCH)
    llama["config"].update(d_model=4096, d_ff_plain=16384, d_ff_gated=11008)
    assert "gated blocks 11,008 wide, LLaMA 7B's width" in findings.cost_shape_sentence(llama)
    assert findings.cost_shape_sentence(None) is None
    assert "Llama-3-8B" not in findings.cost_sentence(llama, _lm([1.40, 1.42, 1.41], [1.50, 1.51, 1.52]))


@pytest.mark.skipif(not (GPU_RUN.exists() and BENCH_RUN.exists()), reason="the recorded runs are not in this checkout")
def test_recorded_cost_shape_and_curve_check():
    doc, bench = json.loads(GPU_RUN.read_text()), json.loads(BENCH_RUN.read_text())
    text = findings.cost_shape_sentence(bench)
    assert "plain blocks 16,384 wide" in text and "gated blocks 11,008 wide, LLaMA 7B's width" in text
    assert findings.over_fitting_sentence(doc) == ("In all 24 runs the held-out loss was at its lowest at the last "
                                                   "evaluation (no sign of over-fitting).")
