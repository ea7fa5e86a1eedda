"""Function exercises: the learner's function, run on hidden seeded inputs against a float64 reference.

Every check of a function sees the same inputs (drawn from a generator seeded by the exercise),
chosen to reach the regimes that tell functions apart (see :mod:`ffn_lib.exercises._cases`). The
result must keep the input's type, shape, dtype and device and match the reference within
:data:`ffn_lib.exercises.values.FUNCTION_TOL`; all calls together get :data:`ffn_lib.exercises.base.TIME_LIMIT_S`. An
exception from the learner's code (``SystemExit`` too) is reported as theirs, with the inputs.
"""

from __future__ import annotations

import dis
import inspect
import re
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import torch

from . import base
from .base import Exercise, TimeUp, call_with_time_limit, is_unanswered, learner_error, quiet
from .values import (FUNCTION_TOL, RESULT, describe, dtype_name, rounded_constant_gap, snapshot, unchanged,
                     upper_bound_text, values_match, widen)
from .words import N_, join, say, sentences, tr

# Every message of a function check: one whole sentence (or two) each, with named placeholders.
MESSAGES = {
    "stub": "`{name}` is still the starter stub: write its body (and `return` the result), then run the check again.",
    "not_callable": "Pass the function itself (`{name}`, without calling it), not {what}.",
    "time": ("Your function did not return within {limit} s (all calls of this check together; it was called with "
             "{inputs}). Is there an endless loop?"),
    "raised": "Your function raised {error} when called with {inputs}.",
    "none": "Your function returned None for {inputs}: is a `return` missing at the end?",
    "in_place": ("Your function changed its input in place (called with {inputs}); compute a new result instead of "
                 "writing into the arguments."),
    "mistake": "Known mistake: {diagnosis}",
    "differs": "With inputs {inputs}: {problem}",
    "correct": ("Your function passed the checks on {n} hidden cases, in every dtype the statement names. That is "
                "good evidence, not a proof."),
    "policy": "Hidden inputs in {dtypes}.",
    "policy_time": "Hidden inputs in {dtypes}; the check stops after {limit} s.",
    "numpy_result": ("Your function returned a NumPy array when called with {inputs}: this exercise passes torch "
                     "tensors and expects a torch tensor back, in the input's dtype. Compute with torch functions "
                     "(`torch.erf`, `torch.tanh`, ...), not NumPy's."),
    "torch_raised": ("Your function raised {error} when called with {inputs}: this exercise passes NumPy arrays, and "
                     "NumPy arrays and torch tensors do not mix in one expression. Compute with NumPy functions "
                     "(`np.exp`, `np.tanh`, ...) and return an array."),
    "numpy_raised": ("Your function raised {error} when called with {inputs}: NumPy has no bfloat16, so a function "
                     "that turns a tensor into a NumPy array fails there. Compute with torch functions and return a "
                     "tensor."),
    "scalar_math": ("Your function raised {error} when called with {inputs}: a function of the `math` module "
                    "(`math.erf`, `math.exp`, ...) takes one number, not an array or a tensor. Use the elementwise "
                    "version (`torch.erf`, `np.exp`, ...)."),
    "zero_d": ("Your function raised {error} when called with {inputs}: one case passes a 0-d array (a single "
               "number as an array), which cannot be iterated over. Compute with whole-array operations and return "
               "the array itself."),
    "rounded": ("The gap is small (at most {gap} of the values' scale, max(1, max|expected|)): if you typed a "
                "constant rounded, such as 0.79788 for \u221a(2/\u03c0) or 0.7071 for 1/\u221a2, compute it in code "
                "instead (`math.sqrt(2 / math.pi)`)."),
}
ARGUMENT = N_("argument {n}")  # an argument without a name, in messages
UNREADABLE = N_("{subject} could not be read as numbers ({error}); it is {what}.")

_STUB_PATTERNS = (
    [("LOAD_CONST", None), ("RETURN_VALUE", None)],
    [("RETURN_CONST", None)],
)


