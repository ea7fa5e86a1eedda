"""The benchmark suite behind ``python -m ffn_lib.bench``.

Five groups of measurements, each a list of :class:`Case` s:

* ``activation``: each activation alone, PyTorch's own kernel (reads h, writes act(h));
* ``act_mul``: each gated act(g) * u (sigmoid, identity, relu, gelu, gelu_tanh, silu,
  swish with beta 1.5): eager, ``torch.compile`` (compiled fresh for each gate) on two
  tensors (``compile``) and on the halves of one ``[gate | up]`` tensor (``compile_cat``),
  the fused Triton kernels through the public ``act_mul`` and ``act_mul_cat`` (``fused``,
  ``fused_cat``: each is compared with the compile of the same layout), and
  Liger-Kernel's SwiGLU / GEGLU when it is installed; forward, backward and
  forward+backward;
* ``host``: the host time to issue one gated step on small tensors, eager against fused,
  beside ``floor``: a Python ``autograd.Function`` that allocates its outputs and launches
  nothing, the least any op written in Python costs;
* ``block``: every Shazeer variant as a whole block at parameter-matched sizes, and
  the Llama-3-8B SwiGLU block, forward and one training step (gradients of the input
  and of every parameter), with the step's peak memory;
* ``gemm``: the matrix products of the SwiGLU block alone (the roof a block can reach).

Every figure is stored with its unit and raw samples, next to the copy bandwidth
and matrix-product rate measured in the same process, with the provenance of the
run and self-checks (:func:`ffn_lib.bench.report.self_checks`).

Timing method: :func:`ffn_lib.timing.benchmark` (calls queued back to back between
CUDA events, the L2 cache flushed before each call, as ``triton.testing.do_bench``).

Where the parts live: :mod:`~ffn_lib.bench.cases` (the :class:`Config` and the
cases of each group), :mod:`~ffn_lib.bench.impls` (what is timed: the
implementations, the passes, the training step), :mod:`~ffn_lib.bench.compiled`
(``torch.compile`` fresh and strict), :mod:`~ffn_lib.bench.provenance` (where and
how the run was made); this module runs the cases and writes the document.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

import torch

from ..timing import BenchResult, benchmark, cache_bytes, default_copy_bytes, measure_copy, measure_matmul
from .cases import (  # noqa: F401 (re-exported: the suite's names)
    ACTIVATIONS_ALONE,
    GATED_ACTIVATIONS,
    GROUPS,
    PASS_TENSORS,
    PASSES,
    Case,
    Config,
    build_cases,
)
from .compiled import CompileFallbackError, FreshCompiled  # noqa: F401 (re-exported)
from .impls import SWISH_BETA, TrainingStep, _pass_runner, block_forward, training_step  # noqa: F401
from .provenance import provenance, read_clocks  # noqa: F401 (re-exported)

SCHEMA_VERSION = 2
MAX_SAMPLES = 300  # per case: enough for quartiles, small enough to keep every raw sample in the JSON


# --- Running and recording -------------------------------------------------------------------------


def _peak_memory(device: torch.device, run: Callable[[], Any]) -> int | None:
    """Peak bytes allocated during one call of ``run``, above what was allocated before it."""
    if device.type != "cuda":
        return None
    if hasattr(run, "zero_grad"):  # the last timed step's gradients are not part of the next step's peak
        run.zero_grad()
    torch.cuda.synchronize(device)
    base = torch.cuda.memory_allocated(device)
    torch.cuda.reset_peak_memory_stats(device)
    result = run()
    torch.cuda.synchronize(device)
    del result
    return torch.cuda.max_memory_allocated(device) - base


def _quantity(value: float | None, unit: str) -> dict[str, Any] | None:
    return None if value is None else {"value": float(value), "unit": unit}


def _round(x: float) -> float:
    return float(f"{x:.5g}")


def record(case: Case, result: BenchResult, peak_memory: int | None) -> dict[str, Any]:
    q1, q3 = result.quartiles_s
    return {
        "group": case.group,
        "op": case.op,
        "impl": case.impl,
        "pass": case.pass_,
        "params": case.params,
        "shapes": case.shapes,
        "dtype": result.dtype,
        "reps": result.reps,
        "time": {"median": result.median_s, "q1": q1, "q3": q3, "unit": "s"},
        "samples": [_round(t) for t in result.times_s],
        "calls_per_sample": result.calls_per_sample,
        "cache_flushed": result.cache_flushed,
        "host_time": _quantity(result.host_time_s, "s"),
        "latency": _quantity(result.latency_s, "s"),
        "bytes": _quantity(case.nbytes, "B"),
        "flops": _quantity(case.flops, "FLOP"),
        "bandwidth": _quantity(result.bandwidth, "B/s"),
        "copy_share": _quantity(result.copy_share, "fraction of copy bandwidth"),
        "flop_rate": _quantity(result.flop_rate, "FLOP/s"),
        "peak_memory": _quantity(peak_memory, "B"),
    }


def run_suite(device: torch.device, config: Config, argv: list[str], progress: bool = True,
              log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measure every case; return the JSON-ready document (self-checks included).

    ``log``: called with one line per case (what, how long it took, its median), e.g. ``print``."""
    from tqdm.auto import tqdm

    from .report import self_checks

    started = time.perf_counter()
    skipped: list[dict[str, str]] = []
    prov = provenance(device, argv)
    copy = measure_copy(device)
    matmul = measure_matmul(device, getattr(torch, config.dtype), n=config.square)
    cases = build_cases(config, device, skipped)
    if log:
        log(f"references: copy {copy.bandwidth / 1e9:.1f} GB/s, matmul {matmul.flop_rate / 1e12:.2f} TFLOP/s "
            f"({time.perf_counter() - started:.1f} s); {len(cases)} cases")
    results = [_measure(case, device, config, copy.bandwidth, log)
               for case in tqdm(cases, desc="ffn_lib.bench", disable=not progress, file=sys.stderr)]
    prov["clocks"]["end"] = read_clocks(device)
    doc = _document(prov, config, device, copy, matmul, results, skipped)
    doc["wall_time"] = _quantity(time.perf_counter() - started, "s")
    doc["checks"] = self_checks(doc)
    return doc


