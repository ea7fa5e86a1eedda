"""Predict, then measure: what byte counts say about the fused act(g) * u, checked against a recorded run.

A memory-bound pass takes about (bytes it moves) / (bandwidth), so the speed-up of the fused kernel over eager
PyTorch is predicted by the ratio of their tensor passes (Williams et al. 2009, the roofline model):

    predicted = eager passes / fused passes          (forward 5 / 3, backward 9 / 5 for SiLU)
    measured  = eager median time / fused median time (the recorded run's rows)

Eager passes are counted, not assumed: :func:`eager_passes` runs ``act_mul_eager`` under ``torch.profiler`` on
small CPU tensors (:func:`ffn_lib.analysis.elementwise_passes`), so Swish with a beta (four kernels) and the
identity gate (one multiply) get their own counts. Fused passes are the minimum,
:func:`ffn_lib.sizing.activation_tensors`.

For a whole block, Amdahl's law: only the activation step changes, so

    predicted block time = eager block time - (eager step time - fused step time),

and the peak memory drops by the tensor the fused kernel recomputes instead of saving (act(g), one
tokens x d_ff tensor). Everything here reads a run given as a dict (``ffn_lib.bench.latest_run()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import torch

from . import sizing
from .bench.report import flop_roof, row, select

GATES = ("sigmoid", "identity", "relu", "gelu", "gelu_tanh", "silu", "swish")
PASSES = ("forward", "backward", "forward+backward")
# FLOPs per element of the fused SiLU(g) * u, for placing act(g) * u on a roofline (nominal, every gate alike):
# forward exp, add, divide, multiply by g, multiply by u (sizing.ACT_MUL_OPS_PER_ELEMENT); backward the sigmoid
# again (3), SiLU and its derivative s (1 + g (1 - s)) (5), then dy * u * act' and dy * act (4).
OPS_PER_ELEMENT = {"forward": sizing.ACT_MUL_OPS_PER_ELEMENT, "backward": 12}
OPS_PER_ELEMENT["forward+backward"] = OPS_PER_ELEMENT["forward"] + OPS_PER_ELEMENT["backward"]
# How close a measured speed-up must come to the predicted one to count as "as predicted" (chapter 7's table,
# sentence and figure all use this one band): |measured / predicted - 1| <= PREDICTION_BAND.
PREDICTION_BAND = 0.05


def _check_pass(pass_: str) -> None:
    if pass_ not in PASSES:
        raise ValueError(f"pass_ must be one of {', '.join(PASSES)}, got {pass_!r}.")


@lru_cache(maxsize=None)
def _eager_passes(activation: str, backward: bool, params: tuple) -> int:
    from .activations import act_mul_eager
    from .profiled import elementwise_passes

    g, u = torch.randn(4, 8), torch.randn(4, 8)
    kernels = elementwise_passes(lambda g, u: act_mul_eager(g, u, activation, **dict(params)), g, u,
                                 backward=backward)
    return sum(k.reads + k.writes for k in kernels)


def eager_passes(activation: str, pass_: str, **params: Any) -> int:
    """Tensor passes (reads + writes of tokens x d_ff tensors) of eager ``act(g) * u``, counted by the profiler."""
    _check_pass(pass_)
    key = tuple(sorted(params.items()))
    if pass_ == "forward+backward":
        return _eager_passes(activation, False, key) + _eager_passes(activation, True, key)
    return _eager_passes(activation, pass_ == "backward", key)


def fused_passes(pass_: str) -> int:
    """The fewest tensor passes of the gated step: forward 3, backward 5, both 8."""
    _check_pass(pass_)
    fwd = sizing.activation_tensors(gated=True, backward=False)
    bwd = sizing.activation_tensors(gated=True, backward=True)
    return {"forward": fwd, "backward": bwd, "forward+backward": fwd + bwd}[pass_]


@dataclass(frozen=True)
class Speedup:
    """One gate and pass: the speed-up predicted from bytes beside the one measured."""

    gate: str
    pass_: str
    eager_passes: int
    fused_passes: int
    eager_time_s: float
    fused_time_s: float

    @property
    def predicted(self) -> float:
        return self.eager_passes / self.fused_passes

    @property
    def measured(self) -> float:
        return self.eager_time_s / self.fused_time_s

    @property
    def error(self) -> float:
        """measured / predicted - 1: above 0, fusing paid more than the bytes predict (eager was slower still)."""
        return self.measured / self.predicted - 1

    def within(self, band: float = PREDICTION_BAND) -> bool:
        """Whether the measurement is within ``band`` (a fraction) of the prediction."""
        return abs(self.error) <= band


def speedups(run: dict[str, Any], impl: str = "fused", gates=GATES, passes=PASSES) -> list[Speedup]:
    """Predicted and measured speed-up of ``impl`` over eager for every gate and pass the run has."""
    out = []
    for gate in gates:
        for pass_ in passes:
            e, f = row(run, "act_mul", gate, "eager", pass_), row(run, "act_mul", gate, impl, pass_)
            if e is None or f is None:
                continue
            out.append(Speedup(gate, pass_, eager_passes(gate, pass_, **e.get("params", {})), fused_passes(pass_),
                               e["time"]["median"], f["time"]["median"]))
    return out


@dataclass(frozen=True)
class BlockStep:
    """Amdahl's law for one block's training step: the activation step is the only part that changes."""

    op: str
    eager_s: float
    fused_s: float
    step_eager_s: float
    step_fused_s: float
    eager_peak: float
    fused_peak: float
    one_tensor: int

    @property
    def share(self) -> float:
        """The eager activation step's share of the eager block step."""
        return self.step_eager_s / self.eager_s

    @property
    def predicted_s(self) -> float:
        return self.eager_s - (self.step_eager_s - self.step_fused_s)

    @property
    def predicted_speedup(self) -> float:
        return self.eager_s / self.predicted_s

    @property
    def measured_speedup(self) -> float:
        return self.eager_s / self.fused_s

    @property
    def saved_memory(self) -> float:
        return self.eager_peak - self.fused_peak

    @property
    def fused_share(self) -> float:
        """The fused step's share of the fused block: the most that fusing it into the products could save."""
        return self.step_fused_s / self.fused_s


