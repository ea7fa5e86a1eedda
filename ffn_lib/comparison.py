"""Comparing variants: several callables timed interleaved, and the sentence the numbers allow.

:func:`compare` times several variants interleaved (round-robin over rounds, so
that drift of the machine hits all alike), with the copy reference of
:mod:`ffn_lib.ceilings` sampled in the same rounds. The :class:`Comparison` it
returns writes the results out: a ratio with the range the middle halves allow,
whether the two are :meth:`~Comparison.distinguishable`, one English
:meth:`~Comparison.sentence` generated from the numbers, a Markdown or HTML
table with its caption, and a figure of every sample.
"""

from __future__ import annotations

import html
import numbers
import re
import statistics
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import torch

from ._checks import positive_int, positive_number
from .ceilings import default_copy_bytes
from .devices import _where, device_name
from .formatting import format_rate, format_ratio, format_time, time_unit
from .i18n import N_, join_sentences, sentence_gap, tr, translate_text
from .sampler import BenchResult, _Sampler, resolve_device


def _number(value: Any, what: str) -> float:
    """A real number, Python's or NumPy's (``np.int64(...)``, ``np.float32(...)``; not a bool), as int or float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}.")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _per_name(value: Any, names: list[str], what: str) -> dict[str, float | None]:
    """One number for all variants, or a dict name -> number, as a dict name -> float (or None)."""
    if value is None:
        return {n: None for n in names}
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return {n: _number(value, what) for n in names}
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a number, a dict name -> number, or None; got {type(value).__name__}.")
    unknown = set(value) - set(names)
    if unknown:
        raise ValueError(f"{what} names {sorted(unknown)}, which are not among the variants {names}.")
    return {n: None if value.get(n) is None else _number(value[n], f"{what}[{n!r}]") for n in names}


_PROSE_NAME = re.compile(r"[a-z]{2,}(?: [A-Za-z][A-Za-z'’-]*)*")


def _capitalised(text: str, name: str) -> str:
    """``text``, a sentence that begins with the variant ``name``, with a capital where the name is words in
    lower case ("the FFN block took ..." -> "The FFN block took ..."). A name that is code or a symbol stays as
    written: "x @ W1", "torch.compile", "act_mul", "relu(g)·u" (a lower-case start there is by design)."""
    if not (_PROSE_NAME.fullmatch(name) and text.startswith(name)):
        return text
    return text[0].upper() + text[1:]


NOISY_SPREAD = 0.25  # a middle half wider than this share of its median: the timing machine was busy
_BUSY = N_("Some of these samples spread widely: the machine was busy while it timed them. A difference smaller "
           "than that spread gives no verdict below; run the cell again when nothing else is running.")
_WITHHELD = N_("The table leaves out the rates: computed from these medians, they would be noise printed as "
               "measurements.")
_BUSY_ADVICE = N_("The machine was busy while it timed them: run the cell again when nothing else is running.")


@dataclass
class Comparison:
    """Several variants timed interleaved on one device: a table, a figure, a ratio and a sentence."""

    results: dict[str, BenchResult]
    device: str
    device_name: str
    rounds: int = 1
    withheld: str = ""  # why the table leaves out its rates (see times_only); "" when it shows them

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

    def spread(self, name: str) -> float:
        """The width of ``name``'s middle half as a share of its median: (q3 - q1) / median."""
        r = self._get(name)
        q1, q3 = r.quartiles_s
        return (q3 - q1) / r.median_s

    def too_noisy(self, a: str, b: str) -> str | None:
        """The noisier of ``a`` and ``b`` when its samples spread too widely for a verdict, else None.

        Too widely: its middle half is wider than :data:`NOISY_SPREAD` of its median (the machine was busy), and
        the gap between the two is not larger than that spread (the middle halves' ratios stay within a factor
        1 + spread of 1). A noisy "27× as long" is still a verdict; a noisy "0.60× as long" between two blocks of
        equal FLOPs is not."""
        noisier = max((a, b), key=self.spread)
        spread = self.spread(noisier)
        if spread <= NOISY_SPREAD:
            return None
        lo, hi = self.ratio_range(a, b)
        clearance = max(lo, 1 / hi)  # how far the ratio's middle-half range stays from 1, either way
        return None if clearance > 1 + spread else noisier

    def distinguishable(self, a: str, b: str) -> bool:
        """Whether the middle halves of the two distributions do not overlap, and neither spreads so widely
        (:meth:`too_noisy`) that the machine was evidently busy."""
        (a1, a3), (b1, b3) = self._get(a).quartiles_s, self._get(b).quartiles_s
        return (a1 > b3 or b1 > a3) and self.too_noisy(a, b) is None

    def machine(self) -> str:
        """The machine in words, as a sentence names it inside parentheses: "AMD EPYC, 2 cores, CPU", "NVIDIA H200"."""
        return _where(self.device, self.device_name, nested=True)

    def machine_sentence(self, *, advice: bool = True) -> str:
        """One sentence naming the machine, for a caller that states it once above several
        ``sentence(..., machine=False)``. Where some variant's samples spread more than :data:`NOISY_SPREAD`,
        ``advice`` puts the busy-machine advice first, once for all the sentences below."""
        said = tr("Measured on this machine ({machine}):", machine=self.machine())
        if advice and any(self.spread(n) > NOISY_SPREAD for n in self.results):
            return join_sentences([tr(_BUSY), said])
        return said

    def sentence(self, a: str, b: str, *, machine: bool = True) -> str:
        """One sentence comparing ``a`` with ``b``, generated from the measured numbers, in the reader's language.

        ``machine=False`` leaves out "On this machine (...)", for a caller that names the machine once (see
        :meth:`machine_sentence`). Ratios are written by :func:`~ffn_lib.formatting.format_ratio`: two decimals
        below 10, three significant figures from 10 on ("41.5×").
        """
        lo, hi = self.ratio_range(a, b)
        fields = dict(a=translate_text(a), b=translate_text(b), ratio=format_ratio(self.ratio(a, b)),
                      lo=format_ratio(lo), hi=format_ratio(hi))
        apart = self.distinguishable(a, b)
        noisy = self.too_noisy(a, b)
        if noisy is not None:
            fields.update(noisy=translate_text(noisy), spread=f"{100 * self.spread(noisy):.0f}%",
                          limit=f"{100 * NOISY_SPREAD:.0f}%")
            text = tr("{a} took {ratio}× as long as {b}, but the samples of {noisy} spread too widely for a verdict "
                      "(their middle half spans {spread} of the median; a quiet machine stays under {limit}).",
                      **fields)
            if machine:
                return join_sentences([tr("On this machine ({machine}): {text}", machine=self.machine(), text=text),
                                       tr(_BUSY_ADVICE)])
            return _capitalised(text, fields["a"])
        if machine:
            fields["machine"] = self.machine()
            if not apart:
                return tr("On this machine ({machine}) {a} took {ratio}× as long as {b} (middle halves {lo}-{hi}×), "
                          "but the difference is within the run-to-run spread, so this run cannot tell them apart.",
                          **fields)
            return tr("On this machine ({machine}) {a} took {ratio}× as long as {b} (middle halves {lo}-{hi}×).",
                      **fields)
        if not apart:
            return _capitalised(tr("{a} took {ratio}× as long as {b} (middle halves {lo}-{hi}×), but the difference "
                                   "is within the run-to-run spread, so this run cannot tell them apart.", **fields),
                                fields["a"])
        return _capitalised(tr("{a} took {ratio}× as long as {b} (middle halves {lo}-{hi}×).", **fields), fields["a"])

    def slower_first(self, a: str, b: str, *, machine: bool = True) -> str:
        """:meth:`sentence` with the slower of ``a`` and ``b`` named first, so that it reads "took 1.2× as long as",
        never "took 0.8× as long as"."""
        return self.sentence(a, b, machine=machine) if self.ratio(a, b) >= 1 else self.sentence(b, a, machine=machine)

    def times_only(self, reason: str) -> "Comparison":
        """The same comparison, whose table shows the times only, with ``reason`` (why there is no verdict, e.g.
        :func:`ffn_lib.analysis.busy_machine_sentence`) in its caption: rates computed from medians that a busy
        machine spread widely are not measurements, and a table should not print them as if they were."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"reason must say why the rates are left out (a non-empty string), not {reason!r}.")
        return replace(self, withheld=reason.strip())

    def rows(self) -> list[dict[str, str]]:
        rows = []
        for name, r in self.results.items():
            q1, q3 = r.quartiles_s
            row = {N_("variant"): translate_text(name), N_("median"): format_time(r.median_s),
                   N_("middle half"): tr("{low} to {high}", low=format_time(q1), high=format_time(q3))}
            if self.withheld:  # times only: no rate from a median the machine's noise set
                rows.append(row)
                continue
            if any(x.bandwidth is not None for x in self.results.values()):
                row[N_("bandwidth")] = format_rate(r.bandwidth, "B/s") if r.bandwidth is not None else "–"
            if any(x.copy_share is not None for x in self.results.values()):
                row[N_("share of copy")] = f"{r.copy_share:.0%}" if r.copy_share is not None else "–"
            if any(x.flop_rate is not None for x in self.results.values()):
                row["FLOP/s"] = format_rate(r.flop_rate, "FLOP/s") if r.flop_rate is not None else "–"
            rows.append(row)
        return rows

    def caption(self) -> str:
        first = next(iter(self.results.values()))
        text = tr("Timed on {where}, interleaved over {rounds} rounds; {method}.",
                  where=_where(self.device, self.device_name), rounds=self.rounds, method=re.split("[;；]", first.method)[0])
        over = [n for n, r in self.results.items() if r.copy_share is not None and r.copy_share > 1]
        if over and not first.cache_flushed and not self.withheld:
            text += sentence_gap(text) + tr(
                "A share of copy above 100% ({names}) most likely means that part of the data stayed in the cache "
                "between calls: the copy reference is measured on a working set larger than the cache, "
                "from memory, and the cache was not flushed between these calls.", names=", ".join(over))
        if self.withheld:
            text = join_sentences([text, self.withheld, tr(_WITHHELD)])
        return text

    def _repr_markdown_(self) -> str:
        rows = self.rows()
        head = list(rows[0])
        lines = ["| " + " | ".join(tr(h) for h in head) + " |", "|" + "|".join("---" if h == "variant" else "---:" for h in head) + "|"]
        lines += ["| " + " | ".join(row[h] for h in head) + " |" for row in rows]
        return f"{self.caption()}\n\n" + "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        rows = self.rows()
        head = list(rows[0])
        cells = "".join(f"<th>{html.escape(tr(h))}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(row[h])}</td>" for h in head) + "</tr>" for row in rows)
        return (f"<p>{html.escape(self.caption())}</p>"
                f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>")

    def __str__(self) -> str:
        return "\n".join(r.summary() for r in self.results.values())

    def figure(self, ax=None, *, colors: Mapping[str, str] | None = None):
        """Every variant's samples (dots), median (bar) and middle half (thick line), in one unit.

        ``colors`` (variant -> colour) fixes the colour of the variants it names (a block drawn in one colour
        across a chapter, :data:`ffn_lib.plotting.VARIANT_COLORS`); the others take the course's colours in
        order, skipping those already given."""
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
        colors = dict(colors or {})
        unknown = sorted(set(colors) - set(self.results))
        if unknown:
            raise ValueError(f"colors names {unknown}, which are not compared variants: {list(self.results)}.")
        free = [c for c in COLORS if c not in colors.values()] or COLORS
        others = iter(free * len(self.results))
        for i, (name, r) in enumerate(self.results.items()):
            color = colors[name] if name in colors else next(others)
            samples = np.asarray(r.times_s) / scale
            ax.scatter(samples, i + rng.uniform(-0.15, 0.15, samples.size), s=6, color=color, alpha=0.35, lw=0)
            q1, q3 = (q / scale for q in r.quartiles_s)
            ax.plot([q1, q3], [i, i], color=color, lw=6, solid_capstyle="butt")
            ax.plot([r.median_s / scale] * 2, [i - 0.3, i + 0.3], color="0.1", lw=2)
        ax.set_yticks(range(len(self.results)), list(self.results))
        ax.invert_yaxis()
        p95 = max(float(np.percentile(r.times_s, 95)) for r in self.results.values())
        ax.set_xlim(0, 1.25 * p95 / scale)  # the rare slow outlier beyond this would squash the rest
        ax.set(xlabel=tr("time per call ({unit}); dots: samples, thick: middle half, bar: median", unit=unit),
               title=tr("Interleaved timing on {machine}", machine=self.device_name))
        plt.close(fig)  # shown once, as the cell's value
        return fig


_COPY = "\x00copy"  # the hidden copy-reference variant of compare()


def _interleaved_times(samplers: dict[str, _Sampler], rounds: int, min_time: float, warmup: int,
                       warmup_time: float) -> dict[str, list[float]]:
    """Warm and calibrate each sampler alone, then ``rounds`` rounds over all, each starting one further along."""
    order = list(samplers)
    estimates = {}
    for name, sampler in samplers.items():
        sampler.warm(warmup, warmup_time)
        estimates[name] = sampler.calibrate()
    times: dict[str, list[float]] = {n: [] for n in order}
    for r in range(rounds):
        for name in order[r % len(order):] + order[:r % len(order)]:
            times[name] += samplers[name].sample_for(min_time / rounds, 1, 10_000, estimates[name])
    return times


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
    device = resolve_device(device, [], "compare")
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
    times = _interleaved_times(samplers, rounds, min_time, warmup, warmup_time)

    if copy_traffic is not None:
        bw = copy_traffic / statistics.median(times.pop(_COPY))
        del src, dst
    else:
        bw = copy_bandwidth or None
    results = {
        n: BenchResult(label=n, times_s=times[n], device=str(device), device_name=device_name(device),
                       nbytes=bytes_by[n], flops=flops_by[n], copy_bandwidth=bw,
                       method=tr("{method}, interleaved over {rounds} rounds", method=samplers[n].method(len(times[n])),
                                 rounds=rounds),
                       calls_per_sample=samplers[n].batch, cache_flushed=flush)
        for n in names
    }
    return Comparison(results=results, device=str(device), device_name=device_name(device), rounds=rounds)
