"""Which device the course runs on, what it is called, and which dtype it computes in.

:func:`pick_device` chooses CUDA, else Apple's MPS, else the CPU (``FFN_LIB_DEVICE``
overrides); :func:`device_name` names the machine in words; :func:`synchronize`
waits for queued work; :func:`cache_bytes` says how large a working set must be
to be read from memory rather than from the last cache.

The dtype policy, one for every chapter: :func:`choose_dtype` takes bfloat16 where the
GPU runs it natively, float16 on older CUDA GPUs, float32 on Apple GPUs and CPUs;
:func:`has_float64` says whether a device has float64 at all (Apple's MPS has not);
:func:`policy_line` is the one sentence a chapter prints about its choice.
:func:`gpu_slug` names a GPU model for a folder (``"NVIDIA H100 80GB HBM3"`` -> ``h100``).
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

import torch

from .i18n import tr

DEVICE_ENV = "FFN_LIB_DEVICE"


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


_CPU_NAME = re.compile(r"^(?P<model>.*), (?P<cores>\d+) cores \(CPU\)$")


def _where(device: torch.device | str, name: str | None = None, *, nested: bool = False) -> str:
    """The machine in words, with the device's index where there is one: "NVIDIA H200 (cuda:0)"; a CPU's name
    already says "(CPU)". ``nested``: for inside parentheses, no parentheses of its own ("AMD EPYC, 2 cores, CPU";
    a GPU without its index). In the reader's language (:mod:`ffn_lib.i18n`)."""
    device = torch.device(device)
    name = name or device_name(device)
    if device.type != "cpu":
        return name if nested else tr("{name} ({device})", name=name, device=str(device))
    found = _CPU_NAME.match(name)
    if found:
        fields = dict(model=found["model"], cores=found["cores"])
        return tr("{model}, {cores} cores, CPU", **fields) if nested else tr("{model}, {cores} cores (CPU)", **fields)
    if name.endswith(" (CPU)"):
        model = name.removesuffix(" (CPU)")
        return tr("{model}, CPU", model=model) if nested else tr("{model} (CPU)", model=model)
    return name


def pick_device(prefer: str | None = None, *, verbose: bool = True) -> torch.device:
    """CUDA if present, else Apple's MPS, else the CPU.

    ``prefer`` (or the environment variable ``FFN_LIB_DEVICE``, e.g. ``cpu``)
    overrides the choice; asking for a device that is not there is an error. ``verbose`` prints
    :func:`device_notice` once per process (a second call with the same answer is quiet); ``verbose=False``
    prints nothing, for a chapter that says where it runs in its own line (:func:`policy_line`).
    """
    wanted = prefer if prefer is not None else os.environ.get(DEVICE_ENV) or None
    source = "prefer" if prefer is not None else DEVICE_ENV
    if wanted is None:
        device = torch.device("cuda" if torch.cuda.is_available() else "mps" if _mps_available() else "cpu")
    else:
        try:
            device = torch.device(wanted)
        except (RuntimeError, TypeError):
            raise ValueError(f"{source}={wanted!r} is not a device name (try 'cpu', 'cuda', 'cuda:1', 'mps').") from None
        available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": _mps_available()}
        if not available.get(device.type, False):
            raise ValueError(f"{source}={wanted!r} asks for {device.type}, which this machine does not have.")
    if verbose:
        notice = device_notice(device, "code" if prefer is not None else "env" if wanted is not None else "default")
        if notice not in _SAID:  # said once: a chapter that asks twice reads it once
            _SAID.add(notice)
            print(notice)
    return device


_SAID: set[str] = set()  # the notices pick_device has printed in this process


def device_notice(device: torch.device | str, chosen_by: str = "default") -> str:
    """The one line :func:`pick_device` prints: where the timing runs, and how to change it where that is true.

    ``chosen_by``: ``"default"`` (the first available of CUDA, MPS, CPU: setting ``FFN_LIB_DEVICE`` changes it),
    ``"env"`` (``FFN_LIB_DEVICE`` chose it) or ``"code"`` (the caller passed ``prefer``, which the environment
    variable does not override, so the line does not suggest it). A chapter that prints its own device line
    (:func:`policy_line`) calls ``pick_device(verbose=False)`` instead.
    """
    where = _where(device)
    if chosen_by == "default":
        return tr("ffn_lib: timing on {where}; set {env} to choose another device.", where=where, env=DEVICE_ENV)
    if chosen_by == "env":
        return tr("ffn_lib: timing on {where}, as {env} asks.", where=where, env=DEVICE_ENV)
    if chosen_by == "code":
        return tr("ffn_lib: timing on {where}, the device this code asks for.", where=where)
    raise ValueError(f"chosen_by must be 'default', 'env' or 'code', got {chosen_by!r}.")


