"""A small decoder-only Transformer whose FFN is any of Shazeer's eight variants.

Written in the manner of nanoGPT's ``model.py`` (Karpathy): pre-norm blocks,
causal self-attention through ``F.scaled_dot_product_attention``, learned
positional embeddings, the output layer tied to the token embedding. The one
thing that changes between models is the FFN, built by ``ffn_lib``:
``get_variant(name).build(d_model)``, which gives the plain blocks
d_ff = 4 d_model and the gated ones the parameter-matched 2/3 of it
(Shazeer 2020). No biases anywhere, as in Shazeer's FFNs, so the FFN is the
only difference between the eight models.

Initialisation, one rule for every variant. ``init="fan_in"`` (the default):
every matrix N(0, 1/fan_in), the variance-preserving rule that T5's code applies to
its FFN matrices (std d_model^-1/2 for wi, d_ff^-1/2 for wo), so that x W and x V
have entries of order 1 at any width;
embeddings N(0, 1/d_model). ``init="gpt2"``: nanoGPT's fixed N(0, 0.02^2), from GPT-2 (768 to
1600 wide), much smaller than 1/fan_in at the widths of this chapter. Either
way the last matrix of each residual branch (attention's output projection, the
FFN's W2) is scaled down by 1/sqrt(2 n_layer), as in GPT-2.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import positive_int
from ..blocks import FFN, GatedFFN
from ..variants import VARIANTS, get_variant

GPT2_STD = 0.02
INITS = ("fan_in", "gpt2")


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int
    variant: str = "ReLU"
    d_model: int = 64
    n_layer: int = 2
    n_head: int = 2
    context: int = 64
    d_ff: int | None = None  # None: the parameter-matched width of the variant
    init: str = "fan_in"  # or "gpt2" (see the module docstring)

    def __post_init__(self):
        for name in ("vocab_size", "d_model", "n_layer", "n_head", "context"):
            positive_int(getattr(self, name), name)
        if self.d_ff is not None:
            positive_int(self.d_ff, "d_ff")
        if self.d_model % self.n_head:
            raise ValueError(f"d_model={self.d_model} must be divisible by n_head={self.n_head}.")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {', '.join(map(repr, INITS))}, got {self.init!r}.")
        object.__setattr__(self, "variant", get_variant(self.variant).name)  # canonical name, or ValueError

    def as_dict(self) -> dict:
        return asdict(self)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model, bias=False)
        self.proj = nn.Linear(config.d_model, config.d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    """x + attn(LN(x)), then x + FFN(LN(x)): the pre-norm Transformer block."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.d_model)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.d_model)
        self.ffn = get_variant(config.variant).build(config.d_model, config.d_ff)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        x = x + self.ffn(self.ln_2(x))
        return x


def ffn_output_layer(ffn: nn.Module) -> nn.Linear:
    """The FFN's last matrix, W2: ``w2`` of a plain block, ``w_down`` of a gated one."""
    if isinstance(ffn, GatedFFN):
        return ffn.w_down
    if isinstance(ffn, FFN):
        return ffn.w2
    raise TypeError(f"ffn must be an ffn_lib FFN or GatedFFN, got {type(ffn).__name__}.")


class GPT(nn.Module):
    """Token and position embeddings, ``n_layer`` blocks, a final LayerNorm, logits from the tied embedding."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.d_model)
        self.wpe = nn.Embedding(config.context, config.d_model)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.d_model)
        self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying (Press & Wolf 2017; GPT-2; nanoGPT)
        self.reset_parameters()

    def _std(self, fan_in: int) -> float:
        return 1.0 / math.sqrt(fan_in) if self.config.init == "fan_in" else GPT2_STD

    def reset_parameters(self) -> None:
        """The initialisation rule of the module docstring, the same for every variant."""
        for module in self.modules():
            if module is self.lm_head:  # tied: it is the token embedding
                continue
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, mean=0.0, std=self._std(module.in_features))
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=self._std(module.embedding_dim))
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        shrink = 1.0 / math.sqrt(2 * self.config.n_layer)
        for block in self.blocks:
            for layer in (block.attn.proj, ffn_output_layer(block.ffn)):
                nn.init.normal_(layer.weight, mean=0.0, std=self._std(layer.in_features) * shrink)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        """Logits (B, T, vocab) for token ids ``idx`` (B, T); and the mean cross-entropy when ``targets`` is given."""
        B, T = idx.shape
        if T > self.config.context:
            raise ValueError(f"idx has {T} positions; the model's context is {self.config.context}.")
        pos = torch.arange(T, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

    def param_count(self, *, ffn_only: bool = False) -> int:
        """Trainable parameters, each counted once (the tied embedding too); ``ffn_only``: the FFNs alone."""
        if ffn_only:
            return sum(p.numel() for b in self.blocks for p in b.ffn.parameters())
        return sum(p.numel() for p in self.parameters())

    def matmul_weights(self) -> int:
        """Weights that take part in a matrix product at every position: every nn.Linear, and the tied
        embedding once (as the output layer). Position embeddings and LayerNorm gains do not."""
        linears = sum(m.weight.numel() for m in self.modules() if isinstance(m, nn.Linear) and m is not self.lm_head)
        return linears + self.lm_head.weight.numel()

    def flops_per_token(self) -> int:
        """Training FLOPs per token: 6 per matrix weight (forward 2, backward 4), plus attention's two
        T x T products, 4 T d_model per layer forward (counted over the full square, not the causal half),
        times 3 for forward and backward."""
        c = self.config
        return 6 * self.matmul_weights() + 12 * c.n_layer * c.context * c.d_model

    @property
    def d_ff(self) -> int:
        return self.blocks[0].ffn.d_ff


def param_table(config: GPTConfig, variants=None) -> list[dict]:
    """Each variant's total and FFN parameters at ``config``'s sizes, and the gap to the first one.

    The models are built for real, on the CPU (a few megabytes), without touching the
    global random state.
    """
    names = list(VARIANTS) if variants is None else [get_variant(v).name for v in variants]
    rows = []
    for name in names:
        with torch.random.fork_rng(devices=[]):
            model = GPT(GPTConfig(**{**config.as_dict(), "variant": name}))
        rows.append({"variant": name, "gated": VARIANTS[name].gated, "d_ff": model.d_ff,
                     "params": model.param_count(), "ffn_params": model.param_count(ffn_only=True)})
    reference = rows[0]["params"]
    for row in rows:
        row["gap"] = row["params"] / reference - 1.0
    return rows
