"""What the benchmark suite times: the implementations of the gated step, the passes, blocks and products.

* the gated step act(g) * u: eager (:func:`_eager`, on two tensors or the halves
  of one ``[gate | up]``), the fused kernels' public ops (:func:`_fused`),
  Liger-Kernel's (:func:`_liger`), and :func:`python_floor`, an
  ``autograd.Function`` that does nothing (the host-time floor);
* the passes: :func:`_pass_runner` (forward, backward alone on a retained
  graph, forward+backward), :func:`block_forward` and :class:`TrainingStep`
  (a block's forward, and a training step with every parameter's gradient);
* the matrix products of the SwiGLU block alone (:func:`_gemm_square`, ...).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import torch
import torch.nn.functional as F

from ..activations import act_mul_eager, get_activation

SWISH_BETA = 1.5  # a beta other than 1, so the kernels' parameter path is timed too
LIGER = {"silu": ("liger_kernel.ops.swiglu", "LigerSiLUMulFunction"),
         "gelu_tanh": ("liger_kernel.ops.geglu", "LigerGELUMulFunction")}


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
