"""Time the fused kernels under several launch shapes (``ffn_lib.kernels.set_launch``), to choose the default.

    python scripts/tune_launch.py --out results/<gpu>-<date>/tune.json

For each gate and pass, ``act_mul_cat`` under every launch shape and ``act_mul`` under the default shape
(two tensors, the flat launch: the reference the row-by-row walk should reach) are timed interleaved with
``ffn_lib.timing.compare``, the copy reference measured in the same rounds, at the benchmark suite's size
(8192 x 14336, bfloat16). It prints each variant's share of the copy bandwidth and writes every figure,
with its quartiles and the run's provenance, as JSON. A maintainer's tool: the book does not read its output.

On a machine without a GPU it runs in Triton's CPU interpreter (``TRITON_INTERPRET=1``) at toy sizes, which
checks the script, not the speed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ffn_lib import kernels, sizing  # noqa: E402
from ffn_lib.bench.cli import act_mul_parser, parse_act_mul_args  # noqa: E402
from ffn_lib.bench.provenance import write_script_record  # noqa: E402
from ffn_lib.bench.suite import PASS_TENSORS, _pass_runner  # noqa: E402
from ffn_lib.timing import compare  # noqa: E402

FLAT = "act_mul, default shape"


def _shape(text: str) -> tuple[int, int]:
    """'2048x8' -> (2048, 8)."""
    try:
        block, warps = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a launch shape is BLOCKxWARPS, e.g. 2048x8; got {text!r}") from None
    return block, warps


def _under(shape: tuple[int, int], run: Callable[[], Any]) -> Callable[[], Any]:
    """``run`` with the launch shape set for its duration (its backward, inside it, included)."""
    def call():
        kernels.set_launch(*shape)
        try:
            return run()
        finally:
            kernels.set_launch()
    return call


def tune(gates: list[str], shapes: list[tuple[int, int]], passes: list[str], tokens: int, d_ff: int,
         dtype: torch.dtype, device: torch.device, rounds: int, min_time: float) -> list[dict[str, Any]]:
    gen = torch.Generator(device=device).manual_seed(0)
    x = torch.randn(tokens, 2 * d_ff, generator=gen, device=device).to(dtype).requires_grad_()
    g = torch.randn(tokens, d_ff, generator=gen, device=device).to(dtype).requires_grad_()
    u = torch.randn(tokens, d_ff, generator=gen, device=device).to(dtype).requires_grad_()
    for shape in shapes:
        kernels.set_launch(*shape)  # a bad shape fails here, before anything is timed
    kernels.set_launch()
    rows = []
    for gate in gates:
        for pass_ in passes:
            fns = {FLAT: _pass_runner(lambda a, b, gate=gate: kernels.act_mul(a, b, gate), [g, u], pass_)}
            shape_of = {FLAT: (None, None)}
            for shape in shapes:
                run = _pass_runner(lambda t, gate=gate: kernels.act_mul_cat(t, gate), [x], pass_)
                name = f"act_mul_cat, {shape[0]}x{shape[1]}"
                fns[name], shape_of[name] = _under(shape, run), shape
            nbytes = PASS_TENSORS[pass_] * tokens * d_ff * sizing.dtype_bytes(dtype)
            cmp = compare(fns, device=device, nbytes=nbytes, rounds=rounds, min_time=min_time)
            for name, r in cmp.results.items():
                block, num_warps = shape_of[name]
                rows.append({"gate": gate, "pass": pass_, "variant": name, "block": block, "num_warps": num_warps,
                             "median_s": r.median_s, "q1_s": r.quartiles_s[0], "q3_s": r.quartiles_s[1],
                             "copy_share": r.copy_share, "copy_bandwidth": r.copy_bandwidth})
            best = max((row for row in rows[-len(fns):]), key=lambda row: row["copy_share"])
            print(f"{gate:>10} {pass_:>16}: " + "; ".join(f"{row['variant'].replace('act_mul_cat, ', '')} "
                                                       f"{row['copy_share']:.1%}" for row in rows[-len(fns):])
                  + f"  (best: {best['variant']})", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = act_mul_parser(__doc__, passes="forward,forward+backward")
    parser.add_argument("--shapes", default="1024x4,2048x4,2048x8,4096x8", type=lambda s: [_shape(v) for v in
                                                                                           s.split(",")])
    args, device, passes = parse_act_mul_args(parser, argv)
    rows = tune(args.gates.split(","), args.shapes, passes, args.tokens, args.d_ff, getattr(torch, args.dtype),
                device, args.rounds, args.min_time)
    write_script_record(args.out, device, "scripts/tune_launch.py", sys.argv[1:] if argv is None else argv,
                        {"tokens": args.tokens, "d_ff": args.d_ff, "dtype": args.dtype, "rounds": args.rounds,
                         "min_time_s": args.min_time, "default_launch": kernels.launch_config()}, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
