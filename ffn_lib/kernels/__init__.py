"""Fused Triton kernels for the gated activation step act(gate) * up.

* :func:`act_mul` takes ``gate`` and ``up`` as two tensors of the same shape.
* :func:`act_mul_cat` takes one tensor ``[..., 2 * d_ff]`` whose **first half is
  the gate** and second half the up projection: the fused ``gate_up_proj``
  layout of vLLM's ``SiluAndMul`` and Hugging Face's Phi-3 MLP. (PyTorch's
  ``F.glu`` is the other way round: it gates the *first* half with the sigmoid
  of the *second*.)

Both have a fused forward and a fused backward and give what eager
``act(gate) * up`` gives (:func:`act_mul_eager`), NaN included; at +-inf they
give the limits :mod:`ffn_lib.activations` documents. ``activation`` is any name
:func:`ffn_lib.get_activation` knows or an :class:`~ffn_lib.Activation`, whose
parameters (Swish's ``beta``) are honoured.

Where they run (:func:`available`, :func:`supports`, :func:`backend`):

* on CUDA tensors of a GPU with compute capability 8.0 or more (Ampere and later: A100, RTX 30xx/40xx, L4,
  H100, H200), and on ROCm GPUs, when Triton is installed. Triton itself requires sm_80+ (Turing was
  dropped after 3.2) and its bfloat16 conversions do not assemble below sm_80 ("Feature '.bf16' requires
  .target sm_80"); float16 and float32 may still work on a T4 or V100, but are not supported: there
  :func:`supports` says no and ``GatedFFN(fused=True)`` runs eagerly;
* on CPU tensors when Triton's interpreter is on, i.e. ``TRITON_INTERPRET=1`` was set before this
  module was imported (slow, for tests and for reading the kernel at work);
* nowhere without Triton: this module still imports (``available()`` is False, the kernels' source is
  still readable as ``triton_act_mul``), and a launch raises an error naming the missing package.

Every launch runs on its tensors' GPU (a device guard), not on whichever GPU is current.

Gradients: a fused backward; with ``create_graph=True`` (a gradient penalty, a Hessian-vector product) the
backward is computed by the eager formulas instead, so that it can itself be differentiated (the kernels have no
second derivative of their own).

Under ``torch.compile`` both go through PyTorch custom ops (``ffn_lib::act_mul``
and friends, registered with ``torch.library.triton_op`` where the kernels are compiled; see ``_ops.py``), so a
compiled model traces them without a graph break; in eager mode they skip that dispatch layer, which
costs CPU time on every call (:func:`host_overhead` measures the wrapper).
"""

from __future__ import annotations

import contextlib
import sys
import functools
import time
import types
from pathlib import Path
from typing import Any

import torch

from .. import devices
from ..activations import GELU_SIGMOID_COEF, Activation, act_mul_eager, get_activation
from ..i18n import N_, tr

try:  # Triton is optional: `pip install .[gpu]`
    import triton

    from . import triton_act_mul as _k
    from ._launch import Launcher, stub_launches

    HAS_TRITON = True
    INTERPRETED = type(_k.act_mul_fwd_kernel).__name__ == "InterpretedFunction"
except ImportError as _exc:  # exercised with Triton hidden: tests/test_run_notebook_code.py
    triton = None
    _k = None
    HAS_TRITON = False
    INTERPRETED = False
    MISSING = _exc.name or "triton"
    # The kernels' source stays readable (a chapter shows it as text): the file, as a module that is not run.
    triton_act_mul = types.ModuleType(f"{__name__}.triton_act_mul", "The kernels' source (Triton is not installed).")
    triton_act_mul.__file__ = str(Path(__file__).with_name("triton_act_mul.py"))
    stub_launches = contextlib.nullcontext
else:
    MISSING = None

