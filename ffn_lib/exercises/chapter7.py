"""Exercises of chapter 7: writing the fused kernel.

7.1-7.3 were chapter 6's 6.6-6.8 before the kernel got its own chapter (progress migrates);
7.4 onwards are answered with a Triton kernel (:mod:`ffn_lib.exercises.kernel`). Their ``emulated_mistakes``
are marked with ``N_`` for the catalogue (the extraction reads ``mistakes=``, not that keyword); the kernel
exercise translates a diagnosis where it shows it.
"""

import math
import types

import torch

from .. import sizing
from ..activations import act_mul_eager, sigmoid, silu, silu_derivative
from ..i18n import N_
from . import _cases
from . import kernel as _k
from .function import FunctionExercise
from .values import ITEM_OF_RESULT
from .words import sentences, tr
from .number import NumberExercise
from .shape import ShapeExercise


def _halves(x):
    """(gate, up) of the stacked layout [g0 .. g(d-1) | u0 .. u(d-1)]: the chapter's step 4."""
    d = x.shape[-1] // 2
    return x[..., :d], x[..., d:]


def _interleaved(x):
    """(gate, up) of the interleaved layout [g0, u0, g1, u1, ...]: exercise 7.5."""
    return x[..., 0::2], x[..., 1::2]


def _grads(g, u, dy, swap=False, act="gelu_tanh"):
    """Eager autograd's (dg, du) of act(g) * u (or, with ``swap``, of act(u) * g, returned in (g, u) order)."""
    g, u = g.detach().requires_grad_(), u.detach().requires_grad_()
    y = act_mul_eager(u, g, act) if swap else act_mul_eager(g, u, act)
    return torch.autograd.grad(y, (g, u), dy)


def _backward_cases(rng):
    """The gated cases, then large gates, where a sigmoid written with exp(g) or exp(-g) overflows: float32
    at +-100 and +-1000 (exp(89) is inf in float32), float64 at +-1000, float16 at +-12 (exp(12) > 65504)."""
    cases = _cases.gated_backward_torch(rng)
    for dtype, big in ((torch.float32, [-1000.0, -100.0, -89.0, 89.0, 100.0, 1000.0]),
                       (torch.float64, [-1000.0, -720.0, 720.0, 1000.0]),
                       (torch.float16, [-20.0, -12.0, 12.0, 20.0])):
        g = torch.tensor(big + list(rng.normal(size=4) * 3), dtype=dtype)
        cases.append((g, torch.tensor(rng.uniform(0.5, 2.0, size=g.numel()), dtype=dtype),
                      torch.tensor(rng.normal(size=g.numel()), dtype=dtype)))
    return cases


MESSAGES = {
    "autograd": ("It passes, but it calls autograd (`{name}`): the exercise is to derive the two gradients by "
                 "hand, which is what a fused kernel has to compute. Try it with the product rule (hint 1)."),
    "dg": "The first item of your result, `dg`,",
    "du": "The second item of your result, `du`,",
}
_AUTOGRAD_NAMES = ("autograd", "backward", "requires_grad_", "requires_grad", "enable_grad")


def autograd_use(fn) -> str | None:
    """The autograd name a function's bytecode uses (``torch.autograd.grad``, ``.backward()``,
    ``requires_grad_``), or None."""
    code = getattr(fn, "__code__", None)
    stack = [code] if code is not None else []
    while stack:
        c = stack.pop()
        for name in c.co_names:
            if name in _AUTOGRAD_NAMES:
                return name
        stack += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    return None


class ByHandExercise(FunctionExercise):
    """A function exercise whose statement says "without autograd": a right answer that calls autograd passes,
    with a sentence saying that the exercise is to derive it. The items of the result are named (dg, du), not
    numbered from 0."""

    item_names = ("dg", "du")

    def _check(self, answer):
        status, message = super()._check(answer)
        for i, name in enumerate(self.item_names):
            message = message.replace(tr(ITEM_OF_RESULT, item=i), tr(MESSAGES[name]))
        name = autograd_use(answer) if status == "correct" else None
        if name:
            message = sentences([message, tr(MESSAGES["autograd"], name=name)])
        return status, message


