"""Training and evaluation: AdamW, linear warm-up then cosine decay, held-out loss on fixed windows.

One run = one variant and one seed. The seed fixes two things separately:
the model's initialisation (``torch.manual_seed(seed)`` just before the model is
built) and the order of the training batches (a ``torch.Generator`` seeded with
``seed``, on the CPU). So every variant trained with a given seed sees exactly the
same characters in the same order; only the FFN differs.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Callable

import torch

from .._checks import positive_int, positive_number
from .data import Corpus, batch_starts, eval_windows, windows_at
from .model import GPT, GPTConfig


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 200
    batch_size: int = 16
    lr: float = 3e-3  # peak learning rate
    min_lr_ratio: float = 0.1  # the cosine decays to lr * min_lr_ratio
    warmup_steps: int = 20
    weight_decay: float = 0.1  # on matrices only (not on LayerNorm gains and biases)
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float = 1.0
    eval_every: int = 25  # held-out loss for the learning curve every this many steps
    eval_tokens: int | None = None  # the curve's held-out characters (evenly spread windows); None: all of them,
    #                                 so the curve ends at the final loss, which always uses every window
    amp_bf16: bool = False  # bfloat16 autocast (CUDA)
    compile: bool = False  # torch.compile the model

    def __post_init__(self):
        for name in ("steps", "batch_size", "eval_every"):
            positive_int(getattr(self, name), name)
        if self.eval_tokens is not None:
            positive_int(self.eval_tokens, "eval_tokens")
        positive_number(self.lr, "lr")
        if self.warmup_steps < 0 or self.warmup_steps >= self.steps:
            raise ValueError(f"warmup_steps must be in [0, steps), got {self.warmup_steps} with steps={self.steps}.")
        if not 0 <= self.min_lr_ratio <= 1:
            raise ValueError(f"min_lr_ratio must be in [0, 1], got {self.min_lr_ratio}.")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["betas"] = list(self.betas)
        return d


def learning_rate(step: int, config: TrainConfig) -> float:
    """Linear warm-up to ``lr`` over ``warmup_steps``, then a half cosine down to ``lr * min_lr_ratio`` at the end.

    lr(s) = lr (s + 1) / warmup                                    for s < warmup
    lr(s) = lr_min + (lr - lr_min) (1 + cos(pi p)) / 2,  p = (s - warmup) / (steps - warmup)   after
    """
    if step < config.warmup_steps:
        return config.lr * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    lr_min = config.lr * config.min_lr_ratio
    return lr_min + (config.lr - lr_min) * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def make_optimizer(model: GPT, config: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    """AdamW with weight decay on the matrices and embeddings (2-D), none on LayerNorm parameters (nanoGPT's split)."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": config.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.lr, betas=config.betas, fused=device.type == "cuda")


def _autocast(device: torch.device, enabled: bool):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=enabled)


@torch.no_grad()
def evaluate(model: torch.nn.Module, windows: tuple[torch.Tensor, torch.Tensor], *, batch_size: int = 64,
             amp_bf16: bool = False) -> float:
    """Mean cross-entropy (nats per character) over the given held-out windows."""
    device = next(model.parameters()).device
    x_all, y_all = windows
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(x_all), batch_size):
        x, y = x_all[i:i + batch_size].to(device), y_all[i:i + batch_size].to(device)
        with _autocast(device, amp_bf16):
            _, loss = model(x, y)
        total += loss.item() * y.numel()
        count += y.numel()
    model.train(was_training)
    return total / count


class StepTimer:
    """The time of the training steps alone, evaluations excluded: CUDA events on a GPU, perf_counter on a CPU.

    On a GPU each timed step records an event before and after it, with no synchronisation
    in between; the events are read once, at the end, so timing does not slow the run down.
    """

    def __init__(self, device: torch.device):
        self.cuda = device.type == "cuda"
        self.steps = 0
        self._events: list[tuple[torch.cuda.Event, torch.cuda.Event]] = []
        self._cpu_seconds = 0.0

    @contextmanager
    def measure(self, timed: bool = True):
        if not timed:
            yield
            return
        if self.cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            yield
            end.record()
            self._events.append((start, end))
        else:
            t0 = time.perf_counter()
            yield
            self._cpu_seconds += time.perf_counter() - t0
        self.steps += 1

    def seconds(self) -> float:
        if self.cuda and self._events:
            self._events[-1][1].synchronize()
            return sum(start.elapsed_time(end) for start, end in self._events) / 1e3
        return self._cpu_seconds


