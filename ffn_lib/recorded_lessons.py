"""What the recorded GPU run teaches in chapters 1, 4, 6 and 7, as sentences generated from its numbers.

Each function takes the run (:func:`ffn_lib.bench.latest_run`, or None) and returns its text, or a line saying
the numbers are missing; none writes a number the run does not hold. Chapter 1: :func:`plain_block_rates`.
Chapter 4: :func:`against_baseline`. Chapter 6: :func:`block_steps`. Chapter 7:
:func:`production_additions`, :func:`speedup_table`, :func:`prediction_misses`, :func:`amdahl_sentence`, :func:`gemm_pair_sentence`,
:func:`epilogue_lines`, :func:`gpu_checked_sentence` (from the run's CUDA tests, :func:`cuda_tests`), and
:func:`lessons`, which writes one bullet per lesson of the chapter (launch shape, host path, torch.compile, erf, and the
block's training step), each only when the run has the numbers it needs, so that a run without some rows gives
fewer sentences, never a wrong one. :func:`host_sentence` words the live host-overhead measurement of
:func:`ffn_lib.kernels.host_overhead`; :func:`decode_sentence` applies the host-time rule to a decode step's whole FFN.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

from . import sizing
from .bench import row, value
from .bench.report import DRIFT  # a gap between separately timed blocks within clock drift (re-exported)
from .i18n import N_, ntr, tr, translate_text

PASSES = ("forward", "backward", "forward+backward")
PASS_NAMES = {"forward": N_("forward"), "backward": N_("backward"), "forward+backward": N_("forward+backward")}
GATES = {"relu": "ReLU", "sigmoid": "sigmoid", "silu": "SiLU", "swish": "Swish", "gelu_tanh": "tanh GELU",
         "gelu": "GELU-erf"}


def gate_label(gate: str) -> str:
    """A gate as tables and figures name it: its display name (``GATES``: "tanh GELU", not ``gelu_tanh``), in the
    reader's language where it is a word ("identity": 恒等), as the chapters' prose names it."""
    return translate_text(GATES.get(gate, gate))


def _semicolons(items: list[str]) -> str:
    """``items`` joined as a list with semicolons ("a; b; c"), in the reader's language."""
    return reduce(lambda a, b: tr("{a}; {b}", a=a, b=b), items)


def _sentences(*sentences: str) -> str:
    """Whole sentences one after the other (English puts a space between them, Chinese none)."""
    return reduce(lambda a, b: tr("{sentence} {next_sentence}", sentence=a, next_sentence=b),
                  [s for s in sentences if s])


def pass_name(pass_: str) -> str:
    """A pass's name as the sentences and tables write it (forward, backward, forward+backward)."""
    return tr(PASS_NAMES[pass_]) if pass_ in PASS_NAMES else pass_


def _host_path(cfg: dict[str, Any], host: dict, gpu: dict, floor: float | None) -> str:
    """The host-path bullet of :func:`lessons`: issuing the calls against the GPU work they start."""
    us = 1e6
    ratio = {p: host["fused"][p] / host["eager"][p] for p in ("forward", "forward+backward")}

    def against_eager(r: float) -> str:
        return tr("no more than eager's") if r <= 1.05 else tr("{ratio}× eager's", ratio=f"{r:.1f}")

    fields = dict(tokens=cfg["host_tokens"], fused=f"{host['fused']['forward'] * us:.0f}",
                  eager=f"{host['eager']['forward'] * us:.0f}", forward_vs=against_eager(ratio["forward"]),
                  fused_both=f"{host['fused']['forward+backward'] * us:.0f}",
                  eager_both=f"{host['eager']['forward+backward'] * us:.0f}",
                  both_vs=against_eager(ratio["forward+backward"]))
    if ratio["forward+backward"] > 1.05:
        issue = tr("- **Host path**, SiLU(g)·u on {tokens} tokens, where the GPU work is negligible: issuing the "
                   "forward took {fused} µs fused and {eager} µs eager ({forward_vs}); the forward and backward "
                   "{fused_both} µs fused and {eager_both} µs eager ({both_vs}): the backward, still issued through "
                   "a Python `autograd.Function`, is where the fused path costs more.", **fields)
    else:
        issue = tr("- **Host path**, SiLU(g)·u on {tokens} tokens, where the GPU work is negligible: issuing the "
                   "forward took {fused} µs fused and {eager} µs eager ({forward_vs}); the forward and backward "
                   "{fused_both} µs fused and {eager_both} µs eager ({both_vs}).", **fields)
    least = ""
    if floor:
        fields = dict(floor=f"{floor * us:.0f}", added=f"{(host['fused']['forward+backward'] - floor) * us:.0f}",
                      ratio=f"{floor / host['eager']['forward+backward']:.1f}")
        if floor > host["eager"]["forward+backward"]:
            least = tr("A Python `autograd.Function` that launches nothing at all took {floor} µs forward and "
                       "backward: the least any op written in Python pays here, {ratio}× eager's whole step, and the "
                       "fused call's kernels and wrapper add {added} µs to it.", **fields)
        else:
            least = tr("A Python `autograd.Function` that launches nothing at all took {floor} µs forward and "
                       "backward: the least any op written in Python pays here, below eager's whole step, and the "
                       "fused call's kernels and wrapper add {added} µs to it.", **fields)
    fields = dict(tokens=f"{cfg['tokens']:,}", fused=f"{gpu['fused'] * us:.0f}", eager=f"{gpu['eager'] * us:.0f}",
                  fused_tokens=f"{cfg['tokens'] * host['fused']['forward+backward'] / gpu['fused']:,.0f}",
                  eager_tokens=f"{cfg['tokens'] * host['eager']['forward+backward'] / gpu['eager']:,.0f}")
    if all(host[i]["forward+backward"] < gpu[i] for i in gpu):
        gpu_work = tr("At {tokens} tokens the GPU work of a forward and backward took {fused} µs fused and {eager} "
                      "µs eager, and the host keeps ahead. If that time shrank in proportion to the tokens, this "
                      "op's host time would exceed its GPU time below about {fused_tokens} tokens fused and "
                      "{eager_tokens} eager. That alone need not stall the GPU: in a training step the host runs "
                      "ahead while the GPU works through the matrix products, so what counts is the whole step's "
                      "host time against its GPU time.", **fields)
    else:
        gpu_work = tr("At {tokens} tokens the GPU work of a forward and backward took {fused} µs fused and {eager} "
                      "µs eager, and the host falls behind. If that time shrank in proportion to the tokens, this "
                      "op's host time would exceed its GPU time below about {fused_tokens} tokens fused and "
                      "{eager_tokens} eager. That alone need not stall the GPU: in a training step the host runs "
                      "ahead while the GPU works through the matrix products, so what counts is the whole step's "
                      "host time against its GPU time.", **fields)
    return _sentences(issue, least, gpu_work)


