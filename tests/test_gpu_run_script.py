"""scripts/gpu_run.sh's own logic, exercised without a GPU (DRY_RUN=1 skips the CUDA check)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import ROOT

ROOT = Path(ROOT)


def _run(tmp_path, *steps, **env):
    run = tmp_path / "run"
    full = {**os.environ, "DRY_RUN": "1", "RUN_DIR": str(run), "LM_RUN_DIR": str(tmp_path / "lm"),
            "PYTHON": sys.executable, **env}
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "gpu_run.sh"), *steps], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=300)
    steps_file = run / "steps.jsonl"
    records = [json.loads(line) for line in steps_file.read_text().splitlines()] if steps_file.exists() else []
    return proc, run, records


def test_timed_steps_refuse_to_share_the_gpu(tmp_path):
    for group in ("tests+bench", "notebooks+tune", "tests+epilogue", "notebooks+math"):
        proc, _, records = _run(tmp_path, group)
        assert proc.returncode == 2 and "cannot share the GPU" in proc.stdout
        assert records == []  # nothing ran


def test_an_unknown_step_fails_the_run(tmp_path):
    proc, _, _ = _run(tmp_path, "benchmark")
    assert proc.returncode == 2 and "unknown step benchmark" in proc.stdout


def test_the_tune_step_writes_its_record(tmp_path):
    pytest.importorskip("triton")
    proc, run, records = _run(tmp_path, "tune", TRITON_INTERPRET="1",
                              TUNE_ARGS="--gates silu --shapes 1024x4 --passes forward --tokens 2 --d-ff 16 "
                                        "--dtype float32 --rounds 1 --min-time 0.01")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(r["step"], r["exit"]) for r in records] == [("tune", 0)]
    doc = json.loads((run / "tune.json").read_text())
    assert {r["variant"] for r in doc["rows"]} == {"act_mul, default shape", "act_mul_cat, 1024x4"}
    assert (run / "tune.log").read_text().count("best:") == 1


def test_the_math_step_writes_its_record(tmp_path):
    """Chapter 2's 2 x 2 (erf x reciprocal) for GELU, the reciprocal's two for SiLU, in the interpreter: every row
    recorded, the reciprocal a division there whatever was asked, and no compiled kernel to count."""
    pytest.importorskip("triton")
    proc, run, records = _run(tmp_path, "math", TRITON_INTERPRET="1",
                              MATH_ARGS="--gates gelu,silu --passes forward,backward --tokens 2 --d-ff 16 "
                                        "--dtype float32 --rounds 1 --min-time 0.01")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(r["step"], r["exit"]) for r in records] == [("math", 0)]
    doc = json.loads((run / "math.json").read_text())
    assert doc["provenance"]["command"].startswith("python scripts/time_math.py")
    got = {(r["gate"], r["pass"], r["erf"], r["fast_rcp"]) for r in doc["rows"]}
    assert got == {(g, p, e, f) for p in ("forward", "backward") for f in (False, True)
                   for g, e in [("gelu", "as7126"), ("gelu", "libdevice"), ("silu", "as7126")]}
    assert not any(r["fast_rcp_effective"] for r in doc["rows"]) and all(r["instructions"] is None for r in doc["rows"])
    assert all(r["q1_s"] <= r["median_s"] <= r["q3_s"] and r["copy_share"] > 0 for r in doc["rows"])


def test_the_epilogue_step_writes_its_record(tmp_path):
    """Chapter 7's epilogue timing: three variants at a prefill and a decode size, checked against each other."""
    pytest.importorskip("triton")
    proc, run, records = _run(tmp_path, "epilogue", TRITON_INTERPRET="1",
                              EPILOGUE_ARGS="--prefill 20 --decode 3 --d-model 24 --d-ff 40 --dtype float32 "
                                            "--blocks 16,16,16 --rounds 1 --min-time 0.01")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [(r["step"], r["exit"]) for r in records] == [("epilogue", 0)]
    doc = json.loads((run / "epilogue.json").read_text())
    assert {(r["size"], r["variant"]) for r in doc["rows"]} == {
        (s, v) for s in ("prefill", "decode") for v in ("cuBLAS + eager", "cuBLAS + fused", "epilogue")}
    assert {r["tokens"] for r in doc["rows"]} == {20, 3}
    assert all(r["q1_s"] <= r["median_s"] <= r["q3_s"] and r["flop_rate"] > 0 for r in doc["rows"])
    assert doc["provenance"]["command"].startswith("python scripts/time_epilogue.py --out ")


def test_a_wrong_epilogue_is_not_timed(monkeypatch):
    """The variants are checked against cuBLAS + eager before timing: a wrong kernel stops the step."""
    pytest.importorskip("triton")
    import importlib.util

    from ffn_lib import kernels
    if not kernels.INTERPRETED:
        pytest.skip("checked in the interpreter")
    spec = importlib.util.spec_from_file_location("time_epilogue", ROOT / "scripts" / "time_epilogue.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod.epilogue, "matmul_swiglu", lambda x, w, n, *a, **k: torch.zeros(x.shape[0], n))
    with pytest.raises(RuntimeError, match="epilogue differs"):
        mod.variants(5, 8, 16, torch.float32, torch.device("cpu"), (16, 16, 16))


def test_preflight_names_what_is_missing_in_one_line(tmp_path):
    """A step whose module is missing stops the run before anything runs, with one line naming it."""
    hide = tmp_path / "hide"
    (hide / "triton").mkdir(parents=True)
    (hide / "triton" / "__init__.py").write_text("raise ImportError('hidden for the test', name='triton')\n")
    proc, run, records = _run(tmp_path, "tune", "lm", PYTHONPATH=f"{hide}:{ROOT}")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == ["preflight: missing triton (for tune): install them (pip install -e '.[gpu,test]') or leave "
                     "those steps out"]
    assert records == [] and not run.exists()


@pytest.mark.serial
def test_preflight_passes_and_is_quick_when_all_is_there(tmp_path):
    pytest.importorskip("triton")
    import time

    start = time.perf_counter()
    proc, _, _ = _run(tmp_path, "nosuchstep")  # the preflight passes, then the step is refused
    assert proc.returncode == 2 and "unknown step nosuchstep" in proc.stdout
    assert time.perf_counter() - start < 60  # seconds on a quiet machine; generous for a shared 2-core one


def test_the_run_folder_is_named_by_the_gpu_model():
    script = (ROOT / "scripts" / "gpu_run.sh").read_text()
    assert "gpu_slug(torch.cuda.get_device_name())" in script  # the names themselves: tests/test_devices.py


def test_the_timing_scripts_say_where_they_cannot_run(monkeypatch):
    """The interpreter times on the CPU; compiled kernels need a GPU Triton supports, and say so otherwise."""
    pytest.importorskip("triton")
    from ffn_lib import kernels

    if kernels.INTERPRETED:
        assert kernels.timing_device() == torch.device("cpu")
    monkeypatch.setattr(kernels, "INTERPRETED", False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no GPU here that Triton supports"):
        kernels.timing_device()
    monkeypatch.setattr(kernels, "HAS_TRITON", False)
    with pytest.raises(RuntimeError, match="Triton is not installed"):
        kernels.timing_device()
