"""Small, seeded training runs that finish in seconds on a CPU.

* :func:`fit_swish_beta`: learn Swish's beta by gradient descent from samples of
  a Swish with a known beta (Ramachandran et al. 2017 train beta with the network).
* :func:`product_task` and :func:`train_block`: fit y = x_1 * x_2 (summed over
  pairs), the multiplicative interaction a gated block represents directly.
* :func:`compare_variants`: a fair comparison of Shazeer's variants on a synthetic
  regression target, at matched parameter counts, over several seeds.
* :func:`beta_in_gated_block`: Swish's beta fixed or learned inside a gated block, on
  :func:`gated_teacher_task`, a target every beta != 0 computes exactly; :func:`beta_reading`
  writes what the runs show.
"""

from __future__ import annotations

import contextlib
import copy
import math
import statistics
from dataclasses import dataclass
from typing import Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import positive_int, positive_number
from .analysis import join_sentences
from .i18n import N_, tr
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
                batch: int = 256, seed: int = 0, param_groups: list[dict] | None = None) -> FitHistory:
    """Fit ``block`` to (x, y) with Adam and mean squared error; returns the loss after each step.

    ``param_groups``: Adam's parameter groups, each with its own learning rate (default: all of ``block``'s
    parameters at ``lr``), as :func:`ffn_lib.rescaling.fold_swish_beta_for_adam` returns them."""
    steps, batch = positive_int(steps, "steps"), positive_int(batch, "batch")
    lr = positive_number(lr, "lr")
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(block.parameters() if param_groups is None else param_groups, lr=lr)
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

    @property
    def geometric_mean(self) -> float:
        """exp(mean(log loss)) over seeds: the mean :func:`comparisons_table` and the log-axis figure show."""
        return geometric_mean(self.losses)


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


def geometric_mean(values: Sequence[float]) -> float:
    """exp(mean(log v)) of positive values: the mean that a log axis shows."""
    values = [positive_number(v, "values") for v in values]
    if not values:
        raise ValueError("values must hold at least one number.")
    return math.exp(statistics.fmean(math.log(v) for v in values))


def comparisons_table(results: dict[str, Comparison], labels: dict[str, str] | None = None) -> str:
    """One Markdown table for several targets of :func:`compare_variants` (same variants): variant, d_ff, weights,
    then per target the held-out loss over its baseline as the geometric mean over seeds and the seed range, the
    quantity and the scale of the log-axis figure beside it. ``labels``: target -> column heading."""
    if not results:
        raise ValueError("results must hold at least one Comparison (from compare_variants).")
    labels = labels or {}
    first = next(iter(results.values()))
    head = [tr("variant"), "d_ff", tr("weights")]
    for target in results:
        head.append(tr("{target}: loss / baseline, geometric mean (seed range)", target=labels.get(target, target)))
    rows = ["| " + " | ".join(head) + " |", "|---|---:|---:|" + "---:|" * len(results)]
    for name, s in first.scores.items():
        cells = [name, str(s.d_ff), f"{s.params:,}"]
        for result in results.values():
            rel = [loss / result.baseline for loss in result.scores[name].losses]
            cells.append(f"{geometric_mean(rel):.3g} ({min(rel):.2g}–{max(rel):.2g})")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


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

TEACHER_D_FF = 4
TEACHER_SCALES = (0.25, 4.0)


