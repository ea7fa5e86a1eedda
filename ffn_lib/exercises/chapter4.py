"""Exercises of chapter 4: the GLU FFN."""


from .. import sizing
from ..activations import sigmoid, sigmoid_derivative, silu
from ..blocks import gated_ffn_reference, split_gate_up
from . import _cases
from .choice import ChoiceExercise
from .function import FunctionExercise
from .number import NumberExercise
from .shape import ShapeExercise

def _phi3_split(sd, rows=lambda w: split_gate_up(w, "gate_first", dim=0)):
    """(gate rows, up rows, down) of a Phi-3 MLP state dict; ``rows`` splits gate_up_proj.weight."""
    gate, up = rows(sd["gate_up_proj.weight"])
    return gate, up, sd["down_proj.weight"]


def _phi3_to_paper(sd):
    """The paper's (W, V, W2): Phi3MLP's chunk(2, dim=-1) takes the gate first (``blocks.split_gate_up``'s
    "gate_first", dim 0 of the (out_features, in_features) weight), each matrix transposed."""
    return tuple(m.T for m in _phi3_split(sd))


EXERCISES = [
    NumberExercise(
        title="The 2/3 rule",
        statement=r"A plain FFN with $d_\text{model} = 1344$ uses $d_\text{ff} = 4\,d_\text{model}$. What "
                  r"$d_\text{ff}$ gives a GLU-variant FFN (three matrices) the same number of parameters?",
        hints=[r"Plain: $2\,d_\text{model}\,d_\text{ff}$ weights. Gated: $3\,d_\text{model}\,d'_\text{ff}$.",
               r"Set them equal: $d'_\text{ff} = \tfrac23 d_\text{ff}$."],
        starter="answer = ...\nex.q1.check(answer)",
        expected=lambda: sizing.matched_d_ff(1344, gated=True),
        integer=True,
        mistakes=[(lambda: sizing.matched_d_ff(1344, gated=False),
                   "d_ff was not scaled by 2/3: with three matrices that block has 1.5 times the parameters."),
                  (lambda: sizing.matched_d_ff(1344, gated=False) // 3, "that scales d_ff by 1/3, not 2/3.")],
    ),
    FunctionExercise(
        title="The GLU FFN in NumPy",
        statement=r"Write `glu_ffn(x, W, V, W2)` returning $(\sigma(xW) \otimes xV)\,W_2$ (Shazeer 2020, no "
                  r"biases) for NumPy arrays: `x` is `(..., d_model)`, `W` and `V` are `(d_model, d_ff)`, `W2` is "
                  r"`(d_ff, d_model)`.",
        hints=["Two projections of the same x: `g = x @ W` (the gate) and `u = x @ V` (the value).",
               "Gate elementwise, `sigmoid(g) * u`, then project back with `@ W2`."],
        starter="import numpy as np\n\ndef glu_ffn(x, W, V, W2):\n    ...  # your code here\n\nex.q2.check(glu_ffn)",
        answer_name="glu_ffn",
        reference=lambda x, W, V, W2: gated_ffn_reference(x, W, V, W2, "sigmoid"),
        cases=lambda rng: _cases.block_weights_numpy(rng, gated=True),
        mistakes=[(lambda x, W, V, W2: (sigmoid(x @ V) * (x @ W)) @ W2,
                   "gate and up are swapped: the sigmoid goes on x W, and x V is the value it gates."),
                  (lambda x, W, V, W2: ((x @ W) * (x @ V)) @ W2,
                   "the sigmoid is missing (that is Shazeer's Bilinear variant)."),
                  (lambda x, W, V, W2: (silu(x @ W) * (x @ V)) @ W2,
                   "SiLU instead of the sigmoid: that is SwiGLU's gate, not GLU's."),
                  (lambda x, W, V, W2: sigmoid(x @ W) * (x @ V),
                   "the projection back with W2 is missing.")],
    ),
    ChoiceExercise(
        title="Which formula is the GLU FFN?",
        statement="Which of these is the GLU feed-forward block of Shazeer (2020)?",
        hints=["The block must map d_model to d_model, and gate one projection of x with another.",
               "Count the matrices: the chapter's block has three."],
        starter='answer = ...  # "a", "b", "c" or "d"\nex.q3.check(answer)',
        options={"a": r"$x \otimes \sigma(xW_1)$ with a square $W_1$",
                 "b": r"$(\sigma(xW) \otimes xV)\,W_2$",
                 "c": r"$\sigma(xW)\,W_2 + xV$",
                 "d": r"`F.glu(x)`: the first half of $x$ times the sigmoid of its second half"},
        correct="b",
        mistakes={"a": "that is the source article's formula: it gates the input x itself, with a square matrix, "
                       "and never projects up or back.",
                  "c": "the gate must multiply the value, not be added to it.",
                  "d": "F.glu splits x itself; the FFN splits a projection of x, x [W V], into gate and value."},
    ),
    NumberExercise(
        title="Parameters of the GLU block",
        statement=r"How many parameters does a GLU FFN with $d_\text{model} = 1024$, $d_\text{ff} = 2816$ and no "
                  r"biases have?",
        hints=["Three matrices: W, V and W2.", r"Each is $1024 \times 2816$ (or its transpose)."],
        starter="answer = ...\nex.q4.check(answer)",
        expected=lambda: sizing.param_count(1024, 2816, gated=True, bias=False),
        integer=True,
        unit="parameters",
        mistakes=[(lambda: sizing.param_count(1024, 2816, gated=False, bias=False),
                   "that counts two matrices; the gated block has three (W, V and W2)."),
                  (lambda: sizing.param_count(1024, 2816, gated=True, bias=True),
                   "that adds biases; Shazeer's gated blocks have none.")],
    ),
    ShapeExercise(
        title="F.glu's halves",
        statement="`t` has shape `(4, 10, 6144)`. What is the shape of `torch.nn.functional.glu(t, dim=-1)`?",
        hints=["F.glu splits the chosen dimension into two halves and multiplies them.",
               "The result has the size of one half along that dimension."],
        starter="answer = ...\nex.q5.check(answer)",
        expected=lambda: (4, 10, 3072),
        mistakes=[(lambda: (4, 10, 6144), "F.glu halves the dimension it splits."),
                  (lambda: (4, 5, 6144), "dim=-1 is the last dimension, not the second.")],
    ),
    NumberExercise(
        title="The gradient through the gate",
        statement=r"One hidden unit of the GLU block computes $h = \sigma(g)\,u$ from its gate $g$ and value $u$. "
                  r"Derive $\partial h / \partial g$ and evaluate it at $g = 1$, $u = 3$.",
        hints=[r"$u$ does not depend on $g$: $\partial h/\partial g = \sigma'(g)\,u$.",
               r"$\sigma'(g) = \sigma(g)\,(1 - \sigma(g))$."],
        starter="answer = ...\nex.q6.check(answer)",
        expected=lambda: float(sigmoid_derivative(1.0)) * 3.0,
        abs_tol=5e-5,
        mistakes=[(lambda: float(sigmoid(1.0)), "that is the derivative with respect to u, sigma(g)."),
                  (lambda: float(sigmoid_derivative(1.0)), "that is sigma'(1) alone; the value u = 3 multiplies it."),
                  (lambda: float(sigmoid(1.0)) * 3.0, "that is h itself, sigma(g) u, not its derivative."),
                  (lambda: float(sigmoid_derivative(3.0)) * 1.0, "g and u are swapped: the gate is g = 1."),
                  (lambda: 3.0, "3 is u, the derivative of g u: that reads g as the gate's output, sigma(xW). In the "
                                "book's notation g = xW is the gate's pre-activation, u = xV, and h = act(g) u "
                                "(here act = sigma), so dh/dg = sigma'(g) u.")],
    ),
    FunctionExercise(
        title="From Phi-3's fused gate_up_proj to the paper's matrices",
        statement=r"Phi-3 fuses the gate and up projections into one nn.Linear: Hugging Face's `Phi3MLP` computes "
                  r"`gate, up = gate_up_proj(x).chunk(2, dim=-1)` and returns `down_proj(up * act(gate))`. Write "
                  r"`phi3_to_paper(state_dict)` that takes such an MLP's state dict (keys `gate_up_proj.weight`, of "
                  r"shape `(2 d_ff, d_model)`, and `down_proj.weight`, `(d_model, d_ff)`, both in nn.Linear's "
                  r"`(out_features, in_features)` layout) and returns the tuple `(W, V, W2)` in the paper's layout, "
                  r"so that $(\mathrm{act}(xW) \otimes xV)\,W_2$ equals the MLP's output. A list `[W, V, W2]` is "
                  r"accepted too.",
        hints=[r"`gate_up_proj(x)` is `x @ weight.T`, of width $2\,d_\text{ff}$, and `chunk(2, dim=-1)` takes its "
               r"first $d_\text{ff}$ columns as the gate. Column $j$ of that output is made by row $j$ of the "
               r"weight: which rows of `gate_up_proj.weight` are the gate's?",
               r"Split the weight's rows into two halves (`weight[:d_ff]` and `weight[d_ff:]`, or "
               r"`weight.chunk(2, dim=0)`), then transpose each to the paper's `(d_model, d_ff)`; "
               r"`down_proj.weight.T` is $W_2$."],
        starter="def phi3_to_paper(state_dict):\n    ...  # your code here\n\nex.q7.check(phi3_to_paper)",
        answer_name="phi3_to_paper",
        reference=_phi3_to_paper,
        cases=_cases.phi3_state_dicts,
        mistakes=[(lambda sd: tuple(m.T for m in _phi3_split(sd, lambda w: w.chunk(2, dim=0)[::-1])),
                   "gate and up are swapped: chunk(2, dim=-1) gives the gate first, so the first d_ff rows of "
                   "gate_up_proj.weight are W's (transposed) and the last d_ff rows are V's."),
                  (lambda sd: _phi3_split(sd),
                   "the matrices are not transposed: nn.Linear stores (out_features, in_features), and the paper's "
                   "W is (d_model, d_ff)."),
                  (lambda sd: tuple(m.T for m in _phi3_split(sd, lambda w: (w[0::2], w[1::2]))),
                   "that takes alternate rows, the interleaved layout of gpt-oss; Phi-3's gate_up_proj stacks the "
                   "gate's d_ff rows first, then the up rows."),
                  (lambda sd: tuple(m.T for m in _phi3_split(sd, lambda w: w.chunk(2, dim=1))),
                   "that splits the weight's columns (d_model); its rows are the 2 d_ff outputs: split dim 0 of "
                   "the weight (or transpose first and split the columns).")],
    ),
    ChoiceExercise(
        title="Which half does F.glu gate?",
        statement=r"`a` and `b` are tensors of the same shape `(..., d)`. What does "
                  r"`F.glu(torch.cat([a, b], dim=-1), dim=-1)` return ($\otimes$: elementwise product)?",
        hints=["F.glu splits its input along `dim` into a first half and a second half; here the first half is `a` "
               "and the second is `b`.",
               "Only one half goes through the sigmoid, and the other is the value, used as it is. To rebuild the "
               "chapter's block with F.glu, the value projection V had to come first."],
        starter='answer = ...  # "a", "b", "c" or "d"\nex.q8.check(answer)',
        options={"a": r"$a \otimes \sigma(b)$",
                 "b": r"$\sigma(a) \otimes b$",
                 "c": r"$\sigma(a) \otimes \sigma(b)$",
                 "d": r"$a \otimes b$"},
        correct="a",
        mistakes={"b": "that is the gate-first order of Phi-3's gate_up_proj and vLLM's SiluAndMul; F.glu gates with "
                       "the second half, so a is the value and b the gate.",
                  "c": "only one half goes through the sigmoid; the other is the value, multiplied as it is.",
                  "d": "that is the Bilinear unit, with no activation; F.glu applies the sigmoid to its second half."},
    ),
]
