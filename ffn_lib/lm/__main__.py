"""python -m ffn_lib.lm [--gpu] [--preset cpu|gpu|demo] [--out DIR] [--budget-s S] [--seeds N] [--variants A,B] [--steps N]

Trains chapter 8's language model with every FFN variant of the preset and several seeds, then
writes ``lm_results.json`` (validated against the schema), ``lm_results.md`` (the table and every
finding: the matched and family contrasts with Student's t intervals, Welch's t for every pair with
Holm's correction) and ``lm_curves.png`` into ``--out``. On a CUDA machine, record the GPU run with

    python -m ffn_lib.lm --gpu --out results/lm-<gpu>-<date>

and commit the folder: chapter 8 reads it from ``results/``. ``--preset demo`` is the short run the
book executes while it is built (GELU and GEGLU, three seeds, on a CPU).
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # before torch is imported: the budget counts the whole process

import argparse  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

DEFAULT_GPU_BUDGET_S = 150.0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ffn_lib.lm", description=(
        "Train a small character-level language model with each of Shazeer's eight FFN variants "
        "(parameter-matched) and several seeds; record held-out losses, learning curves, throughput and "
        "memory with provenance."))
    p.add_argument("--gpu", action="store_true", help="the GPU-sized experiment (needs CUDA; bfloat16 autocast)")
    p.add_argument("--preset", choices=("cpu", "gpu", "demo"), default=None,
                   help="the sizes, steps, variants and seeds (default: gpu with --gpu, else cpu; demo: the book's "
                        "short run, GELU and GEGLU)")
    p.add_argument("--out", type=Path, default=Path("lm-out"), help="output folder (default: lm-out)")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: cuda with --gpu, else cpu)")
    p.add_argument("--seeds", type=int, default=None, help="number of seeds, 0..N-1 (default: the preset's)")
    p.add_argument("--variants", default=None, help="comma-separated variant names (default: the preset's; all eight "
                                                    "but for demo)")
    p.add_argument("--steps", type=int, default=None, help="training steps per run (default: the preset's)")
    p.add_argument("--budget-s", type=float, default=None,
                   help=f"whole-process time budget in seconds (default {DEFAULT_GPU_BUDGET_S:g} with --gpu): "
                        "the step count is scaled down before the run if the estimate exceeds it, and no new run "
                        "starts once it is spent")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile each run's model (off by default: every run pays its own compile time, "
                        "and the budget stops new runs once it is spent)")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads (default: 1 on a CPU, for results that do not depend on the core count; "
                        "torch's default with CUDA)")
    p.add_argument("--quiet", action="store_true", help="no per-run progress lines")
    p.add_argument("--report", type=Path, default=None, metavar="LM_RESULTS_JSON",
                   help="train nothing: rewrite the lm_results.md beside a recorded lm_results.json with this code's "
                        "statistics and wording (the JSON is read, never changed)")
    return p


def _report(path: Path, parser: argparse.ArgumentParser) -> int:
    """Rewrite ``lm_results.md`` beside ``path`` from the recorded numbers, with the current statistics."""
    import json

    from . import results

    try:
        doc = results.validate(json.loads(path.read_text()), str(path))
    except (OSError, ValueError) as err:
        parser.error(f"--report {path}: {err}")
    out = path.with_name("lm_results.md")
    out.write_text(results.markdown_report(doc))
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.report is not None:
        return _report(args.report, parser)

    import torch

    from . import experiment, results
    from .data import load_corpus

    device_name = args.device or ("cuda" if args.gpu else "cpu")
    try:
        device = torch.device(device_name)
    except (RuntimeError, TypeError):
        parser.error(f"--device {device_name!r} is not a device name (try cpu, cuda, cuda:1).")
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--gpu/--device cuda needs a CUDA device, and none is available here; "
                     "run without --gpu for the CPU-sized experiment.")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        probe = args.out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        parser.error(f"--out {str(args.out)!r} is not a writable folder ({err.strerror or err}).")

    preset = experiment.PRESETS[args.preset or ("gpu" if args.gpu else "cpu")]
    if args.steps is not None:
        if args.steps < 2:
            parser.error("--steps must be at least 2.")
        t = preset.train
        preset = replace(preset, train=replace(t, steps=args.steps, warmup_steps=min(t.warmup_steps, args.steps // 10),
                                               eval_every=min(t.eval_every, args.steps)))
    if args.compile:
        preset = replace(preset, train=replace(preset.train, compile=True))
    if args.seeds is not None and args.seeds < 1:
        parser.error("--seeds must be at least 1.")
    seeds = list(range(args.seeds)) if args.seeds is not None else None
    variants = [v.strip() for v in args.variants.split(",")] if args.variants else None
    budget = args.budget_s if args.budget_s is not None else (DEFAULT_GPU_BUDGET_S if args.gpu else None)
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1.")
    threads = args.threads if args.threads is not None else (
        experiment.CPU_THREADS if device.type == "cpu" else torch.get_num_threads())

    corpus = load_corpus()
    n_runs = len(variants or preset.variants) * len(seeds or preset.seeds)
    try:
        if budget is not None:
            preset = experiment.fit_budget(preset, corpus.tokenizer.vocab_size, n_runs, device.type, budget)
    except ValueError as err:
        parser.error(str(err))
    estimate = experiment.estimate_seconds(preset, corpus.tokenizer.vocab_size, n_runs, device.type)
    print(f"{n_runs} runs of {preset.train.steps} steps on {device}; estimated {estimate:.0f} s"
          + (f" (budget {budget:g} s)" if budget else ""), flush=True)

    def progress(line: str) -> None:
        if not args.quiet and "step " + str(preset.train.steps) + "," in line:
            print(line, flush=True)

    command = " ".join(shlex.quote(a) for a in ["python", "-m", "ffn_lib.lm", *argv])
    max_wall = None if budget is None else max(1.0, budget - (time.perf_counter() - _T0))
    try:
        doc = experiment.run_experiment(preset, variants=variants, seeds=seeds, device=device, corpus=corpus,
                                        threads=threads, command=command, budget_s=None, max_wall_s=max_wall,
                                        progress=progress)
    except ValueError as err:
        parser.error(str(err))
    doc["config"]["budget_s"] = budget
    paths = results.write_outputs(doc, args.out)
    for line in results.sentences(doc):
        print("-", line)
    for path in paths.values():
        print(f"wrote {path}")
    print(f"total {time.perf_counter() - _T0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
