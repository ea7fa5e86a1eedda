"""Exercises answered with a Triton kernel (chapter 7): the learner's ``@triton.jit`` function is launched on
hidden cases, in Triton's interpreter on a CPU (``TRITON_INTERPRET=1`` before triton is imported) or natively
on a GPU, and its outputs are compared with eager PyTorch (:func:`ffn_lib.activations.act_mul_eager`).

Every tensor handed to the kernel is the front of a larger buffer whose tail holds a sentinel: a kernel that
writes past the end (a missing mask) overwrites memory the checker owns, and is told so, instead of corrupting
or crashing the process. The cases have odd sizes (the last block partial), NaN and +-inf, bfloat16 as well
as float32, and for gate and up in one tensor (7.5's interleaved layout) input rows further apart than 2 d
and, in a last case, output rows further apart than d (:data:`CAT_Y_PAD`); the first case is launched with
three BLOCK sizes (:data:`BLOCKS`), so that a kernel which hard-codes its block size fails.
Known mistakes are named: missing mask, a mask with a fixed number instead of ``n``, a fixed block size,
gate and up swapped, arithmetic in bfloat16, the wrong stride, a saved instead of a recomputed activation.
What a kernel wrote outside its outputs (:func:`stray_writes`) tells apart: no ``mask=`` on the stores (a
missing mask); only the element just after the end, of the output or of each row, with the view complete (a
mask off by one, ``<=`` or ``< n + 1``); a run from the end (a mask too wide); anything else with masked
stores (the store's address is wrong; in 7.5 the row offset, or on the row-strided output alone, rows from d).
A mismatch names the output pointer that is wrong (and those that are right), by the kernel's own
parameter names, with the inputs at the first wrong position; NaN where a large gate made an exponential
overflow points to the chapter's step 5; an output never stored, a masked store at the wrong row stride,
``tl.tanh`` (which Triton lacks) and a ``BLOCK`` not declared ``tl.constexpr`` each get their own sentence.

Read before any launch, from the kernel's bytecode: a Python global it reads (a module-level tensor or float,
not a ``tl.constexpr``), which Triton refuses on a GPU and its interpreter silently accepts. A kernel that
cannot run *here* (libdevice, which the interpreter lacks; no Triton backend at all) is "not attempted",
with the reason, not "incorrect". A kernel that raises or runs past the time limit gets a one-paragraph
message, never a traceback.
"""

from __future__ import annotations

import ast
import dis
import inspect
import os
import re
import textwrap
import time
import types
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

from .base import Exercise, TimeUp, call_with_time_limit, is_unanswered, learner_error, one_line
from .function import is_stub
from .values import describe, rounded_constant_gap, upper_bound_text, values_match
from .words import N_, join, say, sentences, tr

SENTINEL = 1234.5  # what the buffers' tails hold; a kernel's result is never exactly this on the cases
PAD = 512  # elements of tail behind every tensor: more than any BLOCK the checks launch with
BLOCK = 128
BLOCKS = (BLOCK, 64, 256)  # the first case runs with each; the others with BLOCK
KERNEL_TIME_LIMIT_S = 30.0  # the interpreter is slow; a GPU compiles each new kernel once
_HALF_ERRORS = ("but got bf16", "but got fp16")

