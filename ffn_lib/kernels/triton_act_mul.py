"""The fused act(g) * u kernels, in Triton (Tillet et al. 2019).

This file is short on purpose: chapter 7 builds up to it and reads it.

Forward:  y = act(g) * u                       reads g, u; writes y          (3 tensors)
Backward: dg = dy * u * act'(g), du = dy * act(g)
                                               reads g, u, dy; writes dg, du (5 tensors)

The activation is recomputed in the backward instead of being saved: a few
arithmetic instructions cost less than writing and reading a whole extra tensor.
All arithmetic is in float32; inputs and outputs keep their own dtype.

Launch shape. The op moves every byte once, so its speed is set by how well the
reads and writes stream through memory. The data is seen as rows of ``n_cols``
elements (row r starts ``r * row_stride`` elements into each tensor), and program
(c, r) of the grid takes columns [c * BLOCK, (c + 1) * BLOCK) of row r. The
GPU starts programs in order of c first, so neighbouring programs read
neighbouring addresses, and each program finds its row and columns with one
multiply-add, no division:

* contiguous g, u: the data is ONE row of g.numel() elements (a flat launch),
  with only the very last block partial;
* strided rows (the two halves of a concatenated ``[gate | up]`` tensor, or
  non-contiguous inputs): one grid row per data row.

Offsets are 32-bit unless one can pass 2**31 (``INT64``, decided on the host).

Arithmetic. Memory sets the pace only while each element costs few enough
instructions, and a float32 division costs many. ``FAST_RCP`` computes each
1/x (in the sigmoid, and in the erf below) with the GPU's approximate
reciprocal instruction, within 1 ulp; it is off in the CPU interpreter.

Numbers at the edges follow the library (``ffn_lib.activations``): NaN in gives
NaN out, as in eager PyTorch; +-inf give the mathematical limits
(GELU(-inf) = SiLU(-inf) = 0), where PyTorch's eager kernels give NaN.
"""

import triton
import triton.language as tl

from .. import activations as _a

# Activation codes (compile-time constants: each gets its own compiled kernel).
IDENTITY = tl.constexpr(0)
SIGMOID = tl.constexpr(1)
RELU = tl.constexpr(2)
GELU_ERF = tl.constexpr(3)
GELU_TANH = tl.constexpr(4)
SILU = tl.constexpr(5)
SWISH = tl.constexpr(6)  # x * sigmoid(beta * x), beta a runtime argument (the sigmoid GELU: beta = 1.702)

# Which erf the GELU uses.
ERF_AS7126 = tl.constexpr(0)  # Abramowitz & Stegun 7.1.26, below
ERF_LIBDEVICE = tl.constexpr(1)  # the CUDA math library's erff (tl.math.erf)

# The formulas' constants, from the library's one definition of each.
INV_SQRT_2 = tl.constexpr(_a.INV_SQRT_2)
INV_SQRT_2PI = tl.constexpr(_a.INV_SQRT_2PI)
SQRT_2_OVER_PI = tl.constexpr(_a.SQRT_2_OVER_PI)
TANH_COEF = tl.constexpr(_a.GELU_TANH_COEF)  # 0.044715
TANH_CLIP = tl.constexpr(_a.TANH_CLIP)  # tanh is flat beyond: the derivative's terms are 0 there
PDF_CLIP = tl.constexpr(_a.PDF_CLIP)  # exp(-x**2 / 2) is 0 beyond
FLOAT32_MAX = tl.constexpr(3.4028234663852886e38)
HALF_LOG2E = tl.constexpr(0.7213475204444817)  # log2(e) / 2: exp(-x**2 / 2) = exp2(-x**2 * HALF_LOG2E)

