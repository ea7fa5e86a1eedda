"""The command line the act(g) * u timing scripts share (``scripts/tune_launch.py``, ``scripts/time_math.py``).

Each times the fused kernel's gates and passes at the benchmark suite's size on the timing device, so they take
the same options and check them the same way; a script adds its own options to :func:`act_mul_parser`'s parser.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .cases import PASS_TENSORS


def act_mul_parser(doc: str, *, passes: str) -> argparse.ArgumentParser:
    """A parser with the shared options: --out, --gates, --passes (default ``passes``), --tokens, --d-ff, --dtype,
    --rounds, --min-time; its description is ``doc``'s first line."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    parser.add_argument("--gates", default="gelu,gelu_tanh,silu")
    parser.add_argument("--passes", default=passes)
    parser.add_argument("--tokens", type=int, default=8192)
    parser.add_argument("--d-ff", type=int, default=14336)
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--min-time", type=float, default=0.6, help="seconds of samples per variant")
    return parser


def parse_act_mul_args(parser: argparse.ArgumentParser,
                       argv: list[str] | None) -> tuple[argparse.Namespace, torch.device, list[str]]:
    """``(args, device, passes)``: the parsed options, the timing device (:func:`ffn_lib.kernels.timing_device`)
    and the passes as a list; an unknown pass or a machine without a device to time on is a usage error that
    names it. The output's folder is created."""
    from .. import kernels

    args = parser.parse_args(argv)
    try:
        device = kernels.timing_device()
    except RuntimeError as err:
        parser.error(str(err))
    passes = args.passes.split(",")
    unknown = [p for p in passes if p not in PASS_TENSORS]
    if unknown:
        parser.error(f"unknown pass(es) {unknown}; the passes are {', '.join(PASS_TENSORS)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    return args, device, passes
