"""The fused act(g) * u kernels, in Triton (Tillet et al. 2019).

This file is short on purpose: chapter 6 walks through it.

The data is seen as a matrix of ``rows x d_ff`` elements. Program (r, c) of the
launch grid handles row r, columns [c * BLOCK, (c + 1) * BLOCK). Each row may
start anywhere (a row stride), so the same kernels read two separate tensors
(gate, up) or the two halves of one concatenated ``[gate | up]`` tensor.

Forward:  y = act(g) * u                       reads g, u; writes y     (3 tensors)
Backward: dg = dy * u * act'(g), du = dy * act(g)
                                               reads g, u, dy; writes dg, du (5 tensors)

The activation is recomputed in the backward instead of being saved: that costs a
few arithmetic instructions and saves a whole tensor of memory traffic.
All arithmetic is in float32; inputs and outputs keep their own dtype.
"""

import triton
import triton.language as tl

# Activation codes (compile-time constants: each gets its own compiled kernel).
IDENTITY = tl.constexpr(0)
SIGMOID = tl.constexpr(1)
RELU = tl.constexpr(2)
GELU_ERF = tl.constexpr(3)
GELU_TANH = tl.constexpr(4)
SWISH = tl.constexpr(5)

INV_SQRT_2 = tl.constexpr(0.7071067811865476)
INV_SQRT_2PI = tl.constexpr(0.3989422804014327)
SQRT_2_OVER_PI = tl.constexpr(0.7978845608028654)


@triton.jit
def _sigmoid(x):
    # 1 / (1 + e^-x) with exp only of -|x|: no overflow for any x.
    e = tl.exp(-tl.abs(x))
    return tl.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@triton.jit
def _act_and_grad(g, beta, ACT: tl.constexpr):
    """act(g) and act'(g), in float32."""
    if ACT == IDENTITY:
        a = g
        da = tl.full(g.shape, 1.0, tl.float32)
    elif ACT == SIGMOID:
        a = _sigmoid(g)
        da = a * (1.0 - a)
    elif ACT == RELU:
        a = tl.maximum(g, 0.0)
        da = tl.where(g > 0, 1.0, 0.0)
    elif ACT == GELU_ERF:
        cdf = 0.5 * (1.0 + tl.math.erf(g * INV_SQRT_2))
        gc = tl.minimum(tl.maximum(g, -40.0), 40.0)
        a = g * cdf
        da = cdf + gc * INV_SQRT_2PI * tl.exp(-0.5 * gc * gc)
    elif ACT == GELU_TANH:
        # 1 + tanh(z) = 2 sigmoid(2z): the tanh GELU is g * sigmoid(2z), with no cancellation for g < 0.
        gc = tl.minimum(tl.maximum(g, -100.0), 100.0)
        z = (gc + 0.044715 * gc * gc * gc) * SQRT_2_OVER_PI
        s = _sigmoid(2.0 * z)
        a = g * s
        da = s + 2.0 * gc * s * (1.0 - s) * SQRT_2_OVER_PI * (1.0 + 0.134145 * gc * gc)
    else:  # SWISH: x * sigmoid(beta * x); SiLU is beta = 1, the sigmoid GELU beta = 1.702
        s = _sigmoid(beta * g)
        a = g * s
        da = s + beta * g * s * (1.0 - s)
    return a, da


@triton.jit
def act_mul_fwd_kernel(g_ptr, u_ptr, y_ptr, n_cols, g_row_stride, u_row_stride, y_row_stride, beta,
                       ACT: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)  # 64-bit: row * stride may pass 2**31
    cols = tl.program_id(1) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < n_cols
    g = tl.load(g_ptr + row * g_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    u = tl.load(u_ptr + row * u_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    a, _ = _act_and_grad(g, beta, ACT)
    tl.store(y_ptr + row * y_row_stride + cols, (a * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def act_mul_bwd_kernel(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n_cols, g_row_stride, u_row_stride, dy_row_stride,
                       dg_row_stride, du_row_stride, beta, ACT: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    cols = tl.program_id(1) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < n_cols
    g = tl.load(g_ptr + row * g_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    u = tl.load(u_ptr + row * u_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    dy = tl.load(dy_ptr + row * dy_row_stride + cols, mask=mask, other=0.0).to(tl.float32)
    a, da = _act_and_grad(g, beta, ACT)
    tl.store(dg_ptr + row * dg_row_stride + cols, (dy * u * da).to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + row * du_row_stride + cols, (dy * a).to(du_ptr.dtype.element_ty), mask=mask)
