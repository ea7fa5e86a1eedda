"""The position-wise feed-forward blocks: plain (Vaswani et al. 2017) and gated (Shazeer 2020).

Both are ``torch.nn.Module`` s applied independently at every position, so they
accept any leading dimensions ``(..., d_model)``. Weights live in ``nn.Linear``
layers, which store a matrix as ``(out_features, in_features)``: the papers'
``W1`` (d_model x d_ff, acting on row vectors as ``x W1``) is ``w1.weight.T``.

Each block has a plain NumPy forward (:func:`ffn_reference`,
:func:`gated_ffn_reference`) written in the papers' notation; the modules are
tested against it.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import torch
from torch import nn

from . import sizing
from ._checks import finite_scalar, positive_int
from .activations import Activation, get_activation

SUPPORTED_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


# --- NumPy references, in the papers' notation ----------------------------------------


def ffn_reference(x: np.ndarray, W1: np.ndarray, b1: np.ndarray | None, W2: np.ndarray,
                  b2: np.ndarray | None, activation: str | Activation = "relu") -> np.ndarray:
    """FFN(x) = act(x W1 + b1) W2 + b2  (Vaswani et al. 2017, eq. 2, with ReLU).

    ``x``: (..., d_model); ``W1``: (d_model, d_ff); ``W2``: (d_ff, d_model).
    ``activation`` is a name or an :class:`Activation` (whose parameters, e.g. Swish's beta, are used).
    """
    act = get_activation(activation)
    h = np.asarray(x, dtype=np.float64) @ W1
    if b1 is not None:
        h = h + b1
    y = act(h) @ W2
    return y + b2 if b2 is not None else y


def gated_ffn_reference(x: np.ndarray, W: np.ndarray, V: np.ndarray, W2: np.ndarray,
                        activation: str | Activation = "silu", b: np.ndarray | None = None,
                        c: np.ndarray | None = None, b2: np.ndarray | None = None) -> np.ndarray:
    """FFN_act(x) = (act(x W + b) * (x V + c)) W2 + b2  (Shazeer 2020, eq. 5-6; no biases there).

    ``W`` (the gate) and ``V`` (the value): (d_model, d_ff); ``W2``: (d_ff, d_model).
    The input x is never the gated value: both factors are projections of x.
    """
    act = get_activation(activation)
    x = np.asarray(x, dtype=np.float64)
    gate, value = x @ W, x @ V
    if b is not None:
        gate = gate + b
    if c is not None:
        value = value + c
    y = (act(gate) * value) @ W2
    return y + b2 if b2 is not None else y


# --- Shared checks -----------------------------------------------------------------------


def _check_input(x: Any, d_model: int, weight: torch.Tensor) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape (..., {d_model}), got {type(x).__name__}.")
    if x.ndim == 0 or x.shape[-1] != d_model:
        raise ValueError(
            f"x has shape {tuple(x.shape)}; its last dimension must be d_model={d_model}."
        )
    if x.dtype not in SUPPORTED_DTYPES:
        raise TypeError(f"x has dtype {x.dtype}; the FFN blocks take {', '.join(map(str, SUPPORTED_DTYPES))}.")
    if x.dtype != weight.dtype and not torch.is_autocast_enabled(x.device.type):  # autocast casts, as nn.Linear
        raise TypeError(
            f"x has dtype {x.dtype} but the block's weights are {weight.dtype}; "
            f"convert one of them (block.to({x.dtype}) or x.to({weight.dtype}))."
        )
    if x.device != weight.device:
        raise ValueError(f"x is on {x.device} but the block's weights are on {weight.device}; move one of them.")
    return x


def _linear_to_paper(layer: nn.Linear) -> tuple[np.ndarray, np.ndarray | None]:
    """nn.Linear's (out, in) weight as the papers' (in, out) matrix, in float64."""
    W = layer.weight.detach().to("cpu", torch.float64).numpy().T
    b = None if layer.bias is None else layer.bias.detach().to("cpu", torch.float64).numpy()
    return W, b


# --- The plain block ---------------------------------------------------------------------------


class FFN(nn.Module):
    """FFN(x) = act(x W1 + b1) W2 + b2 at every position (Vaswani et al. 2017, eq. 2).

    >>> block = FFN(d_model=512, d_ff=2048)              # the base Transformer's sizes
    >>> block(torch.randn(2, 10, 512)).shape
    torch.Size([2, 10, 512])
    """

    def __init__(self, d_model: int, d_ff: int, activation: str | Activation = "relu", bias: bool = True):
        super().__init__()
        self.d_model = positive_int(d_model, "d_model")
        self.d_ff = positive_int(d_ff, "d_ff")
        self.activation = get_activation(activation)
        self.w1 = nn.Linear(self.d_model, self.d_ff, bias=bias)  # x W1 + b1
        self.w2 = nn.Linear(self.d_ff, self.d_model, bias=bias)  # h W2 + b2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_input(x, self.d_model, self.w1.weight)
        h = self.activation.torch(self.w1(x))
        return self.w2(h)

    def param_count(self) -> int:
        return sizing.param_count(self.d_model, self.d_ff, gated=False, bias=self.w1.bias is not None)

    def reference(self, x: Any) -> np.ndarray:
        """The same forward computed by :func:`ffn_reference` in float64 NumPy."""
        W1, b1 = _linear_to_paper(self.w1)
        W2, b2 = _linear_to_paper(self.w2)
        return ffn_reference(_to_numpy(x), W1, b1, W2, b2, self.activation)

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, d_ff={self.d_ff}, activation={self.activation!r}"


def _to_numpy(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().to("cpu", torch.float64).numpy()
    return np.asarray(x, dtype=np.float64)


# --- Checkpoint layouts ---------------------------------------------------------------------


# Where each of the gated block's three matrices lives in real checkpoints.
# "gate" is Shazeer's W (the one passed through the activation), "up" is V, "down" is W2.
LAYOUTS: dict[str, dict[str, str]] = {
    "llama": {"gate": "gate_proj", "up": "up_proj", "down": "down_proj"},  # Hugging Face LlamaMLP
    "meta": {"gate": "w1", "up": "w3", "down": "w2"},  # Meta's reference llama/model.py
    "t5": {"gate": "wi_0", "up": "wi_1", "down": "wo"},  # T5 v1.1 T5DenseGatedActDense
}


def _read_state_dict(state_dict: Mapping[str, Any], layout: str, prefix: str) -> dict[str, torch.Tensor]:
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict must be a mapping of names to tensors, got {type(state_dict).__name__}.")
    names = LAYOUTS[layout]
    found: dict[str, torch.Tensor] = {}
    missing = []
    for role, stem in names.items():
        for kind in ("weight", "bias"):
            key = f"{prefix}{stem}.{kind}"
            if key in state_dict:
                value = state_dict[key]
                if not isinstance(value, torch.Tensor):
                    raise TypeError(f"state_dict[{key!r}] must be a torch.Tensor, got {type(value).__name__}.")
                found[f"{role}.{kind}"] = value
            elif kind == "weight":
                missing.append(key)
    if missing:
        have = ", ".join(sorted(map(str, state_dict))[:8]) or "nothing"
        raise KeyError(f"state_dict has no {', '.join(repr(m) for m in missing)} ({layout} layout); it has: {have}.")
    gate = found["gate.weight"]
    if gate.ndim != 2:
        raise ValueError(f"state_dict[{prefix + names['gate'] + '.weight'!r}] must be 2-D (d_ff, d_model), "
                         f"got shape {tuple(gate.shape)}.")
    d_ff, d_model = gate.shape
    expected = {"gate.weight": (d_ff, d_model), "up.weight": (d_ff, d_model), "down.weight": (d_model, d_ff),
                "gate.bias": (d_ff,), "up.bias": (d_ff,), "down.bias": (d_model,)}
    for role_kind, tensor in found.items():
        role, kind = role_kind.split(".")
        if tuple(tensor.shape) != expected[role_kind]:
            raise ValueError(
                f"state_dict[{prefix + names[role] + '.' + kind!r}] has shape {tuple(tensor.shape)}; "
                f"expected {expected[role_kind]} for d_model={d_model}, d_ff={d_ff} "
                "(nn.Linear stores weights as (out_features, in_features))."
            )
        if tensor.dtype not in SUPPORTED_DTYPES:
            raise TypeError(f"state_dict[{prefix + names[role] + '.' + kind!r}] has dtype {tensor.dtype}; "
                            f"expected one of {', '.join(map(str, SUPPORTED_DTYPES))}.")
    biases = {k for k in found if k.endswith(".bias")}
    if biases and len(biases) != 3:
        raise ValueError(f"state_dict has biases for {sorted(biases)} only; give all three or none.")
    dtypes = {tensor.dtype for tensor in found.values()}
    if len(dtypes) > 1:
        key = {rk: f"{prefix}{names[rk.split('.')[0]]}.{rk.split('.')[1]}" for rk in found}
        each = ", ".join(f"{key[rk]}: {str(t.dtype).replace('torch.', '')}" for rk, t in found.items())
        raise TypeError(f"state_dict mixes dtypes ({each}); a block has one dtype. Convert them to one first, "
                        "e.g. {k: v.to(torch.float32) for k, v in state_dict.items()}.")
    return found


# --- The gated block --------------------------------------------------------------------------


class GatedFFN(nn.Module):
    """FFN_act(x) = (act(x W) * x V) W2 at every position (Shazeer 2020).

    ``activation`` picks the family member: ``"sigmoid"`` (GLU), ``"identity"``
    (Bilinear), ``"relu"`` (ReGLU), ``"gelu"`` / ``"gelu_tanh"`` (GEGLU),
    ``"silu"`` or ``"swish"`` with ``beta`` (SwiGLU). ``learn_beta=True`` makes
    Swish's beta a trainable parameter.

    ``fused=True`` computes act(g) * u with the Triton kernels of
    :mod:`ffn_lib.kernels` wherever they can (:meth:`fused_active` says whether
    they do for a given input), and with the eager PyTorch ops everywhere else:
    dtypes the kernels do not take (float64), devices where they cannot run, and
    a trainable beta while it needs a gradient (the kernels compute none for it).
    Whether the kernels can run is decided once, when the block is built or moved
    (``.to(...)``), not at every call.

    Attribute names follow the job each matrix does: ``w_gate`` is Shazeer's W
    (Llama's ``gate_proj``, T5's ``wi_0``), ``w_up`` is V (``up_proj``, ``wi_1``),
    ``w_down`` is W2 (``down_proj``, ``wo``).
    """

    def __init__(self, d_model: int, d_ff: int, activation: str | Activation = "silu", bias: bool = False, *,
                 beta: float | None = None, learn_beta: bool = False, fused: bool = False):
        super().__init__()
        self.d_model = positive_int(d_model, "d_model")
        self.d_ff = positive_int(d_ff, "d_ff")
        act = get_activation(activation)
        if beta is not None:
            if "beta" not in act.params:
                raise ValueError(f"beta is a parameter of activation='swish', not of {act.name!r}.")
            act = act.with_params(beta=finite_scalar(beta, "beta"))
        if learn_beta:
            if "beta" not in act.params:
                raise ValueError(f"learn_beta=True needs activation='swish', got {act.name!r}.")
            self.beta = nn.Parameter(torch.tensor(float(act.params["beta"])))
        else:
            self.beta = None
        self.activation = act
        self.w_gate = nn.Linear(self.d_model, self.d_ff, bias=bias)  # W  (gate_proj, wi_0)
        self.w_up = nn.Linear(self.d_model, self.d_ff, bias=bias)  # V  (up_proj,   wi_1)
        self.w_down = nn.Linear(self.d_ff, self.d_model, bias=bias)  # W2 (down_proj, wo)
        self.fused = fused  # decides, here and whenever the block moves, whether the kernels run

    # -- forward --

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _check_input(x, self.d_model, self.w_gate.weight)
        g, u = self.w_gate(x), self.w_up(x)  # g = x W (the gate), u = x V (the value)
        return self.w_down(self.act_mul(g, u))  # (act(g) * u) W2

    def act(self, gate: torch.Tensor) -> torch.Tensor:
        """act(gate) with PyTorch's own ops, and a trainable beta as it is now (so it gets its gradient)."""
        beta = self.beta
        return self.activation.torch(gate) if beta is None else self.activation.torch_op(gate, beta=beta)

    def act_mul(self, gate: torch.Tensor, up: torch.Tensor) -> torch.Tensor:
        """act(gate) * up: the elementwise step between the matrix products (fused kernel or eager)."""
        if self._runs_fused():
            return _fused_act_mul(gate, up, self.current_activation())
        return self.act(gate) * up

    def current_activation(self) -> Activation:
        """The activation with its parameters as they are now (a trainable beta as its tensor)."""
        return self.activation if self.beta is None else self.activation.with_params(beta=self.beta)

    def fused_active(self, tensor: torch.Tensor | None = None) -> bool:
        """Whether the forward on ``tensor`` (default: the weights) runs the fused kernel.

        True only when ``fused=True`` and :mod:`ffn_lib.kernels` supports the tensor's dtype and
        device, the activation and its beta; everywhere else the block runs eagerly.
        """
        weight = self.w_gate.weight
        if tensor is None or (tensor.device, tensor.dtype) == (weight.device, weight.dtype):
            return self._runs_fused()
        return self.fused and _kernels_support(tensor, self.current_activation(), self.beta)

    @property
    def fused(self) -> bool:
        """Whether the block asks for the fused kernels (``fused=True``); :meth:`fused_active` says if it gets them."""
        return self._fused

    @fused.setter
    def fused(self, value: bool) -> None:
        self._fused = bool(value)
        self._decide_fused()

    def _decide_fused(self) -> None:
        """Whether the kernels can run on the weights' device and dtype: decided when built or moved."""
        weight = getattr(getattr(self, "w_gate", None), "weight", None)
        self._fused_here = bool(self._fused and weight is not None
                                and _kernels_support(weight, self.activation, None))

    def _apply(self, fn: Any, *args: Any, **kwargs: Any) -> "GatedFFN":
        module = super()._apply(fn, *args, **kwargs)  # .to(), .cuda(), .half(), ...: a new device or dtype
        self._decide_fused()
        return module

    def _runs_fused(self) -> bool:
        """The decision made when the block was built or moved; a trainable beta needing a gradient runs eagerly
        (the kernels compute no gradient for beta)."""
        if not self._fused_here or self.beta is None:
            return self._fused_here
        return not (self.beta.requires_grad and torch.is_grad_enabled())

    # -- sizes --

    def param_count(self) -> int:
        return sizing.param_count(self.d_model, self.d_ff, gated=True, bias=self.w_gate.bias is not None) + (
            0 if self.beta is None else 1
        )

    def reference(self, x: Any) -> np.ndarray:
        """The same forward computed by :func:`gated_ffn_reference` in float64 NumPy."""
        W, b = _linear_to_paper(self.w_gate)
        V, c = _linear_to_paper(self.w_up)
        W2, b2 = _linear_to_paper(self.w_down)
        activation = self.activation
        if self.beta is not None:
            activation = activation.with_params(beta=float(self.beta.detach()))
        return gated_ffn_reference(_to_numpy(x), W, V, W2, activation, b, c, b2)

    def extra_repr(self) -> str:
        beta = "" if self.beta is None else ", learn_beta=True"
        return (f"d_model={self.d_model}, d_ff={self.d_ff}, activation={self.activation!r}{beta}, "
                f"fused={self.fused}")

    # -- checkpoints --

    @classmethod
    def from_state_dict(cls, state_dict: Mapping[str, Any], layout: str = "llama", *,
                        activation: str | Activation | None = None, prefix: str = "",
                        **kwargs: Any) -> "GatedFFN":
        """Build a block from a checkpoint's MLP weights in one of :data:`LAYOUTS`.

        ``prefix`` selects one layer of a whole model's state dict, e.g.
        ``"model.layers.0.mlp."``. The block takes the weights' dtype and device;
        a checkpoint whose tensors have different dtypes is refused (naming each),
        never loaded silently as the first one's. Biases are there or not as the
        checkpoint has them: ``bias=`` may be given only if it agrees.
        ``activation`` defaults to the layout's own (:data:`LAYOUT_ACTIVATIONS`).
        A Swish beta saved by :meth:`to_state_dict` (key ``act_beta``) is read
        back: the block becomes Swish with that beta (``learn_beta=True`` keeps
        training it); an activation without a beta refuses such a checkpoint.
        """
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(map(repr, LAYOUTS))}; got {layout!r}.")
        found = _read_state_dict(state_dict, layout, prefix)
        beta = _read_beta(state_dict, prefix)
        if beta is None:
            activation = LAYOUT_ACTIVATIONS[layout] if activation is None else activation
        else:
            activation = get_activation("swish" if activation is None else activation)
            if "beta" not in activation.params:
                raise ValueError(
                    f"state_dict[{prefix + BETA_KEY!r}] holds Swish's beta = {beta:g}, but activation="
                    f"{activation.name!r} takes no beta: load it with activation='swish' (the default when "
                    "the key is present), or drop the key to discard beta."
                )
            if kwargs.get("beta") is not None:
                raise ValueError(f"beta is given twice: beta={kwargs['beta']!r} and "
                                 f"state_dict[{prefix + BETA_KEY!r}] = {beta:g}; drop one of them.")
            kwargs["beta"] = beta
        has_bias = "gate.bias" in found
        if "bias" in kwargs and bool(kwargs.pop("bias")) != has_bias:
            raise ValueError(f"bias={not has_bias} disagrees with the checkpoint, which has "
                             f"{'biases' if has_bias else 'no biases'}; the checkpoint decides: drop bias=.")
        gate = found["gate.weight"]
        d_ff, d_model = gate.shape
        block = cls(d_model, d_ff, activation, bias=has_bias, **kwargs)
        block.to(device=gate.device, dtype=gate.dtype)
        with torch.no_grad():
            for role in ("gate", "up", "down"):
                layer = getattr(block, f"w_{role}")
                layer.weight.copy_(found[f"{role}.weight"])
                if layer.bias is not None:
                    layer.bias.copy_(found[f"{role}.bias"])
        return block

    def to_state_dict(self, layout: str = "llama", prefix: str = "") -> dict[str, torch.Tensor]:
        """The block's weights under a checkpoint layout's names (the way back).

        A Swish block also saves its beta (fixed or learned) as ``act_beta``, a key
        the original models do not have: :meth:`from_state_dict` reads it back, and
        loading it into a model with a plain SiLU fails loudly (an unexpected key)
        instead of silently running with beta = 1.
        """
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(map(repr, LAYOUTS))}; got {layout!r}.")
        out = {}
        for role, stem in LAYOUTS[layout].items():
            layer = getattr(self, f"w_{role}")
            out[f"{prefix}{stem}.weight"] = layer.weight.detach().clone()
            if layer.bias is not None:
                out[f"{prefix}{stem}.bias"] = layer.bias.detach().clone()
        if self.beta is not None:
            out[f"{prefix}{BETA_KEY}"] = self.beta.detach().clone()
        elif "beta" in self.activation.params:
            out[f"{prefix}{BETA_KEY}"] = torch.tensor(float(self.activation.params["beta"]), dtype=torch.float64,
                                                      device=self.w_gate.weight.device)
        return out

    @classmethod
    def from_llama(cls, state_dict: Mapping[str, Any], *, activation: str | Activation | None = None,
                   prefix: str = "", **kwargs: Any) -> "GatedFFN":
        """From Hugging Face Llama MLP weights: ``gate_proj``, ``up_proj``, ``down_proj`` (SwiGLU by default)."""
        return cls.from_state_dict(state_dict, "llama", activation=activation, prefix=prefix, **kwargs)

    def to_llama(self, prefix: str = "") -> dict[str, torch.Tensor]:
        return self.to_state_dict("llama", prefix)

    @classmethod
    def from_t5(cls, state_dict: Mapping[str, Any], *, activation: str | Activation | None = None,
                prefix: str = "", **kwargs: Any) -> "GatedFFN":
        """From T5 v1.1 ``DenseReluDense`` weights: ``wi_0``, ``wi_1``, ``wo``.

        T5 v1.1's ``"gated-gelu"`` is the tanh GELU (Hugging Face's ``gelu_new``), hence the default.
        """
        return cls.from_state_dict(state_dict, "t5", activation=activation, prefix=prefix, **kwargs)

    def to_t5(self, prefix: str = "") -> dict[str, torch.Tensor]:
        return self.to_state_dict("t5", prefix)


