"""Worked solutions of chapter 1."""

from ..core import Solution

SOLUTIONS = {
    1: Solution(
        r"Two matrices of $512 \times 2048$ and two bias vectors: $2 \cdot 512 \cdot 2048 + 2048 + 512$. "
        "`ffn_lib.sizing.param_count` does the same sum.",
        """d_model, d_ff = 512, 2048
answer = d_model * d_ff + d_ff + d_ff * d_model + d_model""",
    ),
    2: Solution(
        r"The block is applied at every position independently: the leading dimensions `(8, 128)` pass through, "
        r"and $xW_1$ maps the last one from $d_\text{model} = 512$ to $d_\text{ff} = 2048$.",
        "answer = (8, 128, 2048)",
    ),
    3: Solution(
        r"One line per layer, with the ReLU between them. `@` contracts the last axis of `x` with the first of "
        "`W1`, so any leading dimensions work.",
        """import numpy as np

def ffn_forward(x, W1, b1, W2, b2):
    h = np.maximum(x @ W1 + b1, 0.0)   # hidden layer, (..., d_ff)
    return h @ W2 + b2                  # back to (..., d_model)""",
    ),
    4: Solution(
        r"Each product of a $1024 \times 512$ by a $512 \times 2048$ matrix does $1024 \cdot 512 \cdot 2048$ "
        r"multiply-adds, i.e. twice that many FLOPs; the second product does the same number again.",
        """tokens, d_model, d_ff = 1024, 512, 2048
answer = 2 * (2 * tokens * d_model * d_ff)""",
    ),
    5: Solution(
        r"ReLU outputs 0 and has derivative 0 for negative inputs. A unit whose pre-activation $xW_1 + b_1$ is "
        "negative for the whole batch contributes nothing forward and receives no gradient backward.",
        'answer = "a"',
    ),
}
