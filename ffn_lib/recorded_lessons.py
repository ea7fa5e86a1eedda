"""What chapter 7's recorded GPU run teaches, as sentences generated from its numbers.

:func:`lessons` writes one bullet per lesson of the chapter (launch shape, host path, torch.compile, erf, and the
block's training step), each only when the run has the numbers it needs, so that a run without some rows gives
fewer sentences, never a wrong one. :func:`host_sentence` words the live host-overhead measurement of
:func:`ffn_lib.kernels.host_overhead`.
"""

from __future__ import annotations

import math
from typing import Any

from . import sizing
from .bench import row, value

PASSES = ("forward", "backward", "forward+backward")
GATES = {"relu": "ReLU", "sigmoid": "sigmoid", "silu": "SiLU", "swish": "Swish", "gelu_tanh": "tanh GELU",
         "gelu": "GELU-erf"}


def lessons(run: dict[str, Any] | None) -> list[str]:
    """Sentences generated from the recorded run's numbers; a sentence is left out when its numbers are missing."""
    if run is None:
        return []
    cfg, us = run["config"], 1e6

    def get(op, impl, pass_, q="copy_share", group="act_mul"):
        return value(group, op, impl, pass_, q, run=run)
    out = [f"From the run on {run['provenance']['device']['name']} ({run['provenance']['date'][:10]}): "
           f"{cfg['dtype']} tensors of {cfg['tokens']:,} x {cfg['d_ff_act']:,}, each figure a share of the copy "
           f"bandwidth measured in the same run ({run['reference']['copy_bandwidth']['value'] / 1e12:.2f} TB/s). A "
           f"share a little above 100% means an op streamed slightly better than that copy; the suite's self-check "
           f"fails any above 105%."]

    shapes = {op: (get(op, "fused", "forward"), get(op, "fused_cat", "forward")) for op in GATES}
    shapes = {op: v for op, v in shapes.items() if all(v)}
    if shapes:
        cost = {op: (flat - rows) * 100 for op, (flat, rows) in shapes.items()}
        worst = max(cost, key=cost.get)
        out.append("- **Launch shape**, forward, flat launch / row by row: " + "; ".join(
            f"{GATES[op]} {flat:.1%} / {rows:.1%}" for op, (flat, rows) in shapes.items())
            + f". The row walk cost {GATES[worst]} {cost[worst]:.1f} points; on the other gates the two shapes are "
            f"within {max(abs(c) for op, c in cost.items() if op != worst):.1f} points of each other.")

    host = {i: {p: get("silu", i, p, "host_time", "host") for p in ("forward", "forward+backward")}
            for i in ("eager", "fused")}
    gpu = {i: get("silu", i, "forward+backward", "time") for i in ("eager", "fused")}
    if all(all(v.values()) for v in host.values()) and all(gpu.values()):
        ratio = {p: host["fused"][p] / host["eager"][p] for p in ("forward", "forward+backward")}
        word = lambda r: "no more than eager's" if r <= 1.05 else f"{r:.1f}× eager's"  # noqa: E731
        text = (f"- **Host path**, SiLU(g)·u on {cfg['host_tokens']} tokens, where the GPU work is negligible: "
                f"issuing the forward took {host['fused']['forward'] * us:.0f} µs fused and "
                f"{host['eager']['forward'] * us:.0f} µs eager ({word(ratio['forward'])}); the forward and backward "
                f"{host['fused']['forward+backward'] * us:.0f} µs fused and "
                f"{host['eager']['forward+backward'] * us:.0f} µs eager ({word(ratio['forward+backward'])})")
        if ratio["forward+backward"] > 1.05:
            text += (": the backward, still issued through a Python `autograd.Function`, is where the fused path "
                     "costs more")
        floor = get("silu", "floor", "forward+backward", "host_time", "host")
        if floor:
            text += (f". A Python `autograd.Function` that launches nothing at all took {floor * us:.0f} µs forward "
                     f"and backward: the least any op written in Python pays here, "
                     + (f"{floor / host['eager']['forward+backward']:.1f}× eager's whole step"
                        if floor > host["eager"]["forward+backward"] else "below eager's whole step")
                     + f", and the fused call's kernels and wrapper add "
                     f"{(host['fused']['forward+backward'] - floor) * us:.0f} µs to it")
        ahead = all(host[i]["forward+backward"] < gpu[i] for i in gpu)
        text += (f". At {cfg['tokens']:,} tokens the GPU work of a forward and backward took "
                 f"{gpu['fused'] * us:.0f} µs fused and {gpu['eager'] * us:.0f} µs eager, and the host "
                 f"{'keeps ahead' if ahead else 'falls behind'}. If that time shrank in proportion to the tokens, "
                 f"this op alone would leave the GPU waiting below about "
                 f"{cfg['tokens'] * host['fused']['forward+backward'] / gpu['fused']:,.0f} tokens fused and "
                 f"{cfg['tokens'] * host['eager']['forward+backward'] / gpu['eager']:,.0f} eager.")
        out.append(text)

    impls = [i for i in ("eager", "compile", "liger", "fused") if get("silu", i, "forward")]
    if "compile" in impls:
        others = [get(op, "compile", "forward") for op in GATES if op not in ("silu", "gelu")]
        others = [s for s in others if s]
        text = "- **torch.compile**, SiLU(g)·u, forward / backward / both: " + "; ".join(
            f"{i} " + " / ".join(f"{get('silu', i, p):.0%}" for p in PASSES if get("silu", i, p))
            for i in impls) + "."
        if others:
            text += (f" On the other gates but GELU-erf, compile's forward reached {min(others):.0%} to "
                     f"{max(others):.0%}.")
        if "fused" in impls:
            gap = max(abs(get("silu", "fused", p) - get("silu", "compile", p)) for p in PASSES) * 100
            text += (f" The hand-written kernel and compile's generated one are within {math.ceil(gap * 10) / 10:.1f} "
                     "points on every pass.")
        pairs = [(op, p) for op in GATES for p in PASSES
                 if get(op, "fused_cat", p) and get(op, "compile_cat", p)]
        if pairs:
            behind = [(op, p) for op, p in pairs if get(op, "fused_cat", p) < get(op, "compile_cat", p) - 0.005]
            text += (" On one `[gate | up]` tensor, `act_mul_cat` against compile of the same layout: "
                     + ("ahead or within half a point on every gate and pass." if not behind else "behind on " + "; ".join(
                         f"{GATES[op]} {p} ({get(op, 'fused_cat', p):.1%} against {get(op, 'compile_cat', p):.1%})"
                         for op, p in behind) + "."))
        out.append(text)

    erf = {i: (get("gelu", i, "forward"), get("gelu", i, "forward", "time")) for i in ("eager", "compile", "fused")}
    if all(all(v) for v in erf.values()):
        text = (f"- **erf**, GELU-erf forward: eager {erf['eager'][0]:.0%}, torch.compile with the math library's erf "
                f"{erf['compile'][0]:.0%} ({erf['compile'][1] * us:.0f} µs), the fused kernel with the cheaper erf "
                f"{erf['fused'][0]:.0%} ({erf['fused'][1] * us:.0f} µs): compile took "
                f"{erf['compile'][1] / erf['fused'][1]:.2f}× as long.")
        back = {i: get("gelu", i, "backward") for i in ("compile", "fused")}
        if all(back.values()):
            text += f" Backward: compile {back['compile']:.0%}, fused {back['fused']:.0%}."
        rows = get("gelu", "fused_cat", "forward")
        if rows:
            text += (f" Walking the rows of `[gate | up]`, the same cheaper erf reached {rows:.0%} forward: "
                     + ("with the arithmetic this close to the budget, the row walk's extra cost shows, and "
                        "`act_mul_cat`'s GELU-erf forward stays short of the roof." if rows < 0.97 else
                        "the row walk costs it little."))
        text += (" The run did not time the fused kernel with the math library's erf "
                 "(`kernels.set_math(erf=\"libdevice\")`), so what the cheaper erf alone buys is inferred from "
                 "compile, whose other gates reach the roof, rather than measured.")
        out.append(text)

    op = f"SwiGLU (d_ff {cfg['d_ff_swiglu']})"
    step = {i: row(run, "block", op, i, "forward+backward") for i in ("eager", "fused")}
    if all(step.values()) and all(r["peak_memory"] for r in step.values()):
        (e, f) = step["eager"], step["fused"]
        apart = f["time"]["q3"] < e["time"]["q1"] or e["time"]["q3"] < f["time"]["q1"]
        saved = e["peak_memory"]["value"] - f["peak_memory"]["value"]
        one = cfg["tokens"] * cfg["d_ff_swiglu"] * sizing.dtype_bytes(cfg["dtype"])
        out.append(f"- **The {op} block's training step**: {e['time']['median'] * 1e3:.1f} ms eager "
                   f"({e['flop_rate']['value'] / 1e12:.0f} TFLOP/s), {f['time']['median'] * 1e3:.1f} ms fused "
                   f"({f['flop_rate']['value'] / 1e12:.0f} TFLOP/s): eager took "
                   f"{e['time']['median'] / f['time']['median']:.2f}× as long, "
                   + ("and their middle halves do not overlap" if apart else
                      "but their middle halves overlap, so the run cannot tell them apart")
                   + f". Peak memory above the weights and the input {e['peak_memory']['value'] / 2**30:.2f} GiB eager and "
                   f"{f['peak_memory']['value'] / 2**30:.2f} GiB fused: {saved / 2**20:.0f} MiB less, "
                   f"{saved / one:.2f} times one {cfg['tokens']:,} x {cfg['d_ff_swiglu']:,} tensor"
                   + (", the SiLU output that eager saves for its backward and the fused kernel recomputes."
                      if abs(saved / one - 1) < 0.05 else "."))
    return out if len(out) > 1 else []



def host_sentence(host: dict[bool, dict[str, float]] | None) -> str:
    """The live host time of one fused call against eager's; ``host[backward]`` as
    :func:`ffn_lib.kernels.host_overhead` returns it, or None where Triton is missing."""
    if not host:
        return "Triton is not installed here, so the fused call's host time is not measured live."
    f, b = host[False], host[True]
    return (f"Measured live on this machine with the launch itself stubbed out, issuing one fused call costs "
            f"{f['fused_us']:.1f} µs of host time forward and {b['fused_us']:.1f} µs forward and "
            f"backward, against eager's {f['eager_us']:.0f} µs and {b['eager_us']:.0f} µs "
            f"({f['fused_us'] / f['eager_us']:.1f}× and {b['fused_us'] / b['eager_us']:.1f}× eager's; "
            "`kernels.host_overhead`).")