def _compile(get, impls: list[str]) -> str:
    """The torch.compile bullet of :func:`lessons`."""
    shares = _semicolons([f"{i} " + " / ".join(f"{get('silu', i, p):.0%}" for p in PASSES if get("silu", i, p))
                          for i in impls])
    parts = [tr("- **torch.compile**, SiLU(g)·u, forward / backward / both: {shares}.", shares=shares)]
    others = [s for s in (get(op, "compile", "forward") for op in GATES if op not in ("silu", "gelu")) if s]
    if others:
        parts.append(tr("On the other gates but GELU-erf, compile's forward reached {low} to {high}.",
                        low=f"{min(others):.0%}", high=f"{max(others):.0%}"))
    if "fused" in impls:
        gap = max(abs(get("silu", "fused", p) - get("silu", "compile", p)) for p in PASSES) * 100
        parts.append(tr("The hand-written kernel and compile's generated one are within {gap} points on every pass.",
                        gap=f"{math.ceil(gap * 10) / 10:.1f}"))
    pairs = [(op, p) for op in GATES for p in PASSES if get(op, "fused_cat", p) and get(op, "compile_cat", p)]
    if pairs:
        behind = [(op, p) for op, p in pairs if get(op, "fused_cat", p) < get(op, "compile_cat", p) - 0.005]
        if not behind:
            parts.append(tr("On one `[gate | up]` tensor, `act_mul_cat` against compile of the same layout: ahead or "
                            "within half a point on every gate and pass."))
        else:
            parts.append(tr("On one `[gate | up]` tensor, `act_mul_cat` against compile of the same layout: behind "
                            "on {cases}.", cases=_semicolons([
                                tr("{gate} {pass_} ({fused} against {compile})", gate=GATES[op], pass_=pass_name(p),
                                   fused=f"{get(op, 'fused_cat', p):.1%}", compile=f"{get(op, 'compile_cat', p):.1%}")
                                for op, p in behind])))
    return _sentences(*parts)


def _erf(get, erf: dict) -> str:
    """The erf bullet of :func:`lessons`: GELU-erf's forward with the math library's erf and the cheaper one."""
    us = 1e6
    parts = [tr("- **erf**, GELU-erf forward: eager {eager}, torch.compile with the math library's erf {compile} "
                "({compile_us} µs), the fused kernel with the cheaper erf {fused} ({fused_us} µs): compile took "
                "{ratio}× as long.", eager=f"{erf['eager'][0]:.0%}", compile=f"{erf['compile'][0]:.0%}",
                compile_us=f"{erf['compile'][1] * us:.0f}", fused=f"{erf['fused'][0]:.0%}",
                fused_us=f"{erf['fused'][1] * us:.0f}", ratio=f"{erf['compile'][1] / erf['fused'][1]:.2f}")]
    back = {i: get("gelu", i, "backward") for i in ("compile", "fused")}
    if all(back.values()):
        parts.append(tr("Backward: compile {compile}, fused {fused}.", compile=f"{back['compile']:.0%}",
                        fused=f"{back['fused']:.0%}"))
    rows = get("gelu", "fused_cat", "forward")
    if rows and rows < 0.97:
        parts.append(tr("Walking the rows of `[gate | up]`, the same cheaper erf reached {share} forward: with the "
                        "arithmetic this close to the budget, the row walk's extra cost shows, and `act_mul_cat`'s "
                        "GELU-erf forward stays short of the roof.", share=f"{rows:.0%}"))
    elif rows:
        parts.append(tr("Walking the rows of `[gate | up]`, the same cheaper erf reached {share} forward: the row "
                        "walk costs it little.", share=f"{rows:.0%}"))
    parts.append(tr("The run did not time the fused kernel with the math library's erf "
                    "(`kernels.set_math(erf=\"libdevice\")`), so what the cheaper erf alone buys is inferred from "
                    "compile, whose other gates reach the roof, rather than measured."))
    return _sentences(*parts)


def _block_step(cfg: dict[str, Any], op: str, e: dict, f: dict) -> str:
    """The bullet of :func:`lessons` on the SwiGLU block's training step, eager against fused."""
    fields = dict(op=op, eager=f"{e['time']['median'] * 1e3:.1f}", eager_rate=f"{e['flop_rate']['value'] / 1e12:.0f}",
                  fused=f"{f['time']['median'] * 1e3:.1f}", fused_rate=f"{f['flop_rate']['value'] / 1e12:.0f}",
                  ratio=f"{e['time']['median'] / f['time']['median']:.2f}")
    if _middle_halves_apart(e["time"], f["time"]):
        time = tr("- **The {op} block's training step**: {eager} ms eager ({eager_rate} TFLOP/s), {fused} ms fused "
                  "({fused_rate} TFLOP/s): eager took {ratio}× as long, and their middle halves do not overlap.",
                  **fields)
    else:
        time = tr("- **The {op} block's training step**: {eager} ms eager ({eager_rate} TFLOP/s), {fused} ms fused "
                  "({fused_rate} TFLOP/s): eager took {ratio}× as long, but their middle halves overlap, so the run "
                  "cannot tell them apart.", **fields)
    saved = e["peak_memory"]["value"] - f["peak_memory"]["value"]
    one = cfg["tokens"] * cfg["d_ff_swiglu"] * sizing.dtype_bytes(cfg["dtype"])
    fields = dict(eager=f"{e['peak_memory']['value'] / 2**30:.2f}", fused=f"{f['peak_memory']['value'] / 2**30:.2f}",
                  saved=f"{saved / 2**20:.0f}", times=f"{saved / one:.2f}", rows=f"{cfg['tokens']:,}",
                  d_ff=f"{cfg['d_ff_swiglu']:,}")
    if abs(saved / one - 1) < 0.05:
        memory = tr("Peak memory above the weights and the input {eager} GiB eager and {fused} GiB fused: {saved} MiB "
                    "less, {times} times one {rows} x {d_ff} tensor, the SiLU output that eager saves for its "
                    "backward and the fused kernel recomputes.", **fields)
    else:
        memory = tr("Peak memory above the weights and the input {eager} GiB eager and {fused} GiB fused: {saved} MiB "
                    "less, {times} times one {rows} x {d_ff} tensor.", **fields)
    return _sentences(time, memory)


