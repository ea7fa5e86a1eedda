"""Timing that can be trusted, and the roofline that says how good a time is.

Timing a GPU op naively measures the wrong thing: kernels launch asynchronously
(the Python call returns before the GPU has finished), the first calls pay for
compilation and allocation, and one measurement is noise. :func:`benchmark`
does what a careful person does by hand:

1. warm up (compile, allocate, fill caches) for ``warmup`` calls and at least
   ``warmup_time`` seconds, so a cold start does not land in the measurement;
2. synchronise the device before and after;
3. on CUDA, time each repetition with CUDA events on the GPU's own clock;
   elsewhere with ``time.perf_counter``;
4. repeat until ``min_time`` seconds are spent (at least ``min_reps`` times)
   and report the median and the quartiles, not the mean.

With the bytes an op must move and the FLOPs it must do (``ffn_lib.sizing``), a
result also reports achieved bandwidth and FLOP rate, and the share of the copy
bandwidth measured on the same device in the same process by
:func:`measure_copy_bandwidth`: "57% of what this GPU's memory can do".

The roofline model (Williams, Waterman & Patterson 2009): an op that does F
FLOPs while moving B bytes has arithmetic intensity I = F / B and can run no
faster than min(peak FLOP rate, I * memory bandwidth).
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import torch

from ._checks import positive_int, positive_number

DEVICE_ENV = "FFN_LIB_DEVICE"


# --- Devices ------------------------------------------------------------------------------------


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def pick_device(prefer: str | None = None, *, verbose: bool = True) -> torch.device:
    """CUDA if present, else Apple's MPS, else the CPU.

    ``prefer`` (or the environment variable ``FFN_LIB_DEVICE``, e.g. ``cpu``)
    overrides the choice; asking for a device that is not there is an error.
    """
    wanted = prefer if prefer is not None else os.environ.get(DEVICE_ENV) or None
    source = "prefer" if prefer is not None else DEVICE_ENV
    if wanted is None:
        device = torch.device("cuda" if torch.cuda.is_available() else "mps" if _mps_available() else "cpu")
    else:
        try:
            device = torch.device(wanted)
        except (RuntimeError, TypeError):
            raise ValueError(f"{source}={wanted!r} is not a device name (try 'cpu', 'cuda', 'cuda:1', 'mps').") from None
        available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": _mps_available()}
        if not available.get(device.type, False):
            raise ValueError(f"{source}={wanted!r} asks for {device.type}, which this machine does not have.")
    if verbose:
        print(f"ffn_lib: timing on {device_name(device)} ({device}); set {DEVICE_ENV} to choose another device.")
    return device


def device_name(device: torch.device | str) -> str:
    """A human-readable name: the GPU model, or the CPU model and core count."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores (CPU)"


def synchronize(device: torch.device) -> None:
    """Wait until every queued kernel on ``device`` has finished."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


# --- Results ------------------------------------------------------------------------------------


@dataclass
class BenchResult:
    """Times of one benchmarked callable, and what they mean."""

    label: str
    times_s: list[float]
    device: str
    device_name: str
    dtype: str | None = None
    shapes: list[list[int]] = field(default_factory=list)
    nbytes: float | None = None
    flops: float | None = None
    copy_bandwidth: float | None = None  # bytes/s measured by measure_copy_bandwidth

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
        return text

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(median_s=self.median_s, quartiles_s=list(self.quartiles_s), bandwidth=self.bandwidth,
                 flop_rate=self.flop_rate, copy_share=self.copy_share)
        return d


def format_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_rate(value: float, unit: str) -> str:
    for prefix, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


# --- The benchmark ---------------------------------------------------------------------------------


def _tensors(args: tuple, kwargs: dict) -> list[torch.Tensor]:
    return [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]


def benchmark(fn: Callable[..., Any], *args: Any, label: str | None = None, device: torch.device | str | None = None,
              warmup: int = 3, warmup_time: float = 0.1, min_reps: int = 5, max_reps: int = 1000,
              min_time: float = 0.2,
              nbytes: float | None = None, flops: float | None = None,
              copy_bandwidth: float | bool | None = None, **kwargs: Any) -> BenchResult:
    """Time ``fn(*args, **kwargs)``: warm-up, synchronisation, repetitions, median.

    ``nbytes`` / ``flops``: the traffic and work one call must do (see
    :mod:`ffn_lib.sizing`), to report GB/s and TFLOP/s. ``copy_bandwidth``: a
    measured copy bandwidth in bytes/s to compare with; ``True`` measures it now
    on the same device (cached per device for the process).
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}.")
    warmup = positive_int(warmup, "warmup") if warmup else 0
    min_reps, max_reps = positive_int(min_reps, "min_reps"), positive_int(max_reps, "max_reps")
    if max_reps < min_reps:
        raise ValueError(f"max_reps ({max_reps}) must be at least min_reps ({min_reps}).")
    min_time = positive_number(min_time, "min_time")
    tensors = _tensors(args, kwargs)
    if device is None:
        device = tensors[0].device if tensors else torch.device("cpu")
    device = torch.device(device)

    start_warmup, done = time.perf_counter(), 0
    while done < warmup or (warmup and time.perf_counter() - start_warmup < warmup_time):
        fn(*args, **kwargs)
        done += 1
    synchronize(device)

    times: list[float] = []
    spent, start_all = 0.0, time.perf_counter()
    while len(times) < min_reps or (spent < min_time and len(times) < max_reps):
        times.append(_time_once(fn, args, kwargs, device))
        spent = time.perf_counter() - start_all

    if copy_bandwidth is True:
        copy_bandwidth = measure_copy_bandwidth(device)
    return BenchResult(
        label=label or getattr(fn, "__name__", "fn"),
        times_s=times,
        device=str(device),
        device_name=device_name(device),
        dtype=str(tensors[0].dtype).replace("torch.", "") if tensors else None,
        shapes=[list(t.shape) for t in tensors],
        nbytes=nbytes,
        flops=flops,
        copy_bandwidth=copy_bandwidth or None,
    )


