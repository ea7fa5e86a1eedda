"""Shared by the tests that grade Triton kernels written for chapter 7's exercises.

Importing it runs Triton in its interpreter where no GPU backend is chosen (conftest sets TRITON_INTERPRET=1
as well), skips the importing test module where Triton is not installed, and gives the chapter's exercises by
number. Exercise progress is isolated per test by conftest's ``_isolated`` fixture."""

import os

import pytest

os.environ.setdefault("TRITON_INTERPRET", "1")
triton = pytest.importorskip("triton")
tl = pytest.importorskip("triton.language")

from ffn_lib import exercises as E  # noqa: E402


def q(n: int):
    """Chapter 7's exercise ``n`` (``q(4)`` is exercise 7.4)."""
    return getattr(E.chapter(7), f"q{n}")