def _half_one_plus_tanh(g):
    """(1 + tanh z) / 2 = sigmoid(2 z), z = sqrt(2/pi) (g + 0.044715 g^3): the first term of the tanh GELU's
    derivative only (7.6's known mistake)."""
    return torch.sigmoid(2 * math.sqrt(2 / math.pi) * (g + 0.044715 * g ** 3))


def _z(g):
    """z = sqrt(2/pi) (g + 0.044715 g^3), the tanh GELU's argument, in float64."""
    g = g.double()
    return math.sqrt(2 / math.pi) * (g + 0.044715 * g ** 3)


def _geglu_sigmoid_z(g, u):
    """g sigmoid(z) u: the tanh GELU with sigmoid(z) where sigmoid(2 z) belongs (7.4's known mistake)."""
    return ((g.double() * torch.sigmoid(_z(g)) * u.double()).to(g.dtype),)


def _geglu_bwd_half_second_term(g, u, dy):
    """(dg, du) with the factor 2 of 1/2 g (1 - t^2) z' = 2 g s (1 - s) z' forgotten, s = sigmoid(2 z) (7.6's
    known mistake)."""
    g64 = g.double()
    s = torch.sigmoid(2 * _z(g))
    dz = math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * g64 ** 2)
    dg = dy.double() * u.double() * (s + g64 * s * (1 - s) * dz)
    return dg.to(g.dtype), _grads(g, u, dy)[1]