def gated_teacher_task(n: int, d_model: int, *, seed: int, teacher_d_ff: int = TEACHER_D_FF,
                       scales: tuple[float, float] = TEACHER_SCALES) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs x ~ N(0, I) of width ``d_model`` and the outputs of a random SiLU-gated teacher block,

        y = (SiLU(x W*) * x V*) W2*,   scaled to unit variance,

    with W*, V* ~ N(0, 1/d_model) (d_model x teacher_d_ff), each column of W* multiplied by its own factor drawn
    log-uniformly from ``scales`` (the teacher's gate units switch at different scales, so no single beta matches
    them all), and W2* ~ N(0, 1/teacher_d_ff). Seed s draws x and the teacher.

    The task favours no beta != 0 by construction: since Swish_beta(z) = SiLU(beta z) / beta, a Swish_beta block
    with d_ff >= teacher_d_ff computes y exactly with W = W*/beta, V = V*, W2 = beta W2* (its other units at 0).
    Only the two ends of the family cannot: beta -> 0 (the gate becomes linear) and beta -> inf (ReLU).
    """
    n, d_model = positive_int(n, "n"), positive_int(d_model, "d_model")
    teacher_d_ff = positive_int(teacher_d_ff, "teacher_d_ff")
    lo, hi = (positive_number(s, "scales") for s in scales)
    if lo > hi:
        raise ValueError(f"scales must be (low, high) with low <= high, got {scales}.")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d_model, generator=gen)
    w = torch.randn(d_model, teacher_d_ff, generator=gen) / d_model**0.5
    v = torch.randn(d_model, teacher_d_ff, generator=gen) / d_model**0.5
    w2 = torch.randn(teacher_d_ff, d_model, generator=gen) / teacher_d_ff**0.5
    log_scale = torch.empty(teacher_d_ff).uniform_(math.log(lo), math.log(hi), generator=gen)
    y = (F.silu(x @ (w * log_scale.exp())) * (x @ v)) @ w2
    return x, y / y.std()


@dataclass(frozen=True)
class BetaRun:
    """One Swish-gated block trained on :func:`gated_teacher_task`: its beta setting and what it ended with."""

    label: str
    seed: int
    learned: bool
    beta_start: float
    beta_end: float
    test_loss: float
    folded_test_loss: float  # the same block with beta folded into W and W2 (a SiLU block); NaN if beta is 0


BETA_SETTINGS = ((N_("β = 1, fixed"), 1.0, False), (N_("β = 2.5, fixed"), 2.5, False),
                 (N_("β = 0.4, fixed"), 0.4, False), (N_("β learned, from 1"), 1.0, True),
                 (N_("β learned, from 2.5"), 2.5, True))


def beta_in_gated_block(settings: Sequence[tuple[str, float, bool]] = BETA_SETTINGS, *,
                        seeds: Sequence[int] = (0, 1, 2), d_model: int = 8, budget: int = 512, steps: int = 200,
                        n_train: int = 2048, n_test: int = 2048, lr: float = 1e-2,
                        batch: int = 256) -> list[BetaRun]:
    """Train a Swish-gated block (Swish_beta(xW) * xV) W2 on :func:`gated_teacher_task` with beta fixed or
    learned: d_ff = budget / (3 d_model), no biases, ``nn.Linear``'s initialisation, Adam, minibatches, the same
    data, initial weights and minibatch order for every setting of a seed (:func:`train_block`).

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
            x, y = gated_teacher_task(n_train + n_test, d_model, seed=seed)
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


@dataclass(frozen=True)
class BetaSetting:
    """The runs of one setting of :func:`beta_in_gated_block`, over seeds."""

    label: str
    learned: bool
    beta_start: float
    beta_ends: tuple[float, ...]
    losses: tuple[float, ...]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.losses)


def beta_settings(runs: Sequence[BetaRun]) -> list[BetaSetting]:
    """The runs grouped by setting, in the order they were run."""
    if not runs:
        raise ValueError("runs must hold at least one BetaRun (from beta_in_gated_block).")
    groups: dict[str, list[BetaRun]] = {}
    for r in runs:
        groups.setdefault(r.label, []).append(r)
    return [BetaSetting(label, rs[0].learned, rs[0].beta_start, tuple(r.beta_end for r in rs),
                        tuple(r.test_loss for r in rs)) for label, rs in groups.items()]


def beta_table(runs: Sequence[BetaRun]) -> str:
    """A Markdown table, one row per setting: final beta per seed, mean held-out loss, lowest to highest."""
    head = (tr("setting"), tr("final β, per seed"), tr("held-out loss, mean"), tr("lowest to highest"))
    rows = ["| " + " | ".join(head) + " |", "|---|---|---:|---|"]
    for s in beta_settings(runs):
        ends = " / ".join(f"{b:.3g}" for b in s.beta_ends)
        rows.append(f"| {tr(s.label)} | {ends} | {s.mean:.4f} | "
                    + tr("{low} to {high}", low=f"{min(s.losses):.4f}", high=f"{max(s.losses):.4f}") + " |")
    return "\n".join(rows)


