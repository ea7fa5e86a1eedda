"""FP8 and the gated block's outliers, on a CPU: scaled casts to float8_e4m3fn and back.

* :func:`fake_quantize`: x -> q(x / s) * s, with q the cast to ``torch.float8_e4m3fn`` (round to
  nearest) and s = amax / 448 (E4M3's largest value), either one s for the whole tensor
  ("per-tensor scaling"), one per channel of the last dimension (``per_channel``), one per row, i.e.
  per token (``per_token``: the row-wise scaling a scaled FP8 matrix product can apply to its A operand
  after the product), or one per row and block of ``block`` neighbouring channels (``block``: the
  fine-grained tiles of DeepSeek-V3, 1 x 128, or MX's blocks of 32);
* :func:`relative_error`: ||fake_quantize(x) - x|| / ||x||, per channel or overall, and
  :func:`binade_rounding_error`, its reference: the error of E4M3's 3 mantissa bits alone;
* :func:`smooth_scale`: the per-channel scale of Smooth-SwiGLU (Fishman et al. 2024), each hidden
  channel's largest |value| over a calibration batch, to be folded into W2 with
  :func:`ffn_lib.rescaling.fold_channel_scale` (the inference form; in training the paper takes the scale
  from the tensor being quantised, afresh as training goes);
* :func:`aligned_unit_growth`: how much one hidden unit's peak output grows when its input weights grow
  by a factor: about factor**2 for a gated unit whose gate and up rows are aligned (w = v, the alignment
  Fishman et al. 2024 find in long runs), factor for a plain FFN's unit;
* :func:`clamped_swiglu`: the other production answer, a SwiGLU whose gate and value are clamped,
  as released in OpenAI's gpt-oss (``gpt_oss/torch/model.py``, ``swiglu(x, alpha=1.702, limit=7.0)``,
  ``ModelConfig.swiglu_limit = 7.0``): out = g' sigma(alpha g') (u' + 1), g' = min(g, limit),
  u' = clamp(u, -limit, limit).

Everything runs on any device torch has float8 casts for (the CPU included); no FP8 matrix product
is used: the point is what the cast does to the numbers.
"""

from __future__ import annotations

import torch

from ._checks import finite_scalar, positive_number
from .activations import Activation, get_activation

FP8 = torch.float8_e4m3fn
FP8_MAX = float(torch.finfo(FP8).max)  # 448


def _check_tensor(x: torch.Tensor, name: str = "x") -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}.")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {x.dtype}.")
    return x


def _granularity(per_channel: bool, per_token: bool, block: int | None) -> int | None:
    """Checks that at most one granularity is asked for; returns the block size (None without one)."""
    if block is not None:
        if isinstance(block, bool) or not isinstance(block, int) or block < 1:
            raise ValueError(f"block must be a positive int (channels per scale, along each row), got {block!r}.")
    if sum((bool(per_channel), bool(per_token), block is not None)) > 1:
        raise ValueError("choose one of per_channel, per_token and block (got more than one).")
    return block


def amax_scale(x: torch.Tensor, *, per_channel: bool = False, per_token: bool = False,
               block: int | None = None) -> torch.Tensor:
    """s = amax(|x|) / 448: over the whole tensor (a 0-d tensor); per channel of the last dimension
    (``per_channel``, shape ``x.shape[-1:]``); per row, i.e. per token (``per_token``, shape
    ``x.shape[:-1] + (1,)``); or per row and block of ``block`` neighbouring channels of the last dimension
    (shape ``x.shape``, each scale repeated over its block; a last, shorter block gets its own). A group that is
    all zeros gets s = 1."""
    _check_tensor(x)
    block = _granularity(per_channel, per_token, block)
    if per_channel:
        a = x.abs().reshape(-1, x.shape[-1]).amax(dim=0)
    elif per_token:
        a = x.abs().amax(dim=-1, keepdim=True)
    elif block is not None:
        n = x.shape[-1]
        padded = torch.nn.functional.pad(x.abs(), (0, -n % block))  # zeros do not raise a block's amax
        a = padded.unflatten(-1, (-1, block)).amax(dim=-1, keepdim=True).expand(*padded.shape[:-1], -1, block)
        a = a.flatten(-2)[..., :n]
    else:
        a = x.abs().amax()
    return torch.where(a > 0, a / FP8_MAX, torch.ones_like(a))


def fake_quantize(x: torch.Tensor, *, per_channel: bool = False, per_token: bool = False,
                  block: int | None = None) -> torch.Tensor:
    """x -> float8_e4m3fn(x / s) * s in x's dtype, s from :func:`amax_scale` (same granularity arguments)."""
    s = amax_scale(x, per_channel=per_channel, per_token=per_token, block=block)
    return (x / s).to(FP8).to(x.dtype) * s


def relative_error(x: torch.Tensor, *, per_channel: bool = False, per_token: bool = False, block: int | None = None,
                   by_channel: bool = False) -> torch.Tensor:
    """||fake_quantize(x) - x|| / ||x||: overall (a 0-d tensor) or, with ``by_channel``, for each channel
    of the last dimension. ``per_channel``, ``per_token`` and ``block`` choose the scales' granularity
    (:func:`amax_scale`)."""
    err = fake_quantize(x, per_channel=per_channel, per_token=per_token, block=block) - x
    if by_channel:
        e, n = err.reshape(-1, x.shape[-1]), x.reshape(-1, x.shape[-1])
        return e.norm(dim=0) / n.norm(dim=0).clamp_min(torch.finfo(x.dtype).tiny)
    return err.norm() / x.norm()


