"""The kernels as PyTorch operators, for ``torch.compile`` and ``torch.library.opcheck``.

``torch.ops.ffn_lib.act_mul(gate, up, code, beta)`` and ``torch.ops.ffn_lib.act_mul_cat(gate_up, code, beta)``
run the fused forward; their autograd rules call the fused backward ops (``act_mul_backward``,
``act_mul_cat_backward``), or the eager formulas when the backward is itself recorded (``create_graph=True``).
``code`` and ``beta`` are the kernel's activation code and slope, as :func:`ffn_lib.kernels._resolve` gives them.

How they are registered, through PyTorch's public APIs only:

* compiled kernels (a GPU): ``torch.library.triton_op`` (PyTorch >= 2.6), each launch through
  ``torch.library.wrap_triton``, so that Inductor sees the Triton kernels inside the op and the fake (meta)
  rule is the op's own body, traced;
* Triton's CPU interpreter (``TRITON_INTERPRET=1``, the tests): ``torch.library.custom_op`` with a hand-written
  fake rule. ``wrap_triton`` hands an interpreted kernel back unwrapped (it lacks the JIT metadata its traceable
  wrapper needs: torch/_library/triton.py, pytorch/pytorch#152868), so a ``triton_op``'s fake rule would run the
  interpreter on fake tensors and fail ("Attempted to set the storage of a tensor on device meta ...");
  eager calls of a ``triton_op`` do work there (tests/test_kernels.py runs one).

Eager calls of :func:`ffn_lib.kernels.act_mul` skip this layer (its dispatch costs CPU time on every call);
compiled graphs call these ops.
"""

from __future__ import annotations

from types import ModuleType

import torch
from torch import Tensor

HAS_TRITON_OP = hasattr(torch.library, "triton_op") and hasattr(torch.library, "wrap_triton")


class _WrappedLaunch:
    """Launch ``kernel`` through ``torch.library.wrap_triton``: the call signature of ``_launch.Launcher``."""

    def __init__(self, kernel):
        self.kernel = kernel

    def __call__(self, grid, tensors, ints, beta, constexprs, num_warps):
        # compile-time constants must be concrete: a traced flag (INT64, from symbolic sizes) is specialised here
        constexprs = tuple(bool(c) if isinstance(c, torch.SymBool) else c for c in constexprs)
        torch.library.wrap_triton(self.kernel)[grid](*tensors, *ints, beta, *constexprs, num_warps=num_warps)


def register(host: ModuleType, namespace: str = "ffn_lib", traceable: bool | None = None) -> None:
    """Register the four ops as ``torch.ops.<namespace>.*``: with ``triton_op`` if ``traceable`` (by default:
    where it exists and the kernels are compiled, not interpreted), else ``custom_op`` with fake rules.

    ``host`` is :mod:`ffn_lib.kernels`, whose launchers (``_forward``, ``_backward``, ...) the ops call: it is
    handed in by the package when it registers them, so this module and the package do not import each other.
    """
    if traceable is None:
        traceable = HAS_TRITON_OP and not host.INTERPRETED
    _k, _forward, _backward, _forward_cat, _backward_cat, _backward_eager = (
        host._k, host._forward, host._backward, host._forward_cat, host._backward_cat, host._backward_eager)
    fwd, bwd = (_WrappedLaunch(_k.act_mul_fwd_kernel), _WrappedLaunch(_k.act_mul_bwd_kernel)) if traceable else (
        None, None)
    define = torch.library.triton_op if traceable else torch.library.custom_op

    @define(f"{namespace}::act_mul", mutates_args=())
    def act_mul_op(gate: Tensor, up: Tensor, code: int, beta: float) -> Tensor:
        return _forward(gate, up, code, beta, fwd)

    @define(f"{namespace}::act_mul_backward", mutates_args=())
    def act_mul_backward_op(gate: Tensor, up: Tensor, dy: Tensor, code: int, beta: float) -> tuple[Tensor, Tensor]:
        return _backward(gate, up, dy, code, beta, bwd)

    @define(f"{namespace}::act_mul_cat", mutates_args=())
    def act_mul_cat_op(gate_up: Tensor, code: int, beta: float) -> Tensor:
        return _forward_cat(gate_up, code, beta, fwd)

    @define(f"{namespace}::act_mul_cat_backward", mutates_args=())
    def act_mul_cat_backward_op(gate_up: Tensor, dy: Tensor, code: int, beta: float) -> Tensor:
        return _backward_cat(gate_up, dy, code, beta, bwd)

    if not traceable:  # a triton_op's fake rule is its own body; a custom_op needs one written out
        act_mul_op.register_fake(lambda gate, up, code, beta: gate.new_empty(gate.shape))
        act_mul_backward_op.register_fake(
            lambda gate, up, dy, code, beta: (gate.new_empty(gate.shape), up.new_empty(up.shape)))
        act_mul_cat_op.register_fake(
            lambda gate_up, code, beta: gate_up.new_empty((*gate_up.shape[:-1], gate_up.shape[-1] // 2)))
        act_mul_cat_backward_op.register_fake(lambda gate_up, dy, code, beta: gate_up.new_empty(gate_up.shape))

    def setup(ctx, inputs, output):
        gate, up, ctx.code, ctx.beta = inputs
        ctx.save_for_backward(gate, up)

    def grad(ctx, dy):
        gate, up = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True: a backward that can itself be differentiated
            dg, du = _backward_eager(gate, up, dy, ctx.code, ctx.beta)
        else:
            dg, du = act_mul_backward_op(gate, up, dy, ctx.code, ctx.beta)
        return dg, du, None, None

    def setup_cat(ctx, inputs, output):
        gate_up, ctx.code, ctx.beta = inputs
        ctx.save_for_backward(gate_up)

    def grad_cat(ctx, dy):
        (gate_up,) = ctx.saved_tensors
        if torch.is_grad_enabled():
            d = gate_up.shape[-1] // 2
            dx = torch.cat(_backward_eager(gate_up[..., :d], gate_up[..., d:], dy, ctx.code, ctx.beta), -1)
        else:
            dx = act_mul_cat_backward_op(gate_up, dy, ctx.code, ctx.beta)
        return dx, None, None

    act_mul_op.register_autograd(grad, setup_context=setup)
    act_mul_cat_op.register_autograd(grad_cat, setup_context=setup_cat)