def lessons(run: dict[str, Any] | None) -> list[str]:
    """Sentences generated from the recorded run's numbers; a sentence is left out when its numbers are missing."""
    if run is None:
        return []
    cfg = run["config"]

    def get(op, impl, pass_, q="copy_share", group="act_mul"):
        return value(group, op, impl, pass_, q, run=run)
    out = [tr("From the run on {device} ({date}): {dtype} tensors of {rows} x {d_ff}, each figure a share of the "
              "copy bandwidth measured in the same run ({bandwidth} TB/s). A share a little above 100% means an op "
              "streamed slightly better than that copy; the suite's self-check fails any above 105%.",
              device=run["provenance"]["device"]["name"], date=run["provenance"]["date"][:10], dtype=cfg["dtype"],
              rows=f"{cfg['tokens']:,}", d_ff=f"{cfg['d_ff_act']:,}",
              bandwidth=f"{run['reference']['copy_bandwidth']['value'] / 1e12:.2f}")]

    shapes = {op: (get(op, "fused", "forward"), get(op, "fused_cat", "forward")) for op in GATES}
    shapes = {op: v for op, v in shapes.items() if all(v)}
    if shapes:
        cost = {op: (flat - rows) * 100 for op, (flat, rows) in shapes.items()}
        worst = max(cost, key=cost.get)
        out.append(tr("- **Launch shape**, forward, flat launch / row by row: {shares}. The row walk cost {gate} "
                      "{cost} points; on the other gates the two shapes are within {spread} points of each other.",
                      shares=_semicolons([f"{GATES[op]} {flat:.1%} / {rows:.1%}"
                                          for op, (flat, rows) in shapes.items()]),
                      gate=GATES[worst], cost=f"{cost[worst]:.1f}",
                      spread=f"{max(abs(c) for op, c in cost.items() if op != worst):.1f}"))

    host = {i: {p: get("silu", i, p, "host_time", "host") for p in ("forward", "forward+backward")}
            for i in ("eager", "fused")}
    gpu = {i: get("silu", i, "forward+backward", "time") for i in ("eager", "fused")}
    if all(all(v.values()) for v in host.values()) and all(gpu.values()):
        out.append(_host_path(cfg, host, gpu, get("silu", "floor", "forward+backward", "host_time", "host")))

    impls = [i for i in ("eager", "compile", "liger", "fused") if get("silu", i, "forward")]
    if "compile" in impls:
        out.append(_compile(get, impls))

    erf = {i: (get("gelu", i, "forward"), get("gelu", i, "forward", "time")) for i in ("eager", "compile", "fused")}
    if all(all(v) for v in erf.values()):
        out.append(_erf(get, erf))

    op = f"SwiGLU (d_ff {cfg['d_ff_swiglu']})"
    step = {i: row(run, "block", op, i, "forward+backward") for i in ("eager", "fused")}
    if all(step.values()) and all(r["peak_memory"] for r in step.values()):
        out.append(_block_step(cfg, op, step["eager"], step["fused"]))
    return out if len(out) > 1 else []



def _us(value: float) -> str:
    """A host time in µs, every one to the same two significant figures ("6.3", "33"; whole µs from 100)."""
    return f"{value:.1f}" if abs(value) < 9.95 else f"{value:.0f}"


def host_sentence(host: dict[bool, dict[str, float]] | None) -> str:
    """The live host time of one fused call against eager's; ``host[backward]`` as
    :func:`ffn_lib.kernels.host_overhead` returns it, or None where Triton is missing."""
    if not host:
        return tr("Triton is not installed here, so the fused call's host time is not measured live.")
    f, b = host[False], host[True]
    return tr("Measured live on this machine with the launch itself stubbed out, issuing one fused call costs "
              "{fused} µs of host time forward and {fused_both} µs forward and backward, against eager's {eager} µs "
              "and {eager_both} µs ({ratio}× and {ratio_both}× eager's; `kernels.host_overhead`).",
              fused=_us(f["fused_us"]), fused_both=_us(b["fused_us"]), eager=_us(f["eager_us"]),
              eager_both=_us(b["eager_us"]), ratio=f"{f['fused_us'] / f['eager_us']:.1f}",
              ratio_both=f"{b['fused_us'] / b['eager_us']:.1f}")


def decode_sentence(run: dict[str, Any] | None) -> str:
    """Chapter 7: the host-time rule applied to a decode step's FFN, not only its act(g) * u.

    At decode the three matrix products read every weight whatever the batch (:func:`ffn_lib.predict.decode_floor`),
    so the layer's GPU time is at least that floor; the act(g) * u call's recorded host time (forward, eager and
    fused) is set against it. The host time of the products' own calls was not recorded, so the sentence says that
    the whole layer's comparison is not measured."""
    from .formatting import format_rate, format_time
    from .predict import decode_floor

    if run is None:
        return ""
    host = {impl: value("host", "silu", impl, "forward", "host_time", run=run) for impl in ("eager", "fused")}
    if None in host.values() or not host["fused"]:
        return ""
    floor = decode_floor(run)
    return tr("Those token counts hold for the act·mul op alone. A decode step's FFN also runs its three matrix "
              "products, which read all their weights whatever the batch: {weights} per layer at d_model {d_model} "
              "and d_ff {d_ff} in {dtype}, so at least {floor} of GPU time per layer at the run's copy bandwidth "
              "({bandwidth}). That floor is {ratio_eager}× the eager act·mul call's recorded host time forward "
              "({eager}) and {ratio_fused}× the fused call's ({fused}): at decode, the act·mul's host time alone is "
              "a fraction of the layer's GPU time at any batch size. Whether the GPU waits on Python is a question "
              "for the whole layer, the host time of all its calls (the three products, attention, the norms and "
              "the act·mul) against the GPU time of all its kernels; this run did not time the other calls' host "
              "time, so it cannot say where that layer's crossing lies.",
              weights=f"{floor.weight_bytes / 1e6:,.0f} MB", d_model=f"{floor.d_model:,}", d_ff=f"{floor.d_ff:,}",
              dtype=floor.dtype, floor=format_time(floor.seconds), bandwidth=format_rate(floor.bandwidth, "B/s"),
              ratio_eager=f"{floor.seconds / host['eager']:.1f}", eager=format_time(host["eager"]),
              ratio_fused=f"{floor.seconds / host['fused']:.1f}", fused=format_time(host["fused"]))


