"""scripts/tune_launch.py, the launch-shape tuner for a GPU, checked at toy sizes (Triton's interpreter here)."""

import importlib.util
import json

import pytest

from conftest import ROOT

kernels = pytest.importorskip("ffn_lib.kernels")
if not kernels.HAS_TRITON:
    pytest.skip("Triton is not installed", allow_module_level=True)

spec = importlib.util.spec_from_file_location("tune_launch", f"{ROOT}/scripts/tune_launch.py")
tune_launch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tune_launch)


def test_every_shape_and_pass_is_timed_and_recorded(tmp_path, capsys):
    out = tmp_path / "tune.json"
    code = tune_launch.main(["--out", str(out), "--gates", "gelu", "--shapes", "1024x4,256x2", "--tokens", "4",
                             "--d-ff", "40", "--dtype", "float32", "--rounds", "2", "--min-time", "0.02"])
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["provenance"]["command"].startswith("python scripts/tune_launch.py --out ")
    assert doc["config"]["default_launch"] == {"block": 1024, "num_warps": 4}
    variants = {(r["pass"], r["variant"]) for r in doc["rows"]}
    assert variants == {(p, v) for p in ("forward", "forward+backward")
                        for v in (tune_launch.FLAT, "act_mul_cat, 1024x4", "act_mul_cat, 256x2")}
    for r in doc["rows"]:
        assert r["q1_s"] <= r["median_s"] <= r["q3_s"] and r["copy_share"] > 0
    assert {(r["block"], r["num_warps"]) for r in doc["rows"]} == {(None, None), (1024, 4), (256, 2)}
    assert "best:" in capsys.readouterr().out
    assert kernels.launch_config() == {"block": 1024, "num_warps": 4}  # restored


def test_a_bad_shape_is_refused_before_anything_runs(tmp_path):
    with pytest.raises(SystemExit):
        tune_launch.main(["--out", str(tmp_path / "t.json"), "--shapes", "2048by8"])
    with pytest.raises(ValueError, match="block must be a power of two"):
        tune_launch.main(["--out", str(tmp_path / "t.json"), "--shapes", "1000x4", "--tokens", "2", "--d-ff", "8"])
    assert not (tmp_path / "t.json").exists()
