"""Small, seeded training runs that finish in seconds on a CPU.

* :func:`fit_swish_beta`: learn Swish's beta by gradient descent from samples of
  a Swish with a known beta (Ramachandran et al. 2017 train beta with the network).
* :func:`product_task` and :func:`train_block`: fit y = x_1 * x_2 (summed over
  pairs), the multiplicative interaction a gated block represents directly.
* :func:`compare_variants`: a fair comparison of Shazeer's variants on a synthetic
  regression target, at matched parameter counts, over several seeds.
"""

from __future__ import annotations

import contextlib
import statistics
from dataclasses import dataclass
from typing import Iterator, Sequence

import torch
from torch import nn

from ._checks import positive_int, positive_number
from .activations import swish
from .variants import get_variant


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


# --- A fair comparison of the variants --------------------------------------------------------------

TARGETS = ("product", "abs")


def regression_task(target: str, n: int, d_model: int, *, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs x ~ N(0, I) of width ``d_model`` and a target of the same width:

    * ``"product"``: y_i = x_i * x_(i+1 mod d), a multiplicative interaction of two
      continuous features (one gated unit with the identity gate computes it exactly);
    * ``"abs"``: y_i = |x_i|, piecewise linear with no product in it (two ReLU units
      compute it exactly): the control.
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(map(repr, TARGETS))}; got {target!r}.")
    n, d_model = positive_int(n, "n"), positive_int(d_model, "d_model")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d_model, generator=gen)
    y = x * torch.roll(x, -1, dims=-1) if target == "product" else x.abs()
    return x, y