def is_stub(fn: Callable) -> bool:
    """True for a function whose body is only ``...``, ``pass``, ``return None`` or ``raise NotImplementedError``."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code)
           if i.opname not in ("RESUME", "NOP", "CACHE", "POP_TOP", "PUSH_NULL", "PRECALL", "CALL")]
    if ops in _STUB_PATTERNS:
        return True
    return bool(ops) and ops[0] == ("LOAD_GLOBAL", "NotImplementedError") and ops[-1][0] == "RAISE_VARARGS"


def _numpy_on_half(err: BaseException, args: tuple) -> bool:
    """Whether ``err`` is NumPy refusing a half-precision tensor (it has no bfloat16): a function that computes
    with NumPy on a tensor."""
    return (isinstance(err, TypeError) and "ScalarType" in str(err)
            and any(isinstance(a, torch.Tensor) and a.dtype in (torch.bfloat16,) for a in args))


SCALAR_ONLY = ("only one element tensors can be converted to Python scalars",  # math.erf on a tensor
               "only length-1 arrays can be converted to Python scalars",  # math.exp on an array (older NumPy)
               "only size-1 arrays can be converted to Python scalars",
               "only 0-dimensional arrays can be converted to Python scalars")


def _scalar_math(err: BaseException, args: tuple) -> bool:
    """Whether ``err`` is a `math` function given a whole array or tensor (``math.erf(x)`` on a tensor)."""
    return isinstance(err, (TypeError, ValueError)) and any(t in str(err) for t in SCALAR_ONLY)


def _zero_d_iteration(err: BaseException, args: tuple) -> bool:
    """Whether ``err`` is iterating over a 0-d input or its result (``list(np.tanh(x))`` with a 0-d ``x``)."""
    zero_d = any(isinstance(a, (np.ndarray, torch.Tensor)) and a.ndim == 0 for a in args)
    text = str(err)
    return zero_d and isinstance(err, TypeError) and ("not iterable" in text or "iteration over a 0-d" in text)


def _torch_on_numpy(err: BaseException, args: tuple) -> bool:
    """Whether ``err`` is torch meeting a NumPy array (``x * torch.sigmoid(x)`` on arrays): a function that
    computes with torch where the exercise passes NumPy arrays."""
    arrays = [a for a in args if isinstance(a, (np.ndarray, torch.Tensor))]
    return (isinstance(err, TypeError) and "Tensor" in str(err) and bool(arrays)
            and all(isinstance(a, np.ndarray) for a in arrays))


def _param_names(fn: Callable, n: int, starter: str = "") -> list[str]:
    """Names for the arguments in messages: the learner's parameter names, else the starter's."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    if len(names) < n:
        m = re.search(r"def \w+\(([^)]*)\)", starter)
        names = [a.strip() for a in m.group(1).split(",") if a.strip()] if m else []
    return (names + [tr(ARGUMENT, n=i + 1) for i in range(len(names), n)])[:n]


def _safe_match(got: Any, want: Any, values: Any, **kwargs) -> str | None:
    """values_match, with a learner's result that cannot even be read (a failing __len__, a tensor with no
    storage, ...) reported as such, not as a checker error."""
    try:
        return values_match(got, want, values, **kwargs)
    except (KeyboardInterrupt, TimeUp):
        raise
    except BaseException as err:
        return tr(UNREADABLE, subject=tr(kwargs.get("subject", RESULT)), error=learner_error(err), what=describe(got))


