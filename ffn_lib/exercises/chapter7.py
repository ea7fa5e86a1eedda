"""Exercises of chapter 7: writing the fused kernel.

7.1-7.3 were chapter 6's 6.6-6.8 before the kernel got its own chapter (progress migrates);
7.4 onwards are answered with a Triton kernel (:mod:`ffn_lib.exercises.kernel`).
"""

from .. import sizing
from ..activations import sigmoid, silu, silu_derivative
from . import _cases
from .core import FunctionExercise, NumberExercise, ShapeExercise

EXERCISES = [
    ShapeExercise(
        title="A fused gate_up_proj",
        statement=r"Some checkpoints store `gate_proj` and `up_proj` as one `nn.Linear` called `gate_up_proj`. "
                  r"For $d_\text{model} = 4096$ and $d_\text{ff} = 11008$, what is the shape of its `weight`?",
        hints=["nn.Linear's weight is (out_features, in_features).", "It produces the gate and the value at once."],
        starter="answer = ...\nex.q1.check(answer)",
        expected=lambda: (2 * 11008, 4096),
        mistakes=[(lambda: (4096, 2 * 11008), "nn.Linear stores (out_features, in_features): transpose that."),
                  (lambda: (11008, 4096), "that is one of the two projections; the fused layer has both.")],
    ),
    FunctionExercise(
        title="The backward of SiLU(g) * u",
        statement=r"Write `silu_mul_backward(g, u, dy)` for torch tensors: the backward of $y = \mathrm{SiLU}(g) "
                  r"\otimes u$. Given the gradient `dy` of the output, return the tuple `(dg, du)` of the gradients "
                  r"with respect to `g` and `u`, without autograd, keeping the dtype.",
        hints=[r"The product rule: $du = dy \cdot \mathrm{SiLU}(g)$ and $dg = dy \cdot u \cdot \mathrm{SiLU}'(g)$.",
               r"$\mathrm{SiLU}'(g) = \sigma(g)\,(1 + g\,(1 - \sigma(g)))$; `torch.sigmoid` gives $\sigma$."],
        starter="import torch\n\ndef silu_mul_backward(g, u, dy):\n    ...  # your code here: return dg, du\n\n"
                "ex.q2.check(silu_mul_backward)",
        answer_name="silu_mul_backward",
        reference=lambda g, u, dy: (dy * u * silu_derivative(g), dy * silu(g)),
        cases=_cases.gated_backward_torch,
        mistakes=[(lambda g, u, dy: (dy * u * sigmoid(g), dy * silu(g)),
                   "SiLU's derivative is not the sigmoid: the product rule gives sigma(g) (1 + g (1 - sigma(g)))."),
                  (lambda g, u, dy: (dy * silu(g), dy * u * silu_derivative(g)),
                   "dg and du are swapped: return (dg, du) in that order."),
                  (lambda g, u, dy: (u * silu_derivative(g), silu(g)),
                   "dy is missing: the chain rule multiplies both gradients by the output's gradient."),
                  (lambda g, u, dy: (dy * silu_derivative(g), dy * silu(g)),
                   "u is missing from dg: the value multiplies the gate's derivative.")],
    ),
    NumberExercise(
        title="Predict the backward kernel's bytes",
        statement=r"The fused backward kernel of $\mathrm{SiLU}(g) \otimes u$ (`ffn_lib.kernels`) takes $g$, $u$ "
                  r"and the output's gradient $dy$, each 4096 tokens $\times$ $d_\text{ff} = 11008$ in bfloat16 "
                  r"(LLaMA 7B's width), and writes $dg$ and $du$. Predict the fewest bytes it must move between "
                  r"GPU memory and the chip. "
                  r"(Divided by a measured time, this gives the bandwidth the kernel reaches.)",
        hints=["Count the tensors it must read and the tensors it must write, each read or written once.",
               "Read g, u, dy; write dg, du: five tensors of 4096 x 11008 elements at 2 bytes each."],
        starter="answer = ...\nex.q3.check(answer)",
        expected=lambda: sizing.activation_bytes(4096, 11008, "bfloat16", gated=True, backward=True),
        integer=True,
        mistakes=[(lambda: sizing.activation_bytes(4096, 11008, "bfloat16", gated=True),
                   "that is the forward kernel (read g and u, write y); the backward reads three tensors and "
                   "writes two."),
                  (lambda: sizing.activation_bytes(4096, 11008, "bfloat16", gated=True, backward=True, fused=False),
                   "that is the eager backward: three kernels (two multiplies, each reading dy, and the activation's "
                   "backward), nine tensor passes; the fused kernel reads each input once and writes each gradient once."),
                  (lambda: sizing.activation_bytes(4096, 11008, "float32", gated=True, backward=True),
                   "that counts 4 bytes per element; bfloat16 has 2."),
                  (lambda: 4 * 4096 * 11008 * sizing.dtype_bytes("bfloat16"),
                   "that is four tensors: the kernel reads g, u and dy and writes dg and du."),
                  (lambda: sizing.activation_tensors(gated=True, backward=True),
                   "that is the number of tensors; the question asks for bytes (elements times 2 bytes each).")],
    ),
]
