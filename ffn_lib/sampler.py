"""How one callable is timed: the sampler, and the :class:`BenchResult` it produces.

Timing a GPU op naively measures the wrong thing: kernels launch asynchronously
(the Python call returns before the GPU has finished), the first calls pay for
compilation and allocation, small tensors stay in the cache between calls, and
one measurement is noise. :class:`_Sampler` times the standard way, as
``triton.testing.do_bench`` and ``torch.utils.benchmark`` do:

1. warm up (compile, allocate, fault in fresh pages) for ``warmup`` calls and at
   least ``warmup_time`` seconds, so a cold start does not land in the measurement;
2. queue the repetitions back to back, with no host synchronisation between
   them, as a training step queues its kernels: on CUDA a pair of events around
   each call measures it on the GPU's own clock; on the CPU ``time.perf_counter``
   brackets a batch of calls;
3. before each sample, write a buffer larger than the L2 cache (256 MiB on
   CUDA, by default only there) so a small working set is read from memory, not
   from the cache, exactly as ``do_bench`` does;
4. report the median and the quartiles of the samples, not the mean, and keep
   the raw samples.

Two more times are reported beside it, both real and both instructive: the
**host time** to issue one call (the wall time of queuing N calls without a
synchronisation, divided by N: what the CPU spends in Python, the dispatcher and
the launch), and the **latency** of one isolated call (synchronise, call,
synchronise). On a GPU an op whose host time exceeds its GPU time leaves the GPU
idle; on a CPU the three are the same thing.

:func:`time_calls` runs the whole procedure on a zero-argument callable; the
public entry points built on it are :func:`ffn_lib.timing.benchmark`,
:func:`ffn_lib.comparison.compare` and the ceilings of :mod:`ffn_lib.ceilings`.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

import torch

from .devices import cache_bytes, device_name, synchronize
from .formatting import format_rate, format_time
from .i18n import tr


# --- Results ------------------------------------------------------------------------------------


@dataclass
class BenchResult:
    """Times of one benchmarked callable, and what they mean.

    ``times_s`` are the raw samples, each the time of one call (on the CPU, a
    batch of ``calls_per_sample`` back-to-back calls divided by their number).
    """

    label: str
    times_s: list[float]
    device: str
    device_name: str
    dtype: str | None = None
    shapes: list[list[int]] = field(default_factory=list)
    nbytes: float | None = None
    flops: float | None = None
    copy_bandwidth: float | None = None  # bytes/s measured by measure_copy_bandwidth
    method: str = ""
    calls_per_sample: int = 1
    cache_flushed: bool = False
    host_time_s: float | None = None  # host time to issue one call (queued, no sync)
    latency_s: float | None = None  # one isolated call: sync, call, sync

    @property
    def samples_s(self) -> list[float]:
        """The raw samples (seconds per call)."""
        return self.times_s

    @property
    def reps(self) -> int:
        return len(self.times_s)

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)

    @property
    def quartiles_s(self) -> tuple[float, float]:
        if len(self.times_s) < 2:
            return self.times_s[0], self.times_s[0]
        q = statistics.quantiles(self.times_s, n=4, method="inclusive")
        return q[0], q[2]

    @property
    def bandwidth(self) -> float | None:
        """Achieved bytes per second (minimum traffic / median time)."""
        return None if self.nbytes is None else self.nbytes / self.median_s

    @property
    def flop_rate(self) -> float | None:
        """Achieved FLOP/s."""
        return None if self.flops is None else self.flops / self.median_s

    @property
    def copy_share(self) -> float | None:
        """Achieved bandwidth as a fraction of the measured copy bandwidth."""
        if self.bandwidth is None or not self.copy_bandwidth:
            return None
        return self.bandwidth / self.copy_bandwidth

    def summary(self) -> str:
        q1, q3 = self.quartiles_s
        text = (f"{self.label}: {format_time(self.median_s)} median "
                f"(middle half {format_time(q1)} to {format_time(q3)}, {self.reps} runs) on {self.device_name}")
        if self.bandwidth is not None:
            text += f"; {format_rate(self.bandwidth, 'B/s')}"
            if self.copy_share is not None:
                text += f" = {self.copy_share:.0%} of the measured copy bandwidth"
        if self.flop_rate is not None:
            text += f"; {format_rate(self.flop_rate, 'FLOP/s')}"
        if self.host_time_s is not None and self.device.startswith("cuda"):
            text += (f"; the host takes {format_time(self.host_time_s)} to issue one call, "
                     f"one isolated call {format_time(self.latency_s)}")
        return text

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(median_s=self.median_s, quartiles_s=list(self.quartiles_s), bandwidth=self.bandwidth,
                 flop_rate=self.flop_rate, copy_share=self.copy_share)
        return d


# --- The sampler ---------------------------------------------------------------------------------

CUDA_FLUSH_BYTES = 256 * 2**20  # what triton.testing.do_bench writes between calls; far beyond any L2
CPU_SAMPLE_TIME = 1e-3  # on the CPU a sample is a batch of calls lasting at least this long
_FLUSH_BUFFERS: dict[str, torch.Tensor] = {}


def tensor_arguments(args: tuple, kwargs: dict) -> list[torch.Tensor]:
    return [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]


def resolve_device(device: torch.device | str | None, tensors: list[torch.Tensor], what: str) -> torch.device:
    """The device to time on: ``device`` if given, else the tensors'; never a silent default."""
    if device is None:
        if not tensors:
            raise ValueError(f"{what}: the callable gets no tensor arguments, so the device to time on is unknown; "
                             "pass device= (e.g. device=ffn_lib.pick_device()). Without it a GPU would be timed "
                             "with the CPU's clock.")
        device = tensors[0].device
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device={device!r} is not a device name (try 'cpu', 'cuda').") from None
    for t in tensors:
        if t.device.type != device.type:
            raise ValueError(f"device={str(device)!r}, but a tensor argument is on {t.device}.")
    return device