# --- Fused gate-and-value projections ---------------------------------------------------------

# Many code bases compute both projections with one matrix product, x [W | V], of width 2 d_ff, and split the
# result. Which columns are the gate is a convention of the code that reads them, not of the tensor:
FUSED_LAYOUTS: dict[str, str] = {
    # torch.nn.functional.glu(a) = a[..., :d] * sigmoid(a[..., d:]): the SECOND half is the gate
    "glu": "value first, gate second (F.glu)",
    # Hugging Face Phi3MLP: gate, up = gate_up_proj(x).chunk(2, dim=-1); vLLM SiluAndMul: silu(a[..., :d]) * a[..., d:]
    "gate_first": "gate first, value second (gate_up_proj: Phi-3, vLLM)",
    # OpenAI gpt-oss, gpt_oss/torch/model.py, swiglu: x_glu, x_linear = x[..., ::2], x[..., 1::2]
    "interleaved": "gate on even columns, value on odd ones (gpt-oss)",
}


def _check_layout(layout: str) -> str:
    if layout not in FUSED_LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(map(repr, FUSED_LAYOUTS))}; got {layout!r}.")
    return layout


def split_gate_up(fused: torch.Tensor, layout: str, dim: int = -1) -> tuple[torch.Tensor, torch.Tensor]:
    """(gate, value) from a fused tensor whose dimension ``dim`` holds both, 2 d_ff long, in ``layout``'s order.

    ``layout`` is a key of :data:`FUSED_LAYOUTS`: ``"glu"`` [value | gate] (``F.glu``), ``"gate_first"``
    [gate | value] (``gate_up_proj`` of Hugging Face's Phi-3, vLLM's ``SiluAndMul``), ``"interleaved"`` (gate at
    even indices, value at odd ones, as gpt-oss's ``swiglu``). Works on activations (``dim=-1``) and on a fused
    ``nn.Linear`` weight of shape (2 d_ff, d_model) (``dim=0``). Returns views, no copy.
    """
    if not isinstance(fused, torch.Tensor):
        raise TypeError(f"fused must be a torch.Tensor, got {type(fused).__name__}.")
    _check_layout(layout)
    if fused.ndim == 0:
        raise ValueError("fused must have at least one dimension (of even length 2 d_ff).")
    n = fused.shape[dim]
    if n % 2:
        raise ValueError(f"fused has length {n} along dim={dim}; it must be even (2 d_ff: gate and value).")
    if layout == "interleaved":
        moved = fused.movedim(dim, -1)
        return moved[..., 0::2].movedim(-1, dim), moved[..., 1::2].movedim(-1, dim)
    first, second = fused.split(n // 2, dim=dim)
    return (second, first) if layout == "glu" else (first, second)


def fuse_gate_up(gate: torch.Tensor, up: torch.Tensor, layout: str, dim: int = -1) -> torch.Tensor:
    """The fused tensor :func:`split_gate_up` takes apart: gate and value (same shape) joined along ``dim``
    in ``layout``'s order."""
    for name, t in (("gate", gate), ("up", up)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}.")
    _check_layout(layout)
    if gate.shape != up.shape:
        raise ValueError(f"gate and up must have the same shape, got {tuple(gate.shape)} and {tuple(up.shape)}.")
    if layout == "interleaved":
        d = dim if dim >= 0 else gate.ndim + dim
        return torch.stack([gate, up], dim=d + 1).flatten(d, d + 1)
    return torch.cat([up, gate] if layout == "glu" else [gate, up], dim=dim)


# --- Checkpoint helpers and the fused path ------------------------------------------------------

# The activation each layout's models use when the caller names none.
LAYOUT_ACTIVATIONS: dict[str, str] = {"llama": "silu", "meta": "silu", "t5": "gelu_tanh"}

# The key under which to_state_dict saves Swish's beta (no original checkpoint has one).
BETA_KEY = "act_beta"


def _read_beta(state_dict: Mapping[str, Any], prefix: str) -> float | None:
    key = prefix + BETA_KEY
    if key not in state_dict:
        return None
    value = state_dict[key]
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"state_dict[{key!r}] (Swish's beta) must hold one number, "
                             f"got shape {tuple(value.shape)}.")
        value = value.item()
    return finite_scalar(value, f"state_dict[{key!r}] (Swish's beta)")


def _kernels_support(tensor: torch.Tensor, activation: Activation, beta: torch.Tensor | None) -> bool:
    """Whether :mod:`ffn_lib.kernels` can compute act(g) * u on ``tensor`` (else the block runs eagerly)."""
    from . import kernels

    return bool(kernels.supports(tensor, activation, beta))


def _fused_act_mul(gate: torch.Tensor, up: torch.Tensor, activation: Activation) -> torch.Tensor:
    from . import kernels

    return kernels.act_mul(gate, up, activation)  # the kernels honour the Activation's parameters
