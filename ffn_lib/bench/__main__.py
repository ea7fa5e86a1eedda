"""python -m ffn_lib.bench [--quick] [--out DIR] [--device DEV] [--dtype DTYPE]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..timing import pick_device
from .suite import Config, run_suite, write_outputs


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m ffn_lib.bench", description=(
        "Time every activation, gated act(g) * u (eager, torch.compile, fused Triton) and FFN block; "
        "write results.json, results.md and results.png."))
    parser.add_argument("--quick", action="store_true", help="small sizes that finish in seconds on a CPU")
    parser.add_argument("--out", type=Path, default=Path("bench-out"), help="folder for the outputs (default: bench-out)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1, mps (default: the best available)")
    parser.add_argument("--dtype", default=None, choices=["float16", "bfloat16", "float32"],
                        help="default: bfloat16 on CUDA, float32 elsewhere")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        device = pick_device(args.device)
    except ValueError as err:
        parser.error(str(err))
    config = Config.default(device, args.quick, args.dtype)
    doc = run_suite(device, config, argv, progress=not args.no_progress)
    paths = write_outputs(doc, args.out)
    for kind, path in paths.items():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
