"""Worked solutions of chapter 7."""

from ..core import Solution

SOLUTIONS = {
    1: Solution(
        "One nn.Linear producing gate and value at once has 2 d_ff outputs, stored as (out_features, in_features).",
        "answer = (2 * 11008, 4096)",
    ),
    2: Solution(
        r"By the product rule, $du = dy\,\mathrm{SiLU}(g)$ and $dg = dy\,u\,\mathrm{SiLU}'(g)$ with "
        r"$\mathrm{SiLU}'(g) = \sigma(g) + g\,\sigma(g)(1 - \sigma(g))$. A fused kernel computes both from "
        r"$g$, $u$ and $dy$ in one pass, recomputing $\sigma(g)$ instead of storing it.",
        """import torch

def silu_mul_backward(g, u, dy):
    s = torch.sigmoid(g)
    dg = dy * u * (s * (1 + g * (1 - s)))
    du = dy * (g * s)
    return dg, du""",
    ),
    3: Solution(
        "Read g, u and dy, write dg and du: five tensors of 4096 x 11008 elements at 2 bytes each. "
        "`ffn_lib.sizing.activation_bytes(..., gated=True, backward=True)` counts the same.",
        """tokens, d_ff, bytes_per_element = 4096, 11008, 2
answer = 5 * tokens * d_ff * bytes_per_element""",
    ),
}
