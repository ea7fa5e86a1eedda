"""Worked solutions of chapter 2."""

from ..core import Solution

SOLUTIONS = {
    1: Solution(
        r"$\Phi(-1) = \tfrac12(1 + \operatorname{erf}(-1/\sqrt2)) \approx 0.1587$, so $\mathrm{GELU}(-1) = "
        r"-\Phi(-1)$: a small negative number, where ReLU would give 0.",
        """import math

x = -1.0
answer = x * 0.5 * (1 + math.erf(x / math.sqrt(2)))""",
    ),
    2: Solution(
        "The formula, transcribed. Each piece is elementwise, so it works for arrays of any shape.",
        """import numpy as np

def gelu_tanh(x):
    inner = np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)
    return 0.5 * x * (1 + np.tanh(inner))""",
    ),
    3: Solution(
        r"$\Phi(x) = \tfrac12(1 + \operatorname{erf}(x/\sqrt2))$; multiply by $x$. `torch.erf` keeps the dtype.",
        """import math
import torch

def gelu_erf(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))""",
    ),
    4: Solution(
        r"Hendrycks and Gimpel define GELU as $x\,\Phi(x)$ and give the tanh form as a cheaper approximation. "
        "Its error is small but not zero (exercise 2.5 measures it), and PyTorch's default `F.gelu` is the erf form.",
        'answer = "b"',
    ),
    5: Solution(
        "Evaluate both on a fine grid and take the largest absolute difference. The gap peaks near |x| = 2.7.",
        """import numpy as np
import ffn_lib

x = np.linspace(-6, 6, 1_200_001)
answer = np.max(np.abs(ffn_lib.gelu(x, approximate="tanh") - ffn_lib.gelu(x)))""",
    ),
}
