"""The script that runs the chapters' code cells on a GPU machine without Jupyter."""

import importlib.util
import json
import sys

from conftest import ROOT

spec = importlib.util.spec_from_file_location("run_notebook_code", f"{ROOT}/scripts/run_notebook_code.py")
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)


def _notebook(tmp_path, *sources):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# title"]}]
    cells += [{"cell_type": "code", "metadata": {}, "source": [s], "outputs": [], "execution_count": None}
              for s in sources]
    path = tmp_path / "01_demo.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_cells_share_one_namespace_and_displays_are_rendered(tmp_path):
    path = _notebook(tmp_path, "from IPython.display import Markdown\nx = 2", "Markdown(f'x is {x * 3}')")
    record = runner.run_notebook(path)
    assert record["ok"] and record["cells"] == 2


def test_a_failing_cell_is_recorded_with_its_index_and_error(tmp_path):
    path = _notebook(tmp_path, "x = 1", "x / 0", "never = True")
    record = runner.run_notebook(path)
    assert not record["ok"]
    assert record["failed_cell"] == 1
    assert record["error"].startswith("ZeroDivisionError")


def test_the_ipython_stub_stands_in_when_ipython_is_missing(tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "IPython" or m.startswith("IPython.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "IPython", None)  # import IPython now raises ImportError
    assert runner._install_ipython_stub() is True
    # matplotlib probes sys.modules["IPython"] when it switches backend (as every notebook's first figure does)
    path = _notebook(tmp_path, "from IPython.display import Markdown, display\ndisplay(Markdown('hi'))",
                     "import matplotlib.pyplot as plt\nplt.switch_backend('Agg')\nfig, ax = plt.subplots()")
    assert runner.run_notebook(path)["ok"]


def test_main_writes_the_outcome_and_exits_nonzero_on_failure(tmp_path):
    path = _notebook(tmp_path, "raise ValueError('boom')")
    out = tmp_path / "outcome.json"
    code = runner.main([str(path), "--out", str(out)])
    assert code == 1
    doc = json.loads(out.read_text())
    assert doc["notebooks"][0]["error"] == "ValueError: boom"



# --- chapters where readers are: no Triton, a T4, an Apple GPU (run in a subprocess: a fresh interpreter) -----

import os  # noqa: E402
import subprocess  # noqa: E402

import pytest  # noqa: E402


def _run_script(tmp_path, notebooks, *flags, timeout=600):
    out = tmp_path / "outcome.json"
    env = {**os.environ, "PYTHONPATH": ROOT, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", "FFN_LIB_PROGRESS": "off"}
    env.pop("TRITON_INTERPRET", None)  # as a reader's machine: a chapter sets it itself where it wants it
    proc = subprocess.run([sys.executable, f"{ROOT}/scripts/run_notebook_code.py", "--out", str(out), *flags,
                           *map(str, notebooks)], env=env, capture_output=True, text=True, timeout=timeout)
    doc = json.loads(out.read_text()) if out.exists() else {"notebooks": []}
    return proc, doc


WITHOUT_TRITON = '''
import importlib.util, torch, ffn_lib
from ffn_lib import kernels, show_source, GatedFFN
assert importlib.util.find_spec("triton") is None  # as where it is not installed
try:
    import triton.language
    raise AssertionError("triton imported")
except ModuleNotFoundError as exc:
    assert exc.name.startswith("triton")
assert not kernels.HAS_TRITON and not kernels.available() and "not installed" in kernels.backend()
from ffn_lib.kernels import triton_act_mul
assert "def act_mul_fwd_kernel" in str(show_source(triton_act_mul))
g = torch.randn(2, 8)
try:
    kernels.act_mul(g, g)
    raise AssertionError("launched without Triton")
except ModuleNotFoundError as exc:
    assert "'triton'" in str(exc) and exc.name == "triton"
block = GatedFFN(8, 16, fused=True)
assert not block.fused_active() and block(g).shape == (2, 8)
'''


def test_the_library_imports_and_falls_back_with_triton_hidden(tmp_path):
    path = _notebook(tmp_path, WITHOUT_TRITON)
    proc, doc = _run_script(tmp_path, [path], "--hide-module", "triton", timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr + json.dumps(doc)
    assert doc["hidden_modules"] == ["triton"]


def test_without_the_flag_triton_is_there(tmp_path):
    pytest.importorskip("triton")
    path = _notebook(tmp_path, "import triton\nfrom ffn_lib import kernels\nassert kernels.HAS_TRITON")
    proc, _ = _run_script(tmp_path, [path], timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("machine, dtype, f64, name", [("t4", "float16", True, "Tesla T4"),
                                                      ("mps", "float32", False, "Apple GPU"),
                                                      ("h100", "bfloat16", True, "H100")])
def test_the_policy_answers_as_on_the_faked_device(tmp_path, machine, dtype, f64, name):
    path = _notebook(tmp_path, f'''
import torch, ffn_lib
device = ffn_lib.pick_device(verbose=False)
dtype = ffn_lib.devices.choose_dtype(device)
line = ffn_lib.devices.policy_line(device, dtype)
assert dtype == torch.float32, dtype  # the arithmetic this CPU does at speed
assert ffn_lib.devices.has_float64(device) is {f64}
assert {name!r} in line and "computing in {dtype}" in line, line
torch.randn(2, device=device, dtype=dtype)  # tensors stay on this machine's device
''')
    proc, doc = _run_script(tmp_path, [path], "--fake-device", machine, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr + json.dumps(doc)
    assert doc["fake_device"] == machine
    assert doc["dtype_substituted"] == ({} if dtype == "float32" else {dtype: "float32"})


def test_an_unknown_machine_is_refused(tmp_path):
    proc, _ = _run_script(tmp_path, [_notebook(tmp_path, "x = 1")], "--fake-device", "t5", timeout=120)
    assert proc.returncode == 2 and "t5" in proc.stderr


# Whole chapters where readers are. Each costs seconds to minutes on a 2-core machine, so `make test` runs the
# cheapest meaningful pair: chapter 1 (the device/dtype line, timing) without Triton as on a T4, and chapter 2 (the
# float64 table) as on an Apple GPU. FFN_LIB_ALL_CHAPTERS=1 runs every chapter under every setting; the lead adds
# chapters 6-8 to CHAPTERS (they must show the kernel source and skip launches where kernels.available() is False).
CHAPTERS = ["01_ffn_block", "02_gelu", "03_swish", "04_glu_ffn", "05_geglu"]
SETTINGS = {"t4-no-triton": ["--fake-device", "t4", "--hide-module", "triton"], "mps": ["--fake-device", "mps"]}
QUICK = {("01_ffn_block", "t4-no-triton"), ("02_gelu", "mps")}
RUNS = [(c, s) for c in CHAPTERS for s in SETTINGS if os.environ.get("FFN_LIB_ALL_CHAPTERS") or (c, s) in QUICK]


@pytest.mark.chapters
@pytest.mark.parametrize("chapter, setting", RUNS, ids=[f"{c}-{s}" for c, s in RUNS])
def test_a_chapter_runs_to_the_end_where_readers_are(tmp_path, chapter, setting):
    proc, doc = _run_script(tmp_path, [f"{ROOT}/notebooks/{chapter}.ipynb"], *SETTINGS[setting], timeout=900)
    record = doc["notebooks"][0] if doc["notebooks"] else {}
    assert proc.returncode == 0 and record.get("ok"), proc.stdout + proc.stderr + record.get("traceback", "")
