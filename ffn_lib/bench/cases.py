"""What the benchmark suite measures: its :class:`Config`, and the list of :class:`Case` s it builds.

:func:`build_cases` builds one list per group (``activation``, ``act_mul``,
``host``, ``block``, ``gemm``; see :mod:`ffn_lib.bench.suite`), each case with the
traffic and FLOPs it must do and a ``build`` that makes its callable when it is
measured. The inputs (:class:`_Inputs`) are drawn on first use from one seeded
generator on the device, so a group that is not run allocates nothing and a run
draws the same numbers every time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from .. import sizing
from ..activations import get_activation
from ..variants import VARIANTS
from .compiled import FreshCompiled
from .impls import (
    _build_block,
    _eager,
    _fused,
    _gate,
    _gemm_one,
    _gemm_square,
    _gemm_two,
    _kernels_compiled,
    _lazy,
    _liger,
    block_forward,
    python_floor,
    training_step,
)

GROUPS = ("activation", "act_mul", "host", "block", "gemm")
ACTIVATIONS_ALONE = ("relu", "gelu", "gelu_tanh", "silu", "sigmoid")
GATED_ACTIVATIONS = ("sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu", "swish")
PASSES = ("forward", "backward", "forward+backward")
# (tokens x d_ff) tensors each pass must read plus write at the least (ffn_lib.sizing.activation_tensors)
PASS_TENSORS = {"forward": 3, "backward": 5, "forward+backward": 8}


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


class _Inputs:
    """The suite's input tensors by kind, made on first use from one generator on the device.

    Drawn where they are used (no GB copied from the host), in the order the cases
    first ask for them; a group that is not run allocates nothing.
    """

    def __init__(self, config: Config, device: torch.device):
        self.config, self.device, self.dtype = config, device, getattr(torch, config.dtype)
        self.gen = torch.Generator(device=device).manual_seed(0)
        self._made: dict[str, Any] = {}

    def __call__(self, kind: str) -> Any:
        if kind not in self._made:
            self._made[kind] = self._make(kind)
        return self._made[kind]

    def listed(self, kind: str) -> list[torch.Tensor]:
        """The tensors of ``kind`` as a list (the arguments of the timed function)."""
        value = self(kind)
        return list(value) if isinstance(value, tuple) else [value]

    def _rand(self, *shape: int, grad: bool = False) -> torch.Tensor:
        return torch.randn(*shape, generator=self.gen, device=self.device).to(self.dtype).requires_grad_(grad)

    def _make(self, kind: str) -> Any:
        c = self.config
        n, f = c.tokens, c.d_ff_act
        if kind == "h":
            return self._rand(n, f)
        if kind in ("gu", "liger"):  # Liger writes its gradients over its saved inputs: it gets its own
            return self._rand(n, f, grad=True), self._rand(n, f, grad=True)
        if kind == "gate_up":
            return self._rand(n, 2 * f, grad=True)
        if kind == "host":
            return self._rand(c.host_tokens, f, grad=True), self._rand(c.host_tokens, f, grad=True)
        if kind == "x":
            return self._rand(n, c.d_model, grad=True)
        raise KeyError(kind)


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


def build_cases(config: Config, device: torch.device, skipped: list[dict[str, str]]) -> list[Case]:
    """Every case of the groups in ``config``, in the order of :data:`GROUPS`; what is skipped goes to ``skipped``."""
    inputs = _Inputs(config, device)
    builders = {"activation": _activation_cases, "act_mul": _act_mul_cases, "host": _host_cases,
                "block": _block_cases, "gemm": _gemm_cases}
    cases: list[Case] = []
    for group in GROUPS:
        if group in config.groups:
            cases += builders[group](config, device, inputs, skipped)
    return cases


def _activation_cases(config: Config, device: torch.device, inputs: _Inputs, skipped: list) -> list[Case]:
    """Each activation alone, PyTorch's own op: reads h, writes act(h)."""
    n, f = config.tokens, config.d_ff_act
    nbytes = sizing.activation_bytes(n, f, inputs.dtype, gated=False)
    return [Case("activation", name, "eager", "forward", lambda a=get_activation(name): (lambda: a.torch(inputs("h"))),
                 nbytes, None, [[n, f]])
            for name in ACTIVATIONS_ALONE]


def _act_mul_fn(name: str, impl: str, compiled: dict[str, FreshCompiled]) -> Callable | None:
    """The function of one implementation of act(g) * u (None: Liger has no kernel for this gate)."""
    if impl in compiled:
        return compiled[impl]
    if impl == "eager":
        return _eager(name)
    if impl == "liger":
        return _liger(name)
    act_name, params = _gate(name)
    return _fused(act_name, params, cat=impl == "fused_cat")


