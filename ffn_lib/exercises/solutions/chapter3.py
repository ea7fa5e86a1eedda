"""Worked solutions of chapter 3."""

from ..core import Solution

SOLUTIONS = {
    1: Solution(
        r"The gate $\sigma(\beta x)$, then the product with $x$. For very negative $\beta x$, `np.exp` overflows "
        "with a warning; `ffn_lib.sigmoid` avoids that by only ever exponentiating $-|z|$.",
        """import numpy as np

def swish(x, beta):
    gate = 1 / (1 + np.exp(-beta * x))
    return x * gate""",
    ),
    2: Solution(
        r"$\sigma(0) = 1/2$ for every input, so $\mathrm{Swish}_0(x) = x/2$: linear, as the article says, but "
        "with slope one half.",
        """answer = 3 * 0.5""",
    ),
    3: Solution(
        "A fine grid over the negative numbers finds the dip; its depth is the same 0.27846 that bounds Swish's "
        "distance to ReLU (scaled by 1/beta).",
        """import numpy as np
import ffn_lib

x = np.linspace(-4, 0, 4_000_001)
answer = ffn_lib.silu(x).min()""",
    ),
    4: Solution(
        r"The gate $\sigma(\beta x)$ becomes a step: 1 for $x > 0$, 0 for $x < 0$. So $x\,\sigma(\beta x) \to "
        r"\max(0, x)$.",
        'answer = "b"',
    ),
    5: Solution(
        r"The largest gap sits at a small negative $x$; it equals the depth of the dip, $0.27846/\beta$.",
        """import numpy as np
import ffn_lib

x = np.linspace(-10, 10, 2_000_001)
answer = np.max(np.abs(ffn_lib.swish(x, beta=4.0) - ffn_lib.relu(x)))""",
    ),
}