_FLAT_STARTER = """from ffn_lib.kernel_steps import tl, triton  # Triton, in its interpreter where there is no GPU


@triton.jit
def {name}({params}):
    ...  # your kernel here


ex.q{q}.check({name})"""

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
    ByHandExercise(
        title="The backward of SiLU(g) * u",
        statement=r"Write `silu_mul_backward(g, u, dy)` for torch tensors: the backward of $y = \mathrm{SiLU}(g) "
                  r"\otimes u$. Given the gradient `dy` of the output, return the tuple `(dg, du)` of the gradients "
                  r"with respect to `g` and `u`, without autograd, keeping the dtype.",
        hints=[r"The product rule: $du = dy \cdot \mathrm{SiLU}(g)$ and $dg = dy \cdot u \cdot \mathrm{SiLU}'(g)$.",
               r"$\mathrm{SiLU}'(g) = \sigma(g)\,(1 + g\,(1 - \sigma(g)))$; `torch.sigmoid` gives $\sigma$.",
               r"Large gates are among the cases ($g = \pm 100$ in float32): written with `torch.exp`, "
               r"$e^{g}/(1 + e^{g})$ or $e^{-g}/(1 + e^{-g})^2$ overflow to inf / inf = NaN there; "
               r"`torch.sigmoid` does not."],
        starter="import torch\n\ndef silu_mul_backward(g, u, dy):\n    ...  # your code here: return dg, du\n\n"
                "ex.q2.check(silu_mul_backward)",
        answer_name="silu_mul_backward",
        reference=lambda g, u, dy: (dy * u * silu_derivative(g), dy * silu(g)),
        cases=_backward_cases,
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
        unit="bytes",
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
                  (lambda: sizing.activation_tensors(gated=True, backward=True) * 4096 * 11008,
                   "that is the number of elements the kernel moves; the question asks for bytes: each bfloat16 "
                   "element is 2 bytes."),
                  (lambda: sizing.activation_tensors(gated=True, backward=True),
                   "that is the number of tensors; the question asks for bytes (elements times 2 bytes each).")],
    ),
    _k.KernelExercise(
        title="GEGLU's forward as a Triton kernel",
        statement=r"Write the Triton kernel `geglu_tanh_kernel(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr)` for "
                  r"$y = \mathrm{GELU}_\tanh(g) \cdot u$ over flat, contiguous tensors of `n` elements, one program "
                  r"per block of `BLOCK`, as step 1 of this chapter, with the tanh GELU "
                  r"$\tfrac12 g\,(1 + \tanh(\sqrt{2/\pi}\,(g + 0.044715 g^3)))$. NaN and $\pm\infty$ must come "
                  r"out as in eager `F.gelu(g, approximate='tanh') * u`. Triton has no `tl.tanh`; hint 2 gives an "
                  r"identity.",
        hints=["Start from step 1's `silu_mul_kernel`: only the line computing y changes.",
               r"$\tfrac12(1 + \tanh z) = \sigma(2z)$, and `tl.sigmoid` exists: y = g * sigmoid(2 z) * u.",
               "Keep the mask on the loads and the store, and `.to(tl.float32)` after loading."],
        starter=_FLAT_STARTER.format(name="geglu_tanh_kernel", params="g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr",
                                     q=4),
        answer_name="geglu_tanh_kernel",
        params=("g_ptr", "u_ptr", "y_ptr", "n", "BLOCK"),
        launch=_k.launch_flat,
        reference=lambda g, u: (act_mul_eager(g, u, "gelu_tanh"),),
        cases=_k.flat_cases,
        outputs=(2,),
        emulated_mistakes=[(lambda g, u: (act_mul_eager(u, g, "gelu_tanh"),),
                            N_("gate and up swapped: the GELU goes on g (the gate), and u multiplies it.")),
                           (lambda g, u: (act_mul_eager(g, u, "gelu"),),
                            N_("that is the erf GELU; the exercise asks for the tanh form (GEGLU as in T5 v1.1 and "
                               "Gemma).")),
                           (lambda g, u: (act_mul_eager(g, u, "silu"),),
                            N_("that is SiLU(g) * u, step 1's kernel: change the gate.")),
                           (_geglu_sigmoid_z,
                            N_("sigmoid(z) where sigmoid(2 z) belongs: 1/2 (1 + tanh z) = sigmoid(2 z) (hint 2), so "
                               "y = g * sigmoid(2 z) * u."))],
    ),
    _k.KernelExercise(
        title="SwiGLU on an interleaved gate/up tensor",
        statement=r"Some checkpoints interleave the fused projection's outputs: each row of `x`, of shape "
                  r"`(rows, 2d)`, is $[g_0, u_0, g_1, u_1, \ldots, g_{d-1}, u_{d-1}]$, gate $j$ at column $2j$ "
                  r"and up $j$ at column $2j + 1$ (not the two halves of step 4). Write "
                  r"`silu_mul_interleaved_kernel(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr)` "
                  r"writing $y_j = \mathrm{SiLU}(g_j) \cdot u_j$, of shape `(rows, d)`. The launch grid is "
                  r"`(cdiv(d, BLOCK), rows)`: `program_id(1)` is the row. Rows of `x` may be further apart than "
                  r"`2d` (`x` can be a slice of a wider tensor), and rows of `y` further apart than `d`.",
        hints=["Start from step 4's kernel: the row start and the mask stay; only where gate and up are read changes.",
               "Output column j needs the gate at column 2 j and the up at column 2 j + 1 of the same row.",
               "Never compute the row start from `d`: use the stride you are given."],
        starter=_FLAT_STARTER.format(name="silu_mul_interleaved_kernel",
                                     params="x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr", q=5),
        answer_name="silu_mul_interleaved_kernel",
        params=("x_ptr", "y_ptr", "d", "x_row_stride", "y_row_stride", "BLOCK"),
        launch=_k.launch_cat,
        reference=lambda x: (act_mul_eager(*_interleaved(x), "silu"),),
        cases=_k.cat_cases,
        strided_case=3,
        out_strided_case=4,
        launch_options={4: {"y_pad": _k.CAT_Y_PAD}},
        outputs=(1,),
        length=2,
        mask_text="cols < d",
        row_stride="y_row_stride",
        emulated_mistakes=[(lambda x: (act_mul_eager(*reversed(_interleaved(x)), "silu"),),
                            N_("gate and up swapped: in each pair the gate comes first (column 2 j), the up "
                               "second (column 2 j + 1).")),
                           (lambda x: (act_mul_eager(*_halves(x), "silu"),),
                            N_("that reads the stacked layout of step 4 ([gate | up], the up half d columns "
                               "later); here gate and up alternate: column 2 j and column 2 j + 1.")),
                           (lambda x: (act_mul_eager(*reversed(_halves(x)), "silu"),),
                            N_("that reads the stacked layout of step 4, with gate and up swapped as well; here "
                               "gate and up alternate: gate at column 2 j, up at column 2 j + 1."))],
    ),
    _k.KernelExercise(
        title="The fused GEGLU backward, recomputing the tanh GELU",
        statement=r"Write `geglu_tanh_bwd_kernel(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr)`: "
                  r"the backward of exercise 7.4's $y = \mathrm{GELU}_\tanh(g) \cdot u$ over flat tensors of `n` "
                  r"elements, writing $dg = dy \cdot u \cdot \mathrm{GELU}_\tanh'(g)$ and "
                  r"$du = dy \cdot \mathrm{GELU}_\tanh(g)$, with the activation **recomputed** from $g$, not read "
                  r"from a saved tensor. NaN and $\pm\infty$ must come out as in eager autograd of "
                  r"`F.gelu(g, approximate='tanh') * u`.",
        hints=[r"With $z = \sqrt{2/\pi}\,(g + 0.044715 g^3)$ and $t = \tanh z$: $\mathrm{GELU}_\tanh'(g) = "
               r"\tfrac12(1 + t) + \tfrac12 g\,(1 - t^2)\,\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\, g^2)$.",
               r"Without a tanh: $\tfrac12(1 + t) = \sigma(2z)$ and $1 - t^2 = 4\,\sigma(2z)(1 - \sigma(2z))$.",
               "Load g, u and dy (masked, as float32), compute s = tl.sigmoid(2 z) once, store two results."],
        starter=_FLAT_STARTER.format(name="geglu_tanh_bwd_kernel",
                                     params="g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr", q=6),
        answer_name="geglu_tanh_bwd_kernel",
        params=("g_ptr", "u_ptr", "dy_ptr", "dg_ptr", "du_ptr", "n", "BLOCK"),
        launch=_k.launch_backward,
        reference=_grads,
        cases=_k.backward_cases,
        recompute=True,
        outputs=(3, 4),
        length=5,
        emulated_mistakes=[(lambda g, u, dy: tuple(reversed(_grads(g, u, dy))),
                            N_("dg and du swapped: store dg through dg_ptr.")),
                           (lambda g, u, dy: _grads(g, u, dy, swap=True),
                            N_("gate and up swapped: the GELU is applied to g, and u multiplies it.")),
                           (lambda g, u, dy: _grads(g, u, dy, act="silu"),
                            N_("that is SwiGLU's backward, the chapter's step: the gate here is the tanh GELU.")),
                           (lambda g, u, dy: _grads(g, u, dy, act="gelu"),
                            N_("that is the erf GELU's backward; the exercise asks for the tanh form.")),
                           (lambda g, u, dy: _grads(g, u, torch.ones_like(dy)),
                            N_("dy is missing: both gradients are multiplied by the output's gradient.")),
                           (lambda g, u, dy: (dy * u * _half_one_plus_tanh(g), _grads(g, u, dy)[1]),
                            N_("the tanh GELU's derivative is not 1/2 (1 + tanh z) = sigmoid(2 z): the product rule "
                               "adds 1/2 g (1 - tanh^2 z) z'(g), hint 1's second term.")),
                           (_geglu_bwd_half_second_term,
                            N_("the second term of the tanh GELU's derivative is half what it should be: with s = "
                               "sigmoid(2 z), 1 - tanh^2 z = 4 s (1 - s) (hint 2), so 1/2 g (1 - tanh^2 z) z'(g) = "
                               "2 g s (1 - s) z'(g)."))],
    ),
]
