"""Sizes, parameter counts, FLOPs and bytes of the FFN blocks.

Conventions (used everywhere in the course):

* ``tokens`` is the number of positions the block is applied to (batch x sequence);
* a multiply-add counts as 2 FLOPs; only the matrix products are counted (the
  elementwise activation adds O(tokens * d_ff) operations, negligible next to
  O(tokens * d_model * d_ff));
* the backward pass of a linear layer costs twice its forward (one product for
  the input's gradient, one for the weight's);
* bytes are the minimum traffic an elementwise step must move to and from memory:
  each input read once, each output written once.

Sources: Vaswani et al. 2017 (the plain block), Shazeer 2020 (the gated block and
the 2/3 rule), Touvron et al. 2023 and Meta's reference code (Llama's d_ff).
"""

from __future__ import annotations

import math

import torch

from ._checks import positive_int as _positive_int
from ._checks import positive_number as _positive_number
from .i18n import N_


def n_matrices(gated: bool) -> int:
    """Weight matrices of size d_model x d_ff: 2 in the plain block (W1, W2), 3 in the gated one (W, V, W2)."""
    return 3 if gated else 2


def param_count(d_model: int, d_ff: int, *, gated: bool, bias: bool) -> int:
    """Parameters of one FFN block.

    plain: 2 d_model d_ff (+ d_ff + d_model biases);
    gated: 3 d_model d_ff (+ 2 d_ff + d_model biases).
    """
    d_model, d_ff = _positive_int(d_model, "d_model"), _positive_int(d_ff, "d_ff")
    weights = n_matrices(gated) * d_model * d_ff
    biases = ((2 if gated else 1) * d_ff + d_model) if bias else 0
    return weights + biases


def forward_flops(tokens: int, d_model: int, d_ff: int, *, gated: bool) -> int:
    """Matrix-product FLOPs of one forward pass: 2 * tokens * (2 or 3) * d_model * d_ff."""
    tokens = _positive_int(tokens, "tokens")
    d_model, d_ff = _positive_int(d_model, "d_model"), _positive_int(d_ff, "d_ff")
    return 2 * tokens * n_matrices(gated) * d_model * d_ff


def backward_flops(tokens: int, d_model: int, d_ff: int, *, gated: bool) -> int:
    """Matrix-product FLOPs of one backward pass: twice the forward."""
    return 2 * forward_flops(tokens, d_model, d_ff, gated=gated)


def dtype_bytes(dtype: torch.dtype | str) -> int:
    """Bytes per element of a torch dtype (or its name: ``"bfloat16"``)."""
    if isinstance(dtype, str):
        resolved = getattr(torch, dtype, None)
        if not isinstance(resolved, torch.dtype):
            raise ValueError(f"dtype {dtype!r} is not a torch dtype name (try 'float32', 'bfloat16').")
        dtype = resolved
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype or its name, got {type(dtype).__name__}.")
    return torch.empty((), dtype=dtype).element_size()


def activation_tensors(*, gated: bool, backward: bool, fused: bool = True) -> int:
    """How many (tokens x d_ff) tensors the activation step reads plus writes.

    Fused (one kernel per pass, the minimum):
      plain forward: read h, write act(h)                        -> 2
      plain backward: read h and dy, write dh                    -> 3
      gated forward: read g and u, write act(g) * u              -> 3
      gated backward: read g, u and dy, write dg and du          -> 5
    Eager gated step, ``act(g) * u`` as PyTorch kernels (``fused=False``), as
    ``torch.profiler`` shows them (:func:`ffn_lib.analysis.elementwise_passes`
    measures it):
      forward, 2 kernels: act reads g, writes s; mul reads s and u, writes y      -> 5
      backward, 3 kernels: du = dy * s and ds = dy * u (each reads dy: two reads),
      then act's backward reads ds and g, writes dg                               -> 9
    The eager plain step is one kernel each way, as fused (2 and 3).
    """
    if gated:
        if not fused:
            return 9 if backward else 5
        return 5 if backward else 3
    return 3 if backward else 2


def activation_bytes(tokens: int, d_ff: int, dtype: torch.dtype | str = torch.float32, *, gated: bool,
                     backward: bool = False, fused: bool = True) -> int:
    """Bytes the activation step moves (see :func:`activation_tensors`)."""
    tokens, d_ff = _positive_int(tokens, "tokens"), _positive_int(d_ff, "d_ff")
    return activation_tensors(gated=gated, backward=backward, fused=fused) * tokens * d_ff * dtype_bytes(dtype)


ACT_MUL_OPS_PER_ELEMENT = 5  # SiLU(g) * u: exp, add, divide, multiply by g, multiply by u


def act_mul_flops(tokens: int, d_ff: int) -> int:
    """Approximate arithmetic of the gated step act(g) * u: about 5 operations per element.

    Only an order of magnitude matters here (it places the step on a roofline); the
    exact count depends on the activation and on how the library evaluates it.
    """
    return ACT_MUL_OPS_PER_ELEMENT * _positive_int(tokens, "tokens") * _positive_int(d_ff, "d_ff")


