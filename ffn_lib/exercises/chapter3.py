"""Exercises of chapter 3: Swish and SiLU."""

import math

import numpy as np

from ..activations import sigmoid, sigmoid_derivative, silu, silu_derivative, swish
from . import _numeric
from .function import FunctionExercise
from .number import NumberExercise


def _swish_cases(rng):
    """Several betas (never 1 first: at beta = 1 swapped arguments look like other mistakes), large |x|."""
    x = rng.normal(size=(3, 4)) * 3
    grid = np.linspace(-5, 5, 41)
    tails = np.where(np.arange(8) % 2 == 0, -1.0, 1.0) * rng.uniform(6.0, 40.0, size=8)
    return [(x, 0.5), (grid, 1.0), (tails, 2.0), (grid, 0.0), (x.astype(np.float32), 3.0), (grid, 10.0)]


EXERCISES = [
    FunctionExercise(
        title="Swish with a slope",
        statement=r"Write `swish(x, beta)` for NumPy arrays: $\mathrm{Swish}_\beta(x) = x\,\sigma(\beta x)$ with "
                  r"$\sigma(z) = 1/(1 + e^{-z})$.",
        hints=["Write the sigmoid first, as its own line, then multiply by x.",
               "beta multiplies x *inside* the sigmoid, not the result."],
        starter="import numpy as np\n\ndef swish(x, beta):\n    ...  # your code here\n\nex.q1.check(swish)",
        answer_name="swish",
        reference=lambda x, beta: swish(x, beta),
        cases=_swish_cases,
        mistakes=[(lambda x, beta: silu(x), "beta is ignored: your output is SiLU (beta = 1) for every beta."),
                  (lambda x, beta: beta * x * sigmoid(x), "beta multiplies the output instead of the sigmoid's "
                                                          "argument."),
                  (lambda x, beta: sigmoid(beta * x), "you returned the gate sigmoid(beta x) without multiplying "
                                                      "by x."),
                  (lambda x, beta: beta * sigmoid(beta * x),
                   "x and beta are swapped: the function is called as swish(x, beta), x first.")],
    ),
    NumberExercise(
        title="Where Swish bends",
        statement=r"Far from 0, $\mathrm{Swish}_\beta(x) = x\,\sigma(\beta x)$ follows the straight lines 0 and $x$; "
                  r"it bends near 0, and its second derivative there says how sharply. Derive "
                  r"$\mathrm{Swish}_\beta''(0)$ and evaluate it for $\beta = 3$.",
        hints=[r"Differentiate twice. $\mathrm{Swish}_\beta'(x) = \sigma(\beta x) + \beta x\,\sigma'(\beta x)$; at "
               r"$x = 0$ every term that still carries a factor $x$ vanishes, and $\sigma'(0) = 1/4$.",
               r"Or use the rescaling $\mathrm{Swish}_\beta(x) = \mathrm{SiLU}(\beta x)/\beta$: each derivative "
               r"brings out one factor $\beta$, so $\mathrm{Swish}_\beta''(x) = \beta\,\mathrm{SiLU}''(\beta x)$."],
        starter="answer = ...\nex.q2.check(answer)",
        expected=lambda: 2 * 3.0 * float(sigmoid_derivative(0.0)),
        abs_tol=1e-9,
        mistakes=[(lambda: 0.5, "1/2 is the slope at 0, the same for every beta; the bend is the second derivative."),
                  (lambda: 0.75, "that is beta sigma'(0), one of two equal terms: the derivative of sigma(beta x) "
                                 "and that of beta x sigma'(beta x) each give beta sigma'(0) at x = 0."),
                  (lambda: 0.25, "that is sigma'(0) alone: the chain rule brings out beta, and the product rule "
                                 "gives the term twice."),
                  (lambda: 4.5, "that is beta^2 SiLU''(0): the rescaling also divides by beta, "
                                "Swish_beta(x) = SiLU(beta x)/beta, so two derivatives leave beta SiLU''(beta x)."),
                  (lambda: 0.0, "0 would make Swish_3 straight at 0; far from 0 it is nearly straight, and near 0 "
                                "is where it bends.")],
    ),
    NumberExercise(
        title="Swish's minimum",
        statement=r"$\mathrm{Swish}_3(x) = x\,\sigma(3x)$ dips below zero for negative inputs. What is its smallest "
                  "value? Give 4 decimal places.",
        hints=["Evaluate `ffn_lib.swish(x, beta=3.0)` on a fine grid of negative numbers and take the minimum.",
               r"Or use the chapter's rescaling, $\mathrm{Swish}_\beta(x) = \mathrm{SiLU}(\beta x)/\beta$: the dip "
               r"is SiLU's, at $1/\beta$ of the depth."],
        starter="answer = ...\nex.q3.check(answer)",
        expected=lambda: _numeric.swish_minimum(3.0)[1],
        abs_tol=1e-4,
        mistakes=[(_numeric.silu_minimum, "that is SiLU's minimum (beta = 1); here beta = 3, and Swish_3(x) = "
                                          "SiLU(3x)/3 dips a third as deep.", 1e-3),  # -0.278 or -0.2785 typed
                  (lambda: 3.0 * _numeric.silu_minimum(), "that is SiLU's minimum times 3; the rescaling divides "
                                                          "by beta: Swish_beta(x) = SiLU(beta x)/beta."),
                  (_numeric.gelu_minimum, "that is GELU's minimum, not Swish_3's."),
                  (lambda: _numeric.swish_minimum(3.0)[0], "that is where the minimum is (x), not the value there.")],
    ),
    NumberExercise(
        title="How large must beta be?",
        statement=r"As $\beta$ grows, $\mathrm{Swish}_\beta(x) = x\,\sigma(\beta x)$ tends to "
                  r"$\mathrm{ReLU}(x)$, but not at the same pace for every $x$. What is the smallest $\beta$ at which "
                  r"$\mathrm{Swish}_\beta(0.1)$ is within 1% of $\mathrm{ReLU}(0.1) = 0.1$? Give 2 decimal places.",
        hints=[r"For $x > 0$, $\mathrm{ReLU}(x) - \mathrm{Swish}_\beta(x) = x - x\,\sigma(\beta x) = "
               r"x\,\sigma(-\beta x)$: the relative gap is $\sigma(-\beta x)$, the part of the gate still closed. "
               r"Set it to 0.01.",
               r"$\sigma(-z) = 1/(1 + e^{z}) = 0.01$ means $e^{z} = 99$, with $z = \beta x$. Or find the root "
               r"numerically: bisect `ffn_lib.swish(0.1, beta) - 0.099` in `beta`."],
        starter="answer = ...\nex.q4.check(answer)",
        expected=lambda: _numeric.swish_relu_beta(0.1, 0.01),
        abs_tol=5e-3,
        mistakes=[(lambda: math.log(100) / 0.1,
                   "that solves e^(-beta x) = 0.01, the tail's approximation of sigma(-beta x); exactly, "
                   "sigma(-beta x) = 1/(1 + e^(beta x)) = 0.01 gives e^(beta x) = 99."),
                  (lambda: math.log(99),
                   "that is beta x, the sigmoid's argument; divide by x = 0.1 for beta."),
                  (lambda: math.log(9) / 0.1,
                   "that makes the gap at most 0.01 in absolute terms, x sigma(-beta x) <= 0.01; 1% of "
                   "ReLU(0.1) = 0.1 is 0.001."),
                  (lambda: _numeric.swish_relu_gap(1.0) / 0.001,
                   "that brings the gap below 0.001 for every x (exercise 3.5's gap, SiLU's dip over beta): enough, "
                   "but more than x = 0.1 alone needs.", 1.0)],  # the dip typed as 0.278 or 0.2785
    ),
    NumberExercise(
        title="How far from ReLU?",
        statement=r"Compute $\sup_x |\mathrm{Swish}_5(x) - \mathrm{ReLU}(x)|$ numerically.",
        hints=[r"For $x > 0$ the gap is $x - x\sigma(5x) = x\,\sigma(-5x)$; for $x < 0$ it is $|x|\,\sigma(5x)$. "
               r"Both are the same function of $|x|$: the gap is even, with two equal peaks.",
               r"A fine grid on $[-10, 10]$ finds them; or substitute $t = 5x$ and recall SiLU's dip: the chapter "
               r"shows the gap scales like $1/\beta$."],
        starter="answer = ...\nex.q5.check(answer)",
        expected=lambda: _numeric.swish_relu_gap(5.0),
        rel_tol=1e-3,
        mistakes=[(lambda: _numeric.swish_relu_gap(1.0), "that is the gap at beta = 1; it shrinks like 1/beta.",
                   1e-3),  # SiLU's dip typed to three decimals (0.278), as the hint's substitution gives it
                  (lambda: _numeric.swish_relu_gap(4.0), "that is the gap at beta = 4; this exercise has beta = 5."),
                  (lambda: _numeric.swish_relu_gap_peak(5.0),
                   "that is where the gap peaks (x), not the gap's size there."),
                  (lambda: -_numeric.gelu_minimum(),
                   "that is the depth of GELU's dip, not Swish_5's distance to ReLU.")],
    ),
    NumberExercise(
        title="SiLU's steepest slope",
        statement=r"Differentiate $\mathrm{SiLU}(x) = x\,\sigma(x)$. Its slope exceeds 1 somewhere: what is the "
                  r"largest value of $\mathrm{SiLU}'(x)$ over all $x$?",
        hints=[r"With $\sigma' = \sigma(1 - \sigma)$: $\mathrm{SiLU}'(x) = \sigma(x)\,(1 + x\,(1 - \sigma(x)))$.",
               r"It tends to 1 as $x \to \infty$ from above: evaluate it on a fine grid of $[0, 10]$ and take the "
               r"maximum (or solve $\mathrm{SiLU}''(x) = 0$)."],
        starter="answer = ...\nex.q6.check(answer)",
        expected=lambda: _numeric.max_slope(silu_derivative)[1],
        abs_tol=1e-4,
        mistakes=[(lambda: 1.0, "1 is ReLU's slope and SiLU's slope far out; SiLU overshoots it first."),
                  (lambda: 0.5, "0.5 is the slope at x = 0, not the largest."),
                  (lambda: _numeric.max_slope(silu_derivative)[0], "that is where the slope is largest (x), "
                                                                   "not the slope there."),
                  (lambda: 0.25, "0.25 is the sigmoid's largest slope; SiLU multiplies by x.")],
    ),
]
