"""The kernels as PyTorch custom operators, for ``torch.compile`` and ``torch.library.opcheck``.

``torch.ops.ffn_lib.act_mul(gate, up, code, beta)`` and ``torch.ops.ffn_lib.act_mul_cat(gate_up, code, beta)``
run the fused forward; their autograd rules call the fused backward ops. Each op has a fake (meta) rule that
gives the output's shape without running anything, which is what the compiler traces with. ``code`` and
``beta`` are the kernel's activation code and slope, as :func:`ffn_lib.kernels._resolve` gives them.

Eager calls of :func:`ffn_lib.kernels.act_mul` skip this layer (its dispatch costs CPU time on every call);
compiled graphs call these ops.
"""

from __future__ import annotations

import torch
from torch import Tensor

from . import _backward, _backward_cat, _forward, _forward_cat


@torch.library.custom_op("ffn_lib::act_mul", mutates_args=())
def act_mul_op(gate: Tensor, up: Tensor, code: int, beta: float) -> Tensor:
    return _forward(gate, up, code, beta)


@act_mul_op.register_fake
def _(gate, up, code, beta):
    return gate.new_empty(gate.shape)


@torch.library.custom_op("ffn_lib::act_mul_backward", mutates_args=())
def act_mul_backward_op(gate: Tensor, up: Tensor, dy: Tensor, code: int, beta: float) -> tuple[Tensor, Tensor]:
    return _backward(gate, up, dy, code, beta)


@act_mul_backward_op.register_fake
def _(gate, up, dy, code, beta):
    return gate.new_empty(gate.shape), up.new_empty(up.shape)


def _setup(ctx, inputs, output):
    gate, up, ctx.code, ctx.beta = inputs
    ctx.save_for_backward(gate, up)


def _grad(ctx, dy):
    gate, up = ctx.saved_tensors
    dg, du = act_mul_backward_op(gate, up, dy, ctx.code, ctx.beta)
    return dg, du, None, None


act_mul_op.register_autograd(_grad, setup_context=_setup)


@torch.library.custom_op("ffn_lib::act_mul_cat", mutates_args=())
def act_mul_cat_op(gate_up: Tensor, code: int, beta: float) -> Tensor:
    return _forward_cat(gate_up, code, beta)


@act_mul_cat_op.register_fake
def _(gate_up, code, beta):
    return gate_up.new_empty((*gate_up.shape[:-1], gate_up.shape[-1] // 2))


@torch.library.custom_op("ffn_lib::act_mul_cat_backward", mutates_args=())
def act_mul_cat_backward_op(gate_up: Tensor, dy: Tensor, code: int, beta: float) -> Tensor:
    return _backward_cat(gate_up, dy, code, beta)


@act_mul_cat_backward_op.register_fake
def _(gate_up, dy, code, beta):
    return gate_up.new_empty(gate_up.shape)


def _setup_cat(ctx, inputs, output):
    gate_up, ctx.code, ctx.beta = inputs
    ctx.save_for_backward(gate_up)


def _grad_cat(ctx, dy):
    (gate_up,) = ctx.saved_tensors
    return act_mul_cat_backward_op(gate_up, dy, ctx.code, ctx.beta), None, None


act_mul_cat_op.register_autograd(_grad_cat, setup_context=_setup_cat)
