"""Timing that can be trusted, and the roofline that says how good a time is.

Timing a GPU op naively measures the wrong thing: kernels launch asynchronously
(the Python call returns before the GPU has finished), the first calls pay for
compilation and allocation, small tensors stay in the cache between calls, and
one measurement is noise. :func:`benchmark` times the standard way, as
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

:func:`compare` times several variants interleaved (round-robin over rounds), so
that drift of the machine hits all alike, and writes the comparative sentence
from the numbers.

With the bytes an op must move and the FLOPs it must do (``ffn_lib.sizing``), a
result also reports achieved bandwidth and FLOP rate, and the share of the copy
bandwidth measured on the same device in the same process by
:func:`measure_copy_bandwidth`: "57% of what this GPU's memory can do".

The roofline model (Williams, Waterman & Patterson 2009): an op that does F
FLOPs while moving B bytes has arithmetic intensity I = F / B and can run no
faster than min(peak FLOP rate, I * memory bandwidth).
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping

import torch

from ._checks import positive_int, positive_number
from .formatting import format_rate, format_time, time_unit  # noqa: F401 (re-exported)
from .devices import DEVICE_ENV, _where, cache_bytes, device_name, pick_device, synchronize  # noqa: F401 (re-exported)



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


# --- The benchmark ---------------------------------------------------------------------------------

CUDA_FLUSH_BYTES = 256 * 2**20  # what triton.testing.do_bench writes between calls; far beyond any L2
CPU_SAMPLE_TIME = 1e-3  # on the CPU a sample is a batch of calls lasting at least this long
_FLUSH_BUFFERS: dict[str, torch.Tensor] = {}


def _tensors(args: tuple, kwargs: dict) -> list[torch.Tensor]:
    return [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]


def _resolve_device(device: torch.device | str | None, tensors: list[torch.Tensor], what: str) -> torch.device:
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

    def calibrate(self) -> float:
        """Estimate the time of one call (a few isolated calls) and choose the batch size; returns the estimate."""
        times = []
        for _ in range(3):
            synchronize(self.device)
            t0 = time.perf_counter()
            self.fn()
            synchronize(self.device)
            times.append(time.perf_counter() - t0)
        estimate = max(min(times), 1e-9)
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
        latency = []
        for _ in range(3):
            synchronize(self.device)
            t0 = time.perf_counter()
            self.fn()
            synchronize(self.device)
            latency.append(time.perf_counter() - t0)
        return statistics.median(host), statistics.median(latency)

    def method(self, reps: int) -> str:
        if self.device.type == "cuda":
            how = "CUDA events around each call, calls queued back to back with no host synchronisation"
        else:
            how = ("time.perf_counter around " + (f"batches of {self.batch} back-to-back calls" if self.batch > 1
                                                  else "each call"))
        if self.buffer is not None:
            how += f"; {self.buffer.numel() * 4 // 2**20} MiB written before each sample to flush the cache"
        return f"{how}; median of {reps} samples"


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
    on the same device (cached per device for the process). ``flush_cache``:
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
    tensors = _tensors(args, kwargs)
    device = _resolve_device(device, tensors, "benchmark")
    flush = device.type == "cuda" if flush_cache is None else bool(flush_cache)

    sampler = _Sampler(lambda: fn(*args, **kwargs), device, flush)
    sampler.warm(warmup, warmup_time)
    estimate = sampler.calibrate()
    times = sampler.sample_for(min_time, min_reps, max_reps, estimate)
    host, latency = sampler.host_and_latency(estimate) if host_time else (None, None)

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
        method=sampler.method(len(times)),
        calls_per_sample=sampler.batch,
        cache_flushed=flush,
        host_time_s=host,
        latency_s=latency,
    )


# --- Comparing variants, interleaved ----------------------------------------------------------------


def _per_name(value: float | Mapping[str, float] | None, names: list[str], what: str) -> dict[str, float | None]:
    if value is None or isinstance(value, (int, float)):
        return {n: value for n in names}
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a number, a dict name -> number, or None; got {type(value).__name__}.")
    unknown = set(value) - set(names)
    if unknown:
        raise ValueError(f"{what} names {sorted(unknown)}, which are not among the variants {names}.")
    return {n: value.get(n) for n in names}


@dataclass
class Comparison:
    """Several variants timed interleaved on one device: a table, a figure, a ratio and a sentence."""

    results: dict[str, BenchResult]
    device: str
    device_name: str
    rounds: int = 1

    def _get(self, name: str) -> BenchResult:
        if name not in self.results:
            raise KeyError(f"{name!r} is not one of the compared variants: {list(self.results)}.")
        return self.results[name]

    def ratio(self, a: str, b: str) -> float:
        """Median time of ``a`` over median time of ``b``."""
        return self._get(a).median_s / self._get(b).median_s

    def ratio_range(self, a: str, b: str) -> tuple[float, float]:
        """The ratios the two middle halves allow: from q1(a) / q3(b) to q3(a) / q1(b)."""
        (a1, a3), (b1, b3) = self._get(a).quartiles_s, self._get(b).quartiles_s
        return a1 / b3, a3 / b1

    def distinguishable(self, a: str, b: str) -> bool:
        """Whether the middle halves of the two distributions do not overlap."""
        (a1, a3), (b1, b3) = self._get(a).quartiles_s, self._get(b).quartiles_s
        return a1 > b3 or b1 > a3

    def sentence(self, a: str, b: str) -> str:
        """One English sentence comparing ``a`` with ``b``, generated from the measured numbers."""
        lo, hi = self.ratio_range(a, b)
        machine = self.device_name.replace(" (CPU)", ", CPU")
        text = (f"On this machine ({machine}) {a} took {self.ratio(a, b):.2f}× as long as {b} "
                f"(middle halves {lo:.2f}-{hi:.2f}×)")
        if not self.distinguishable(a, b):
            return text + ", but the difference is within the run-to-run spread, so this run cannot tell them apart."
        return text + "."

    def rows(self) -> list[dict[str, str]]:
        rows = []
        for name, r in self.results.items():
            q1, q3 = r.quartiles_s
            row = {"variant": name, "median": format_time(r.median_s),
                   "middle half": f"{format_time(q1)} to {format_time(q3)}"}
            if any(x.bandwidth is not None for x in self.results.values()):
                row["bandwidth"] = format_rate(r.bandwidth, "B/s") if r.bandwidth is not None else "–"
            if any(x.copy_share is not None for x in self.results.values()):
                row["share of copy"] = f"{r.copy_share:.0%}" if r.copy_share is not None else "–"
            if any(x.flop_rate is not None for x in self.results.values()):
                row["FLOP/s"] = format_rate(r.flop_rate, "FLOP/s") if r.flop_rate is not None else "–"
            rows.append(row)
        return rows

    def caption(self) -> str:
        first = next(iter(self.results.values()))
        text = f"Timed on {_where(self.device, self.device_name)}, interleaved over {self.rounds} rounds; {first.method.split(';')[0]}."
        over = [n for n, r in self.results.items() if r.copy_share is not None and r.copy_share > 1]
        if over and not first.cache_flushed:
            text += (f" A share of copy above 100% ({', '.join(over)}) means that part of the data stayed in the "
                     "cache between calls: the copy reference is measured on a working set larger than the cache, "
                     "from memory, and the cache was not flushed between these calls.")
        return text

    def _repr_markdown_(self) -> str:
        rows = self.rows()
        head = list(rows[0])
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" if h == "variant" else "---:" for h in head) + "|"]
        lines += ["| " + " | ".join(row[h] for h in head) + " |" for row in rows]
        return f"{self.caption()}\n\n" + "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        import html

        rows = self.rows()
        head = list(rows[0])
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(row[h])}</td>" for h in head) + "</tr>" for row in rows)
        return (f"<p>{html.escape(self.caption())}</p>"
                f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>")

    def __str__(self) -> str:
        return "\n".join(r.summary() for r in self.results.values())

    def figure(self, ax=None):
        """Every variant's samples (dots), median (bar) and middle half (thick line), in one unit."""
        import matplotlib.pyplot as plt
        import numpy as np

        from .plotting import COLORS, use_style

        use_style()
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 0.6 + 0.55 * len(self.results)), layout="constrained")
        else:
            fig = ax.figure
        scale, unit = time_unit(max(r.median_s for r in self.results.values()))
        rng = np.random.default_rng(0)
        for i, (name, r) in enumerate(self.results.items()):
            color = COLORS[i % len(COLORS)]
            samples = np.asarray(r.times_s) / scale
            ax.scatter(samples, i + rng.uniform(-0.15, 0.15, samples.size), s=6, color=color, alpha=0.35, lw=0)
            q1, q3 = (q / scale for q in r.quartiles_s)
            ax.plot([q1, q3], [i, i], color=color, lw=6, solid_capstyle="butt")
            ax.plot([r.median_s / scale] * 2, [i - 0.3, i + 0.3], color="0.1", lw=2)
        ax.set_yticks(range(len(self.results)), list(self.results))
        ax.invert_yaxis()
        p95 = max(float(np.percentile(r.times_s, 95)) for r in self.results.values())
        ax.set_xlim(0, 1.25 * p95 / scale)  # the rare slow outlier beyond this would squash the rest
        ax.set(xlabel=f"time per call ({unit}); dots: samples, thick: middle half, bar: median",
               title=f"Interleaved timing on {self.device_name}")
        plt.close(fig)  # shown once, as the cell's value
        return fig


