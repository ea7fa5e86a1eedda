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

Precision. ``tl.dot`` on float32 tiles does not compute in float32 by default: on an NVIDIA GPU with tensor
cores Triton's default ``input_precision`` is ``"tf32"`` (the deprecated ``allow_tf32=True``; the environment
variable ``TRITON_F32_DEFAULT`` changes the default), which keeps 10 of float32's 23 mantissa bits of each
input and, as Triton's documentation warns, may truncate rather than round them. This kernel passes the
precision explicitly, default ``"ieee"`` (float32 products and sums, what ``x @ W`` in PyTorch computes unless
``torch.backends.cuda.matmul.allow_tf32`` is set), so that it matches eager float32 on a GPU too; ``"tf32"``
asks for the tensor-core path. The option applies to float32 inputs only: bfloat16 and float16 tiles go to the
tensor cores whatever it says (their products are exact in the float32 accumulator), so the host passes it only
for float32. Triton's CPU interpreter ignores it and multiplies every tile with NumPy in float32, so on a CPU
both settings give the ``"ieee"`` numbers; :func:`error_bound` says how far each may be from the exact product,
and :func:`truncate_to_tf32` reproduces TF32's inputs on a CPU.
"""

from __future__ import annotations

import torch

from ..i18n import tr

try:
    import triton
    import triton.language as tl
except ImportError:  # pragma: no cover - shown as text where Triton is missing
    from ..kernel_steps import no_triton

    triton, tl = no_triton()


INPUT_PRECISIONS = ("ieee", "tf32")  # the two settings this kernel offers for float32 inputs (see the docstring)
FLOAT32_UNIT_ROUNDOFF = 2.0**-24  # u of float32: round to nearest gives |fl(a) - a| <= u |a|
TF32_INPUT_ERROR = 2.0**-10  # truncating float32 to TF32's 10 mantissa bits: |t(a) - a| < 2**-10 |a|
SILU_MAX_SLOPE = 1.0998  # sup of |SiLU'(g)| = sigma(g)(1 + g(1 - sigma(g))), reached near g = 2.40
EPILOGUE_ROUNDINGS = 8  # float32 roundings allowed for the epilogue: sigmoid (exp, add, divide), 2 products, store


@triton.jit
def matmul_swiglu_kernel(x_ptr, w_ptr, y_ptr, M, N, K, stride_xm, stride_wk, stride_ym,
                         BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                         INPUT_PRECISION: tl.constexpr):
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
        acc_g += tl.dot(x, wg, input_precision=INPUT_PRECISION)  # float32 x: "ieee" or "tf32", as asked
        acc_u += tl.dot(x, wu, input_precision=INPUT_PRECISION)
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
                  block_m: int = 16, block_k: int = 16, input_precision: str = "ieee") -> torch.Tensor:
    """SiLU(x W) * (x V) for an :func:`interleave`-d weight ``w``: one launch, g and u never written.

    ``input_precision`` ("ieee" or "tf32") is how ``tl.dot`` multiplies float32 tiles (see the module
    docstring); for other dtypes it does not apply and Triton's own choice is used."""
    if input_precision not in INPUT_PRECISIONS:
        raise ValueError(f"input_precision must be one of {', '.join(map(repr, INPUT_PRECISIONS))}, "
                         f"got {input_precision!r}.")
    block_n = block_n or getattr(w, "block_n", 16)
    n = n or getattr(w, "n", w.shape[1] // 2)
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0]:
        raise ValueError(f"x (M, K) and w (K, 2N) must agree on K, got {tuple(x.shape)} and {tuple(w.shape)}.")
    x, w = x.contiguous(), w.contiguous()
    m, k = x.shape
    y = torch.empty(m, n, device=x.device, dtype=x.dtype)
    grid = (triton.cdiv(m, block_m), triton.cdiv(n, block_n))
    matmul_swiglu_kernel[grid](x, w, y, m, n, k, x.stride(0), w.stride(0), y.stride(0),
                               BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k,
                               INPUT_PRECISION=input_precision if x.dtype == torch.float32 else None)
    return y


def truncate_to_tf32(t: torch.Tensor) -> torch.Tensor:
    """float32 ``t`` with the low 13 of its 23 mantissa bits cleared: the TF32 value a tensor core may multiply
    when it truncates instead of rounding (Triton's ``tl.dot`` documentation). |result - t| < 2**-10 |t|."""
    if not isinstance(t, torch.Tensor) or t.dtype != torch.float32:
        raise ValueError(f"t must be a float32 tensor, got {getattr(t, 'dtype', type(t).__name__)}.")
    return (t.contiguous().view(torch.int32) & ~0x1FFF).view(torch.float32)


def reference(x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor, input_precision: str = "ieee") -> torch.Tensor:
    """SiLU(x W) * (x V) in float64 on the inputs a ``tl.dot`` of ``input_precision`` multiplies: the float32
    values themselves ("ieee"), or their :func:`truncate_to_tf32` values ("tf32"), so a CPU shows what TF32
    changes. Exact up to float64's rounding."""
    if input_precision not in INPUT_PRECISIONS:
        raise ValueError(f"input_precision must be one of {', '.join(map(repr, INPUT_PRECISIONS))}, "
                         f"got {input_precision!r}.")
    seen = (lambda t: t) if input_precision == "ieee" else truncate_to_tf32
    x64, wg64, wu64 = (seen(t.detach().float().cpu()).double() for t in (x, w_gate, w_up))
    g = x64 @ wg64
    return g * torch.sigmoid(g) * (x64 @ wu64)