def best_and_worst(result: Comparison) -> tuple[VariantScore, VariantScore, float]:
    """(best, worst, worst / best) of a :func:`compare_variants` result by the geometric mean of the held-out loss
    over seeds, the mean its table (:func:`comparisons_table`) and log-axis figure show."""
    if not result.scores:
        raise ValueError("result must hold at least one variant's scores.")
    ranked = sorted(result.scores.values(), key=lambda s: s.geometric_mean)
    return ranked[0], ranked[-1], ranked[-1].geometric_mean / ranked[0].geometric_mean


TIE = 0.01  # two held-out losses within 1% of each other: a tie, not a win
MOVED = 0.10  # a learned beta that ended more than 10% from its start moved


def ranking_text(named_losses: Sequence[tuple[str, Sequence[float]]], *, geometric: bool = False) -> str:
    """Names ranked by mean loss, lowest first, joined by '<' where every loss of the left one is below every loss
    of the right one (their ranges do not overlap) and by '≈' where they overlap: the rule chapter 4 ranks by.
    ``geometric``: rank by the geometric mean (the one chapter 4's table and log-axis figure show)."""
    if not named_losses:
        raise ValueError("named_losses must hold at least one (name, losses) pair.")
    mean = geometric_mean if geometric else statistics.fmean
    ranked = sorted(named_losses, key=lambda nl: mean(nl[1]))
    text = ranked[0][0]
    for (_, a), (name, b) in zip(ranked, ranked[1:]):
        text += (" < " if max(a) < min(b) else " ≈ ") + name
    return text


@dataclass(frozen=True)
class PairedRatio:
    """Learned against fixed beta from the same start, seed by seed: loss ratios learned / fixed."""

    start: float
    ratios: tuple[float, ...]
    moved: tuple[bool, ...]  # whether the learned beta ended more than MOVED from its start, per seed

    @property
    def geometric_mean(self) -> float:
        return math.exp(statistics.fmean(math.log(r) for r in self.ratios))

    def interval(self, level: float = 0.95) -> tuple[float, float] | None:
        """The t-interval of the mean log-ratio over seeds, as ratios; None with fewer than two seeds."""
        from .lm.stats import t_quantile

        logs = [math.log(r) for r in self.ratios]
        if len(logs) < 2:
            return None
        half = t_quantile(0.5 + level / 2, len(logs) - 1) * statistics.stdev(logs) / math.sqrt(len(logs))
        mean = statistics.fmean(logs)
        return math.exp(mean - half), math.exp(mean + half)


def paired_ratios(runs: Sequence[BetaRun]) -> list[PairedRatio]:
    """For each learned setting with a fixed setting of the same start: the seed-paired loss ratios."""
    settings = beta_settings(runs)
    fixed = {s.beta_start: s for s in settings if not s.learned}
    out = []
    for s in settings:
        f = fixed.get(s.beta_start)
        if not s.learned or f is None:
            continue
        n = min(len(s.losses), len(f.losses))
        out.append(PairedRatio(s.beta_start, tuple(a / b for a, b in zip(s.losses[:n], f.losses[:n])),
                               tuple(abs(e / s.beta_start - 1) > MOVED for e in s.beta_ends[:n])))
    return out


def fixed_against_reference(runs: Sequence[BetaRun], reference: float = 1.0) -> list[PairedRatio]:
    """Each fixed beta other than ``reference`` against the fixed ``reference`` beta, seed by seed: the loss ratios
    setting / reference of the same seed (same data, start and minibatches), in the order the settings ran; empty
    without a fixed ``reference`` setting. ``start`` is the setting's beta; ``moved`` is all False (fixed)."""
    settings = beta_settings(runs)
    ref = next((s for s in settings if not s.learned and s.beta_start == reference), None)
    if ref is None:
        return []
    out = []
    for s in settings:
        if s.learned or s is ref:
            continue
        n = min(len(s.losses), len(ref.losses))
        out.append(PairedRatio(s.beta_start, tuple(a / b for a, b in zip(s.losses[:n], ref.losses[:n])),
                               (False,) * n))
    return out