__all__ = ["act_mul", "act_mul_cat", "act_mul_eager", "available", "supports", "can_run", "backend",
           "host_overhead", "set_math", "set_launch", "launch_config", "KERNEL_DTYPES", "HAS_TRITON", "INTERPRETED"]

# torch.library.triton_op (PyTorch >= 2.6), or custom_op (>= 2.4) in the interpreter, registers the ops that
# torch.compile traces (see _ops.py).
HAS_CUSTOM_OPS = HAS_TRITON and hasattr(torch.library, "custom_op")
_is_compiling = getattr(torch.compiler, "is_compiling", lambda: False)

KERNEL_DTYPES = (torch.float16, torch.bfloat16, torch.float32)
_DTYPES = frozenset(KERNEL_DTYPES)

# Launch shape (see triton_act_mul.py): blocks of 1024 elements and 4 warps per program (8 elements, 16 bytes of
# bfloat16, per thread); shorter rows take the next power of two. Grid axis 1 (rows) takes at most 65535.
BLOCK = 1024
NUM_WARPS = 4
MAX_GRID_ROWS = 65535

# The kernels' activation codes for each registry name; "swish" and "gelu_sigmoid" take a beta.
_CODES: dict[str, int] = {
    "identity": 0, "sigmoid": 1, "relu": 2, "gelu": 3, "gelu_tanh": 4, "silu": 5, "swish": 6, "gelu_sigmoid": 6,
}
_SILU, _SWISH = 5, 6
_RESOLVED: dict[str, tuple[int, float]] = {}  # name -> (code, beta) for calls without a beta

ERF_VARIANTS = ("as7126", "libdevice")
_erf = 0  # the kernels' ERF constant: an index into ERF_VARIANTS
_fast_rcp = False  # the kernels' FAST_RCP constant


def set_math(erf: str = "as7126", *, fast_rcp: bool | None = None) -> None:
    """Choose how the kernels do their costliest arithmetic (an advanced option, for benchmarks).

    ``erf``, for GELU's erf: ``"as7126"`` (default), Abramowitz & Stegun 7.1.26, the GELU within
    3e-7 |x| of the exact value in float32; ``"libdevice"``, the CUDA math library's ``erff``, within
    1.1e-7 |x| but dearer. ``fast_rcp``: every 1/x (the sigmoid's, A&S's) with the GPU's approximate
    reciprocal instruction (inline PTX), within 1 ulp, instead of a division; default on for compiled kernels
    on NVIDIA GPUs, and always off in the CPU interpreter and on ROCm (PTX does not assemble there).
    Calling ``set_math()`` restores the defaults.
    """
    global _erf, _fast_rcp
    if erf not in ERF_VARIANTS:
        raise ValueError(f"erf must be one of {', '.join(map(repr, ERF_VARIANTS))}, got {erf!r}.")
    _erf = ERF_VARIANTS.index(erf)
    _fast_rcp = not INTERPRETED and not devices._is_rocm() and (fast_rcp is None or bool(fast_rcp))


_DEFAULT_LAUNCH = (BLOCK, NUM_WARPS)


def set_launch(block: int = _DEFAULT_LAUNCH[0], num_warps: int = _DEFAULT_LAUNCH[1]) -> None:
    """Choose the launch shape: ``block`` elements per program, ``num_warps`` warps of 32 threads each
    (an advanced option, for tuning on a GPU: ``scripts/tune_launch.py`` times the choices).

    Each thread handles ``block / (32 num_warps)`` elements; a row shorter than ``block`` takes the next power
    of two, with proportionally fewer warps. Calling ``set_launch()`` restores the defaults (1024, 4).
    """
    global BLOCK, NUM_WARPS
    if isinstance(block, bool) or not isinstance(block, int) or not 128 <= block <= 16384 or block & (block - 1):
        raise ValueError(f"block must be a power of two from 128 to 16384, got {block!r}.")
    if isinstance(num_warps, bool) or num_warps not in (1, 2, 4, 8, 16):
        raise ValueError(f"num_warps must be 1, 2, 4, 8 or 16, got {num_warps!r}.")
    if block < 32 * num_warps:
        raise ValueError(f"block ({block}) must give every thread at least one element: at least "
                         f"32 * num_warps = {32 * num_warps}.")
    BLOCK, NUM_WARPS = block, num_warps


