"""Time the two arithmetic choices of ``ffn_lib.kernels.set_math`` and count each compiled kernel's instructions.

    python scripts/time_math.py --out results/<gpu>-<date>/math.json

Chapter 2 asks why eager GELU-erf is slow, and names two measurements that would settle it: the fused kernel's
GELU with each erf (Abramowitz & Stegun 7.1.26, or CUDA's ``erff`` from libdevice) crossed with each reciprocal
(a division, or the approximate ``rcp`` instruction), and the instructions each variant compiles to. This script
takes both. For each gate and pass, every variant and the copy reference are timed interleaved with
``ffn_lib.timing.compare`` at the benchmark suite's size (8192 x 14336, bfloat16); the erf matters only for
``gelu``, so the other gates get the reciprocal's two variants. Then each variant's compiled forward and backward
kernels are read back (Triton's ``CompiledKernel.asm``) and their PTX and, where Triton can disassemble it, SASS
instructions counted by opcode (:func:`count_ptx`, :func:`count_sass`): a static count for the whole program,
with the elements each thread handles (``elements_per_thread``) to divide by.

On a machine without a GPU it runs in Triton's CPU interpreter at toy sizes, which checks the script, not the
speed: there the reciprocal is always a division (``fast_rcp_effective`` false) and no kernel is compiled
(instruction counts null).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ffn_lib import kernels, sizing  # noqa: E402
from ffn_lib.bench.cases import PASS_TENSORS  # noqa: E402
from ffn_lib.bench.impls import _pass_runner  # noqa: E402
from ffn_lib.bench.cli import act_mul_parser, parse_act_mul_args  # noqa: E402
from ffn_lib.bench.provenance import write_script_record  # noqa: E402
from ffn_lib.timing import compare  # noqa: E402

ERF_GATES = {"gelu"}  # the gates whose kernel evaluates erf


def variants(gate: str) -> list[tuple[str, bool]]:
    """(erf, fast_rcp) pairs worth timing for ``gate``: the 2 x 2 for GELU-erf, the reciprocal's two otherwise."""
    erfs = kernels.ERF_VARIANTS if gate in ERF_GATES else kernels.ERF_VARIANTS[:1]
    return [(erf, rcp) for erf in erfs for rcp in (False, True)]


def label(erf: str, fast_rcp: bool) -> str:
    return f"erf {erf}, {'rcp.approx' if fast_rcp else 'division'}"


def _under(erf: str, fast_rcp: bool, run: Callable[[], Any]) -> Callable[[], Any]:
    """``run`` with the math set for its duration; the defaults restored after, whatever happens."""
    def call():
        kernels.set_math(erf, fast_rcp=fast_rcp)
        try:
            return run()
        finally:
            kernels.set_math()
    return call


_PTX_SKIP = re.compile(r"^(\.|//|\{|\}|\(|\)|$)")
_PTX_PREDICATE = re.compile(r"^@!?%\w+\s+")
_SASS_LINE = re.compile(r"/\*[0-9a-f]{4,}\*/\s+(?:@!?U?P[0-9T]\s+)?([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)*)")


def count_ptx(ptx: str) -> dict[str, Any]:
    """Static PTX instruction count of a kernel: ``{"total": n, "by_opcode": {"fma": ..., "rcp": ...}}``.

    An instruction is a statement ending in ``;`` that is not a directive (``.reg``, ``.param``...), a comment,
    a label or a brace; a predicate (``@%p1 bra``) is dropped and the opcode is the first dotted part
    (``fma.rn.f32`` -> ``fma``)."""
    if not isinstance(ptx, str):
        raise TypeError(f"ptx must be the PTX text (a str), got {type(ptx).__name__}")
    ops: Counter[str] = Counter()
    for line in ptx.splitlines():
        line = line.split("//")[0].strip()
        if _PTX_SKIP.match(line) or line.endswith(":") or not line.endswith(";"):
            continue
        op = _PTX_PREDICATE.sub("", line).split()[0].rstrip(";")
        ops[op.split(".")[0]] += 1
    return {"total": sum(ops.values()), "by_opcode": dict(sorted(ops.items()))}


