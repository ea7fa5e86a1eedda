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
  (a missing mask) overwrites memory the caller owns and can inspect, instead of crashing the process;
* :func:`bytes_prediction` predicts a memory-bound step's time from its bytes and the bandwidth of the copy timed
  in the same interleaved rounds (:func:`ffn_lib.timing.compare`), and :meth:`BytesPrediction.sentence` says
  whether prediction and measurement agree, and if not, which of them to doubt.
"""

from __future__ import annotations

import importlib.util
import os
import types
import warnings
from dataclasses import dataclass
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


#: Measured over predicted time within [AGREES_FROM, AGREES_TO]: the bytes predict the step (a quarter either way,
#: what a shared CPU's noise allows). Below AGREES_FROM the step beat its own bytes at the copy's speed, which a
#: pass through memory cannot do: the copy reference was measured slow. Above AGREES_TO something besides memory
#: traffic sets part of the step's time.
AGREES_FROM, AGREES_TO = 0.8, 1.25


@dataclass(frozen=True)
class BytesPrediction:
    """A memory-bound step's time predicted from its bytes over the copy bandwidth, beside its measured time."""

    nbytes: float
    bandwidth: float  # bytes per second of the copy reference, timed in the same rounds as the step
    measured_s: float
    machine: str = ""  # the machine in words, as inside parentheses ("AMD EPYC, 2 cores, CPU")

    @property
    def predicted_s(self) -> float:
        return self.nbytes / self.bandwidth

    @property
    def ratio(self) -> float:
        """Measured over predicted time."""
        return self.measured_s / self.predicted_s

    def verdict(self) -> str:
        """``"agrees"``, ``"reference slow"`` (the step beat its bytes: doubt the copy) or ``"step slow"``."""
        if self.ratio < AGREES_FROM:
            return "reference slow"
        return "step slow" if self.ratio > AGREES_TO else "agrees"

    def sentence(self) -> str:
        """What the numbers say, in the reader's language: the prediction, the measurement and their reading."""
        from .formatting import format_rate, format_time
        from .roofline_reading import _sentences

        fields = dict(bandwidth=format_rate(self.bandwidth, "B/s"), nbytes=f"{self.nbytes / 2**20:,.0f} MiB",
                      predicted=format_time(self.predicted_s), measured=format_time(self.measured_s),
                      ratio=f"{self.ratio:.2f}", machine=self.machine)
        said = tr("On this machine ({machine}) the copy, timed in the same interleaved rounds as the step, moved "
                  "{bandwidth}; at that rate the step's {nbytes} predict {predicted}. It took {measured}, {ratio} "
                  "times the prediction.", **fields)
        verdict = self.verdict()
        if verdict == "agrees":
            reading = tr("Within a quarter of the prediction, what a shared machine's noise allows: the step takes "
                         "about its bytes over the bandwidth.")
        elif verdict == "reference slow":
            reading = tr("That is faster than its bytes allow at the copy's speed, which no pass through memory can "
                         "be: the bandwidth reference, not the model, is what this run got wrong. The copy was "
                         "measured slower than this memory can go (on a shared machine, other work slows some "
                         "samples), so the prediction made from it is too long; run the cell again when the machine "
                         "is quiet.")
        else:
            reading = tr("The step is slower than its bytes: something besides memory traffic sets part of its time "
                         "(its arithmetic on the threads it has, or the overhead of launching its kernels).")
        return _sentences(said, reading)


def bytes_prediction(timed: Any, name: str) -> BytesPrediction:
    """The prediction from bytes for variant ``name`` of ``timed``, a :class:`ffn_lib.timing.Comparison` made by
    :func:`ffn_lib.timing.compare` with ``nbytes``: its copy reference is one more variant of the same interleaved
    rounds, so that a machine busy with other work slows the copy and the step alike, instead of only the one
    measured at a bad moment."""
    from .comparison import Comparison

    if not isinstance(timed, Comparison):
        raise TypeError(f"timed must be what timing.compare returns, got {type(timed).__name__}.")
    if name not in timed.results:
        raise KeyError(f"name {name!r} is not one of the compared variants: {list(timed.results)}.")
    r = timed.results[name]
    if r.nbytes is None or r.copy_bandwidth is None:
        raise ValueError(f"timed has no bytes or no copy bandwidth for {name!r}: call timing.compare with nbytes=.")
    return BytesPrediction(nbytes=float(r.nbytes), bandwidth=r.copy_bandwidth, measured_s=r.median_s,
                           machine=timed.machine())
