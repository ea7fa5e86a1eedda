"""Which device the course runs on, and what it is called.

:func:`pick_device` chooses CUDA, else Apple's MPS, else the CPU (``FFN_LIB_DEVICE``
overrides); :func:`device_name` names the machine in words; :func:`synchronize`
waits for queued work; :func:`cache_bytes` says how large a working set must be
to be read from memory rather than from the last cache.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

DEVICE_ENV = "FFN_LIB_DEVICE"



def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def _where(device: torch.device | str, name: str | None = None) -> str:
    """The machine in words, with the device's index where there is one: "NVIDIA H200 (cuda:0)"; a CPU's name
    already says "(CPU)"."""
    device = torch.device(device)
    name = name or device_name(device)
    return name if device.type == "cpu" else f"{name} ({device})"


def pick_device(prefer: str | None = None, *, verbose: bool = True) -> torch.device:
    """CUDA if present, else Apple's MPS, else the CPU.

    ``prefer`` (or the environment variable ``FFN_LIB_DEVICE``, e.g. ``cpu``)
    overrides the choice; asking for a device that is not there is an error.
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
        print(f"ffn_lib: timing on {_where(device)}; set {DEVICE_ENV} to choose another device.")
    return device


def device_name(device: torch.device | str) -> str:
    """A human-readable name: the GPU model, or the CPU model and core count."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
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
