"""A learner's values, compared and described: :func:`values_match` and :func:`describe`.

:func:`values_match` compares a function exercise's result with the float64 reference
(structure, shape, dtype, device, then every value within :data:`FUNCTION_TOL` of the
expected dtype); :func:`describe` says what a value is in one short phrase (type, shape,
dtype, first values), never printing a whole array or list.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Sequence

import numpy as np
import torch

from .number_text import fmt_number
from .words import N_, tr

# The one tolerance table for a learner's float results, per dtype of the expected result:
# |got - want| <= rtol |want| + atol max(1, max |want|), with want a float64 reference. float64 results
# accept computing in float32 inside (measured: at most 1.2e-7 of that scale, chapter 6's block) but not a
# rounded constant (0.04472 for 0.044715 in the tanh GELU is 8.5e-7 off): 4e-7 sits between the two.
# float32 and half-precision results are held to their own dtype's precision.
FUNCTION_TOL = {"float64": (4e-7, 4e-7), "float32": (1e-5, 1e-5), "float16": (5e-3, 5e-3),
                "bfloat16": (4e-2, 4e-2)}

_SHOWN = 4  # first values shown in a description


def dtype_name(x: Any) -> str:
    return str(x.dtype).replace("torch.", "")


def as_float64(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().to(torch.float64).cpu().numpy() if x.dtype != torch.bool else x.cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def _first_values(flat: np.ndarray) -> str:
    shown = ", ".join(f"{float(v):.6g}" for v in flat[:_SHOWN])
    return f"[{shown}{', ...' if flat.size > _SHOWN else ''}]"


def type_phrase(name: str) -> str:
    """A value of a type that is not what the exercise asks for, as a noun phrase."""
    return tr(TYPE_PHRASE, type=name)


TYPE_PHRASE = N_("a value of type `{type}`")

# What a value is, one noun phrase per case (named placeholders, so that each can be translated whole).
DESCRIBE = {
    "tensor": "tensor {shape} {dtype}",
    "tensor_device": "tensor {shape} {dtype} on device {device}",
    "tensor_values": "tensor {shape} {dtype}, first values {values}",
    "array": "array {shape} {dtype}",
    "array_values": "array {shape} {dtype}, first values {values}",
    "dict_one": "dict with {n} key ({keys})",
    "dict_other": "dict with {n} keys ({keys})",
    "sequence": "{name} of {n}",
    "sequence_items": "{name} of {n} ({items})",
}


def describe(value: Any, depth: int = 0, *, values: bool = True) -> str:
    """A short description of a value: its kind, shape and dtype (and, with ``values``, its first values to
    6 digits), never its whole content."""
    d = DESCRIBE
    try:
        if isinstance(value, torch.Tensor):
            fields = {"shape": tuple(value.shape), "dtype": dtype_name(value)}
            if value.device.type != "cpu":
                return tr(d["tensor_device"], device=value.device, **fields)
            if not values or value.numel() == 0 or value.is_complex() or value.dtype == torch.bool:
                return tr(d["tensor"], **fields)
            return tr(d["tensor_values"], values=_first_values(as_float64(value).reshape(-1)), **fields)
        if isinstance(value, np.ndarray):
            fields = {"shape": value.shape, "dtype": value.dtype}
            if not values or value.size == 0 or value.dtype.kind not in "fiu":
                return tr(d["array"], **fields)
            return tr(d["array_values"], values=_first_values(value.astype(np.float64).reshape(-1)), **fields)
        if isinstance(value, dict):
            keys = ", ".join(map(repr, list(value)[:_SHOWN])) + (", ..." if len(value) > _SHOWN else "")
            return tr(d["dict_one" if len(value) == 1 else "dict_other"], n=len(value), keys=keys)
        if isinstance(value, (tuple, list)):
            name = type(value).__name__
            if depth >= 1:
                return tr(d["sequence"], name=name, n=len(value))
            inner = ", ".join(describe(v, depth + 1, values=False) for v in value[:_SHOWN])
            return tr(d["sequence_items"], name=name, n=len(value),
                                              items=inner + (", ..." if len(value) > _SHOWN else ""))
        text = repr(value)
    except Exception:  # a learner's object whose repr fails
        return type_phrase(type(value).__name__)
    return text if len(text) < 60 else text[:57] + "..."
def snapshot(value: Any) -> Any:
    """A copy of an argument, to tell later whether the learner's function changed it in place."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


