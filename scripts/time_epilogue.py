"""Time chapter 7's next step: act·mul fused into the gate/up matrix product's epilogue, against cuBLAS.

    python scripts/time_epilogue.py --out results/<gpu>-<date>/epilogue.json

At a prefill size (8192 tokens) and a decode size (16 tokens) of a Llama-3-8B FFN (d_model 4096, d_ff 14336,
bfloat16), three forwards of SwiGLU(x) = SiLU(x W) * (x V) are timed interleaved with
``ffn_lib.timing.compare`` (calls queued back to back, the copy reference measured in the same rounds):

* ``cuBLAS + eager``: one GEMM against the stacked [W | V] weight, then ``act_mul_eager`` on its halves;
* ``cuBLAS + fused``: the same GEMM, then the course's fused ``kernels.act_mul_cat``;
* ``epilogue``: ``kernels.epilogue.matmul_swiglu``, the teaching kernel, over the interleaved weight (x W and
  x V never reach memory).

The epilogue kernel is short and untuned (chapter 7 reads it): the record shows how far such a kernel is from
cuBLAS, whichever way it falls, and the bound the chapter computes says what a tuned one could at most gain.
Each row keeps its median, quartiles and FLOP rate, with the run's provenance. On a machine without a GPU it
runs in Triton's CPU interpreter (``TRITON_INTERPRET=1``) at toy sizes, which checks the script, not the speed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ffn_lib import kernels, sizing  # noqa: E402
from ffn_lib.activations import act_mul_eager  # noqa: E402
from ffn_lib.bench.provenance import write_script_record  # noqa: E402
from ffn_lib.kernels import epilogue  # noqa: E402
from ffn_lib.timing import compare  # noqa: E402

VARIANTS = ("cuBLAS + eager", "cuBLAS + fused", "epilogue")


def variants(tokens: int, d_model: int, d_ff: int, dtype: torch.dtype, device: torch.device, blocks: tuple[int, int, int]):
    """The three forwards on one seeded input, checked against each other before anything is timed."""
    gen = torch.Generator(device=device).manual_seed(0)
    x = (torch.randn(tokens, d_model, generator=gen, device=device) / d_model ** 0.5).to(dtype)
    w_gate, w_up = (torch.randn(d_model, d_ff, generator=gen, device=device).to(dtype) for _ in range(2))
    stacked = torch.cat([w_gate, w_up], dim=1)
    block_m, block_n, block_k = blocks
    interleaved = epilogue.interleave(w_gate, w_up, block_n)

    def halves(h):
        return h[:, :d_ff], h[:, d_ff:]

    fns = {"cuBLAS + eager": lambda: act_mul_eager(*halves(x @ stacked), "silu"),
           "cuBLAS + fused": lambda: kernels.act_mul_cat(x @ stacked, "silu"),
           "epilogue": lambda: epilogue.matmul_swiglu(x, interleaved, d_ff, block_n, block_m=block_m,
                                                      block_k=block_k)}
    want = fns["cuBLAS + eager"]().float()
    scale = want.abs().max().item() or 1.0
    for name in VARIANTS[1:]:
        err = (fns[name]().float() - want).abs().max().item() / scale
        if not err < 0.05:  # bfloat16 inputs, float32 accumulation in all three
            raise RuntimeError(f"{name} differs from cuBLAS + eager by {err:.3g} of the largest output: not timed")
    return fns


def time_sizes(sizes: dict[str, int], d_model: int, d_ff: int, dtype: torch.dtype, device: torch.device,
               blocks: tuple[int, int, int], rounds: int, min_time: float) -> list[dict]:
    rows = []
    for label, tokens in sizes.items():
        fns = variants(tokens, d_model, d_ff, dtype, device, blocks)
        flops = 2 * tokens * d_model * 2 * d_ff  # the two projections; the elementwise step is noise beside them
        nbytes = sizing.dtype_bytes(dtype) * (tokens * d_model + 2 * d_model * d_ff + tokens * d_ff)  # least traffic
        cmp = compare(fns, device=device, nbytes=nbytes, flops=flops, rounds=rounds, min_time=min_time)
        for name, r in cmp.results.items():
            rows.append({"size": label, "tokens": tokens, "variant": name, "median_s": r.median_s,
                         "q1_s": r.quartiles_s[0], "q3_s": r.quartiles_s[1], "flop_rate": r.flop_rate,
                         "copy_share": r.copy_share})
        print(f"{label} ({tokens} tokens): " + "; ".join(f"{n} {cmp.results[n].median_s * 1e6:.0f} µs"
                                                        for n in VARIANTS), flush=True)
        print("  " + cmp.sentence("epilogue", "cuBLAS + fused"), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    parser.add_argument("--prefill", type=int, default=8192, help="tokens of the prefill size")
    parser.add_argument("--decode", type=int, default=16, help="tokens of the decode size")
    parser.add_argument("--d-model", type=int, default=4096)
    parser.add_argument("--d-ff", type=int, default=14336)
    parser.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    parser.add_argument("--blocks", default="64,64,32", help="the epilogue kernel's BLOCK_M,BLOCK_N,BLOCK_K")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds of samples per variant")
    args = parser.parse_args(argv)
    try:
        device = kernels.timing_device()
    except RuntimeError as err:
        parser.error(str(err))
    try:
        blocks = tuple(int(v) for v in args.blocks.split(","))
    except ValueError:
        blocks = ()
    if len(blocks) != 3 or any(b < 16 or b & (b - 1) for b in blocks):
        parser.error(f"--blocks takes three powers of two of at least 16, e.g. 64,64,32; got {args.blocks!r}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = time_sizes({"prefill": args.prefill, "decode": args.decode}, args.d_model, args.d_ff,
                      getattr(torch, args.dtype), device, blocks, args.rounds, args.min_time)
    write_script_record(args.out, device, "scripts/time_epilogue.py", sys.argv[1:] if argv is None else argv,
                        {"d_model": args.d_model, "d_ff": args.d_ff, "dtype": args.dtype, "blocks": list(blocks),
                         "rounds": args.rounds, "min_time_s": args.min_time}, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
