"""The FFN variants compared by Shazeer (2020), in one table.

Each :class:`Variant` says whether the block is gated, which activation it uses
and what Shazeer's Table 1 reports for it. The numbers in ``log_perplexity_*``
and ``glue`` / ``superglue`` are **quoted** from the paper (arXiv:2002.05202,
Tables 1-4), not computed here: they come from training T5-base-sized models,
which this course does not repeat.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ._checks import positive_int
from .blocks import FFN, GatedFFN
from .i18n import N_
from .sizing import matched_d_ff

from torch import nn


@dataclass(frozen=True)
class Variant:
    name: str
    gated: bool
    activation: str
    log_perplexity_65k: float  # Table 1, 65,536 steps (mean of 4 runs)
    log_perplexity_65k_std: float
    log_perplexity_524k: float  # Table 1, 524,288 steps
    glue: float  # Table 2, GLUE dev average
    superglue: float  # Table 3, SuperGLUE dev average

    def build(self, d_model: int, d_ff: int | None = None, *, expansion: float = 4.0, **kwargs) -> nn.Module:
        """A block of this variant; ``d_ff`` defaults to the parameter-matched width."""
        d_model = positive_int(d_model, "d_model")
        if d_ff is None:
            d_ff = matched_d_ff(d_model, gated=self.gated, expansion=expansion)
        if self.gated:
            return GatedFFN(d_model, d_ff, self.activation, **kwargs)
        kwargs.setdefault("bias", False)  # Shazeer's blocks have no biases
        return FFN(d_model, d_ff, self.activation, **kwargs)


SHAZEER_2020 = N_("Shazeer 2020, GLU Variants Improve Transformer, arXiv:2002.05202, Tables 1-3 (quoted)")  # tr() where shown

# Quoted: the run-to-run standard deviation of the fine-tuning averages, the "ibid. stddev." row of Shazeer's
# Tables 2 and 3, itself quoted from Raffel et al. (2020, T5), Table 1's baseline over several runs.
FINETUNE_STD: dict[str, float] = {"glue": 0.235, "superglue": 0.416}

VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("ReLU", False, "relu", 1.997, 0.005, 1.677, 83.80, 72.76),
        Variant("GELU", False, "gelu", 1.983, 0.005, 1.679, 83.86, 72.98),
        Variant("Swish", False, "silu", 1.994, 0.003, 1.683, 83.60, 72.40),
        Variant("GLU", True, "sigmoid", 1.982, 0.006, 1.663, 84.20, 73.95),
        Variant("GEGLU", True, "gelu", 1.942, 0.004, 1.633, 84.12, 73.96),
        Variant("Bilinear", True, "identity", 1.960, 0.005, 1.648, 83.79, 73.81),
        Variant("SwiGLU", True, "silu", 1.944, 0.010, 1.636, 84.36, 74.56),
        Variant("ReGLU", True, "relu", 1.953, 0.003, 1.645, 84.67, 73.66),
    )
}


def get_variant(name: str) -> Variant:
    """A variant by name, case-insensitive (``"swiglu"``); ``ValueError`` lists close matches."""
    if not isinstance(name, str):
        raise TypeError(f"variant must be a name (str), got {type(name).__name__}.")
    by_lower = {k.lower(): v for k, v in VARIANTS.items()}
    key = name.strip().lower()
    if key not in by_lower:
        close = difflib.get_close_matches(key, by_lower, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(by_lower[c].name for c in close)}?" if close else ""
        raise ValueError(f"unknown variant {name!r}.{hint} Known: {', '.join(VARIANTS)}.")
    return by_lower[key]