def widen(value: Any) -> Any:
    """The same inputs in float64: the reference is computed from them."""
    if isinstance(value, torch.Tensor):
        return value.detach().double() if value.is_floating_point() else value
    if isinstance(value, np.ndarray):
        return value.astype(np.float64) if value.dtype.kind == "f" else value
    if isinstance(value, dict):
        return {k: widen(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(widen(v) for v in value)
    return value


def unchanged(a: Any, b: Any) -> bool:
    """True when ``b`` still equals its snapshot ``a`` (tensors, arrays and dicts of them)."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a.detach(), b.detach())
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(unchanged(a[k], b[k]) for k in a)
    return True


# What differs between a learner's value and the reference: one whole sentence each, its subject a placeholder
# ("Your result", "Item 2 of your result", "Your kernel's output").
MISMATCH = {
    "tuple": "{subject} should be a tuple of {n} values, but it is {what}.",
    "torch": "{subject} should be a torch tensor, but it is {what}.",
    "numpy": "{subject} should be a NumPy array, but it is {what}.",
    "device": "{subject} is on device {got} (it holds no values there to compare); keep the input's device, {want}.",
    "shape": "{subject} has shape {got}; expected {want}.",
    "dtype": ("{subject} has dtype {got}; expected {want}: keep the input's dtype (compute in it, or cast the result "
              "back with `.to(x.dtype)`)."),
    "dtype_numpy": ("{subject} has dtype {got}; expected {want}: keep the input's dtype (compute in it, or cast the "
                    "result back with `.astype(x.dtype)`)."),
    "complex": "{subject} is complex; expected real numbers.",
    "not_numbers": "{subject} has dtype {got}; expected numbers.",
    "value": "{subject} differs from the reference: got {got}, expected {want} (tolerance rtol={rtol}, atol={atol} "
             "x max|expected|).",
    "values": "{subject} differs from the reference at {count} of {size} positions; first at index {index}: got "
              "{got}, expected {want} (tolerance rtol={rtol}, atol={atol} x max|expected|).",
    "values_inputs": "{subject} differs from the reference at {count} of {size} positions; first at index {index}: "
                     "got {got}, expected {want}; the inputs there are {inputs} (tolerance rtol={rtol}, "
                     "atol={atol} x max|expected|).",
}
RESULT = N_("Your result")
ITEM_OF_RESULT = N_("Item {item} of your result")


def values_match(got: Any, want: Any, values: Any = None, *, check_dtype: bool = True, inputs: Sequence = (),
                 names: Sequence[str] = (), subject: str = RESULT, item_subject: str = ITEM_OF_RESULT,
                 compare_values: bool = True) -> str | None:
    """None when ``got`` matches ``want`` (structure, shape, dtype, device) and ``values`` (float64 numbers,
    default ``want``) within :data:`FUNCTION_TOL`; else one sentence of :data:`MISMATCH` saying what differs,
    with shapes and the first differing value (never whole arrays). ``subject`` names ``got`` in it, and
    ``item_subject`` (with ``{item}``) an item of a tuple. ``compare_values=False``: only the structure, shape,
    dtype and device are compared (None when they are right, whatever the values)."""
    m = MISMATCH
    subject = tr(subject)
    values = want if values is None else values
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return tr(m["tuple"], subject=subject, n=len(want), what=describe(got))
        for i, (g, w, v) in enumerate(zip(got, want, values)):
            problem = values_match(g, w, v, check_dtype=check_dtype, subject=tr(item_subject, item=i),
                                   compare_values=compare_values)
            if problem:
                return problem
        return None
    is_torch = isinstance(want, torch.Tensor)
    if is_torch and not isinstance(got, torch.Tensor):
        return tr(m["torch"], subject=subject, what=describe(got))
    if not is_torch:
        if isinstance(got, (float, int, np.floating)) and np.ndim(want) == 0:
            got = np.asarray(got, dtype=want.dtype)
        if not isinstance(got, np.ndarray):
            return tr(m["numpy"], subject=subject, what=describe(got))
    if is_torch and got.device != want.device:
        return tr(m["device"], subject=subject, got=got.device, want=want.device)
    if tuple(got.shape) != tuple(want.shape):
        return tr(m["shape"], subject=subject, got=tuple(got.shape), want=tuple(want.shape))
    if check_dtype:
        widened = (not is_torch and got.dtype.kind == "f" and got.dtype.itemsize >= want.dtype.itemsize)
        if dtype_name(got) != dtype_name(want) and not widened:
            return tr(m["dtype" if is_torch else "dtype_numpy"], subject=subject, got=dtype_name(got),
                      want=dtype_name(want))
    if isinstance(got, torch.Tensor) and got.is_complex() or isinstance(got, np.ndarray) and got.dtype.kind == "c":
        return tr(m["complex"], subject=subject)
    if isinstance(got, np.ndarray) and got.dtype.kind not in "biuf":
        return tr(m["not_numbers"], subject=subject, got=got.dtype)
    if not compare_values:
        return None
    g, w = as_float64(got), as_float64(values)
    rtol, atol = FUNCTION_TOL.get(dtype_name(want), FUNCTION_TOL["float64"])
    scale = max(1.0, float(np.max(np.abs(w[np.isfinite(w)]))) if np.isfinite(w).any() else 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = (np.abs(g - w) <= rtol * np.abs(w) + atol * scale) | (g == w) | (np.isnan(g) & np.isnan(w))
    if ok.all():
        return None
    fields = {"subject": subject, "rtol": f"{rtol:g}", "atol": f"{atol:g}"}
    if not g.ndim:
        return tr(m["value"], got=fmt_number(float(g)), want=fmt_number(float(w)), **fields)
    i = tuple(int(k) for k in np.argwhere(~ok)[0])
    fields.update(count=int((~ok).sum()), size=ok.size, index=i, got=fmt_number(float(g[i])),
                  want=fmt_number(float(w[i])))
    arrays = [(n, a) for n, a in zip(names, inputs) if isinstance(a, (torch.Tensor, np.ndarray))]
    if arrays and all(tuple(a.shape) == tuple(want.shape) for _, a in arrays):  # elementwise: the inputs there
        there = ", ".join(f"{n} = {fmt_number(float(as_float64(a)[i]))}" for n, a in arrays)
        return tr(m["values_inputs"], inputs=there, **fields)
    return tr(m["values"], **fields)


# A largest gap up to this fraction of the values' scale: the size a constant typed to 4 or 5 digits gives.
ROUNDED_GAP = 1e-4


def relative_gap(got: Any, want: Any) -> float | None:
    """max |got - want| / max(1, max |want|) over the finite values (the scale of the tolerance's atol), the
    largest over the items of a tuple; None when the two cannot be compared value by value."""
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return None
        gaps = [relative_gap(g, w) for g, w in zip(got, want)]
        return None if not gaps or any(x is None for x in gaps) else max(gaps)
    if not isinstance(got, (torch.Tensor, np.ndarray)) or not isinstance(want, (torch.Tensor, np.ndarray)):
        return None
    if tuple(got.shape) != tuple(want.shape) or (isinstance(got, np.ndarray) and got.dtype.kind not in "biuf"):
        return None
    try:
        g, w = as_float64(got), as_float64(want)
    except (TypeError, ValueError, RuntimeError):
        return None
    both = np.isfinite(g) & np.isfinite(w)
    if not both.any() or (np.isfinite(g) != np.isfinite(w)).any():
        return None
    scale = max(1.0, float(np.max(np.abs(w[both]))))
    return float(np.max(np.abs(g[both] - w[both]))) / scale


def rounded_constant_gap(got: Any, want: Any) -> float | None:
    """The relative gap (:func:`relative_gap`) when it is small enough (at most :data:`ROUNDED_GAP`, not zero) to
    come from a constant typed rounded, such as 0.79788 for sqrt(2/pi); else None."""
    gap = relative_gap(got, want)
    return gap if gap is not None and 0 < gap <= ROUNDED_GAP else None


def upper_bound_text(x: float) -> str:
    """A positive number rounded up to one significant digit, as text (7.4e-07 -> '8e-07'): an "at most"."""
    exponent = math.floor(math.log10(x))
    mantissa = math.ceil(x / 10.0**exponent - 1e-9)
    if mantissa >= 10:
        mantissa, exponent = 1, exponent + 1
    return f"{mantissa}e{exponent:+03d}" if not -5 <= exponent <= 3 else f"{mantissa * 10.0**exponent:g}"