@dataclass(frozen=True)
class VariantScore:
    """One variant's held-out loss (mean squared error) over seeds."""

    name: str
    d_ff: int
    params: int
    losses: tuple[float, ...]  # one per seed

    @property
    def mean(self) -> float:
        return statistics.fmean(self.losses)

    @property
    def std(self) -> float:
        """Sample standard deviation over seeds (0 for one seed)."""
        return statistics.stdev(self.losses) if len(self.losses) > 1 else 0.0


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare_variants`."""

    target: str
    baseline: float  # held-out loss of predicting the training mean, averaged over seeds
    scores: dict[str, VariantScore]

    def table(self) -> str:
        """A Markdown table: variant, d_ff, parameters, held-out loss (mean +- std), relative to the baseline."""
        rows = ["| variant | d_ff | parameters | held-out loss (mean ± std) | loss / baseline |",
                "|---|---:|---:|---|---:|"]
        for s in self.scores.values():
            rows.append(f"| {s.name} | {s.d_ff} | {s.params:,} | {s.mean:.3g} ± {s.std:.2g} "
                        f"| {s.mean / self.baseline:.3g} |")
        return "\n".join(rows)

    def _repr_markdown_(self) -> str:
        return self.table()


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """Tiny matrices run fastest on one CPU thread, and the result then does not depend on the thread count."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def compare_variants(target: str = "product", variants: Sequence[str] = ("ReLU", "GELU", "Bilinear", "SwiGLU"), *,
                     seeds: Sequence[int] = (0, 1, 2), d_model: int = 8, budget: int = 512, steps: int = 200,
                     n_train: int = 2048, n_test: int = 2048, lr: float = 1e-2, batch: int = 256) -> Comparison:
    """Train each of Shazeer's variants on :func:`regression_task` and report its held-out loss over seeds.

    Fair by construction: every variant gets the same parameter budget (d_ff =
    budget / (2 d_model) plain, budget / (3 d_model) gated, rounded down), the
    library's own initialisation (``Variant.build``: ``nn.Linear``'s default, no
    biases), the same data, optimiser, steps and learning rate for a given seed,
    and :func:`train_block`'s plain Adam loop. Seed s draws the training and test
    sets, the initial weights and the minibatch order.
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(map(repr, TARGETS))}; got {target!r}.")
    chosen = [get_variant(name) for name in variants]
    if not chosen:
        raise ValueError("variants must name at least one variant (e.g. 'ReLU', 'SwiGLU').")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed.")
    d_model, budget = positive_int(d_model, "d_model"), positive_int(budget, "budget")
    n_train, n_test = positive_int(n_train, "n_train"), positive_int(n_test, "n_test")
    losses: dict[str, list[float]] = {v.name: [] for v in chosen}
    widths: dict[str, tuple[int, int]] = {}
    baselines = []
    with _one_thread():
        for seed in seeds:
            x, y = regression_task(target, n_train + n_test, d_model, seed=seed)
            x_train, y_train, x_test, y_test = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
            baselines.append(torch.mean((y_train.mean(0) - y_test) ** 2).item())
            for variant in chosen:
                d_ff = budget // ((3 if variant.gated else 2) * d_model)
                if d_ff < 1:
                    raise ValueError(f"budget={budget} is too small for d_model={d_model}: "
                                     f"{variant.name} gets d_ff = 0.")
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(seed)
                    block = variant.build(d_model, d_ff)
                train_block(block, x_train, y_train, steps=steps, lr=lr, batch=batch, seed=seed)
                with torch.no_grad():
                    losses[variant.name].append(torch.mean((block(x_test) - y_test) ** 2).item())
                widths[variant.name] = (d_ff, sum(p.numel() for p in block.parameters()))
    scores = {name: VariantScore(name, *widths[name], tuple(values)) for name, values in losses.items()}
    return Comparison(target, statistics.fmean(baselines), scores)


# --- Learning beta where the weights can absorb it --------------------------------------------------

@dataclass(frozen=True)
class BetaRun:
    """One SwiGLU block trained on chapter 4's product task: its beta setting and what it ended with."""

    label: str
    seed: int
    learned: bool
    beta_start: float
    beta_end: float
    test_loss: float
    folded_test_loss: float  # the same block with beta folded into W and W2 (a SiLU block); NaN if beta is 0


def beta_in_gated_block(settings: Sequence[tuple[str, float, bool]] = (("β = 1, fixed", 1.0, False),
                                                                     ("β = 2.5, fixed", 2.5, False),
                                                                     ("β learned, from 1", 1.0, True)), *,
                        seeds: Sequence[int] = (0, 1, 2), d_model: int = 8, budget: int = 512, steps: int = 200,
                        n_train: int = 2048, n_test: int = 2048, lr: float = 1e-2,
                        batch: int = 256) -> list[BetaRun]:
    """Train a Swish-gated block (act(xW) * xV) W2 on :func:`regression_task` ``"product"`` with beta fixed or
    learned, the rest as :func:`compare_variants` (same budget, data, initialisation, optimiser, steps).

    ``settings``: (label, starting beta, learned?). Each run also folds its final beta into the weights
    (:func:`ffn_lib.rescaling.fold_swish_beta`) and scores the resulting SiLU block: the rescaling identity
    Swish_beta(z) = SiLU(beta z) / beta says the two losses agree to rounding.
    """
    from .blocks import GatedFFN
    from .rescaling import fold_swish_beta

    seeds = [int(s) for s in seeds]
    if not seeds or not settings:
        raise ValueError("seeds and settings must each hold at least one entry.")
    d_model, budget = positive_int(d_model, "d_model"), positive_int(budget, "budget")
    n_train, n_test = positive_int(n_train, "n_train"), positive_int(n_test, "n_test")
    d_ff = budget // (3 * d_model)
    if d_ff < 1:
        raise ValueError(f"budget={budget} is too small for d_model={d_model}: the gated block gets d_ff = 0.")
    runs = []
    with _one_thread():
        for seed in seeds:
            x, y = regression_task("product", n_train + n_test, d_model, seed=seed)
            x_train, y_train, x_test, y_test = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
            for label, beta, learned in settings:
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(seed)
                    block = GatedFFN(d_model, d_ff, "swish", beta=beta, learn_beta=learned)
                train_block(block, x_train, y_train, steps=steps, lr=lr, batch=batch, seed=seed)
                with torch.no_grad():
                    loss = torch.mean((block(x_test) - y_test) ** 2).item()
                    try:
                        folded = fold_swish_beta(block)
                        folded_loss = torch.mean((folded(x_test) - y_test) ** 2).item()
                    except ValueError:  # beta exactly 0: Swish_0 is linear, there is nothing to fold
                        folded_loss = float("nan")
                end = float(block.current_activation().params["beta"].detach()) if learned else float(beta)
                runs.append(BetaRun(label, seed, bool(learned), float(beta), end, loss, folded_loss))
    return runs
