"""Worked solutions of chapter 5."""

from ..core import Solution

SOLUTIONS = {
    1: Solution(
        "PyTorch's `F.gelu` is the erf definition unless `approximate=\"tanh\"` is passed.",
        """import torch.nn.functional as F

def geglu_act_mul(g, u):
    return F.gelu(g) * u""",
    ),
    2: Solution(
        "T5 v1.1's `gated-gelu` is the tanh approximation, which Hugging Face calls `gelu_new`; loading such a "
        "checkpoint with the erf GELU changes its outputs slightly.",
        'answer = "b"',
    ),
    3: Solution(
        "The GLU block with the sigmoid swapped for ReLU.",
        """import numpy as np

def reglu_ffn(x, W, V, W2):
    return (np.maximum(x @ W, 0.0) * (x @ V)) @ W2""",
    ),
    4: Solution(
        r"With $d_\text{ff} = 2048$ the gated block has $3 \cdot 768 \cdot 2048 = 2 \cdot 768 \cdot 3072$ "
        "parameters: the ratio is exactly 1.",
        """import ffn_lib

gated = ffn_lib.sizing.param_count(768, ffn_lib.sizing.matched_d_ff(768), gated=True, bias=False)
plain = ffn_lib.sizing.param_count(768, 3072, gated=False, bias=False)
answer = gated / plain""",
    ),
}
