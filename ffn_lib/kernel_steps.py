"""Plumbing for chapter 7's teaching kernels: where they run, a check against eager, and a stand-in for Triton.

The teaching kernels themselves live on the chapter's page (each is a step of the lesson); what they are
checked against is the library's eager ``act(g) * u`` (:func:`ffn_lib.activations.act_mul_eager`).

* :func:`setup` turns Triton's CPU interpreter on where there is no CUDA GPU (before triton is imported)
  and says whether Triton is importable at all;
* :func:`no_triton` gives stand-ins for ``triton`` and ``triton.language`` so that a page still defines its
  kernels (shown as text) where Triton is missing, and every launch is skipped with a one-line note;
* :func:`compare` runs a step and the reference and prints the largest difference, or that the launch was
  skipped;
* :func:`thread_work` says how many elements, and bytes, each thread of a launch loads per tensor;
* :func:`padded` makes a tensor that is a view into a larger buffer, so that a kernel writing past its end
  (a missing mask) overwrites memory the caller owns and can inspect, instead of crashing the process.
"""

from __future__ import annotations

import importlib.util
import os
import types
import warnings
from typing import Any, Callable

import numpy as np
import torch

from . import devices
from .i18n import N_, tr, translate_text

INTERPRET_ENV = "TRITON_INTERPRET"
# The one-line note of a skipped launch. ``kernel_steps.SKIPPED`` gives it in the reader's language (module
# ``__getattr__``); the exception a stand-in launch raises keeps the English.
_SKIPPED = N_("Triton is not installed here: the kernel above is shown, its launch skipped.")


def setup() -> bool:
    """Use Triton's interpreter where no GPU here is one Triton supports (none, a T4, an Apple GPU); must run
    before triton is imported. Return whether Triton imports: it is imported here, so that a broken
    installation (found by ``find_spec`` but failing to import, for any reason) counts as missing."""
    if not devices.triton_gpu_present():
        os.environ.setdefault(INTERPRET_ENV, "1")
    try:
        if importlib.util.find_spec("triton") is None:
            return False
        import triton  # noqa: F401
        import triton.language  # noqa: F401
    except Exception:  # noqa: BLE001 - a broken or blocked installation (ImportError, OSError, RuntimeError...)
        return False
    return True


def __getattr__(name: str) -> Any:
    """``triton`` and ``tl``: the real modules where Triton is importable, else :func:`no_triton`'s stand-ins.

    Imported only when first asked for (``from ffn_lib.kernel_steps import triton, tl``), so that
    :func:`setup` can turn the interpreter on before. ``SKIPPED``: the note of a skipped launch, translated."""
    if name == "SKIPPED":
        return tr(_SKIPPED)
    if name in ("triton", "tl"):
        if setup():
            import triton
            import triton.language as tl
        else:
            triton, tl = no_triton()
        globals().update(triton=triton, tl=tl)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def device() -> str:
    """Where the teaching kernels run: a GPU Triton supports, else the CPU through the interpreter."""
    return "cuda" if devices.triton_gpu_present() else "cpu"


WIDEST_LOAD_BYTES = 16  # one thread's widest global load on Ampere and Hopper: 128 bits (PTX ld.global.v4.b32)


def thread_work(block: int, num_warps: int, dtype: torch.dtype | str) -> dict[str, int]:
    """What one thread of a 1-D launch handles in each tensor: ``block / (32 num_warps)`` consecutive elements
    (Triton spreads a block evenly over the warps' 32 threads each), their bytes, and how many loads of at most
    :data:`WIDEST_LOAD_BYTES` they take when the compiler can prove them aligned and contiguous."""
    from . import sizing

    for name, v in (("block", block), ("num_warps", num_warps)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1 or v & (v - 1):
            raise ValueError(f"{name} must be a positive power of two, got {v!r}.")
    if block < 32 * num_warps:
        raise ValueError(f"block ({block}) must give every thread an element: at least 32 * num_warps = "
                         f"{32 * num_warps}.")
    elements = block // (32 * num_warps)
    nbytes = elements * sizing.dtype_bytes(dtype)
    return {"elements": elements, "bytes": nbytes, "loads": -(-nbytes // WIDEST_LOAD_BYTES)}


class Skipped(RuntimeError):
    """A launch that could not happen: Triton is not installed."""


class _Kernel:
    def __init__(self, fn: Callable):
        self.fn = fn
        self.__doc__, self.__name__ = fn.__doc__, fn.__name__

    def __getitem__(self, grid: Any) -> Callable:
        def launch(*args: Any, **kwargs: Any) -> None:
            raise Skipped(_SKIPPED)
        return launch


def no_triton() -> tuple[types.SimpleNamespace, types.SimpleNamespace]:
    """Stand-ins for ``triton`` and ``triton.language``: ``@triton.jit`` keeps the function, a launch raises
    :class:`Skipped`, and ``tl.constexpr`` exists for the signatures."""
    triton = types.SimpleNamespace(jit=_Kernel, cdiv=lambda a, b: (a + b - 1) // b,
                                   next_power_of_2=lambda n: 1 << max(0, int(n) - 1).bit_length())
    tl = types.SimpleNamespace(constexpr=int, float32="float32", int64="int64")
    return triton, tl


def _quiet(fn: Callable, *args: Any) -> Any:
    # the interpreter computes with NumPy, which warns on exp overflow (inf is the intended result)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args)


def run(fn: Callable, *args: Any) -> Any:
    """``fn(*args)`` with the interpreter's NumPy warnings silenced; None when the launch was skipped."""
    try:
        return _quiet(fn, *args)
    except Skipped:
        return None


def largest_difference(got: Any, want: Any) -> float:
    """max |got - want| over every output (a tensor or a tuple of them); NaN where both are NaN counts as 0."""
    got = got if isinstance(got, (tuple, list)) else (got,)
    want = want if isinstance(want, (tuple, list)) else (want,)
    if len(got) != len(want):
        raise ValueError(f"got {len(got)} outputs, the reference has {len(want)}.")
    worst = 0.0
    for a, b in zip(got, want):
        a, b = a.detach().double().cpu(), b.detach().double().cpu()
        same = (a == b) | (a.isnan() & b.isnan())
        diff = torch.where(same, torch.zeros_like(a), (a - b).abs())
        worst = max(worst, float(diff.nan_to_num(nan=float("inf")).max()) if diff.numel() else 0.0)
    return worst


def compare(step: Callable, reference: Callable, *args: Any, label: str = "act_mul_eager") -> float | None:
    """Run ``step(*args)`` and ``reference(*args)``, print their largest difference and return it
    (None, with a one-line note, where Triton is missing)."""
    got = run(step, *args)
    if got is None:
        print(tr(_SKIPPED))
        return None
    err = largest_difference(got, reference(*args))
    print(tr("{name}: largest difference from {label}: {err}", name=getattr(step, "__name__", "step"),
             label=translate_text(label), err=f"{err:.1e}"))
    return err


def padded(n: int, pad: int, *, fill: float = 0.0, dtype: torch.dtype = torch.float32,
           device: str | torch.device = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """(view, buffer): ``view`` is the first ``n`` elements of ``buffer`` (``n + pad`` elements, all ``fill``)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}.")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be a non-negative int, got {pad!r}.")
    buffer = torch.full((n + pad,), fill, dtype=dtype, device=device)
    return buffer[:n], buffer
