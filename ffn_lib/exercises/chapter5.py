"""Exercises of chapter 5: GEGLU and its siblings."""

from functools import lru_cache

import numpy as np
import torch

from .. import fp8
from ..activations import gelu, relu, silu
from ..blocks import gated_ffn_reference
from . import _cases, _numeric
from .choice import ChoiceExercise
from .function import FunctionExercise
from .number import NumberExercise

@lru_cache(maxsize=None)
def _aligned_growth(factor: float) -> float:
    """The growth of the peak of an aligned SwiGLU unit (w = v, norm 20, as the chapter's FP8 section builds it)
    on 4,096 standard normal inputs of width 256, when w and v grow by ``factor``."""
    rng = torch.Generator().manual_seed(0)
    direction = torch.nn.functional.normalize(torch.randn(256, generator=rng, dtype=torch.float64), dim=0)
    z = torch.randn(4096, 256, generator=rng, dtype=torch.float64) @ (20 * direction)
    return fp8.aligned_unit_growth(z, factor)


EXERCISES = [
    FunctionExercise(
        title="GEGLU's inner step",
        statement=r"Write `geglu_act_mul(g, u)` for torch tensors: $\mathrm{GELU}(g) \otimes u$ with the erf "
                  r"GELU, keeping the dtype.",
        hints=["`torch.nn.functional.gelu(g)` is the erf GELU by default.",
               "The GELU goes on the gate g only; u is the value."],
        starter="import torch\nimport torch.nn.functional as F\n\ndef geglu_act_mul(g, u):\n    ...  # your code here\n\n"
                "ex.q1.check(geglu_act_mul)",
        answer_name="geglu_act_mul",
        constants=True,  # sqrt(2/pi), 0.044715, 1/sqrt(2): a learner may type them rounded
        reference=lambda g, u: gelu(g) * u,
        cases=_cases.gated_pair_torch,
        mistakes=[(lambda g, u: gelu(g, "tanh") * u,
                   "your output matches the tanh GELU (T5 v1.1's 'gated-gelu'); this exercise asks for the erf "
                   "definition."),
                  (lambda g, u: gelu(u) * g, "gate and up are swapped: GELU is applied to the gate g."),
                  (lambda g, u: gelu(g) * gelu(u), "GELU is applied to both; the value u is not activated."),
                  (lambda g, u: silu(g) * u,
                   "that is SwiGLU's inner step, SiLU on the gate (chapter 6's block); GEGLU's gate is the GELU "
                   "(`F.gelu`).")],
    ),
    ChoiceExercise(
        title="T5 v1.1's gated-gelu",
        statement="T5 v1.1 checkpoints name their FFN activation `gated-gelu`. Which GELU is it?",
        hints=["Hugging Face maps T5's `gated-gelu` to the activation it calls `gelu_new`.",
               "`ffn_lib.get_activation(\"gelu_new\")` tells you which one that is."],
        starter='answer = ...  # "a", "b", "c" or "d"\nex.q2.check(answer)',
        options={"a": r"the erf definition $x\,\Phi(x)$", "b": "the tanh approximation",
                 "c": r"the sigmoid approximation $x\,\sigma(1.702x)$", "d": "ReLU"},
        correct="b",
        mistakes={"a": "that is `gelu` in Hugging Face's names; T5 v1.1 uses `gelu_new`.",
                  "c": "that is `quick_gelu` (CLIP).", "d": "ReLU is T5 v1.0's activation, without a gate."},
    ),
    FunctionExercise(
        title="ReGLU in NumPy",
        statement=r"Write `reglu_ffn(x, W, V, W2)` returning $(\max(0, xW) \otimes xV)\,W_2$ for NumPy arrays "
                  r"(the same layout as exercise 4.2).",
        hints=["Copy your GLU block from chapter 4 and change one function.",
               "`np.maximum(x @ W, 0)` is the ReLU gate."],
        starter="import numpy as np\n\ndef reglu_ffn(x, W, V, W2):\n    ...  # your code here\n\nex.q3.check(reglu_ffn)",
        answer_name="reglu_ffn",
        reference=lambda x, W, V, W2: gated_ffn_reference(x, W, V, W2, "relu"),
        cases=lambda rng: _cases.block_weights_numpy(rng, gated=True),
        mistakes=[(lambda x, W, V, W2: (relu(x @ V) * (x @ W)) @ W2, "gate and up are swapped: ReLU goes on x W."),
                  (lambda x, W, V, W2: (relu(x @ W) * relu(x @ V)) @ W2,
                   "ReLU is applied to both projections; the value x V stays linear."),
                  (lambda x, W, V, W2: relu(x @ W) @ W2, "the value x V is missing: that is a plain ReLU FFN."),
                  (lambda x, W, V, W2: (np.clip(x @ W, 0.0, 6.0) * (x @ V)) @ W2,
                   "that is ReLU6 (clipped at 6), not ReLU: large gate pre-activations must pass through unchanged.")],
    ),
    NumberExercise(  # revision 2 of 5.4 (ids.REVISED): it was the 2/3 rule's parameter ratio
        title="Growing an aligned unit",
        statement=r"In a SwiGLU block, take a hidden unit whose gate and value weights are aligned, $w = v$ (its "
                  r"columns of $W$ and $V$), as Fishman et al. (2024) found them to become over long training runs: "
                  r"the unit computes $h = \mathrm{SiLU}(xw)\,(xv) = \mathrm{SiLU}(z)\,z$ with $z = xw$. Its peak output over a batch "
                  r"comes at a large positive $z$, where $\mathrm{SiLU}(z) \approx z$. Training now grows $w$ and "
                  r"$v$ together by a factor of 3 (they stay aligned). A plain ReLU FFN's unit, "
                  r"$\mathrm{ReLU}(x w_1)$, would grow by the same factor as its weights. By what factor does the "
                  r"aligned SwiGLU unit's peak output grow?",
        hints=[r"Write the grown unit, $\mathrm{SiLU}(3z)\,(3z)$, and ask what $\mathrm{SiLU}(3z)$ is where $z$ is "
               r"large.",
               "The gate's output and the value both grow, and the unit is their product. "
               "`ffn_lib.fp8.aligned_unit_growth(z, 3.0)` measures the ratio on a batch of pre-activations z."],
        starter="answer = ...\nex.q4.check(answer)",
        # on the chapter's aligned unit (norm 20): 8.999999999999998 in float64, rounded to 6 decimals
        expected=lambda: round(_aligned_growth(3.0), 6),
        abs_tol=0.05,
        mistakes=[(lambda: 3.0, "3 is the growth of a plain ReLU unit, linear in its weights. Here the gate's "
                                "output and the value both grow by 3, and the unit is their product."),
                  (lambda: 6.0, "that adds the two growths, 3 + 3. The gate's output and the value multiply, so "
                                "their growths multiply too."),
                  (lambda: 27.0, "that counts three factors of 3. Only two grow, SiLU(3z) (about 3z) and the "
                                 "value 3z: the sigmoid inside SiLU tends to 1 and does not grow.")],
    ),
    NumberExercise(
        title="The scale of a gated unit",
        statement=r"At initialisation, take the gate $g$ and the value $u$ of one ReGLU hidden unit to be independent "
                  r"standard normal numbers. Derive the second moment $\mathbb{E}\big[(\max(0, g)\,u)^2\big]$ "
                  r"of the unit $h = \max(0, g)\,u$. (With PyTorch's default initialisation both have a standard "
                  r"deviation $s$ below 1, as the chapter measured; the moment then scales by $s^4$.)",
        hints=[r"Independence splits the expectation: $\mathbb{E}[\max(0,g)^2]\;\mathbb{E}[u^2]$.",
               r"$\max(0, g)^2$ is $g^2$ on the half of the line where $g > 0$ and 0 elsewhere; the normal density "
               r"is symmetric."],
        starter="answer = ...\nex.q5.check(answer)",
        # by quadrature, rounded to 12 decimals: its error (about 1e-16) would otherwise print as 0.5000000000000001
        expected=lambda: round(_numeric.gaussian_mean(lambda z: relu(z) ** 2), 12),
        abs_tol=5e-3,
        mistakes=[(lambda: 1.0, "1 is E[g^2 u^2], without the ReLU: the ReLU zeroes the negative half of g."),
                  (lambda: 0.25, "that squares the one half: the ReLU keeps half of the line, not half of g."),
                  (lambda: _numeric.gaussian_mean(lambda z: relu(z)) ** 2,
                   "that is (E[max(0, g)])^2, the squared mean; the second moment is E[max(0, g)^2]."),
                  (lambda: 0.0, "that is the mean E[h], zero because u is symmetric about 0. The second moment "
                                "squares h before averaging, and a square is never negative."),
                  (lambda: 0.5 ** 0.5, "that is the root mean square, the square root of E[h^2]; the question "
                                       "asks for the second moment E[h^2] itself.")],
    ),
]
