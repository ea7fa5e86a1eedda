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