# Abramowitz & Stegun (1964), formula 7.1.26: for z >= 0,
#   erfc(z) = (a1 t + a2 t^2 + a3 t^3 + a4 t^4 + a5 t^5) exp(-z^2) + e(z),  t = 1 / (1 + p z),  |e(z)| <= 1.5e-7.
AS_P = tl.constexpr(0.3275911)
AS_A1 = tl.constexpr(0.254829592)
AS_A2 = tl.constexpr(-0.284496736)
AS_A3 = tl.constexpr(1.421413741)
AS_A4 = tl.constexpr(-1.453152027)
AS_A5 = tl.constexpr(1.061405429)


@triton.jit
def _block(n_cols, BLOCK: tl.constexpr, INT64: tl.constexpr):
    """This program's row, its columns in that row, and which of them exist (see the module docstring)."""
    row = tl.program_id(1)
    col_block = tl.program_id(0)
    if INT64:
        row = row.to(tl.int64)
        col_block = col_block.to(tl.int64)
    cols = col_block * BLOCK + tl.arange(0, BLOCK)
    return row, cols, cols < n_cols


@triton.jit
def _reciprocal(x, FAST_RCP: tl.constexpr):
    if FAST_RCP:  # one hardware instruction (CUDA only), within 1 ulp; denormal results flush to 0
        return tl.inline_asm_elementwise("rcp.approx.ftz.f32 $0, $1;", "=r,r", [x], dtype=tl.float32,
                                         is_pure=True, pack=1)
    else:
        return 1.0 / x


@triton.jit
def _sigmoid(x, FAST_RCP: tl.constexpr):
    # 1 / (1 + e^-x) through e = exp(-|x|) <= 1: no overflow for any x, one reciprocal of a number in [1, 2].
    e = tl.exp(-tl.abs(x))
    r = _reciprocal(1.0 + e, FAST_RCP)
    return tl.where(x >= 0, r, e * r)


@triton.jit
def _clip(x, c):
    # x limited to [-c, c]; unlike minimum/maximum this keeps NaN as NaN.
    return tl.where(x > c, c, tl.where(x < -c, -c, x))


@triton.jit
def _times(x, p):
    # x * p, but 0 where p == 0 even for infinite x: the limit x * p -> 0, not inf * 0 = NaN.
    return tl.where(p == 0.0, 0.0, x) * p


@triton.jit
def _gelu_cdf_and_density(g, ERF: tl.constexpr, FAST_RCP: tl.constexpr):
    """Phi(g) and phi(g) = exp(-g^2 / 2) / sqrt(2 pi), the GELU's two ingredients.

    ERF_AS7126 (default): Phi(g) = 1 - q/2 for g >= 0 and q/2 for g < 0, q = erfc(|g| / sqrt 2) by A&S 7.1.26.
    The formula's own error (<= 1.5e-7 on erfc) and float32 rounding keep the GELU within 3e-7 |g| of the
    exact value, and within 3.5% relative even far in the negative tail, where 1 + erf(g / sqrt 2) cancels
    to 0 (tests/test_kernels.py measures both). Its exponential is the one the derivative needs anyway, so
    the forward pays for one exp2, one reciprocal and five multiply-adds, where the math library's erff
    pays for a longer polynomial with branches: GELU-erf is the one gate whose forward is close to being
    limited by arithmetic rather than memory traffic.
    ERF_LIBDEVICE: Phi(g) = (1 + erf(g / sqrt 2)) / 2 with the CUDA math library's erff (GELU within 1.1e-7 |g|).
    """
    e = tl.exp2(-(g * g) * HALF_LOG2E)  # exp(-g^2 / 2); 0 for huge |g|
    if ERF == ERF_AS7126:
        t = _reciprocal(1.0 + (AS_P * INV_SQRT_2) * tl.abs(g), FAST_RCP)
        q = t * (AS_A1 + t * (AS_A2 + t * (AS_A3 + t * (AS_A4 + t * AS_A5)))) * e  # erfc(|g| / sqrt 2)
        cdf = tl.where(g >= 0, 1.0 - 0.5 * q, 0.5 * q)
    else:
        cdf = 0.5 * (1.0 + tl.math.erf(g * INV_SQRT_2))
    return cdf, e * INV_SQRT_2PI


