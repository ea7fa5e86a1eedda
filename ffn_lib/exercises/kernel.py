"""Exercises answered with a Triton kernel (chapter 7): the learner's ``@triton.jit`` function is launched on
hidden cases, in Triton's interpreter on a CPU (``TRITON_INTERPRET=1`` before triton is imported) or natively
on a GPU, and its outputs are compared with eager PyTorch (:func:`ffn_lib.activations.act_mul_eager`).

Every tensor handed to the kernel is the front of a larger buffer whose tail holds a sentinel: a kernel that
writes past the end (a missing mask) overwrites memory the checker owns, and is told so, instead of corrupting
or crashing the process. The cases have odd sizes (the last block partial), NaN and +-inf, bfloat16 as well
as float32, and for the [gate | up] layout rows further apart than 2 d. Known mistakes are named: missing
mask, gate and up swapped, arithmetic in bfloat16, the wrong stride, a saved instead of a recomputed
activation. A kernel that raises or runs past the time limit gets a one-paragraph message, never a traceback.
"""

from __future__ import annotations

import inspect
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

from .base import Exercise, TimeUp, call_with_time_limit, is_unanswered, learner_error, one_line
from .function import is_stub
from .values import describe, rounded_constant_gap, upper_bound_text, values_match
from .words import N_, say, sentences, tr

SENTINEL = 1234.5  # what the buffers' tails hold; a kernel's result is never exactly this on the cases
PAD = 512  # elements of tail behind every tensor: more than any BLOCK the checks launch with
BLOCK = 128
KERNEL_TIME_LIMIT_S = 30.0  # the interpreter is slow; a GPU compiles each new kernel once
_HALF_ERRORS = ("but got bf16", "but got fp16")

# Every message of a kernel check: whole sentences with named placeholders.
MESSAGES = {
    "unanswered": "`{name}` is still `...`: write the kernel, then run the check.",
    "not_kernel": ("Pass the kernel itself, a function decorated with `@triton.jit` (`{name}`, without calling or "
                   "launching it), not {what}."),
    "no_triton": "Triton is not installed here, so the kernel cannot run: check it where it is.",
    "saved": ("Known mistake: saved instead of recomputed activation. The kernel takes {n} arguments ({got}); the "
              "statement asks for ({want}) and for act(g) to be recomputed from g, which the kernel loads anyway: "
              "saving it costs the forward a write and the backward a read."),
    "stub": "`{name}` is still the starter stub: write its body, then run the check again.",
    "signature": "The kernel must take ({want}); yours takes ({got}).",
    "time": ("Your kernel did not finish within {limit} s (all launches of this check together; last inputs "
             "{inputs}). Is there a loop that never ends?"),
    "half_error": ("Known mistake: arithmetic in bfloat16. `tl.exp` and friends need float32: convert after loading, "
                   "`tl.load(...).to(tl.float32)`, and convert back when storing."),
    "raised": "Your kernel raised {error} (inputs {inputs}).",
    "mask": ("Known mistake: missing mask. The kernel wrote past the end of its output (the last block is partial "
             "on these odd sizes): load and store with `mask=offsets < n`."),
    "correct": ("Your kernel passed the checks on {n} hidden cases, run as Triton kernels. That is good evidence, not "
                "a proof. Compare with the worked solution: `{handle}.solution()`."),
    "mistake": "Known mistake: {diagnosis}",
    "differs": "With inputs {inputs}: {problem}",
    "stride": ("wrong stride. Every case passed but the one whose rows are further apart than 2 d: take the row "
               "stride from the argument (`x_row_stride`), not from the width."),
    "rounded": ("The gap is small (at most {gap} of the values' scale, max(1, max|expected|)): if you typed a "
                "constant rounded, such as 0.79788 for \u221a(2/\u03c0) or 0.7071 for 1/\u221a2, compute it in "
                "the kernel from exact values instead."),
    "half": ("arithmetic in bfloat16. The float32 cases pass and the bfloat16 ones do not: convert after loading, "
             "`tl.load(...).to(tl.float32)`, and back when storing."),
}
OUTPUT = N_("Your kernel's output")
ITEM_OF_OUTPUT = N_("Output {item} of your kernel")


def _triton():
    try:
        import triton
    except ImportError:
        return None
    return triton


def is_kernel(obj: Any) -> bool:
    """Whether ``obj`` is a ``@triton.jit`` function (compiled or interpreted)."""
    return hasattr(obj, "fn") and hasattr(obj, "__getitem__") and callable(getattr(obj, "fn"))


def kernel_params(kernel: Any) -> list[str]:
    try:
        return list(inspect.signature(kernel.fn).parameters)
    except (TypeError, ValueError):
        return []


