"""The device-and-dtype policy (ffn_lib.devices), with the machines this one is not faked."""

import pytest
import torch

from ffn_lib import devices, kernel_steps
from ffn_lib._fake_device import PROFILES, faked

# (machine, the dtype the policy must choose, whether it has float64)
POLICY = [
    ("h100", torch.bfloat16, True),   # sm_90
    ("b200", torch.bfloat16, True),   # sm_100, Blackwell
    ("rtx5090", torch.bfloat16, True),  # sm_120, RTX 50
    ("a100", torch.bfloat16, True),   # sm_80
    ("rtx4090", torch.bfloat16, True),
    ("t4", torch.float16, True),      # sm_75: bf16 only by emulation
    ("v100", torch.float16, True),
    ("mi300x", torch.bfloat16, True),  # ROCm
    ("mps", torch.float32, False),
    ("cpu", torch.float32, True),
]


@pytest.mark.parametrize("machine, dtype, f64", POLICY, ids=[p[0] for p in POLICY])
def test_choose_dtype_and_float64(machine, dtype, f64):
    with faked(machine) as p:
        device = torch.device(p.kind)
        assert devices.pick_device(verbose=False) == device
        assert devices.choose_dtype(device) == dtype
        assert devices.has_float64(device) is f64
        line = devices.policy_line(device, dtype)
    assert line.count(".") >= 1 and "\n" not in line
    assert str(dtype).removeprefix("torch.") in line
    if p.kind == "cuda":
        assert p.name in line


def test_t4_line_says_why_not_bf16():
    with faked("t4"):
        line = devices.policy_line("cuda")
    assert "float16" in line and "no native bfloat16" in line and "emulate" in line


def test_a_hand_chosen_dtype_is_named_as_such():
    with faked("t4"):
        assert "chosen by hand" in devices.policy_line("cuda", torch.float32)


def test_emulated_bf16_is_not_native():
    # PyTorch says yes to bf16 on a T4 by emulation; the policy asks without it
    with faked("t4"):
        assert torch.cuda.is_bf16_supported() and not torch.cuda.is_bf16_supported(including_emulation=False)
        assert devices.choose_dtype("cuda") == torch.float16


def test_mps_device_line_names_it_once():
    with faked("mps"):
        where = devices._where("mps")
    assert where == "Apple GPU (mps)"


def test_where_names_a_cpu_once_and_nests_in_parentheses():
    name = "AMD EPYC, 2 cores (CPU)"
    assert devices._where("cpu", name) == name
    assert devices._where("cpu", name, nested=True) == "AMD EPYC, 2 cores, CPU"
    assert devices._where("cpu", "Test CPU (CPU)", nested=True) == "Test CPU, CPU"
    assert devices._where("cpu", "a CPU of its own name") == "a CPU of its own name"
    with faked("h100") as p:
        assert devices._where("cuda") == f"{p.name} (cuda)" and devices._where("cuda", nested=True) == p.name


def test_fake_restores_torch():
    before = torch.cuda.is_available, torch.version.hip
    with faked("mi300x"):
        assert torch.version.hip
    assert (torch.cuda.is_available, torch.version.hip) == before
    assert set(PROFILES) >= {"cpu", "mps", "t4", "a100", "h100"}


# Real names, as torch.cuda.get_device_name() gives them, and the folder each run goes into.
GPU_NAMES = {
    "NVIDIA H100 80GB HBM3": "h100",
    "NVIDIA H100 PCIe": "h100",
    "NVIDIA H200": "h200",
    "NVIDIA B200": "b200",
    "NVIDIA GeForce RTX 5090": "rtx5090",
    "NVIDIA A100-SXM4-80GB": "a100",
    "NVIDIA A100-PCIE-40GB": "a100",
    "NVIDIA GeForce RTX 4090": "rtx4090",
    "NVIDIA GeForce RTX 3090 Ti": "rtx3090",
    "Tesla T4": "t4",
    "Tesla V100-SXM2-16GB": "v100",
    "NVIDIA L4": "l4",
    "NVIDIA A10G": "a10g",
    "AMD Instinct MI300X": "mi300x",
    "NVIDIA RTX A6000": "rtxa6000",
}


@pytest.mark.parametrize("name", GPU_NAMES)
def test_gpu_slug_names_the_model(name):
    assert devices.gpu_slug(name) == GPU_NAMES[name]


def test_gpu_slug_without_a_model_number():
    assert devices.gpu_slug("Some Accelerator") == "some-accelerator"
    assert devices.gpu_slug("") == "gpu"


def test_the_hardware_pages_table_is_the_policy():
    rows = {r["machine"]: r for r in devices.policy_rows()}
    t4 = rows["Tesla T4 (sm_75)"]
    assert (t4["device"], t4["dtype"]) == ("cuda", "float16")
    assert t4["kernels"].startswith("not on this GPU (eager)") and "interpreter" in t4["kernels"]
    with faked("t4"):  # what the row promises: chapter 7's teaching kernels go to the interpreter, on CPU tensors
        assert not devices.triton_gpu_present() and kernel_steps.device() == "cpu"
    assert rows["Tesla V100-SXM2-16GB (sm_70)"]["kernels"] == t4["kernels"]
    assert rows["NVIDIA A100-SXM4-80GB (sm_80)"]["kernels"] == "compiled"
    assert rows["NVIDIA H200 (sm_90)"]["dtype"] == "bfloat16"
    assert rows["AMD Instinct MI300X (ROCm)"]["kernels"] == "compiled"
    for blackwell in ("NVIDIA B200 (sm_100)", "NVIDIA GeForce RTX 5090 (sm_120)"):  # capability 10.0 and 12.0
        assert (rows[blackwell]["dtype"], rows[blackwell]["kernels"]) == ("bfloat16", "compiled"), blackwell
    apple = rows["Apple GPU (M1 and later)"]
    assert (apple["device"], apple["dtype"], apple["float64"]) == ("mps", "float32", "no")
    assert len(rows) == len(PROFILES)
    assert not torch.cuda.is_available() or torch.cuda.get_device_name()  # the fakes were undone


def test_the_device_notice_is_true_and_said_once(monkeypatch, capsys):
    """pick_device names the override only where it applies, and says its line once per process."""
    monkeypatch.setattr(devices, "_SAID", set())
    monkeypatch.delenv(devices.DEVICE_ENV, raising=False)
    with faked("cpu"):
        devices.pick_device()
        devices.pick_device()  # a second call with the same answer is quiet
        out = capsys.readouterr().out
        assert out.count("ffn_lib: timing on") == 1 and "set FFN_LIB_DEVICE to choose another device" in out
        devices.pick_device("cpu")  # asked for by the code: setting the variable would change nothing
        out = capsys.readouterr().out
        assert "the device this code asks for" in out and "FFN_LIB_DEVICE" not in out
        monkeypatch.setenv(devices.DEVICE_ENV, "cpu")
        devices.pick_device()
        assert "as FFN_LIB_DEVICE asks" in capsys.readouterr().out
        devices.pick_device(verbose=False)
        assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="chosen_by"):
        devices.device_notice("cpu", "user")
