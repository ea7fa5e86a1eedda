"""Exact rescalings of a gated block: the same function with different weights.

Two identities, each returning a new :class:`~ffn_lib.blocks.GatedFFN` that computes the same
function as the block it is given (up to floating-point rounding):

* :func:`fold_swish_beta`: Swish_beta(z) = SiLU(beta z) / beta (Ramachandran et al. 2017), so
  (Swish_beta(xW) * xV) W2 = (SiLU(x beta W) * xV) (W2 / beta): a SwiGLU block with any fixed beta
  is a SiLU block with rescaled W and W2. This is why a learned beta buys a gated block nothing
  the weights cannot learn.
* :func:`fold_channel_scale`: for any positive per-channel s (length d_ff),
  (act(xW) * xV) W2 = (act(xW) * x V diag(1/s)) (diag(s) W2). With s chosen so that every channel of
  the hidden tensor has the same largest value, this is Smooth-SwiGLU (Fishman et al. 2024): the
  down projection's input becomes easy to quantise, and the scale lives in W2.

And one identity of training, not of the function: :func:`fold_swish_beta_for_adam`. Adam's step is invariant to
the gradient's scale (up to its epsilon), so a Swish_beta block with a *fixed* beta, trained by Adam with learning
rate lr, follows the same trajectory as the folded SiLU block started from beta W and W2 / beta and trained with
learning rate beta lr on W, lr on V and lr / beta on W2. A fixed beta is an initialisation scale and a per-matrix
learning rate, nothing else.
"""

from __future__ import annotations

import copy

import torch

from ._checks import finite_scalar, positive_number
from .blocks import GatedFFN


def _check_block(block: GatedFFN) -> GatedFFN:
    if not isinstance(block, GatedFFN):
        raise TypeError(f"block must be an ffn_lib.GatedFFN, got {type(block).__name__}.")
    return block


def fold_swish_beta(block: GatedFFN) -> GatedFFN:
    """A SiLU block (beta = 1) computing what the Swish_beta block ``block`` computes: W <- beta W (and its
    bias), W2 <- W2 / beta (its bias unchanged). beta is the block's fixed or learned value; beta = 0 has no
    such fold (Swish_0(z) = z/2 is linear) and raises."""
    _check_block(block)
    act = block.current_activation()
    if "beta" not in act.params:
        raise ValueError(f"block must use activation='swish' (a beta to fold), got {act.name!r}.")
    beta = act.params["beta"]
    beta = finite_scalar(float(beta.detach()) if isinstance(beta, torch.Tensor) else beta, "beta")
    if beta == 0:
        raise ValueError("beta = 0 cannot be folded: Swish_0(z) = z/2 is linear, SiLU(0 z) is constant.")
    bias = block.w_gate.bias is not None
    out = GatedFFN(block.d_model, block.d_ff, "silu", bias=bias).to(block.w_gate.weight)
    with torch.no_grad():
        out.w_gate.weight.copy_(beta * block.w_gate.weight)
        out.w_up.weight.copy_(block.w_up.weight)
        out.w_down.weight.copy_(block.w_down.weight / beta)
        if bias:
            out.w_gate.bias.copy_(beta * block.w_gate.bias)
            out.w_up.bias.copy_(block.w_up.bias)
            out.w_down.bias.copy_(block.w_down.bias)
    return out


def fold_channel_scale(block: GatedFFN, scale: torch.Tensor) -> GatedFFN:
    """The same block with the hidden tensor divided by ``scale`` per channel and W2 multiplied by it:
    V <- V diag(1/s) (and its bias / s), W2 <- diag(s) W2. ``scale``: positive, finite, shape (d_ff,)."""
    _check_block(block)
    s = torch.as_tensor(scale)
    if s.shape != (block.d_ff,):
        raise ValueError(f"scale must have shape ({block.d_ff},) (one number per hidden channel), got {tuple(s.shape)}.")
    if not torch.isfinite(s).all() or not (s > 0).all():
        raise ValueError("scale must be positive and finite in every channel.")
    out = copy.deepcopy(block)
    s = s.to(block.w_up.weight)
    with torch.no_grad():
        out.w_up.weight.div_(s[:, None])  # nn.Linear layout (d_ff, d_model): row j is channel j of V
        if out.w_up.bias is not None:
            out.w_up.bias.div_(s)
        out.w_down.weight.mul_(s[None, :])  # (d_model, d_ff): column j reads channel j
    return out


def fold_swish_beta_for_adam(block: GatedFFN, lr: float) -> tuple[GatedFFN, list[dict]]:
    """The folded SiLU block (:func:`fold_swish_beta`) and the Adam parameter groups under which it trains as
    ``block`` does with Adam at learning rate ``lr`` and no weight decay: W (and its bias) at beta lr, V at lr,
    W2 at lr / beta (its bias at lr).

    Why: with W' = beta W and W2' = W2 / beta the loss is the same function, so dL/dW' = (dL/dW) / beta and
    dL/dW2' = beta dL/dW2. Adam divides each gradient by the root of its running square, which removes a constant
    factor (up to epsilon): the step it takes on W' is the one it takes on W, in W's units, and W' = beta W stays
    true only if that step is scaled by beta. ``block`` must have a fixed beta (a learned beta adds a parameter the
    SiLU block has not).
    """
    lr = positive_number(lr, "lr")
    _check_block(block)
    if getattr(block, "beta", None) is not None:
        raise ValueError("block must have a fixed beta (learn_beta=False): a learned beta has no SiLU counterpart "
                         "with the same parameters.")
    folded = fold_swish_beta(block)  # checks that block is a Swish block with a beta != 0
    beta = float(block.current_activation().params["beta"])
    gate = [folded.w_gate.weight] + ([folded.w_gate.bias] if folded.w_gate.bias is not None else [])
    up = [p for p in folded.w_up.parameters()]
    down = [folded.w_down.weight]
    down_bias = [folded.w_down.bias] if folded.w_down.bias is not None else []
    groups = [{"params": gate, "lr": beta * lr}, {"params": up, "lr": lr}, {"params": down, "lr": lr / beta}]
    if down_bias:
        groups.append({"params": down_bias, "lr": lr})
    return folded, groups
