"""Reading a roofline measured on the machine running the page: sentences generated from its numbers.

:func:`roofline_verdict`: where the eager activation step and a matrix product sit against the two measured
roofs (Williams et al. 2009). :func:`eager_pass_times` and :func:`step_against_product`: why the eager step
is slow where it is slow, its two passes timed one by one against a copy.

Eager ``F.silu(g) * u`` is two kernels: SiLU reads g and writes s (2 tensors), the multiply reads s and u
and writes y (3 tensors). A copy of one tensor reads one and writes one (2 tensors). Timing each pass alone
on the same tensors says which one holds the step up, and whether memory or arithmetic sets its time:
a pass at about its tensor count times the copy's time per tensor is memory-bound; one well above it is
held up by its arithmetic (SiLU's exponential) on the threads it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Any

import torch

from .formatting import format_time
from .i18n import ntr, tr


@dataclass(frozen=True)
class PassTimes:
    """Median times of the eager step's passes and of a copy, on the same ``rows x cols`` tensors."""

    silu_s: float
    mul_s: float
    copy_s: float
    rows: int
    cols: int
    threads: int

    def memory_time(self, tensors: int) -> float:
        """A pass's time if it moved ``tensors`` tensors at the copy's speed (the copy moves 2)."""
        return self.copy_s * tensors / 2

    @property
    def silu_over_memory(self) -> float:
        """SiLU's time over what its 2 tensors would take at the copy's speed."""
        return self.silu_s / self.memory_time(2)

    @property
    def mul_over_memory(self) -> float:
        """The multiply's time over what its 3 tensors would take at the copy's speed."""
        return self.mul_s / self.memory_time(3)


def eager_pass_times(g: torch.Tensor, u: torch.Tensor, *, min_time: float = 0.2) -> PassTimes:
    """Time ``silu(g)``, ``s * u`` and a copy of ``g``, each alone, with preallocated outputs."""
    from .timing import benchmark

    if g.shape != u.shape or g.dim() != 2:
        raise ValueError(f"g and u must be 2-D tensors of one shape; got g {tuple(g.shape)}, u {tuple(u.shape)}.")
    s, y = torch.empty_like(g), torch.empty_like(g)
    kw = dict(device=g.device, min_time=min_time, host_time=False)
    silu = benchmark(lambda: torch.ops.aten.silu.out(g, out=s), **kw)
    mul = benchmark(lambda: torch.mul(s, u, out=y), **kw)
    copy = benchmark(lambda: y.copy_(g), **kw)
    return PassTimes(silu.median_s, mul.median_s, copy.median_s, g.shape[0], g.shape[1], torch.get_num_threads())


def _sentences(*sentences: str) -> str:
    """Whole sentences one after the other (English puts a space between them, Chinese none)."""
    return reduce(lambda a, b: tr("{sentence} {next_sentence}", sentence=a, next_sentence=b),
                  [s for s in sentences if s])


def step_against_product(step_s: float, step_rows: int, product_s: float, product_rows: int,
                         passes: PassTimes) -> str:
    """The sentence that explains the eager step's time next to the product's, from the numbers.

    Per row (token) the two compare like for like; the passes timed alone say which one holds the step up.
    """
    per_step, per_product = step_s / step_rows, product_s / product_rows
    rows = tr("The two times above are not like for like: the activation step ran on {step_rows} rows, enough to "
              "leave the cache, the product on {product_rows}.", step_rows=f"{step_rows:,}",
              product_rows=f"{product_rows:,}")
    per_row = tr("Per row, the step took {per_step} and the product {per_product} ({ratio}× the product's).",
                 per_step=format_time(per_step), per_product=format_time(per_product),
                 ratio=f"{per_step / per_product:.2f}")
    fields = dict(threads=passes.threads, silu=format_time(passes.silu_s), silu_ratio=f"{passes.silu_over_memory:.1f}",
                  mul=format_time(passes.mul_s), mul_ratio=f"{passes.mul_over_memory:.1f}")
    n = passes.threads
    if passes.silu_over_memory > 1.3 and passes.silu_over_memory > passes.mul_over_memory * 1.2:
        alone = ntr("Timed alone on the same tensors with {threads} thread, the SiLU pass took {silu}, {silu_ratio}× "
                    "what its two tensors take at the copy's speed, and the multiply {mul}, {mul_ratio}× its three "
                    "tensors' time: the multiply streams at about memory speed, while SiLU is held up by its "
                    "exponential's arithmetic, which this CPU's vector units on so few threads do not hide behind the "
                    "memory traffic.",
                    "Timed alone on the same tensors with {threads} threads, the SiLU pass took {silu}, {silu_ratio}× "
                    "what its two tensors take at the copy's speed, and the multiply {mul}, {mul_ratio}× its three "
                    "tensors' time: the multiply streams at about memory speed, while SiLU is held up by its "
                    "exponential's arithmetic, which this CPU's vector units on so few threads do not hide behind the "
                    "memory traffic.", n, **fields)
        return _sentences(rows, per_row, alone, tr("A GPU has far more arithmetic per byte to spare: chapter 7's "
                                                   "recorded run finds the same step memory-bound there."))
    if max(passes.silu_over_memory, passes.mul_over_memory) <= 1.3:
        alone = ntr("Timed alone on the same tensors with {threads} thread, the SiLU pass took {silu}, {silu_ratio}× "
                    "what its two tensors take at the copy's speed, and the multiply {mul}, {mul_ratio}× its three "
                    "tensors' time: both stream at about memory speed, so memory traffic sets the step's time here.",
                    "Timed alone on the same tensors with {threads} threads, the SiLU pass took {silu}, {silu_ratio}× "
                    "what its two tensors take at the copy's speed, and the multiply {mul}, {mul_ratio}× its three "
                    "tensors' time: both stream at about memory speed, so memory traffic sets the step's time here.",
                    n, **fields)
    else:
        alone = ntr("Timed alone on the same tensors with {threads} thread, the SiLU pass took {silu}, {silu_ratio}× "
                    "what its two tensors take at the copy's speed, and the multiply {mul}, {mul_ratio}× its three "
                    "tensors' time: neither pass streams at the copy's speed here, so memory traffic alone does not "
                    "set the step's time on this machine.",
                    "Timed alone on the same tensors with {threads} threads, the SiLU pass took {silu}, {silu_ratio}× "
                    "what its two tensors take at the copy's speed, and the multiply {mul}, {mul_ratio}× its three "
                    "tensors' time: neither pass streams at the copy's speed here, so memory traffic alone does not "
                    "set the step's time on this machine.", n, **fields)
    return _sentences(rows, per_row, alone)


