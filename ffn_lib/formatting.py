"""Numbers in words: a time or a rate with its SI prefix ("1.71 ms", "4.27 TB/s"), a ratio ("1.30", "41.5")."""

from __future__ import annotations

import numbers


def format_time(seconds: float) -> str:
    """``seconds`` with the largest unit (s, ms, µs, ns) it reaches, three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_rate(value: float, unit: str) -> str:
    """``value`` in ``unit`` per second with an SI prefix (T, G, M, k), three significant digits."""
    for prefix, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def time_unit(seconds: float) -> tuple[float, str]:
    """The scale and name of the unit :func:`format_time` would use for ``seconds``."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return scale, unit
    return 1e-9, "ns"


def format_ratio(ratio: float) -> str:
    """A ratio as a sentence writes it: two decimals below 10 ("1.30"), three significant figures from 10 to
    1,000 ("41.5", "123"), whole with thousands separators above ("12,345"). Digits only, no "×"."""
    if not isinstance(ratio, numbers.Real) or isinstance(ratio, bool):
        raise TypeError(f"ratio must be a number, got {type(ratio).__name__}.")
    ratio = float(ratio)
    size = abs(ratio)
    if size < 9.995:  # what rounds to 10.00 is written as 10.0
        return f"{ratio:.2f}"
    if size < 99.95:
        return f"{ratio:.1f}"
    return f"{ratio:,.0f}"