def _flush_buffer(device: torch.device) -> torch.Tensor:
    """A buffer larger than the last cache level of ``device``, kept for the life of the process."""
    if device.type == "cuda" and device.index is None:  # "cuda" and "cuda:0" are one device: one buffer
        device = torch.device("cuda", torch.cuda.current_device())
    key = str(device)
    if key not in _FLUSH_BUFFERS:
        size = CUDA_FLUSH_BYTES if device.type == "cuda" else 2 * (cache_bytes(device) or 32 * 2**20)
        _FLUSH_BUFFERS[key] = torch.empty(size // 4, dtype=torch.int32, device=device)
    return _FLUSH_BUFFERS[key]


class _Sampler:
    """Samples of one zero-argument callable, taken the standard way (see the module's docstring)."""

    def __init__(self, fn: Callable[[], Any], device: torch.device, flush: bool):
        self.fn, self.device, self.flush = fn, device, flush
        self.buffer = _flush_buffer(device) if flush else None
        self.batch = 1

    def warm(self, calls: int, seconds: float) -> None:
        start, done = time.perf_counter(), 0
        while done < calls or (calls and time.perf_counter() - start < seconds):
            self.fn()
            done += 1
        synchronize(self.device)

    def isolated_calls(self, count: int) -> list[float]:
        """The times of ``count`` isolated calls, each: synchronise, call, synchronise."""
        times = []
        for _ in range(count):
            synchronize(self.device)
            t0 = time.perf_counter()
            self.fn()
            synchronize(self.device)
            times.append(time.perf_counter() - t0)
        return times

    def calibrate(self) -> float:
        """Estimate the time of one call (a few isolated calls) and choose the batch size; returns the estimate."""
        estimate = max(min(self.isolated_calls(3)), 1e-9)
        if self.device.type != "cuda":  # CUDA: events around every call, as do_bench; elsewhere: batches
            self.batch = max(1, min(1000, math.ceil(CPU_SAMPLE_TIME / estimate)))
        return estimate

    def sample(self, count: int) -> list[float]:
        """``count`` samples, each in seconds per call."""
        fn, batch = self.fn, self.batch
        if self.device.type == "cuda":
            with torch.cuda.device(self.device):  # the events go on this device's current stream
                starts = [torch.cuda.Event(enable_timing=True) for _ in range(count)]
                ends = [torch.cuda.Event(enable_timing=True) for _ in range(count)]
                for start, end in zip(starts, ends):  # queued back to back: no host synchronisation in here
                    if self.buffer is not None:
                        self.buffer.zero_()
                    start.record()
                    for _ in range(batch):
                        fn()
                    end.record()
            torch.cuda.synchronize(self.device)
            return [s.elapsed_time(e) / 1e3 / batch for s, e in zip(starts, ends)]
        times = []
        for _ in range(count):
            if self.buffer is not None:
                self.buffer.zero_()
            synchronize(self.device)
            t0 = time.perf_counter()
            for _ in range(batch):
                fn()
            synchronize(self.device)
            times.append((time.perf_counter() - t0) / batch)
        return times

    def sample_for(self, seconds: float, min_count: int, max_count: int, estimate: float) -> list[float]:
        """Samples until ``seconds`` of wall time are spent (at least ``min_count``, at most ``max_count``).

        On CUDA they are queued in chunks sized from ``estimate`` (no host synchronisation inside a
        chunk); elsewhere one at a time, so a loaded machine cannot stretch the run.
        """
        per_sample = estimate * self.batch
        times: list[float] = []
        start = time.perf_counter()
        while len(times) < max_count:
            spent = time.perf_counter() - start
            if len(times) >= min_count and spent >= seconds:
                break
            if self.device.type == "cuda":
                chunk = max(min_count - len(times), math.ceil((seconds - spent) / per_sample), 1)
                chunk = min(chunk, 100, max_count - len(times))
            else:
                chunk = 1
            times += self.sample(chunk)
        return times

    def host_and_latency(self, estimate: float) -> tuple[float, float]:
        """Host time to issue one call (N calls queued without a sync, / N) and one isolated call's latency."""
        calls = max(2, min(50, int(0.02 / estimate)))
        host = []
        for _ in range(3):
            synchronize(self.device)
            t0 = time.perf_counter()
            for _ in range(calls):
                self.fn()
            host.append((time.perf_counter() - t0) / calls)
            synchronize(self.device)
        return statistics.median(host), statistics.median(self.isolated_calls(3))

    def method(self, reps: int) -> str:
        """How the samples were taken, in one line of the reader's language."""
        if self.device.type == "cuda":
            how = tr("CUDA events around each call, calls queued back to back with no host synchronisation")
        elif self.batch > 1:
            how = tr("time.perf_counter around batches of {batch} back-to-back calls", batch=self.batch)
        else:
            how = tr("time.perf_counter around each call")
        if self.buffer is not None:
            return tr("{how}; {mib} MiB written before each sample to flush the cache; median of {reps} samples",
                      how=how, mib=self.buffer.numel() * 4 // 2**20, reps=reps)
        return tr("{how}; median of {reps} samples", how=how, reps=reps)


def time_calls(call: Callable[[], Any], device: torch.device, *, label: str, flush: bool, warmup: int = 3,
               warmup_time: float = 0.1, min_reps: int = 5, max_reps: int = 1000, min_time: float = 0.2,
               host_time: bool = True, tensors: Sequence[torch.Tensor] = (), nbytes: float | None = None,
               flops: float | None = None, copy_bandwidth: float | None = None) -> BenchResult:
    """Warm ``call`` up, sample it for ``min_time`` seconds, and return the samples as a :class:`BenchResult`.

    The arguments are already checked (see :func:`ffn_lib.timing.benchmark`); ``tensors`` are
    the call's tensor arguments, recorded for their dtype and shapes.
    """
    sampler = _Sampler(call, device, flush)
    sampler.warm(warmup, warmup_time)
    estimate = sampler.calibrate()
    times = sampler.sample_for(min_time, min_reps, max_reps, estimate)
    host, latency = sampler.host_and_latency(estimate) if host_time else (None, None)
    return BenchResult(
        label=label,
        times_s=times,
        device=str(device),
        device_name=device_name(device),
        dtype=str(tensors[0].dtype).replace("torch.", "") if tensors else None,
        shapes=[list(t.shape) for t in tensors],
        nbytes=nbytes,
        flops=flops,
        copy_bandwidth=copy_bandwidth or None,
        method=sampler.method(len(times)),
        calls_per_sample=sampler.batch,
        cache_flushed=flush,
        host_time_s=host,
        latency_s=latency,
    )
