"""The roofline model: how fast an op could run at best, from its FLOPs, its bytes and two ceilings.

Williams, Waterman & Patterson 2009: an op that does F FLOPs while moving B
bytes has arithmetic intensity I = F / B and can run no faster than
min(peak FLOP rate, I * memory bandwidth); the ridge point peak / bandwidth is
the intensity where it stops being memory-bound. The two ceilings are measured
by :mod:`ffn_lib.ceilings`, F and B counted by :mod:`ffn_lib.sizing`.
"""

from __future__ import annotations

from ._checks import positive_number


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