def block_step(run: dict[str, Any], pass_: str = "forward+backward") -> BlockStep | None:
    """The SwiGLU block at the run's activation size (``d_ff_swiglu``, the act_mul rows' width), or None."""
    cfg = run["config"]
    op = f"SwiGLU (d_ff {cfg['d_ff_swiglu']})"
    if cfg["d_ff_swiglu"] != cfg["d_ff_act"]:
        return None  # the act_mul rows were timed at another width: no like-for-like share
    rows = [row(run, "block", op, "eager", pass_), row(run, "block", op, "fused", pass_),
            row(run, "act_mul", "silu", "eager", pass_), row(run, "act_mul", "silu", "fused", pass_)]
    if any(r is None for r in rows):
        return None
    be, bf, se, sf = rows
    one = cfg["tokens"] * cfg["d_ff_swiglu"] * sizing.dtype_bytes(cfg["dtype"])
    peak = [(r.get("peak_memory") or {}).get("value", float("nan")) for r in (be, bf)]
    return BlockStep(op, be["time"]["median"], bf["time"]["median"], se["time"]["median"], sf["time"]["median"],
                     peak[0], peak[1], one)


def recompute_passes() -> dict[str, int]:
    """Tensor passes of a fused forward + backward that saves act(g) for the backward, against one that
    recomputes it: saving writes act(g) in the forward and reads it in the backward (which still needs g for
    act'(g)), two more passes and one more tensor kept alive between the passes."""
    recompute = fused_passes("forward+backward")
    return {"recompute": recompute, "save": recompute + 2}


@dataclass(frozen=True)
class EpilogueBounds:
    """The most fusing the act·mul step into the gate/up matrix product (an epilogue) could save, as a share of
    the fused block's time, in three settings (:func:`epilogue_bounds`)."""

    inference: float  # forward only: the fused forward act·mul's share of the fused forward block
    training_forward: float  # a training step whose forward only gets the epilogue: the forward's reads of g, u
    training_both: float  # a training step with both directions fused and g, u free: the whole act·mul's share
    forward_step_s: float  # the fused forward act·mul's time
    forward_block_s: float  # the fused forward block's time
    step_s: float  # the fused act·mul's forward+backward time
    block_s: float  # the fused block's training step
    saved_passes: int  # of the forward act·mul's passes, those an epilogue removes in training (the reads)
    passes: int  # the forward act·mul's tensor passes


