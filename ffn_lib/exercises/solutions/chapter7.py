"""Worked solutions of chapter 7."""

from ..base import Solution

SOLUTIONS = {
    1: Solution(
        "One nn.Linear producing gate and value at once has 2 d_ff outputs, stored as (out_features, in_features).",
        "answer = (2 * 11008, 4096)",
    ),
    2: Solution(
        r"By the product rule, $du = dy\,\mathrm{SiLU}(g)$ and $dg = dy\,u\,\mathrm{SiLU}'(g)$ with "
        r"$\mathrm{SiLU}'(g) = \sigma(g) + g\,\sigma(g)(1 - \sigma(g))$. A fused kernel computes both from "
        r"$g$, $u$ and $dy$ in one pass, recomputing $\sigma(g)$ instead of storing it.",
        """import torch

def silu_mul_backward(g, u, dy):
    s = torch.sigmoid(g)
    dg = dy * u * (s * (1 + g * (1 - s)))
    du = dy * (g * s)
    return dg, du""",
    ),
    3: Solution(
        "Read g, u and dy, write dg and du: five tensors of 4096 x 11008 elements at 2 bytes each. "
        "`ffn_lib.sizing.activation_bytes(..., gated=True, backward=True)` counts the same.",
        """tokens, d_ff, bytes_per_element = 4096, 11008, 2
answer = 5 * tokens * d_ff * bytes_per_element""",
    ),
    4: Solution(
        r"Step 1's kernel with the tanh GELU, written as $g\,\sigma(2z)$ since $\tfrac12(1 + \tanh z) = "
        r"\sigma(2z)$: no tanh needed, and NaN and $\pm\infty$ come out as eager's ($-\infty \cdot 0$ is NaN in both).",
        """from ffn_lib.kernel_steps import tl, triton  # Triton, in its interpreter where there is no GPU


@triton.jit
def geglu_tanh_kernel(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)  # sqrt(2 / pi) (g + 0.044715 g^3)
    y = g * tl.sigmoid(2 * z) * u
    tl.store(y_ptr + offsets, y.to(y_ptr.dtype.element_ty), mask=mask)""",
    ),
    5: Solution(
        "Each program takes a block of output columns j of one row; the row's start comes from the stride, and "
        "in the interleaved layout gate j sits at column 2 j and up j at column 2 j + 1 (a stride-2 load each).",
        """from ffn_lib.kernel_steps import tl, triton  # Triton, in its interpreter where there is no GPU


@triton.jit
def silu_mul_interleaved_kernel(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    start = x_ptr + row * x_row_stride
    g = tl.load(start + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(start + 2 * cols + 1, mask=mask).to(tl.float32)
    y = g * tl.sigmoid(g) * u
    tl.store(y_ptr + row * y_row_stride + cols, y.to(y_ptr.dtype.element_ty), mask=mask)""",
    ),
    6: Solution(
        r"Load $g$, $u$, $dy$; recompute $z = \sqrt{2/\pi}(g + 0.044715 g^3)$ and $s = \sigma(2z)$, so that "
        r"$\mathrm{GELU}_\tanh(g) = g\,s$ and $\mathrm{GELU}_\tanh'(g) = s + 2 g\,s(1 - s)\sqrt{2/\pi}"
        r"(1 + 3 \cdot 0.044715 g^2)$ (from $\tfrac12(1 + \tanh z) = \sigma(2z)$); store $dg = dy\,u\,"
        r"\mathrm{GELU}_\tanh'(g)$ and $du = dy\,g\,s$. Five tensors move, the minimum.",
        """from ffn_lib.kernel_steps import tl, triton  # Triton, in its interpreter where there is no GPU


@triton.jit
def geglu_tanh_bwd_kernel(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    k = 0.7978845608028654  # sqrt(2 / pi)
    z = k * (g + 0.044715 * g * g * g)
    s = tl.sigmoid(2 * z)  # (1 + tanh z) / 2
    act_grad = s + 2 * g * s * (1 - s) * k * (1 + 3 * 0.044715 * g * g)
    tl.store(dg_ptr + offsets, (dy * u * act_grad).to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + offsets, (dy * g * s).to(du_ptr.dtype.element_ty), mask=mask)""",
    ),
    7: Solution(
        r"On $z = |x|$: $t = 1 / (1 + p z)$, the polynomial by Horner's rule, times $e^{-z^2}$, subtracted from 1; "
        r"then the sign, since erf is odd. In float64 the result stays within the formula's $1.5 \cdot 10^{-7}$ of "
        r"the exact erf; in float32 rounding adds a few units of $2^{-23}$. The kernel computes the same with "
        r"$z = |g| / \sqrt 2$ and keeps $\tfrac12 \mathrm{erfc}$, so that its $e^{-z^2}$ also serves the "
        r"derivative.",
        """import torch

P = 0.3275911
A1, A2, A3, A4, A5 = 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429


def erf_as7126(x):
    z = x.abs()
    t = 1 / (1 + P * z)
    erfc = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5)))) * torch.exp(-z * z)
    return torch.where(x < 0, erfc - 1, 1 - erfc)""",
    ),
}
