"""Where and how a benchmark run was made: the command, the date, the device, the versions, the clocks."""

from __future__ import annotations

import datetime as _dt
import json
import platform
import shlex
import subprocess
from pathlib import Path
from typing import Any

import torch

from ..devices import device_name


def read_clocks(device: torch.device) -> dict[str, str] | None:
    """SM and memory clocks now, and the SM's maximum, from nvidia-smi (None where unreadable)."""
    if device.type != "cuda":
        return None
    fields = ("clocks.sm", "clocks.mem", "clocks.max.sm")
    try:
        index = device.index if device.index is not None else torch.cuda.current_device()
        out = subprocess.run(["nvidia-smi", f"--id={index}", f"--query-gpu={','.join(fields)}", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    values = [v.strip() for v in out.split(",")]
    return dict(zip(fields, values)) if len(values) == len(fields) else None


def provenance(device: torch.device, argv: list[str]) -> dict[str, Any]:
    try:
        import triton

        triton_version = triton.__version__
    except ImportError:
        triton_version = None
    try:
        import liger_kernel  # noqa: F401
        from importlib.metadata import version

        liger_version = version("liger-kernel")
    except Exception:  # noqa: BLE001 - absent, or installed without metadata
        liger_version = None
    driver = None
    if device.type == "cuda":
        try:
            driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                    capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0] or None
        except (OSError, subprocess.SubprocessError, IndexError):
            driver = None
    return {
        "command": " ".join(shlex.quote(a) for a in ["python", "-m", "ffn_lib.bench", *argv]),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "device": {"type": device.type, "name": device_name(device),
                   "capability": ".".join(map(str, torch.cuda.get_device_capability(device)))
                   if device.type == "cuda" else None},
        "driver": driver,
        "cuda": torch.version.cuda if device.type == "cuda" else None,
        "torch": torch.__version__,
        "triton": triton_version,
        "liger_kernel": liger_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "method": ("ffn_lib.timing.benchmark: warm-up, then calls queued back to back with no host "
                   "synchronisation, " + ("CUDA events around each call and the L2 cache flushed (256 MiB written) "
                                          "before each, as triton.testing.do_bench"
                                          if device.type == "cuda" else "time.perf_counter around batches of calls")
                   + "; median and quartiles of the samples. Host time: N calls queued without a sync, / N. "
                   "Latency: sync, one call, sync. A block's forward+backward is a training step: gradients of "
                   "the input and of every parameter. torch.compile: compiled fresh per gate, fullgraph=True, "
                   "a recompile-limit fallback is an error."),
        "clocks": {"start": read_clocks(device)},
    }


def write_script_record(out: Path, device: torch.device, script: str, argv: list[str], config: dict[str, Any],
                        rows: list[dict[str, Any]]) -> None:
    """A timing script's JSON record: its provenance (``command`` as ``python <script> <argv>``), its
    ``config`` and its ``rows``; written to ``out``, and said so."""
    prov = provenance(device, [])
    prov["command"] = " ".join(["python", script, *argv])
    out.write_text(json.dumps({"provenance": prov, "config": config, "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")
