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


#: A pass within this factor of its bytes' time at the copy's speed streams at about memory speed; two
#: measurements of the same traffic further apart than this disagree (on a shared CPU, noise).
TOLERANCE = 1.2
#: The step timed whole and its passes timed alone measure the same traffic: their shares of the copy's speed must
#: agree within this factor before the passes may explain the step (at 1.2, a step at 99% of the copy read beside
#: passes adding up to 85% was explained by a SiLU "held up by its arithmetic": the two readings contradicted).
AGREEMENT = 1.1


def _pass_verdict(passes: PassTimes) -> str:
    """Each pass classified on its own: at about memory speed, or slower than its bytes (and by how much)."""
    fields = dict(silu_ratio=f"{passes.silu_over_memory:.1f}", mul_ratio=f"{passes.mul_over_memory:.1f}")
    silu_fast, mul_fast = passes.silu_over_memory <= TOLERANCE, passes.mul_over_memory <= TOLERANCE
    if silu_fast and mul_fast:
        return tr("Both passes stream at about memory speed, so memory traffic sets the step's time here.")
    if mul_fast:
        return tr("The multiply streams at about memory speed, while SiLU takes {silu_ratio}× its bytes' time: it is "
                  "held up by its exponential's arithmetic, which this CPU's vector units on so few threads do not "
                  "hide behind the memory traffic. A GPU has far more arithmetic per byte to spare: the recorded GPU "
                  "run above finds the same step memory-bound there.", **fields)
    if silu_fast:
        return tr("SiLU streams at about memory speed, while the multiply takes {mul_ratio}× its bytes' time; a "
                  "multiply does one operation per element, so what holds it up is not arithmetic, and this run "
                  "cannot say what it is (on a shared machine, possibly other work running at the same time).", **fields)
    return tr("Neither pass streams at the copy's speed (SiLU takes {silu_ratio}× its bytes' time, the multiply "
              "{mul_ratio}×), so memory traffic alone does not set the step's time on this machine.", **fields)


def step_against_product(step_s: float, step_rows: int, product_s: float, product_rows: int,
                         passes: PassTimes, *, step_share: float | None = None) -> str:
    """The sentence that explains the eager step's time next to the product's, from the numbers.

    Per row (token) the two compare like for like; the passes timed alone say which one holds the step up,
    each classified on its own (within :data:`TOLERANCE` of its bytes' time at the copy's speed, or slower).
    ``step_share``, the whole step's share of the copy bandwidth measured for the roofline, is checked against
    the share its passes add up to, ``memory_time(5) / (silu + mul)``, and both are printed: if the two disagree
    by more than :data:`AGREEMENT`, the run is too noisy to say what sets the step's time, and the sentence says so.
    """
    if step_share is not None and step_share <= 0:
        raise ValueError(f"step_share must be positive; got {step_share}.")
    per_step, per_product = step_s / step_rows, product_s / product_rows
    rows = tr("The two times above are not like for like: the activation step ran on {step_rows} rows, enough to "
              "leave the cache, the product on {product_rows}.", step_rows=f"{step_rows:,}",
              product_rows=f"{product_rows:,}")
    per_row = tr("Per row, the step took {per_step} and the product {per_product} ({ratio}× the product's).",
                 per_step=format_time(per_step), per_product=format_time(per_product),
                 ratio=f"{per_step / per_product:.2f}")
    fields = dict(threads=passes.threads, silu=format_time(passes.silu_s), silu_ratio=f"{passes.silu_over_memory:.1f}",
                  mul=format_time(passes.mul_s), mul_ratio=f"{passes.mul_over_memory:.1f}")
    alone = ntr("Timed alone on the same tensors with {threads} thread, the SiLU pass took {silu}, {silu_ratio}× "
                "what its two tensors take at the copy's speed, and the multiply {mul}, {mul_ratio}× its three "
                "tensors' time.",
                "Timed alone on the same tensors with {threads} threads, the SiLU pass took {silu}, {silu_ratio}× "
                "what its two tensors take at the copy's speed, and the multiply {mul}, {mul_ratio}× its three "
                "tensors' time.", passes.threads, **fields)
    if step_share is not None:
        pass_share = passes.memory_time(5) / (passes.silu_s + passes.mul_s)
        disagree = max(pass_share, step_share) / min(pass_share, step_share)
        shares = dict(pass_share=f"{pass_share:.0%}", step_share=f"{step_share:.0%}", ratio=f"{disagree:.2f}",
                      tolerance=f"{AGREEMENT - 1:.0%}")
        if disagree > AGREEMENT:
            return _sentences(rows, per_row, alone, tr(
                "The two passes add up to {pass_share} of the copy's speed, while the step timed whole ran at "
                "{step_share}: two measurements of the same traffic that disagree by {ratio}×, more than the {tolerance} "
                "this page allows for noise. On a shared machine that is noise, so this run cannot tell what sets "
                "the step's time.", **shares))
        return _sentences(rows, per_row, alone, tr(
            "The two passes add up to {pass_share} of the copy's speed and the step timed whole ran at {step_share}, "
            "within the {tolerance} this page allows for noise, so the passes may explain the step.", **shares),
            _pass_verdict(passes))
    return _sentences(rows, per_row, alone, _pass_verdict(passes))


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
                        "regime: the recorded GPU run above shows it."))
    elif share >= 0.7:
        parts.append(tr("It runs near the memory roof in total: the mark of a memory-bound step, where only moving "
                        "fewer bytes makes it much faster; a total near the roof can still hide one pass that is "
                        "slower than its bytes, which the passes timed one by one below show."))
    else:
        parts.append(tr("That is well below the memory roof: either something other than memory traffic sets its "
                        "time on this machine, or the measurement is noisy; the roofline says only that it cannot run "
                        "faster than the roof, and the passes timed one by one below tell the two apart where they can. "
                        "On a GPU, the recorded run above shows the same step memory-bound."))
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
