"""A teaching Triton matrix product with a SwiGLU epilogue: y = SiLU(x W) * (x V) without writing x W or x V.

The weight is the gate and up projections **interleaved** in blocks of ``BLOCK_N`` columns: columns
[2j BLOCK_N, (2j+1) BLOCK_N) are gate columns j BLOCK_N.., the next BLOCK_N the matching up columns
(:func:`interleave`). Program (i, j) accumulates the two (BLOCK_M x BLOCK_N) tiles of x W and x V for output
tile (i, j) in float32 registers, over K in steps of BLOCK_K; its epilogue computes SiLU(gate) * up and
writes only that tile. Interleaving puts the two weight tiles side by side; with stacked weights ([W | V], as
``gate_up_proj``) the same two accumulators work if the up loads start d_ff columns after the gate loads
(as CUTLASS's DualGemm does). What interleaving buys is that one wide tile of a single ordinary product holds both.

Short and untuned on purpose (no grouped ordering, no pipelining hints): chapter 7 reads it, and the tests
check it against eager PyTorch in Triton's interpreter at small sizes. It is not what ``ffn_lib`` times.
"""

from __future__ import annotations

import torch

try:
    import triton
    import triton.language as tl
except ImportError:  # pragma: no cover - shown as text where Triton is missing
    from ..kernel_steps import no_triton

    triton, tl = no_triton()


@triton.jit
def matmul_swiglu_kernel(x_ptr, w_ptr, y_ptr, M, N, K, stride_xm, stride_wk, stride_ym,
                         BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    pid_m, pid_n = tl.program_id(0), tl.program_id(1)
    rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)          # output columns of this tile
    gate_cols = 2 * pid_n * BLOCK_N + tl.arange(0, BLOCK_N)  # their gate columns in the interleaved weight
    acc_g = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    acc_u = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k0 in range(0, K, BLOCK_K):
        ks = k0 + tl.arange(0, BLOCK_K)
        x = tl.load(x_ptr + rows[:, None] * stride_xm + ks[None, :],
                    mask=(rows[:, None] < M) & (ks[None, :] < K), other=0.0)
        w_mask = (ks[:, None] < K) & (cols[None, :] < N)
        wg = tl.load(w_ptr + ks[:, None] * stride_wk + gate_cols[None, :], mask=w_mask, other=0.0)
        wu = tl.load(w_ptr + ks[:, None] * stride_wk + gate_cols[None, :] + BLOCK_N, mask=w_mask, other=0.0)
        acc_g += tl.dot(x, wg)
        acc_u += tl.dot(x, wu)
    y = acc_g * tl.sigmoid(acc_g) * acc_u                    # the epilogue: SiLU(gate) * up, in registers
    tl.store(y_ptr + rows[:, None] * stride_ym + cols[None, :], y.to(y_ptr.dtype.element_ty),
             mask=(rows[:, None] < M) & (cols[None, :] < N))


def interleave(w_gate: torch.Tensor, w_up: torch.Tensor, block_n: int = 16) -> torch.Tensor:
    """(K, N) gate and up weights (the paper's layout, ``x @ W``) as one (K, 2 N') weight, N' = N rounded up to
    ``block_n``, interleaved in blocks of ``block_n`` columns: gate block 0, up block 0, gate block 1, ..."""
    if w_gate.shape != w_up.shape or w_gate.ndim != 2:
        raise ValueError(f"w_gate and w_up must be 2-D of one shape, got {tuple(w_gate.shape)} and "
                         f"{tuple(w_up.shape)}.")
    if isinstance(block_n, bool) or not isinstance(block_n, int) or block_n < 16 or block_n & (block_n - 1):
        raise ValueError(f"block_n must be a power of two of at least 16, got {block_n!r}.")
    k, n = w_gate.shape
    blocks = -(-n // block_n)
    pad = blocks * block_n - n
    g = torch.nn.functional.pad(w_gate, (0, pad)).view(k, blocks, 1, block_n)
    u = torch.nn.functional.pad(w_up, (0, pad)).view(k, blocks, 1, block_n)
    out = torch.cat([g, u], dim=2).reshape(k, 2 * blocks * block_n)
    out.block_n, out.n = block_n, n  # remembered for matmul_swiglu
    return out


def matmul_swiglu(x: torch.Tensor, w: torch.Tensor, n: int | None = None, block_n: int | None = None, *,
                  block_m: int = 16, block_k: int = 16) -> torch.Tensor:
    """SiLU(x W) * (x V) for an :func:`interleave`-d weight ``w``: one launch, g and u never written."""
    block_n = block_n or getattr(w, "block_n", 16)
    n = n or getattr(w, "n", w.shape[1] // 2)
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0]:
        raise ValueError(f"x (M, K) and w (K, 2N) must agree on K, got {tuple(x.shape)} and {tuple(w.shape)}.")
    x, w = x.contiguous(), w.contiguous()
    m, k = x.shape
    y = torch.empty(m, n, device=x.device, dtype=x.dtype)
    grid = (triton.cdiv(m, block_m), triton.cdiv(n, block_n))
    matmul_swiglu_kernel[grid](x, w, y, m, n, k, x.stride(0), w.stride(0), y.stride(0),
                               BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k)
    return y
