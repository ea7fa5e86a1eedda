"""python -m ffn_lib.bench [--quick] [--out DIR] [--only GROUP[,GROUP]] [--device DEV] [--dtype DTYPE]"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..timing import pick_device
from .report import validate_written
from .suite import GROUPS, Config, run_suite, write_outputs


def out_problem(out: Path) -> str | None:
    """Why the outputs could not be written into ``out`` (checked before a run of minutes), or None."""
    if out.exists():
        if not out.is_dir():
            return f"--out {out} exists and is not a folder."
        if not os.access(out, os.W_OK | os.X_OK):
            return f"--out {out} is a folder this user cannot write to."
        for name in ("results.json", "results.md", "results.png"):
            if (out / name).is_dir():
                return f"--out {out}: {out / name} is a folder; the run writes a file there."
        return None
    parent = out.parent
    while not parent.exists():  # the nearest folder that exists must be writable, to create the rest
        parent = parent.parent
    if not parent.is_dir():
        return f"--out {out}: {parent} is not a folder."
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--out {out} cannot be created: {parent} is not writable by this user."
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m ffn_lib.bench", description=(
        "Time every activation, gated act(g) * u (eager, torch.compile, fused Triton, Liger-Kernel), the host "
        "time per call, every FFN block as a training step and the block's matrix products; write "
        "results.json, results.md and results.png."))
    parser.add_argument("--quick", action="store_true", help="small sizes that finish in seconds on a CPU")
    parser.add_argument("--out", type=Path, default=Path("bench-out"), help="folder for the outputs (default: bench-out)")
    parser.add_argument("--only", default=None, metavar="GROUP[,GROUP]",
                        help=f"run only these groups: {', '.join(GROUPS)} (default: all)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1, mps (default: the best available)")
    parser.add_argument("--dtype", default=None, choices=["float16", "bfloat16", "float32"],
                        help="default: bfloat16 on CUDA, float32 elsewhere")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--log", action="store_true", help="one line per case on stderr: time taken and result")
    args = parser.parse_args(argv)
    problem = out_problem(args.out)
    if problem:
        parser.error(problem)
    groups = tuple(g.strip() for g in args.only.split(",") if g.strip()) if args.only else None
    if args.only is not None and not groups:
        parser.error(f"--only needs at least one group: {', '.join(GROUPS)}.")
    try:
        device = pick_device(args.device)
        config = Config.default(device, args.quick, args.dtype, groups)
    except ValueError as err:
        parser.error(str(err))
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.log else None
    doc = run_suite(device, config, argv, progress=not args.no_progress, log=log)
    paths = write_outputs(doc, args.out)
    for path in paths.values():
        print(f"wrote {path}")
    try:  # validated once its numbers are on disk, so that a schema problem cannot lose a finished run
        print(validate_written(doc, str(paths["json"])))
    except ValueError as err:
        print(f"results INVALID: {err}", file=sys.stderr)
        return 1
    checks = doc["checks"]
    if not checks["passed"]:
        print("self-checks FAILED:\n  " + "\n  ".join(checks["failures"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
