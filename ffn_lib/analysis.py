"""Measurements the chapters make on blocks: dead units, output differences."""

from __future__ import annotations

import torch

from .blocks import FFN, GatedFFN


@torch.no_grad()
def pre_activations(block: FFN | GatedFFN, x: torch.Tensor) -> torch.Tensor:
    """The hidden pre-activations the activation function sees: x W1 + b1 (plain) or x W (gated)."""
    layer = block.w1 if isinstance(block, FFN) else block.w_gate
    return layer(x).reshape(-1, layer.out_features)


@torch.no_grad()
def dead_unit_fraction(block: FFN | GatedFFN, x: torch.Tensor) -> float:
    """Share of hidden units whose pre-activation is <= 0 for every position of ``x``.

    Under ReLU such a unit outputs 0 and receives no gradient on this batch: it is *dead*.
    """
    h = pre_activations(block, x)
    return (h <= 0).all(dim=0).float().mean().item()


@torch.no_grad()
def zero_output_fraction(block: FFN | GatedFFN, x: torch.Tensor) -> float:
    """Share of all (position, unit) activations that are exactly zero after the activation."""
    h = pre_activations(block, x)
    return (block.activation.torch(h) == 0).float().mean().item()


def relative_difference(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| / max |b|: how far apart two outputs are, on the scale of the outputs."""
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}.")
    scale = b.abs().max().item()
    return (a - b).abs().max().item() / scale if scale else (a - b).abs().max().item()
