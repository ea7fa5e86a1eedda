"""Chapter 8's language-model experiment: data, model, training, recorded results (all on CPU, seconds)."""

import copy
import json
import math
import re
import socket
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from ffn_lib import VARIANTS, show_source, sizing
from ffn_lib import lm
from ffn_lib.lm import findings, results, stats, verdict
from ffn_lib.lm.__main__ import main as lm_main
from ffn_lib.lm.data import HELD_OUT_FRACTION

# A tiny setting that trains in well under a second on one CPU core.
TINY = lm.Preset("tiny", d_model=32, n_layer=1, n_head=2, context=32, seeds=(0, 1),
                 train=lm.TrainConfig(steps=12, batch_size=8, lr=3e-3, warmup_steps=2, eval_every=4,
                                      eval_tokens=1024))


@pytest.fixture(scope="module")
def corpus():
    return lm.load_corpus()


@pytest.fixture(scope="module")
def small_corpus():
    """The first 50,000 characters of the same text: real text, a held-out part small enough to evaluate fast."""
    return lm.load_corpus(lm.corpus_text()[:50_000])


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One CPU thread: these models are tiny, and a shared machine punishes more."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _tiny_run(corpus, variant="ReLU", seed=0, preset=TINY, device="cpu"):
    return lm.train_run(preset.model_config(corpus.tokenizer.vocab_size, variant), preset.train, corpus, seed,
                        device=device)


# --- Data: offline, stable split -----------------------------------------------------------------


def test_data_pipeline_uses_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the data pipeline tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.delitem(sys.modules, "pydoc_data.topics", raising=False)  # imported afresh, under the patch
    corpus = lm.load_corpus()
    assert corpus.n_chars > 100_000 and corpus.tokenizer.vocab_size > 60
    assert corpus.describe()["sha256"] == corpus.sha256 and len(corpus.sha256) == 64


def test_split_is_the_fixed_tail_and_stable(corpus):
    text = lm.corpus_text()
    ids = corpus.tokenizer.encode(text)
    cut = lm.split_point(len(ids))
    assert cut == len(ids) - round(len(ids) * HELD_OUT_FRACTION)
    assert torch.equal(corpus.train, ids[:cut]) and torch.equal(corpus.val, ids[cut:])
    again = lm.load_corpus()
    assert torch.equal(again.train, corpus.train) and torch.equal(again.val, corpus.val)
    assert again.sha256 == corpus.sha256
    # by position: the held-out part of a known text is its last 10%
    small = lm.load_corpus("abcdefghij" * 10)
    assert small.tokenizer.decode(small.val) == "abcdefghij" and len(small.train) == 90
    with pytest.raises(ValueError, match="held_out"):
        lm.split_point(100, 1.5)


def test_tokenizer_round_trip_and_errors(corpus):
    sample = lm.corpus_text()[:500]
    assert corpus.tokenizer.decode(corpus.tokenizer.encode(sample)) == sample
    assert list(corpus.tokenizer.chars) == sorted(corpus.tokenizer.chars)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        lm.CharTokenizer.from_text("abc").encode("abd")
    with pytest.raises(ValueError, match="text"):
        lm.CharTokenizer.from_text("")


def test_batches_depend_on_the_seed_only(device):
    a = lm.batch_starts(1000, 5, 4, 16, seed=3)
    assert torch.equal(a, lm.batch_starts(1000, 5, 4, 16, seed=3))
    assert not torch.equal(a, lm.batch_starts(1000, 5, 4, 16, seed=4))
    assert a.shape == (5, 4) and a.min() >= 0 and a.max() < 1000 - 16
    tokens = torch.arange(1000, device=device)
    x, y = lm.windows_at(tokens, a[0].to(device), 16)
    assert x.device.type == device.type and x.shape == (4, 16)
    assert torch.equal(y[:, :-1], x[:, 1:]) and torch.equal(y[:, -1], x[:, -1] + 1)  # y is x shifted by one
    with pytest.raises(ValueError, match="context"):
        lm.batch_starts(10, 1, 1, 16, seed=0)


def test_eval_windows_are_fixed_and_disjoint():
    tokens = torch.arange(1001)
    x, y = lm.eval_windows(tokens, 100)
    assert x.shape == (10, 100) and torch.equal(x.flatten(), tokens[:1000]) and torch.equal(y.flatten(), tokens[1:])
    xs, _ = lm.eval_windows(tokens, 100, max_tokens=300)
    assert xs.shape == (3, 100) and xs[0, 0] == 0 and xs[-1, 0] == 900


