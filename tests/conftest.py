"""Shared test set-up.

Without a GPU the Triton kernels run in Triton's CPU interpreter; that choice is
made when ``ffn_lib.kernels`` is imported, so it is made here, first.
"""

import os

import torch

if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Tolerances per dtype for comparisons against a float64 reference (PyTorch's own
# defaults for torch.testing.assert_close, loosened where an extra rounding occurs).
TOLERANCES = {
    torch.float64: dict(rtol=1e-12, atol=1e-12),
    torch.float32: dict(rtol=1.3e-6, atol=1e-5),
    torch.bfloat16: dict(rtol=1.6e-2, atol=1e-5),
    torch.float16: dict(rtol=1e-3, atol=1e-5),
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Fixed seeds, and exercise progress kept out of the user's home directory."""
    torch.manual_seed(0)
    np.random.seed(0)
    monkeypatch.setenv("FFN_LIB_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("FFN_LIB_DEVICE", raising=False)
    monkeypatch.setenv("FFN_LIB_LANG", "en")   # tests read English messages whatever this machine's locale
    yield
    from ffn_lib import i18n

    i18n.set_language(None)


DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(params=DEVICES)
def device(request) -> torch.device:
    """Every device this machine has: the CPU always, CUDA when present.

    Create every tensor of a test on it (``torch.randn(..., device=device)``).
    """
    return torch.device(request.param)


@pytest.fixture
def kernel_device() -> torch.device:
    """The one device the Triton kernels run on here: CUDA when present, else the CPU interpreter."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
