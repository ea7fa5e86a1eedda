"""Exercises of chapter 2: GELU."""

import math

import numpy as np
import torch

from ..activations import gelu, gelu_derivative, sigmoid
from . import _cases, _numeric
from .choice import ChoiceExercise
from .function import FunctionExercise
from .number import NumberExercise

SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
# Diagnoses of exercises 2.2 and 2.5: one template for every rounded coefficient, one for every coarse grid step
# (filled in where the mistake is defined).
MESSAGES = {"rounded": "the coefficient is rounded ({c}); use 0.044715 exactly, as the statement gives it.",
            "coarse": ("that is the maximum on a coarse grid (step {step}): a grid can step over the peak, so a "
                       "coarse one underestimates a maximum. Use a step of 0.001 or finer.")}


def _phi_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _phi_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)

EXERCISES = [
    NumberExercise(
        title="GELU at -1.5",
        statement=r"Compute $\mathrm{GELU}(-1.5) = -1.5 \cdot \Phi(-1.5)$ from the definition, to 4 decimal places.",
        hints=[r"$\Phi$ is the standard normal CDF: $\Phi(x) = \tfrac12\left(1 + \operatorname{erf}(x/\sqrt2)\right)$.",
               "`math.erf` is in Python's standard library; or use `ffn_lib.gelu` to check your hand computation."],
        starter="answer = ...\nex.q1.check(answer)",
        expected=lambda: float(gelu(-1.5)),
        abs_tol=5e-5,
        mistakes=[(lambda: float(gelu(-1.5, "tanh")),
                   "that is the tanh approximation's value; the exercise asks for the definition x Phi(x)."),
                  (lambda: float(gelu(-1.5, "sigmoid")), "that is the sigmoid approximation x sigmoid(1.702 x)."),
                  (lambda: -float(gelu(-1.5)) / 1.5, "that is Phi(-1.5), a probability; GELU multiplies it by "
                                                     "x = -1.5."),
                  (lambda: -1.5 * _phi_cdf(1.5),
                   "that is -1.5 Phi(1.5): Phi(-1.5) is the probability below -1.5, a small number, equal to "
                   "1 - Phi(1.5)."),
                  (lambda: 0.0, "0 is ReLU(-1.5); GELU lets a little of the negative input through.")],
    ),
    FunctionExercise(
        title="The tanh approximation",
        statement=r"Write `gelu_tanh(x)` for NumPy arrays: "
                  r"$\tfrac{x}{2}\left(1 + \tanh\!\left(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right)\right)$.",
        hints=["`np.tanh` and `np.sqrt(2 / np.pi)` are all you need.",
               "Mind the cube: `x**3`, inside the tanh, multiplied by 0.044715 and added to x."],
        starter="import numpy as np\n\ndef gelu_tanh(x):\n    ...  # your code here\n\nex.q2.check(gelu_tanh)",
        answer_name="gelu_tanh",
        constants=True,  # sqrt(2/pi), 0.044715, 1/sqrt(2): a learner may type them rounded
        reference=lambda x: gelu(x, "tanh"),
        cases=_cases.scalar_function_numpy,
        mistakes=[(lambda x: gelu(x), "your output matches the erf definition; this exercise asks for the tanh "
                                      "approximation."),
                  (lambda x: gelu(x, "sigmoid"), "your output matches the sigmoid approximation x sigmoid(1.702x)."),
                  (lambda x: 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * x)), "the 0.044715 x^3 term is missing."),
                  (lambda x: x * (1 + np.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x**3))),
                   "the factor 1/2 is missing."),
                  *[(lambda x, c=c: 0.5 * x * (1 + np.tanh(SQRT_2_OVER_PI * (x + c * x**3))),
                     MESSAGES["rounded"].format(c=c))
                    for c in (0.0447, 0.04472, 0.0445, 0.045)]],
    ),
    FunctionExercise(
        title="GELU by its definition, in PyTorch",
        statement=r"Write `gelu_erf(x)` for torch tensors: $x\,\Phi(x) = \tfrac{x}{2}\left(1 + "
                  r"\operatorname{erf}(x/\sqrt2)\right)$, keeping the input's dtype.",
        hints=["`torch.erf` works elementwise on tensors of any shape.",
               r"Divide by $\sqrt2$ inside the erf: `torch.erf(x / math.sqrt(2))`."],
        starter="import math\nimport torch\n\ndef gelu_erf(x):\n    ...  # your code here\n\nex.q3.check(gelu_erf)",
        answer_name="gelu_erf",
        constants=True,  # sqrt(2/pi), 0.044715, 1/sqrt(2): a learner may type them rounded
        reference=lambda x: gelu(x),
        cases=_cases.scalar_function_torch,
        mistakes=[(lambda x: gelu(x, "tanh"), "your output matches the tanh approximation; this exercise asks for "
                                              "the erf definition."),
                  (lambda x: 0.5 * x * (1 + torch.erf(x)), "erf(x) instead of erf(x / sqrt 2): Phi needs the sqrt 2."),
                  (lambda x: x * sigmoid(1.702 * x), "your output matches the sigmoid approximation.")],
    ),
    ChoiceExercise(
        title="What the article wrote",
        statement=r"The source article gives GELU as "
                  r"$0.5x\left(1 + \tanh\left(\sqrt{2/\pi}(x + 0.044715x^3)\right)\right)$. Which statement is right?",
        hints=["Hendrycks and Gimpel define GELU as $x\\,\\Phi(x)$ and then offer two cheaper forms.",
               "The chapter measures how far the tanh form is from the definition."],
        starter='answer = ...  # "a", "b", "c" or "d"\nex.q4.check(answer)',
        options={"a": "It is the definition, and what PyTorch's default `F.gelu` computes.",
                 "b": r"It approximates the definition $x\,\Phi(x)$, with a largest error below $10^{-3}$.",
                 "c": "It is exact for |x| < 3 and only differs in the tails.",
                 "d": r"It is the same function as $x\,\sigma(1.702x)$."},
        correct="b",
        mistakes={"a": "PyTorch's default is the erf form; approximate='tanh' selects this one.",
                  "c": "the two differ everywhere except at 0 and far out; the largest gap is near |x| = 2.7.",
                  "d": "that is the other, coarser approximation (its error reaches about 0.02)."},
    ),
    NumberExercise(
        title="A rounder coefficient",
        statement=r"Suppose the tanh form used the rounder coefficient $c = 0.05$ instead of 0.044715: "
                  r"$f(x) = \tfrac{x}{2}\left(1 + \tanh\!\left(\sqrt{2/\pi}\,(x + 0.05\,x^3)\right)\right)$. "
                  r"Compute its largest error against the definition, $\max_x |f(x) - \mathrm{GELU}(x)|$, "
                  r"numerically (a grid on $[-6, 6]$ with a step of 0.001 or finer is enough). Give 5 "
                  r"significant digits: the largest gap "
                  r"between $f$ and the paper's tanh form (with 0.044715) is a different number that agrees with "
                  r"this one to 3 significant digits, and the check tells the two apart.",
        hints=["`ffn_lib.gelu(x)` accepts NumPy arrays; write the tanh form with c = 0.05 yourself.",
               "`np.linspace(-6, 6, 1_000_001)` then `np.max(np.abs(...))`."],
        starter="answer = ...\nex.q5.check(answer)",
        expected=lambda: _numeric.gelu_tanh_error_with(0.05),
        rel_tol=1e-4,
        mistakes=[(_numeric.tanh_gelu_error, "that is the error with the paper's coefficient 0.044715; the exercise "
                                             "asks about c = 0.05."),
                  (_numeric.sigmoid_gelu_error, "that is the sigmoid approximation's largest error; the exercise "
                                                "asks about the tanh form with c = 0.05."),
                  *[(lambda n=n: _numeric.max_abs_gap(lambda x: _numeric.gelu_tanh_with(x, 0.05), gelu, n=n),
                     MESSAGES["coarse"].format(step=step))
                    for n, step in ((121, 0.1),)],  # a step of 0.05 or finer is within the tolerance
                  (lambda: _numeric.tanh_forms_gap(0.05, 0.044715),
                   "that is the largest gap to the paper's tanh form (c = 0.044715), not to the definition "
                   "x Phi(x): compare with `ffn_lib.gelu(x)`, the erf form.")],
    ),
    NumberExercise(
        title="GELU's slope in the negative tail",
        statement=r"Differentiate $\mathrm{GELU}(x) = x\,\Phi(x)$ and evaluate $\mathrm{GELU}'(-2)$. "
                  r"(Use $\Phi' = \varphi$, the standard normal density $\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}$.)",
        hints=[r"The product rule: $\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x)$.",
               r"At $x = -2$ the second term is negative and larger than the first: the slope is negative, "
               r"so a smooth activation can pass a *negative* gradient."],
        starter="answer = ...\nex.q6.check(answer)",
        expected=lambda: float(gelu_derivative(-2.0)),
        abs_tol=5e-5,
        mistakes=[(lambda: _phi_cdf(-2.0),
                   "that is Phi(-2) alone: the product rule also gives x phi(x)."),
                  (lambda: _phi_cdf(-2.0) + 2.0 * _phi_pdf(-2.0),
                   "the sign of the second term is off: it is x phi(x) with x = -2."),
                  (lambda: _phi_pdf(-2.0), "that is phi(-2), the density; GELU' is Phi(x) + x phi(x)."),
                  (lambda: 0.0, "0 is ReLU's slope for negative x; GELU's is not zero there.")],
    ),
]
