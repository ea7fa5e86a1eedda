"""Exercises of chapter 6: SwiGLU and Llama."""

import torch

from .. import sizing
from ..activations import gelu, silu
from ..variants import VARIANTS
from . import _cases
from .choice import ChoiceExercise
from .function import FunctionExercise
from .number import NumberExercise

_TABLE1_OPTIONS = {"a": "ReLU", "b": "SwiGLU", "c": "GEGLU", "d": "GLU"}


def _best_in_table1() -> str:
    best = min(VARIANTS.values(), key=lambda v: v.log_perplexity_65k).name
    return next(k for k, v in _TABLE1_OPTIONS.items() if v == best)


def _swiglu(x, W, V, W2, act=silu):
    return (act(x @ W) * (x @ V)) @ W2


EXERCISES = [
    NumberExercise(
        title="Llama's d_ff",
        statement=r"Llama's reference code sizes the FFN as $\tfrac23 \cdot 4\,d_\text{model}$, truncated to an "
                  r"integer and rounded up to a multiple of 256. What $d_\text{ff}$ does LLaMA 33B's $d_\text{model} = 6656$ "
                  r"get?",
        hints=[r"Two steps, in the statement's order: the width $\tfrac23 \cdot 4\,d_\text{model}$ as an integer "
               r"(Python's `int()` truncates), then the rounding.",
               r"To round $n$ up to a multiple of $m$, take the smallest multiple of $m$ that is at least $n$: "
               r"`m * math.ceil(n / m)`, or `-(-n // m) * m` in integers. A number that already is a multiple "
               r"stays as it is."],
        starter="answer = ...\nex.q1.check(answer)",
        expected=lambda: sizing.llama_d_ff(6656),
        integer=True,
        mistakes=[(lambda: int(2 * 4 * 6656 / 3), "that is 2/3 of 4 d_model before rounding up to a multiple of 256."),
                  (lambda: 256 * (int(2 * 4 * 6656 / 3) // 256),
                   "that rounds down; Llama rounds up to the next multiple of 256."),
                  (lambda: 4 * 6656, "that is 4 d_model, the plain FFN's width; Llama uses 2/3 of it.")],
    ),
    FunctionExercise(
        title="SwiGLU forward in PyTorch",
        statement=r"Write `swiglu(x, W, V, W2)` returning $(\mathrm{Swish}_1(xW) \otimes xV)\,W_2$ for torch tensors "
                  r"in the paper's layout (`W`, `V`: `(d_model, d_ff)`; `W2`: `(d_ff, d_model)`).",
        hints=[r"Which projection goes through the activation? In the paper's notation the gate is $xW$; the "
               r"value $xV$ is multiplied in unchanged. Swish with $\beta = 1$ is SiLU, "
               r"`torch.nn.functional.silu`.",
               r"Follow the shapes: `x @ W` and `x @ V` are `(..., d_ff)`, and so is their elementwise product; "
               r"`W2` brings it back to `(..., d_model)`."],
        starter="import torch\nimport torch.nn.functional as F\n\ndef swiglu(x, W, V, W2):\n    ...  # your code here\n\n"
                "ex.q2.check(swiglu)",
        answer_name="swiglu",
        reference=_swiglu,
        cases=_cases.block_weights_torch,
        mistakes=[(lambda x, W, V, W2: _swiglu(x, V, W, W2), "gate and up are swapped: SiLU goes on x W."),
                  (lambda x, W, V, W2: _swiglu(x, W, V, W2, torch.sigmoid),
                   "that is the sigmoid GLU: the article's section 6 repeats the GLU formula, but SwiGLU's gate is "
                   "Swish_1 = SiLU."),
                  (lambda x, W, V, W2: (silu(x @ W) * silu(x @ V)) @ W2, "SiLU is applied to both projections."),
                  (lambda x, W, V, W2: _swiglu(x, W, V, W2, gelu),
                   "that is GEGLU, chapter 5's block: GELU on the gate. SwiGLU's gate is Swish_1 = SiLU "
                   "(`F.silu`)."),
                  (lambda x, W, V, W2: _swiglu(x, W, V, W2, lambda z: gelu(z, "tanh")),
                   "that is GEGLU with the tanh GELU: SwiGLU's gate is Swish_1 = SiLU (`F.silu`), not a GELU.")],
    ),
    FunctionExercise(
        title="From Llama's weights to the paper's",
        statement=r"Write `llama_to_paper(state_dict)` that takes a Hugging Face Llama MLP state dict (keys "
                  r"`gate_proj.weight`, `up_proj.weight`, `down_proj.weight`, stored as nn.Linear's "
                  r"`(out_features, in_features)`) and returns the tuple `(W, V, W2)` in the paper's layout, so that "
                  r"$(\mathrm{SiLU}(xW) \otimes xV)W_2$ equals the Llama MLP's output. A list `[W, V, W2]` is "
                  r"accepted too.",
        hints=["Which projection is passed through the activation in `down_proj(act(gate_proj(x)) * up_proj(x))`?",
               "nn.Linear computes `x @ weight.T`: the paper's matrix is the transpose."],
        starter="def llama_to_paper(state_dict):\n    ...  # your code here\n\nex.q3.check(llama_to_paper)",
        answer_name="llama_to_paper",
        reference=lambda sd: (sd["gate_proj.weight"].T, sd["up_proj.weight"].T, sd["down_proj.weight"].T),
        cases=_cases.llama_state_dicts,
        mistakes=[(lambda sd: (sd["gate_proj.weight"], sd["up_proj.weight"], sd["down_proj.weight"]),
                   "the matrices are not transposed: nn.Linear stores (out_features, in_features)."),
                  (lambda sd: (sd["up_proj.weight"].T, sd["gate_proj.weight"].T, sd["down_proj.weight"].T),
                   "gate and up are swapped: W is gate_proj (the one through SiLU), V is up_proj.")],
    ),
    NumberExercise(
        title="Bytes moved by the fused SwiGLU step",
        statement=r"The forward of $\mathrm{SiLU}(g) \otimes u$ on $g, u$ of shape $8192 \times 14336$ in bfloat16 "
                  r"must read $g$ and $u$ and write the result. How many bytes is that, at the least?",
        hints=["bfloat16 takes 2 bytes per number.",
               "Count the tensors the fused step moves through memory: the ones it reads and the one it writes. "
               "SiLU(g) itself stays on the chip."],
        starter="answer = ...\nex.q4.check(answer)",
        expected=lambda: sizing.activation_bytes(8192, 14336, "bfloat16", gated=True),
        integer=True,
        unit="bytes",
        mistakes=[(lambda: sizing.activation_bytes(8192, 14336, "float32", gated=True),
                   "that counts 4 bytes per element; bfloat16 has 2."),
                  (lambda: sizing.activation_bytes(8192, 14336, "bfloat16", gated=False),
                   "that counts two tensors; the gated step reads two and writes one."),
                  (lambda: sizing.activation_bytes(8192, 14336, "bfloat16", gated=True, fused=False),
                   "that is five tensors' worth: the eager forward (SiLU writes s, the multiply reads it back) "
                   "moves that much, and so does the fused backward. The fused forward reads g and u and writes the "
                   "result once."),
                  (lambda: sizing.activation_tensors(gated=True, backward=False) * 8192 * 14336,
                   "that is the number of elements the step reads and writes; bytes = elements x 2 (bfloat16 "
                   "takes 2 bytes each)."),
                  (lambda: sizing.activation_tensors(gated=True, backward=False),
                   "that is the number of tensors; the question asks for bytes (elements times 2 bytes each)."),
                  (lambda: sizing.activation_tensors(gated=True, backward=False, fused=False),
                   "that is the eager forward's number of tensors; the question asks for the fused step's bytes.")],
    ),
    ChoiceExercise(
        title="Shazeer's Table 1",
        statement="In Shazeer's Table 1, after 65,536 training steps, which FFN has the lowest held-out "
                  "log-perplexity?",
        hints=["The chapter draws Table 1 as a figure; `ffn_lib.VARIANTS` holds the quoted numbers."],
        starter='answer = ...  # "a", "b", "c" or "d"\nex.q5.check(answer)',
        options=_TABLE1_OPTIONS,
        correct=_best_in_table1,
        mistakes={"a": "ReLU is the baseline, and the worst of the eight at 65k steps.",
                  "b": "SwiGLU is a close second at 65k steps, within one standard deviation of the best.",
                  "d": "the sigmoid GLU improves on ReLU, but the GELU and Swish gates do better."},
    ),
]