def _fixed_pair_sentence(pr: PairedRatio, reference: float) -> str:
    fields = dict(beta=f"{pr.start:g}", ref=f"{reference:g}", n=len(pr.ratios), ratio=f"{pr.geometric_mean:.2f}",
                  above=sum(r > 1 for r in pr.ratios), lo=f"{min(pr.ratios):.2f}", hi=f"{max(pr.ratios):.2f}")
    ci = pr.interval()
    if ci is None:
        return tr("Against β fixed at {ref} on the same seed, β fixed at {beta} ended at {ratio}× its loss (one "
                  "seed).", **fields)
    fields.update(ci_lo=f"{ci[0]:.2f}", ci_hi=f"{ci[1]:.2f}")
    if ci[0] > 1:
        verdict = tr("β = {beta} gets going more slowly than β = {ref}.", **fields)
    elif ci[1] < 1:
        verdict = tr("β = {beta} gets going faster than β = {ref}.", **fields)
    else:
        verdict = tr("These seeds do not tell β = {beta} and β = {ref} apart.", **fields)
    return tr("Against β fixed at {ref}, seed by seed, β fixed at {beta} ended at {ratio}× its loss (geometric mean "
              "over {n} seeds; 95% t-interval {ci_lo}× to {ci_hi}×; {lo}× to {hi}×, above 1 in {above} of {n} "
              "seeds).", **fields) + " " + verdict


