"""The kernels an elementwise function launches, as ``torch.profiler`` records them: the tensor passes that
chapters 3, 6 and 7 count before they predict a time from them (:func:`elementwise_passes`).
"""
from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from typing import Callable, Iterator

import torch


@dataclass(frozen=True)
class KernelPass:
    """One elementwise kernel: how many input-sized tensors it reads and writes."""

    op: str
    reads: int
    writes: int


# Operators that allocate, reshape or alias memory without reading or writing elements.
_NO_TRAFFIC = {
    "aten::empty", "aten::empty_like", "aten::empty_strided", "aten::view", "aten::reshape", "aten::_reshape_alias",
    "aten::as_strided", "aten::detach", "aten::alias", "aten::t", "aten::transpose", "aten::expand",
    "aten::resize_", "aten::lift_fresh", "aten::result_type", "aten::_unsafe_view",
}


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide the profiler library's own start/stop log lines, which it writes straight to file descriptor 2."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def elementwise_passes(fn: Callable[..., torch.Tensor], *inputs: torch.Tensor,
                       backward: bool = False) -> list[KernelPass]:
    """The elementwise kernels ``fn(*inputs)`` launches, or with ``backward=True`` its backward, as
    ``torch.profiler`` records them: each top-level ``aten`` operator, the number of its arguments
    the size of the inputs (reads) and its one output (write).

    >>> [p.op for p in elementwise_passes(lambda g, u: F.silu(g) * u, g, u, backward=True)]  # doctest: +SKIP
    ['aten::mul', 'aten::mul', 'aten::silu_backward']

    Sum ``reads + writes`` for the tensor passes that :func:`ffn_lib.sizing.activation_tensors` counts.
    """
    if not inputs or not all(isinstance(t, torch.Tensor) for t in inputs):
        raise TypeError("inputs must be one or more torch tensors of the same shape.")
    shape = list(inputs[0].shape)
    if any(list(t.shape) != shape for t in inputs):
        raise ValueError(f"inputs must share one shape, got {[tuple(t.shape) for t in inputs]}.")
    if backward:
        inputs = tuple(t.detach().requires_grad_() for t in inputs)
        with torch.enable_grad():
            out = fn(*inputs)
        dy = torch.randn_like(out)
        run = lambda: torch.autograd.grad(out, inputs, dy)  # noqa: E731
    else:
        run = lambda: fn(*inputs)  # noqa: E731
    with _native_stderr_silenced():
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU], record_shapes=True) as prof:
            run()
    passes = []
    for event in prof.events():
        parent = event.cpu_parent
        if not event.name.startswith("aten::") or event.name in _NO_TRAFFIC:
            continue
        if parent is not None and parent.name.startswith("aten::"):
            continue  # a kernel inside another operator: counted with its parent
        reads = sum(1 for s in event.input_shapes if list(s) == shape)
        if reads:
            passes.append(KernelPass(event.name, reads, 1))
    return passes
