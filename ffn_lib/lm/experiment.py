"""The experiment: every variant x several seeds under identical conditions, recorded with provenance.

Three sizes are defined here; they differ in model size, steps, learning rate, precision,
variants and number of seeds, while within one experiment every variant is treated identically:

* ``GPU``: ``python -m ffn_lib.lm --gpu``, under 150 seconds on one H100 or H200 by its estimate;
  the chapter's recorded run;
* ``CPU``: ``python -m ffn_lib.lm``, all eight variants at a size one CPU thread trains in minutes;
* ``DEMO``: ``python -m ffn_lib.lm --preset demo``, one matched pair (GELU, GEGLU) at the CPU size, trained
  briefly: what the book runs while it is built, to show the pipeline working on the reader's machine.

The step count of a run is fixed before it starts (never "train for N seconds"),
so a run can be repeated exactly. ``--budget-s`` picks that step count from a
cost estimate (:func:`estimate_seconds`) made before anything is trained.
"""

from __future__ import annotations

import datetime as _dt
import math
import platform
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from .._checks import positive_int, positive_number
from ..variants import VARIANTS, get_variant
from .data import Corpus, batch_starts, load_corpus, unigram_loss
from .model import GPT, GPTConfig, param_table
from .train import TrainConfig, cpu_threads, train_run

SCHEMA_ID = "ffn_lib.lm/1"


@dataclass(frozen=True)
class Preset:
    """Everything that defines an experiment except the variants: sizes, training, seeds."""

    name: str
    d_model: int
    n_layer: int
    n_head: int
    context: int
    train: TrainConfig
    seeds: tuple[int, ...]
    variants: tuple[str, ...] = tuple(VARIANTS)  # the variants run when none are asked for

    def model_config(self, vocab_size: int, variant: str = "ReLU", d_ff: int | None = None) -> GPTConfig:
        return GPTConfig(vocab_size, variant, self.d_model, self.n_layer, self.n_head, self.context, d_ff)

    def tokens_per_run(self) -> int:
        return self.train.steps * self.train.batch_size * self.context


# The CPU run: 160 steps of 16 windows of 64 characters = 163,840 characters per run. Its windows start at
# random, with replacement, so a run covers only part of the training text and reads some of it twice
# (coverage() measures both; Shazeer's pre-training on C4 never repeats). Run on one thread (CPU_THREADS):
# the numbers then do not depend on the machine's core count, and a shared machine does not slow it down by
# oversubscription. Its learning curves use 4,096 held-out characters (a forward pass over all of them costs
# as much as some 20 training steps here); the report says how far their ends lie from the final losses.
CPU = Preset("cpu", d_model=64, n_layer=2, n_head=2, context=64, seeds=(0, 1, 2),
             train=TrainConfig(steps=160, batch_size=16, lr=3e-3, warmup_steps=16, eval_every=20,
                               eval_tokens=4096))
CPU_THREADS = 1

# The book's demonstration: the CPU model, one matched pair, three seeds, 100 steps (about 20 s on one thread),
# evaluated on every held-out window twice (steps 50 and 100: the last is the final loss).
DEMO = Preset("demo", d_model=64, n_layer=2, n_head=2, context=64, seeds=(0, 1, 2), variants=("GELU", "GEGLU"),
              train=TrainConfig(steps=100, batch_size=16, lr=3e-3, warmup_steps=10, eval_every=50))

# The recorded GPU run: 500 steps of 16 windows of 256 characters = 2.05M characters per run,
# about 5 passes over the training text; bfloat16 autocast; 3 seeds (the recorded H200 run's setting, whose
# curves used 16,384 held-out characters; every window from now on, so that a curve ends at its final loss).
GPU = Preset("gpu", d_model=256, n_layer=4, n_head=4, context=256, seeds=(0, 1, 2),
             train=TrainConfig(steps=500, batch_size=16, lr=2e-3, warmup_steps=50, eval_every=50, amp_bf16=True))

PRESETS = {p.name: p for p in (CPU, GPU, DEMO)}

HELD_OUT_TOKENS_ASSUMED = 50_000  # the held-out tenth of pydoc_data's topics: 49,851 characters in Python 3.12
EVAL_BATCH = 64  # windows per evaluation batch (ffn_lib.lm.evaluate's default)