def launch_config() -> dict[str, int]:
    """The launch shape in use: ``{"block": ..., "num_warps": ...}`` (see :func:`set_launch`)."""
    return {"block": BLOCK, "num_warps": NUM_WARPS}


if HAS_TRITON:
    set_math()
    # Eager calls launch through _launch.Launcher, which skips Triton's per-call argument binding: kept until a
    # recorded GPU run shows whether it pays over the public launch (the torch.library ops in _ops.py, which
    # torch.compile uses); see the "host" rows of results/<gpu>-<date>/results.json and kernels.host_overhead.
    _fwd_launch = Launcher(_k.act_mul_fwd_kernel, INTERPRETED)
    _bwd_launch = Launcher(_k.act_mul_bwd_kernel, INTERPRETED)


# --- where the kernels run --------------------------------------------------------------------------------------


MIN_CAPABILITY = devices.TRITON_MIN_CAPABILITY


def _missing() -> ModuleNotFoundError:
    return ModuleNotFoundError(f"the fused kernels need the package {MISSING!r} (Triton), which is not installed "
                               "here: pip install '.[gpu]' on Linux with an NVIDIA GPU. act_mul_eager computes the "
                               "same thing, and GatedFFN(fused=True) falls back to it by itself.", name=MISSING)


@functools.lru_cache(maxsize=None)
def _gpu_ok(index: int) -> bool:
    """:func:`ffn_lib.devices.triton_gpu_ok`, asked once per GPU."""
    return devices.triton_gpu_ok(index)


def _gpu_index(device: torch.device) -> int:
    return device.index if device.index is not None else torch.cuda.current_device()


def available() -> bool:
    """Whether the kernels can run anywhere in this process: Triton is importable and either its interpreter is
    on (CPU tensors) or some GPU here is one Triton supports (compute capability 8.0+, or ROCm).

    What a chapter asks before launching: where this is False it shows the kernel's source and skips the launch.
    """
    if not HAS_TRITON:
        return False
    if INTERPRETED:
        return True
    return torch.cuda.is_available() and any(_gpu_ok(i) for i in range(torch.cuda.device_count()))


def timing_device() -> torch.device:
    """Where a timing script (``scripts/tune_launch.py``, ``scripts/time_epilogue.py``) launches the kernels: the
    CPU in Triton's interpreter (which checks the script, not the speed), else the GPU. Raises ``RuntimeError``
    saying why where they cannot launch."""
    if not HAS_TRITON:
        raise RuntimeError(_backend(translated=False))
    if INTERPRETED:
        return torch.device("cpu")
    if not available():
        raise RuntimeError("no GPU here that Triton supports; set TRITON_INTERPRET=1 to check the script in "
                           "Triton's interpreter")
    return torch.device("cuda")


def backend() -> str:
    """Where the kernels run in this process, in words (the reader's language: a chapter prints it)."""
    return _backend(translated=True)


def _backend(translated: bool) -> str:
    """:func:`backend`'s sentence, in English for an exception message (``translated=False``)."""
    fields = {}
    if not HAS_TRITON:
        message = N_("Triton is not installed (no module named {missing}; pip install '.[gpu]'): the kernels cannot "
                     "launch, GatedFFN(fused=True) runs eagerly")
        fields = {"missing": repr(MISSING)}
    elif INTERPRETED:
        message = N_("Triton's CPU interpreter (TRITON_INTERPRET=1): correct but slow; CPU tensors only")
    elif not available():
        message = N_("no GPU here that Triton supports (it needs compute capability 8.0+, or ROCm): the kernels "
                     "cannot launch, GatedFFN(fused=True) runs eagerly")
    else:
        message = N_("compiled Triton kernels on CUDA tensors")
    if translated:
        return tr(message, **fields)
    return message.format(**fields) if fields else message


