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
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import platform
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F

from .. import sizing
from ..activations import act_mul_eager, get_activation
from ..timing import (
    BenchResult,
    benchmark,
    cache_bytes,
    default_copy_bytes,
    device_name,
    measure_copy,
    measure_matmul,
)
from ..variants import VARIANTS

SCHEMA_VERSION = 2
GROUPS = ("activation", "act_mul", "host", "block", "gemm")
ACTIVATIONS_ALONE = ("relu", "gelu", "gelu_tanh", "silu", "sigmoid")
GATED_ACTIVATIONS = ("sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu", "swish")
SWISH_BETA = 1.5  # a beta other than 1, so the kernels' parameter path is timed too
PASSES = ("forward", "backward", "forward+backward")
# (tokens x d_ff) tensors each pass must read plus write at the least (ffn_lib.sizing.activation_tensors)
PASS_TENSORS = {"forward": 3, "backward": 5, "forward+backward": 8}
MAX_SAMPLES = 300  # per case: enough for quartiles, small enough to keep every raw sample in the JSON
LIGER = {"silu": ("liger_kernel.ops.swiglu", "LigerSiLUMulFunction"),
         "gelu_tanh": ("liger_kernel.ops.geglu", "LigerGELUMulFunction")}


@dataclass(frozen=True)
class Config:
    tokens: int
    d_model: int
    d_ff_act: int  # width of the elementwise ops (a Llama-3-8B FFN: 14336)
    d_ff_plain: int
    d_ff_gated: int
    d_ff_swiglu: int  # the issue-10 SwiGLU block (Llama-3-8B: 14336)
    square: int  # the square matrix product of the reference roof
    host_tokens: int  # small tensors, where the host's time per call shows
    dtype: str
    quick: bool
    min_time: float
    groups: tuple[str, ...] = GROUPS
    compile: bool = True
    compile_backend: str = "inductor"
    warmup_time: float = 0.1

    @classmethod
    def default(cls, device: torch.device, quick: bool, dtype: str | None = None,
                groups: tuple[str, ...] | None = None) -> "Config":
        groups = tuple(groups) if groups else GROUPS
        unknown = [g for g in groups if g not in GROUPS]
        if unknown:
            raise ValueError(f"unknown group(s) {unknown}; the groups are {', '.join(GROUPS)}.")
        if quick:
            d_model = 256
            return cls(tokens=256, d_model=d_model, d_ff_act=1024, d_ff_plain=4 * d_model,
                       d_ff_gated=sizing.matched_d_ff(d_model, gated=True, multiple_of=32), d_ff_swiglu=896,
                       square=512, host_tokens=16, dtype=dtype or "float32", quick=True, min_time=0.05,
                       groups=groups, compile=False, warmup_time=0.02)
        # d_model 4096 with Shazeer's parameter matching: plain d_ff = 4 d_model = 16384, gated 2/3 of it
        # rounded up to a multiple of 256 (Llama's rule) = 11008, so every variant does the same FLOPs
        # (the gated ones 0.8% more, from the rounding) and per-variant rates compare like with like.
        d_model = 4096
        return cls(tokens=8192, d_model=d_model, d_ff_act=14336, d_ff_plain=4 * d_model,
                   d_ff_gated=sizing.matched_d_ff(d_model, gated=True, multiple_of=256), d_ff_swiglu=14336,
                   square=8192, host_tokens=16, dtype=dtype or ("bfloat16" if device.type == "cuda" else "float32"),
                   quick=False, min_time=0.1, groups=groups)


@dataclass
class Case:
    group: str
    op: str
    impl: str
    pass_: str
    build: Callable[[], Callable[[], Any]]  # builds the zero-argument callable to time
    nbytes: float | None
    flops: float | None
    shapes: list[list[int]]
    track_memory: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    min_time: float | None = None
    after: Callable[[], None] | None = None  # a check run after the case is measured


# --- torch.compile, fresh and strict ------------------------------------------------------------------


