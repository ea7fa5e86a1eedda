"""Worked solutions of chapter 6."""

from ..base import Solution

SOLUTIONS = {
    1: Solution(
        r"$\lfloor 2 \cdot 4 \cdot 6656 / 3 \rfloor$, rounded up to the next multiple of 256.",
        """multiple_of = 256
hidden = int(2 * 4 * 6656 / 3)
answer = multiple_of * ((hidden + multiple_of - 1) // multiple_of)""",
    ),
    2: Solution(
        "SiLU on the gate projection, times the value projection, projected back.",
        """import torch.nn.functional as F

def swiglu(x, W, V, W2):
    return (F.silu(x @ W) * (x @ V)) @ W2""",
    ),
    3: Solution(
        r"`gate_proj` is the projection that goes through SiLU, Shazeer's $W$; `up_proj` is $V$; `down_proj` is "
        r"$W_2$. nn.Linear computes $x\,\text{weight}^\top$, so each paper matrix is a transpose.",
        """def llama_to_paper(state_dict):
    W = state_dict["gate_proj.weight"].T
    V = state_dict["up_proj.weight"].T
    W2 = state_dict["down_proj.weight"].T
    return W, V, W2""",
    ),
    4: Solution(
        "Read g and u, write y: three tensors of 8192 x 14336 elements at 2 bytes each.",
        """answer = 3 * 8192 * 14336 * 2""",
    ),
    5: Solution(
        "Reading the 65,536-step column of Table 1 (quoted in `ffn_lib.VARIANTS`), GEGLU is lowest, SwiGLU a close "
        "second: both gated variants beat every plain FFN.",
        """import ffn_lib

best = min(ffn_lib.VARIANTS.values(), key=lambda v: v.log_perplexity_65k)
answer = {"ReLU": "a", "SwiGLU": "b", "GEGLU": "c", "GLU": "d"}[best.name]""",
    ),
}