def product_bytes(n: int, k: int, m: int, dtype: torch.dtype | str = torch.float32) -> int:
    """Minimum bytes of an (n x k) @ (k x m) product: both inputs read once, the output written once."""
    n, k, m = _positive_int(n, "n"), _positive_int(k, "k"), _positive_int(m, "m")
    return (n * k + k * m + n * m) * dtype_bytes(dtype)


def product_flops(n: int, k: int, m: int) -> int:
    """FLOPs of an (n x k) @ (k x m) product: 2 n k m."""
    return 2 * _positive_int(n, "n") * _positive_int(k, "k") * _positive_int(m, "m")


def arithmetic_intensity(flops: float, nbytes: float) -> float:
    """FLOPs per byte moved: where an operation sits on the roofline's x-axis."""
    if nbytes <= 0:
        raise ValueError(f"nbytes must be positive, got {nbytes}.")
    if flops < 0:
        raise ValueError(f"flops must be non-negative, got {flops}.")
    return flops / nbytes


def matmul_bytes(tokens: int, d_model: int, d_ff: int, dtype: torch.dtype | str = torch.float32, *,
                 gated: bool) -> int:
    """Minimum bytes the forward matrix products move: x and the weights read, the d_ff-wide
    intermediates written and read back, y written."""
    tokens = _positive_int(tokens, "tokens")
    d_model, d_ff = _positive_int(d_model, "d_model"), _positive_int(d_ff, "d_ff")
    n = n_matrices(gated)
    elements = n * d_model * d_ff + 2 * tokens * d_model + (n - 1) * tokens * d_ff + tokens * d_ff
    return elements * dtype_bytes(dtype)


def matched_d_ff(d_model: int, *, gated: bool = True, expansion: float = 4.0, multiple_of: int = 1) -> int:
    """The hidden width that keeps a block's parameters and FLOPs equal to a plain FFN's
    with ``d_ff = expansion * d_model`` (Shazeer 2020: "we reduce d_ff by a factor of 2/3").

    plain: expansion * d_model; gated: 2/3 of it (the third matrix is paid for by a
    narrower hidden layer). ``multiple_of`` rounds up, as hardware-friendly codebases do.

    >>> matched_d_ff(768, gated=False), matched_d_ff(768, gated=True)
    (3072, 2048)
    """
    d_model = _positive_int(d_model, "d_model")
    expansion = _positive_number(expansion, "expansion")
    multiple_of = _positive_int(multiple_of, "multiple_of")
    width = expansion * d_model * (2.0 / 3.0 if gated else 1.0)
    width = int(round(width, 6))  # 2/3 * 3072 is 2047.9999...; exact sizes stay exact
    return multiple_of * math.ceil(width / multiple_of)