# Every message of a kernel check: whole sentences with named placeholders.
MESSAGES = {
    "unanswered": "`{name}` is still `...`: write the kernel, then run the check.",
    "not_kernel": ("Pass the kernel itself, a function decorated with `@triton.jit` (`{name}`, without calling or "
                   "launching it), not {what}."),
    "no_triton": "Triton is not installed here, so the kernel cannot run: check it where it is.",
    "saved": ("Known mistake: saved instead of recomputed activation. The kernel takes {n} arguments ({got}) and "
              "loads from the extra pointer `{extra}`; the statement asks for ({want}) and for act(g) to be "
              "recomputed from g, which the kernel loads anyway: saving it costs the forward a write and the "
              "backward a read."),
    "extra_args": "The kernel takes {n} arguments ({got}); the statement's has {want_n} ({want}).",
    "no_tanh": ("Triton has no `tl.tanh` (nor `tl.math.tanh`), so your kernel stopped at `{name}`: hint 2 gives an "
                "identity that needs only `tl.sigmoid`, tanh(z) = 2 sigmoid(2z) - 1."),
    "not_constexpr": ("`tl.arange` needs a compile-time constant: declare `BLOCK: tl.constexpr` as in the signature "
                      "given (`{signature}`)."),
    "overflow": ("NaN where the gate is large (g = {g} there) and the answer is finite: an exponential overflowed. "
                 "In float32, e^x is inf above x = 88, and inf / inf or inf - inf is NaN; step 5 of the chapter "
                 "shows the safe form (`tl.sigmoid`, which only ever divides by a large number)."),
    "stub": "`{name}` is still the starter stub: write its body, then run the check again.",
    "signature": "The kernel must take ({want}); yours takes ({got}).",
    "time": ("Your kernel did not finish within {limit} s (all launches of this check together; last inputs "
             "{inputs}). Is there a loop that never ends?"),
    "half_error": ("Known mistake: arithmetic in bfloat16. `tl.exp` and friends need float32: convert after loading, "
                   "`tl.load(...).to(tl.float32)`, and convert back when storing."),
    "raised": "Your kernel raised {error} (inputs {inputs}).",
    "mask": ("Known mistake: missing mask. The kernel wrote past the end of its output (the last block is partial "
             "on these odd sizes): load and store with `mask={mask}`."),
    "wrote_outside": ("Your kernel wrote outside `{name}`, though its stores are masked: the addresses are wrong, "
                      "not the mask. Check the row offset of the store (`{stride}`, the output's own row stride, "
                      "not the input's)."),
    "wrote_outside_1d": ("Your stores are masked, yet the kernel wrote past the end of `{name}`: your store writes to "
                         "the wrong addresses (`{name} + offsets` is where element i goes)."),
    "off_by_one": ("Your mask lets the element at offset {n} through: the kernel wrote the first element after the "
                   "end of `{name}` and nothing further. Use `{mask}` (strictly less than {n}), not `<=` or "
                   "`< {n} + 1`."),
    "off_by_one_row": ("Your mask lets column {n} of each row through: the kernel wrote the element just after the "
                       "end of each row of `{name}` (the next row's first, or the tail). Use `{mask}` (strictly less "
                       "than {n}), not `<=` or `< {n} + 1`."),
    "wide_mask": ("Your stores are masked, but the mask lets elements at and past offset {n} through: the kernel "
                  "wrote {count} elements just after the end of `{name}`. Use `{mask}`."),
    "out_stride": ("Known mistake: the output's row start computed from the width. Every case passed but the one "
                   "whose output rows are further apart than {n}, where your kernel wrote between the rows of "
                   "`{name}`: use `{stride}` for the output's rows (`{name} + row * {stride} + ...`)."),
    "never_written": ("The value {value} is what the checker filled the outputs with before the launch: your kernel "
                      "never wrote `{name}` at all. Is a `tl.store({name} + ...)` missing?"),
    "unwritten_1d": ("The value {value} is what the checker filled the outputs with before the launch: your kernel "
                     "never wrote {count} of the elements of `{name}` (does the grid reach every block, and does "
                     "each program store its whole block?)."),
    "global": ("Your kernel reads the Python global `{name}` ({what}), defined outside the kernel. Triton's "
               "interpreter lets that pass, but a compiled kernel can only read globals made with "
               "`tl.constexpr(...)`: pass the value as an argument, or write `{name} = tl.constexpr(...)` for a "
               "constant (a tensor reaches a kernel only through a pointer argument)."),
    "libdevice": ("Not checked: your kernel calls libdevice (`{name}`), which Triton's interpreter cannot run, so it "
                  "could not be run here. This is not a verdict on your kernel: run the check on a GPU, or "
                  "write the function with `tl` operations (for instance tanh(z) = 2 sigmoid(2z) - 1)."),
    "no_backend": ("Not checked: Triton found no backend to run kernels here ({error}). Most likely triton was "
                   "imported before its CPU interpreter was turned on: restart the kernel and import it with "
                   "`from ffn_lib.kernel_steps import tl, triton`, as the starter does (or run the chapter's setup "
                   "cell first), or run the check on a GPU."),
    "fixed_mask": ("Known mistake: your mask uses a fixed number instead of {n} (`{mask}`). The check launches "
                   "tensors of other lengths, so the mask must compare with the length argument: "
                   "`mask={mask_text}`."),
    "fixed_block": ("Known mistake: a fixed block size. Your kernel is right with BLOCK = {ok} and wrong with "
                    "BLOCK = {bad}: a number such as 128 is written where `BLOCK` belongs (in "
                    "`tl.program_id(0) * BLOCK` or `tl.arange(0, BLOCK)`)."),
    "outputs_right": "Right: {names}.",
    "unwritten": ("The value {value} is what the checker filled the outputs with before the launch: your kernel "
                  "never wrote {count} of the elements of `{name}` (does the grid reach every block, and are "
                  "`program_id(0)` and `program_id(1)` the axes the statement gives?)."),
    "correct": ("Your kernel passed the checks on {n} hidden cases, run as Triton kernels (the first with three "
                "BLOCK sizes). That is good evidence, not "
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
NAMED_OUTPUT = N_("What your kernel stored through `{name}`")
_NO_BACKEND = ("0 active drivers", "active drivers", "no backend", "No backend")
_NOT_CONSTEXPR = "arguments must be of type tl.constexpr"
_NO_ATTRIBUTE = re.compile(r"module '(triton\.language(?:\.\w+)*)' has no attribute '(\w+)'")
OVERFLOW_GATE = 5.0  # |g| from which the exercises' gates reach e^x > 88 (the tanh GELU's 2 z at g = 10 is 87)


def _triton():
    try:
        import triton
    except ImportError:
        return None
    return triton


def is_kernel(obj: Any) -> bool:
    """Whether ``obj`` is a ``@triton.jit`` function (compiled or interpreted)."""
    return hasattr(obj, "fn") and hasattr(obj, "__getitem__") and callable(getattr(obj, "fn"))


def _code_objects(code: types.CodeType):
    yield code
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            yield from _code_objects(c)


def global_reads(kernel: Any) -> list[tuple[str, Any]]:
    """(name, value) of every module-level value the kernel's body reads that a compiled kernel refuses: a
    number, a tensor or an array, a list or tuple, read as a global (``LOAD_GLOBAL``) and not a
    ``tl.constexpr``. Modules (``tl``, ``triton``), other jit functions and builtins are allowed."""
    fn = getattr(kernel, "fn", None)
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    scope = getattr(fn, "__globals__", {})
    found: dict[str, Any] = {}
    for c in _code_objects(code):
        for ins in dis.get_instructions(c):
            if ins.opname != "LOAD_GLOBAL" or not isinstance(ins.argval, str) or ins.argval not in scope:
                continue
            value = scope[ins.argval]
            if isinstance(value, (bool, int, float, complex, torch.Tensor, np.ndarray, np.generic, list, tuple,
                                  dict)):
                found.setdefault(ins.argval, value)
    return list(found.items())


def libdevice_use(kernel: Any) -> str | None:
    """How the kernel names libdevice (``libdevice.tanh``, ``tl.extra...``), or None: read from its bytecode."""
    fn = getattr(kernel, "fn", None)
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    scope = getattr(fn, "__globals__", {})
    for c in _code_objects(code):
        for name in c.co_names:
            value = scope.get(name)
            if "libdevice" in name or (isinstance(value, types.ModuleType) and "libdevice" in value.__name__):
                return name
        if "extra" in c.co_names:
            return "tl.extra"
    return None


def _source_tree(kernel: Any) -> ast.AST | None:
    src = getattr(kernel, "src", None)
    try:
        if not isinstance(src, str):
            src = inspect.getsource(kernel.fn)
        return ast.parse(textwrap.dedent(src))
    except (OSError, TypeError, SyntaxError, ValueError):
        return None


def fixed_number_masks(kernel: Any) -> list[str]:
    """The comparisons in the kernel's source of something with an integer literal other than 0 or 1 (``offsets
    < 1000``): a length typed as a number instead of the length argument."""
    tree = _source_tree(kernel)
    if tree is None:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(x, ast.Constant) and type(x.value) is int and x.value > 1 for x in sides):
                found.append(ast.unparse(node))
    return found


def _interpreted() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") not in ("", "0") or not torch.cuda.is_available()


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


def _overflow_gate(got: torch.Tensor, want: torch.Tensor, g: torch.Tensor) -> float | None:
    """The first gate value where ``got`` is NaN, ``want`` is finite and |g| is at least :data:`OVERFLOW_GATE`
    (an exponential of a large gate overflowed), or None."""
    if got.shape != want.shape or got.shape != g.shape:
        return None
    g64 = g.double()
    where = got.isnan() & want.isfinite() & g64.isfinite() & (g64.abs() >= OVERFLOW_GATE)
    if not bool(where.any()):
        return None
    return float(g64[where].flatten()[0])


def masked_stores(kernel: Any) -> bool:
    """Whether every ``tl.store`` in the kernel's source passes a ``mask=`` (False without a readable source)."""
    tree = _source_tree(kernel)
    stores = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "store"] if tree is not None else []
    return bool(stores) and all(len(node.args) >= 3 or any(k.arg == "mask" for k in node.keywords) for node in stores)