@triton.jit
def _act_and_grad(g, beta, ACT: tl.constexpr, ERF: tl.constexpr, FAST_RCP: tl.constexpr):
    """act(g) and act'(g) in float32. The forward kernel ignores act'(g); the compiler drops its arithmetic."""
    if ACT == IDENTITY:
        a = g
        da = tl.full(g.shape, 1.0, tl.float32)
    elif ACT == SIGMOID:
        a = _sigmoid(g, FAST_RCP)
        da = a * (1.0 - a)
    elif ACT == RELU:
        a = tl.where(g < 0, 0.0, g)  # NaN stays NaN (max(g, 0) would give 0)
        da = tl.where(g <= 0, 0.0, 1.0)  # as PyTorch's backward: NaN passes the gradient through
    elif ACT == GELU_ERF:
        cdf, pdf = _gelu_cdf_and_density(g, ERF, FAST_RCP)
        a = _times(g, cdf)
        da = cdf + _clip(g, PDF_CLIP) * pdf  # clipped: pdf is 0 there, and inf * 0 would be NaN
    elif ACT == GELU_TANH:
        # 1 + tanh(z) = 2 sigmoid(2z): the tanh GELU is g * sigmoid(2z), with no cancellation for g < 0.
        z = SQRT_2_OVER_PI * (g + TANH_COEF * g * g * g)  # +-inf for huge |g|: sigmoid's limits
        s = _sigmoid(2.0 * z, FAST_RCP)
        a = _times(g, s)
        gc = _clip(g, TANH_CLIP)  # where s (1 - s) = 0, so that gc**2 stays finite
        da = s + 2.0 * gc * s * (1.0 - s) * SQRT_2_OVER_PI * (1.0 + 3.0 * TANH_COEF * gc * gc)
    elif ACT == SILU:
        s = _sigmoid(g, FAST_RCP)
        a = _times(g, s)
        da = s + _times(g, s * (1.0 - s))
    else:  # SWISH: g * sigmoid(beta * g)
        bg = beta * _clip(g, FLOAT32_MAX)  # finite g: beta = 0 then gives sigmoid(0) = 1/2, not 0 * inf
        s = _sigmoid(bg, FAST_RCP)
        a = _times(g, s)
        da = s + _times(bg, s * (1.0 - s))
    return a, da


@triton.jit
def act_mul_fwd_kernel(g_ptr, u_ptr, y_ptr, n_cols, g_row_stride, u_row_stride, y_row_stride, beta,
                       ACT: tl.constexpr, BLOCK: tl.constexpr, INT64: tl.constexpr, ERF: tl.constexpr,
                       FAST_RCP: tl.constexpr):
    row, cols, mask = _block(n_cols, BLOCK, INT64)
    g = tl.load(g_ptr + row * g_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    u = tl.load(u_ptr + row * u_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    a, _ = _act_and_grad(g, beta, ACT, ERF, FAST_RCP)
    tl.store(y_ptr + row * y_row_stride + cols, (a * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def act_mul_bwd_kernel(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n_cols, g_row_stride, u_row_stride, dy_row_stride,
                       dg_row_stride, du_row_stride, beta, ACT: tl.constexpr, BLOCK: tl.constexpr,
                       INT64: tl.constexpr, ERF: tl.constexpr, FAST_RCP: tl.constexpr):
    row, cols, mask = _block(n_cols, BLOCK, INT64)
    g = tl.load(g_ptr + row * g_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    u = tl.load(u_ptr + row * u_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    dy = tl.load(dy_ptr + row * dy_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    a, da = _act_and_grad(g, beta, ACT, ERF, FAST_RCP)  # recomputed, not saved by the forward
    tl.store(dg_ptr + row * dg_row_stride + cols, (dy * u * da).to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + row * du_row_stride + cols, (dy * a).to(du_ptr.dtype.element_ty), mask=mask)