def _device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def padded_like(t: torch.Tensor, fill: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(view, buffer): a copy of ``t`` (or an empty tensor of its shape filled with the sentinel) at the front of
    a flat buffer with :data:`PAD` sentinel elements behind it."""
    buffer = torch.full((t.numel() + PAD,), SENTINEL, dtype=t.dtype, device=_device())
    view = buffer[: t.numel()].view(t.shape)
    if fill is None:
        view.copy_(t)
    return view, buffer


def _finish() -> None:
    """Wait for a GPU launch by polling, so that the check's time limit can interrupt the wait (a blocking
    synchronise cannot be interrupted); the interpreter has already finished."""
    if torch.cuda.is_available():
        done = torch.cuda.Event()
        done.record()
        while not done.query():
            time.sleep(0.001)


def _tail_written(buffers: Sequence[torch.Tensor], n: Sequence[int]) -> bool:
    return any(bool((b[k:] != SENTINEL).any()) for b, k in zip(buffers, n))


@dataclass(eq=False, repr=False)
class KernelExercise(Exercise):
    """The answer is a ``@triton.jit`` kernel with the signature ``params``; ``launch(kernel, *inputs)`` runs it
    on inputs placed in padded buffers and returns (outputs, output buffers); ``reference(*inputs)`` is eager."""

    params: Sequence[str] = ()
    launch: Callable[..., Any] = lambda kernel, *a: None
    reference: Callable[..., Any] = lambda *a: None
    cases: Callable[[np.random.Generator], list[tuple]] = lambda rng: []
    emulated_mistakes: Sequence[tuple[Callable[..., Any], str]] = ()  # eager forms of wrong kernels' outputs
    mistakes: Sequence = ()  # answers diagnosed by the kernel's behaviour, not typed answers: none listed here
    recompute: bool = False  # the statement asks to recompute act(g): an extra parameter means it was saved
    strided_case: int | None = None  # index of the case whose rows are further apart than 2 d
    seed: int = 2020
    time_limit: float = KERNEL_TIME_LIMIT_S

    def __post_init__(self):
        self.kind = "a Triton kernel"

    def rng(self) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(f"{self.title}|{self.answer_name}".encode())])

    def policy_text(self) -> str:
        """What is specific to this exercise's check (the rules every kernel exercise shares are in the chapter's
        note, :mod:`.guide`)."""
        return ""

    def _check(self, answer: Any) -> tuple[str, str]:
        m = MESSAGES
        if is_unanswered(answer):
            return "not attempted", tr(m["unanswered"], name=self.answer_name)
        if not is_kernel(answer):
            return "incorrect", tr(m["not_kernel"], name=self.answer_name, what=describe(answer))
        if _triton() is None:
            return "not attempted", tr(m["no_triton"])
        got_params = kernel_params(answer)
        if self.recompute and len(got_params) > len(self.params):
            return "incorrect", tr(m["saved"], n=len(got_params), got=", ".join(got_params),
                                                  want=", ".join(self.params))
        if is_stub(answer.fn):
            return "not attempted", tr(m["stub"], name=self.answer_name)
        if len(got_params) != len(self.params):
            return "incorrect", tr(m["signature"], want=", ".join(self.params), got=", ".join(got_params))
        deadline = time.monotonic() + self.time_limit
        runs, failures = [], []
        for index, inputs in enumerate(self.cases(self.rng())):
            shown = ", ".join(f"{tuple(t.shape)} {str(t.dtype).replace('torch.', '')}" for t in inputs)
            try:
                outs, buffers, sizes = call_with_time_limit(lambda: self.launch(answer, *inputs), (),
                                                             deadline - time.monotonic())
            except TimeUp:
                return "incorrect", tr(m["time"], limit=f"{self.time_limit:g}", inputs=shown)
            except (Exception, SystemExit) as err:  # the interpreter's and compiler's errors, a learner's exit()
                if any(h in one_line(err) for h in _HALF_ERRORS):
                    return "incorrect", tr(m["half_error"])
                return "incorrect", tr(m["raised"], error=learner_error(err), inputs=shown)
            if _tail_written(buffers, sizes):
                return "incorrect", tr(m["mask"])
            want = self.reference(*inputs)
            want64 = self.reference(*[t.double() for t in inputs])
            problem = values_match(tuple(o.cpu() for o in outs), tuple(w.cpu() for w in want),
                                   tuple(w.cpu() for w in want64), subject=OUTPUT, item_subject=ITEM_OF_OUTPUT)
            runs.append((inputs, outs))
            if problem:
                gap = rounded_constant_gap(tuple(o.cpu() for o in outs), tuple(w.cpu() for w in want64))
                if gap is not None:
                    problem = sentences([problem, tr(m["rounded"], gap=upper_bound_text(gap))])
                failures.append((index, inputs, shown, problem))
        if not failures:
            return "correct", tr(m["correct"], n=len(runs), handle=self.handle)
        diagnosis = self._diagnose(runs, failures)
        if diagnosis:
            return "incorrect", tr(m["mistake"], diagnosis=diagnosis)
        _, _, shown, problem = failures[0]
        return "incorrect", tr(m["differs"], inputs=shown, problem=problem)

    def _diagnose(self, runs, failures) -> str | None:
        for wrong, diagnosis in self.emulated_mistakes:
            try:
                if all(values_match(tuple(o.cpu() for o in outs), tuple(w.cpu() for w in wrong(*inputs)),
                               check_dtype=False) is None for inputs, outs in runs):
                    return say(diagnosis)
            except Exception:  # noqa: BLE001 - a mistake that does not apply here
                continue
        failed = {i for i, *_ in failures}
        if self.strided_case is not None and failed == {self.strided_case}:
            return tr(MESSAGES["stride"])
        half = {i for i, (inputs, _) in enumerate(runs) if inputs[0].dtype in (torch.bfloat16, torch.float16)}
        if half and failed <= half:
            return tr(MESSAGES["half"])
        return None

    def page_spec(self) -> dict:
        return {"id": self.id, "kind": "function", "handle": self.handle}


# --- launches and cases of the three kernel exercises ------------------------------------------------------


def launch_flat(kernel, g, u):
    """y = kernel over flat g, u of n elements: grid cdiv(n, BLOCK)."""
    (gv, _), (uv, _), (yv, yb) = padded_like(g), padded_like(u), padded_like(g, fill=SENTINEL)
    n = g.numel()
    kernel[((n + BLOCK - 1) // BLOCK,)](gv, uv, yv, n, BLOCK=BLOCK)
    _finish()
    return (yv,), (yb,), (n,)


def launch_backward(kernel, g, u, dy):
    (gv, _), (uv, _), (dyv, _) = padded_like(g), padded_like(u), padded_like(dy)
    (dgv, dgb), (duv, dub) = padded_like(g, fill=SENTINEL), padded_like(u, fill=SENTINEL)
    n = g.numel()
    kernel[((n + BLOCK - 1) // BLOCK,)](gv, uv, dyv, dgv, duv, n, BLOCK=BLOCK)
    _finish()
    return (dgv, duv), (dgb, dub), (n, n)


def launch_cat(kernel, x):
    """y (rows, d) from x (rows, 2 d, possibly a slice of a wider tensor): grid (cdiv(d, BLOCK), rows)."""
    rows, d = x.shape[0], x.shape[1] // 2
    width = x.stride(0)
    buffer = torch.full((rows * width + PAD,), SENTINEL, dtype=x.dtype, device=_device())
    xv = buffer[: rows * width].view(rows, width)[:, : 2 * d]
    xv.copy_(x)
    (yv, yb) = padded_like(torch.empty(rows, d, dtype=x.dtype), fill=SENTINEL)
    kernel[((d + BLOCK - 1) // BLOCK, rows)](xv, yv, d, xv.stride(0), yv.stride(0), BLOCK=BLOCK)
    _finish()
    return (yv,), (yb,), (rows * d,)


_EDGES = [float("nan"), float("inf"), -float("inf"), 100.0, -100.0, 0.0, 30.0, -30.0]


def _t(a, dtype):
    return torch.tensor(np.asarray(a), dtype=dtype)


def flat_cases(rng: np.random.Generator) -> list[tuple]:
    """(g, u): 300 float32 (3 blocks, the last partial), 77 float32 with NaN and +-inf, 200 bfloat16."""
    edges = np.concatenate([_EDGES, rng.normal(size=69) * 5])
    return [(_t(rng.normal(size=300) * 4, torch.float32), _t(rng.normal(size=300), torch.float32)),
            (_t(edges, torch.float32), _t(rng.uniform(0.5, 2.0, size=77), torch.float32)),
            (_t(rng.normal(size=200) * 4, torch.bfloat16), _t(rng.normal(size=200), torch.bfloat16))]


def backward_cases(rng: np.random.Generator) -> list[tuple]:
    return [(g, u, _t(rng.normal(size=g.numel()), g.dtype)) for g, u in flat_cases(rng)]


def cat_cases(rng: np.random.Generator) -> list[tuple]:
    """x = [gate | up]: contiguous (3, 2 x 150) float32; (2, 2 x 37) with NaN and +-inf; (2, 2 x 40) bfloat16;
    last, (4, 2 x 45) float32 whose rows are 2 x 45 + 14 apart (a slice of a wider tensor)."""
    edges = np.concatenate([_EDGES, rng.normal(size=2 * 2 * 37 - 8) * 5]).reshape(2, 2 * 37)
    wide = _t(rng.normal(size=(4, 2 * 45 + 14)) * 3, torch.float32)[:, : 2 * 45]
    return [(_t(rng.normal(size=(3, 300)) * 3, torch.float32),), (_t(edges, torch.float32),),
            (_t(rng.normal(size=(2, 80)) * 3, torch.bfloat16),), (wide,)]