def can_run(tensor: torch.Tensor) -> bool:
    """Whether the kernels can run on ``tensor``'s device in this process (a supported GPU, or the interpreter)."""
    if not HAS_TRITON:
        return False
    if INTERPRETED:
        return tensor.device.type == "cpu"
    return tensor.is_cuda and _gpu_ok(_gpu_index(tensor.device))


def supports(tensor: torch.Tensor, activation: str | Activation = "silu",
             beta: float | torch.Tensor | None = None) -> bool:
    """Whether :func:`act_mul` can run this call fused (else run :func:`act_mul_eager`).

    True when ``tensor``'s dtype is in :data:`KERNEL_DTYPES`, its device can run the kernels here
    (:func:`can_run`: compute capability 8.0+ or ROCm, or the interpreter on CPU tensors; below sm_80
    bfloat16 cannot compile and float16/float32 may work but are not supported, so the answer is no),
    the activation is one of the kernels' and no beta needs a gradient.
    """
    if not (isinstance(tensor, torch.Tensor) and tensor.dtype in _DTYPES and can_run(tensor)):
        return False
    try:
        _resolve(activation, beta)
    except (TypeError, ValueError):
        return False
    return True


# --- arguments -------------------------------------------------------------------------------------------------


def _beta_value(beta: Any) -> float:
    if isinstance(beta, torch.Tensor):
        if beta.requires_grad and torch.is_grad_enabled():
            raise ValueError("beta is a tensor that requires grad; the fused kernels do not compute beta's "
                             "gradient. Use act_mul_eager (GatedFFN(fused=True) does so by itself), or pass "
                             "beta.detach() for a constant beta.")
        if beta.numel() != 1:
            raise ValueError(f"beta must be a single number, got a tensor of shape {tuple(beta.shape)}.")
        beta = beta.item()
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or beta != beta or abs(beta) == float("inf"):
        raise ValueError(f"beta must be a finite real number, got {beta!r}.")
    return float(beta)


def _resolve(activation: str | Activation, beta: Any) -> tuple[int, float]:
    """The kernel's activation code and beta (1.0 where unused) for a name or an Activation."""
    if beta is None and activation.__class__ is str:
        resolved = _RESOLVED.get(activation)
        if resolved is None:
            resolved = _RESOLVED[activation] = _resolve_new(get_activation(activation), None)
        return resolved
    if not isinstance(activation, (str, Activation)):
        raise TypeError(f"activation must be a name (str) or an Activation, got {type(activation).__name__}.")
    return _resolve_new(get_activation(activation), beta)


def _resolve_new(act: Activation, beta: Any) -> tuple[int, float]:
    code = _CODES.get(act.name)
    if code is None:
        raise ValueError(f"activation {act.name!r} has no fused kernel; the kernels take {', '.join(_CODES)}.")
    if beta is not None and "beta" not in act.params:
        raise ValueError(f"beta is a parameter of activation='swish', not of {act.name!r}.")
    if code != _SWISH:
        return code, 1.0
    if act.name == "gelu_sigmoid":
        return code, GELU_SIGMOID_COEF
    b = _beta_value(act.params["beta"] if beta is None else beta)
    return (_SILU, 1.0) if b == 1.0 else (code, b)


def _on_kernel_device(t: torch.Tensor) -> bool:
    return t.is_cpu if INTERPRETED else t.is_cuda and _gpu_ok(_gpu_index(t.device))