def _act_mul_cases(config: Config, device: torch.device, inputs: _Inputs, skipped: list) -> list[Case]:
    """Each gated act(g) * u, every implementation that can run here, every pass."""
    n, f, elt = config.tokens, config.d_ff_act, sizing.dtype_bytes(inputs.dtype)
    impls = _act_mul_impls(config, device, skipped)
    cases = []
    for name in GATED_ACTIVATIONS:
        _, params = _gate(name)
        compiled = {impl: FreshCompiled(_eager(name, cat=impl == "compile_cat"), config.compile_backend)
                    for impl in ("compile", "compile_cat") if impl in impls}
        for impl in impls:
            fn = _act_mul_fn(name, impl, compiled)
            if fn is None:
                continue
            cat = impl.endswith("_cat")  # one [gate | up] tensor, not two
            kind = "gate_up" if cat else "liger" if impl == "liger" else "gu"
            shapes = [[n, 2 * f]] if cat else [[n, f], [n, f]]
            args = functools.partial(inputs.listed, kind)
            for pass_ in PASSES:
                cases.append(Case("act_mul", name, impl, pass_, _lazy(fn, args, pass_),
                                  PASS_TENSORS[pass_] * n * f * elt, None, shapes, params=dict(params),
                                  after=compiled[impl].check if impl in compiled else None))
    return cases


def _host_cases(config: Config, device: torch.device, inputs: _Inputs, skipped: list) -> list[Case]:
    """The host time of one small gated step: eager, fused, and the floor of any Python autograd.Function."""
    t, f, elt = config.host_tokens, config.d_ff_act, sizing.dtype_bytes(inputs.dtype)
    impls = {"eager": _eager("silu")}
    if _kernels_compiled(device):
        impls["fused"] = _fused("silu", {})
    impls["floor"] = python_floor
    return [Case("host", "silu", impl, pass_, _lazy(fn, functools.partial(inputs.listed, "host"), pass_),
                 PASS_TENSORS[pass_] * t * f * elt, None, [[t, f]] * 2)
            for impl, fn in impls.items() for pass_ in PASSES]


def _block_runner(runner: Callable, make: Callable, inputs: _Inputs) -> Callable[[], Any]:
    return runner(make(), inputs("x"))


def _block_cases(config: Config, device: torch.device, inputs: _Inputs, skipped: list) -> list[Case]:
    """Every Shazeer variant as a whole block at matched sizes, and the Llama-3-8B SwiGLU block."""
    n, d = config.tokens, config.d_model
    fused_ok = _kernels_compiled(device)
    blocks = [(v.name, v, config.d_ff_gated if v.gated else config.d_ff_plain) for v in VARIANTS.values()]
    blocks.append((f"SwiGLU (d_ff {config.d_ff_swiglu})", VARIANTS["SwiGLU"], config.d_ff_swiglu))
    cases = []
    for op, variant, d_ff in blocks:
        for fused in ((False, True) if variant.gated and fused_ok else (False,)):
            make = functools.cache(functools.partial(_build_block, variant, d, d_ff, fused, device, inputs.dtype))
            fl_fwd = sizing.forward_flops(n, d, d_ff, gated=variant.gated)
            fl_bwd = sizing.backward_flops(n, d, d_ff, gated=variant.gated)
            for pass_, fl in (("forward", fl_fwd), ("forward+backward", fl_fwd + fl_bwd)):
                runner = block_forward if pass_ == "forward" else training_step
                cases.append(Case("block", op, "fused" if fused else "eager", pass_,
                                  functools.partial(_block_runner, runner, make, inputs), None, fl,
                                  [[n, d]], track_memory=pass_ != "forward", params={"d_ff": d_ff},
                                  min_time=2 * config.min_time))
    return cases


def _gemm_cases(config: Config, device: torch.device, inputs: _Inputs, skipped: list) -> list[Case]:
    """The SwiGLU block's matrix products alone, and the square product of the roof."""
    n, d, f2, s, dtype = config.tokens, config.d_model, config.d_ff_swiglu, config.square, inputs.dtype
    gemms = [
        ("square", [[s, s], [s, s]], sizing.product_flops(s, s, s), lambda: _gemm_square(s, device, dtype)),
        ("gate and up, two GEMMs", [[n, d], [f2, d], [f2, d]], 2 * sizing.product_flops(n, d, f2),
         lambda: _gemm_two(n, d, f2, device, dtype)),
        ("gate_up, one GEMM", [[n, d], [2 * f2, d]], sizing.product_flops(n, d, 2 * f2),
         lambda: _gemm_one(n, d, 2 * f2, device, dtype)),
        ("down", [[n, f2], [d, f2]], sizing.product_flops(n, f2, d), lambda: _gemm_one(n, f2, d, device, dtype)),
    ]
    return [Case("gemm", op, "eager", "forward", build, None, fl, shapes, min_time=2 * config.min_time)
            for op, shapes, fl, build in gemms]
