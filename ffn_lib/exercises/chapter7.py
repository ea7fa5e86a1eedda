"""Exercises of chapter 7: writing the fused kernel.

7.1-7.3 were chapter 6's 6.6-6.8 before the kernel got its own chapter (progress migrates);
7.4 onwards are answered with a Triton kernel (:mod:`ffn_lib.exercises.kernel`). Their ``emulated_mistakes``
are marked with ``N_`` for the catalogue (the extraction reads ``mistakes=``, not that keyword); the kernel
exercise translates a diagnosis where it shows it.
"""

import math
import types

import numpy as np
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


# Abramowitz & Stegun (1964), formula 7.1.26, for 7.7: erf(z) = 1 - (a1 t + ... + a5 t^5) exp(-z^2) + e(z), z >= 0,
# t = 1 / (1 + p z), |e(z)| <= 1.5e-7. The same constants as the production kernel's (kernels/triton_act_mul.py).
AS_P = 0.3275911
AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
AS_BOUND = 1.5e-7  # the formula's own error bound
# float32 rounding on top of it: erf is at most 1, where float32's spacing is 2**-23; the polynomial, the
# exponential and the subtraction each round, so a few spacings (measured: the worked solution in float32 stays
# within 4.1e-7 of float64's erf on the cases, 1.4e-7 of it the formula's own)
AS_FLOAT32_ROUNDING = 4 * 2.0 ** -23


def _as_poly(t, a=AS_A):
    """a1 t + a2 t^2 + ... + a5 t^5 by Horner's rule."""
    return t * (a[0] + t * (a[1] + t * (a[2] + t * (a[3] + t * a[4]))))


def _erf_as7126(x, a=AS_A, p=AS_P, sign=True, exp=True, complement=False):
    """A&S 7.1.26 and its known slips: ``sign=False`` erf(|x|) for every x, ``exp=False`` without the factor
    exp(-z^2), ``complement=True`` the erfc it approximates, not 1 minus it; ``a``, ``p`` rounded coefficients."""
    z = x.abs()
    q = _as_poly(1 / (1 + p * z), a) * (torch.exp(-z * z) if exp else 1)
    e = q if complement else 1 - q
    return torch.where(x < 0, -e, e) if sign else e


def _erf_cases(rng):
    """x in float64 and float32: a dense grid over [-6, 6] (the erf is flat beyond), 0, +-inf and large values,
    and a random (2, 3) tensor; the formula's error peaks near |x| = 0.1, 0.6 and 1.4, inside the grid."""
    edges = [0.0, -0.0, float("inf"), -float("inf"), 1e-8, -1e-8, 30.0, -30.0]  # no NaN: the in-place check
    grid = np.linspace(-6, 6, 2401)
    cases = []
    for dtype in (torch.float64, torch.float32):
        cases.append((torch.tensor(np.concatenate([grid, edges]), dtype=dtype),))
        cases.append((torch.tensor(rng.normal(size=(2, 3)) * 2, dtype=dtype),))
    return cases


def erf_use(fn) -> str | None:
    """The library erf a function's bytecode names (``torch.erf``, ``torch.special.erf``, ``math.erf``,
    ``scipy.special.erf``, ``erfc``), or None."""
    code = getattr(fn, "__code__", None)
    stack = [code] if code is not None else []
    while stack:
        c = stack.pop()
        for name in c.co_names:
            if name in ("erf", "erfc", "erfinv", "erf_", "erfc_"):
                return name
        stack += [k for k in c.co_consts if isinstance(k, types.CodeType)]
    return None


ERF_MESSAGES = {
    "bound": ("It agrees with float64's erf to {err} at x = {x} ({dtype}), above the formula's own error, {bound}: "
              "7.1.26 needs each coefficient with all its nine digits (a1 = 0.254829592, ..., p = 0.3275911), "
              "and erf(x) = 1 - (a1 t + ... + a5 t^5) exp(-x^2), not a shortened form."),
    "bound_ok": ("Its largest distance from float64's erf is {err64} in float64 and {err32} in float32, within the "
                 "formula's {bound} (in float32, plus {rounding} for float32's rounding)."),
    "library": ("It passes, but it calls a library erf (`{name}`): the exercise is to write formula 7.1.26 itself, "
                "which is what the kernel computes. Try it with the statement's t and polynomial."),
}


