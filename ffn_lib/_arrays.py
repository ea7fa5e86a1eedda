"""One formula, two array libraries.

Every activation in :mod:`ffn_lib.activations` is written once, against a tiny
namespace of elementwise operations. :func:`as_array` looks at the input and
hands back the namespace that fits it:

* a ``torch.Tensor`` keeps its device and stays differentiable; float16 and
  bfloat16 are computed in float32 and rounded back once, as PyTorch's own
  kernels do;
* anything else (a Python number, a list, a NumPy array) becomes a float64
  NumPy array, and the result is cast back to the input's floating dtype.

Inputs that are not real numbers get a ``TypeError`` that names the argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

TORCH_FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
NUMPY_FLOAT_DTYPES = (np.float16, np.float32, np.float64)

_np_erfc = np.frompyfunc(math.erfc, 1, 1)


def _numpy_erfc(x: np.ndarray) -> np.ndarray:
    """erfc(x) = 1 - erf(x) for NumPy arrays (NumPy has neither); exact to double precision, tail included."""
    return np.asarray(_np_erfc(x), dtype=np.float64) if x.size else np.zeros_like(x)


def _numpy_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^{-x}) without overflow: exp is only ever taken of -|x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _torch_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return torch.sigmoid(x)


@dataclass(frozen=True)
class Ops:
    """The elementwise operations a formula may use."""

    erfc: Callable[[Any], Any]  # 1 - erf(x), without the cancellation of writing it so
    tanh: Callable[[Any], Any]
    exp: Callable[[Any], Any]
    sigmoid: Callable[[Any], Any]
    where: Callable[[Any, Any, Any], Any]
    isneginf: Callable[[Any], Any]
    isposinf: Callable[[Any], Any]
    maximum0: Callable[[Any], Any]
    clip: Callable[[Any, float, float], Any]
    zeros_like: Callable[[Any], Any]
    ones_like: Callable[[Any], Any]


NUMPY_OPS = Ops(
    erfc=_numpy_erfc,
    tanh=np.tanh,
    exp=np.exp,
    sigmoid=_numpy_sigmoid,
    where=np.where,
    isneginf=np.isneginf,
    isposinf=np.isposinf,
    maximum0=lambda x: np.maximum(x, 0.0),
    clip=np.clip,
    zeros_like=np.zeros_like,
    ones_like=np.ones_like,
)

TORCH_OPS = Ops(
    erfc=torch.special.erfc,
    tanh=torch.tanh,
    exp=torch.exp,
    sigmoid=_torch_sigmoid,
    where=torch.where,
    isneginf=torch.isneginf,
    isposinf=torch.isposinf,
    maximum0=torch.relu,
    clip=torch.clamp,
    zeros_like=torch.zeros_like,
    ones_like=torch.ones_like,
)


def as_array(x: Any, name: str = "x") -> tuple[Any, Ops, Callable[[Any], Any]]:
    """Return ``(working_array, ops, like_input)`` for an activation input.

    ``working_array`` is the input in the precision the formula is computed in (float32 for half
    tensors, float64 for NumPy), ``ops`` the elementwise operations for it, and ``like_input(y)``
    gives a result back as the input was: a tensor in its dtype, a NumPy array in its float dtype,
    a Python number as a NumPy scalar.
    """
    if isinstance(x, torch.Tensor):
        if x.dtype not in TORCH_FLOAT_DTYPES:
            raise TypeError(
                f"{name} has dtype {x.dtype}; ffn_lib activations take floating tensors "
                f"({', '.join(str(d) for d in TORCH_FLOAT_DTYPES)}). Convert with {name}.float()."
            )
        if x.dtype in (torch.float16, torch.bfloat16):
            dtype = x.dtype
            return x.float(), TORCH_OPS, lambda y: y.to(dtype)
        return x, TORCH_OPS, lambda y: y
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} is a bool; pass a number, a NumPy array or a torch tensor.")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} could not be read as an array: {exc}") from None
    if arr.dtype.kind in "iu":
        out_dtype = np.dtype(np.float64)
    elif arr.dtype.kind == "f":
        out_dtype = arr.dtype
    else:
        raise TypeError(
            f"{name} has dtype {arr.dtype}; ffn_lib activations take real numbers "
            "(Python floats or ints, NumPy float or integer arrays, or torch floating tensors)."
        )
    scalar = arr.ndim == 0 and not isinstance(x, np.ndarray)
    work = arr.astype(np.float64)

    def like_input(y: np.ndarray) -> Any:
        y = np.asarray(y, dtype=np.float64).astype(out_dtype)
        return y[()] if scalar else y

    return work, NUMPY_OPS, like_input