def device_name(device: torch.device | str) -> str:
    """A human-readable name: the GPU model, or the CPU model and core count."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU"  # _where adds "(mps)"
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores (CPU)"


def synchronize(device: torch.device) -> None:
    """Wait until every queued kernel on ``device`` has finished."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def cache_bytes(device: torch.device | str) -> int | None:
    """The size of the cache a working set must exceed to be read from memory.

    CUDA: the L2 cache (``torch.cuda.get_device_properties(...).L2_cache_size``).
    CPU: the last-level cache, read from Linux's sysfs. ``None`` where unknown.
    """
    device = torch.device(device)
    if device.type == "cuda":
        return int(getattr(torch.cuda.get_device_properties(device), "L2_cache_size", 0)) or None
    if device.type != "cpu":
        return None
    sizes = []
    for index in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*"):
        try:
            text = (index / "size").read_text().strip()
        except OSError:
            continue
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:].upper(), 1)
        digits = text.rstrip("KkMmGg")
        if digits.isdigit():
            sizes.append(int(digits) * scale)
    return max(sizes) if sizes else None


# --- the dtype policy ---------------------------------------------------------------------------------------------


def _is_rocm() -> bool:
    return bool(getattr(torch.version, "hip", None))


TRITON_MIN_CAPABILITY = (8, 0)  # Triton's requirement (its README; Turing was dropped after 3.2), and bfloat16's


def triton_gpu_ok(index: int) -> bool:
    """Whether Triton supports CUDA GPU ``index``: any ROCm GPU PyTorch runs on, or an NVIDIA GPU of sm_80 or more."""
    return _is_rocm() or tuple(torch.cuda.get_device_capability(index)) >= TRITON_MIN_CAPABILITY


def triton_gpu_present() -> bool:
    """Whether this machine has a GPU that Triton supports (what decides compiled kernels against the interpreter)."""
    return torch.cuda.is_available() and any(triton_gpu_ok(i) for i in range(torch.cuda.device_count()))


def _native_bf16(device: torch.device) -> bool:
    """Whether the GPU ``device`` computes in bfloat16 natively, not by emulation.

    What ``torch.cuda.is_bf16_supported(including_emulation=False)`` answers for the current device, asked of
    ``device`` itself: compute capability 8.0 or more on NVIDIA (Ampere and later); on ROCm, PyTorch's answer.
    """
    if _is_rocm():
        return bool(torch.cuda.is_bf16_supported(including_emulation=False))
    return tuple(torch.cuda.get_device_capability(device)) >= (8, 0)


def choose_dtype(device: torch.device | str) -> torch.dtype:
    """The dtype a chapter computes in on ``device``: what its matrix products run fastest in, natively.

    * CUDA or ROCm GPU with native bfloat16 (NVIDIA sm_80+: A100, RTX 30xx/40xx, L4, H100, H200; AMD MI200/MI300):
      ``torch.bfloat16``, what models are trained and served in;
    * older CUDA GPU (T4, V100, RTX 20xx): ``torch.float16``. PyTorch emulates bfloat16 there
      (``torch.cuda.is_bf16_supported()`` is True by emulation), without tensor cores, so every
      matrix-product rate, ridge point and compute-bound verdict would be wrong;
    * Apple GPU (MPS) and CPU: ``torch.float32`` (the CPU's bfloat16 matrix products are emulated on most
      processors; MPS's float32 is its well-trodden path).

    Source: ``torch.cuda.is_bf16_supported(including_emulation=False)``, per device (:func:`_native_bf16`).
    """
    device = torch.device(device)
    if device.type == "cuda":
        return torch.bfloat16 if _native_bf16(device) else torch.float16
    return torch.float32


def has_float64(device: torch.device | str) -> bool:
    """Whether ``device`` can hold float64 tensors: every device here but Apple's MPS, which has no float64."""
    return torch.device(device).type != "mps"