def precision_lines(x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor, y: torch.Tensor) -> list[str]:
    """Chapter 7: the kernel's output ``y`` here, and TF32's inputs emulated on the CPU, each against the exact
    product and against :func:`error_bound`; one sentence per line."""
    exact = reference(x, w_gate, w_up)
    bound = {p: error_bound(x, w_gate, w_up, p) for p in INPUT_PRECISIONS}
    got = {"kernel": y.detach().double().cpu(), "tf32": reference(x, w_gate, w_up, "tf32")}
    err = {k: (v - exact).abs() for k, v in got.items()}
    lines = [tr("This kernel, as launched here: largest error {err}, at most {share} of its 'ieee' bound.",
                err=f"{err['kernel'].max().item():.1e}", share=f"{(err['kernel'] / bound['ieee']).max().item():.0%}")]
    over = int((err["tf32"] > bound["ieee"]).sum())
    lines.append(tr("TF32 inputs, emulated in float64: largest error {err}, at most {share} of the 'tf32' bound; "
                    "{over} of {n} outputs are outside the 'ieee' bound.", err=f"{err['tf32'].max().item():.1e}",
                    share=f"{(err['tf32'] / bound['tf32']).max().item():.0%}", over=over, n=exact.numel()))
    lines.append(tr("Relative to |x| |W| (the sum of |x_k w_k|, the scale an accumulator's error grows with), TF32's "
                    "truncated inputs move the accumulators g = x W and u = x V by at most {rel} (the bound: "
                    "{bound}).", rel=f"{accumulator_error(x, w_gate, w_up, 'tf32'):.1e}",
                    bound=f"{(1 + TF32_INPUT_ERROR) ** 2 - 1:.1e}"))
    return lines


def accumulator_error(x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor,
                      input_precision: str = "tf32") -> float:
    """The largest |a' - a| / (|x| @ |w|) over the accumulators a = x W and x V, where a' is the product of the
    inputs a ``tl.dot`` of ``input_precision`` multiplies (float32 ones, or their TF32 truncations), in float64:
    an error relative to the scale :func:`error_bound` grows with (at most about 2 * 2**-10 for TF32)."""
    if input_precision not in INPUT_PRECISIONS:
        raise ValueError(f"input_precision must be one of {', '.join(map(repr, INPUT_PRECISIONS))}, "
                         f"got {input_precision!r}.")
    seen = (lambda t: t) if input_precision == "ieee" else truncate_to_tf32
    x32, x64 = x.detach().float().cpu(), x.detach().double().cpu()
    worst = 0.0
    for w in (w_gate, w_up):
        w32, w64 = w.detach().float().cpu(), w.detach().double().cpu()
        exact = x64 @ w64
        got = seen(x32).double() @ seen(w32).double()
        scale = (x64.abs() @ w64.abs()).clamp(min=torch.finfo(torch.float64).tiny)
        worst = max(worst, float(((got - exact).abs() / scale).max()))
    return worst


def error_bound(x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor,
                input_precision: str = "ieee") -> torch.Tensor:
    """How far each element of :func:`matmul_swiglu`'s float32 output may be from the exact SiLU(x W) * (x V).

    Each accumulator a = sum_k x_k w_k is within e = (eps + gamma_K (1 + eps)) (|x| @ |w|) of its exact value,
    where gamma_K = K u / (1 - K u) bounds K float32 additions (u = 2**-24; Higham, *Accuracy and Stability of
    Numerical Algorithms*, 2002, sec. 3.1) and eps is the error of one product's inputs: 0 for "ieee" (a float32
    product is one more rounding, inside gamma_K), (1 + 2**-10)**2 - 1 for "tf32" (both inputs truncated). Then,
    since |SiLU'| <= 1.0998, |y' - y| <= 1.0998 e_g (|u| + e_u) + |SiLU(g)| e_u, plus a few float32 roundings of
    y itself in the epilogue (:data:`EPILOGUE_ROUNDINGS`). Computed in float64 from the exact g and u.
    """
    if input_precision not in INPUT_PRECISIONS:
        raise ValueError(f"input_precision must be one of {', '.join(map(repr, INPUT_PRECISIONS))}, "
                         f"got {input_precision!r}.")
    if x.ndim != 2 or w_gate.ndim != 2 or w_gate.shape != w_up.shape or x.shape[1] != w_gate.shape[0]:
        raise ValueError(f"x (M, K), w_gate and w_up (K, N) must agree, got {tuple(x.shape)}, "
                         f"{tuple(w_gate.shape)} and {tuple(w_up.shape)}.")
    x64, wg64, wu64 = (t.detach().double().cpu() for t in (x, w_gate, w_up))
    k, u = x.shape[1], FLOAT32_UNIT_ROUNDOFF
    eps = 0.0 if input_precision == "ieee" else (1 + TF32_INPUT_ERROR) ** 2 - 1
    gamma = k * u / (1 - k * u)
    e_g, e_u = ((eps + gamma * (1 + eps)) * (x64.abs() @ w.abs()) for w in (wg64, wu64))
    g, up = x64 @ wg64, x64 @ wu64
    silu = g * torch.sigmoid(g)
    return SILU_MAX_SLOPE * e_g * (up.abs() + e_u) + silu.abs() * e_u + EPILOGUE_ROUNDINGS * u * (silu * up).abs()
