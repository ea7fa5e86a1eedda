"""The benchmark suite behind ``python -m ffn_lib.bench``.

Three groups of measurements, each a list of :class:`Case` s:

* ``activation``: each activation alone, PyTorch's own kernel (reads h, writes act(h));
* ``act_mul``: each gated act(g) * u, eager / ``torch.compile`` / fused Triton kernel,
  forward, backward and forward+backward;
* ``block``: whole FFN blocks of every Shazeer variant at parameter-matched sizes.

Every figure is stored with its unit, next to the copy bandwidth and matrix-product
rate measured in the same process, and with the provenance of the run.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from .. import sizing
from ..activations import get_activation
from ..timing import BenchResult, benchmark, device_name, measure_copy_bandwidth, measure_matmul_rate
from ..variants import VARIANTS

SCHEMA_VERSION = 1
ACTIVATIONS_ALONE = ("relu", "gelu", "gelu_tanh", "silu", "sigmoid")
GATED_ACTIVATIONS = ("sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu")
PASSES = ("forward", "backward", "forward+backward")


@dataclass(frozen=True)
class Config:
    tokens: int
    d_model: int
    d_ff_act: int  # width of the elementwise ops (a Llama-3-8B FFN: 14336)
    d_ff_plain: int
    d_ff_gated: int
    dtype: str
    quick: bool
    min_time: float

    @classmethod
    def default(cls, device: torch.device, quick: bool, dtype: str | None = None) -> "Config":
        if quick:
            d_model = 256
            return cls(tokens=256, d_model=d_model, d_ff_act=1024, d_ff_plain=4 * d_model,
                       d_ff_gated=sizing.matched_d_ff(d_model, gated=True, multiple_of=32),
                       dtype=dtype or "float32", quick=True, min_time=0.05)
        d_model = 4096
        return cls(tokens=8192, d_model=d_model, d_ff_act=14336, d_ff_plain=4 * d_model,
                   d_ff_gated=sizing.matched_d_ff(d_model, gated=True, multiple_of=256),
                   dtype=dtype or ("bfloat16" if device.type == "cuda" else "float32"), quick=False,
                   min_time=0.2)


@dataclass(frozen=True)
class Case:
    group: str
    op: str
    impl: str
    pass_: str
    run: Callable[[], Callable[[], Any]]  # builds the zero-argument callable to time
    nbytes: float | None
    flops: float | None
    shapes: list[list[int]]
    track_memory: bool = False


# --- Implementations of the gated step -----------------------------------------------------------


def _act_mul_impls(device: torch.device, quick: bool, skipped: list[dict[str, str]]) -> dict[str, Callable]:
    from .. import kernels

    def eager(name: str) -> Callable:
        act = get_activation(name)
        return lambda g, u: act.torch(g) * u

    impls: dict[str, Callable[[str], Callable]] = {"eager": eager}
    if quick:
        skipped.append({"what": "torch.compile", "why": "--quick skips compilation (minutes on a CPU)"})
    else:
        impls["compile"] = lambda name: torch.compile(eager(name), dynamic=False)
    if kernels.can_run(torch.empty(0, device=device)) and not kernels.INTERPRETED:
        impls["fused"] = lambda name: (lambda g, u: kernels.act_mul(g, u, name))
    else:
        skipped.append({"what": "fused Triton kernels", "why": kernels.backend() if device.type == "cuda"
                        else f"the compiled kernels need a CUDA GPU; this run is on {device.type}"})
    return impls


def _pass_runner(fn: Callable, inputs: list[torch.Tensor], pass_: str) -> Callable[[], Any]:
    """A zero-argument callable doing one forward, backward, or forward+backward."""
    if pass_ == "forward":
        def run():
            with torch.no_grad():
                return fn(*inputs)
        return run
    out = fn(*inputs)
    dy = torch.randn_like(out)
    if pass_ == "backward":
        return lambda: torch.autograd.grad(out, inputs, dy, retain_graph=True)
    return lambda: torch.autograd.grad(fn(*inputs), inputs, dy)


def build_cases(config: Config, device: torch.device, skipped: list[dict[str, str]]) -> list[Case]:
    dtype = getattr(torch, config.dtype)
    gen = torch.Generator(device="cpu").manual_seed(0)
    n, f = config.tokens, config.d_ff_act

    def rand(*shape: int, grad: bool = False) -> torch.Tensor:
        return torch.randn(*shape, generator=gen).to(device=device, dtype=dtype).requires_grad_(grad)

    cases: list[Case] = []
    h = rand(n, f)
    for name in ACTIVATIONS_ALONE:
        act = get_activation(name)
        cases.append(Case("activation", name, "eager", "forward", lambda a=act: (lambda: a.torch(h)),
                          sizing.activation_bytes(n, f, dtype, gated=False), None, [[n, f]]))

    g, u = rand(n, f, grad=True), rand(n, f, grad=True)
    impls = _act_mul_impls(device, config.quick, skipped)
    for name in GATED_ACTIVATIONS:
        for impl, make in impls.items():
            fn = make(name)
            for pass_ in PASSES:
                tensors = {"forward": 3, "backward": 5, "forward+backward": 8}[pass_]
                cases.append(Case("act_mul", name, impl, pass_, _lazy(fn, [g, u], pass_),
                                  tensors * n * f * sizing.dtype_bytes(dtype), None, [[n, f], [n, f]]))

    x = rand(n, config.d_model, grad=True)
    for variant in VARIANTS.values():
        d_ff = config.d_ff_gated if variant.gated else config.d_ff_plain
        fused_options = (False, True) if variant.gated and "fused" in impls else (False,)
        for fused in fused_options:
            kwargs = {"fused": True} if fused else {}
            torch.manual_seed(0)
            block = variant.build(config.d_model, d_ff, **kwargs).to(device=device, dtype=dtype)
            for pass_ in ("forward", "forward+backward"):
                fl = sizing.forward_flops(n, config.d_model, d_ff, gated=variant.gated)
                if pass_ != "forward":
                    fl += sizing.backward_flops(n, config.d_model, d_ff, gated=variant.gated)
                cases.append(Case("block", variant.name, "fused" if fused else "eager", pass_,
                                  _lazy(lambda t, b=block: b(t), [x], pass_), None, fl,
                                  [[n, config.d_model]], track_memory=pass_ != "forward"))
    return cases


def _lazy(fn: Callable, inputs: list[torch.Tensor], pass_: str) -> Callable[[], Callable[[], Any]]:
    """Defer building the runner (and its first forward) until the case is measured."""
    return lambda: _pass_runner(fn, inputs, pass_)


# --- Running and recording -------------------------------------------------------------------------


def _peak_memory(device: torch.device, run: Callable[[], Any]) -> int | None:
    if device.type != "cuda":
        return None
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    run()
    torch.cuda.synchronize(device)
    return torch.cuda.max_memory_allocated(device) - base


def _quantity(value: float | None, unit: str) -> dict[str, Any] | None:
    return None if value is None else {"value": float(value), "unit": unit}


def record(case: Case, result: BenchResult, peak_memory: int | None) -> dict[str, Any]:
    q1, q3 = result.quartiles_s
    return {
        "group": case.group,
        "op": case.op,
        "impl": case.impl,
        "pass": case.pass_,
        "shapes": case.shapes,
        "dtype": result.dtype,
        "reps": result.reps,
        "time": {"median": result.median_s, "q1": q1, "q3": q3, "unit": "s"},
        "bytes": _quantity(case.nbytes, "B"),
        "flops": _quantity(case.flops, "FLOP"),
        "bandwidth": _quantity(result.bandwidth, "B/s"),
        "copy_share": _quantity(result.copy_share, "fraction of copy bandwidth"),
        "flop_rate": _quantity(result.flop_rate, "FLOP/s"),
        "peak_memory": _quantity(peak_memory, "B"),
    }


def provenance(device: torch.device, argv: list[str]) -> dict[str, Any]:
    try:
        import triton

        triton_version = triton.__version__
    except ImportError:
        triton_version = None
    driver = None
    if device.type == "cuda":
        try:
            driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                    capture_output=True, text=True, timeout=20).stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            driver = None
    return {
        "command": " ".join(shlex.quote(a) for a in ["python", "-m", "ffn_lib.bench", *argv]),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "device": {"type": device.type, "name": device_name(device),
                   "capability": ".".join(map(str, torch.cuda.get_device_capability(device)))
                   if device.type == "cuda" else None},
        "driver": driver,
        "cuda": torch.version.cuda if device.type == "cuda" else None,
        "torch": torch.__version__,
        "triton": triton_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_suite(device: torch.device, config: Config, argv: list[str], progress: bool = True) -> dict[str, Any]:
    """Measure every case; return the JSON-ready document."""
    from tqdm.auto import tqdm

    skipped: list[dict[str, str]] = []
    copy_bw = measure_copy_bandwidth(device)
    matmul_dtype = getattr(torch, config.dtype)
    matmul_rate = measure_matmul_rate(device, matmul_dtype, n=1024 if config.quick else 8192)
    cases = build_cases(config, device, skipped)
    results = []
    for case in tqdm(cases, desc="ffn_lib.bench", disable=not progress, file=sys.stderr):
        run = case.run()
        result = benchmark(run, label=f"{case.op} {case.impl} {case.pass_}", device=device,
                           min_time=config.min_time, nbytes=case.nbytes, flops=case.flops, copy_bandwidth=copy_bw)
        result.dtype = config.dtype
        peak = _peak_memory(device, run) if case.track_memory else None
        results.append(record(case, result, peak))
    return {
        "schema_version": SCHEMA_VERSION,
        "provenance": provenance(device, argv),
        "config": {"tokens": config.tokens, "d_model": config.d_model, "d_ff_act": config.d_ff_act,
                   "d_ff_plain": config.d_ff_plain, "d_ff_gated": config.d_ff_gated, "dtype": config.dtype,
                   "quick": config.quick, "min_time_s": config.min_time},
        "reference": {"copy_bandwidth": _quantity(copy_bw, "B/s"),
                      "matmul_rate": _quantity(matmul_rate, "FLOP/s")},
        "results": results,
        "skipped": skipped,
    }


def write_outputs(doc: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write results.json, results.md and results.png into ``out``."""
    from .report import markdown_table, plot_run

    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "md": out / "results.md", "png": out / "results.png"}
    paths["json"].write_text(json.dumps(doc, indent=1) + "\n")
    paths["md"].write_text(markdown_table(doc))
    fig = plot_run(doc)
    fig.savefig(paths["png"], metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return paths