def policy_line(device: torch.device | str, dtype: torch.dtype | None = None) -> str:
    """One sentence saying which dtype this chapter computes in on ``device``, and why (for a chapter to print)."""
    device = torch.device(device)
    dtype = choose_dtype(device) if dtype is None else dtype
    fields = dict(dtype=str(dtype).removeprefix("torch."), where=_where(device))
    if device.type == "cuda":
        if dtype == torch.bfloat16:
            return tr("ffn_lib: computing in {dtype} on {where}: this GPU computes in bfloat16 natively, the format "
                      "models are trained and served in.", **fields)
        if dtype == torch.float16:
            return tr("ffn_lib: computing in {dtype} on {where}: this GPU has no native bfloat16 (PyTorch would "
                      "emulate it, without tensor cores), so float16 runs its matrix products at full rate.", **fields)
        if _native_bf16(device):
            return tr("ffn_lib: computing in {dtype} on {where}: chosen by hand; this GPU's fast formats are "
                      "bfloat16 and float16.", **fields)
        return tr("ffn_lib: computing in {dtype} on {where}: chosen by hand; this GPU's fast formats are float16.",
                  **fields)
    if device.type == "mps":
        return tr("ffn_lib: computing in {dtype} on {where}: Apple GPUs run float32 on their well-trodden path (and "
                  "have no float64).", **fields)
    if device.type == "cpu":
        return tr("ffn_lib: computing in {dtype} on {where}: a CPU computes in float32 natively (bfloat16 is "
                  "emulated on most processors).", **fields)
    return tr("ffn_lib: computing in {dtype} on {where}: the default for this kind of device.", **fields)


# --- naming a GPU for a folder ----------------------------------------------------------------------------------

_VENDOR_WORDS = {"nvidia", "amd", "geforce", "tesla", "quadro", "instinct", "radeon", "intel", "apple"}


def gpu_slug(name: str) -> str:
    """A short lower-case name of the GPU model for a results folder: its first word with a digit.

    >>> [gpu_slug(n) for n in ("NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4090", "Tesla T4", "AMD Instinct MI300X")]
    ['h100', 'rtx4090', 't4', 'mi300x']

    Vendor and family words are dropped; "RTX" (and "GTX") joins the number after it; a name
    with no model number gives its words joined by ``-``. The name is what ``torch.cuda.get_device_name()`` says.
    """
    words = [w for w in re.split(r"[\s_/()]+", name.lower()) if w and w not in _VENDOR_WORDS]
    for i, word in enumerate(words):
        if word in ("rtx", "gtx") and i + 1 < len(words):
            return re.sub(r"[^a-z0-9]", "", word + words[i + 1])
        if any(ch.isdigit() for ch in word):
            return re.sub(r"[^a-z0-9]", "", word.split("-")[0]) or "gpu"
    return "-".join(re.sub(r"[^a-z0-9]", "", w) for w in words) or "gpu"


# --- what runs where, for the hardware page ---------------------------------------------------------------------


def policy_rows() -> list[dict[str, str]]:
    """The policy applied to representative machines (faked: ``ffn_lib._fake_device.PROFILES``), one row each.

    Each row: ``machine``, ``device`` (what :func:`pick_device` picks), ``dtype`` (:func:`choose_dtype`),
    ``float64`` (:func:`has_float64`) and ``kernels`` (where :mod:`ffn_lib.kernels` launches its Triton
    kernels there: :func:`triton_gpu_ok`, compute capability 8.0+ or ROCm). The book's hardware page prints these.
    """
    from . import _fake_device

    from .i18n import N_  # the words of the hardware page's table are messages, translated where it shows them

    labels = {"cpu": N_("any CPU"), "mps": N_("Apple GPU (M1 and later)")}
    rows = []
    for key, profile in _fake_device.PROFILES.items():
        with _fake_device.faked(profile):
            device = pick_device(verbose=False)
            if device.type == "cuda":
                sm = "ROCm" if profile.hip else "sm_" + "".join(map(str, profile.capability))
                name = f"{profile.name} ({sm})"
                # below sm_80: eager on the GPU, but kernel_steps.setup turns the interpreter on (no Triton GPU here)
                kernels = N_("compiled") if triton_gpu_ok(0) else N_("not on this GPU (eager); chapter 7 runs them "
                                                                      "in the interpreter, on CPU tensors")
            else:
                name, kernels = labels[key], (N_("interpreter only (CPU tensors, slow)") if key == "cpu"
                                              else N_("no (eager only)"))
            rows.append({"machine": name, "device": device.type, "dtype": str(choose_dtype(device)).removeprefix("torch."),
                         "float64": N_("yes") if has_float64(device) else N_("no"), "kernels": kernels})
    return rows
