"""The corpus, its characters as tokens, a fixed held-out split, batches, and the unigram baseline.

The corpus is the text of Python's own documentation topics, as shipped in the
standard library's ``pydoc_data.topics`` (the pages ``help("if")`` prints): real
English technical prose with code examples, under the PSF licence, installed with
every CPython, so nothing is downloaded at build or test time. Its exact text
depends on the Python version; :attr:`Corpus.sha256` identifies it, and every
recorded run stores that hash.

Tokens are characters (the vocabulary is the corpus's sorted set of characters,
as in nanoGPT's ``shakespeare_char``). The held-out split is the **last 10% of the
text by position**: fixed, independent of any seed, and never seen in training.
"""

from __future__ import annotations

import hashlib
import math
import sys
from dataclasses import dataclass, field

import torch

from .._checks import positive_int

CORPUS_NAME = "pydoc_data.topics"
CORPUS_LICENSE = "PSF-2.0 (Python Software Foundation License), shipped with CPython"
HELD_OUT_FRACTION = 0.1


def corpus_text() -> str:
    """The documentation topics of this Python, sorted by topic name and joined by blank lines."""
    from pydoc_data import topics  # a module of the standard library: no network, no download

    return "\n\n".join(topics.topics[name] for name in sorted(topics.topics))


@dataclass(frozen=True)
class CharTokenizer:
    """Characters as tokens: ``encode`` maps each character to its index in the sorted vocabulary."""

    chars: str

    @classmethod
    def from_text(cls, text: str) -> "CharTokenizer":
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty str to build a vocabulary from.")
        return cls("".join(sorted(set(text))))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        index = {c: i for i, c in enumerate(self.chars)}
        unknown = sorted(set(text) - index.keys())
        if unknown:
            raise ValueError(f"text has characters outside the vocabulary: {''.join(unknown[:10])!r}.")
        return torch.tensor([index[c] for c in text], dtype=torch.long)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)


@dataclass(frozen=True)
class Corpus:
    """The encoded corpus split into a training part and a held-out part (the last 10%)."""

    train: torch.Tensor  # int64 token ids, on the CPU
    val: torch.Tensor
    tokenizer: CharTokenizer
    sha256: str
    name: str = CORPUS_NAME
    license: str = CORPUS_LICENSE
    python: str = field(default_factory=lambda: sys.version.split()[0])

    @property
    def n_chars(self) -> int:
        return len(self.train) + len(self.val)

    def describe(self) -> dict:
        """What the results record about the data."""
        return {"name": self.name, "license": self.license, "python": self.python, "sha256": self.sha256,
                "chars": self.n_chars, "train_tokens": len(self.train), "val_tokens": len(self.val),
                "vocab_size": self.tokenizer.vocab_size, "held_out": f"last {HELD_OUT_FRACTION:.0%} by position"}


def split_point(n: int, held_out: float = HELD_OUT_FRACTION) -> int:
    """Index where the held-out part starts: the last ``held_out`` fraction of ``n`` tokens."""
    n = positive_int(n, "n")
    if not 0 < held_out < 1:
        raise ValueError(f"held_out must be a fraction between 0 and 1, got {held_out}.")
    return n - max(1, int(round(n * held_out)))


def load_corpus(text: str | None = None, held_out: float = HELD_OUT_FRACTION) -> Corpus:
    """Encode ``text`` (default: :func:`corpus_text`) and split it at :func:`split_point`."""
    text = corpus_text() if text is None else text
    tokenizer = CharTokenizer.from_text(text)
    ids = tokenizer.encode(text)
    cut = split_point(len(ids), held_out)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Corpus(ids[:cut].clone(), ids[cut:].clone(), tokenizer, digest)


def batch_starts(n_tokens: int, steps: int, batch_size: int, context: int, seed: int) -> torch.Tensor:
    """Where every training window of a run begins: a (steps, batch_size) tensor drawn from ``seed``.

    Drawn once, on the CPU, from a ``torch.Generator`` of its own: the seed alone fixes
    the sequence of batches, whatever the model and the device, so every variant
    trained with one seed sees the same text in the same order.
    """
    n_tokens, steps = positive_int(n_tokens, "n_tokens"), positive_int(steps, "steps")
    batch_size, context = positive_int(batch_size, "batch_size"), positive_int(context, "context")
    if n_tokens <= context:
        raise ValueError(f"context={context} must be shorter than the training text ({n_tokens} tokens).")
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, n_tokens - context, (steps, batch_size), generator=generator)


def windows_at(tokens: torch.Tensor, starts: torch.Tensor, context: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs ``x = tokens[s : s + context]`` and next-character targets ``y = tokens[s + 1 : s + context + 1]``.

    ``tokens`` and ``starts`` on one device: on a GPU the batch is gathered there, with no copy from the host.
    """
    offsets = torch.arange(context, device=tokens.device)
    index = starts[:, None] + offsets
    return tokens[index], tokens[index + 1]


def eval_windows(tokens: torch.Tensor, context: int, max_tokens: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Non-overlapping windows covering ``tokens`` from the start (or evenly spread ones, up to ``max_tokens``).

    The same windows every time: an evaluation involves no randomness.
    """
    context = positive_int(context, "context")
    n_windows = (len(tokens) - 1) // context
    if n_windows < 1:
        raise ValueError(f"context={context} is longer than the held-out text ({len(tokens)} tokens).")
    starts = torch.arange(n_windows) * context
    if max_tokens is not None:
        keep = max(1, min(n_windows, positive_int(max_tokens, "max_tokens") // context))
        starts = starts[torch.linspace(0, n_windows - 1, keep).round().long()]
    return windows_at(tokens, starts.to(tokens.device), context)


def unigram_loss(train: torch.Tensor, val: torch.Tensor, vocab_size: int) -> float:
    """Cross-entropy (nats per character) of the held-out text under the training text's character frequencies.

    The baseline any language model must beat: it knows how often each character
    occurs but nothing about order. Add-one (Laplace) smoothing keeps characters
    unseen in training at a finite cost: p(c) = (count(c) + 1) / (N + V).
    """
    vocab_size = positive_int(vocab_size, "vocab_size")
    counts = torch.bincount(train, minlength=vocab_size).double() + 1.0
    log_p = counts.log() - math.log(counts.sum().item())
    return float(-log_p[val].mean())