def epilogue_bounds(run: dict[str, Any]) -> EpilogueBounds | None:
    """Three upper bounds on an epilogue fusion's saving, from the run's SwiGLU block and act·mul rows
    (:func:`block_step`): in inference the whole forward act·mul goes; in training with a forward epilogue only,
    g and u must still be written for the backward, so only the forward act·mul's reads of g and u go (2 of its 3
    passes, its time scaled by that share); with both directions fused and g, u free, the whole fused act·mul's
    forward+backward goes. None without the rows."""
    fwd, both = block_step(run, "forward"), block_step(run)
    if fwd is None or both is None:
        return None
    passes = sizing.activation_tensors(gated=True, backward=False)
    saved = passes - 1  # the reads of g and u; y is still written (by the product's epilogue)
    return EpilogueBounds(inference=fwd.fused_share,
                          training_forward=saved / passes * fwd.step_fused_s / both.fused_s,
                          training_both=both.fused_share, forward_step_s=fwd.step_fused_s, forward_block_s=fwd.fused_s,
                          step_s=both.step_fused_s, block_s=both.fused_s, saved_passes=saved, passes=passes)


def host_crossing_tokens(run: dict[str, Any], impl: str = "fused", pass_: str = "forward+backward") -> float | None:
    """Tokens below which issuing ``impl``'s call (host time at the run's small size) takes longer than its GPU
    time at the run's size, if GPU time scales with the tokens: ``tokens * host / gpu``. None without rows."""
    host = row(run, "host", "silu", impl, pass_)
    gpu = row(run, "act_mul", "silu", impl, pass_)
    if host is None or gpu is None or not host.get("host_time"):
        return None
    return run["config"]["tokens"] * host["host_time"]["value"] / gpu["time"]["median"]


@dataclass(frozen=True)
class DecodeFloor:
    """The least GPU time of a decode step's three FFN matrix products, per layer: they read every weight
    whatever the batch, so ``weight_bytes / copy_bandwidth`` bounds their time from below."""

    weight_bytes: float
    bandwidth: float
    d_model: int
    d_ff: int
    dtype: str

    @property
    def seconds(self) -> float:
        return self.weight_bytes / self.bandwidth


def decode_floor(run: dict[str, Any]) -> DecodeFloor:
    """A SwiGLU layer's weight-read floor at the run's width (``d_model``, ``d_ff_swiglu``) and dtype:
    ``3 * d_model * d_ff * bytes per element`` over the run's copy bandwidth."""
    cfg = run["config"]
    d, f = cfg["d_model"], cfg["d_ff_swiglu"]
    nbytes = 3 * d * f * sizing.dtype_bytes(cfg["dtype"])
    return DecodeFloor(nbytes, run["reference"]["copy_bandwidth"]["value"], d, f, cfg["dtype"])


@dataclass(frozen=True)
class RooflinePoint:
    label: str
    group: str
    impl: str
    pass_: str
    intensity: float  # FLOP per byte of the least traffic
    rate: float  # achieved FLOP/s


def roofline_points(run: dict[str, Any], impls=("eager", "compile", "fused")) -> list[RooflinePoint]:
    """The run's act(g) * u rows (nominal FLOPs, :data:`OPS_PER_ELEMENT`, over the least traffic) and its
    matrix products (their own FLOPs and bytes), as points for the run's roofline."""
    cfg = run["config"]
    elements = cfg["tokens"] * cfg["d_ff_act"]
    points = []
    for r in select(run, group="act_mul", impls=impls):
        flops = OPS_PER_ELEMENT[r["pass"]] * elements
        points.append(RooflinePoint(f"{r['op']} {r['impl']} {r['pass']}", "act_mul", r["impl"], r["pass"],
                                    flops / r["bytes"]["value"], flops / r["time"]["median"]))
    d, t = cfg["d_model"], cfg["tokens"]
    shapes = {"square": (cfg["square"],) * 3, "gate and up, two GEMMs": (t, d, cfg["d_ff_act"]),
              "gate_up, one GEMM": (t, d, 2 * cfg["d_ff_act"]), "down": (t, cfg["d_ff_act"], d)}
    for r in select(run, group="gemm"):
        if r["op"] not in shapes or not r.get("flops"):
            continue
        n, k, m = shapes[r["op"]]
        nbytes = sizing.product_bytes(n, k, m, cfg["dtype"]) * (2 if r["op"].startswith("gate and up") else 1)
        points.append(RooflinePoint(r["op"], "gemm", r["impl"], r["pass"], r["flops"]["value"] / nbytes,
                                    r["flop_rate"]["value"]))
    return points


def roofs(run: dict[str, Any]) -> tuple[float, float]:
    """(copy bandwidth in B/s, matrix-product roof in FLOP/s) of the same run."""
    return run["reference"]["copy_bandwidth"]["value"], flop_roof(run)
