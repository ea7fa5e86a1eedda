"""The rows of a recorded run, without reading or showing anything: :func:`select` filters them, :func:`flop_roof`
is the run's matrix-product roof, :data:`PASS_NAMES` names the passes for a reader. Both
:mod:`ffn_lib.bench.report` and :mod:`ffn_lib.bench.block_figure` build on it (so neither imports the other
back).
"""

from __future__ import annotations

from typing import Any, Iterable

from ..i18n import N_

PASS_NAMES = {"forward": N_("forward"), "backward": N_("backward"), "forward+backward": N_("forward+backward")}


def select(doc: dict[str, Any], *, group: str | None = None, ops: Iterable[str] | None = None,
           pass_: str | None = None, impl: str | None = None, impls: Iterable[str] | None = None,
           passes: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The result rows of one run matching every given filter, in the run's order."""
    ops = set(ops) if ops is not None else None
    impls = set(impls) if impls is not None else None
    passes = set(passes) if passes is not None else None
    return [r for r in doc["results"]
            if (group is None or r["group"] == group) and (ops is None or r["op"] in ops)
            and (pass_ is None or r["pass"] == pass_) and (impl is None or r["impl"] == impl)
            and (impls is None or r["impl"] in impls) and (passes is None or r["pass"] in passes)]


def flop_roof(doc: dict[str, Any]) -> float:
    """The same run's matrix-product roof (FLOP/s): the fastest rate any of its matrix products reached,
    in its fastest sample. A ceiling is the best the chip was seen to do; on a GPU the best sample is within
    a few percent of the median, and on a shared CPU the median of a single measurement is at the mercy of
    whatever else runs."""
    ref = doc["reference"]
    s = ref["matmul_shape"]
    rates = [2 * s[0] * s[1] * s[2] / min(ref["matmul_samples"])]
    rates += [r["flops"]["value"] / min(r["samples"]) for r in doc["results"] if r["group"] == "gemm" and r["flops"]]
    return max(rates)
