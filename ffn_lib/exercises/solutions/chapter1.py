"""Worked solutions of chapter 1."""

from ..base import Solution

SOLUTIONS = {
    1: Solution(
        r"Two matrices of $768 \times 3072$ and two bias vectors: $2 \cdot 768 \cdot 3072 + 3072 + 768$. "
        "`ffn_lib.sizing.param_count` does the same sum.",
        """d_model, d_ff = 768, 3072
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
        r"Each product of a $2048 \times 768$ by a $768 \times 3072$ matrix does $2048 \cdot 768 \cdot 3072$ "
        r"multiply-adds, i.e. twice that many FLOPs; the second product does the same number again.",
        """tokens, d_model, d_ff = 2048, 768, 3072
answer = 2 * (2 * tokens * d_model * d_ff)""",
    ),
    5: Solution(
        r"The pre-activations form a `(batch, d_ff)` array, a column per hidden unit. A unit is dead when its "
        r"column is $\le 0$ all the way down: ReLU then outputs 0 for every input of the batch and passes back no "
        r"gradient. `.all(axis=0)` asks exactly that of each column; the mean of the mask is what "
        r"`ffn_lib.analysis.dead_unit_fraction` reports for a block.",
        """import numpy as np

def dead_units(x, W1, b1):
    h = x @ W1 + b1                # pre-activations, (batch, d_ff)
    return (h <= 0).all(axis=0)    # dead: <= 0 for every row""",
    ),
    6: Solution(
        r"Forward: two products of $2 \cdot 2048 \cdot d_\text{model} \cdot d_\text{ff}$ FLOPs each. Backward: "
        r"for each layer $y = xW$ one product gives $\partial L/\partial x$ and one gives $\partial L/\partial W$, "
        r"each as costly as the forward product, so the backward is twice the forward and the step is three times "
        r"it: $6 \times$ parameters per token, the chapter's rule of thumb, with $2\,d_\text{model}\,d_\text{ff}$ "
        r"parameters (weights; the biases are not in the products) and 2,048 tokens. "
        "`ffn_lib.sizing.backward_flops` encodes the factor 2.",
        """tokens, d_model, d_ff = 2048, 768, 3072
forward = 2 * (2 * tokens * d_model * d_ff)
answer = 3 * forward""",
    ),
    7: Solution(
        r"One input leaves the unit at or below the shift with probability $\Phi(3) = 0.99865$; the 1,024 "
        r"inputs are independent, so all of them do with probability $\Phi(3)^{1024} = e^{1024 \ln \Phi(3)} "
        r"\approx e^{-1.38}$: about one chance in four. On 16 inputs the same unit would be dead with probability "
        r"0.98, on 4,096 with 0.004: the larger the batch, the likelier one input fires the unit, which is why "
        r"*dead* is said of a batch. `ffn_lib.analysis.predicted_dead_fraction(3.0, 1024, [0.0], [1.0])` "
        r"computes the same.",
        """import math

phi_3 = 0.5 * (1 + math.erf(3 / math.sqrt(2)))   # one input at or below the shift
answer = phi_3 ** 1024                             # all 1,024 independent inputs""",
    ),
}