def beta_reading(runs: Sequence[BetaRun]) -> str:
    """Whole sentences on :func:`beta_in_gated_block`'s runs, generated from their numbers: how exact the fold
    is; each fixed beta against beta = 1 seed by seed (:func:`fixed_against_reference`; the '<' / '≈' rule of
    :func:`ranking_text` only without a beta = 1 setting), as early-optimisation speeds; each
    learned beta against the fixed one of its start, seed by seed (geometric mean of the loss ratio with its
    t-interval over seeds, ties within 1% counted as ties), split by whether the learned beta moved."""
    settings = beta_settings(runs)
    seeds = len({r.seed for r in runs})
    folds = [abs(r.folded_test_loss - r.test_loss) / r.test_loss for r in runs
             if r.folded_test_loss == r.folded_test_loss and r.test_loss > 0]
    parts = []
    if folds:
        parts.append(tr("Folding each block's final β into its weights changed no held-out loss by more than {gap} "
                        "of itself: every block trained here computes what a SiLU block with rescaled W and W2 "
                        "computes.", gap=f"{max(folds):.0e}"))
    fixed = [s for s in settings if not s.learned]
    if len(fixed) >= 2:
        best, worst = min(fixed, key=lambda s: s.mean), max(fixed, key=lambda s: s.mean)
        fields = dict(best=tr(best.label), worst=tr(worst.label), low=f"{best.mean:.4f}", high=f"{worst.mean:.4f}",
                      ratio=f"{worst.mean / best.mean:.1f}", seeds=seeds,
                      ranking=ranking_text([(tr(s.label), s.losses) for s in fixed]))
        against_one = fixed_against_reference(runs, 1.0)
        if worst.mean / best.mean < 1.25:
            parts.append(tr("With β fixed, the mean held-out losses ran from {low} ({best}) to {high} ({worst}): "
                            "close together.", **fields))
        elif against_one:  # the seeds are paired: compare seed by seed, as for the learned β below
            parts.append(tr("With β fixed, the mean held-out losses ran from {low} ({best}) to {high} ({worst}).",
                            **fields))
        else:
            parts.append(tr("With β fixed, the mean held-out losses ran from {low} ({best}) to {high} ({worst}); "
                            "ranked over the {seeds} seeds, {ranking} ('<' where every seed of the left setting "
                            "ended below every seed of the right one, '≈' where their seeds overlap).", **fields))
        parts += [_fixed_pair_sentence(pr, 1.0) for pr in against_one]
        parts.append(tr("Each of these blocks can compute the target exactly, so a loss of 0 is reachable for every "
                        "β: after the same number of steps from the same start, these losses measure how fast each "
                        "β gets going, not what it converges to."))
    for s in settings:
        if not s.learned:
            continue
        parts.append(tr("The β learned from {start} ended between {low} and {high}.", start=f"{s.beta_start:g}",
                        low=f"{min(s.beta_ends):.3g}", high=f"{max(s.beta_ends):.3g}"))
    pairs = paired_ratios(runs)
    for pr in pairs:
        fields = dict(start=f"{pr.start:g}", n=len(pr.ratios), ratio=f"{pr.geometric_mean:.2f}")
        ci = pr.interval()
        if ci is None:
            parts.append(tr("From {start}, learning β ended at {ratio}× the loss of β fixed at {start} (one seed).",
                            **fields))
        else:
            parts.append(tr("From {start}, learning β ended, seed by seed, at {ratio}× the loss of β fixed at {start} "
                            "(geometric mean over {n} seeds; 95% t-interval {lo}× to {hi}×).", lo=f"{ci[0]:.2f}",
                            hi=f"{ci[1]:.2f}", **fields))
    moved = [r for pr in pairs for r, m in zip(pr.ratios, pr.moved) if m]
    stayed = [r for pr in pairs for r, m in zip(pr.ratios, pr.moved) if not m]
    if pairs:
        fields = dict(moved=len(moved), stayed=len(stayed), pct=f"{100 * MOVED:.0f}%", tie=f"{100 * TIE:.0f}%")
        if moved:
            fields.update(m_lo=f"{min(moved):.2f}", m_hi=f"{max(moved):.2f}")
        if stayed:
            fields.update(s_lo=f"{min(stayed):.2f}", s_hi=f"{max(stayed):.2f}",
                          ties=sum(abs(r - 1) <= TIE for r in stayed))
        moved_fell = bool(moved) and max(moved) < 1 - TIE
        stayed_tied = bool(stayed) and all(abs(r - 1) <= 2 * MOVED for r in stayed)
        if moved and stayed:
            parts.append(tr("In the {moved} pairs where the learned β moved more than {pct} from its start, the ratio "
                            "ran from {m_lo} to {m_hi}; in the {stayed} where it stayed within {pct}, from {s_lo} to "
                            "{s_hi} ({ties} of them ties within {tie}).", **fields))
        elif moved:
            parts.append(tr("In every pair the learned β moved more than {pct} from its start; the ratio ran from "
                            "{m_lo} to {m_hi}.", **fields))
        else:
            parts.append(tr("In no pair did the learned β move more than {pct} from its start; the ratio ran from "
                            "{s_lo} to {s_hi} ({ties} of them ties within {tie}).", **fields))
        if moved_fell and not stayed:
            parts.append(tr("In every pair β moved and the loss fell: a learned β helps this early phase by moving "
                            "the gates' scale away from where it started."))
        elif moved_fell and stayed_tied:
            parts.append(tr("Where β moved, the loss fell; where it stayed, little changed: a learned β helps this "
                            "early phase exactly by moving the gates' scale away from where it started."))
        elif moved and stayed_tied:
            parts.append(tr("Where β moved, the loss fell in {fell} of {moved} pairs; where it stayed, little "
                            "changed: what a learned β changes, it changes by moving the gates' scale.",
                            fell=sum(r < 1 - TIE for r in moved), moved=len(moved)))
        elif stayed_tied and not moved:
            parts.append(tr("β stayed where it started, and so did the loss: the extra parameter bought nothing "
                            "here."))
    ends = [b for s in settings if s.learned for b in s.beta_ends]
    if ends and all(0.05 < abs(b) < 20 for b in ends):
        parts.append(tr("No learned β ran towards 0 or towards infinity: neither end of the family computes this "
                        "target, and anywhere in between the weights can set the scale that β sets."))
    elif ends and any(abs(b) <= 0.05 for b in ends):
        parts.append(tr("A learned β went towards 0, where Swish is z/2 and the gate becomes linear: an end of the family that the weights reach only by growing without bound."))
    elif ends:
        parts.append(tr("A learned β went towards infinity, where Swish becomes ReLU: an end of the family that the "
                        "weights reach only by growing without bound."))
    return join_sentences(parts)


