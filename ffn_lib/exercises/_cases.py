"""Hidden inputs for function exercises, drawn from the exercise's seeded generator.

Every generator reaches the regimes that tell functions apart: a moderate grid
(where approximations differ by 1e-4), large magnitudes (|x| > 6, where ReLU6 is
not ReLU and a missing term shows), negative tails, and, for torch exercises
that keep the dtype, float16 and bfloat16 tensors.
"""

from __future__ import annotations

import numpy as np
import torch

HALF = (torch.float16, torch.bfloat16)


def _tails(rng: np.random.Generator, n: int = 8) -> np.ndarray:
    """n values with 6 < |x| < 40, half of them negative."""
    mags = rng.uniform(6.0, 40.0, size=n)
    return np.where(np.arange(n) % 2 == 0, -mags, mags)


def _tensor(a: np.ndarray, dtype: torch.dtype) -> torch.Tensor:
    return torch.tensor(a, dtype=dtype)


def scalar_function_numpy(rng: np.random.Generator) -> list[tuple]:
    """Arrays for f(x): a grid, a 2-D batch, the tails, a float32 vector, a 0-d array, and a narrow grid where
    the tolerance's scale (max |f|) is about 1, so a rounded constant shows (sqrt(2/pi) as 0.79788)."""
    return [
        (np.linspace(-4.0, 4.0, 33),),
        (rng.normal(size=(3, 5)) * 3,),
        (_tails(rng).reshape(2, 4),),
        (rng.normal(size=7).astype(np.float32) * 8,),
        (np.array(rng.uniform(-2.0, 2.0)),),
        (np.linspace(-1.5, 1.5, 31),),
    ]


def scalar_function_torch(rng: np.random.Generator, half: bool = True) -> list[tuple]:
    """Tensors for f(x): a float64 grid, a float32 batch with large values, float64 tails, a narrow float64 grid
    (the tolerance's scale about 1: a rounded constant shows), float16/bfloat16."""
    cases = [
        (torch.linspace(-4.0, 4.0, 33, dtype=torch.float64),),
        (_tensor(rng.normal(size=(4, 6)) * 8, torch.float32),),
        (_tensor(_tails(rng).reshape(2, 2, 2), torch.float64),),
        (torch.linspace(-1.5, 1.5, 31, dtype=torch.float64),),
    ]
    if half:
        cases += [(_tensor(rng.normal(size=(3, 5)) * 4, dtype),) for dtype in HALF]
    return cases


def gated_pair_torch(rng: np.random.Generator, half: bool = True) -> list[tuple]:
    """(g, u) pairs of tensors of equal shape and dtype."""
    cases = [
        (torch.linspace(-4, 4, 33, dtype=torch.float64), _tensor(rng.uniform(1, 2, size=33), torch.float64)),
        (_tensor(rng.normal(size=(3, 8)) * 8, torch.float32), _tensor(rng.normal(size=(3, 8)), torch.float32)),
        (_tensor(_tails(rng).reshape(2, 4), torch.float64), _tensor(rng.normal(size=(2, 4)), torch.float64)),
    ]
    if half:
        cases += [(_tensor(rng.normal(size=(2, 6)) * 4, d), _tensor(rng.normal(size=(2, 6)), d)) for d in HALF]
    return cases


def gated_backward_torch(rng: np.random.Generator) -> list[tuple]:
    """(g, u, dy) triples: the gated step's inputs and the gradient of its output."""
    return [(g, u, _tensor(rng.normal(size=tuple(g.shape)), g.dtype)) for g, u in gated_pair_torch(rng)]


_BLOCK_SHAPES = (((4, 6), 6, 10), ((2, 3, 5), 5, 8), ((1, 4), 4, 4), ((3, 6), 6, 12))
_BLOCK_SCALES = (1.0, 1.0, 1.0, 8.0)  # the last case has pre-activations far beyond 6