def _measure(case: Case, device: torch.device, config: Config, copy_bandwidth: float,
             log: Callable[[str], None] | None) -> dict[str, Any]:
    """Build one case's callable, time it, take its peak memory and run its check; its row of the document."""
    case_start = time.perf_counter()
    run = case.build()
    result = benchmark(run, label=f"{case.op} {case.impl} {case.pass_}", device=device,
                       min_time=case.min_time or config.min_time, warmup_time=config.warmup_time,
                       max_reps=MAX_SAMPLES, nbytes=case.nbytes, flops=case.flops, copy_bandwidth=copy_bandwidth)
    result.dtype = config.dtype
    peak = _peak_memory(device, run) if case.track_memory else None
    if case.after is not None:
        case.after()
    if hasattr(run, "zero_grad"):
        run.zero_grad()  # free this block's gradients before the next case
    del run
    if log:
        share = f", {result.copy_share:.0%} of copy" if result.copy_share is not None else ""
        rate = f", {result.flop_rate / 1e12:.1f} TFLOP/s" if result.flop_rate is not None else ""
        log(f"{case.group} {case.op} {case.impl} {case.pass_}: {time.perf_counter() - case_start:.1f} s, "
            f"median {result.median_s * 1e3:.3f} ms{share}{rate}")
    return record(case, result, peak)


def _document(prov: dict[str, Any], config: Config, device: torch.device, copy: BenchResult, matmul: BenchResult,
              results: list[dict[str, Any]], skipped: list[dict[str, str]]) -> dict[str, Any]:
    """The run's JSON document, its keys in the schema's order (wall time and checks are added after)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "provenance": prov,
        "config": {"tokens": config.tokens, "d_model": config.d_model, "d_ff_act": config.d_ff_act,
                   "d_ff_plain": config.d_ff_plain, "d_ff_gated": config.d_ff_gated,
                   "d_ff_swiglu": config.d_ff_swiglu, "square": config.square, "host_tokens": config.host_tokens,
                   "dtype": config.dtype, "quick": config.quick, "min_time_s": config.min_time,
                   "groups": list(config.groups), "swish_beta": SWISH_BETA},
        "reference": {"copy_bandwidth": _quantity(copy.bandwidth, "B/s"),
                      "copy_working_set": _quantity(default_copy_bytes(device), "B"),
                      "copy_samples": [_round(t) for t in copy.times_s],
                      "matmul_rate": _quantity(matmul.flop_rate, "FLOP/s"),
                      "matmul_shape": [config.square] * 3,
                      "matmul_samples": [_round(t) for t in matmul.times_s],
                      "cache_bytes": _quantity(cache_bytes(device), "B")},
        "results": results,
        "skipped": skipped,
    }


def dumps(doc: dict[str, Any]) -> str:
    """JSON with one key per line, but each list of numbers (the raw samples, shapes) on one line."""
    text = json.dumps(doc, indent=1)
    return re.sub(r"\[\s*((?:-?[\d.eE+-]+,\s*)*-?[\d.eE+-]+)\s*\]",
                  lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text) + "\n"


def write_outputs(doc: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write results.json, results.md and results.png into ``out``."""
    import matplotlib.pyplot as plt

    from .report import markdown_table, plot_run

    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "md": out / "results.md", "png": out / "results.png"}
    paths["json"].write_text(dumps(doc))
    paths["md"].write_text(markdown_table(doc))
    fig = plot_run(doc)
    fig.savefig(paths["png"], metadata={"Software": None})
    plt.close(fig)
    return paths


__all__ = ["Case", "CompileFallbackError", "Config", "FreshCompiled", "GROUPS", "TrainingStep", "build_cases",
           "provenance", "read_clocks", "record", "run_suite", "training_step", "write_outputs"]