class ErfExercise(FunctionExercise):
    """7.7: the answer must also stay within the formula's bound of float64's erf (``AS_BOUND``, plus float32's
    rounding for float32 inputs), tighter than the general float64 tolerance; a right answer that calls a library
    erf passes with a sentence saying that the exercise is to write the formula."""

    def _errors(self, answer):
        worst = {}
        for (x,) in self._cases():
            got = answer(x.clone())
            if not isinstance(got, torch.Tensor) or got.shape != x.shape:
                return None
            err = (got.double() - torch.erf(x.double())).abs()
            err = torch.where(torch.isnan(x), torch.zeros_like(err), err).nan_to_num(nan=float("inf"))
            i = int(err.flatten().argmax())
            name = str(x.dtype).replace("torch.", "")
            if float(err.flatten()[i]) >= worst.get(name, (-1.0, 0.0))[0]:
                worst[name] = (float(err.flatten()[i]), float(x.flatten()[i]))
        return worst

    def _check(self, answer):
        status, message = super()._check(answer)
        if status != "correct":
            return status, message
        worst = self._errors(answer) or {}
        limits = {"float64": AS_BOUND, "float32": AS_BOUND + AS_FLOAT32_ROUNDING}
        for name, (err, x) in worst.items():
            if err > limits[name] * (1 + 1e-9):
                return "incorrect", tr(ERF_MESSAGES["bound"], err=f"{err:.1e}", x=f"{x:g}", dtype=name,
                                       bound=f"{AS_BOUND:.1e}")
        text = sentences([message, tr(ERF_MESSAGES["bound_ok"], err64=f"{worst['float64'][0]:.1e}",
                                      err32=f"{worst['float32'][0]:.1e}", bound=f"{AS_BOUND:.1e}",
                                      rounding=f"{AS_FLOAT32_ROUNDING:.1e}")])
        name = erf_use(answer)
        if name:
            text = sentences([text, tr(ERF_MESSAGES["library"], name=name)])
        return status, text


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
    ErfExercise(
        title="GELU-erf's erf, by Abramowitz and Stegun 7.1.26",
        statement=r"Write `erf_as7126(x)` for a torch tensor `x` (float32 or float64): $\mathrm{erf}(x)$ by formula "
                  r"7.1.26 of Abramowitz and Stegun, as the production kernel's GELU-erf computes it (step 6). For "
                  r"$z = |x|$, $t = 1 / (1 + p z)$ and $\mathrm{erf}(z) \approx 1 - (a_1 t + a_2 t^2 + a_3 t^3 + "
                  r"a_4 t^4 + a_5 t^5)\, e^{-z^2}$, with $p = 0.3275911$, $a_1 = 0.254829592$, "
                  r"$a_2 = -0.284496736$, $a_3 = 1.421413741$, $a_4 = -1.453152027$, $a_5 = 1.061405429$; "
                  r"$\mathrm{erf}(-x) = -\mathrm{erf}(x)$. Return a tensor of `x`'s shape and dtype, without "
                  r"calling a library erf. It is checked against float64's erf to the formula's own bound, "
                  r"$1.5 \cdot 10^{-7}$ (plus float32's rounding for float32 inputs), and $\pm\infty$ must give "
                  r"$\pm 1$.",
        hints=[r"Evaluate the polynomial by Horner's rule: $t\,(a_1 + t\,(a_2 + t\,(a_3 + t\,(a_4 + t\,a_5))))$.",
               r"The formula holds for $z \ge 0$: compute it on `x.abs()` and put the sign back with "
               r"`torch.where(x < 0, -e, e)`.",
               r"Every digit counts: the bound $1.5 \cdot 10^{-7}$ is met only with the coefficients as given."],
        starter="import torch\n\ndef erf_as7126(x):\n    ...  # your code here\n\nex.q7.check(erf_as7126)",
        answer_name="erf_as7126",
        reference=lambda x: torch.erf(x),
        cases=_erf_cases,
        constants=True,
        mistakes=[(lambda x: _erf_as7126(x, sign=False),
                   "erf(|x|) for every x: the formula holds for z = |x| >= 0, and erf is odd, erf(-x) = -erf(x): "
                   "put the sign back (hint 2)."),
                  (lambda x: _erf_as7126(x, exp=False),
                   "the factor exp(-x^2) is missing: erf(z) = 1 - (a1 t + ... + a5 t^5) exp(-z^2)."),
                  (lambda x: _erf_as7126(x, complement=True),
                   "that is erfc(|x|) with erf's sign, the polynomial times exp(-x^2) alone: erf is 1 minus it."),
                  (lambda x: _erf_as7126(x, complement=True, sign=False),
                   "that is erfc(|x|), the polynomial times exp(-x^2) alone: erf(z) is 1 minus it, with erf's "
                   "sign for negative x."),
                  (lambda x: _erf_as7126(x, a=tuple(math.trunc(a * 1e4) / 1e4 for a in AS_A),
                                         p=math.trunc(AS_P * 1e4) / 1e4),
                   "the coefficients are cut to four decimals: 7.1.26 reaches 1.5e-7 only with all nine digits "
                   "(hint 3).")],
    ),
]