# Assumed costs for the estimate (deliberately pessimistic; see estimate_seconds).
ASSUMED = {
    "cuda": {"flop_rate": 100e12, "host_s_per_layer_step": 0.6e-3, "host_s_per_step": 1.0e-3, "startup_s": 25.0},
    "cpu": {"flop_rate": 30e9, "host_s_per_layer_step": 1.0e-3, "host_s_per_step": 1.0e-3, "startup_s": 2.0},
}


def coverage(n_tokens: int, preset: Preset, seed: int = 0) -> dict[str, float]:
    """How much of a training text of ``n_tokens`` characters one run of ``preset`` with ``seed`` reads.

    ``covered``: the share of the text's characters inside at least one of the run's input windows;
    ``repeated``: the share of the characters the run reads that it had already read. Windows start at random,
    with replacement (:func:`ffn_lib.lm.batch_starts`, the run's own draw), so both are below what a pass
    in order would give.
    """
    n_tokens = positive_int(n_tokens, "n_tokens")
    starts = batch_starts(n_tokens, preset.train.steps, preset.train.batch_size, preset.context, seed).flatten()
    edges = torch.zeros(n_tokens + 1, dtype=torch.int64)  # +1 where a window starts, -1 where it ends
    edges.index_add_(0, starts, torch.ones_like(starts))
    edges.index_add_(0, starts + preset.context, -torch.ones_like(starts))
    covered = int((edges.cumsum(0)[:n_tokens] > 0).sum())
    reads = starts.numel() * preset.context
    return {"covered": covered / n_tokens, "repeated": 1 - covered / reads}


def flops_per_step(preset: Preset, vocab_size: int, variant: str = "ReLU") -> float:
    """Training FLOPs of one step: tokens per step x :meth:`GPT.flops_per_token` (the same for every variant,
    up to the rounding of the matched d_ff)."""
    with torch.random.fork_rng(devices=[]):
        model = GPT(preset.model_config(vocab_size, variant))
    return float(preset.train.batch_size * preset.context * model.flops_per_token())


def estimate_seconds(preset: Preset, vocab_size: int, n_runs: int, device_type: str) -> float:
    """Wall time of ``n_runs`` runs, estimated before anything runs.

    A step costs the larger of its arithmetic at an assumed rate and its launch
    overhead (small models on a GPU are limited by the host issuing kernels, not by
    the GPU); each curve point adds a forward pass over its held-out characters (a third of a training
    step's FLOPs per token; every window: :data:`HELD_OUT_TOKENS_ASSUMED`), at least one launch-bound
    step per batch of :data:`EVAL_BATCH` windows.
    """
    a = ASSUMED["cuda" if device_type == "cuda" else "cpu"]
    step = max(flops_per_step(preset, vocab_size) / a["flop_rate"],
               a["host_s_per_step"] + a["host_s_per_layer_step"] * preset.n_layer)
    evals = math.ceil(preset.train.steps / preset.train.eval_every) + 1
    tokens = preset.train.eval_tokens or HELD_OUT_TOKENS_ASSUMED
    batches = math.ceil(tokens / (EVAL_BATCH * preset.context))
    forward = flops_per_step(preset, vocab_size) / (preset.train.batch_size * preset.context) * tokens / 3
    evaluation = max(forward / a["flop_rate"], batches * step)
    per_run = preset.train.steps * step * 1.15 + evals * evaluation  # 15% for the optimizer and bookkeeping
    return a["startup_s"] + n_runs * per_run


