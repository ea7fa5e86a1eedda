"""Devices this machine does not have, faked for tests and for running chapters under another device's policy.

:func:`faked` patches the queries the device-and-dtype policy (:mod:`ffn_lib.devices`) and the kernels'
:func:`~ffn_lib.kernels.supports` ask of PyTorch -- ``torch.cuda.is_available``, ``get_device_capability``,
``get_device_name``, ``is_bf16_supported``, ``torch.version.hip``, ``torch.backends.mps.is_available`` -- so that
they answer as on the named machine. No tensor can be created on a faked device: the chapters' harness
(``scripts/run_notebook_code.py --fake-device``) keeps tensors on the CPU and asks the policy about the faked one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

import torch


@dataclass(frozen=True)
class Profile:
    """What PyTorch says about one machine's accelerator."""

    kind: str  # "cuda", "mps" or "cpu": the device type a chapter would pick
    name: str = ""  # torch.cuda.get_device_name()
    capability: tuple[int, int] = (0, 0)  # torch.cuda.get_device_capability()
    hip: str | None = None  # torch.version.hip: a version string on ROCm builds


PROFILES = {
    "cpu": Profile("cpu"),
    "mps": Profile("mps"),
    "t4": Profile("cuda", "Tesla T4", (7, 5)),
    "v100": Profile("cuda", "Tesla V100-SXM2-16GB", (7, 0)),
    "rtx4090": Profile("cuda", "NVIDIA GeForce RTX 4090", (8, 9)),
    "a100": Profile("cuda", "NVIDIA A100-SXM4-80GB", (8, 0)),
    "l4": Profile("cuda", "NVIDIA L4", (8, 9)),
    "h100": Profile("cuda", "NVIDIA H100 80GB HBM3", (9, 0)),
    "h200": Profile("cuda", "NVIDIA H200", (9, 0)),
    "b200": Profile("cuda", "NVIDIA B200", (10, 0)),  # Blackwell, data centre
    "rtx5090": Profile("cuda", "NVIDIA GeForce RTX 5090", (12, 0)),  # Blackwell, consumer (RTX 50)
    "mi300x": Profile("cuda", "AMD Instinct MI300X", (9, 4), hip="6.2"),
}


@contextlib.contextmanager
def faked(name: str | Profile) -> Iterator[Profile]:
    """Inside this block PyTorch's device queries answer as on the machine ``name`` (a key of :data:`PROFILES`)."""
    p = PROFILES[name] if isinstance(name, str) else name
    cuda = p.kind == "cuda"

    def bf16(including_emulation: bool = True) -> bool:
        if not cuda:
            return False
        return bool(p.hip) or p.capability >= (8, 0) or including_emulation

    patches = [
        (torch.cuda, "is_available", lambda: cuda),
        (torch.cuda, "device_count", lambda: int(cuda)),
        (torch.cuda, "get_device_capability", lambda device=None: p.capability),
        (torch.cuda, "get_device_name", lambda device=None: p.name),
        (torch.cuda, "is_bf16_supported", bf16),
        (torch.version, "hip", p.hip),
        (torch.backends.mps, "is_available", lambda: p.kind == "mps"),
    ]
    saved = [(obj, attr, getattr(obj, attr)) for obj, attr, _ in patches]
    try:
        for obj, attr, value in patches:
            setattr(obj, attr, value)
        yield p
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)