def adam_reading(result: "AdamEquivalence") -> str:
    """Whole sentences on :func:`beta_adam_equivalence`: the fold of training, measured."""
    fields = dict(beta=f"{result.beta:g}", steps=result.steps, diff=f"{result.folded_difference:.0e}",
                  size=f"{result.output_size:.2f}", plain=f"{result.plain_difference:.2f}")
    if result.folded_difference < 1e-3 * result.output_size:
        return tr("Trained side by side for {steps} Adam steps, the Swish block with β fixed at {beta} and the SiLU "
                  "block started from βW and W2/β, with learning rate β·lr on W and lr/β on W2, ended with held-out "
                  "outputs at most {diff} apart (outputs of mean size {size}): the same trajectory, to rounding. "
                  "The same SiLU start with one learning rate for all ended up to {plain} away.", **fields)
    return tr("Trained side by side for {steps} Adam steps, the Swish block with β fixed at {beta} and the SiLU block "
              "started from βW and W2/β, with learning rate β·lr on W and lr/β on W2, ended with held-out outputs "
              "up to {diff} apart (outputs of mean size {size}): further apart than rounding explains.", **fields)


@dataclass(frozen=True)
class AdamEquivalence:
    """:func:`beta_adam_equivalence`'s result: how far apart two trained blocks' outputs ended."""

    beta: float
    steps: int
    folded_difference: float  # largest |output difference|: Swish_beta vs SiLU with beta-scaled init and lr
    plain_difference: float  # the same SiLU start trained with one learning rate for all: the contrast
    output_size: float  # mean |output| of the Swish_beta block, to read the differences against


def beta_adam_equivalence(beta: float = 2.5, *, seed: int = 0, d_model: int = 8, budget: int = 512,
                          steps: int = 200, n_train: int = 2048, n_test: int = 2048, lr: float = 1e-2,
                          batch: int = 256) -> AdamEquivalence:
    """Train a Swish_beta gated block with a fixed ``beta`` as :func:`beta_in_gated_block` does, and beside it
    the SiLU block folded from the same start (:func:`ffn_lib.rescaling.fold_swish_beta_for_adam`) twice: with
    Adam's learning rate scaled per matrix (beta lr on W, lr / beta on W2), and with one learning rate for all.
    Returns the largest held-out output difference of each from the Swish block: the first is rounding (and
    Adam's epsilon), the second is what the per-matrix learning rate does."""
    from .blocks import GatedFFN
    from .rescaling import fold_swish_beta_for_adam

    beta = positive_number(beta, "beta")
    d_model, budget = positive_int(d_model, "d_model"), positive_int(budget, "budget")
    steps = positive_int(steps, "steps")
    d_ff = budget // (3 * d_model)
    if d_ff < 1:
        raise ValueError(f"budget={budget} is too small for d_model={d_model}: the gated block gets d_ff = 0.")
    x, y = gated_teacher_task(positive_int(n_train, "n_train") + positive_int(n_test, "n_test"), d_model, seed=seed)
    x_train, y_train, x_test = x[:n_train], y[:n_train], x[n_train:]
    with _one_thread():
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            swish_block = GatedFFN(d_model, d_ff, "swish", beta=beta)
        folded, groups = fold_swish_beta_for_adam(swish_block, lr)
        plain = copy.deepcopy(folded)
        train_block(swish_block, x_train, y_train, steps=steps, lr=lr, batch=batch, seed=seed)
        train_block(folded, x_train, y_train, steps=steps, lr=lr, batch=batch, seed=seed, param_groups=groups)
        train_block(plain, x_train, y_train, steps=steps, lr=lr, batch=batch, seed=seed)
        with torch.no_grad():
            ref = swish_block(x_test)
            diff = (folded(x_test) - ref).abs().max().item()
            plain_diff = (plain(x_test) - ref).abs().max().item()
            size = ref.abs().mean().item()
    return AdamEquivalence(float(beta), steps, diff, plain_diff, size)
