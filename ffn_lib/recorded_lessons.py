"""What the recorded GPU run teaches in chapters 6 and 7, as sentences generated from its numbers.

Each function takes the run (:func:`ffn_lib.bench.latest_run`, or None) and returns its text, or a line saying
the numbers are missing; none writes a number the run does not hold. Chapter 6: :func:`block_steps`. Chapter 7:
:func:`production_additions`, :func:`speedup_table`, :func:`prediction_misses`, :func:`amdahl_sentence`, :func:`gemm_pair_sentence`, and
:func:`lessons`, which writes one bullet per lesson of the chapter (launch shape, host path, torch.compile, erf, and the
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
        return f"{min(times):.1f} to {max(times):.1f} ms"

    extra = gated["eager"][0]["flops"]["value"] / plain[0]["flops"]["value"] - 1
    cfg = run["config"]
    return (f"In the recorded run on {run['provenance']['device']['name']} ({cfg['tokens']:,} tokens, "
            f"d_model {cfg['d_model']}, d_ff {cfg['d_ff_plain']:,} plain and {cfg['d_ff_gated']:,} gated, "
            f"{cfg['dtype']}), one training step took {ms(plain)} for the plain blocks, {ms(gated['eager'])} "
            f"for the gated ones eager and {ms(gated['fused'])} with the fused kernel; at that rounded width the "
            f"gated blocks' matrix products do {abs(extra):.1%} {'more' if extra > 0 else 'fewer'} FLOPs than "
            "the plain ones'.")


def production_additions(run: dict[str, Any] | None, launch: dict[str, int] | None = None) -> list[str]:
    """Chapter 7, step 6: what the production kernel adds to the teaching steps, each with its recorded number,
    and the tools a kernel writer adds around it (vector width, autotuning, a profiler), which the recorded run
    did not measure and which are labelled so. ``launch`` is the launch shape (``kernels.launch_config()``;
    by default the library's, 1024 elements and 4 warps)."""
    from .kernel_steps import WIDEST_LOAD_BYTES, thread_work

    launch = launch or {"block": 1024, "num_warps": 4}
    tokens_int32 = 2**31 // sizing.llama_d_ff(4096, multiple_of=1024, ffn_dim_multiplier=1.3)
    lines = [f"- **64-bit offsets** when an offset can pass $2^{{31}}$: a 32-bit offset wraps above {tokens_int32:,} "
             "tokens of a Llama-3-8B FFN (d_ff 14336), a size long-context training reaches."]
    if run is not None:
        def get(op, impl):
            return value("act_mul", op, impl, "forward", run=run)

        host = {i: value("host", "silu", i, "forward", "host_time", run=run) for i in ("eager", "fused")}
        lines += [
            f"- **The launch shape**: contiguous data as one flat row, strided rows one grid row each. Recorded "
            f"GELU-erf forward: flat {get('gelu', 'fused'):.1%}, row by row {get('gelu', 'fused_cat'):.1%} of "
            "the copy bandwidth; `scripts/tune_launch.py` times the launch shapes (the tuner).",
            f"- **A cheaper erf** (Abramowitz & Stegun 7.1.26, error below 1.5e-7) with a **fast reciprocal** "
            f"(`rcp.approx`): recorded GELU-erf forward {get('gelu', 'fused'):.1%} against torch.compile's "
            f"math-library erf {get('gelu', 'compile'):.1%}; the reciprocal's share of that gain is not "
            "isolated by the run.",
            f"- **A light launch path** (a direct launcher instead of `kernel[grid](...)`): recorded host time "
            f"of one forward call {host['fused'] * 1e6:.1f} µs fused against {host['eager'] * 1e6:.1f} µs eager."]
    lines.append("- **Custom-op registration** (`torch.library.custom_op`), so `torch.compile` traces `act_mul` "
                 "without a graph break; `torch.library.opcheck` tests it. The recorded run has no timing of it.")
    work = {dtype: thread_work(launch["block"], launch["num_warps"], dtype) for dtype in ("bfloat16", "float32")}
    lines.append(
        "- **Vector width.** At the launch shape in use, {block} elements and {warps} warps of 32 threads, each "
        "thread handles {n} consecutive elements of every tensor: {bf16} bytes in bfloat16 and {f32} bytes in "
        "float32, that is {bf16_loads} and {f32_loads} loads of {widest} bytes, the widest one thread issues on "
        "Ampere and Hopper GPUs (`ld.global.v4.b32`). Triton chooses the width itself, from what it can prove: "
        "offsets built on `tl.arange` are contiguous, and it specialises every pointer and integer argument "
        "divisible by 16, so aligned tensors get 16-byte loads, and a pointer or row stride it cannot prove "
        "aligned gets narrower ones. To see what it chose, search the compiled kernel's PTX "
        "(`compiled.asm[\"ptx\"]`, `compiled` being what a launch returns) for `ld.global.v4`. The recorded run "
        "keeps no PTX, so this page does not show the width chosen there.".format(
            block=launch["block"], warps=launch["num_warps"], n=work["bfloat16"]["elements"],
            bf16=work["bfloat16"]["bytes"], f32=work["float32"]["bytes"], bf16_loads=work["bfloat16"]["loads"],
            f32_loads=work["float32"]["loads"], widest=WIDEST_LOAD_BYTES))
    lines.append(
        "- **Autotuning.** `@triton.autotune(configs=[triton.Config({{\"BLOCK\": 1024}}, num_warps=4), ...], "
        "key=[\"n_cols\"])` above `@triton.jit` times every configuration the first time the kernel sees a new "
        "value of the key arguments, and keeps the fastest for that value. `ffn_lib` does not autotune at run "
        "time: its shape is fixed ({block} elements, {warps} warps; `kernels.set_launch` changes it), so the "
        "first training step is not spent timing configurations, and `scripts/tune_launch.py` times candidate "
        "shapes offline on a GPU. No tuning record is committed under `results/`, so this page shows no tuning "
        "figures.".format(block=launch["block"], warps=launch["num_warps"]))
    lines.append(
        "- **How to look.** NVIDIA's Nsight Compute profiles single launches: `ncu --set full -k regex:act_mul "
        "-c 1 -o act_mul python script.py` collects every section for the first matching kernel. Its *GPU Speed "
        "Of Light Throughput* section gives the memory throughput as a share of the peak, and its *Memory Workload "
        "Analysis* section the bytes read from and written to DRAM, to set beside the least traffic this chapter "
        "counts (three tensors forward, five backward). Nsight Compute replays each kernel several times to "
        "collect its counters and, by default, locks the clocks to their base frequency: time with the "
        "benchmark, and read the profile for where the bytes and instructions go. No profile is committed with "
        "the course.")
    return lines


def speedup_table(run: dict[str, Any] | None) -> str:
    """Chapter 7: the speed-up of fusing predicted from passes beside the one measured, gate by gate and pass by
    pass (:func:`ffn_lib.predict.speedups`), and how many predictions fall within
    :data:`ffn_lib.predict.PREDICTION_BAND`."""
    from . import predict

    if run is None:
        return "No recorded GPU run yet; see the GPU results page."
    found = predict.speedups(run)
    table = ["| gate | pass | eager passes | fused | predicted | measured | measured / predicted |",
             "|---|---|---:|---:|---:|---:|---:|"]
    table += [f"| {s.gate} | {s.pass_} | {s.eager_passes} | {s.fused_passes} | {s.predicted:.2f}× | "
              f"{s.measured:.2f}× | {s.measured / s.predicted:.2f} |" for s in found]
    close = [s for s in found if s.within()]
    far = sorted({s.gate for s in found if not s.within()})
    return ("\n".join(table) + "\n\n" + "On {device}: {close} of {total} predictions within {band:.0%} of the "
            "measurement; further off: {far}.".format(device=run["provenance"]["device"]["name"], close=len(close),
                                                      total=len(found), band=predict.PREDICTION_BAND,
                                                      far=", ".join(far) or "none"))


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
        out.append("- {gate}, {pass_}: eager streamed its {eager} passes at {own:.1%} of the copy bandwidth, the fused "
                   "kernel its {fused_passes} at {fused:.1%}; their ratio, {ratio:.3f}, is the measured over the "
                   "predicted speed-up.".format(gate=GATES.get(s.gate, s.gate), pass_=s.pass_, eager=s.eager_passes,
                                                own=own, fused_passes=s.fused_passes, fused=fused, ratio=fused / own))
    erf = {i: value("act_mul", "gelu", i, "forward", run=run) for i in ("eager", "compile", "fused")}
    if out and all(erf.values()):
        own = erf["eager"] * predict.eager_passes("gelu", "forward") / predict.fused_passes("forward")
        out.append("- The erf by itself: torch.compile runs GELU-erf's forward as one kernel of three passes, like "
                   "the fused kernel, but with the CUDA math library's erf, the one ATen's eager GELU kernel calls. It "
                   "reached {compile:.1%} of the copy bandwidth, close to eager's {own:.1%} on its own passes, while "
                   "the fused kernel, with the cheaper erf of step 6, reached {fused:.1%}. With the math library's "
                   "erf, the arithmetic no longer hides behind the loads, whoever launches it.".format(
                       compile=erf["compile"], own=own, fused=erf["fused"]))
    return out


def amdahl_sentence(run: dict[str, Any] | None) -> str:
    """Chapter 7: the block's training step predicted by Amdahl's law from the activation step's share, against
    the measurement, and the peak memory saved (:func:`ffn_lib.predict.block_step`)."""
    from . import predict

    b = predict.block_step(run) if run is not None else None
    if b is None:
        return "The recorded run has no like-for-like block and activation rows."
    cfg = run["config"]
    return (f"In the recorded run the eager activation step is {b.share:.1%} of the eager {b.op} step "
            f"({b.step_eager_s * 1e6:.0f} µs of {b.eager_s * 1e3:.2f} ms). Amdahl predicts the fused block at "
            f"{b.predicted_s * 1e3:.2f} ms, {b.predicted_speedup:.3f}× faster; measured {b.fused_s * 1e3:.2f} ms, "
            f"{b.measured_speedup:.3f}×. Peak memory fell by {b.saved_memory / 2**20:.0f} MiB, "
            f"{b.saved_memory / b.one_tensor:.2f} times one {cfg['tokens']:,} x {cfg['d_ff_swiglu']:,} "
            "tensor: the SiLU output eager saves and the fused kernel recomputes.")


def gemm_pair_sentence(run: dict[str, Any] | None) -> str:
    """Chapter 7: gate and up as two products against one concatenated product; empty without the rows."""
    pair = {n: row(run, "gemm", op, "eager", "forward") if run else None
            for n, op in (("two", "gate and up, two GEMMs"), ("one", "gate_up, one GEMM"))}
    if not all(pair.values()):
        return ""
    two, one = pair["two"]["time"], pair["one"]["time"]
    return (f"The two products took {two['median'] * 1e3:.2f} ms and the concatenated one "
            f"{one['median'] * 1e3:.2f} ms: the two took {two['median'] / one['median']:.3f}× as long, with middle "
            f"halves that {'do not overlap' if _middle_halves_apart(one, two) else 'overlap'}.")


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
               label="within ±{band:.0%} of the prediction".format(band=PREDICTION_BAND))
    ax.axhline(1.0, color="0.3", ls="--", lw=1, label="as predicted")
    for k, pass_ in enumerate(PASSES):
        dots = [(gates.index(s.gate) + (k - 1) * 0.18, s.measured / s.predicted) for s in found if s.pass_ == pass_]
        if dots:
            ax.plot(*zip(*dots), "o", ms=7, label=pass_.replace("forward+backward", "both"), zorder=3)
    ax.set_xticks(range(len(gates)), [GATES.get(g, g) for g in gates])
    ax.set(ylabel="measured / predicted speed-up", title=f"Fusing act(g) * u, predicted from bytes: {device}")
    fig.legend(ncols=5, fontsize=10, loc="outside lower center", frameon=False)
    ax.grid(axis="x", visible=False)
    fig.alt = SPEEDUP_FIGURE_ALT.format(band=PREDICTION_BAND, low=1 - PREDICTION_BAND, high=1 + PREDICTION_BAND)
    plt.close(fig)  # shown once, where the caller displays it
    return fig


SPEEDUP_FIGURE_ALT = ("One dot per gate and pass (forward, backward, both): the measured speed-up of fusing divided "
                      "by the one predicted from tensor passes. A dashed line at 1 marks an exact prediction and a "
                      "grey band from {low:.2f} to {high:.2f} the predictions counted as within {band:.0%}; "
                      "dots above the band are gates where fusing paid more than the bytes predict.")