def _intensity(name: str, r: Any, ridge: float) -> str:
    """Where ``r`` (the activation step or the matrix product) sits against the ridge, and so which roof is its."""
    intensity = r.flops / r.nbytes
    fields = dict(intensity=f"{intensity:,.{2 if intensity < 10 else 0}f}", ridge=f"{ridge:.1f}")
    left = intensity < ridge
    if name == "step":
        return (tr("The activation step does {intensity} FLOP per byte, left of the ridge ({ridge}): its roof is the "
                   "memory bandwidth.", **fields) if left else
                tr("The activation step does {intensity} FLOP per byte, right of the ridge ({ridge}): its roof is the "
                   "matrix-product rate.", **fields))
    return (tr("The matrix product does {intensity} FLOP per byte, left of the ridge ({ridge}): its roof is the "
               "memory bandwidth.", **fields) if left else
            tr("The matrix product does {intensity} FLOP per byte, right of the ridge ({ridge}): its roof is the "
               "matrix-product rate.", **fields))


def roofline_verdict(step: Any, product: Any, *, peak_flop_rate: float, bandwidth: float) -> str:
    """What the measured roofline says about the eager step and the product, generated from the numbers.

    ``step`` and ``product`` are :class:`ffn_lib.timing.BenchResult` s with ``flops`` and ``nbytes``
    (``step`` also with ``copy_share``); ``peak_flop_rate`` and ``bandwidth`` the two measured ceilings.
    """
    share = step.copy_share
    parts = [tr("The eager activation step moved its five tensors at {share} of the copy bandwidth measured above.",
                share=f"{share:.0%}")]
    if share > 1.05:
        parts.append(tr("That is above the roof the copy measured, so here the two measurements do not compare "
                        "cleanly (a busy machine, or data served from a cache); this run cannot show the memory-bound "
                        "regime: chapter 7 reads the recorded GPU run."))
    elif share >= 0.7:
        parts.append(tr("It runs near the memory roof in total: the mark of a memory-bound step, where only moving "
                        "fewer bytes makes it much faster; a total near the roof can still hide one pass that is "
                        "slower than its bytes, which the passes timed one by one below show."))
    else:
        parts.append(tr("That is well below the memory roof, so on this machine memory traffic is not what sets its "
                        "time; the roofline says only that it cannot run faster than the roof. On a GPU, chapter 7's "
                        "recorded run shows the same step memory-bound."))
    ridge = peak_flop_rate / bandwidth
    parts += [_intensity("step", step, ridge), _intensity("product", product, ridge)]
    rate = product.flop_rate / peak_flop_rate
    if rate > 1.05:
        parts.append(tr("The matrix product ran at {rate} of the measured square-product rate: above that roof, which "
                        "is itself a measurement, of one square product; on a busy machine either measurement can be "
                        "off, so here the two do not compare cleanly.", rate=f"{rate:.0%}"))
    else:
        parts.append(tr("The matrix product ran at {rate} of the measured square-product rate.", rate=f"{rate:.0%}"))
    return _sentences(*parts)
