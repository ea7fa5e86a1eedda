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
        r"The ridge point is the FP32 rate over the bandwidth, $67 / 4.8 \approx 14.0$ FLOPs per byte (the "
        r"tensor cores do not count: an elementwise kernel's arithmetic never reaches them). One element of the "
        r"result costs 6 bytes, $g$ and $u$ read and the result written at 2 bytes each, so the kernel can spend "
        r"about 84 FLOPs on it before the arithmetic, not the memory, sets its speed; "
        r"`ffn_lib.analysis.arithmetic_budget(67e12, 4.8e12, 6)` gives the same. SiLU and the product need a "
        r"small part of that: on this GPU the step is memory-bound, and only moving fewer bytes speeds it up.",
        """fp32_rate, bandwidth = 67e12, 4.8e12  # FLOP/s and bytes/s, the given figures
ridge = fp32_rate / bandwidth  # FLOPs per byte at the ridge point
bytes_per_element = 3 * 2  # read g and u, write the result: 2 bytes each in bfloat16
answer = ridge * bytes_per_element""",
    ),
}