def block_weights_numpy(rng: np.random.Generator, gated: bool) -> list[tuple]:
    """(x, weights...) in the papers' layout: x (..., d), W/V (d, f), W2 (f, d); the plain block gets biases."""
    cases = []
    for (shape, d, f), scale in zip(_BLOCK_SHAPES, _BLOCK_SCALES):
        x = rng.normal(size=shape) * scale
        W, W2 = rng.normal(size=(d, f)) / np.sqrt(d), rng.normal(size=(f, d)) / np.sqrt(f)
        if gated:
            cases.append((x, W, rng.normal(size=(d, f)) / np.sqrt(d), W2))
        else:
            cases.append((x, W, rng.normal(size=f) * 0.5, W2, rng.normal(size=d) * 0.5))
    return cases


def dead_unit_batches(rng: np.random.Generator) -> list[tuple]:
    """(x, W1, b1) in the paper's layout, x a batch (batch, d_model), with dead, half-dead and live units: biases
    spread from well below to above 0; a float32 case; integer-valued inputs whose units peak at exactly 0 (and a
    zero column with a zero bias), where <= 0 and < 0 disagree; one row, where every row and any row agree; a
    batch of large inputs."""
    cases = []
    for (batch, d, f), dtype in zip(((6, 4, 10), (16, 5, 12), (40, 6, 9)), (np.float64, np.float32, np.float64)):
        x, W1 = rng.normal(size=(batch, d)), rng.normal(size=(d, f)) / np.sqrt(d)
        b1 = np.linspace(-3.0, 1.0, f)[rng.permutation(f)]
        cases.append(tuple(a.astype(dtype) for a in (x, W1, b1)))
    x, W1 = rng.integers(-2, 3, size=(5, 3)).astype(float), rng.integers(-2, 3, size=(3, 8)).astype(float)
    W1[:, 7] = 0.0
    b1 = rng.integers(-3, 3, size=8).astype(float)
    b1[:4] = -(x @ W1[:, :4]).max(axis=0)  # the largest pre-activation of units 0-3 is exactly 0
    b1[7] = 0.0  # unit 7's pre-activation is 0 for every row
    cases.append((x, W1, b1))
    cases.append((rng.normal(size=(1, 4)), rng.normal(size=(4, 7)), rng.normal(size=7)))
    x, W1 = rng.normal(size=(12, 5)) * 8, rng.normal(size=(5, 10)) / np.sqrt(5)
    cases.append((x, W1, np.linspace(-30.0, 5.0, 10)[rng.permutation(10)]))  # large pre-activations
    return cases


def block_weights_torch(rng: np.random.Generator) -> list[tuple]:
    """(x, W, V, W2) as tensors: float32, float64, bfloat16, float32 with large inputs."""
    out = []
    dtypes = (torch.float32, torch.float64, torch.bfloat16, torch.float32)
    for (shape, d, f), scale, dtype in zip(_BLOCK_SHAPES, _BLOCK_SCALES, dtypes):
        arrays = [rng.normal(size=shape) * scale, rng.normal(size=(d, f)) / np.sqrt(d),
                  rng.normal(size=(d, f)) / np.sqrt(d), rng.normal(size=(f, d)) / np.sqrt(f)]
        out.append(tuple(_tensor(a, dtype) for a in arrays))
    return out


def llama_state_dicts(rng: np.random.Generator) -> list[tuple]:
    """Hugging Face Llama MLP state dicts (nn.Linear layout: (out_features, in_features))."""
    out = []
    for (d, f), dtype in zip(((6, 10), (4, 7), (5, 9)), (torch.float32, torch.float32, torch.bfloat16)):
        out.append(({
            "gate_proj.weight": _tensor(rng.normal(size=(f, d)), dtype),
            "up_proj.weight": _tensor(rng.normal(size=(f, d)), dtype),
            "down_proj.weight": _tensor(rng.normal(size=(d, f)), dtype),
        },))
    return out


def phi3_state_dicts(rng: np.random.Generator) -> list[tuple]:
    """Hugging Face Phi-3 MLP state dicts: ``gate_up_proj.weight`` (2 d_ff, d_model), gate rows first, and
    ``down_proj.weight`` (d_model, d_ff), in nn.Linear's (out_features, in_features) layout."""
    out = []
    for (d, f), dtype in zip(((6, 10), (4, 7), (8, 5)), (torch.float32, torch.float32, torch.bfloat16)):
        out.append(({"gate_up_proj.weight": _tensor(rng.normal(size=(2 * f, d)), dtype),
                     "down_proj.weight": _tensor(rng.normal(size=(d, f)), dtype)},))
    return out