def test_unigram_baseline_hand_worked():
    train, val = torch.tensor([0, 0, 0, 1]), torch.tensor([0, 1, 2])
    # add-one smoothing over 3 symbols: p = (4, 2, 1) / 7
    expected = -(math.log(4 / 7) + math.log(2 / 7) + math.log(1 / 7)) / 3
    assert lm.unigram_loss(train, val, 3) == pytest.approx(expected, rel=1e-12)


# --- The model: matched parameters --------------------------------------------------------------------


@pytest.mark.parametrize("preset", [lm.CPU, lm.GPU], ids=["cpu", "gpu"])
def test_every_variant_has_the_same_parameters_within_one_percent(corpus, preset):
    config = preset.model_config(corpus.tokenizer.vocab_size)
    rows = lm.param_table(config)
    assert [r["variant"] for r in rows] == list(VARIANTS)
    counts = [r["params"] for r in rows]
    assert max(counts) / min(counts) - 1 < 0.01
    d, L, V, T = preset.d_model, preset.n_layer, corpus.tokenizer.vocab_size, preset.context
    for r in rows:
        gated = VARIANTS[r["variant"]].gated
        assert r["d_ff"] == sizing.matched_d_ff(d, gated=gated)
        ffn = sizing.param_count(d, r["d_ff"], gated=gated, bias=False)
        # tied embedding + positions + per layer (qkv, out, two LayerNorms, FFN) + final LayerNorm
        assert r["params"] == V * d + T * d + L * (4 * d * d + 4 * d + ffn) + 2 * d
        assert r["ffn_params"] == L * ffn


