"""Inputs for function exercises: fixed edge cases first, then seeded random ones."""

from __future__ import annotations

import numpy as np
import torch


def scalar_function_numpy(rng: np.random.Generator) -> list[tuple]:
    """Arrays for f(x): a grid, a 2-D float64 batch, a float32 vector, a 0-d array."""
    return [
        (np.linspace(-4.0, 4.0, 17),),
        (rng.normal(size=(3, 5)) * 3,),
        (rng.normal(size=7).astype(np.float32) * 2,),
        (np.array(0.5),),
    ]


def scalar_function_torch(rng: np.random.Generator) -> list[tuple]:
    """Tensors for f(x): a float64 grid, a float32 batch, a 3-D float64 tensor."""
    gen = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    return [
        (torch.linspace(-4.0, 4.0, 17, dtype=torch.float64),),
        (torch.randn(4, 6, generator=gen) * 3,),
        (torch.randn(2, 3, 5, generator=gen, dtype=torch.float64),),
    ]


def gated_pair_torch(rng: np.random.Generator) -> list[tuple]:
    """(g, u) pairs of tensors of equal shape."""
    gen = torch.Generator().manual_seed(int(rng.integers(1 << 30)))
    return [
        (torch.linspace(-4, 4, 9, dtype=torch.float64), torch.linspace(1, 2, 9, dtype=torch.float64)),
        (torch.randn(3, 8, generator=gen) * 2, torch.randn(3, 8, generator=gen)),
        (torch.randn(2, 2, 5, generator=gen, dtype=torch.float64), torch.randn(2, 2, 5, generator=gen, dtype=torch.float64)),
    ]


def block_weights_numpy(rng: np.random.Generator, gated: bool) -> list[tuple]:
    """(x, weights...) in the papers' layout: x (..., d), W/V (d, f), W2 (f, d); the plain block gets biases."""
    cases = []
    for shape, d, f in (((4, 6), 6, 10), ((2, 3, 5), 5, 8), ((1, 4), 4, 4)):
        x = rng.normal(size=shape)
        W, W2 = rng.normal(size=(d, f)) / np.sqrt(d), rng.normal(size=(f, d)) / np.sqrt(f)
        if gated:
            cases.append((x, W, rng.normal(size=(d, f)) / np.sqrt(d), W2))
        else:
            cases.append((x, W, rng.normal(size=f) * 0.5, W2, rng.normal(size=d) * 0.5))
    return cases


def block_weights_torch(rng: np.random.Generator) -> list[tuple]:
    """(x, W, V, W2) as tensors, float32 and float64."""
    out = []
    for (shape, d, f), dtype in zip((((4, 6), 6, 10), ((2, 3, 5), 5, 8)), (torch.float32, torch.float64)):
        arrays = [rng.normal(size=shape), rng.normal(size=(d, f)) / np.sqrt(d), rng.normal(size=(d, f)) / np.sqrt(d),
                  rng.normal(size=(f, d)) / np.sqrt(f)]
        out.append(tuple(torch.tensor(a, dtype=dtype) for a in arrays))
    return out


def llama_state_dicts(rng: np.random.Generator) -> list[tuple]:
    """Hugging Face Llama MLP state dicts (nn.Linear layout: (out_features, in_features))."""
    out = []
    for d, f in ((6, 10), (4, 7)):
        out.append(({
            "gate_proj.weight": torch.tensor(rng.normal(size=(f, d)), dtype=torch.float32),
            "up_proj.weight": torch.tensor(rng.normal(size=(f, d)), dtype=torch.float32),
            "down_proj.weight": torch.tensor(rng.normal(size=(d, f)), dtype=torch.float32),
        },))
    return out
