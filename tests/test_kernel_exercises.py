"""Exercises 7.4-7.6, answered with a Triton kernel: each named mistake, written as a kernel, gets its message.

Run in Triton's interpreter (TRITON_INTERPRET=1 is set before triton is imported, here or by conftest)."""

import dataclasses

import pytest

from kernelutil import q, tl, triton  # noqa: E402,F401  (skips this file without Triton)

from ffn_lib.exercises import kernel as K  # noqa: E402


@triton.jit
def geglu_no_mask(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    g = tl.load(g_ptr + offsets).to(tl.float32)
    u = tl.load(u_ptr + offsets).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offsets, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty))


@triton.jit
def geglu_swapped(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    u = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    g = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offsets, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def geglu_bf16(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask)
    u = tl.load(u_ptr + offsets, mask=mask)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offsets, g * tl.sigmoid(2 * z) * u, mask=mask)


@triton.jit
def geglu_endless(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    i = 0
    while i >= 0:
        i += 1


@triton.jit
def geglu_crash(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(y_ptr + offsets, tl.no_such_function(offsets), mask=offsets < n)


@triton.jit
def cat_swapped(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):  # stacked [gate | up], swapped
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    u = tl.load(x_ptr + row * x_row_stride + cols, mask=mask).to(tl.float32)
    g = tl.load(x_ptr + row * x_row_stride + d + cols, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def bwd_saved(g_ptr, u_ptr, s_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    s = tl.load(s_ptr + offsets, mask=mask).to(tl.float32)  # the activation, saved by the forward
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    tl.store(du_ptr + offsets, (dy * s).to(du_ptr.dtype.element_ty), mask=mask)
    tl.store(dg_ptr + offsets, dy.to(dg_ptr.dtype.element_ty), mask=mask)


@triton.jit
def bwd_swapped_outputs(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    k = 0.7978845608028654
    s = tl.sigmoid(2 * k * (g + 0.044715 * g * g * g))
    act_grad = s + 2 * g * s * (1 - s) * k * (1 + 3 * 0.044715 * g * g)
    tl.store(du_ptr + offsets, (dy * u * act_grad).to(du_ptr.dtype.element_ty), mask=mask)
    tl.store(dg_ptr + offsets, (dy * g * s).to(dg_ptr.dtype.element_ty), mask=mask)


@pytest.mark.parametrize("n, kernel, words", [
    (4, geglu_no_mask, "missing mask"),
    (4, geglu_swapped, "gate and up swapped"),
    (4, geglu_bf16, "arithmetic in bfloat16"),
    (5, cat_swapped, "that reads the stacked layout of step 4, with gate and up swapped"),
    (6, bwd_saved, "saved instead of recomputed"),
    (6, bwd_swapped_outputs, "dg and du swapped"),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_each_named_mistake_gets_its_message(n, kernel, words):
    r = q(n).check(kernel)
    assert r.status == "incorrect" and f"Known mistake: {words}" in r.message, r.message
    assert "Traceback" not in r.message and "\n" not in r.message


def test_a_kernel_that_never_finishes_is_stopped_with_a_message():
    ex = dataclasses.replace(q(4), time_limit=2.0)
    ex.chapter, ex.number = 7, 4
    r = ex.check(geglu_endless)
    assert r.status == "incorrect" and "did not finish within 2 s" in r.message, r.message


def test_a_kernel_that_crashes_gets_one_paragraph():
    r = q(4).check(geglu_crash)
    assert r.status == "incorrect" and r.message.startswith("Your kernel raised"), r.message
    assert "Traceback" not in r.message and "\n" not in r.message


def test_not_a_kernel_and_the_starter():
    assert q(4).check(...).status == "not attempted"
    r = q(4).check(lambda g, u: g)
    assert r.status == "incorrect" and "@triton.jit" in r.message
    assert q(5).check(geglu_swapped).message.startswith("The kernel must take")


def test_the_page_says_check_it_in_the_notebook():
    from ffn_lib import exercises

    note = exercises.chapter(7).how_to_answer().markdown(book=True)
    assert "Triton kernels are written and checked in the chapter's notebook" in note and "BLOCK = 128" in note
    for n in (4, 5, 6):
        assert q(n).page_spec()["kind"] == "function"
        assert "ffn-ex-check" not in q(n).book_markdown() and q(n).starter.strip() in q(n).book_markdown()


def test_padding_catches_writes_past_the_end():
    import torch

    view, buffer = K.padded_like(torch.ones(10), fill=K.SENTINEL)
    assert not K._tail_written([buffer], [10])
    buffer[12] = 0.0
    assert K._tail_written([buffer], [10])


def test_without_triton_the_check_says_so(monkeypatch):
    from ffn_lib import kernel_steps

    stand_in, tl_stand_in = kernel_steps.no_triton()

    @stand_in.jit
    def written(g_ptr, u_ptr, y_ptr, n, BLOCK: tl_stand_in.constexpr):
        return g_ptr

    monkeypatch.setattr(K, "_triton", lambda: None)
    r = q(4).check(written)
    assert r.status == "not attempted" and "Triton is not installed" in r.message


def test_exercise_7_7_checks_the_erf_to_the_formulas_bound_and_names_each_slip():
    """7.7 (plain torch): the worked solution passes within A&S 7.1.26's 1.5e-7; each slip gets its sentence;
    coefficients rounded to six digits pass the general tolerance but not the formula's bound."""
    import math

    from ffn_lib.exercises import chapter7 as c7
    from ffn_lib.exercises.solutions.chapter7 import SOLUTIONS

    import torch

    from ffn_lib import exercises

    q7 = exercises.chapter(7).q7
    scope = {}
    exec(SOLUTIONS[7].code, scope)  # noqa: S102 - the worked solution
    right = q7.check(scope["erf_as7126"])
    assert right.status == "correct" and "within the formula's 1.5e-07" in right.message
    slips = {"put the sign back": lambda x: c7._erf_as7126(x, sign=False),
             "exp(-x^2) is missing": lambda x: c7._erf_as7126(x, exp=False),
             "erfc(|x|) with erf's sign": lambda x: c7._erf_as7126(x, complement=True),
             "cut to four decimals": lambda x: c7._erf_as7126(
                 x, a=tuple(math.trunc(a * 1e4) / 1e4 for a in c7.AS_A), p=math.trunc(c7.AS_P * 1e4) / 1e4),
             "above the formula's own error": lambda x: c7._erf_as7126(x, a=tuple(round(a, 6) for a in c7.AS_A))}
    for said, slip in slips.items():
        result = q7.check(slip)
        assert result.status == "incorrect" and said in result.message, (said, result.message)
    library = q7.check(lambda x: torch.erf(x))
    assert library.status == "correct" and "calls a library erf (`erf`)" in library.message
    assert q7.check(lambda x: torch.tanh(1.1283791671 * x)).status == "incorrect"