@dataclass
class RunResult:
    """One trained model's record: the learning curve and the costs."""

    variant: str
    seed: int
    params: int
    ffn_params: int
    d_ff: int
    curve_steps: list[int]
    curve_val_loss: list[float]
    train_loss: list[float]  # training loss at the curve's steps (the batch's loss)
    final_val_loss: float  # on every held-out window
    tokens_per_s: float | None  # training steps only, the first interval (warm-up, compilation) excluded
    train_seconds: float
    peak_memory_bytes: int | None  # CUDA only
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@contextmanager
def cpu_threads(threads: int):
    """``with cpu_threads(1): ...`` runs the block with ``torch.set_num_threads(threads)``, restored afterwards."""
    threads = positive_int(threads, "threads")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train_run(model_config: GPTConfig, train_config: TrainConfig, corpus: Corpus, seed: int, *,
              device: torch.device | str = "cpu", progress: Callable[[str], None] | None = None) -> RunResult:
    """Build the model of ``model_config`` with ``seed``, train it, evaluate it; return a :class:`RunResult`."""
    device = torch.device(device)
    if model_config.vocab_size != corpus.tokenizer.vocab_size:
        raise ValueError(f"model_config.vocab_size={model_config.vocab_size} but the corpus has "
                         f"{corpus.tokenizer.vocab_size} characters.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    torch.manual_seed(seed)  # the initialisation
    model = GPT(model_config).to(device)
    context = model_config.context
    train_tokens = corpus.train.to(device)
    starts = batch_starts(len(corpus.train), train_config.steps, train_config.batch_size, context, seed).to(device)
    optimizer = make_optimizer(model, train_config, device)
    step_model = torch.compile(model) if train_config.compile else model
    val_tokens = corpus.val.to(device)
    curve_windows = eval_windows(val_tokens, context, train_config.eval_tokens)
    all_windows = eval_windows(val_tokens, context)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)

    steps, losses, train_losses = [], [], []
    timer = StepTimer(device)
    skip = min(train_config.eval_every, train_config.steps - 1)  # the first interval (warm-up) is not timed
    model.train()
    for step in range(train_config.steps):
        with timer.measure(timed=step >= skip):
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, train_config)
            x, y = windows_at(train_tokens, starts[step], context)
            with _autocast(device, train_config.amp_bf16):
                _, loss = step_model(x, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), train_config.grad_clip)
            optimizer.step()
        if (step + 1) % train_config.eval_every == 0 or step == train_config.steps - 1:
            steps.append(step + 1)
            train_losses.append(loss.item())
            losses.append(evaluate(model, curve_windows, amp_bf16=train_config.amp_bf16))
            if progress is not None:
                progress(f"{model_config.variant} seed {seed}: step {step + 1}, held-out loss {losses[-1]:.4f}")
    same = curve_windows[0].shape == all_windows[0].shape  # the curve used every window: its last point is final
    final = losses[-1] if same else evaluate(model, all_windows, amp_bf16=train_config.amp_bf16)
    seconds = timer.seconds()
    tokens = timer.steps * train_config.batch_size * context
    peak = int(torch.cuda.max_memory_allocated(device)) if device.type == "cuda" else None
    return RunResult(
        variant=model_config.variant, seed=seed, params=model.param_count(),
        ffn_params=model.param_count(ffn_only=True), d_ff=model.d_ff, curve_steps=steps,
        curve_val_loss=losses, train_loss=train_losses, final_val_loss=final,
        tokens_per_s=tokens / seconds if seconds > 0 and tokens else None,
        train_seconds=seconds, peak_memory_bytes=peak)