def count_sass(sass: str) -> dict[str, Any]:
    """Static SASS instruction count: ``{"total": n, "by_opcode": {"FFMA": ..., "MUFU": ...}}`` (MUFU is the
    special-function unit: its RCP, EX2, TANH...). Lines are ``/*0070*/  [@P0] OPCODE.MODIFIERS operands ;``."""
    if not isinstance(sass, str):
        raise TypeError(f"sass must be the disassembly text (a str), got {type(sass).__name__}")
    ops: Counter[str] = Counter(m.group(1).split(".")[0] for m in map(_SASS_LINE.search, sass.splitlines()) if m)
    return {"total": sum(ops.values()), "by_opcode": dict(sorted(ops.items()))}


def _listing(compiled: Any, kind: str) -> str | None:
    try:
        text = compiled.asm[kind]
    except Exception:  # no such listing (the interpreter), or no disassembler on this machine
        return None
    return text if isinstance(text, str) else None


def instruction_counts(launcher: Any, run: Callable[[], Any]) -> dict[str, Any] | None:
    """Run ``run`` once with ``launcher``'s cache of compiled kernels emptied, and count the instructions of
    what it compiled (None in the interpreter, where nothing is compiled)."""
    if launcher is None:
        return None
    launcher.compiled.clear()
    run()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    found = list(launcher.compiled.values())
    if not found:
        return None
    ptx, sass = _listing(found[0], "ptx"), _listing(found[0], "sass")
    return {"ptx": count_ptx(ptx) if ptx else None, "sass": count_sass(sass) if sass else None}


def time_math(gates: list[str], passes: list[str], tokens: int, d_ff: int, dtype: torch.dtype,
              device: torch.device, rounds: int, min_time: float) -> list[dict[str, Any]]:
    gen = torch.Generator(device=device).manual_seed(0)
    g = torch.randn(tokens, d_ff, generator=gen, device=device).to(dtype).requires_grad_()
    u = torch.randn(tokens, d_ff, generator=gen, device=device).to(dtype).requires_grad_()
    launch = kernels.launch_config()
    per_thread = launch["block"] // (32 * launch["num_warps"])
    rows = []
    for gate in gates:
        for pass_ in passes:
            fns, math_of = {}, {}
            for erf, rcp in variants(gate):
                run = _pass_runner(lambda a, b, gate=gate: kernels.act_mul(a, b, gate), [g, u], pass_)
                fns[label(erf, rcp)], math_of[label(erf, rcp)] = _under(erf, rcp, run), (erf, rcp)
            nbytes = PASS_TENSORS[pass_] * tokens * d_ff * sizing.dtype_bytes(dtype)
            cmp = compare(fns, device=device, nbytes=nbytes, rounds=rounds, min_time=min_time)
            launcher = getattr(kernels, "_fwd_launch" if pass_ == "forward" else "_bwd_launch", None)
            for name, r in cmp.results.items():
                erf, rcp = math_of[name]
                kernels.set_math(erf, fast_rcp=rcp)
                effective = kernels._fast_rcp
                kernels.set_math()
                counts = instruction_counts(launcher, fns[name]) if pass_ in ("forward", "backward") else None
                rows.append({"gate": gate, "pass": pass_, "erf": erf, "fast_rcp": rcp, "fast_rcp_effective": effective,
                             "median_s": r.median_s, "q1_s": r.quartiles_s[0], "q3_s": r.quartiles_s[1],
                             "copy_share": r.copy_share, "copy_bandwidth": r.copy_bandwidth,
                             "elements_per_thread": per_thread, "instructions": counts})
            print(f"{gate:>10} {pass_:>16}: " + "; ".join(
                f"{label(row['erf'], row['fast_rcp'])} {row['copy_share']:.1%}" for row in rows[-len(fns):]), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = act_mul_parser(__doc__, passes="forward,backward")
    args, device, passes = parse_act_mul_args(parser, argv)
    rows = time_math(args.gates.split(","), passes, args.tokens, args.d_ff, getattr(torch, args.dtype), device,
                     args.rounds, args.min_time)
    write_script_record(args.out, device, "scripts/time_math.py", sys.argv[1:] if argv is None else argv,
                        {"tokens": args.tokens, "d_ff": args.d_ff, "dtype": args.dtype, "rounds": args.rounds,
                         "min_time_s": args.min_time, "launch": kernels.launch_config()}, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
