"""Execute every chapter notebook's code cells in order, outside Jupyter, and record the outcome.

Used by ``scripts/gpu_run.sh`` on a lent GPU machine that has PyTorch and Triton but
no Jupyter: the cells run in one namespace per notebook, in order, exactly as a
kernel would run them (a cell's last expression is displayed through its
``_repr_markdown_`` / ``_repr_html_``, so display code runs too). Where IPython is
missing, a minimal ``IPython.display`` stands in. The outcome (per notebook: ok or
the failing cell and its error, seconds, device) is written as JSON.

    python scripts/run_notebook_code.py --out results/<run>/notebooks.json [notebooks/*.ipynb]

Where readers are, on this machine (tests/test_run_notebook_code.py runs chapters so):

    --hide-module triton     the chapters as where Triton is not installed: ``import triton`` raises
                             ModuleNotFoundError (``sys.modules["triton"] = None``, set before anything runs)
    --fake-device t4         the device-and-dtype policy (``ffn_lib.devices.choose_dtype``, ``has_float64``,
                             ``policy_line``) answers as on that machine (``ffn_lib._fake_device.PROFILES``: t4,
                             mps, a100, h100, ...), while tensors stay on this machine's CPU, in float32
                             (see fake_device_policy)
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import linecache
import os
import sys
import time
import traceback
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class HiddenModules:
    """Make the named top-level modules (and their submodules) unimportable, as where they are not installed.

    Each name is set to ``None`` in ``sys.modules``: ``import triton`` then raises ModuleNotFoundError and
    ``importlib.util.find_spec("triton")`` answers None, what libraries that probe for a package see where it
    is absent (a ``sys.meta_path`` finder cannot do that: find_spec would have to raise).
    """

    def __init__(self, names):
        self.names = tuple(names)
        self.saved: dict = {}

    def install(self) -> "HiddenModules":
        for name in [m for m in sys.modules if any(m == n or m.startswith(n + ".") for n in self.names)]:
            self.saved[name] = sys.modules.pop(name)
        for name in self.names:
            sys.modules[name] = None
        return self

    def remove(self) -> None:
        for name in self.names:
            sys.modules.pop(name, None)
        sys.modules.update(self.saved)


# This machine's CPU computes float16 and bfloat16 matrix products ~100x slower than float32 (1024x512 @ 512x2048:
# 24 s against 0.25 s, measured with OMP_NUM_THREADS=1): a faked GPU's dtype is named, the arithmetic is float32.
CPU_DTYPE = "float32"


def fake_device_policy(name: str, substituted: dict) -> None:
    """Make ``ffn_lib.devices``' policy answer as on the machine ``name``, for every device a chapter asks about.

    ``policy_line`` and ``has_float64`` answer as there (a chapter on a faked Apple GPU skips float64 wherever it
    asks); ``choose_dtype`` names the faked machine's dtype in ``substituted`` (the outcome records it) and
    returns float32, the dtype this CPU computes at speed. What this exercises: every branch a chapter takes on
    the policy's answers; what it cannot: a kernel or dtype that fails only on the real device.
    """
    import torch

    from ffn_lib import _fake_device, devices

    profile = _fake_device.PROFILES[name]
    fake = torch.device(profile.kind)
    choose, has64, line = devices.choose_dtype, devices.has_float64, devices.policy_line

    def choose_dtype(device):
        with _fake_device.faked(profile):
            dtype = choose(fake)
        if dtype != torch.float32:
            substituted[str(dtype).removeprefix("torch.")] = CPU_DTYPE
        return getattr(torch, CPU_DTYPE)

    def has_float64(device):
        with _fake_device.faked(profile):
            return has64(fake)

    def policy_line(device, dtype=None):
        with _fake_device.faked(profile):
            return line(fake, choose(fake) if dtype is None or dtype == getattr(torch, CPU_DTYPE) else dtype)

    devices.choose_dtype, devices.has_float64, devices.policy_line = choose_dtype, has_float64, policy_line


def _install_ipython_stub() -> bool:
    """A minimal IPython.display when IPython is not installed; returns True if the stub is used."""
    try:
        import IPython.display  # noqa: F401
        return False
    except ImportError:
        pass

    class _Text:
        def __init__(self, data: str = "", **_):
            self.data = data

    class Markdown(_Text):
        def _repr_markdown_(self):
            return self.data

    class HTML(_Text):
        def _repr_html_(self):
            return self.data

    def display(*objs, **_):
        for obj in objs:
            _render(obj)

    ipython = types.ModuleType("IPython")
    # what libraries probe to learn whether they run inside IPython (matplotlib's display hook, for one): no
    ipython.get_ipython = lambda: None
    ipython.version_info = (0, 0, 0, "stub")
    disp = types.ModuleType("IPython.display")
    disp.Markdown, disp.HTML, disp.display = Markdown, HTML, display
    ipython.display = disp
    sys.modules["IPython"], sys.modules["IPython.display"] = ipython, disp
    return True


def _render(obj) -> str:
    for name in ("_repr_markdown_", "_repr_html_"):
        method = getattr(obj, name, None)
        if callable(method):
            text = method()
            if text is not None:
                return str(text)
    return repr(obj)


def run_notebook(path: Path) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = json.loads(path.read_text())
    namespace: dict = {"__name__": "__main__"}
    started = time.perf_counter()
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    out = io.StringIO()
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        name = f"{path.name}[code cell {index}]"  # in linecache, as Jupyter's cells: inspect.getsource finds them
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)  # (Triton's interpreter needs it)
        try:
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            with contextlib.redirect_stdout(out):
                exec(compile(tree, f"{path.name}[code cell {index}]", "exec"), namespace)
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), f"{path.name}[code cell {index}]", "eval"),
                                 namespace)
                    if value is not None:
                        _render(value)
            plt.close("all")
        except BaseException as exc:  # noqa: BLE001 - recorded, not hidden
            return {"notebook": path.name, "ok": False, "cells": len(cells), "failed_cell": index,
                    "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:],
                    "seconds": round(time.perf_counter() - started, 1)}
    return {"notebook": path.name, "ok": True, "cells": len(cells),
            "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--hide-module", action="append", default=[], metavar="NAME",
                        help="make this module unimportable (repeatable), e.g. triton")
    parser.add_argument("--fake-device", metavar="MACHINE",
                        help="the dtype policy answers as on this machine (t4, mps, a100, h100, ...)")
    args = parser.parse_args(argv)
    os.environ.setdefault("FFN_LIB_PROGRESS", "off")
    hidden = HiddenModules(args.hide_module).install() if args.hide_module else None
    # The notebooks share this one process, so Triton is imported once, by whichever chapter comes first; chapter
    # 7's kernel_steps.setup() turns the interpreter on only before that import. Apply its policy here, first.
    stub = _install_ipython_stub()
    from ffn_lib import kernel_steps

    kernel_steps.setup()
    import torch

    if args.fake_device:
        from ffn_lib._fake_device import PROFILES

        if args.fake_device not in PROFILES:
            parser.error(f"--fake-device {args.fake_device!r} is not one of {', '.join(PROFILES)}.")
        fake_device_policy(args.fake_device, substituted := {})

    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    records = []
    doc = {"device": device, "ipython": "stub" if stub else "installed", "torch": torch.__version__,
           "hidden_modules": args.hide_module, "fake_device": args.fake_device,
           "dtype_substituted": substituted if args.fake_device else {},
           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "notebooks": records}
    args.out = args.out if args.out.is_absolute() else ROOT / args.out
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    for path in paths:
        os.chdir(path.parent)  # as Jupyter does: a notebook runs in its own folder
        try:
            record = run_notebook(path)
        finally:
            os.chdir(cwd)
        record["device"] = device
        records.append(record)
        status = "ok" if record["ok"] else f"FAILED at code cell {record['failed_cell']}: {record['error']}"
        print(f"{path.name}: {status} ({record['seconds']} s)", flush=True)
        args.out.write_text(json.dumps(doc, indent=1) + "\n")  # after each notebook: a run cut short keeps its part
    if hidden is not None:
        hidden.remove()
    return 0 if all(r["ok"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
