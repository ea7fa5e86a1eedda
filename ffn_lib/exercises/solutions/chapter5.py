"""Worked solutions of chapter 5."""

from ..base import Solution

SOLUTIONS = {
    1: Solution(
        "PyTorch's `F.gelu` is the erf definition unless `approximate=\"tanh\"` is passed.",
        """import torch.nn.functional as F

def geglu_act_mul(g, u):
    return F.gelu(g) * u""",
    ),
    2: Solution(
        "T5 v1.1's `gated-gelu` uses it, and Hugging Face names it `gelu_new`; loading such a "
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
    5: Solution(
        r"By independence, $\mathbb{E}[h^2] = \mathbb{E}[\max(0,g)^2]\,\mathbb{E}[u^2]$. $\mathbb{E}[u^2] = 1$, and "
        r"by symmetry of the normal density $\mathbb{E}[\max(0,g)^2] = \tfrac12\mathbb{E}[g^2] = \tfrac12$. "
        r"A plain ReLU unit $\max(0, g)$ has the same second moment: the product with a unit-variance value keeps "
        r"the scale, but its distribution has heavier tails (a product of two normals).",
        """E_relu_g_squared = 0.5   # half of E[g^2] = 1, by symmetry
E_u_squared = 1.0
answer = E_relu_g_squared * E_u_squared""",
    ),
}