def loaded_params(kernel: Any, names: Sequence[str]) -> list[str]:
    """Those of ``names`` (parameters) that the kernel's source reads with ``tl.load``: a pointer it loads from."""
    tree = _source_tree(kernel)
    if tree is None or not names:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load":
            used = {x.id for arg in node.args[:1] for x in ast.walk(arg) if isinstance(x, ast.Name)}
            found += [n for n in names if n in used and n not in found]
    return found


def _tail_written(buffers: Sequence[torch.Tensor], n: Sequence[int]) -> bool:
    return any(bool((b[k:] != SENTINEL).any()) for b, k in zip(buffers, n))


def _inside(view: torch.Tensor, buffer: torch.Tensor) -> torch.Tensor:
    """A bool per element of the flat ``buffer``: whether it belongs to ``view`` (a view into it)."""
    index = torch.arange(buffer.numel(), device=buffer.device)
    start = view.storage_offset() - buffer.storage_offset()
    inside = torch.zeros(buffer.numel(), dtype=torch.bool, device=buffer.device)
    inside[torch.as_strided(index, view.shape, view.stride(), start).flatten()] = True
    return inside


def _just_after(view: torch.Tensor, buffer: torch.Tensor) -> torch.Tensor:
    """A bool per element of ``buffer``: the element just after the view's end (1-D) or each row's end (2-D)."""
    after = torch.zeros(buffer.numel(), dtype=torch.bool, device=buffer.device)
    start = view.storage_offset() - buffer.storage_offset()
    if view.dim() == 1:
        ends = [start + view.shape[0] * view.stride(0)]
    else:
        ends = [start + r * view.stride(0) + view.shape[1] * view.stride(1) for r in range(view.shape[0])]
    after[[e for e in ends if e < buffer.numel()]] = True
    return after