@functools.cache
def _dynamo_names() -> tuple[str, tuple[type, ...]]:
    """The config flag and the exceptions of a recompile-limit fallback, under this torch's names."""
    import torch._dynamo

    flag = next(name for name in ("fail_on_recompile_limit_hit", "fail_on_cache_limit_hit")
                if hasattr(torch._dynamo.config, name))
    errors = tuple(getattr(torch._dynamo.exc, name) for name in ("Unsupported", "FailOnRecompileLimitHit",
                                                                 "FailOnCacheLimitHit")
                   if hasattr(torch._dynamo.exc, name))
    return flag, errors



class CompileFallbackError(RuntimeError):
    """torch.compile did not compile the whole function (a graph break, or dynamo's recompile limit)."""


class FreshCompiled:
    """``torch.compile(fn)`` compiled fresh, whole-graph, static shapes; a fallback is an error.

    Dynamo caches compiled code per *code object*: functions made by one factory
    (or lambdas on one line) share it, and after ``recompile_limit`` (8) entries,
    counting grad on and off separately, it silently runs the rest eagerly. So:
    ``torch._dynamo.reset()`` before compiling (on first use, so that cases run
    one after another each get an empty cache), ``fullgraph=True`` (a graph break
    raises), and ``fail_on_recompile_limit_hit`` during every call (the limit
    raises). Either becomes a :class:`CompileFallbackError`: an error, not a number.
    """

    def __init__(self, fn: Callable, backend: str = "inductor"):
        self.fn, self.backend, self._compiled = fn, backend, None
        self._breaks_before = 0

    def __call__(self, *args: Any) -> Any:
        import torch._dynamo
        import torch._functorch.config

        if self._compiled is None:
            torch._dynamo.reset()
            self._breaks_before = _graph_breaks()
            self._compiled = torch.compile(self.fn, fullgraph=True, dynamic=False, backend=self.backend)
        fail_on_limit, fallback_errors = _dynamo_names()
        try:
            # donated_buffer=False: the compiled backward may not reuse its saved tensors' memory, so the suite
            # can time backward alone by running it again on a retained graph (autograd.grad(retain_graph=True)).
            with torch._dynamo.config.patch(**{fail_on_limit: True}), \
                    torch._functorch.config.patch(donated_buffer=False):
                return self._compiled(*args)
        except fallback_errors as err:
            raise CompileFallbackError(
                f"torch.compile of {getattr(self.fn, '__name__', 'fn')} would have fallen back to eager "
                f"({type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}); a fallback is an error "
                "here, not a number labelled 'compile'.") from err


    def check(self) -> None:
        """Raise if dynamo recorded a graph break since this function was compiled (run after its cases)."""
        if _graph_breaks() > self._breaks_before:
            from torch._dynamo.utils import counters

            raise CompileFallbackError(f"torch.compile of {getattr(self.fn, '__name__', 'fn')} recorded graph "
                                       f"breaks: {dict(counters['graph_break'])}.")


def _graph_breaks() -> int:
    from torch._dynamo.utils import counters

    return sum(counters["graph_break"].values())


# --- Implementations of the gated step -------------------------------------------------------------


def _gate(name: str) -> tuple[str, dict[str, float]]:
    """The registry name and parameters of a gate of the suite ("swish" gets SWISH_BETA)."""
    return (name, {"beta": SWISH_BETA}) if name == "swish" else (name, {})


