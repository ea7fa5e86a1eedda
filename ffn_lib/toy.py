"""Small, seeded training runs that finish in seconds on a CPU.

* :func:`fit_swish_beta`: learn Swish's beta by gradient descent from samples of
  a Swish with a known beta (Ramachandran et al. 2017 train beta with the network).
* :func:`product_task` and :func:`train_block`: fit y = x_1 * x_2 (summed over
  pairs), the multiplicative interaction a gated block represents directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ._checks import positive_int, positive_number
from .activations import swish


@dataclass
class FitHistory:
    losses: list[float]
    values: list[float]  # the parameter being learned, after each step (when there is one)


def fit_swish_beta(true_beta: float = 2.5, start_beta: float = 1.0, *, steps: int = 300, lr: float = 0.05,
                   n: int = 2048, noise: float = 0.01, seed: int = 0) -> FitHistory:
    """Recover ``true_beta`` from noisy samples of Swish_true_beta by gradient descent on beta alone."""
    steps, n = positive_int(steps, "steps"), positive_int(n, "n")
    lr = positive_number(lr, "lr")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, generator=gen, dtype=torch.float64) * 3
    y = swish(x, true_beta) + noise * torch.randn(n, generator=gen, dtype=torch.float64)
    beta = torch.tensor(float(start_beta), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([beta], lr=lr)
    history = FitHistory([], [])
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.mean((swish(x, beta) - y) ** 2)
        loss.backward()
        opt.step()
        history.losses.append(loss.item())
        history.values.append(beta.item())
    return history


def product_task(n: int = 4096, d_model: int = 8, *, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs x ~ N(0, 1) of width d_model and targets y_i = x_i * x_(i+1 mod d) (same width)."""
    n, d_model = positive_int(n, "n"), positive_int(d_model, "d_model")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d_model, generator=gen)
    return x, x * torch.roll(x, -1, dims=-1)


def train_block(block: nn.Module, x: torch.Tensor, y: torch.Tensor, *, steps: int = 400, lr: float = 1e-2,
                batch: int = 256, seed: int = 0) -> FitHistory:
    """Fit ``block`` to (x, y) with Adam and mean squared error; returns the loss after each step."""
    steps, batch = positive_int(steps, "steps"), positive_int(batch, "batch")
    lr = positive_number(lr, "lr")
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(block.parameters(), lr=lr)
    history = FitHistory([], [])
    for _ in range(steps):
        idx = torch.randint(0, x.shape[0], (batch,), generator=gen)
        opt.zero_grad()
        loss = torch.mean((block(x[idx]) - y[idx]) ** 2)
        loss.backward()
        opt.step()
        history.losses.append(loss.item())
    return history