@dataclass
class StrayWrites:
    """What a launch wrote outside its output views: the first output so written, how many elements, and
    whether they are only the elements just after the end (of the view, or of each row), or a run from there."""

    output: int
    count: int
    just_after: bool  # only elements just after the end: a mask off by one
    run: bool  # 1-D: one run of elements from the end on (a mask too wide, or none)
    complete: bool  # every element of the view was written


def stray_writes(views: Sequence[torch.Tensor], buffers: Sequence[torch.Tensor]) -> StrayWrites | None:
    """The writes outside the output views (into the sentinel tail, or between a row-strided view's rows), or
    None when there are none."""
    for i, (view, buffer) in enumerate(zip(views, buffers)):
        written = (buffer != SENTINEL) & ~_inside(view, buffer)
        count = int(written.sum())
        if not count:
            continue
        where = written.nonzero().flatten()
        after = _just_after(view, buffer)
        end = view.storage_offset() - buffer.storage_offset() + view.numel()
        run = view.dim() == 1 and int(where[0]) == end and int(where[-1]) - int(where[0]) + 1 == count
        return StrayWrites(i, count, bool(after[written].all()), run, not bool((view == SENTINEL).any()))
    return None


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
    outputs: Sequence[int] = ()  # positions in ``params`` of the output pointers, in ``launch``'s output order
    length: int = 3  # position in ``params`` of the length the mask compares with
    seed: int = 2020
    time_limit: float = KERNEL_TIME_LIMIT_S
    mask_text: str = "offsets < n"  # the mask the statement's kernel compares with, as a learner writes it
    row_stride: str = ""  # a 2-D launch: the output's row-stride parameter (a store past y with a mask used it wrong)
    launch_options: Any = None  # {case index: keyword arguments of ``launch``} (a row-strided output)
    out_strided_case: int | None = None  # index of the case whose output rows are further apart than d

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
        if len(got_params) > len(self.params):
            loaded = loaded_params(answer, [p for p in got_params if p not in self.params])
            if self.recompute and loaded:
                return "incorrect", tr(m["saved"], n=len(got_params), got=", ".join(got_params), extra=loaded[0],
                                       want=", ".join(self.params))
            if not is_stub(answer.fn):
                return "incorrect", tr(m["extra_args"], n=len(got_params), got=", ".join(got_params),
                                       want_n=len(self.params), want=", ".join(self.params))
        if is_stub(answer.fn):
            return "not attempted", tr(m["stub"], name=self.answer_name)
        if len(got_params) != len(self.params):
            return "incorrect", tr(m["signature"], want=", ".join(self.params), got=", ".join(got_params))
        reads = global_reads(answer)
        if reads:
            name, value = reads[0]
            return "incorrect", tr(m["global"], name=name, what=describe(value))
        out_names = [got_params[i] for i in self.outputs] if self.outputs else []
        fixed = fixed_number_masks(answer)
        deadline = time.monotonic() + self.time_limit
        runs, failures = [], []
        cases = self.cases(self.rng())
        for index, inputs in enumerate(cases):
            for block in (BLOCKS if index == 0 else (BLOCK,)):
                shown = ", ".join(f"{tuple(t.shape)} {str(t.dtype).replace('torch.', '')}" for t in inputs)
                if block != BLOCK:
                    shown += f"; BLOCK = {block}"
                options = (self.launch_options or {}).get(index, {})
                try:
                    outs, buffers, sizes = call_with_time_limit(
                        lambda: self.launch(answer, *inputs, block=block, **options), (), deadline - time.monotonic())
                except TimeUp:
                    return "incorrect", tr(m["time"], limit=f"{self.time_limit:g}", inputs=shown)
                except (Exception, SystemExit) as err:  # the interpreter's and compiler's errors, a learner's exit()
                    text = one_line(err)
                    if any(h in text for h in _HALF_ERRORS):
                        return "incorrect", tr(m["half_error"])
                    if any(h in text for h in _NO_BACKEND):
                        return "not attempted", tr(m["no_backend"], error=learner_error(err))
                    missing = _NO_ATTRIBUTE.search(text)
                    if missing and missing.group(2) == "tanh":
                        module = "tl" if missing.group(1) == "triton.language" else "tl." + missing.group(1).split(
                            ".", 2)[-1]
                        return "incorrect", tr(m["no_tanh"], name=f"{module}.tanh")
                    if _NOT_CONSTEXPR in text:
                        return "incorrect", tr(m["not_constexpr"], signature=", ".join(
                            f"{p}: tl.constexpr" if p == "BLOCK" else p for p in self.params))
                    libdevice = libdevice_use(answer)
                    if libdevice and _interpreted():
                        return "not attempted", tr(m["libdevice"], name=libdevice)
                    return "incorrect", tr(m["raised"], error=learner_error(err), inputs=shown)
                stray = stray_writes(outs, buffers)
                if stray is not None:
                    if fixed:
                        return "incorrect", tr(m["fixed_mask"], mask=fixed[0], n=self.params[self.length],
                                               mask_text=self.mask_text)
                    return "incorrect", self._stray_message(stray, answer, out_names, index, failures)
                want = self.reference(*inputs)
                want64 = self.reference(*[t.double() for t in inputs])
                got_c, want_c, want64_c = (tuple(x.cpu() for x in xs) for xs in (outs, want, want64))
                problem = self._problem(got_c, want_c, want64_c, out_names, tuple(t.cpu() for t in inputs))
                runs.append((inputs, outs))
                if problem:
                    gap = rounded_constant_gap(got_c, want64_c)
                    if gap is not None:
                        problem = sentences([problem, tr(m["rounded"], gap=upper_bound_text(gap))])
                    failures.append((index, block, inputs, shown, problem))
        if not failures:
            return "correct", tr(m["correct"], n=len(cases), handle=self.handle)
        if fixed:
            return "incorrect", tr(m["fixed_mask"], mask=fixed[0], n=self.params[self.length],
                                               mask_text=self.mask_text)
        bad_blocks = sorted({b for _, b, *_ in failures})
        if BLOCK not in bad_blocks:
            return "incorrect", tr(m["fixed_block"], ok=BLOCK, bad=join(bad_blocks))
        diagnosis = self._diagnose(runs, failures)
        if diagnosis:
            return "incorrect", tr(m["mistake"], diagnosis=diagnosis)
        _, _, _, shown, problem = failures[0]
        return "incorrect", tr(m["differs"], inputs=shown, problem=problem)

    def _stray_message(self, stray: StrayWrites, answer: Any, out_names: Sequence[str], index: int,
                       failures: Sequence) -> str:
        """What a kernel that wrote outside its outputs did: no mask, a mask off by one (or too wide), stores at
        the wrong addresses, or (the case with row-strided outputs alone) the output's rows placed from d."""
        m = MESSAGES
        name = out_names[stray.output] if stray.output < len(out_names) else "y_ptr"
        n = self.params[self.length]
        if not masked_stores(answer):
            return tr(m["mask"], mask=self.mask_text)
        if stray.just_after and stray.complete:
            return tr(m["off_by_one_row" if self.row_stride else "off_by_one"], n=n, name=name,
                      mask=self.mask_text)
        if self.row_stride:
            if index == self.out_strided_case and not failures:
                return tr(m["out_stride"], n=n, name=name, stride=self.row_stride)
            return tr(m["wrote_outside"], name=name, stride=self.row_stride)
        if stray.run and stray.complete:
            return tr(m["wide_mask"], n=n, name=name, count=stray.count, mask=self.mask_text)
        return tr(m["wrote_outside_1d"], name=name)

    def input_names(self) -> list[str]:
        """The names of the case's tensors (the inputs' pointer parameters without ``_ptr``: g, u, dy)."""
        pointers = [p for i, p in enumerate(self.params) if i not in self.outputs and p.endswith("_ptr")]
        return [p[: -len("_ptr")] for p in pointers]

    def _problem(self, got, want, want64, names, inputs=()) -> str | None:
        """None when every output matches; else what is wrong, naming the output pointer by the kernel's own
        parameter name (and the outputs that are right), or by its position when the names are not known; for
        elementwise kernels with the inputs at the first wrong position, and NaN where a large gate made an
        exponential overflow called so."""
        if len(names) != len(want) or len(got) != len(want):
            return values_match(got, want, want64, subject=OUTPUT, item_subject=ITEM_OF_OUTPUT)
        in_names = self.input_names() if len(inputs) == len(self.input_names()) else []
        problems = [values_match(g, w, v, subject=tr(NAMED_OUTPUT, name=n), inputs=inputs if in_names else (),
                                 names=in_names)
                    for g, w, v, n in zip(got, want, want64, names)]
        wrong = [p for p in problems if p]
        if not wrong:
            return None
        right = [f"`{n}`" for n, p in zip(names, problems) if not p]
        first = next(i for i, p in enumerate(problems) if p)
        unwritten = int(((got[first] == SENTINEL) & (want[first] != SENTINEL)).sum())
        parts = [wrong[0]]
        overflow = _overflow_gate(got[first], want[first], inputs[0]) if in_names[:1] == ["g"] else None
        if overflow is not None:
            parts.append(tr(MESSAGES["overflow"], g=f"{overflow:g}"))
        if unwritten and unwritten == got[first].numel():
            parts.append(tr(MESSAGES["never_written"], value=f"{SENTINEL:g}", name=names[first]))
        elif unwritten:
            key = "unwritten" if self.row_stride else "unwritten_1d"
            parts.append(tr(MESSAGES[key], value=f"{SENTINEL:g}", count=unwritten, name=names[first]))
        return sentences(parts + ([tr(MESSAGES["outputs_right"], names=", ".join(right))] if right else []))

    def _diagnose(self, runs, failures) -> str | None:
        # a mistake is recognised on the cases without NaN or inf: at those edges an eager form of a wrong kernel
        # can differ from the kernel itself (inf * 0 in one, a limit in the other) and hide the diagnosis
        finite = [(inputs, outs) for inputs, outs in runs if all(bool(t.isfinite().all()) for t in inputs)] or runs
        for wrong, diagnosis in self.emulated_mistakes:
            try:
                if all(values_match(tuple(o.cpu() for o in outs), tuple(w.cpu() for w in wrong(*inputs)),
                               check_dtype=False) is None for inputs, outs in finite):
                    return say(diagnosis)
            except Exception:  # noqa: BLE001 - a mistake that does not apply here
                continue
        failed = {i for i, *_ in failures}
        if self.strided_case is not None and failed == {self.strided_case}:
            return tr(MESSAGES["stride"])
        half = {i for i, (inputs, *_) in enumerate(self.cases(self.rng()))
                if inputs.dtype in (torch.bfloat16, torch.float16)}
        if half and failed <= half:
            return tr(MESSAGES["half"])
        return None

    def page_spec(self) -> dict:
        return {"id": self.id, "kind": "function", "handle": self.handle}