def _check(t: Any, name: str) -> None:
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}.")
    if t.dtype not in _DTYPES:
        raise TypeError(f"{name} has dtype {t.dtype}; the kernels take "
                        f"{', '.join(map(str, KERNEL_DTYPES))} (math is done in float32).")
    if not can_run(t):
        if t.is_cuda and not INTERPRETED:
            cap = ".".join(map(str, torch.cuda.get_device_capability(t.device)))
            raise RuntimeError(f"{name} is on {t.device}, a GPU of compute capability {cap}; Triton's kernels need "
                               "8.0 or more (A100, RTX 30xx and later). Use act_mul_eager there "
                               "(GatedFFN(fused=True) does so by itself).")
        raise RuntimeError(f"{name} is on {t.device}, where the kernels cannot run here: {_backend(False)}. "
                           "Move it to a CUDA device, or set TRITON_INTERPRET=1 before importing "
                           "ffn_lib.kernels to use the CPU interpreter.")


def _check_pair(gate: Any, up: Any) -> None:
    """The checks of :func:`act_mul`: a fast test first, the explanation only when it fails."""
    if (isinstance(gate, torch.Tensor) and isinstance(up, torch.Tensor) and gate.dtype in _DTYPES
            and gate.dtype == up.dtype and _on_kernel_device(gate) and gate.get_device() == up.get_device()
            and gate.shape == up.shape):
        return
    _check(gate, "gate")
    _check(up, "up")
    if gate.shape != up.shape:
        raise ValueError(f"gate and up must have the same shape, got {tuple(gate.shape)} and {tuple(up.shape)}.")
    raise TypeError(f"gate and up must share dtype and device, got {gate.dtype} on {gate.device} "
                    f"and {up.dtype} on {up.device}.")


# --- launches --------------------------------------------------------------------------------------------------


def _all_contiguous(tensors: tuple[torch.Tensor, ...]) -> bool:
    for t in tensors:
        if not t.is_contiguous():
            return False
    return True


def _rows(t: torch.Tensor, d: int) -> torch.Tensor:
    """A (rows, d) view of ``t`` with unit column stride (a copy only when no such view exists)."""
    t2 = t.reshape(-1, d)
    return t2 if t2.stride(1) == 1 else t2.contiguous()


def _device_guard(t: torch.Tensor):
    """Make ``t``'s GPU the current one for the launch (Triton launches on the current device)."""
    return torch.cuda.device(t.device) if t.is_cuda else contextlib.nullcontext()


def _launch(launch: "Launcher", ins: tuple, outs: tuple, code: int, beta: float) -> None:
    """Launch over tensors of equal shape on their own device: one flat row when all are contiguous, else row
    by row."""
    if outs[0].numel() == 0:
        return
    if not outs[0].is_cuda:  # the interpreter: no device to guard
        _launch_here(launch, ins, outs, code, beta)
        return
    with _device_guard(outs[0]):
        _launch_here(launch, ins, outs, code, beta)


