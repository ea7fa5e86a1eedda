"""Exercises of chapter 1: the position-wise FFN block."""

import math

import numpy as np

from .. import sizing
from ..analysis import predicted_dead_fraction
from ..blocks import ffn_reference
from . import _cases
from .function import FunctionExercise
from .number import NumberExercise
from .shape import ShapeExercise

relu = lambda z: np.maximum(z, 0.0)  # noqa: E731


def _phi(x: float) -> float:
    """The standard normal CDF."""
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))

EXERCISES = [
    NumberExercise(
        title="Parameters of BERT-base's FFN",
        statement=r"BERT-base (like GPT-2 small) has $d_\text{model} = 768$ and $d_\text{ff} = 3072$, and its FFN "
                  r"has biases. How many parameters does one FFN block have?",
        hints=["Count the four pieces separately: $W_1$, $b_1$, $W_2$, $b_2$.",
               r"$W_1$ is $d_\text{model} \times d_\text{ff}$, $W_2$ is $d_\text{ff} \times d_\text{model}$, "
               r"$b_1$ has $d_\text{ff}$ entries and $b_2$ has $d_\text{model}$."],
        starter="answer = ...  # a whole number\nex.q1.check(answer)",
        expected=lambda: sizing.param_count(768, 3072, gated=False, bias=True),
        integer=True,
        unit="parameters",
        mistakes=[(lambda: sizing.param_count(768, 3072, gated=False, bias=False),
                   "that counts the two matrices but leaves out the biases b1 (d_ff entries) and b2 (d_model)."),
                  (lambda: 768 * 3072, "that is one matrix; the block has two, plus their biases."),
                  (lambda: 768 * 3072 + 3072, "that is the first layer (W1 and b1) only; add W2 and b2."),
                  (lambda: sizing.param_count(768, 3072, gated=False, bias=False) + 3072,
                   "that counts only one of the two biases, b1 (d_ff entries); add b2 (d_model entries)."),
                  (lambda: sizing.param_count(768, 3072, gated=False, bias=False) + 768,
                   "that counts only one of the two biases, b2 (d_model entries); add b1 (d_ff entries).")],
    ),
    ShapeExercise(
        title="The shape of the hidden layer",
        statement=r"A batch `x` of shape `(8, 128, 512)` (sequences, positions, $d_\text{model}$) goes through the "
                  r"base FFN ($d_\text{ff} = 2048$). What is the shape of $h = \mathrm{ReLU}(xW_1 + b_1)$?",
        hints=["The block acts on each position on its own: the leading dimensions pass through untouched.",
               r"Only the last dimension changes, from $d_\text{model}$ to $d_\text{ff}$."],
        starter="answer = ...  # a tuple such as (2, 3)\nex.q2.check(answer)",
        expected=lambda: (8, 128, 2048),
        mistakes=[(lambda: (8, 128, 512), "that is the shape of the block's output; h lives in the wider d_ff space."),
                  (lambda: (1024, 2048), "no flattening is needed: the block keeps every leading dimension."),
                  (lambda: (2048, 512), "that is the shape nn.Linear stores W1 in, not the shape of h.")],
    ),
    FunctionExercise(
        title="The FFN forward in NumPy",
        statement=r"Write `ffn_forward(x, W1, b1, W2, b2)` returning $\mathrm{ReLU}(xW_1 + b_1)W_2 + b_2$ for "
                  r"NumPy arrays in the paper's layout: `x` is `(..., d_model)`, `W1` is `(d_model, d_ff)`, "
                  r"`b1` is `(d_ff,)`, `W2` is `(d_ff, d_model)`, `b2` is `(d_model,)`.",
        hints=["`@` multiplies the last dimension of `x` with the first of `W1`, whatever the leading dimensions.",
               "ReLU is `np.maximum(z, 0)`. It goes between the two layers only."],
        starter="def ffn_forward(x, W1, b1, W2, b2):\n    ...  # your code here\n\nex.q3.check(ffn_forward)",
        answer_name="ffn_forward",
        reference=lambda x, W1, b1, W2, b2: ffn_reference(x, W1, b1, W2, b2, "relu"),
        cases=lambda rng: _cases.block_weights_numpy(rng, gated=False),
        mistakes=[(lambda x, W1, b1, W2, b2: (x @ W1 + b1) @ W2 + b2,
                   "the ReLU is missing; without it the two layers collapse into one linear map."),
                  (lambda x, W1, b1, W2, b2: relu(relu(x @ W1 + b1) @ W2 + b2),
                   "ReLU is applied to the output too; the activation sits only between the two layers."),
                  (lambda x, W1, b1, W2, b2: relu(x @ W1 + b1) @ W2, "the output bias b2 is missing."),
                  (lambda x, W1, b1, W2, b2: relu(x @ W1) @ W2 + b2, "the hidden bias b1 is missing."),
                  (lambda x, W1, b1, W2, b2: np.clip(x @ W1 + b1, 0.0, 6.0) @ W2 + b2,
                   "that is ReLU6 (clipped at 6), not ReLU: large pre-activations must pass through unchanged.")],
    ),
    NumberExercise(
        title="FLOPs of one forward pass",
        statement=r"How many FLOPs do the two matrix products of a BERT-base FFN ($d_\text{model} = 768$, "
                  r"$d_\text{ff} = 3072$) do for 2,048 tokens? Count a multiply-add as 2 FLOPs.",
        hints=[r"A product of a $(n \times k)$ and a $(k \times m)$ matrix does $n \cdot k \cdot m$ multiply-adds.",
               r"There are two products, $xW_1$ and $hW_2$: what are the sizes of each, for 2,048 tokens?"],
        starter="answer = ...\nex.q4.check(answer)",
        expected=lambda: sizing.forward_flops(2048, 768, 3072, gated=False),
        rel_tol=1e-3,
        unit="FLOPs",
        mistakes=[(lambda: sizing.forward_flops(2048, 768, 3072, gated=False) / 2,
                   "that is half the answer: either a multiply-add was counted as one FLOP (the convention here, "
                   "as in most papers, is two) or only one of the two products was counted."),
                  (lambda: sizing.forward_flops(2048, 768, 3072, gated=False) / 2048,
                   "that is the count for a single token; multiply by the 2,048 tokens.")],
    ),
    FunctionExercise(
        title="Which units are dead?",
        statement=r"Write `dead_units(x, W1, b1)` for NumPy arrays: `x` is a batch `(batch, d_model)`, `W1` is "
                  r"`(d_model, d_ff)`, `b1` is `(d_ff,)`. Return a boolean array of shape `(d_ff,)`, True for each "
                  r"hidden unit that is dead on the batch: its pre-activation $xW_1 + b_1$ is $\le 0$ for every row "
                  r"of `x`. A unit whose largest pre-activation is exactly 0 counts as dead, as "
                  r"`ffn_lib.analysis.dead_unit_fraction` counts it: ReLU outputs 0 there, and PyTorch's derivative "
                  r"of ReLU at 0 is 0.",
        hints=[r"Compute the pre-activations `h = x @ W1 + b1`, shape `(batch, d_ff)`: one row per input, one "
               r"column per hidden unit. A unit is a column of `h`.",
               r"`h <= 0` says which activations are zero. A unit is dead when that holds down its whole column, so "
               r"reduce over the rows: `.all(axis=0)`. With `.any` a unit would count as dead as soon as one input "
               r"switches it off, and about half of all activations are off."],
        starter="import numpy as np\n\ndef dead_units(x, W1, b1):\n    ...  # your code here\n\n"
                "ex.q5.check(dead_units)",
        answer_name="dead_units",
        reference=lambda x, W1, b1: (x @ W1 + b1 <= 0).all(axis=0),
        cases=_cases.dead_unit_batches,
        mistakes=[(lambda x, W1, b1: (x @ W1 + b1 <= 0).any(axis=0),
                   "that marks a unit dead as soon as one row switches it off (`any`); a dead unit is off for every "
                   "row of the batch (`all`). About half of all activations are zero, but almost no unit is zero "
                   "for every input."),
                  (lambda x, W1, b1: (x @ W1 <= 0).all(axis=0),
                   "the bias b1 is missing: the pre-activation is x W1 + b1, and a negative bias is what kills a "
                   "unit."),
                  (lambda x, W1, b1: (x @ W1 + b1 < 0).all(axis=0),
                   "that uses < 0: a unit whose largest pre-activation is exactly 0 outputs 0 and gets no gradient "
                   "(ReLU's derivative at 0 is 0 in PyTorch), so it is dead too. Use <= 0."),
                  (lambda x, W1, b1: (x @ W1 + b1 <= 0).all(axis=1),
                   "that reduces over the units (axis=1), one value per row of x; a unit is a column of x W1 + b1, "
                   "so reduce over the rows, axis=0."),
                  (lambda x, W1, b1: x @ W1 + b1 <= 0,
                   "that is one value per (row, unit): which activations are zero. A unit is dead when its whole "
                   "column is <= 0: reduce over the rows.")],
    ),
    NumberExercise(
        title="FLOPs of a training step",
        statement=r"Training runs the block forward and backward. Derive the matrix-product FLOPs of one training "
                  r"step (forward and backward) of the BERT-base FFN ($d_\text{model} = 768$, $d_\text{ff} = 3072$) "
                  r"on 2,048 tokens, counting a multiply-add as 2 FLOPs.",
        hints=[r"For $y = xW$, the backward needs two products: $\partial L/\partial x = (\partial L/\partial y) "
               r"W^\top$ and $\partial L/\partial W = x^\top (\partial L/\partial y)$.",
               r"Count products per layer: the forward runs one, $xW$; the backward runs the two above, each a "
               r"product of the same three sizes (tokens, $d_\text{model}$, $d_\text{ff}$) in another order, so "
               r"each does as many multiply-adds as the forward one. How many such products does the whole step "
               r"run over the block's two layers?"],
        starter="answer = ...\nex.q6.check(answer)",
        expected=lambda: sizing.forward_flops(2048, 768, 3072, gated=False)
        + sizing.backward_flops(2048, 768, 3072, gated=False),
        rel_tol=1e-3,
        unit="FLOPs",
        mistakes=[(lambda: sizing.forward_flops(2048, 768, 3072, gated=False),
                   "that is the forward pass only; the backward adds two products per layer."),
                  (lambda: sizing.backward_flops(2048, 768, 3072, gated=False),
                   "that is two forwards: the backward alone, or the forward with one backward product per layer. "
                   "A step is the forward plus a backward of two products per layer (input's and weight's "
                   "gradients).")],
    ),
    NumberExercise(
        title="Dead on a batch of 1,024",
        statement=r"A hidden unit has bias $b_j = 0$ and pre-activations of spread $\sigma_j = 1$ on the data. Every "
                  r"hidden bias is shifted down by $s = 3$, three times that spread. By the chapter's closed form, "
                  r"what is the probability that the unit is dead on a batch of 1,024 independent inputs? Give it "
                  r"to 3 decimal places.",
        hints=[r"On one input the unit stays at or below the shift with probability "
               r"$\Phi\bigl((s - b_j)/\sigma_j\bigr) = \Phi(3)$, where $\Phi$ is the standard normal CDF: "
               r"`0.5 * (1 + math.erf(3 / math.sqrt(2)))`.",
               r"Dead on the batch means at or below the shift on every one of the $B$ independent inputs: "
               r"the probabilities multiply."],
        starter="answer = ...\nex.q7.check(answer)",
        expected=lambda: float(predicted_dead_fraction(3.0, 1024, np.zeros(1), np.ones(1))),
        abs_tol=5e-4,
        mistakes=[(lambda: _phi(3.0),
                   "that is Phi(3), the probability for one input; the unit must stay below the shift on all "
                   "1,024 of them: Phi(3)^1024."),
                  (lambda: 1 - _phi(3.0) ** 1024,
                   "that is the probability that it fires on at least one input, so that it is alive: dead is "
                   "the complement, Phi(3)^1024."),
                  (lambda: (1 - _phi(3.0)) ** 1024,
                   "that is the probability that every input lies above the shift; dead means every input lies "
                   "at or below it, Phi(3)^1024.")],
    ),
]