# --- launches and cases of the three kernel exercises ------------------------------------------------------


def launch_flat(kernel, g, u, block=BLOCK):
    """y = kernel over flat g, u of n elements: grid cdiv(n, block)."""
    (gv, _), (uv, _), (yv, yb) = padded_like(g), padded_like(u), padded_like(g, fill=SENTINEL)
    n = g.numel()
    kernel[((n + block - 1) // block,)](gv, uv, yv, n, BLOCK=block)
    _finish()
    return (yv,), (yb,), (n,)


def launch_backward(kernel, g, u, dy, block=BLOCK):
    (gv, _), (uv, _), (dyv, _) = padded_like(g), padded_like(u), padded_like(dy)
    (dgv, dgb), (duv, dub) = padded_like(g, fill=SENTINEL), padded_like(u, fill=SENTINEL)
    n = g.numel()
    kernel[((n + block - 1) // block,)](gv, uv, dyv, dgv, duv, n, BLOCK=block)
    _finish()
    return (dgv, duv), (dgb, dub), (n, n)


def launch_cat(kernel, x, block=BLOCK, y_pad=0):
    """y (rows, d) from x (rows, 2 d, gate and up in one tensor, possibly a slice of a wider tensor): grid
    (cdiv(d, block), rows); with ``y_pad``, y's rows are d + y_pad apart (a slice of a wider output)."""
    rows, d = x.shape[0], x.shape[1] // 2
    width = x.stride(0)
    buffer = torch.full((rows * width + PAD,), SENTINEL, dtype=x.dtype, device=_device())
    xv = buffer[: rows * width].view(rows, width)[:, : 2 * d]
    xv.copy_(x)
    (yv, yb) = padded_like(torch.empty(rows, d + y_pad, dtype=x.dtype), fill=SENTINEL)
    yv = yv[:, :d]
    kernel[((d + block - 1) // block, rows)](xv, yv, d, xv.stride(0), yv.stride(0), BLOCK=block)
    _finish()
    return (yv,), (yb,), (rows * (d + y_pad),)


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
    """x of shape (rows, 2 d), gate and up in one tensor (the exercise's reference says in which layout):
    contiguous (3, 2 x 150) float32; (2, 2 x 37) with NaN and +-inf; (2, 2 x 40) bfloat16;
    (4, 2 x 45) float32 whose rows are 2 x 45 + 14 apart (a slice of a wider tensor); last, (3, 2 x 50)
    float32 contiguous, launched with an output whose rows are 50 + 11 apart (``CAT_Y_PAD``)."""
    edges = np.concatenate([_EDGES, rng.normal(size=2 * 2 * 37 - 8) * 5]).reshape(2, 2 * 37)
    wide = _t(rng.normal(size=(4, 2 * 45 + 14)) * 3, torch.float32)[:, : 2 * 45]
    return [(_t(rng.normal(size=(3, 300)) * 3, torch.float32),), (_t(edges, torch.float32),),
            (_t(rng.normal(size=(2, 80)) * 3, torch.bfloat16),), (wide,),
            (_t(rng.normal(size=(3, 100)) * 3, torch.float32),)]


CAT_Y_PAD = 11  # the last of cat_cases is launched with y's rows d + CAT_Y_PAD apart
