"""Fused Triton kernels for the gated activation step act(gate) * up.

* :func:`act_mul` takes ``gate`` and ``up`` as two tensors of the same shape.
* :func:`act_mul_cat` takes one tensor ``[..., 2 * d_ff]`` whose **first half is
  the gate** and second half the up projection: the fused ``gate_up_proj``
  layout of vLLM's ``SiluAndMul`` and Hugging Face's Phi-3 MLP. (PyTorch's
  ``F.glu`` is the other way round: it gates the *first* half with the sigmoid
  of the *second*.)

Both are ``torch.autograd.Function`` s with a fused forward and a fused backward.
``activation`` takes any name :func:`ffn_lib.get_activation` knows, plus
``"identity"`` (Bilinear); Swish's ``beta`` may be given.

Where they run: on CUDA tensors when Triton is installed; on CPU tensors when
Triton's interpreter is on, i.e. ``TRITON_INTERPRET=1`` was set before this
module was imported (slow, for tests and for reading the kernel at work).
:func:`can_run` says which; :func:`backend` says why.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ..activations import GELU_SIGMOID_COEF, canonical_name, get_activation

try:  # Triton is optional: `pip install .[gpu]`
    import triton

    from . import triton_act_mul as _k

    HAS_TRITON = True
    INTERPRETED = type(_k.act_mul_fwd_kernel).__name__ == "InterpretedFunction"
except ImportError:  # pragma: no cover - exercised only where Triton is absent
    triton = None
    _k = None
    HAS_TRITON = False
    INTERPRETED = False

KERNEL_DTYPES = (torch.float16, torch.bfloat16, torch.float32)
MAX_BLOCK = 1024
NUM_WARPS = 4


# The kernels' activation codes (see triton_act_mul.py) and the beta each registry name implies.
# "swish" takes its beta from the caller; its default is the registry's.
_KERNEL_CODES: dict[str, tuple[int, float]] = {
    "identity": (0, 1.0), "sigmoid": (1, 1.0), "relu": (2, 1.0), "gelu": (3, 1.0), "gelu_tanh": (4, 1.0),
    "silu": (5, 1.0), "swish": (5, get_activation("swish").params["beta"]), "gelu_sigmoid": (5, GELU_SIGMOID_COEF),
}


def backend() -> str:
    """Where the kernels run in this process, in words."""
    if not HAS_TRITON:
        return "Triton is not installed (pip install .[gpu]); act_mul is unavailable, GatedFFN(fused=True) runs eagerly"
    if INTERPRETED:
        return "Triton's CPU interpreter (TRITON_INTERPRET=1): correct but slow; CPU tensors only"
    return "compiled Triton kernels on CUDA tensors"


def can_run(tensor: torch.Tensor) -> bool:
    """Whether the kernels can run on ``tensor``'s device in this process."""
    if not HAS_TRITON:
        return False
    return tensor.device.type == "cpu" if INTERPRETED else tensor.device.type == "cuda"


def _check(tensor: Any, name: str) -> torch.Tensor:
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(tensor).__name__}.")
    if tensor.dtype not in KERNEL_DTYPES:
        raise TypeError(f"{name} has dtype {tensor.dtype}; the kernels take "
                        f"{', '.join(map(str, KERNEL_DTYPES))} (math is done in float32).")
    if tensor.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension, got a 0-d tensor.")
    if not can_run(tensor):
        raise RuntimeError(f"{name} is on {tensor.device}, where the kernels cannot run here: {backend()}. "
                           "Move it to a CUDA device, or set TRITON_INTERPRET=1 before importing "
                           "ffn_lib.kernels to use the CPU interpreter.")
    return tensor


def _rows(t: torch.Tensor, d: int) -> torch.Tensor:
    """A (rows, d) view of ``t`` with unit column stride (a copy only when no such view exists)."""
    t2 = t.reshape(math.prod(t.shape[:-1]), d)
    return t2 if t2.stride(1) == 1 or t2.numel() == 0 else t2.contiguous()


def _grid(rows: int, d: int) -> tuple[tuple[int, int], int]:
    block = min(MAX_BLOCK, triton.next_power_of_2(d))
    return (rows, triton.cdiv(d, block)), block


def _forward(g: torch.Tensor, u: torch.Tensor, y: torch.Tensor, act: int, beta: float) -> None:
    rows, d = g.shape
    if rows * d == 0:
        return
    grid, block = _grid(rows, d)
    _k.act_mul_fwd_kernel[grid](g, u, y, d, g.stride(0), u.stride(0), y.stride(0), beta,
                                ACT=act, BLOCK=block, num_warps=NUM_WARPS)