_COPY = "\x00copy"  # the hidden copy-reference variant of compare()


def compare(fns: Mapping[str, Callable[[], Any]], *, device: torch.device | str,
            nbytes: float | Mapping[str, float] | None = None, flops: float | Mapping[str, float] | None = None,
            rounds: int = 10, min_time: float = 0.5, warmup: int = 3, warmup_time: float = 0.05,
            copy_bandwidth: float | bool | None = None, flush_cache: bool | None = None) -> Comparison:
    """Time several zero-argument callables interleaved, so that drift hits all alike.

    Each variant is warmed up first; then ``rounds`` rounds visit every variant in
    turn (starting one further along each round), each taking about
    ``min_time / rounds`` seconds of samples. ``nbytes`` / ``flops``: one number
    for all, or a dict name -> number. ``copy_bandwidth`` defaults to measuring it
    when ``nbytes`` is given, as one more variant of the same interleaved rounds
    (a ``dst.copy_(src)`` of :func:`default_copy_bytes`), so that the share of copy
    bandwidth compares two numbers taken under the same conditions.
    """
    if not isinstance(fns, Mapping) or not fns:
        raise ValueError("fns must be a non-empty dict name -> zero-argument callable.")
    for name, fn in fns.items():
        if not callable(fn):
            raise TypeError(f"fns[{name!r}] must be callable, got {type(fn).__name__}.")
    if device is None:
        raise ValueError("compare: device is required (the callables take no arguments to infer it from).")
    device = _resolve_device(device, [], "compare")
    rounds = positive_int(rounds, "rounds")
    min_time = positive_number(min_time, "min_time")
    names = list(fns)
    bytes_by, flops_by = _per_name(nbytes, names, "nbytes"), _per_name(flops, names, "flops")
    flush = device.type == "cuda" if flush_cache is None else bool(flush_cache)

    if copy_bandwidth is None:
        copy_bandwidth = any(v is not None for v in bytes_by.values())
    samplers = {n: _Sampler(fns[n], device, flush) for n in names}
    copy_traffic = None
    if copy_bandwidth is True:  # the copy reference runs in the same rounds, so drift hits it alike
        src = torch.ones(default_copy_bytes(device) // 8, dtype=torch.float32, device=device)
        dst = torch.empty_like(src)
        copy_traffic = 2 * src.numel() * 4  # read and write
        samplers[_COPY] = _Sampler(lambda: dst.copy_(src), device, False)
    order = list(samplers)
    estimates = {}
    for name, sampler in samplers.items():
        sampler.warm(warmup, warmup_time)
        estimates[name] = sampler.calibrate()
    times: dict[str, list[float]] = {n: [] for n in order}
    for r in range(rounds):
        for name in order[r % len(order):] + order[:r % len(order)]:
            times[name] += samplers[name].sample_for(min_time / rounds, 1, 10_000, estimates[name])

    if copy_traffic is not None:
        bw = copy_traffic / statistics.median(times.pop(_COPY))
        del src, dst
    else:
        bw = copy_bandwidth or None
    results = {
        n: BenchResult(label=n, times_s=times[n], device=str(device), device_name=device_name(device),
                       nbytes=bytes_by[n], flops=flops_by[n], copy_bandwidth=bw,
                       method=samplers[n].method(len(times[n])) + f", interleaved over {rounds} rounds",
                       calls_per_sample=samplers[n].batch, cache_flushed=flush)
        for n in names
    }
    return Comparison(results=results, device=str(device), device_name=device_name(device), rounds=rounds)


# --- Hardware ceilings ----------------------------------------------------------------------------

_COPY_CACHE: dict[str, BenchResult] = {}


def default_copy_bytes(device: torch.device | str) -> int:
    """Working set of the copy reference: 2 GiB on CUDA; elsewhere 4x the last-level cache, at least 64 MiB."""
    device = torch.device(device)
    if device.type == "cuda":
        return 2 * 2**30
    return max(64 * 2**20, 4 * (cache_bytes(device) or 0))


def measure_copy(device: torch.device | str, nbytes: int | None = None) -> BenchResult:
    """``dst.copy_(src)`` benchmarked; ``nbytes`` is the working set (source plus destination), and
    the result's ``nbytes`` the traffic of one copy (read plus write). Cached per device and size."""
    device = torch.device(device)
    nbytes = positive_int(nbytes if nbytes is not None else default_copy_bytes(device), "nbytes")
    key = f"{device}:{nbytes}"
    if key not in _COPY_CACHE:
        src = torch.ones(nbytes // 8, dtype=torch.float32, device=device)
        dst = torch.empty_like(src)
        _COPY_CACHE[key] = benchmark(dst.copy_, src, label="copy", device=device, min_time=0.3, flush_cache=False,
                                     host_time=False, nbytes=2 * src.numel() * 4)
        del src, dst
    return _COPY_CACHE[key]


def measure_copy_bandwidth(device: torch.device | str | None = None, nbytes: int | None = None) -> float:
    """Bytes per second of ``dst.copy_(src)`` on ``device``, counting the read and the write.

    This is the ceiling an elementwise op can hope for on that device. ``nbytes``
    is the working set (source plus destination); default 2 GiB on CUDA, far
    beyond any L2 cache, and on the CPU 4x the last-level cache (at least 64
    MiB). Cached per device and size for the life of the process.
    """
    result = measure_copy(torch.device(device) if device is not None else torch.device("cpu"), nbytes)
    return result.bandwidth


def measure_matmul(device: torch.device | str | None = None, dtype: torch.dtype = torch.float32,
                   m: int | None = None, k: int | None = None, n: int | None = None, *,
                   label: str | None = None, min_time: float = 0.3) -> BenchResult:
    """``(m x k) @ (k x n)`` benchmarked with its 2 m k n FLOPs; square ``n`` x ``n`` when m and k are omitted."""
    device = torch.device(device) if device is not None else torch.device("cpu")
    n = positive_int(n if n is not None else (8192 if device.type == "cuda" else 1024), "n")
    m = positive_int(m if m is not None else n, "m")
    k = positive_int(k if k is not None else n, "k")
    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(m, k, generator=gen, device=device).to(dtype)
    b = torch.randn(k, n, generator=gen, device=device).to(dtype)
    return benchmark(torch.matmul, a, b, label=label or f"matmul {m}x{k} @ {k}x{n}", device=device,
                     min_time=min_time, flops=2 * m * k * n, host_time=False)


def measure_matmul_rate(device: torch.device | str | None = None, dtype: torch.dtype = torch.float32,
                        m: int | None = None, k: int | None = None, n: int | None = None) -> float:
    """FLOP/s of an (m x k) @ (k x n) matrix product on ``device`` in ``dtype`` (2 m k n FLOPs).

    Square n x n x n when only ``n`` is given (default 8192 on CUDA, 1024 elsewhere).
    """
    return measure_matmul(device, dtype, m, k, n).flop_rate


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