def fit_budget(preset: Preset, vocab_size: int, n_runs: int, device_type: str, budget_s: float) -> Preset:
    """The preset with its step count scaled down (never up) so that the estimate fits ``budget_s``."""
    budget_s = positive_number(budget_s, "budget_s")
    estimate = estimate_seconds(preset, vocab_size, n_runs, device_type)
    if estimate <= budget_s:
        return preset
    startup = ASSUMED["cuda" if device_type == "cuda" else "cpu"]["startup_s"]
    if budget_s <= startup:
        raise ValueError(f"budget_s={budget_s} leaves no time after the estimated start-up ({startup} s).")
    steps = int(preset.train.steps * (budget_s - startup) / (estimate - startup))
    if steps < 20:
        raise ValueError(f"budget_s={budget_s} allows only {steps} steps per run for {n_runs} runs; "
                         "give more time or fewer seeds/variants.")
    t = preset.train
    while True:  # the evaluations do not scale with the steps: shave off steps until the estimate fits
        train = replace(t, steps=steps, warmup_steps=max(1, t.warmup_steps * steps // t.steps),
                        eval_every=max(1, min(t.eval_every, steps // 5)))
        fitted = replace(preset, train=train)
        if estimate_seconds(fitted, vocab_size, n_runs, device_type) <= budget_s:
            return fitted
        steps -= max(1, steps // 100)
        if steps < 20:
            raise ValueError(f"budget_s={budget_s} allows fewer than 20 steps per run for {n_runs} runs.")


def _git_commit() -> dict[str, Any]:
    here = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                                    capture_output=True, text=True, timeout=10).stdout.strip()) if commit else None
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    return {"commit": commit, "dirty": dirty}


def provenance(device: torch.device, command: str, threads: int) -> dict[str, Any]:
    from ..timing import device_name

    return {
        "command": command,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "device": {"type": device.type, "name": device_name(device),
                   "capability": ".".join(map(str, torch.cuda.get_device_capability(device)))
                   if device.type == "cuda" else None},
        "cuda": torch.version.cuda if device.type == "cuda" else None,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "threads": threads,
        "git": _git_commit(),
    }


def run_experiment(preset: Preset = CPU, *, variants: Sequence[str] | None = None, seeds: Sequence[int] | None = None,
                   device: torch.device | str = "cpu", corpus: Corpus | None = None, threads: int | None = None,
                   command: str = "ffn_lib.lm.run_experiment(...)", budget_s: float | None = None,
                   max_wall_s: float | None = None, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Train every variant with every seed (seeds outermost) and return the results document.

    ``threads`` sets ``torch.set_num_threads`` for the runs (restored afterwards); by default
    :data:`CPU_THREADS` on a CPU, torch's own setting elsewhere.
    ``budget_s`` scales the step count down, before anything runs, so the estimate fits.
    ``max_wall_s`` is a safety net: once exceeded, no further run starts and the ones left
    are listed under ``skipped`` (a run is never cut short, so every recorded run is complete).
    """
    device = torch.device(device)
    names = list(preset.variants) if variants is None else [get_variant(v).name for v in variants]
    if len(set(names)) != len(names) or not names:
        raise ValueError(f"variants must name each variant once, got {list(variants or [])}.")
    seeds = list(preset.seeds if seeds is None else seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds) \
            or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct non-negative integers, got {seeds!r}.")
    corpus = load_corpus() if corpus is None else corpus
    vocab = corpus.tokenizer.vocab_size
    n_runs = len(names) * len(seeds)
    if budget_s is not None:
        preset = fit_budget(preset, vocab, n_runs, device.type, budget_s)
    estimate = estimate_seconds(preset, vocab, n_runs, device.type)
    if threads is None:
        threads = CPU_THREADS if device.type == "cpu" else torch.get_num_threads()
    threads = positive_int(threads, "threads")
    start = time.perf_counter()
    runs, skipped = [], []
    with cpu_threads(threads):
        for seed in seeds:
            for name in names:
                if max_wall_s is not None and time.perf_counter() - start > max_wall_s:
                    skipped.append({"variant": name, "seed": seed, "why": f"max_wall_s={max_wall_s} exceeded"})
                    continue
                result = train_run(preset.model_config(vocab, name), preset.train, corpus, seed, device=device,
                                   progress=progress)
                runs.append(result.as_dict())
    wall = time.perf_counter() - start
    model = preset.model_config(vocab).as_dict()
    del model["variant"], model["d_ff"]
    return {
        "schema": SCHEMA_ID,
        "provenance": provenance(device, command, threads),
        "config": {"preset": preset.name, "model": model, "train": preset.train.as_dict(), "variants": names,
                   "seeds": seeds, "tokens_per_run": preset.tokens_per_run(), "budget_s": budget_s,
                   "estimate_s": estimate, "max_wall_s": max_wall_s},
        "data": {**corpus.describe(), "unigram_loss": unigram_loss(corpus.train, corpus.val, vocab)},
        "params": param_table(preset.model_config(vocab), names),
        "runs": runs,
        "skipped": skipped,
        "wall_s": wall,
    }