def _backward(g: torch.Tensor, u: torch.Tensor, dy: torch.Tensor, dg: torch.Tensor, du: torch.Tensor, act: int,
              beta: float) -> None:
    rows, d = g.shape
    if rows * d == 0:
        return
    grid, block = _grid(rows, d)
    _k.act_mul_bwd_kernel[grid](g, u, dy, dg, du, d, g.stride(0), u.stride(0), dy.stride(0), dg.stride(0),
                                du.stride(0), beta, ACT=act, BLOCK=block, num_warps=NUM_WARPS)


class _ActMul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, gate: torch.Tensor, up: torch.Tensor, act: int, beta: float) -> torch.Tensor:
        d = gate.shape[-1]
        g, u = _rows(gate, d), _rows(up, d)
        y = torch.empty(gate.shape, dtype=gate.dtype, device=gate.device)
        _forward(g, u, _rows(y, d), act, beta)
        ctx.save_for_backward(g, u)
        ctx.act, ctx.beta, ctx.shape = act, beta, gate.shape
        return y

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        g, u = ctx.saved_tensors
        d = g.shape[1]
        dg, du = torch.empty_like(g), torch.empty_like(u)
        _backward(g, u, _rows(dy, d), dg, du, ctx.act, ctx.beta)
        return dg.view(ctx.shape), du.view(ctx.shape), None, None


class _ActMulCat(torch.autograd.Function):
    @staticmethod
    def forward(ctx, gate_up: torch.Tensor, act: int, beta: float) -> torch.Tensor:
        d2 = gate_up.shape[-1]
        x = _rows(gate_up, d2)
        d = d2 // 2
        y = torch.empty((*gate_up.shape[:-1], d), dtype=gate_up.dtype, device=gate_up.device)
        _forward(x[:, :d], x[:, d:], _rows(y, d), act, beta)
        ctx.save_for_backward(x)
        ctx.act, ctx.beta, ctx.shape = act, beta, gate_up.shape
        return y

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        (x,) = ctx.saved_tensors
        d = x.shape[1] // 2
        dx = torch.empty_like(x)
        _backward(x[:, :d], x[:, d:], _rows(dy, d), dx[:, :d], dx[:, d:], ctx.act, ctx.beta)
        return dx.view(ctx.shape), None, None


def _resolve(activation: str, beta: float | None) -> tuple[int, float]:
    act, default_beta = _KERNEL_CODES[canonical_name(activation)]
    if beta is None:
        return act, default_beta
    if canonical_name(activation) != "swish":
        raise ValueError(f"beta is a parameter of activation='swish', not of {activation!r}.")
    return act, float(get_activation("swish", beta=beta).params["beta"])


def act_mul(gate: torch.Tensor, up: torch.Tensor, activation: str = "silu", *,
            beta: float | None = None) -> torch.Tensor:
    """Fused act(gate) * up for tensors of any (equal) shape; differentiable.

    >>> y = act_mul(g, u, "silu")          # SwiGLU's inner step  # doctest: +SKIP
    """
    act, beta = _resolve(activation, beta)
    gate, up = _check(gate, "gate"), _check(up, "up")
    if gate.shape != up.shape:
        raise ValueError(f"gate and up must have the same shape, got {tuple(gate.shape)} and {tuple(up.shape)}.")
    if gate.dtype != up.dtype or gate.device != up.device:
        raise TypeError(f"gate and up must share dtype and device, got {gate.dtype} on {gate.device} "
                        f"and {up.dtype} on {up.device}.")
    return _ActMul.apply(gate, up, act, beta)


def act_mul_cat(gate_up: torch.Tensor, activation: str = "silu", *, beta: float | None = None) -> torch.Tensor:
    """Fused act(x[..., :d]) * x[..., d:] for x of shape (..., 2d): first half gate, second half up."""
    act, beta = _resolve(activation, beta)
    gate_up = _check(gate_up, "gate_up")
    if gate_up.shape[-1] % 2:
        raise ValueError(f"gate_up's last dimension must be even (gate and up halves), got {gate_up.shape[-1]}.")
    return _ActMulCat.apply(gate_up, act, beta)


def act_mul_eager(gate: torch.Tensor, up: torch.Tensor, activation: str = "silu", *,
                  beta: float | None = None) -> torch.Tensor:
    """act(gate) * up the way it is usually written: PyTorch's activation kernel, then a multiply."""
    act = get_activation(activation) if beta is None else get_activation(activation, beta=beta)
    return act.torch(gate) * up