def _time_once(fn: Callable, args: tuple, kwargs: dict, device: torch.device) -> float:
    if device.type == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn(*args, **kwargs)
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3
    synchronize(device)
    t0 = time.perf_counter()
    fn(*args, **kwargs)
    synchronize(device)
    return time.perf_counter() - t0


# --- Hardware ceilings ----------------------------------------------------------------------------

_COPY_CACHE: dict[str, float] = {}


def measure_copy_bandwidth(device: torch.device | str | None = None, nbytes: int | None = None) -> float:
    """Bytes per second of ``dst.copy_(src)`` on ``device``, counting the read and the write.

    This is the ceiling an elementwise op can hope for on that device. Defaults:
    512 MiB on CUDA (far beyond any L2 cache), 64 MiB elsewhere. Cached per
    device and size for the life of the process.
    """
    device = torch.device(device) if device is not None else torch.device("cpu")
    if nbytes is None:
        nbytes = (512 if device.type == "cuda" else 64) * 2**20
    nbytes = positive_int(nbytes, "nbytes")
    key = f"{device}:{nbytes}"
    if key not in _COPY_CACHE:
        src = torch.ones(nbytes // 4, dtype=torch.float32, device=device)
        dst = torch.empty_like(src)
        result = benchmark(dst.copy_, src, label="copy", device=device, min_time=0.3)
        _COPY_CACHE[key] = 2 * src.numel() * 4 / result.median_s
    return _COPY_CACHE[key]


def measure_matmul_rate(device: torch.device | str | None = None, dtype: torch.dtype = torch.float32,
                        n: int | None = None) -> float:
    """FLOP/s of an n x n by n x n matrix product on ``device`` (2 n^3 FLOPs)."""
    device = torch.device(device) if device is not None else torch.device("cpu")
    n = positive_int(n if n is not None else (8192 if device.type == "cuda" else 1024), "n")
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    result = benchmark(torch.matmul, a, b, label="matmul", device=device, min_time=0.3)
    return 2 * n**3 / result.median_s


def roofline_time(flops: float, nbytes: float, peak_flop_rate: float, bandwidth: float) -> float:
    """The least time the roofline allows: max(flops / peak, bytes / bandwidth)."""
    for value, name in ((peak_flop_rate, "peak_flop_rate"), (bandwidth, "bandwidth")):
        positive_number(value, name)
    return max(flops / peak_flop_rate, nbytes / bandwidth)


def attainable_flop_rate(intensity: float, peak_flop_rate: float, bandwidth: float) -> float:
    """The roofline: min(peak FLOP/s, intensity * bandwidth)."""
    positive_number(peak_flop_rate, "peak_flop_rate")
    positive_number(bandwidth, "bandwidth")
    return min(peak_flop_rate, intensity * bandwidth)


def ridge_point(peak_flop_rate: float, bandwidth: float) -> float:
    """The intensity (FLOP/byte) where an op stops being memory-bound: peak / bandwidth."""
    return positive_number(peak_flop_rate, "peak_flop_rate") / positive_number(bandwidth, "bandwidth")
