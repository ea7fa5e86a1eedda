"""A light way to launch a ``@triton.jit`` kernel many times from Python.

``kernel[grid](*args)`` (``JITFunction.run``) works out, on every call, which
compiled variant the arguments need: it binds the arguments, computes a
specialisation key (dtypes, 16-byte alignment of every pointer, divisibility of
every integer), looks it up, checks hooks and globals, then launches. That costs
tens of microseconds of CPU time per call: more than eager PyTorch spends on a
whole ``F.silu(g) * u``.

:class:`Launcher` does that work once per specialisation. It computes its own
key, at least as fine as Triton's (every property Triton specialises on is in
it), keeps the ``CompiledKernel`` the first launch returned, and afterwards
calls its launcher directly, as torch inductor does. Where that API is missing
or differs (another Triton version, the interpreter, a profiler's launch hooks)
it falls back to the normal launch, by itself.

``stub_launches()`` turns the launch itself into a no-op, so that the Python
work around it can be timed on any machine (:func:`ffn_lib.kernels.host_overhead`).
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import torch

try:
    from triton import knobs as _knobs  # Triton >= 3.4
except ImportError:  # pragma: no cover - older Triton: launch hooks live elsewhere; no direct launch
    _knobs = None

_STUBBED = False
_DIRECT_OK = _knobs is not None  # cleared for good if a direct launch ever fails


def _stream(device: int) -> int:
    return torch._C._cuda_getCurrentRawStream(device)


class Launcher:
    """Launch ``kernel`` with the normal Triton call once per specialisation, then directly.

    A call is ``launcher(grid, tensors, ints, beta, constexprs, num_warps)`` for a kernel whose parameters
    are the tensors' pointers, then the integers, then one float, then the compile-time constants, in order.
    """

    def __init__(self, kernel: Any, interpreted: bool):
        self.kernel = kernel
        self.direct = not interpreted
        self.compiled: dict[tuple, Any] = {}

    def __call__(self, grid: tuple[int, int], tensors: tuple, ints: tuple, beta: float, constexprs: tuple,
                 num_warps: int) -> None:
        if _STUBBED:
            return
        if not (self.direct and _DIRECT_OK) or _hooks_active():
            self.kernel[grid](*tensors, *ints, beta, *constexprs, num_warps=num_warps)
            return
        # Everything Triton specialises a compiled kernel on, and more: the device, the constants, each
        # pointer's dtype and 16-byte alignment, each integer's divisibility by 16, equality to 1 and width.
        device = torch._C._cuda_getDevice()
        key = (device, constexprs, num_warps, *[(t.dtype, t.data_ptr() % 16) for t in tensors],
               *[(i % 16, i == 1, i < 2**31) for i in ints])
        compiled = self.compiled.get(key)
        if compiled is not None:
            try:
                compiled.run(grid[0], grid[1], 1, _stream(device), compiled.function, compiled.packed_metadata,
                             None, None, None, *tensors, *ints, beta, *constexprs)
                return
            except (TypeError, AttributeError):  # not the launcher API this code knows: it raised before
                _disable_direct()  # launching anything, so launch the normal way below, from now on
        compiled = self.kernel[grid](*tensors, *ints, beta, *constexprs, num_warps=num_warps)
        if all(hasattr(compiled, a) for a in ("run", "function", "packed_metadata")):
            self.compiled[key] = compiled


def _hooks_active() -> bool:
    """Whether a profiler has installed a launch hook (then every launch goes through Triton's own path)."""
    hook = _knobs.runtime.launch_enter_hook
    return hook is not None and bool(getattr(hook, "calls", True))  # Triton >= 3.5: an empty HookChain


def _disable_direct() -> None:
    global _DIRECT_OK
    _DIRECT_OK = False


@contextlib.contextmanager
def stub_launches() -> Iterator[None]:
    """Inside this block kernel launches do nothing: what remains is the wrapper's own CPU time."""
    global _STUBBED
    old, _STUBBED = _STUBBED, True
    try:
        yield
    finally:
        _STUBBED = old
