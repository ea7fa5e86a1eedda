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
        r"The grown unit computes $\mathrm{SiLU}(3z)\,(3z) = 3z\,\sigma(3z)\cdot 3z = 9\,z^2\,\sigma(3z)$, and the "
        r"unit before it $z^2\,\sigma(z)$. At the peak $z$ is large, so $\sigma(3z) \approx \sigma(z) \approx 1$ and "
        r"the peak grows by $3^2 = 9$: quadratically in the weights, because both factors of the product grow. A "
        r"plain ReLU unit grows linearly, $\mathrm{ReLU}(3z) = 3\,\mathrm{ReLU}(z)$. This is the mechanism behind "
        r"the late FP8 instabilities of Fishman et al. (2024): while aligned weights keep growing, the unit's "
        r"outliers grow with the square and leave FP8's range. (Where $z$ is small the ratio is a little above 9, "
        r"since $\sigma(3z) > \sigma(z)$.)",
        """import torch
from ffn_lib import fp8

rng = torch.Generator().manual_seed(0)
direction = torch.nn.functional.normalize(torch.randn(256, generator=rng, dtype=torch.float64), dim=0)
z = torch.randn(4096, 256, generator=rng, dtype=torch.float64) @ (20 * direction)  # the aligned unit, norm 20
answer = fp8.aligned_unit_growth(z, 3.0)  # SiLU(3z) 3z over SiLU(z) z at the peak: 9""",
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