def _middle_halves_apart(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two recorded times' middle halves (q1 to q3) do not overlap."""
    return a["q3"] < b["q1"] or b["q3"] < a["q1"]


def block_steps(run: dict[str, Any] | None) -> str:
    """Chapter 6: the recorded training step of Shazeer's eight blocks, plain and gated (eager and fused);
    empty when the run lacks those rows."""
    from .bench import select
    from .variants import VARIANTS

    if run is None:
        return ""
    steps = {impl: {r["op"]: r for r in select(run, group="block", pass_="forward+backward", impl=impl)
                    if r["op"] in VARIANTS} for impl in ("eager", "fused")}
    plain = [r for name, r in steps["eager"].items() if not VARIANTS[name].gated]
    gated = {impl: [r for name, r in rows.items() if VARIANTS[name].gated] for impl, rows in steps.items()}
    if not (plain and gated["eager"] and gated["fused"]):
        return ""

    def ms(rows):
        times = [r["time"]["median"] * 1e3 for r in rows]
        return tr("{low} to {high} ms", low=f"{min(times):.1f}", high=f"{max(times):.1f}")

    extra = gated["eager"][0]["flops"]["value"] / plain[0]["flops"]["value"] - 1
    cfg = run["config"]
    fields = dict(device=run["provenance"]["device"]["name"], tokens=f"{cfg['tokens']:,}", d_model=cfg["d_model"],
                  plain=f"{cfg['d_ff_plain']:,}", gated=f"{cfg['d_ff_gated']:,}", dtype=cfg["dtype"],
                  plain_ms=ms(plain), gated_ms=ms(gated["eager"]), fused_ms=ms(gated["fused"]),
                  extra=f"{abs(extra):.1%}")
    if extra > 0:
        return tr("In the recorded run on {device} ({tokens} tokens, d_model {d_model}, d_ff {plain} plain and {gated} "
                  "gated, {dtype}), one training step took {plain_ms} for the plain blocks, {gated_ms} for the gated "
                  "ones eager and {fused_ms} with the fused kernel; at that rounded width the gated blocks' matrix "
                  "products do {extra} more FLOPs than the plain ones'.", **fields)
    return tr("In the recorded run on {device} ({tokens} tokens, d_model {d_model}, d_ff {plain} plain and {gated} "
              "gated, {dtype}), one training step took {plain_ms} for the plain blocks, {gated_ms} for the gated "
              "ones eager and {fused_ms} with the fused kernel; at that rounded width the gated blocks' matrix "
              "products do {extra} fewer FLOPs than the plain ones'.", **fields)


def plain_block_rates(run: dict[str, Any] | None) -> str:
    """Chapter 1: the recorded plain ReLU block's forward and training-step rates against the run's square matrix
    product, and the ReLU's own share of the forward (its traffic at the ReLU's recorded bandwidth over the forward's
    time). Empty when the run lacks those rows.

    share = activation_bytes(tokens, d_ff_plain, dtype) / bandwidth(relu) / time(ReLU block, forward).
    """
    if run is None:
        return ""
    from .analysis import square_matmul_rate  # the one rate every chapter quotes for the run's matrix product

    cfg = run["config"]
    # the sentence names a square product of the run: without its gemm rows (square_matmul_rate would fall back on
    # the start-of-run calibration, which is not that product) it says nothing
    has_square = value("gemm", "square", "eager", "forward", "flop_rate", run=run) is not None
    square = (square_matmul_rate(run) or (None, None))[0] if has_square else None
    forward = value("block", "ReLU", "eager", "forward", "flop_rate", run=run)
    step = value("block", "ReLU", "eager", "forward+backward", "flop_rate", run=run)
    forward_time = value("block", "ReLU", "eager", "forward", "time", run=run)
    relu_bandwidth = value("activation", "relu", "eager", "forward", "bandwidth", run=run)
    if None in (square, forward, step, forward_time, relu_bandwidth):
        return ""
    relu_time = sizing.activation_bytes(cfg["tokens"], cfg["d_ff_plain"], cfg["dtype"], gated=False) / relu_bandwidth
    share = relu_time / forward_time
    fields = dict(device=run["provenance"]["device"]["name"], forward=f"{forward / 1e12:.0f}",
                  step=f"{step / 1e12:.0f}", forward_share=f"{forward / square:.0%}",
                  step_share=f"{step / square:.0%}", square=f"{square / 1e12:.0f}", n=f"{cfg['square']:,}",
                  tokens=f"{cfg['tokens']:,}", d_ff=f"{cfg['d_ff_plain']:,}", relu_us=f"{relu_time * 1e6:.0f}",
                  share=f"{share:.0%}", forward_ms=f"{forward_time * 1e3:.2f}")
    if share < 0.1:
        return tr("In the recorded run on {device}, the block's forward ran at {forward} TFLOP/s and its "
                  "training step at {step} TFLOP/s, {forward_share} and {step_share} of the median {square} "
                  "TFLOP/s of a square {n} × {n} matrix product in the same run. At the ReLU's recorded "
                  "bandwidth, reading and writing the block's {tokens} × {d_ff} hidden layer takes about "
                  "{relu_us} µs, {share} of the forward's {forward_ms} ms: at this size the two products are "
                  "nearly all of the block's time on the GPU.", **fields)
    return tr("In the recorded run on {device}, the block's forward ran at {forward} TFLOP/s and its "
              "training step at {step} TFLOP/s, {forward_share} and {step_share} of the median {square} "
              "TFLOP/s of a square {n} × {n} matrix product in the same run. At the ReLU's recorded "
              "bandwidth, reading and writing the block's {tokens} × {d_ff} hidden layer takes about "
              "{relu_us} µs, {share} of the forward's {forward_ms} ms, a visible share of it.", **fields)




def against_baseline(run: dict[str, Any] | None, op: str, pass_: str, baseline: str = "ReLU") -> str | None:
    """Chapter 4: one bullet, ``op``'s eager time as a multiple of the eager ``baseline`` block's in one pass of
    the recorded run; None when a row is missing.

    The benchmark times each block in a run of its own, so a drift of the GPU's clock between two runs shows up
    as a difference: the bullet says "overlapping" where the middle halves overlap (q1(a)/q3(b) <= 1 <= q3(a)/q1(b)),
    and "within clock drift" where they do not but the nearest ratio they allow is within :data:`DRIFT` of 1.
    """
    if run is None:
        return None
    a, b = row(run, "block", op, "eager", pass_), row(run, "block", baseline, "eager", pass_)
    if a is None or b is None:
        return None
    a, b = a["time"], b["time"]
    lo, hi = a["q1"] / b["q3"], a["q3"] / b["q1"]
    steps = {"forward": N_("the forward"), "forward+backward": N_("one training step")}
    fields = dict(op=op, base=baseline, step=tr(steps.get(pass_, pass_)), ratio=f"{a['median'] / b['median']:.2f}",
                  lo=f"{lo:.2f}", hi=f"{hi:.2f}", drift=f"{DRIFT:.0%}")
    if lo <= 1 <= hi:
        return tr("- {op}, {step}: {ratio}× the eager {base} block's time (middle halves {lo}-{hi}×, overlapping).",
                  **fields)
    if (lo > 1 and lo - 1 < DRIFT) or (hi < 1 and 1 - hi < DRIFT):
        return tr("- {op}, {step}: {ratio}× the eager {base} block's time (middle halves {lo}-{hi}×, apart by "
                  "under {drift}: within clock drift).", **fields)
    return tr("- {op}, {step}: {ratio}× the eager {base} block's time (middle halves {lo}-{hi}×).", **fields)


def plain_blocks_median(run: dict[str, Any] | None, pass_: str) -> float | None:
    """The median of the eager plain blocks' median times (:data:`ffn_lib.bench.block_figure.PLAIN_FAMILY`: ReLU,
    GELU and Swish) in one pass of the recorded run: the time that is 1 in the recorded-blocks chart of a
    parameter-matched section. None when one of them is missing."""
    from .bench.block_figure import plain_family_median  # the chart's own reference, so both read one number

    return None if run is None else plain_family_median(run, pass_)


def against_plain_blocks(run: dict[str, Any] | None, op: str, pass_: str) -> str | None:
    """Chapter 4: one bullet, ``op``'s eager time over :func:`plain_blocks_median` in one pass, with its middle
    half over the same reference: the numbers the recorded-blocks chart draws (a median of three plain blocks, so
    that the noisiest plain row does not move every gated block). "containing 1" where the middle half does,
    "within clock drift" where its nearer end is within :data:`DRIFT` of 1. None when a row is missing."""
    ref = plain_blocks_median(run, pass_)
    a = None if ref is None else row(run, "block", op, "eager", pass_)
    if a is None:
        return None
    t = a["time"]
    lo, hi = t["q1"] / ref, t["q3"] / ref
    steps = {"forward": N_("the forward"), "forward+backward": N_("one training step")}
    fields = dict(op=op, step=tr(steps.get(pass_, pass_)), ratio=f"{t['median'] / ref:.2f}", lo=f"{lo:.2f}",
                  hi=f"{hi:.2f}", drift=f"{DRIFT:.0%}")
    if lo <= 1 <= hi:
        return tr("- {op}, {step}: {ratio}× the eager plain blocks' median (middle half {lo}-{hi}×, containing 1).",
                  **fields)
    if (lo > 1 and lo - 1 < DRIFT) or (hi < 1 and 1 - hi < DRIFT):
        return tr("- {op}, {step}: {ratio}× the eager plain blocks' median (middle half {lo}-{hi}×, within "
                  "{drift} of 1: within clock drift).", **fields)
    return tr("- {op}, {step}: {ratio}× the eager plain blocks' median (middle half {lo}-{hi}×).", **fields)


def against_plain_summary(doc: dict[str, Any] | None, ops: list[str] | tuple[str, ...]) -> str:
    """Chapter 4's reading of the recorded-blocks chart, in Markdown: the chart's 1 in each pass with the three
    plain medians it is the middle one of (so that a reader can check every ratio against the page), then each
    eager block of ``ops``, forward and one training step, against it. Where every one of them comes within
    :data:`DRIFT` of 1 (its middle half containing 1, or its nearer end that close), one
    sentence with the range of the ratios says so; otherwise one bullet per block and pass
    (:func:`against_plain_blocks`). "" when the run lacks a row it needs."""
    import statistics

    from .bench.block_figure import PLAIN_FAMILY, plain_family_times

    passes = ("forward", "forward+backward")
    plain = {p: plain_family_times(doc, p) for p in passes}
    if not ops or any(v is None for v in plain.values()):
        return ""
    ratios = []  # (median, q1, q3) over the pass's reference
    for pass_ in passes:
        ref = statistics.median(plain[pass_].values())
        for op in ops:
            r = row(doc, "block", op, "eager", pass_)
            if r is None:
                return ""
            ratios.append(tuple(r["time"][k] / ref for k in ("median", "q1", "q3")))
    ms = {f"{key}_{op.lower()}": f"{plain[p][op] * 1e3:.3f}" for key, p in zip(("f", "s"), passes)
          for op in PLAIN_FAMILY}
    parts = [tr("The chart's 1 is, per pass, the middle one of the eager plain blocks' medians, ReLU, GELU and "
                "Swish (the run recorded all three; the table shows ReLU only): forward {f_relu}, {f_gelu} and "
                "{f_swish} ms, so {f_ref} ms; one training step {s_relu}, {s_gelu} and {s_swish} ms, so {s_ref} ms.",
                f_ref=f"{statistics.median(plain['forward'].values()) * 1e3:.3f}",
                s_ref=f"{statistics.median(plain['forward+backward'].values()) * 1e3:.3f}", **ms)]
    close = [lo <= 1 <= hi or (lo > 1 and lo - 1 < DRIFT) or (hi < 1 and 1 - hi < DRIFT) for _, lo, hi in ratios]
    if all(close):
        parts.append(tr("Every block in the table, forward and one training step, took {lo}× to {hi}× that time, "
                        "and each one's middle half contains 1 or comes within {drift} of it (together they span "
                        "{q_lo}× to {q_hi}×): within the clock drift between separately timed runs, so these "
                        "numbers show no difference between the blocks.", lo=f"{min(m for m, _, _ in ratios):.2f}",
                        hi=f"{max(m for m, _, _ in ratios):.2f}", q_lo=f"{min(q for _, q, _ in ratios):.2f}",
                        q_hi=f"{max(q for _, _, q in ratios):.2f}", drift=f"{DRIFT:.0%}"))
    else:
        parts.append("\n".join(against_plain_blocks(doc, op, p) for p in passes for op in ops))
    return "\n\n".join(parts)


def production_additions(run: dict[str, Any] | None, launch: dict[str, int] | None = None) -> list[str]:
    """Chapter 7, step 6: what the production kernel adds to the teaching steps, each with its recorded number,
    and the tools a kernel writer adds around it (vector width, autotuning, a profiler), which the recorded run
    did not measure and which are labelled so. ``launch`` is the launch shape (``kernels.launch_config()``;
    by default the library's, 1024 elements and 4 warps)."""
    from .kernel_steps import WIDEST_LOAD_BYTES, thread_work

    launch = launch or {"block": 1024, "num_warps": 4}
    tokens_int32 = 2**31 // sizing.llama_d_ff(4096, multiple_of=1024, ffn_dim_multiplier=1.3)
    lines = [tr("- **64-bit offsets** when an offset can pass $2^{{31}}$: a 32-bit offset wraps above {tokens} tokens "
                "of a Llama-3-8B FFN (d_ff 14336), a size long-context training reaches.", tokens=f"{tokens_int32:,}")]
    if run is not None:
        def get(op, impl):
            return value("act_mul", op, impl, "forward", run=run)

        host = {i: value("host", "silu", i, "forward", "host_time", run=run) for i in ("eager", "fused")}
        lines += [
            tr("- **The launch shape**: contiguous data as one flat row, strided rows one grid row each. Recorded "
               "GELU-erf forward: flat {flat}, row by row {rows} of the copy bandwidth; `scripts/tune_launch.py` "
               "times the launch shapes (the tuner).", flat=f"{get('gelu', 'fused'):.1%}",
               rows=f"{get('gelu', 'fused_cat'):.1%}"),
            tr("- **A cheaper erf** (Abramowitz & Stegun 7.1.26, error below 1.5e-7) with a **fast reciprocal** "
               "(`rcp.approx`): recorded GELU-erf forward {fused} against torch.compile's math-library erf "
               "{compile}; the reciprocal's share of that gain is not isolated by the run.",
               fused=f"{get('gelu', 'fused'):.1%}", compile=f"{get('gelu', 'compile'):.1%}"),
            tr("- **A light launch path** (a direct launcher instead of `kernel[grid](...)`): recorded host time of "
               "one forward call {fused} µs fused against {eager} µs eager.", fused=f"{host['fused'] * 1e6:.1f}",
               eager=f"{host['eager'] * 1e6:.1f}")]
    lines.append(tr("- **Custom-op registration** (`torch.library.custom_op`), so `torch.compile` traces `act_mul` "
                    "without a graph break; `torch.library.opcheck` tests it. The recorded run has no timing of it."))
    work = {dtype: thread_work(launch["block"], launch["num_warps"], dtype) for dtype in ("bfloat16", "float32")}
    lines.append(tr(
        "- **Vector width.** At the launch shape in use, {block} elements and {warps} warps of 32 threads, each "
        "thread handles {n} consecutive elements of every tensor: {bf16} bytes in bfloat16 and {f32} bytes in "
        "float32, that is {bf16_loads} and {f32_loads} loads of {widest} bytes, the widest one thread issues on "
        "Ampere and Hopper GPUs (`ld.global.v4.b32`). Triton chooses the width itself, from what it can prove: "
        "offsets built on `tl.arange` are contiguous, and it specialises every pointer and integer argument "
        "divisible by 16, so aligned tensors get 16-byte loads, and a pointer or row stride it cannot prove "
        "aligned gets narrower ones. To see what it chose, search the compiled kernel's PTX "
        "(`compiled.asm[\"ptx\"]`, `compiled` being what a launch returns) for `ld.global.v4`. The recorded run "
        "keeps no PTX, so this page does not show the width chosen there.",
        block=launch["block"], warps=launch["num_warps"], n=work["bfloat16"]["elements"],
        bf16=work["bfloat16"]["bytes"], f32=work["float32"]["bytes"], bf16_loads=work["bfloat16"]["loads"],
        f32_loads=work["float32"]["loads"], widest=WIDEST_LOAD_BYTES))
    lines.append(tr(
        "- **Autotuning.** `@triton.autotune(configs=[triton.Config({{\"BLOCK\": 1024}}, num_warps=4), ...], "
        "key=[\"n_cols\"])` above `@triton.jit` times every configuration the first time the kernel sees a new "
        "value of the key arguments, and keeps the fastest for that value. `ffn_lib` does not autotune at run "
        "time: its shape is fixed ({block} elements, {warps} warps; `kernels.set_launch` changes it), so the "
        "first training step is not spent timing configurations, and `scripts/tune_launch.py` times candidate "
        "shapes offline on a GPU. No tuning record is committed under `results/`, so this page shows no tuning "
        "figures.", block=launch["block"], warps=launch["num_warps"]))
    lines.append(tr(
        "- **How to look.** NVIDIA's Nsight Compute profiles single launches: `ncu --set full -k regex:act_mul "
        "-c 1 -o act_mul python script.py` collects every section for the first matching kernel. Its *GPU Speed "
        "Of Light Throughput* section gives the memory throughput as a share of the peak, and its *Memory Workload "
        "Analysis* section the bytes read from and written to DRAM, to set beside the least traffic this chapter "
        "counts (three tensors forward, five backward). Nsight Compute replays each kernel several times to "
        "collect its counters and, by default, locks the clocks to their base frequency: time with the "
        "benchmark, and read the profile for where the bytes and instructions go. No profile is committed with "
        "the course."))
    return lines


SPEEDUP_HEADERS = (N_("gate"), N_("pass"), N_("eager passes"), N_("fused"), N_("predicted"), N_("measured"),
                   N_("measured / predicted"))


def speedup_table(run: dict[str, Any] | None) -> str:
    """Chapter 7: the speed-up of fusing predicted from passes beside the one measured, gate by gate and pass by
    pass (:func:`ffn_lib.predict.speedups`), and how many predictions fall within
    :data:`ffn_lib.predict.PREDICTION_BAND`."""
    from . import predict

    if run is None:
        return tr("No recorded GPU run yet; see the GPU results page.")
    found = predict.speedups(run)
    table = ["| " + " | ".join(tr(h) for h in SPEEDUP_HEADERS) + " |", "|---|---|---:|---:|---:|---:|---:|"]
    table += [f"| {gate_label(s.gate)} | {pass_name(s.pass_)} | {s.eager_passes} | {s.fused_passes} | "
              f"{s.predicted:.2f}× | "
              f"{s.measured:.2f}× | {s.measured / s.predicted:.2f} |" for s in found]
    close = [s for s in found if s.within()]
    far = sorted({gate_label(s.gate) for s in found if not s.within()})
    fields = dict(device=run["provenance"]["device"]["name"], close=len(close), total=len(found),
                  band=f"{predict.PREDICTION_BAND:.0%}")
    if far:
        sentence = tr("On {device}: {close} of {total} predictions within {band} of the measurement; further off: "
                      "{far}.", far=reduce(lambda a, b: tr("{a}, {b}", a=a, b=b), far), **fields)
    else:
        sentence = tr("On {device}: {close} of {total} predictions within {band} of the measurement; further off: "
                      "none.", **fields)
    return "\n".join(table) + "\n\n" + sentence


def prediction_misses(run: dict[str, Any] | None) -> list[str]:
    """Chapter 7: why the predictions outside :data:`ffn_lib.predict.PREDICTION_BAND` miss, from the run's shares.

    measured / predicted = (t_eager / t_fused) / (P_eager / P_fused) = s_fused / s_own, where s_fused is the fused
    kernel's share of the copy bandwidth (least traffic, P_fused passes, over its time) and s_own = s_eager
    P_eager / P_fused is eager's share counted on the passes it makes: a miss is an eager step streaming slower, or
    faster, than the fused kernel. For GELU-erf's forward, torch.compile (one kernel, three passes, the CUDA math
    library's erf, as ATen's eager GELU kernel calls) shows what that erf costs by itself. Empty without misses."""
    from . import predict

    if run is None:
        return []
    out = []
    for s in predict.speedups(run):
        if s.within():
            continue
        fused = value("act_mul", s.gate, "fused", s.pass_, run=run)
        own = value("act_mul", s.gate, "eager", s.pass_, run=run) * s.eager_passes / s.fused_passes
        out.append(tr("- {gate}, {pass_}: eager streamed its {eager} passes at {own} of the copy bandwidth, the fused "
                      "kernel its {fused_passes} at {fused}; their ratio, {ratio}, is the measured over the predicted "
                      "speed-up.", gate=gate_label(s.gate), pass_=pass_name(s.pass_), eager=s.eager_passes,
                      own=f"{own:.1%}", fused_passes=s.fused_passes, fused=f"{fused:.1%}", ratio=f"{fused / own:.3f}"))
    erf = {i: value("act_mul", "gelu", i, "forward", run=run) for i in ("eager", "compile", "fused")}
    if out and all(erf.values()):
        own = erf["eager"] * predict.eager_passes("gelu", "forward") / predict.fused_passes("forward")
        out.append(tr("- Pointing to the erf: torch.compile runs GELU-erf's forward as one kernel of three passes, "
                      "like the fused kernel, but with the CUDA math library's erf, the one ATen's eager GELU kernel "
                      "calls. It reached {compile} of the copy bandwidth, close to eager's {own} on its own passes, "
                      "while the fused kernel, with the cheaper erf of step 6, reached {fused}. The two are different "
                      "kernels (another erf, but also another generator, launch and reciprocal), so this points to the "
                      "math library's erf as what falls short of the roof without isolating it: the row that would, "
                      "the fused kernel with the math library's erf, was not timed in this run.",
                      compile=f"{erf['compile']:.1%}", own=f"{own:.1%}", fused=f"{erf['fused']:.1%}"))
    return out


def amdahl_sentence(run: dict[str, Any] | None) -> str:
    """Chapter 7: the block's training step predicted by Amdahl's law from the activation step's share, against
    the measurement, and the peak memory saved (:func:`ffn_lib.predict.block_step`)."""
    from . import predict

    b = predict.block_step(run) if run is not None else None
    if b is None:
        return tr("The recorded run has no like-for-like block and activation rows.")
    cfg = run["config"]
    return tr("In the recorded run the eager activation step is {share} of the eager {op} step ({step_us} µs of "
              "{eager_ms} ms). Amdahl predicts the fused block at {predicted_ms} ms, {predicted}× faster; measured "
              "{fused_ms} ms, {measured}×. Peak memory fell by {saved} MiB, {times} times one {rows} x {d_ff} "
              "tensor: the SiLU output eager saves and the fused kernel recomputes.",
              share=f"{b.share:.1%}", op=b.op, step_us=f"{b.step_eager_s * 1e6:.0f}", eager_ms=f"{b.eager_s * 1e3:.2f}",
              predicted_ms=f"{b.predicted_s * 1e3:.2f}", predicted=f"{b.predicted_speedup:.3f}",
              fused_ms=f"{b.fused_s * 1e3:.2f}", measured=f"{b.measured_speedup:.3f}",
              saved=f"{b.saved_memory / 2**20:.0f}", times=f"{b.saved_memory / b.one_tensor:.2f}",
              rows=f"{cfg['tokens']:,}", d_ff=f"{cfg['d_ff_swiglu']:,}")


def gemm_pair_sentence(run: dict[str, Any] | None) -> str:
    """Chapter 7: gate and up as two products against one concatenated product; empty without the rows."""
    pair = {n: row(run, "gemm", op, "eager", "forward") if run else None
            for n, op in (("two", "gate and up, two GEMMs"), ("one", "gate_up, one GEMM"))}
    if not all(pair.values()):
        return ""
    two, one = pair["two"]["time"], pair["one"]["time"]
    fields = dict(two=f"{two['median'] * 1e3:.2f}", one=f"{one['median'] * 1e3:.2f}",
                  ratio=f"{two['median'] / one['median']:.3f}")
    if _middle_halves_apart(one, two):
        return tr("The two products took {two} ms and the concatenated one {one} ms: the two took {ratio}× as long, "
                  "with middle halves that do not overlap.", **fields)
    return tr("The two products took {two} ms and the concatenated one {one} ms: the two took {ratio}× as long, "
              "with middle halves that overlap.", **fields)


FIGURE_PASSES = {"forward": N_("forward"), "backward": N_("backward"), "forward+backward": N_("both")}


def speedup_figure(found: list, device: str):
    """Chapter 7: one dot per gate and pass, the measured speed-up of fusing over the one bytes predict
    (:func:`ffn_lib.predict.speedups`); on the dashed line the prediction was exact, inside the shaded band it
    was within :data:`ffn_lib.predict.PREDICTION_BAND`. None without speed-ups. ``fig.alt`` describes it; the
    figure is closed, so it appears where it is displayed."""
    import matplotlib.pyplot as plt

    from .plotting import use_style
    from .predict import PREDICTION_BAND

    if not found:
        return None
    use_style()
    fig, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
    gates = list(dict.fromkeys(s.gate for s in found))
    ax.axhspan(1 - PREDICTION_BAND, 1 + PREDICTION_BAND, color="0.85", zorder=0,
               label=tr("within ±{band} of the prediction", band=f"{PREDICTION_BAND:.0%}"))
    ax.axhline(1.0, color="0.3", ls="--", lw=1, label=tr("as predicted"))
    for k, pass_ in enumerate(PASSES):
        dots = [(gates.index(s.gate) + (k - 1) * 0.18, s.measured / s.predicted) for s in found if s.pass_ == pass_]
        if dots:
            ax.plot(*zip(*dots), "o", ms=7, label=tr(FIGURE_PASSES[pass_]), zorder=3)
    ax.set_xticks(range(len(gates)), [gate_label(g) for g in gates])
    ax.set(ylabel=tr("measured / predicted speed-up"),
           title=tr("Fusing act(g) * u, predicted from bytes: {device}", device=device))
    fig.legend(ncols=5, fontsize=10, loc="outside lower center", frameon=False)
    ax.grid(axis="x", visible=False)
    fig.alt = tr(SPEEDUP_FIGURE_ALT, band=f"{PREDICTION_BAND:.0%}", low=f"{1 - PREDICTION_BAND:.2f}",
                 high=f"{1 + PREDICTION_BAND:.2f}")
    plt.close(fig)  # shown once, where the caller displays it
    return fig


SPEEDUP_FIGURE_ALT = N_("One dot per gate and pass (forward, backward, both): the measured speed-up of fusing "
                        "divided by the one predicted from tensor passes. A dashed line at 1 marks an exact prediction "
                        "and a grey band from {low} to {high} the predictions counted as within {band}; dots above the "
                        "band are gates where fusing paid more than the bytes predict.")


def epilogue_lines(run: dict[str, Any] | None) -> list[str]:
    """Chapter 7: the three bounds of :func:`ffn_lib.predict.epilogue_bounds`, one labelled line each (inference;
    training with a forward epilogue only; training with both directions fused), or one line saying the rows are
    missing."""
    from . import predict

    e = predict.epilogue_bounds(run) if run is not None else None
    if e is None:
        return [tr("The recorded run has no like-for-like block and activation rows.")]
    return [
        tr("- **Inference** (forward only): the fused act·mul takes {step} µs of the fused forward block's "
           "{block} ms, {share}: an epilogue removes all of it.", step=f"{e.forward_step_s * 1e6:.0f}",
           block=f"{e.forward_block_s * 1e3:.2f}", share=f"{e.inference:.1%}"),
        tr("- **Training, forward epilogue only**: g and u must still be written for the backward, so only the "
           "forward act·mul's reads of g and u go, {saved} of its {passes} passes: {saved}/{passes} × {step} µs of "
           "the fused training step's {block} ms, {share}.", saved=e.saved_passes, passes=e.passes,
           step=f"{e.forward_step_s * 1e6:.0f}", block=f"{e.block_s * 1e3:.2f}", share=f"{e.training_forward:.1%}"),
        tr("- **Training, both directions fused, g and u free**: the whole fused act·mul, forward and backward, "
           "{step} µs of {block} ms, {share}, a bound that also needs the backward's act·mul fused into the "
           "matrix products around it.", step=f"{e.step_s * 1e6:.0f}", block=f"{e.block_s * 1e3:.2f}",
           share=f"{e.training_both:.1%}"),
    ]


CUDA_TESTS = "tests-cuda.xml"  # the junit file gpu_run.sh's tests step writes beside results.json


def cuda_tests(run: dict[str, Any] | None) -> dict[str, dict[str, str]] | None:
    """The recorded run's test outcomes on CUDA, ``{test file stem: {test name: "passed" | "failed" |
    "skipped"}}``, read from :data:`CUDA_TESTS` beside its results.json; None when the run has no such file."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    path = Path(run["path"]).parent / CUDA_TESTS if run is not None and run.get("path") else None
    if path is None or not path.is_file():
        return None
    found: dict[str, dict[str, str]] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        stem = (case.get("classname") or "").split(".")[-1]
        tags = {child.tag for child in case}
        outcome = "failed" if tags & {"failure", "error"} else "skipped" if "skipped" in tags else "passed"
        found.setdefault(stem, {})[case.get("name", "")] = outcome
    return found


def cuda_test_passed(run: dict[str, Any] | None, stem: str, name: str) -> bool | None:
    """Whether every case of test ``name`` (with its parameters, ``name[...]``) in ``stem`` passed on CUDA in the
    recorded run; None when that test did not run there."""
    cases = (cuda_tests(run) or {}).get(stem, {})
    outcomes = [o for n, o in cases.items() if n == name or n.startswith(name + "[")]
    return None if not outcomes else all(o == "passed" for o in outcomes)


KERNEL_CHAPTER_TESTS = ("test_kernel_chapter", "test_kernel_exercises", "test_kernel_checker_k7")


PRODUCTION_KERNEL_TESTS = "test_kernels"  # the tests of ffn_lib.kernels, the production kernels


def _test_outcomes(tests: dict[str, dict[str, str]]) -> str:
    """How the recorded CUDA tests came out: "521 passed; the 7 failures, in `test_bench`, ..., are described
    with the run on the GPU results page", and whether every test of the production kernels passed."""
    from .bench.report import GPU_RESULTS_PAGE

    outcomes = [o for cases in tests.values() for o in cases.values()]
    failed = sorted(stem for stem, cases in tests.items() if "failed" in cases.values())
    fields = dict(passed=outcomes.count("passed"), failed=outcomes.count("failed"), page=GPU_RESULTS_PAGE,
                  files=", ".join(f"`{s}`" for s in failed))
    said = (ntr("{passed} passed; the {failed} failure, in {files}, is described with the run on the [GPU results]"
                "({page}) page", "{passed} passed; the {failed} failures, in {files}, are described with the run on "
                "the [GPU results]({page}) page", fields["failed"], **fields) if failed
            else tr("all {passed} passed", **fields))
    kernels = tests.get(PRODUCTION_KERNEL_TESTS)
    if kernels is None:
        return said
    bad = list(kernels.values()).count("failed")
    fields.update(n=len(kernels), bad=bad, stem=PRODUCTION_KERNEL_TESTS)
    if bad:
        return tr("{said}; {bad} of the {n} tests of the production kernels (`{stem}`) failed", said=said, **fields)
    return tr("{said}; none of the {n} tests of the production kernels (`{stem}`) failed", said=said, **fields)


def gpu_checked_sentence(run: dict[str, Any] | None, stems: tuple[str, ...] = KERNEL_CHAPTER_TESTS) -> str:
    """Chapter 7: which of its kernels have run on a GPU. The chapter's teaching kernels (steps 1 to 5), the
    epilogue ``matmul_swiglu`` and the exercise checks are tested by ``stems``; when none of those ran in the
    recorded run's CUDA tests, they were checked only in Triton's interpreter, and the sentence says so. How the
    recorded tests came out (passed, failed and in which files, the production kernels' own) is read from the
    run's junit file, not typed in (:func:`_test_outcomes`)."""
    tests = cuda_tests(run)
    if tests is None:
        return tr("No recorded GPU run has test results: this chapter's kernels have been checked only in Triton's "
                  "interpreter, on a CPU.")
    ran = [s for s in stems if s in tests]
    date = run["provenance"]["date"][:10]
    files = ", ".join(f"`{s}`" for s in sorted(tests))
    if not ran:
        return tr("Checked in Triton's interpreter; not yet run on a GPU: the recorded GPU run of {date} ran {n} tests "
                  "on CUDA ({files}): {outcomes}. None of this chapter's own tests ({ours}) was among them, so the "
                  "teaching kernels of steps 1 to 5, the epilogue `matmul_swiglu` and the exercises' kernel checks "
                  "have run only in the interpreter, where `tl.dot` is NumPy float32 and no GPU arithmetic is "
                  "exercised.", date=date, n=sum(len(v) for v in tests.values()), files=files,
                  outcomes=_test_outcomes(tests), ours=", ".join(f"`{s}`" for s in stems))
    return tr("The recorded GPU run of {date} ran this chapter's tests on CUDA too ({ran}): {outcomes}.", date=date,
              ran=", ".join(f"`{s}`" for s in ran), outcomes=_test_outcomes(tests))


def erf_accuracy_sentence(run: dict[str, Any] | None, device: str) -> str:
    """Chapter 7: where the accuracy line above it was computed (``device``: ``"cuda"`` natively, else Triton's
    interpreter), and whether the recorded run's ``test_gelu_erf_accuracy`` (the same kernel against float64, with
    the bounds its docstring states) passed on CUDA (:func:`cuda_test_passed`)."""
    where = (tr("That line was computed on this GPU.") if device == "cuda" else
             tr("That line was computed in Triton's interpreter, with NumPy's arithmetic, so it does not measure a "
                "GPU's."))
    passed = cuda_test_passed(run, "test_kernels", "test_gelu_erf_accuracy")
    if passed is None:
        return _sentences(where, tr("The recorded GPU run has no result of `test_gelu_erf_accuracy`."))
    date = run["provenance"]["date"][:10]
    if passed:
        return _sentences(where, tr("On a GPU, `test_gelu_erf_accuracy` (the same kernel against float64 on [-12, "
                                    "12], both erf variants, float32, bfloat16 and float16) passed on CUDA in the "
                                    "recorded run of {date}.", date=date))
    return _sentences(where, tr("On a GPU, `test_gelu_erf_accuracy` failed on CUDA in the recorded run of {date}.",
                                date=date))
