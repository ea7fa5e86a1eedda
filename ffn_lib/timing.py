"""Timing that can be trusted: :func:`benchmark`, and the one place to import every timing name from.

Where things live (each module's docstring says more):

* :mod:`ffn_lib.sampler`: how one callable is sampled (warm-up, back-to-back
  calls, CUDA events or CPU batches, cache flushing, host time and latency) and
  :class:`BenchResult`, the samples and what they mean;
* :mod:`ffn_lib.comparison`: :func:`compare`, several variants timed
  interleaved, and :class:`Comparison`, which writes the ratio, the sentence,
  the table and the figure from the numbers;
* :mod:`ffn_lib.ceilings`: the copy bandwidth and the matrix-product rate,
  measured in this process;
* :mod:`ffn_lib.roofline`: the roofline model (Williams, Waterman & Patterson
  2009) built on those two ceilings;
* :mod:`ffn_lib.devices` and :mod:`ffn_lib.formatting`: which device, and
  times and rates in words.

:func:`benchmark`, defined here, times one call the standard way and reports it
against the ceilings. Every name above is importable from here
(``timing.compare``, ``timing.measure_copy_bandwidth``, ...), as the chapters do.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from ._checks import positive_int, positive_number
from .ceilings import (  # noqa: F401 (re-exported)
    default_copy_bytes,
    measure_copy,
    measure_copy_bandwidth,
    measure_matmul,
    measure_matmul_rate,
)
from .comparison import NOISY_SPREAD, Comparison, compare  # noqa: F401 (re-exported)
from .devices import DEVICE_ENV, _where, cache_bytes, device_name, pick_device, synchronize  # noqa: F401
from .formatting import format_rate, format_time, time_unit  # noqa: F401 (re-exported)
from .roofline import attainable_flop_rate, ridge_point, roofline_time  # noqa: F401 (re-exported)
from .sampler import (  # noqa: F401 (re-exported)
    CPU_SAMPLE_TIME,
    CUDA_FLUSH_BYTES,
    BenchResult,
    _flush_buffer,
    _Sampler,
    resolve_device,
    tensor_arguments,
    time_calls,
)


def benchmark(fn: Callable[..., Any], *args: Any, label: str | None = None, device: torch.device | str | None = None,
              warmup: int = 3, warmup_time: float = 0.1, min_reps: int = 5, max_reps: int = 1000,
              min_time: float = 0.2,
              nbytes: float | None = None, flops: float | None = None,
              copy_bandwidth: float | bool | None = None, flush_cache: bool | None = None,
              host_time: bool = True, **kwargs: Any) -> BenchResult:
    """Time ``fn(*args, **kwargs)`` the standard way: warm-up, back-to-back repetitions, median.

    ``device``: where ``fn`` runs; taken from the tensor arguments when not given,
    and required when there are none (a callable that closes over its tensors).
    ``nbytes`` / ``flops``: the traffic and work one call must do (see
    :mod:`ffn_lib.sizing`), to report GB/s and TFLOP/s. ``copy_bandwidth``: a
    measured copy bandwidth in bytes/s to compare with; ``True`` measures it now
    on the same device (cached per device for the process, :mod:`ffn_lib.ceilings`). ``flush_cache``:
    write a buffer larger than the cache before each sample (default: on CUDA,
    where each sample is one call, as ``triton.testing.do_bench``; off on the
    CPU, where a sample is a batch). ``host_time``: also measure the host time
    to issue one call and the latency of one isolated call.

    On the CPU, an output larger than glibc's mmap threshold (32 MiB at most) is
    fresh memory at every call, and touching its pages for the first time costs
    page faults that warm-up cannot remove: preallocate it (``out=``) to time the
    arithmetic alone.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}.")
    warmup = positive_int(warmup, "warmup") if warmup else 0
    min_reps, max_reps = positive_int(min_reps, "min_reps"), positive_int(max_reps, "max_reps")
    if max_reps < min_reps:
        raise ValueError(f"max_reps ({max_reps}) must be at least min_reps ({min_reps}).")
    min_time = positive_number(min_time, "min_time")
    tensors = tensor_arguments(args, kwargs)
    device = resolve_device(device, tensors, "benchmark")
    flush = device.type == "cuda" if flush_cache is None else bool(flush_cache)
    if copy_bandwidth is True:
        copy_bandwidth = measure_copy_bandwidth(device)
    return time_calls(lambda: fn(*args, **kwargs), device, label=label or getattr(fn, "__name__", "fn"), flush=flush,
                      warmup=warmup, warmup_time=warmup_time, min_reps=min_reps, max_reps=max_reps,
                      min_time=min_time, host_time=host_time, tensors=tensors, nbytes=nbytes, flops=flops,
                      copy_bandwidth=copy_bandwidth)
