"""Exercises of chapter 6: SwiGLU and Llama."""

import torch

from .. import analysis, sizing
from ..activations import gelu, silu
from . import _cases
from .function import FunctionExercise
from .number import NumberExercise

# 6.5's given figures, NVIDIA's H200 SXM datasheet (nvidia2024h200), quoted, not measured: the FP32 rate
# (analysis.QUOTED_FP32_FLOP_RATE), the dense BF16 tensor-core rate (1,979 TFLOP/s with sparsity, halved) and the
# HBM3e bandwidth (diagrams.kernel.DATASHEET_ROOFS). The statement writes them out; a test holds them to the
# library's.
FP32_RATE = 67e12
TENSOR_RATE = 1979e12 / 2
BANDWIDTH = 4.8e12


_FUSED_FORWARD_BYTES = sizing.activation_tensors(gated=True, backward=False) * sizing.dtype_bytes("bfloat16")


def _budget(flop_rate: float, bandwidth: float, tensors: int, bytes_each: int) -> float:
    """FLOPs per element at the ridge point for a step moving ``tensors`` tensors of ``bytes_each`` bytes."""
    return analysis.arithmetic_budget(flop_rate, bandwidth, tensors * bytes_each)


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
    NumberExercise(
        title="The arithmetic budget of the fused SwiGLU step",
        statement=r"Take these figures as given (NVIDIA's datasheet for the H200 SXM, quoted, not measured): "
                  r"67 TFLOP/s of FP32 arithmetic on the CUDA cores, 989 TFLOP/s of dense BF16 matrix products on "
                  r"the tensor cores, and 4.8 TB/s of memory bandwidth. The fused forward of "
                  r"$\mathrm{SiLU}(g) \otimes u$ in bfloat16 reads $g$ and $u$ and writes the result. How many "
                  r"FLOPs can it spend on each element of the result before its arithmetic, not its memory traffic, "
                  r"limits its speed? Give 3 significant digits.",
        hints=[r"The roofline's ridge point, peak rate over bandwidth, is the number of FLOPs a kernel can do per "
               r"byte it moves before the flat roof takes over. Which peak? An elementwise kernel's arithmetic runs "
               r"on the FP32 units: the tensor cores only do matrix products.",
               r"FLOPs per byte times bytes per element gives FLOPs per element. Count the bytes one element of the "
               r"result costs: every tensor the step reads or writes, at the size of a bfloat16 number."],
        starter="answer = ...\nex.q5.check(answer)",
        expected=lambda: analysis.arithmetic_budget(FP32_RATE, BANDWIDTH, _FUSED_FORWARD_BYTES),
        rel_tol=5e-3,
        unit="FLOPs",
        mistakes=[(lambda: _budget(FP32_RATE, BANDWIDTH, 1, 2),
                   "that counts the bytes of one tensor per element; the step reads g and u and writes the result, "
                   "three tensors of 2 bytes each."),
                  (lambda: _budget(FP32_RATE, BANDWIDTH, 2, 2),
                   "that counts the two tensors read; the result is written to memory too: three tensors."),
                  (lambda: _budget(FP32_RATE, BANDWIDTH, 3, 4),
                   "that counts 4 bytes per element, float32's size; bfloat16 has 2. The arithmetic is done in "
                   "FP32, but the bytes moved are bfloat16's."),
                  (lambda: _budget(TENSOR_RATE, BANDWIDTH, 3, 2),
                   "that uses the tensor cores' rate; they only do matrix products. An elementwise kernel's "
                   "multiplies, adds and exponentials run on the FP32 units, at 67 TFLOP/s."),
                  (lambda: BANDWIDTH / FP32_RATE * 3 * 2,
                   "the ratio is inverted: the ridge point is FLOP/s over bytes/s, FLOPs per byte, about 14."),
                  (lambda: _budget(FP32_RATE, BANDWIDTH, 1, 1),
                   "that is the ridge point itself, FLOPs per byte; multiply by the bytes one element of the result "
                   "costs (three tensors, 2 bytes each)."),
                  (lambda: _budget(FP32_RATE, BANDWIDTH, 5, 2),
                   "that counts five tensors, the eager forward's traffic (SiLU writes s, the multiply reads it "
                   "back); the fused forward reads g and u and writes the result: three.")],
    ),
]