def _eager(name: str, cat: bool = False) -> Callable:
    """act(g) * u as eager PyTorch writes it, on two tensors or (``cat``) on the halves of one [gate | up] tensor,
    the layout of ``act_mul_cat``. A new function object per call, so each gate is its own code to compile."""
    act_name, params = _gate(name)
    act = get_activation(act_name, **params)

    def eager(g: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        return act_mul_eager(g, u, act)

    def eager_cat(gate_up: torch.Tensor) -> torch.Tensor:
        d = gate_up.shape[-1] // 2
        return act_mul_eager(gate_up[..., :d], gate_up[..., d:], act)

    return eager_cat if cat else eager


class _PythonFloor(torch.autograd.Function):
    """An op written in Python that does no work: it saves its inputs and allocates its outputs, nothing else.

    Its host time is the least that any ``autograd.Function`` (a fused kernel's wrapper, Liger's) can cost on
    this machine: the Python call, autograd's bookkeeping and, on a GPU, the hand-over of the backward to
    autograd's device thread, which must take Python's interpreter lock to run a Python backward.
    """

    @staticmethod
    def forward(ctx, gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(gate, up)
        return torch.empty_like(gate)

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        gate, up = ctx.saved_tensors
        return torch.empty_like(gate), torch.empty_like(up)


def python_floor(gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
    """See :class:`_PythonFloor`: the host-time floor of an op written as a Python ``autograd.Function``."""
    return _PythonFloor.apply(gate, up)


def _liger(name: str) -> Callable | None:
    if name not in LIGER:
        return None
    import importlib

    module, cls = LIGER[name]
    return getattr(importlib.import_module(module), cls).apply


def _kernels_compiled(device: torch.device) -> bool:
    try:
        from .. import kernels
    except ImportError:
        return False
    return kernels.can_run(torch.empty(0, device=device)) and not kernels.INTERPRETED


def _act_mul_impls(config: Config, device: torch.device, skipped: list[dict[str, str]]) -> list[str]:
    impls = ["eager"]
    if not config.compile:
        skipped.append({"what": "torch.compile", "why": "--quick skips compilation (minutes on a CPU)"})
    else:
        impls += ["compile", "compile_cat"]
    if _kernels_compiled(device):
        impls += ["fused", "fused_cat"]
    elif device.type == "cuda":
        from .. import kernels

        skipped.append({"what": "fused Triton kernels", "why": kernels.backend()})
    else:
        skipped.append({"what": "fused Triton kernels",
                        "why": f"the compiled kernels need a CUDA GPU; this run is on {device.type}"})
    if device.type == "cuda":
        try:
            import liger_kernel  # noqa: F401

            impls.append("liger")
        except ImportError:
            skipped.append({"what": "Liger-Kernel", "why": "not installed (pip install .[liger])"})
    return impls


def _pass_runner(fn: Callable, inputs: list[torch.Tensor], pass_: str) -> Callable[[], Any]:
    """A zero-argument callable doing one forward, backward, or forward+backward.

    Backward alone runs ``autograd.grad`` again and again on one retained graph.
    """
    if pass_ == "forward":
        def forward():
            with torch.no_grad():
                return fn(*inputs)
        return forward
    out = fn(*inputs)
    dy = torch.randn_like(out)
    if pass_ == "backward":
        return lambda: torch.autograd.grad(out, inputs, dy, retain_graph=True)
    return lambda: torch.autograd.grad(fn(*inputs), inputs, dy)


class TrainingStep:
    """One forward and backward of ``block`` on ``x``, as a training step does it: ``backward`` after the
    gradients were set to None, so it computes the gradients of the input AND of every parameter.

    (``autograd.grad(out, [x], dy)`` alone would skip the weight gradients, half of the backward's
    FLOPs, and report rates above the chip's matrix-product rate.) ``x`` must require grad.
    """

    def __init__(self, block: torch.nn.Module, x: torch.Tensor):
        self.block, self.x = block, x
        self.leaves = [x, *(p for p in block.parameters() if p.requires_grad)]
        with torch.no_grad():
            self.dy = torch.randn_like(block(x))

    def zero_grad(self) -> None:
        """As ``optimizer.zero_grad(set_to_none=True)``: fresh gradients next time, no accumulation."""
        for t in self.leaves:
            t.grad = None

    def __call__(self) -> list[torch.Tensor]:
        self.zero_grad()
        self.block(self.x).backward(self.dy)
        return [t.grad for t in self.leaves]


def training_step(block: torch.nn.Module, x: torch.Tensor) -> TrainingStep:
    """See :class:`TrainingStep`."""
    return TrainingStep(block, x)


def block_forward(block: torch.nn.Module, x: torch.Tensor) -> Callable[[], Any]:
    def forward():
        with torch.no_grad():
            return block(x)
    return forward


def build_cases(config: Config, device: torch.device, skipped: list[dict[str, str]]) -> list[Case]:
    dtype = getattr(torch, config.dtype)
    gen = torch.Generator(device=device).manual_seed(0)  # drawn where it is used: no GB copied from the host
    n, f, d = config.tokens, config.d_ff_act, config.d_model
    elt = sizing.dtype_bytes(dtype)

    def rand(*shape: int, grad: bool = False) -> torch.Tensor:
        return torch.randn(*shape, generator=gen, device=device).to(dtype).requires_grad_(grad)

    @functools.cache
    def tensors(kind: str) -> Any:
        """Inputs made on first use: a group that is not run allocates nothing."""
        if kind == "h":
            return rand(n, f)
        if kind == "gu":
            return rand(n, f, grad=True), rand(n, f, grad=True)
        if kind == "gate_up":
            return rand(n, 2 * f, grad=True)
        if kind == "liger":  # Liger writes its gradients over its saved inputs: give it its own
            return rand(n, f, grad=True), rand(n, f, grad=True)
        if kind == "host":
            return rand(config.host_tokens, f, grad=True), rand(config.host_tokens, f, grad=True)
        if kind == "x":
            return rand(n, d, grad=True)
        raise KeyError(kind)

    cases: list[Case] = []
    if "activation" in config.groups:
        for name in ACTIVATIONS_ALONE:
            act = get_activation(name)
            cases.append(Case("activation", name, "eager", "forward", lambda a=act: (lambda: a.torch(tensors("h"))),
                              sizing.activation_bytes(n, f, dtype, gated=False), None, [[n, f]]))

    if "act_mul" in config.groups:
        impls = _act_mul_impls(config, device, skipped)
        for name in GATED_ACTIVATIONS:
            act_name, params = _gate(name)
            compiled = {impl: FreshCompiled(_eager(name, cat=impl == "compile_cat"), config.compile_backend)
                        for impl in ("compile", "compile_cat") if impl in impls}
            for impl in impls:
                if impl in compiled:
                    fn = compiled[impl]
                elif impl == "eager":
                    fn = _eager(name)
                elif impl == "liger":
                    fn = _liger(name)
                else:
                    fn = _fused(act_name, params, cat=impl == "fused_cat")
                cat = impl.endswith("_cat")  # one [gate | up] tensor, not two
                inputs_kind = "gate_up" if cat else "liger" if impl == "liger" else "gu"
                shapes = [[n, 2 * f]] if cat else [[n, f], [n, f]]
                if fn is None:
                    continue
                for pass_ in PASSES:
                    cases.append(Case(
                        "act_mul", name, impl, pass_, _lazy(fn, functools.partial(_inputs, tensors, inputs_kind), pass_),
                        PASS_TENSORS[pass_] * n * f * elt, None, shapes, params=dict(params),
                        after=compiled[impl].check if impl in compiled else None))

    if "host" in config.groups:
        impls = {"eager": _eager("silu")}
        if _kernels_compiled(device):
            impls["fused"] = _fused("silu", {})
        impls["floor"] = python_floor
        for impl, fn in impls.items():
            for pass_ in PASSES:
                cases.append(Case("host", "silu", impl, pass_, _lazy(fn, functools.partial(_inputs, tensors, "host"),
                                                                     pass_),
                                  PASS_TENSORS[pass_] * config.host_tokens * f * elt, None,
                                  [[config.host_tokens, f]] * 2))

    if "block" in config.groups:
        fused_ok = _kernels_compiled(device)
        blocks = [(v.name, v, config.d_ff_gated if v.gated else config.d_ff_plain) for v in VARIANTS.values()]
        blocks.append((f"SwiGLU (d_ff {config.d_ff_swiglu})", VARIANTS["SwiGLU"], config.d_ff_swiglu))
        for op, variant, d_ff in blocks:
            for fused in ((False, True) if variant.gated and fused_ok else (False,)):
                make = functools.cache(functools.partial(_build_block, variant, d, d_ff, fused, device, dtype))
                fl_fwd = sizing.forward_flops(n, d, d_ff, gated=variant.gated)
                fl_bwd = sizing.backward_flops(n, d, d_ff, gated=variant.gated)
                for pass_, fl in (("forward", fl_fwd), ("forward+backward", fl_fwd + fl_bwd)):
                    runner = block_forward if pass_ == "forward" else training_step
                    cases.append(Case("block", op, "fused" if fused else "eager", pass_,
                                      functools.partial(_block_runner, runner, make, tensors), None, fl,
                                      [[n, d]], track_memory=pass_ != "forward", params={"d_ff": d_ff},
                                      min_time=2 * config.min_time))

    if "gemm" in config.groups:
        f2 = config.d_ff_swiglu
        s = config.square
        gemms = [
            ("square", [[s, s], [s, s]], sizing.product_flops(s, s, s), lambda: _gemm_square(s, device, dtype)),
            ("gate and up, two GEMMs", [[n, d], [f2, d], [f2, d]], 2 * sizing.product_flops(n, d, f2),
             lambda: _gemm_two(n, d, f2, device, dtype)),
            ("gate_up, one GEMM", [[n, d], [2 * f2, d]], sizing.product_flops(n, d, 2 * f2),
             lambda: _gemm_one(n, d, 2 * f2, device, dtype)),
            ("down", [[n, f2], [d, f2]], sizing.product_flops(n, f2, d), lambda: _gemm_one(n, f2, d, device, dtype)),
        ]
        for op, shapes, fl, build in gemms:
            cases.append(Case("gemm", op, "eager", "forward", build, None, fl, shapes, min_time=2 * config.min_time))
    return cases


def _inputs(tensors: Callable[[str], Any], kind: str) -> list[torch.Tensor]:
    value = tensors(kind)
    return list(value) if isinstance(value, tuple) else [value]


def _fused(act_name: str, params: dict[str, float], cat: bool = False) -> Callable:
    """The public fused op, ``act_mul(g, u, name, **params)`` or ``act_mul_cat(gate_up, name, **params)``."""
    from .. import kernels

    return functools.partial(kernels.act_mul_cat if cat else kernels.act_mul, activation=act_name, **params)


def _lazy(fn: Callable, inputs: Callable[[], list[torch.Tensor]], pass_: str) -> Callable[[], Callable[[], Any]]:
    """Defer building the runner (and its first forward) until the case is measured."""
    return lambda: _pass_runner(fn, inputs(), pass_)


def _build_block(variant, d_model: int, d_ff: int, fused: bool, device: torch.device, dtype: torch.dtype):
    torch.manual_seed(0)
    kwargs = {"fused": True} if fused else {}
    with torch.device(device):  # initialised where it runs: no multi-GB copy from the host
        block = variant.build(d_model, d_ff, **kwargs)
    return block.to(dtype=dtype)


def _block_runner(runner: Callable, make: Callable, tensors: Callable[[str], Any]) -> Callable[[], Any]:
    return runner(make(), tensors("x"))


def _rand_on(shape: tuple[int, ...], device: torch.device, dtype: torch.dtype, seed: int) -> torch.Tensor:
    gen = torch.Generator(device=device).manual_seed(seed)
    return torch.randn(*shape, generator=gen, device=device).to(dtype)


def _gemm_square(s: int, device: torch.device, dtype: torch.dtype) -> Callable[[], Any]:
    a, b = _rand_on((s, s), device, dtype, 1), _rand_on((s, s), device, dtype, 2)
    return lambda: torch.matmul(a, b)


def _gemm_two(n: int, d: int, f: int, device: torch.device, dtype: torch.dtype) -> Callable[[], Any]:
    x = _rand_on((n, d), device, dtype, 3)
    w_gate, w_up = _rand_on((f, d), device, dtype, 4), _rand_on((f, d), device, dtype, 5)
    return lambda: (F.linear(x, w_gate), F.linear(x, w_up))


def _gemm_one(n: int, k: int, m: int, device: torch.device, dtype: torch.dtype) -> Callable[[], Any]:
    x, w = _rand_on((n, k), device, dtype, 6), _rand_on((m, k), device, dtype, 7)
    return lambda: F.linear(x, w)


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


def read_clocks(device: torch.device) -> dict[str, str] | None:
    """SM and memory clocks now, and the SM's maximum, from nvidia-smi (None where unreadable)."""
    if device.type != "cuda":
        return None
    fields = ("clocks.sm", "clocks.mem", "clocks.max.sm")
    try:
        index = device.index if device.index is not None else torch.cuda.current_device()
        out = subprocess.run(["nvidia-smi", f"--id={index}", f"--query-gpu={','.join(fields)}", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    values = [v.strip() for v in out.split(",")]
    return dict(zip(fields, values)) if len(values) == len(fields) else None


def provenance(device: torch.device, argv: list[str]) -> dict[str, Any]:
    try:
        import triton

        triton_version = triton.__version__
    except ImportError:
        triton_version = None
    try:
        import liger_kernel  # noqa: F401
        from importlib.metadata import version

        liger_version = version("liger-kernel")
    except Exception:  # noqa: BLE001 - absent, or installed without metadata
        liger_version = None
    driver = None
    if device.type == "cuda":
        try:
            driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                    capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0] or None
        except (OSError, subprocess.SubprocessError, IndexError):
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
        "liger_kernel": liger_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "method": ("ffn_lib.timing.benchmark: warm-up, then calls queued back to back with no host "
                   "synchronisation, " + ("CUDA events around each call and the L2 cache flushed (256 MiB written) "
                                          "before each, as triton.testing.do_bench"
                                          if device.type == "cuda" else "time.perf_counter around batches of calls")
                   + "; median and quartiles of the samples. Host time: N calls queued without a sync, / N. "
                   "Latency: sync, one call, sync. A block's forward+backward is a training step: gradients of "
                   "the input and of every parameter. torch.compile: compiled fresh per gate, fullgraph=True, "
                   "a recompile-limit fallback is an error."),
        "clocks": {"start": read_clocks(device)},
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
    dtype = getattr(torch, config.dtype)
    copy = measure_copy(device)
    matmul = measure_matmul(device, dtype, n=config.square)
    cases = build_cases(config, device, skipped)
    results = []
    if log:
        log(f"references: copy {copy.bandwidth / 1e9:.1f} GB/s, matmul {matmul.flop_rate / 1e12:.2f} TFLOP/s "
            f"({time.perf_counter() - started:.1f} s); {len(cases)} cases")
    for case in tqdm(cases, desc="ffn_lib.bench", disable=not progress, file=sys.stderr):
        case_start = time.perf_counter()
        run = case.build()
        result = benchmark(run, label=f"{case.op} {case.impl} {case.pass_}", device=device,
                           min_time=case.min_time or config.min_time, warmup_time=config.warmup_time,
                           max_reps=MAX_SAMPLES, nbytes=case.nbytes, flops=case.flops,
                           copy_bandwidth=copy.bandwidth)
        result.dtype = config.dtype
        peak = _peak_memory(device, run) if case.track_memory else None
        if case.after is not None:
            case.after()
        results.append(record(case, result, peak))
        if hasattr(run, "zero_grad"):
            run.zero_grad()  # free this block's gradients before the next case
        del run
        if log:
            share = f", {result.copy_share:.0%} of copy" if result.copy_share is not None else ""
            rate = f", {result.flop_rate / 1e12:.1f} TFLOP/s" if result.flop_rate is not None else ""
            log(f"{case.group} {case.op} {case.impl} {case.pass_}: {time.perf_counter() - case_start:.1f} s, "
                f"median {result.median_s * 1e3:.3f} ms{share}{rate}")
    prov["clocks"]["end"] = read_clocks(device)
    cache = cache_bytes(device)
    doc = {
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
                      "cache_bytes": _quantity(cache, "B")},
        "results": results,
        "skipped": skipped,
        "wall_time": _quantity(time.perf_counter() - started, "s"),
    }
    doc["checks"] = self_checks(doc)
    return doc


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
