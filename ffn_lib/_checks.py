"""Argument checks shared by the library: each error names the argument."""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch


def positive_int(value: Any, name: str) -> int:
    """A positive whole number (Python or NumPy integer, not a bool or a float)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}.")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {int(value)}.")
    return int(value)


def positive_number(value: Any, name: str) -> float:
    """A positive, finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}.")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive, finite number, got {value}.")
    return float(value)


def finite_scalar(value: Any, name: str, *, allow_tensor: bool = False) -> Any:
    """A finite real parameter (``beta``, say); a one-element tensor too when ``allow_tensor``."""
    if allow_tensor and isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{name} must be a single number, got a tensor of shape {tuple(value.shape)}.")
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    return float(value)