@pytest.mark.parametrize("variant", ["ReLU", "SwiGLU"])
def test_flop_count_matches_pytorch_counter(corpus, variant):
    """6 FLOPs per matrix weight per token, checked against torch's FlopCounterMode (attention on top, which the
    counter may or may not see on a CPU)."""
    from torch.utils.flop_counter import FlopCounterMode

    preset = lm.CPU
    model = lm.GPT(preset.model_config(corpus.tokenizer.vocab_size, variant))
    x, y = lm.windows_at(corpus.train, lm.batch_starts(len(corpus.train), 1, 4, preset.context, 0)[0], preset.context)
    with FlopCounterMode(display=False) as counter:
        model(x, y)[1].backward()
    weights = 6 * model.matmul_weights() * x.numel()
    attention = 12 * preset.n_layer * preset.context * preset.d_model * x.numel()
    assert counter.get_total_flops() in (weights, weights + attention, weights + attention // 2)
    assert model.flops_per_token() * x.numel() == weights + attention
    d, L = preset.d_model, preset.n_layer
    assert model.matmul_weights() == L * (4 * d * d + model.param_count(ffn_only=True) // L) + \
        corpus.tokenizer.vocab_size * d


def test_model_is_causal_and_starts_near_uniform(corpus, device):
    torch.manual_seed(0)
    vocab = corpus.tokenizer.vocab_size
    model = lm.GPT(lm.GPTConfig(vocab, "SwiGLU", d_model=32, n_layer=2, context=16)).to(device)
    x = corpus.train[:16].view(1, 16).to(device)
    y = corpus.train[1:17].view(1, 16).to(device)
    logits, loss = model(x, y)
    assert logits.shape == (1, 16, vocab)
    # fan-in init: logits of order 1, so the first loss is a little above log(vocab); GPT-2's 0.02: almost uniform
    assert math.log(vocab) < loss.item() < math.log(vocab) + 1.5
    small = lm.GPT(lm.GPTConfig(vocab, "SwiGLU", d_model=32, n_layer=2, context=16, init="gpt2")).to(device)
    assert small(x, y)[1].item() == pytest.approx(math.log(vocab), abs=0.05)
    changed = x.clone()
    changed[0, 10] = (changed[0, 10] + 1) % corpus.tokenizer.vocab_size
    later, _ = model(changed)
    torch.testing.assert_close(later[0, :10], logits[0, :10])  # the future does not leak into the past
    assert not torch.allclose(later[0, 10:], logits[0, 10:])
    assert model.lm_head.weight is model.wte.weight
    with pytest.raises(ValueError, match="context"):
        model(torch.zeros(1, 17, dtype=torch.long, device=device))


@pytest.mark.parametrize("init", ["fan_in", "gpt2"])
def test_one_initialisation_rule_for_every_variant(corpus, init):
    """Every matrix has the rule's standard deviation; W2 and attention's output are shrunk by 1/sqrt(2 n_layer)."""
    torch.manual_seed(0)
    d, L = 64, 2
    for variant in ("ReLU", "SwiGLU"):
        model = lm.GPT(lm.GPTConfig(corpus.tokenizer.vocab_size, variant, d_model=d, n_layer=L, init=init))
        ffn = model.blocks[0].ffn
        first = ffn.w_gate if VARIANTS[variant].gated else ffn.w1
        last = ffn.w_down if VARIANTS[variant].gated else ffn.w2
        std = (lambda fan_in: fan_in ** -0.5) if init == "fan_in" else (lambda fan_in: 0.02)
        assert first.weight.std().item() == pytest.approx(std(d), rel=0.05)
        assert last.weight.std().item() == pytest.approx(std(ffn.d_ff) / math.sqrt(2 * L), rel=0.05)
        assert model.blocks[1].attn.proj.weight.std().item() == pytest.approx(std(d) / math.sqrt(2 * L), rel=0.1)


def test_config_errors_name_the_argument():
    with pytest.raises(ValueError, match="n_head"):
        lm.GPTConfig(50, d_model=30, n_head=4)
    with pytest.raises(ValueError, match="unknown variant"):
        lm.GPTConfig(50, "SwiGLUE2")
    with pytest.raises(ValueError, match="init"):
        lm.GPTConfig(50, init="xavier")
    with pytest.raises(ValueError, match="warmup_steps"):
        lm.TrainConfig(steps=10, warmup_steps=10)


def test_learning_rate_schedule():
    config = lm.TrainConfig(steps=100, lr=1e-3, warmup_steps=10, min_lr_ratio=0.1)
    lrs = [lm.learning_rate(s, config) for s in range(100)]
    assert lrs[0] == pytest.approx(1e-4) and lrs[9] == pytest.approx(1e-3)  # linear warm-up to the peak
    assert all(b <= a for a, b in zip(lrs[9:], lrs[10:]))  # then only down
    assert lm.learning_rate(100, config) == pytest.approx(1e-4)  # ends at lr * min_lr_ratio
    assert lrs[55] == pytest.approx(1e-4 + 0.9e-3 * 0.5 * (1 + math.cos(math.pi * 0.5)))


# --- Training: reproducible, learns ---------------------------------------------------------------------


def test_fixed_seed_gives_the_same_loss_to_the_last_digit(small_corpus):
    corpus = small_corpus
    a, b = _tiny_run(corpus, "GEGLU", seed=5), _tiny_run(corpus, "GEGLU", seed=5)
    assert a.final_val_loss == b.final_val_loss and a.curve_val_loss == b.curve_val_loss
    assert _tiny_run(corpus, "GEGLU", seed=6).final_val_loss != a.final_val_loss
    assert a.curve_steps == [4, 8, 12] and a.params == lm.param_table(TINY.model_config(
        corpus.tokenizer.vocab_size, "GEGLU"), ["GEGLU"])[0]["params"]


def test_a_tiny_run_beats_the_unigram_baseline(small_corpus, device):
    corpus = small_corpus
    preset = replace(TINY, train=replace(TINY.train, steps=60, warmup_steps=6, eval_every=20))
    run = _tiny_run(corpus, "SwiGLU", seed=0, preset=preset, device=device)
    baseline = lm.unigram_loss(corpus.train, corpus.val, corpus.tokenizer.vocab_size)
    assert run.curve_val_loss[-1] < run.curve_val_loss[0]
    assert run.final_val_loss < baseline, (run.final_val_loss, baseline)
    assert run.tokens_per_s > 0 and (run.peak_memory_bytes is None) == (device.type != "cuda")


def test_bfloat16_autocast_path_trains(small_corpus, device):
    """The GPU run's path (bfloat16 autocast, fused AdamW on CUDA) on every device this machine has."""
    preset = replace(TINY, train=replace(TINY.train, amp_bf16=True))
    for variant in ("GELU", "GEGLU", "Bilinear"):
        run = _tiny_run(small_corpus, variant, preset=preset, device=device)
        assert math.isfinite(run.final_val_loss) and run.curve_val_loss[-1] < run.curve_val_loss[0]
    before = torch.get_num_threads()
    with lm.cpu_threads(2):
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == before


def test_train_run_rejects_bad_input(corpus):
    config = TINY.model_config(corpus.tokenizer.vocab_size)
    with pytest.raises(ValueError, match="seed"):
        lm.train_run(config, TINY.train, corpus, -1)
    with pytest.raises(ValueError, match="vocab_size"):
        lm.train_run(replace(config, vocab_size=7), TINY.train, corpus, 0)
    with pytest.raises(ValueError, match="threads"):
        with lm.cpu_threads(0):
            pass


def test_the_chapter_shows_the_training_loop_from_the_seed_to_the_final_evaluation():
    """The notebook shows a line range of train_run: it must still frame the loop."""
    path = Path(__file__).resolve().parents[1] / "notebooks" / "08_does_the_gate_pay.ipynb"
    code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    first, last = map(int, re.search(r"show_source\(lm\.train_run, lines=\((\d+), (\d+)\)\)", code).groups())
    shown = str(show_source(lm.train_run, lines=(first, last))).splitlines()
    assert shown[0].strip().startswith("torch.manual_seed(seed)")
    assert shown[-1].strip().startswith("final = ")


# --- The budget -------------------------------------------------------------------------------------------


def test_budget_fixes_the_step_count_in_advance(corpus):
    vocab = corpus.tokenizer.vocab_size
    full = lm.estimate_seconds(lm.GPU, vocab, 40, "cuda")
    assert full <= 150, "the GPU preset must fit its 150 s budget by its own estimate"
    assert lm.fit_budget(lm.GPU, vocab, 40, "cuda", 1e6) is lm.GPU  # never scaled up
    small = lm.fit_budget(lm.GPU, vocab, 40, "cuda", 60)
    assert small.train.steps < lm.GPU.train.steps
    assert lm.estimate_seconds(small, vocab, 40, "cuda") <= 60 + 1e-9
    with pytest.raises(ValueError, match="budget_s"):
        lm.fit_budget(lm.GPU, vocab, 40, "cuda", 10)


# --- Results: schema, consistency, analysis ------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_doc(small_corpus):
    return lm.run_experiment(TINY, variants=["ReLU", "SwiGLU"], corpus=small_corpus, threads=1)


def test_a_real_results_document_validates_and_round_trips(small_doc, tmp_path):
    lm.validate(small_doc)
    assert small_doc["data"]["sha256"] and small_doc["provenance"]["threads"] == 1
    paths = lm.write_outputs(small_doc, tmp_path / "lm-test-run")
    assert all(p.exists() for p in paths.values())
    (loaded,) = lm.load_runs(tmp_path)
    assert loaded["runs"] == json.loads(json.dumps(small_doc["runs"]))
    assert lm.load_runs(tmp_path, device_type="cuda") == []
    assert "pending" in lm.recorded(tmp_path)._repr_markdown_()


def _as_gpu_run(doc):
    gpu = copy.deepcopy(doc)
    gpu["provenance"].update(cuda="12.4", device={"type": "cuda", "name": "NVIDIA H200", "capability": "9.0"})
    for i, run in enumerate(gpu["runs"]):
        run["peak_memory_bytes"] = (100 + i) * 2**20
    return gpu


def test_a_recorded_gpu_run_is_shown_with_its_costs(small_doc, tmp_path):
    gpu = _as_gpu_run(small_doc)
    lm.write_outputs(gpu, tmp_path / "lm-h200-2026-01-01")
    lm.write_outputs(small_doc, tmp_path / "lm-cpu-2026-01-01")  # CPU runs are not shown as GPU results
    shown = lm.recorded(tmp_path)
    assert len(shown.docs) == 1 and shown.latest["provenance"]["device"]["name"] == "NVIDIA H200"
    text = shown._repr_markdown_()
    assert "Recorded GPU run" in text and "| peak mem. |" in text and "Peak memory ranges from 102 MiB (ReLU) to 103 MiB (SwiGLU)" in text
    missing = copy.deepcopy(gpu)
    missing["runs"][0]["peak_memory_bytes"] = None
    with pytest.raises(ValueError, match="peak memory"):
        lm.validate(missing)


def _broken(doc, change):
    bad = copy.deepcopy(doc)
    change(bad)
    return bad


@pytest.mark.parametrize("change, message", [
    (lambda d: d["runs"].pop(), "neither run nor skipped"),
    (lambda d: d["runs"].append(copy.deepcopy(d["runs"][0])), "appears twice"),
    (lambda d: d["runs"][0].update(final_val_loss=-1.0), "final_val_loss"),
    (lambda d: d["params"][1].update(params=d["params"][0]["params"] * 2), "not parameter-matched"),
    (lambda d: d["runs"][0]["curve_steps"].reverse(), "curve_steps"),
    (lambda d: d["provenance"].pop("date"), "date"),
    (lambda d: d.update(schema="ffn_lib.bench/1"), "schema"),
    (lambda d: d["config"]["variants"].append("SwiGLU2"), "variants"),
])
def test_broken_documents_fail_with_a_message(small_doc, change, message):
    with pytest.raises(ValueError, match=message):
        lm.validate(_broken(small_doc, change))


def test_committed_results_validate_and_carry_provenance():
    """Every recorded experiment under results/lm-*/ is a real, complete run of the CLI."""
    for path in results.results_files():
        doc = lm.validate(json.loads(path.read_text()), str(path))
        prov = doc["provenance"]
        assert prov["command"].startswith("python -m ffn_lib.lm"), path
        if prov["device"]["type"] == "cuda":
            assert prov["cuda"] and prov["device"]["capability"] and doc["config"]["train"]["amp_bf16"]
        assert (path.parent / "lm_results.md").exists() and (path.parent / "lm_curves.png").exists()
        assert len(doc["config"]["seeds"]) >= 3 and len(doc["config"]["variants"]) == len(VARIANTS)
        if doc["config"]["preset"] == "gpu":  # the chapter's parameter table rebuilds the recorded models
            rebuilt = lm.param_table(lm.GPU.model_config(doc["data"]["vocab_size"]))
            assert [(r["variant"], r["params"]) for r in rebuilt] == [(r["variant"], r["params"]) for r in doc["params"]]


def _rate(rates, variant, seed):
    value = (rates or {}).get(variant, 1000.0)
    return value[seed] if isinstance(value, list) else value


def _synthetic(losses: dict[str, list[float]], rates=None):
    """A valid document with given final losses per variant (one entry per seed)."""
    doc = copy.deepcopy(_SYNTHETIC_BASE)
    names = list(losses)
    seeds = list(range(len(next(iter(losses.values())))))
    doc["config"].update(variants=names, seeds=seeds)
    doc["params"] = [{"variant": v, "gated": VARIANTS[v].gated, "d_ff": 170 if VARIANTS[v].gated else 256,
                      "params": 100_000, "ffn_params": 60_000, "gap": 0.0} for v in names]
    doc["runs"] = [{"variant": v, "seed": s, "params": 100_000, "ffn_params": 60_000,
                    "d_ff": 170 if VARIANTS[v].gated else 256, "curve_steps": [5, 10],
                    "curve_val_loss": [loss + 0.1, loss], "train_loss": [loss + 0.1, loss], "final_val_loss": loss,
                    "tokens_per_s": _rate(rates, v, s), "train_seconds": 1.0, "peak_memory_bytes": None,
                    "extra": {}} for s in seeds for v, loss in ((v, losses[v][s]) for v in names)]
    return lm.validate(doc)


_SYNTHETIC_BASE = {
    "schema": "ffn_lib.lm/1",
    "provenance": {"command": "python -m ffn_lib.lm", "date": "2026-01-01T00:00:00+00:00",
                   "device": {"type": "cpu", "name": "test CPU", "capability": None}, "cuda": None,
                   "torch": "2.x", "python": "3.x", "platform": "test", "threads": 1,
                   "git": {"commit": None, "dirty": None}},
    "config": {"preset": "synthetic", "model": {"vocab_size": 10, "d_model": 8, "n_layer": 1, "n_head": 1,
                                                 "context": 4, "init": "fan_in"},
               "train": lm.TrainConfig(steps=10, warmup_steps=1, eval_every=5).as_dict(), "variants": [],
               "seeds": [], "tokens_per_run": 10, "budget_s": None, "estimate_s": 1.0, "max_wall_s": None},
    "data": {"name": "synthetic", "license": "none", "python": "3.x", "sha256": "0" * 64, "chars": 100,
             "train_tokens": 90, "val_tokens": 10, "vocab_size": 10, "held_out": "last 10%", "unigram_loss": 2.5},
    "params": [], "runs": [], "skipped": [], "wall_s": 1.0,
}


def test_analysis_separates_real_gaps_from_noise():
    doc = _synthetic({"ReLU": [2.00, 2.01, 2.02], "GELU": [2.005, 2.015, 2.025], "SwiGLU": [1.90, 1.91, 1.92]},
                     rates={"ReLU": 2000.0, "GELU": 1900.0, "SwiGLU": 1000.0})
    summaries = lm.summarize(doc)
    assert [s.variant for s in lm.ranking(summaries)] == ["SwiGLU", "ReLU", "GELU"]
    relu = summaries[0]
    assert relu.mean == pytest.approx(2.01) and relu.std == pytest.approx(0.01) and relu.n == 3
    tests = {(t.a, t.b): t for t in stats.pairwise_tests(summaries)}
    assert not tests[("ReLU", "GELU")].resolved  # 0.005 apart: t = 0.61
    assert tests[("ReLU", "SwiGLU")].resolved and tests[("ReLU", "SwiGLU")].diff == pytest.approx(0.1)
    family = stats.family_contrast(doc)
    assert family.mean == pytest.approx(1.91 - 2.0125) and family.n == 3 and family.verdict == "better"
    assert stats.matched_contrast(doc) is None  # SwiGLU's own activation, Swish, did not run
    text = " ".join(lm.sentences(doc))
    assert "SwiGLU has the lowest mean held-out loss, 1.9100" in text
    assert "the gated family's held-out loss is 0.1025 nats per character lower" in text
    assert "of the 2 pairs Welch's t with Holm's correction resolves, all are in Table 1's order" in text
    assert "ReLU is fastest at 2.0 k tokens/s and SwiGLU slowest at 1.0 k tokens/s (2.00× as fast)" in text
    assert "| SwiGLU | 170 | 100,000 | 1.9100 ± 0.0100 | 3 | 1 | 1.944 |" in lm.table_markdown(doc)


def test_analysis_reports_a_reversal_of_table1():
    doc = _synthetic({"ReLU": [1.80, 1.81, 1.82], "GELU": [1.85, 1.86, 1.87], "GEGLU": [2.00, 2.01, 2.02]})
    text = " ".join(lm.sentences(doc))
    assert "rank correlation of the mean losses is -1.00" in text
    assert ("of the 3 pairs Welch's t with Holm's correction resolves, 0 are in Table 1's order and 3 against it "
            "(ReLU ahead of GELU, ReLU ahead of GEGLU and GELU ahead of GEGLU)") in text
    assert "Why GELU and GEGLU trail here this run does not measure. One hypothesis" in text
    assert "the gated family's held-out loss is 0.1750 nats per character higher" in text
    assert "GEGLU against GELU" in text and "the gated block trails its ungated twin" in text


def test_table1_order_is_counted_under_every_test_the_chapter_uses():
    # Table 1 (quoted): SwiGLU 1.944 < GLU 1.982 < ReLU 1.997. Here SwiGLU < ReLU < GLU, every gap 0.1 at sd 0.01,
    # so each test resolves all 3 pairs: SwiGLU's two in Table 1's order, ReLU ahead of GLU against it
    doc = _synthetic({"ReLU": [1.80, 1.81, 1.82], "GLU": [1.90, 1.91, 1.92], "SwiGLU": [1.70, 1.71, 1.72]})
    orders = verdict.table1_orders(doc)
    assert list(orders) == ["welch", "tukey", "games_howell"]
    for order in orders.values():
        assert order.resolved == 3 and order.against == (("ReLU", "GLU"),)
        assert set(order.agree) == {("SwiGLU", "ReLU"), ("SwiGLU", "GLU")}
    text = verdict.table1_sentence(doc)
    for test in ("Welch's t with Holm's correction", "Tukey's HSD", "Games–Howell"):
        assert (f"of the 3 pairs {test} resolves, 2 are in Table 1's order and 1 against it (ReLU ahead of GLU)"
                in text)
    why = verdict.table1_why_sentence(doc)
    assert why.startswith("Why GLU trails here this run does not measure. A hypothesis:")
    assert "between 0.27 and 0.73" in why
    assert f"shares ({doc['config']['train']['lr']:g})" in why
    # in Table 1's order everywhere: no reversal, no hypothesis
    agree = _synthetic({"ReLU": [1.90, 1.91, 1.92], "GLU": [1.80, 1.81, 1.82], "SwiGLU": [1.70, 1.71, 1.72]})
    assert "all are in Table 1's order" in verdict.table1_sentence(agree)
    assert verdict.table1_why_sentence(agree) is None
    # nothing resolved: the sentence says so instead of counting
    noise = _synthetic({"ReLU": [1.8, 1.9, 2.0], "GLU": [1.85, 1.95, 1.75], "SwiGLU": [1.9, 1.8, 1.85]})
    assert "no pair is resolved" in verdict.table1_sentence(noise) and verdict.table1_why_sentence(noise) is None


def test_table1_order_counts_fake_tests_and_refuses_unknown_variants():
    from types import SimpleNamespace as T

    quoted = {"A": 1.0, "B": 2.0, "C": 3.0}
    tests = [T(a="A", b="B", diff=-0.1, resolved=True), T(a="B", b="C", diff=0.2, resolved=True),
             T(a="A", b="C", diff=0.5, resolved=False), T(a="C", b="A", diff=0.3, resolved=True)]
    order = stats.table1_order(tests, quoted)
    assert order.agree == (("A", "B"), ("A", "C")) and order.against == (("C", "B"),) and order.resolved == 3
    with pytest.raises(ValueError, match="no Table 1 value for D"):
        stats.table1_order([T(a="A", b="D", diff=1.0, resolved=True)], quoted)
    assert stats.table1_order([T(a="A", b="D", diff=1.0, resolved=False)], quoted).resolved == 0


def test_analysis_says_when_it_cannot_tell():
    doc = _synthetic({"ReLU": [2.0, 2.1, 1.9], "SwiGLU": [2.05, 1.95, 2.0], "GEGLU": [1.99, 2.08, 1.97]},
                     rates={"ReLU": [900.0, 1500.0, 1200.0], "SwiGLU": [1000.0, 950.0, 1000.0]})
    text = " ".join(lm.sentences(doc))
    assert "ReLU is fastest" in text and "their runs' rates overlap" in text
    assert "cannot tell the two families apart" in text
    assert "no pair is resolved" in text
    assert "0 are resolved at the 5% level after Holm's correction for 3 comparisons" in text
    one_seed = _synthetic({"ReLU": [2.0], "SwiGLU": [1.9]})
    assert "no ordering is resolved" in " ".join(lm.sentences(one_seed))


def test_old_two_standard_error_rule_is_gone():
    """The report uses Student's t, Welch and Holm only: the retired 2-SE machinery is not importable."""
    from ffn_lib.lm import analysis, figures

    for name in ("Pair", "RESOLVE_K", "pairwise", "tied_with_best", "table1_agreement", "gated_minus_plain"):
        assert not hasattr(analysis, name) and not hasattr(lm, name), name
    for name in ("plot_pairwise", "plot_vs_table1"):
        assert not hasattr(figures, name) and not hasattr(lm, name), name
    doc = _synthetic({"ReLU": [2.00, 2.01, 2.02], "GELU": [2.005, 2.015, 2.025], "GEGLU": [1.90, 1.91, 1.92]})
    report = lm.markdown_report(doc)
    assert "standard errors" not in report and "Holm" in report and "paired t interval" in report


def test_curves_end_at_the_final_loss_when_they_use_every_window(small_corpus):
    every = replace(TINY, train=replace(TINY.train, eval_tokens=None))
    run = _tiny_run(small_corpus, "GELU", preset=every)
    assert run.curve_val_loss[-1] == run.final_val_loss
    subset = _tiny_run(small_corpus, "GELU")  # TINY scores its curve on 1,024 characters
    assert subset.curve_val_loss[-1] != subset.final_val_loss
    for preset in (lm.GPU, lm.DEMO):  # the recorded run's size and the book's run: curves end at the finals
        assert preset.train.eval_tokens is None, preset.name
    with pytest.raises(ValueError, match="eval_tokens"):
        lm.TrainConfig(eval_tokens=0)


def test_curve_offset_and_its_sentence():
    doc = _synthetic({"ReLU": [2.00, 2.01, 2.02], "GEGLU": [1.90, 1.91, 1.92]})
    for run in doc["runs"]:
        run["curve_val_loss"][-1] = run["final_val_loss"] + 0.02
    doc["config"]["train"]["eval_tokens"] = 4
    doc["data"]["val_tokens"] = 41  # 10 windows of 4: the curve used one of them
    off = lm.curve_offset(doc)
    assert off["subset"] and off["eval_tokens"] == 4 and off["offsets"] == pytest.approx([0.02] * 6)
    text = findings.curve_sentence(doc)
    assert "scored on 4 of the 41 held-out characters" in text and "+0.0200 nats from the final loss" in text
    doc["config"]["train"]["eval_tokens"] = None
    assert not lm.curve_offset(doc)["subset"]
    assert "so each curve ends at its run's final loss" in findings.curve_sentence(doc)


def test_the_demo_preset_is_one_matched_pair_that_fits_the_book_build(corpus):
    assert lm.DEMO.variants == ("GELU", "GEGLU") and len(lm.DEMO.seeds) == 3
    assert stats.matched_pairs(lm.DEMO.variants) == [("GEGLU", "GELU")]
    vocab = corpus.tokenizer.vocab_size
    assert lm.estimate_seconds(lm.DEMO, vocab, 6, "cpu") <= 40  # the book build's budget for its live run
    assert lm.DEMO.model_config(vocab) == lm.CPU.model_config(vocab)  # the CPU size, trained briefly


def test_spearman():
    assert lm.spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert lm.spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="same length"):
        lm.spearman([1], [1])


# --- The command line ---------------------------------------------------------------------------------------


def test_cli_tiny_run_writes_a_valid_record(tmp_path, capsys):
    out = tmp_path / "lm-cli"
    assert lm_main(["--steps", "3", "--seeds", "1", "--variants", "relu,geglu", "--out", str(out), "--threads",
                    "1", "--quiet"]) == 0
    doc = lm.validate(json.loads((out / "lm_results.json").read_text()))
    assert doc["provenance"]["command"].startswith("python -m ffn_lib.lm --steps 3")
    assert [r["variant"] for r in doc["runs"]] == ["ReLU", "GEGLU"]
    assert "wrote" in capsys.readouterr().out


def test_cli_demo_preset_reports_with_the_new_statistics(tmp_path, capsys):
    """--preset demo runs the demo's variants and seeds; the report carries the matched contrast, t and Holm."""
    out = tmp_path / "lm-demo"
    assert lm_main(["--preset", "demo", "--steps", "4", "--out", str(out), "--threads", "1", "--quiet"]) == 0
    doc = lm.validate(json.loads((out / "lm_results.json").read_text()))
    assert doc["config"]["preset"] == "demo" and doc["config"]["variants"] == ["GELU", "GEGLU"]
    assert doc["config"]["seeds"] == [0, 1, 2]
    report = (out / "lm_results.md").read_text()
    printed = capsys.readouterr().out
    for text in (report, printed):
        assert "GEGLU against GELU" in text and "Holm's correction" in text and "standard errors" not in text
    with pytest.raises(SystemExit):
        lm_main(["--preset", "tiny", "--out", str(tmp_path / "x")])


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a machine without CUDA")
def test_cli_gpu_without_cuda_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        lm_main(["--gpu", "--out", str(tmp_path / "x")])
    assert exit_info.value.code == 2 and "CUDA" in capsys.readouterr().err


def test_cli_unwritable_out_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exit_info:
        lm_main(["--out", str(blocker / "sub"), "--steps", "2"])
    assert exit_info.value.code == 2 and "--out" in capsys.readouterr().err


def test_coverage_counts_what_a_run_reads():
    """Random windows with replacement: the covered share and the re-read share, checked against a direct count."""
    preset = lm.CPU
    n = 20_000
    got = lm.coverage(n, preset, seed=3)
    starts = lm.batch_starts(n, preset.train.steps, preset.train.batch_size, preset.context, 3).flatten().tolist()
    seen = set()
    for s in starts:
        seen.update(range(s, s + preset.context))
    reads = len(starts) * preset.context
    assert got["covered"] == pytest.approx(len(seen) / n)
    assert got["repeated"] == pytest.approx(1 - len(seen) / reads)
    assert 0 < got["covered"] <= 1 and 0 <= got["repeated"] < 1
    with pytest.raises(ValueError, match="n_tokens"):
        lm.coverage(0, preset)
