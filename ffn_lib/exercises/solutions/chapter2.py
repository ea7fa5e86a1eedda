"""Worked solutions of chapter 2."""

from .. import _numeric
from ..base import Solution

_RATIO = _numeric.gelu_tanh_error_with(0.05) / _numeric.tanh_gelu_error()

SOLUTIONS = {
    1: Solution(
        r"$\Phi(-1.5) = \tfrac12(1 + \operatorname{erf}(-1.5/\sqrt2))$, a small probability, so "
        r"$\mathrm{GELU}(-1.5) = -1.5\,\Phi(-1.5)$ is a small negative number, where ReLU would give 0.",
        """import math

x = -1.5
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
        "Its error is small but not zero (chapter 2's section *Two approximations* measures it), and PyTorch's "
        "default `F.gelu` is the erf form.",
        'answer = "b"',
    ),
    5: Solution(
        (r"Evaluate the tanh form with c = 0.05 and the definition on a fine grid and take the largest absolute "
         r"difference. The rounder coefficient's error is {ratio} times the error with 0.044715 (both computed "
         r"here): the error is sensitive to c, so the constant is not rounded. 0.044715 is not the GELU paper's "
         r"own fit: it is the coefficient Page (1977) gave for approximating the normal CDF $\Phi$, which is, to "
         r"the digits it has, the one that makes the largest error against $\Phi$ smallest (chapter 2's section "
         r"*Two approximations*); the GELU paper carried it over unchanged.").format(ratio=f"{_RATIO:.1f}"),
        """import numpy as np
import ffn_lib

x = np.linspace(-6, 6, 1_200_001)
tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.05 * x**3)))
answer = np.max(np.abs(tanh_form - ffn_lib.gelu(x)))""",
    ),
    6: Solution(
        r"By the product rule, $\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x)$. At $x = -2$ the second term, "
        r"$-2\,\varphi(-2)$, outweighs $\Phi(-2)$: the slope is negative. It is zero where "
        r"$\Phi(x) = -x\,\varphi(x)$, at GELU's minimum, and negative below it. `ffn_lib.gelu_derivative` "
        "computes the same formula.",
        """import math

x = -2.0
Phi = 0.5 * (1 + math.erf(x / math.sqrt(2)))
phi = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
answer = Phi + x * phi""",
    ),
}