def _launch_here(launch: "Launcher", ins: tuple, outs: tuple, code: int, beta: float) -> None:
    n = outs[0].numel()
    if _all_contiguous(ins) and _all_contiguous(outs):
        n_blocks = (n + BLOCK - 1) // BLOCK
        launch((n_blocks, 1), (*ins, *outs), (n, *(0,) * (len(ins) + len(outs))), beta,
               (code, BLOCK, n_blocks * BLOCK >= 2**31, _erf, _fast_rcp), NUM_WARPS)
        return
    d = outs[0].shape[-1]
    views = [_rows(t, d) for t in ins] + [t.view(-1, d) for t in outs]
    block = min(BLOCK, triton.next_power_of_2(int(d)))  # int(): a traced (symbolic) width is specialised
    n_col_blocks = (d + block - 1) // block
    n_rows = views[0].shape[0]
    for start in range(0, n_rows, MAX_GRID_ROWS):  # grid axis 1 holds 65535 rows: more rows, more launches
        chunk = views if n_rows <= MAX_GRID_ROWS else [v[start:start + MAX_GRID_ROWS] for v in views]
        rows = chunk[0].shape[0]
        int64 = max((rows - 1) * v.stride(0) for v in chunk) + n_col_blocks * block >= 2**31
        launch((n_col_blocks, rows), tuple(chunk), (d, *(v.stride(0) for v in chunk)), beta,
               (code, block, int64, _erf, _fast_rcp), max(1, min(NUM_WARPS, block * NUM_WARPS // BLOCK)))


def _empty(t: torch.Tensor) -> torch.Tensor:
    return torch.empty_like(t, memory_format=torch.contiguous_format)


def _forward(gate: torch.Tensor, up: torch.Tensor, code: int, beta: float, launch=None) -> torch.Tensor:
    y = _empty(gate)
    _launch(launch or _fwd_launch, (gate, up), (y,), code, beta)
    return y


def _backward(gate: torch.Tensor, up: torch.Tensor, dy: torch.Tensor, code: int, beta: float, launch=None):
    dg, du = _empty(gate), _empty(up)
    _launch(launch or _bwd_launch, (gate, up, dy), (dg, du), code, beta)
    return dg, du


def _forward_cat(x: torch.Tensor, code: int, beta: float, launch=None) -> torch.Tensor:
    d = x.shape[-1] // 2
    gate, up = x[..., :d], x[..., d:]
    y = _empty(gate)
    _launch(launch or _fwd_launch, (gate, up), (y,), code, beta)
    return y


def _backward_cat(x: torch.Tensor, dy: torch.Tensor, code: int, beta: float, launch=None) -> torch.Tensor:
    d = x.shape[-1] // 2
    dx = _empty(x)
    _launch(launch or _bwd_launch, (x[..., :d], x[..., d:], dy), (dx[..., :d], dx[..., d:]), code, beta)
    return dx


_NAMES = {code: name for name, code in _CODES.items() if name != "gelu_sigmoid"}  # code -> registry name


def _activation_of(code: int, beta: float) -> Activation:
    act = get_activation(_NAMES[code])
    return act.with_params(beta=beta) if code == _SWISH else act


def _backward_eager(gate: torch.Tensor, up: torch.Tensor, dy: torch.Tensor, code: int, beta: float):
    """dg = dy u act'(g), du = dy act(g) by ffn_lib's formulas: differentiable again (create_graph=True)."""
    act = _activation_of(code, beta)
    return dy * up * act.derivative(gate), dy * act(gate)


def _backward_any(gate, up, dy, code, beta):
    """The fused backward, or, when autograd records it (create_graph=True), the eager formulas."""
    if torch.is_grad_enabled():
        return _backward_eager(gate, up, dy, code, beta)
    return _backward(gate, up, dy, code, beta)


class _ActMul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, gate: torch.Tensor, up: torch.Tensor, code: int, beta: float) -> torch.Tensor:
        ctx.save_for_backward(gate, up)
        ctx.code, ctx.beta = code, beta
        return _forward(gate, up, code, beta)

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        gate, up = ctx.saved_tensors
        dg, du = _backward_any(gate, up, dy, ctx.code, ctx.beta)
        return dg, du, None, None


class _ActMulCat(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, code: int, beta: float) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.code, ctx.beta = code, beta
        return _forward_cat(x, code, beta)

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        (x,) = ctx.saved_tensors
        if torch.is_grad_enabled():
            d = x.shape[-1] // 2
            return torch.cat(_backward_eager(x[..., :d], x[..., d:], dy, ctx.code, ctx.beta), -1), None, None
        return _backward_cat(x, dy, ctx.code, ctx.beta), None, None


# --- the public functions --------------------------------------------------------------------------------------


def act_mul(gate: torch.Tensor, up: torch.Tensor, activation: str | Activation = "silu", *,
            beta: float | torch.Tensor | None = None) -> torch.Tensor:
    """Fused act(gate) * up for tensors of any (equal) shape; differentiable in gate and up.

    ``beta`` overrides Swish's slope (a float, or a one-element tensor that does not require grad;
    a trainable beta is refused: use :func:`act_mul_eager`).

    >>> y = act_mul(g, u, "silu")          # SwiGLU's inner step  # doctest: +SKIP
    """
    if not HAS_TRITON:
        raise _missing()
    code, beta = _resolve(activation, beta)
    _check_pair(gate, up)
    if _is_compiling() and HAS_CUSTOM_OPS:
        return torch.ops.ffn_lib.act_mul(gate, up, code, beta)
    if (gate.requires_grad or up.requires_grad) and torch.is_grad_enabled():
        return _ActMul.apply(gate, up, code, beta)
    return _forward(gate, up, code, beta)


def act_mul_cat(gate_up: torch.Tensor, activation: str | Activation = "silu", *,
                beta: float | torch.Tensor | None = None) -> torch.Tensor:
    """Fused act(x[..., :d]) * x[..., d:] for x of shape (..., 2d): first half gate, second half up."""
    if not HAS_TRITON:
        raise _missing()
    code, beta = _resolve(activation, beta)
    _check(gate_up, "gate_up")
    if gate_up.ndim == 0 or gate_up.shape[-1] % 2:
        raise ValueError(f"gate_up's last dimension must be even (gate and up halves), got shape "
                         f"{tuple(gate_up.shape)}.")
    if _is_compiling() and HAS_CUSTOM_OPS:
        return torch.ops.ffn_lib.act_mul_cat(gate_up, code, beta)
    if gate_up.requires_grad and torch.is_grad_enabled():
        return _ActMulCat.apply(gate_up, code, beta)
    return _forward_cat(gate_up, code, beta)


# --- host time ---------------------------------------------------------------------------------------------------


def host_overhead(activation: str | Activation = "silu", shape: tuple[int, ...] = (8, 64), *,
                  device: torch.device | str | None = None, dtype: torch.dtype = torch.float32,
                  backward: bool = False, stub_launch: bool = True, calls: int = 200,
                  repeats: int = 5) -> dict[str, float]:
    """CPU time to issue one call of :func:`act_mul` and of eager ``act(g) * u``, in microseconds.

    The fastest of ``repeats`` rounds of ``calls`` calls each (the round least disturbed by other
    processes), timed with :func:`time.perf_counter`; fused and eager rounds alternate.
    ``backward=True`` times forward and backward through autograd (``torch.autograd.grad``).
    ``stub_launch=True`` makes the kernel launch a no-op: what is left is the Python wrapper's own
    cost, on any machine (on a GPU, ``stub_launch=False`` with small tensors times the real calls).
    Eager runs for real; with small tensors on a GPU its time is its host time too.
    """
    device = torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available()
                                                                            else "cpu")
    gen = torch.Generator().manual_seed(0)
    g, u, dy = (torch.randn(shape, generator=gen).to(device=device, dtype=dtype) for _ in range(3))
    if backward:
        g.requires_grad_()
        u.requires_grad_()
    act = get_activation(activation)

    def fused():
        y = act_mul(g, u, activation)
        if backward:
            torch.autograd.grad(y, (g, u), dy)

    def eager():
        y = act_mul_eager(g, u, act)
        if backward:
            torch.autograd.grad(y, (g, u), dy)

    def per_call(fn) -> float:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return (time.perf_counter() - start) / calls * 1e6

    fused()  # warm-up: compiles on first use
    eager()
    fused_us, eager_us = [], []
    for _ in range(repeats):  # alternate rounds, so that both see the same load from other processes
        with stub_launches() if stub_launch else contextlib.nullcontext():
            fused_us.append(per_call(fused))
        eager_us.append(per_call(eager))
    return {"fused_us": min(fused_us), "eager_us": min(eager_us)}


if HAS_CUSTOM_OPS:
    from . import _ops  # noqa: E402

    _ops.register(sys.modules[__name__])  # torch.ops.ffn_lib.*, calling this module's launchers