@dataclass(eq=False, repr=False)
class FunctionExercise(Exercise):
    """The answer is a function, run against a float64 reference on hidden seeded cases.

    ``cases(rng)`` returns the argument tuples; ``rng`` is seeded from ``seed`` and the exercise id,
    so every check of a function sees the same inputs. ``time_limit`` (seconds, all calls together)
    defaults to :data:`ffn_lib.exercises.base.TIME_LIMIT_S`. ``constants``: the formula has irrational constants
    a learner may type rounded (0.79788 for sqrt(2/pi)); only then does a small gap get the "rounded constant" note.
    """

    reference: Callable[..., Any] = lambda *a: None
    cases: Callable[[np.random.Generator], list[tuple]] = lambda rng: []
    mistakes: Sequence[tuple[Callable[..., Any], str]] = ()
    seed: int = 2020
    time_limit: float | None = None
    constants: bool = False

    def __post_init__(self):
        self.kind = "a function"

    def rng(self) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(f"{self.title}|{self.answer_name}".encode())])

    def _cases(self) -> list[tuple]:
        return list(self.cases(self.rng()))

    def _dtypes(self) -> list[str]:
        seen: list[str] = []

        def visit(v):
            if isinstance(v, (torch.Tensor, np.ndarray)):
                name = dtype_name(v)
                if name not in seen:
                    seen.append(name)
            elif isinstance(v, dict):
                for x in v.values():
                    visit(x)
            elif isinstance(v, (tuple, list)):
                for x in v:
                    visit(x)
        for case in self._cases():
            visit(case)
        return seen

    def policy_text(self) -> str:
        """What is specific to this exercise's check: the dtypes of its hidden inputs (and a time limit of its
        own); the rules every function exercise shares are in the chapter's note, :mod:`.guide`."""
        dtypes = join(self._dtypes())
        if self.time_limit is not None and self.time_limit != base.TIME_LIMIT_S:
            return tr(MESSAGES["policy_time"], dtypes=dtypes, limit=f"{self.time_limit:g}")
        return tr(MESSAGES["policy"], dtypes=dtypes)

    def _run(self, answer: Callable, cases: list[tuple], names: list[str]) -> tuple[list, str | None]:
        """Call the learner's function on every case: (runs, None) or (runs so far, the problem)."""
        limit = self.time_limit or base.TIME_LIMIT_S
        runs = []
        deadline = time.monotonic() + limit
        for args in cases:
            before = [snapshot(a) for a in args]
            shown = ", ".join(f"{n} {describe(a, values=False)}" for n, a in zip(names, before))
            try:
                got = call_with_time_limit(answer, tuple(args), deadline - time.monotonic())
            except TimeUp:
                return runs, tr(MESSAGES["time"], limit=f"{limit:g}", inputs=shown)
            except KeyboardInterrupt:  # the learner stops the check
                raise
            except BaseException as err:  # SystemExit, or anything else their code raises
                key = ("numpy_raised" if _numpy_on_half(err, args) else
                       "torch_raised" if _torch_on_numpy(err, args) else
                       "scalar_math" if _scalar_math(err, args) else
                       "zero_d" if _zero_d_iteration(err, args) else "raised")
                return runs, tr(MESSAGES[key], error=learner_error(err), inputs=shown)
            if got is None:
                return runs, tr(MESSAGES["none"], inputs=shown)
            if not all(unchanged(b, a) for b, a in zip(before, args)):
                return runs, tr(MESSAGES["in_place"], inputs=shown)
            if isinstance(got, np.ndarray) and any(isinstance(a, torch.Tensor) for a in args):
                return runs, tr(MESSAGES["numpy_result"], inputs=shown)
            runs.append((before, got, shown))
        return runs, None

    def _check(self, answer: Any) -> tuple[str, str]:
        if is_unanswered(answer) or (callable(answer) and is_stub(answer)):
            return "not attempted", tr(MESSAGES["stub"], name=self.answer_name)
        if not callable(answer):
            return "incorrect", tr(MESSAGES["not_callable"], name=self.answer_name, what=describe(answer))
        cases = self._cases()
        names = _param_names(answer, max((len(c) for c in cases), default=0), self.starter)
        runs, problem = self._run(answer, cases, names)
        if problem:
            return "incorrect", problem
        for before, got, shown in runs:
            reference64 = self.reference(*widen(before))
            problem = _safe_match(got, self.reference(*before), reference64, inputs=before, names=names)
            if problem:
                diagnosis = self._diagnose(runs)
                if diagnosis:
                    return "incorrect", tr(MESSAGES["mistake"], diagnosis=diagnosis)
                message = tr(MESSAGES["differs"], inputs=shown, problem=problem)
                gap = self._rounding_gap(got, self.reference(*before), reference64)
                if gap is not None:
                    message = sentences([message, tr(MESSAGES["rounded"], gap=upper_bound_text(gap))])
                return "incorrect", message
        return "correct", tr(MESSAGES["correct"], n=len(cases))

    def _rounding_gap(self, got: Any, want: Any, reference64: Any) -> float | None:
        """The gap a rounded constant could explain, or None: only for a formula with such constants, a result of
        the right type, shape and dtype (else the mismatch sentence says all), and a small gap."""
        if not self.constants or _safe_match(got, want, reference64, compare_values=False) is not None:
            return None
        return rounded_constant_gap(got, reference64)

    def _diagnose(self, runs: list) -> str | None:
        """The known mistake the learner's outputs match on every case where it applies (at least one)."""
        for wrong, diagnosis in self.mistakes:
            matched = 0
            for before, got, _ in runs:
                try:
                    with quiet():
                        out, out64 = wrong(*before), wrong(*widen(before))
                except Exception:  # a mistake that does not apply to this case
                    continue
                if _safe_match(got, out, out64, check_dtype=False) is not None:
                    break
                matched += 1
            else:
                if matched:
                    return say(diagnosis)
        return None
