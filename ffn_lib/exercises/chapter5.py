"""Exercises of chapter 5: GEGLU and its siblings."""

import numpy as np

from .. import sizing
from ..activations import gelu, relu
from ..blocks import gated_ffn_reference
from . import _cases, _numeric
from .choice import ChoiceExercise
from .function import FunctionExercise
from .number import NumberExercise

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
        reference=lambda g, u: gelu(g) * u,
        cases=_cases.gated_pair_torch,
        mistakes=[(lambda g, u: gelu(g, "tanh") * u,
                   "your output matches the tanh GELU (T5 v1.1's 'gated-gelu'); this exercise asks for the erf "
                   "definition."),
                  (lambda g, u: gelu(u) * g, "gate and up are swapped: GELU is applied to the gate g."),
                  (lambda g, u: gelu(g) * gelu(u), "GELU is applied to both; the value u is not activated.")],
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
    NumberExercise(
        title="Parameter ratio at matched width",
        statement=r"Take $d_\text{model} = 768$. A GEGLU block uses $d_\text{ff}$ = `ffn_lib.sizing.matched_d_ff(768)`"
                  r", a plain GELU FFN $d_\text{ff} = 3072$; neither has biases. What is the ratio of their parameter "
                  r"counts (GEGLU / plain)?",
        hints=["`ffn_lib.sizing.param_count(d_model, d_ff, gated=..., bias=False)` counts both.",
               "The point of the 2/3 rule is what this ratio comes out as."],
        starter="answer = ...\nex.q4.check(answer)",
        expected=lambda: sizing.param_count(768, sizing.matched_d_ff(768), gated=True, bias=False)
        / sizing.param_count(768, 3072, gated=False, bias=False),
        abs_tol=1e-3,
        mistakes=[(lambda: 1.5, "1.5 is the ratio with an unscaled d_ff = 3072 in the gated block."),
                  (lambda: 2 / 3, "2/3 is the width ratio, not the parameter ratio.")],
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
                   "that is (E[max(0, g)])^2, the squared mean; the second moment is E[max(0, g)^2].")],
    ),
]