def llama_d_ff(d_model: int, multiple_of: int = 256, ffn_dim_multiplier: float | None = None) -> int:
    """Llama's hidden width, as Meta's reference ``FeedForward.__init__`` computes it.

    hidden = int(2 * 4 d_model / 3); optionally int(ffn_dim_multiplier * hidden);
    then rounded up to a multiple of ``multiple_of``. (Touvron et al. 2023, sec. 2.2.)

    >>> llama_d_ff(4096), llama_d_ff(4096, multiple_of=1024, ffn_dim_multiplier=1.3)
    (11008, 14336)
    """
    d_model = _positive_int(d_model, "d_model")
    multiple_of = _positive_int(multiple_of, "multiple_of")
    hidden = int(2 * (4 * d_model) / 3)
    if ffn_dim_multiplier is not None:
        hidden = int(_positive_number(ffn_dim_multiplier, "ffn_dim_multiplier") * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def gemm_waves(m: int, n: int, *, sms: int, tile_m: int = 128, tile_n: int = 128) -> tuple[int, int, float]:
    """Tile and wave quantisation of an ``m x n`` matrix-product output.

    The output is cut into ``tile_m x tile_n`` tiles, handed to ``sms`` streaming
    multiprocessors one tile each per *wave*:

        tiles  = ceil(m / tile_m) * ceil(n / tile_n)
        waves  = ceil(tiles / sms)
        useful = m * n / (waves * sms * tile_m * tile_n)

    ``useful`` is the share of tile slots doing useful work: a partial last tile in
    each row or column of tiles and a partly filled last wave both lower it. This
    is the counting argument for round widths, not a model of any library's time
    (libraries choose among tile shapes and split work in other ways).
    """
    m, n = _positive_int(m, "m"), _positive_int(n, "n")
    sms, tile_m, tile_n = _positive_int(sms, "sms"), _positive_int(tile_m, "tile_m"), _positive_int(tile_n, "tile_n")
    tiles = math.ceil(m / tile_m) * math.ceil(n / tile_n)
    waves = math.ceil(tiles / sms)
    return tiles, waves, m * n / (waves * sms * tile_m * tile_n)


# --- The memory of one training step: a timeline of what autograd keeps and allocates --------------------------

# The moments of the timeline and the output's name: English keys, marked for the catalogue; a reader sees them
# translated (``tr(m["peak_moment"])``, ``translate_text(name)``).
AFTER_FORWARD = N_("after the forward")
OUTPUT = N_("y (the output)")
W2_BACKWARD = N_("W2's backward")
ACT_BACKWARD = N_("the activation's backward")
W1_BACKWARD = N_("W1's backward")
FUSED_BACKWARD = N_("the fused act·mul backward")
WV_BACKWARD = N_("W's and V's backward")
PRODUCT_BACKWARD = N_("the product's backward")

ACT_SAVES = {"relu": "output", "sigmoid": "output", "identity": "none", "gelu": "input", "silu": "input",
             "swish": "input", "gelu_tanh": "input"}


def training_step_memory(tokens: int, d_model: int, d_ff: int, dtype: torch.dtype | str = torch.bfloat16, *,
                         gated: bool, activation: str = "relu", fused: bool = False) -> dict:
    """The bytes one training step of a bias-free FFN block allocates above its weights and its input, moment by
    moment: the forward's saved tensors and output, then each backward node's allocations (its gradients) before it
    frees what it no longer needs. The peak is the largest of these moments, as ``torch.cuda.max_memory_allocated``
    sees it for ``block(x).backward(dy)`` with the gradients set to None first (the benchmark's training step).

    Rules (PyTorch's autograd): ``nn.Linear`` saves its input; ReLU and the sigmoid save their output, GELU, SiLU
    and Swish their input, the identity nothing; a product saves both factors; a node frees its saved tensors and
    its incoming gradient once it has run. ``fused``: the gated step as one kernel that saves g and u only.

    Returns a dict: ``hidden`` (bytes of one hidden tensor, tokens x d_ff), ``saved`` (after the forward),
    ``output``, ``weight_grads`` (all matrices), ``timeline`` (list of (moment, live bytes)), ``peak``,
    ``peak_moment`` and ``peak_live`` (name -> bytes of every tensor alive at the peak). The moments and the name
    :data:`OUTPUT` are English messages: show them with ``tr``.
    """
    n, d, f = _positive_int(tokens, "tokens"), _positive_int(d_model, "d_model"), _positive_int(d_ff, "d_ff")
    if activation not in ACT_SAVES:
        raise ValueError(f"activation must be one of {sorted(ACT_SAVES)}, got {activation!r}.")
    b = dtype_bytes(dtype)
    hid, out, w = n * f * b, n * d * b, d * f * b
    saves = ACT_SAVES[activation]
    live: dict[str, int] = {OUTPUT: out}
    if not gated:
        live.update({"h": hid} if saves != "input" else {"z": hid, "h": hid})  # identity: h is z, saved by W2
        nodes = [(W2_BACKWARD, {"dW2": w, "dh": hid}, ["h"] if saves == "input" else []),
                 (ACT_BACKWARD, {"dz": hid}, ["dh", "h", "z"]),
                 (W1_BACKWARD, {"dW1": w, "dx": out}, ["dz"])]
    elif fused:
        live.update({"g": hid, "u": hid, "h": hid})
        nodes = [(W2_BACKWARD, {"dW2": w, "dh": hid}, ["h"]),
                 (FUSED_BACKWARD, {"dg": hid, "du": hid}, ["dh", "g", "u"]),
                 (WV_BACKWARD, {"dW": w, "dV": w, "dx": out}, ["dg", "du"])]
    else:
        live.update({"act(g)": hid, "u": hid, "h": hid})
        if saves == "input":
            live["g"] = hid
        nodes = [(W2_BACKWARD, {"dW2": w, "dh": hid}, ["h"]),
                 (PRODUCT_BACKWARD, {"d act(g)": hid, "du": hid},
                  ["dh", "u"] + (["act(g)"] if saves == "input" else []))]
        if saves != "none":
            nodes.append((ACT_BACKWARD, {"dg": hid}, ["d act(g)", "g", "act(g)"]))
        nodes.append((WV_BACKWARD, {"dW": w, "dV": w, "dx": out}, ["dg", "d act(g)", "du"]))
    saved = sum(v for k, v in live.items() if k != OUTPUT)
    timeline = [(AFTER_FORWARD, sum(live.values()))]
    snapshots = [dict(live)]
    for moment, allocs, frees in nodes:
        live.update(allocs)
        timeline.append((moment, sum(live.values())))
        snapshots.append(dict(live))
        for name in frees:
            live.pop(name, None)
    k = max(range(len(timeline)), key=lambda i: timeline[i][1])
    return {"hidden": hid, "saved": saved, "output": out, "weight_grads": w * (3 if gated else 2),
            "timeline": timeline, "peak": timeline[k][1], "peak_moment": timeline[k][0], "peak_live": snapshots[k]}
