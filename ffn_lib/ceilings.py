"""Hardware ceilings measured in this process: the copy bandwidth and the matrix-product rate.

A time means little alone. :func:`measure_copy_bandwidth` measures what the
device's memory can do (``dst.copy_(src)`` on a working set larger than the
last cache, counting the read and the write): the ceiling an elementwise op can
hope for, "57% of what this GPU's memory can do". :func:`measure_matmul_rate`
measures the FLOP rate of a large matrix product: the compute ceiling. Both go
into the roofline (:mod:`ffn_lib.roofline`). With no ``device`` given, both
measure on :func:`ffn_lib.devices.pick_device`'s choice (the GPU where there
is one), as the chapters do.
"""

from __future__ import annotations

import torch

from ._checks import positive_int
from .devices import cache_bytes, pick_device
from .sampler import BenchResult, time_calls

_COPY_CACHE: dict[str, BenchResult] = {}


def _device_or_default(device: torch.device | str | None) -> torch.device:
    return torch.device(device) if device is not None else pick_device(verbose=False)


def default_copy_bytes(device: torch.device | str) -> int:
    """Working set of the copy reference: 2 GiB on CUDA; elsewhere 4x the last-level cache, at least 64 MiB."""
    device = torch.device(device)
    if device.type == "cuda":
        return 2 * 2**30
    return max(64 * 2**20, 4 * (cache_bytes(device) or 0))


def measure_copy(device: torch.device | str | None = None, nbytes: int | None = None) -> BenchResult:
    """``dst.copy_(src)`` benchmarked; ``nbytes`` is the working set (source plus destination), and
    the result's ``nbytes`` the traffic of one copy (read plus write). Cached per device and size.

    ``device`` defaults to ``pick_device(verbose=False)``: the GPU where there is one."""
    device = _device_or_default(device)
    nbytes = positive_int(nbytes if nbytes is not None else default_copy_bytes(device), "nbytes")
    key = f"{device}:{nbytes}"
    if key not in _COPY_CACHE:
        src = torch.ones(nbytes // 8, dtype=torch.float32, device=device)
        dst = torch.empty_like(src)
        _COPY_CACHE[key] = time_calls(lambda: dst.copy_(src), device, label="copy", flush=False, min_time=0.3,
                                      host_time=False, tensors=[src], nbytes=2 * src.numel() * 4)
        del src, dst
    return _COPY_CACHE[key]


def measure_copy_bandwidth(device: torch.device | str | None = None, nbytes: int | None = None) -> float:
    """Bytes per second of ``dst.copy_(src)`` on ``device``, counting the read and the write.

    This is the ceiling an elementwise op can hope for on that device. ``device``
    defaults to ``pick_device(verbose=False)`` (CUDA, else MPS, else the CPU;
    ``FFN_LIB_DEVICE`` overrides). ``nbytes`` is the working set (source plus
    destination); default 2 GiB on CUDA, far beyond any L2 cache, and on the CPU
    4x the last-level cache (at least 64 MiB). Cached per device and size for the
    life of the process.
    """
    return measure_copy(device, nbytes).bandwidth


def measure_matmul(device: torch.device | str | None = None, dtype: torch.dtype = torch.float32,
                   m: int | None = None, k: int | None = None, n: int | None = None, *,
                   label: str | None = None, min_time: float = 0.3) -> BenchResult:
    """``(m x k) @ (k x n)`` benchmarked with its 2 m k n FLOPs; square ``n`` x ``n`` when m and k are omitted.

    ``device`` defaults to ``pick_device(verbose=False)``: the GPU where there is one."""
    device = _device_or_default(device)
    n = positive_int(n if n is not None else (8192 if device.type == "cuda" else 1024), "n")
    m = positive_int(m if m is not None else n, "m")
    k = positive_int(k if k is not None else n, "k")
    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(m, k, generator=gen, device=device).to(dtype)
    b = torch.randn(k, n, generator=gen, device=device).to(dtype)
    return time_calls(lambda: torch.matmul(a, b), device, label=label or f"matmul {m}x{k} @ {k}x{n}",
                      flush=device.type == "cuda", min_time=min_time, host_time=False, tensors=[a, b],
                      flops=2 * m * k * n)


def measure_matmul_rate(device: torch.device | str | None = None, dtype: torch.dtype = torch.float32,
                        m: int | None = None, k: int | None = None, n: int | None = None) -> float:
    """FLOP/s of an (m x k) @ (k x n) matrix product on ``device`` in ``dtype`` (2 m k n FLOPs).

    Square n x n x n when only ``n`` is given (default 8192 on CUDA, 1024 elsewhere). ``device``
    defaults to ``pick_device(verbose=False)`` (CUDA, else MPS, else the CPU; ``FFN_LIB_DEVICE``
    overrides).
    """
    return measure_matmul(device, dtype, m, k, n).flop_rate
