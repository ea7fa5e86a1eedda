"""Per-call overhead of ffn_lib.GatedFFN against the same block written by hand, as Hugging Face's LlamaMLP.

On a tiny CPU input the arithmetic costs almost nothing, so the time per call is the Python and
dispatch overhead of the module: its checks, its branches, its helper calls. Each variant runs
``--calls`` calls per sample; the samples of all variants are taken interleaved (round after round),
so that drift of the machine hits all alike, and the median over ``--rounds`` samples is reported
with the fastest sample beside it (on a loaded machine the fastest is the steadier estimate of the
overhead; the median says what a reader will typically see).

    OMP_NUM_THREADS=1 python scripts/bench_overhead.py [--calls 500] [--rounds 41]

Not a test: timings on a shared machine are noisy. The target (issue 17) is GatedFFN within about
10% of the hand-written module.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ffn_lib import GatedFFN  # noqa: E402

D_MODEL, D_FF = 8, 16


class LlamaMLP(nn.Module):
    """Hugging Face's LlamaMLP, as written in modeling_llama.py (no bias, SiLU)."""

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        self.gate_proj = nn.Linear(d_model, d_ff, bias=False)
        self.up_proj = nn.Linear(d_model, d_ff, bias=False)
        self.down_proj = nn.Linear(d_ff, d_model, bias=False)
        self.act_fn = nn.SiLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(self.act_fn(self.gate_proj(x)) * self.up_proj(x))


class SwishBetaMLP(LlamaMLP):
    """The same with Swish and a trainable beta, written by hand: x sigmoid(beta x)."""

    def __init__(self, d_model: int, d_ff: int):
        super().__init__(d_model, d_ff)
        self.beta = nn.Parameter(torch.tensor(1.0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        g = self.gate_proj(x)
        return self.down_proj(g * torch.sigmoid(self.beta * g) * self.up_proj(x))


def variants() -> dict[str, nn.Module]:
    return {
        "hand-written LlamaMLP": LlamaMLP(D_MODEL, D_FF),
        "GatedFFN": GatedFFN(D_MODEL, D_FF, "silu"),
        "GatedFFN(fused=True), falling back": GatedFFN(D_MODEL, D_FF, "silu", fused=True),
        "hand-written Swish-beta MLP": SwishBetaMLP(D_MODEL, D_FF),
        "GatedFFN(learn_beta=True)": GatedFFN(D_MODEL, D_FF, "swish", learn_beta=True),
    }


def per_call_times(modules: dict[str, nn.Module], x: torch.Tensor, calls: int, rounds: int) -> dict[str, list[float]]:
    """Seconds per call: ``rounds`` samples of ``calls`` back-to-back calls each, the variants interleaved."""
    for module in modules.values():  # warm-up
        for _ in range(calls // 4):
            module(x)
    times: dict[str, list[float]] = {name: [] for name in modules}
    names = list(modules)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            module = modules[name]
            t0 = time.perf_counter()
            for _ in range(calls):
                module(x)
            times[name].append((time.perf_counter() - t0) / calls)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="calls per sample (default 500)")
    parser.add_argument("--rounds", type=int, default=41, help="samples per variant (default 41)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    x = torch.randn(1, D_MODEL)
    modules = variants()
    fallback = modules["GatedFFN(fused=True), falling back"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); input {tuple(x.shape)}, "
          f"d_ff={D_FF}; fused kernels active on this input: {fallback.fused_active(x)}")
    times = per_call_times(modules, x, args.calls, args.rounds)
    medians = {n: statistics.median(t) for n, t in times.items()}
    fastest = {n: min(t) for n, t in times.items()}
    baselines = {"GatedFFN": "hand-written LlamaMLP", "GatedFFN(fused=True), falling back": "hand-written LlamaMLP",
                 "GatedFFN(learn_beta=True)": "hand-written Swish-beta MLP"}
    for name, median in medians.items():
        line = f"{name:36s} median {median * 1e6:6.2f} µs per call, fastest sample {fastest[name] * 1e6:6.2f} µs"
        if name in baselines:
            base = baselines[name]
            line += f"; {median / medians[base]:.2f}x / {fastest[name] / fastest[base]:.2f}x {base}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
