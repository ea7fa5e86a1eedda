"""Worked solutions of chapter 3."""

from .. import _numeric
from ...activations import silu_derivative
from ..base import Solution

_PEAK = _numeric.swish_relu_gap_peak(5.0)
_SLOPE_AT = _numeric.max_slope(silu_derivative)[0]

SOLUTIONS = {
    1: Solution(
        r"The gate $\sigma(\beta x)$, computed as the chapter computes the sigmoid safely, then the product with "
        r"$x$: exponentiate only $-|z|$, which lies in $(0, 1]$, and take $1/(1 + e)$ for $z \ge 0$ and "
        r"$e/(1 + e)$ for $z < 0$. The textbook `1 / (1 + np.exp(-beta * x))` gives the same values, but `np.exp` "
        r"overflows with a warning for very negative $\beta x$.",
        """import numpy as np

def swish(x, beta):
    z = beta * x
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    gate = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return x * gate""",
    ),
    2: Solution(
        r"Differentiating $\mathrm{Swish}_\beta'(x) = \sigma(\beta x) + \beta x\,\sigma'(\beta x)$ once more "
        r"gives $\mathrm{Swish}_\beta''(x) = 2\beta\,\sigma'(\beta x) + \beta^2 x\,\sigma''(\beta x)$; at $x = 0$ "
        r"that is $2\beta\,\sigma'(0) = \beta/2$, so $\mathrm{Swish}_3''(0) = 3/2$ (the rescaling gives the same: "
        r"$\beta\,\mathrm{SiLU}''(0)$ with $\mathrm{SiLU}''(0) = 1/2$). The slope at 0 is 1/2 for every $\beta$, "
        r"but the bend grows in proportion to $\beta$: none at $\beta = 0$, the straight line $x/2$, and without "
        r"bound as $\beta \to \infty$, where Swish becomes ReLU and the bend becomes its kink.",
        """beta = 3.0
s = 0.5                                 # sigma(0)
answer = 2 * beta * s * (1 - s)         # 2 beta sigma'(0)""",
    ),
    3: Solution(
        r"$\mathrm{Swish}_\beta(x) = x\,\sigma(\beta x) = \mathrm{SiLU}(\beta x)/\beta$, so Swish_3 has SiLU's dip, "
        r"at a third of the depth and a third of the distance from 0. A fine grid over the negative numbers finds it; "
        "the same depth is also Swish_3's largest distance to ReLU (exercise 3.5 asks it for beta = 5).",
        """import numpy as np
import ffn_lib

x = np.linspace(-2, 0, 2_000_001)
answer = ffn_lib.swish(x, beta=3.0).min()""",
    ),
    4: Solution(
        r"For $x > 0$ the relative gap is $\sigma(-\beta x)$, so $\sigma(-0.1\,\beta) = 0.01$: "
        r"$e^{0.1\beta} = 99$ and $\beta = 10 \ln 99 \approx 45.95$. The $\beta$ needed grows like $1/x$: at "
        r"$x = 0.01$ it is ten times as large, so no finite $\beta$ brings Swish within 1% of ReLU at every "
        r"$x > 0$. The absolute gap, SiLU's dip divided by $\beta$ (exercise 3.5), does shrink everywhere at once.",
        """import math

x, rel = 0.1, 0.01
answer = math.log((1 - rel) / rel) / x  # sigma(-beta x) = rel""",
    ),
    5: Solution(
        (r"For $x > 0$ the gap is $x\,\sigma(-5x)$ and for $x < 0$ it is $|x|\,\sigma(5x)$: the same function of "
         r"$|x|$, so the gap is even, with two equal peaks, at $x = \pm {peak}$ (computed here). Substituting "
         r"$t = 5x$ turns it into $|{{\rm SiLU}}(-|t|)|/5$: the peak is the depth of SiLU's dip divided by "
         r"5.").format(peak=f"{_PEAK:.4f}"),
        """import numpy as np
import ffn_lib

x = np.linspace(-10, 10, 2_000_001)
answer = np.max(np.abs(ffn_lib.swish(x, beta=5.0) - ffn_lib.relu(x)))""",
    ),
    6: Solution(
        (r"$\mathrm{{SiLU}}'(x) = \sigma(x) + x\,\sigma(x)(1 - \sigma(x))$. It is 1/2 at 0, tends to 1 from above "
         r"as $x$ grows, and peaks at $x \approx {x}$ (computed here): SiLU is steeper than the identity there, "
         r"one reason its gradients can exceed ReLU's. `ffn_lib.silu_derivative` is the same "
         r"formula.").format(x=f"{_SLOPE_AT:.4f}"),
        """import numpy as np
import ffn_lib

x = np.linspace(0, 10, 2_000_001)
answer = ffn_lib.silu_derivative(x).max()""",
    ),
}
