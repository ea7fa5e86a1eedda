"""Worked solutions of chapter 4."""

from ..base import Solution

SOLUTIONS = {
    1: Solution(
        r"$2 \cdot 1344 \cdot 5376 = 3 \cdot 1344 \cdot d'_\text{ff}$ gives $d'_\text{ff} = \tfrac23 \cdot 5376$.",
        """d_model = 1344
answer = 2 * (4 * d_model) // 3""",
    ),
    2: Solution(
        "Two projections of the same input, a sigmoid gate on one, an elementwise product, and a projection back.",
        """import numpy as np

def glu_ffn(x, W, V, W2):
    gate = 1 / (1 + np.exp(-(x @ W)))   # sigmoid(x W)
    value = x @ V
    return (gate * value) @ W2""",
    ),
    3: Solution(
        r"Shazeer's block projects $x$ twice into $d_\text{ff}$, gates one projection with the sigmoid of the "
        r"other, and projects back with $W_2$.",
        'answer = "b"',
    ),
    4: Solution(
        r"Three matrices of $1024 \times 2816$, no biases.",
        """answer = 3 * 1024 * 2816""",
    ),
    5: Solution(
        "F.glu splits the last dimension into two halves of 3072 and returns first * sigmoid(second).",
        "answer = (4, 10, 3072)",
    ),
    6: Solution(
        r"The value $u$ is a constant for this derivative, so $\partial h/\partial g = \sigma'(g)\,u = "
        r"\sigma(g)(1 - \sigma(g))\,u$. The gate's gradient is scaled by the value: a unit whose value is large "
        r"passes a large gradient to its gate, one reason gated products need care at initialisation.",
        """import math

g, u = 1.0, 3.0
s = 1 / (1 + math.exp(-g))
answer = s * (1 - s) * u""",
    ),
    7: Solution(
        r"`gate_up_proj(x)` is $x\,\text{weight}^\top$, so its first $d_\text{ff}$ output columns, the ones "
        r"`chunk(2, dim=-1)` takes as the gate, come from the weight's first $d_\text{ff}$ rows. Those rows, "
        r"transposed, are the paper's $W$; the other half, transposed, is $V$; `down_proj.weight` transposed is "
        r'$W_2$. `ffn_lib.blocks.split_gate_up(weight, "gate_first", dim=0)` does the split.',
        """def phi3_to_paper(state_dict):
    gate, up = state_dict["gate_up_proj.weight"].chunk(2, dim=0)  # gate rows first, as chunk(2, dim=-1) reads them
    return gate.T, up.T, state_dict["down_proj.weight"].T""",
    ),
    8: Solution(
        r"`F.glu(t, dim)` splits `t` into halves along `dim` and returns `first * sigmoid(second)`: the second half "
        r"is the gate. With `t = torch.cat([a, b], dim=-1)` the first half is `a`, so the result is "
        r"`a * torch.sigmoid(b)`. Checkpoints that fuse gate and up the other way round (Phi-3, vLLM: gate first) "
        r"must have their halves swapped before F.glu can be used on them.",
        'answer = "a"',
    ),
}