def subnormal_share(x: torch.Tensor, *, per_channel: bool = False, per_token: bool = False, block: int | None = None,
                    by_channel: bool = False) -> torch.Tensor:
    """The share of x's non-zero values that land below E4M3's smallest normal number (2**-6) once divided by their
    scale (:func:`amax_scale`, same granularity arguments): those are cast to a subnormal, with fewer mantissa bits,
    or to zero. Overall (a 0-d tensor) or, with ``by_channel``, for each channel of the last dimension."""
    s = amax_scale(x, per_channel=per_channel, per_token=per_token, block=block)
    scaled = (x / s).abs()
    nonzero = x != 0
    low = (scaled < torch.finfo(FP8).smallest_normal) & nonzero
    if by_channel:
        n = nonzero.reshape(-1, x.shape[-1]).sum(dim=0)
        return low.reshape(-1, x.shape[-1]).sum(dim=0) / n.clamp_min(1)
    return low.sum() / nonzero.sum().clamp_min(1)


def binade_rounding_error(n: int = 1 << 16) -> float:
    """The reference for a scaled cast's error: ||q(x) - x|| / ||x|| for ``n`` values spread evenly on a log scale
    over one binade of E4M3's normal range, [1, 2), cast by :data:`FP8` and back. It is the cost of E4M3's 3
    mantissa bits alone, with no value near the subnormals or the top of the range; about
    2**-3 / sqrt(12) / sqrt(3 / (2 ln 2)) = 2.45% (a rounding error uniform over a step of 2**-3, over the mean
    square of log-uniform values in [1, 2)). Where a scale puts the bulk of a tensor's values inside their binades
    moves a real tensor's error a little on either side of it."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an int of at least 2 (values over the binade), got {n!r}.")
    x = torch.exp2(torch.arange(n, dtype=torch.float64) / n)  # log-uniform in [1, 2)
    err = x.to(FP8).to(torch.float64) - x
    return (err.norm() / x.norm()).item()


def smooth_scale(hidden: torch.Tensor) -> torch.Tensor:
    """Smooth-SwiGLU's per-channel scale from a calibration batch of the hidden tensor act(xW) * xV:
    each channel's largest |value| (1 for an all-zero channel), shape ``(d_ff,)``. Dividing the channel by
    it (and multiplying W2's matching column) gives every channel the same range."""
    _check_tensor(hidden, "hidden")
    a = hidden.detach().abs().reshape(-1, hidden.shape[-1]).amax(dim=0)
    return torch.where(a > 0, a, torch.ones_like(a))


def aligned_unit_growth(z: torch.Tensor, factor: float, *, activation: str | Activation = "silu",
                        gated: bool = True) -> float:
    """max |unit(factor z)| / max |unit(z)|: how much one hidden unit's peak output over a batch grows when its
    input weights grow by ``factor``, from its pre-activations z = x w on that batch.

    Gated, with the gate and up rows aligned (w = v), the unit is act(x w) (x v) = act(z) z, so weights grown by
    ``factor`` give act(factor z) factor z: about factor**2 at a peak where act(z) ~ z (ReLU exactly; SiLU and
    GELU for large z), the quadratic growth of Fishman et al. (2024, "Scaling FP8 training to trillion-token
    LLMs", arXiv 2409.12517). A plain FFN's unit (``gated=False``) is act(z): about ``factor`` (ReLU exactly).
    """
    if not isinstance(z, torch.Tensor) or not z.is_floating_point() or z.numel() == 0:
        raise TypeError(f"z must be a non-empty floating-point torch.Tensor, got {type(z).__name__}.")
    factor = positive_number(factor, "factor")
    act = get_activation(activation).torch

    def unit(t: torch.Tensor) -> torch.Tensor:
        return act(t) * t if gated else act(t)

    before = unit(z).abs().max()
    if not before > 0:
        raise ValueError("z must give the unit a nonzero output somewhere (its peak is 0).")
    return float(unit(factor * z).abs().max() / before)


def clamped_swiglu(gate: torch.Tensor, up: torch.Tensor, *, alpha: float = 1.702, limit: float = 7.0) -> torch.Tensor:
    """gpt-oss's clamped SwiGLU: g' sigma(alpha g') (u' + 1), g' = min(g, limit), u' = clamp(u, -limit, limit).

    Source: OpenAI, gpt-oss reference code, ``gpt_oss/torch/model.py`` (``swiglu``; the default limit is the
    released ``swiglu_limit`` of 7.0). Note the +1 on the value and alpha = 1.702 (a Swish, not SiLU): the
    gate is bounded above by limit, so |out| <= limit (limit + 1) whatever the input.
    """
    _check_tensor(gate, "gate")
    _check_tensor(up, "up")
    if gate.shape != up.shape:
        raise ValueError(f"gate and up must have the same shape, got {tuple(gate.shape)} and {tuple(up.shape)}.")
    alpha = finite_scalar(alpha, "alpha")
    limit = positive_number(limit, "limit")
    g = gate.clamp(max=limit)
    u = up.clamp(min=-limit, max=limit)
    return g * torch.sigmoid(alpha * g) * (u + 1)
