"""Chapter 7's kernel checker, beyond the named mistakes of test_kernel_exercises: Python globals read statically,
kernels that cannot run here (libdevice in the interpreter, no backend) not graded, three BLOCK sizes, fixed
masks, the wrong output pointer named, the revised 7.5 (interleaved) and 7.6 (GEGLU-tanh backward), 7.2's
overflow cases, and ``kernel_steps.setup()`` with a broken Triton."""

import importlib
import sys

import pytest
import torch

from kernelutil import q, tl, triton  # noqa: E402,F401  (skips this file without Triton)

from ffn_lib import exercises as E  # noqa: E402
from ffn_lib import kernel_steps  # noqa: E402
from ffn_lib.exercises import ids  # noqa: E402
from ffn_lib.exercises import kernel as K  # noqa: E402
from ffn_lib.exercises.solutions import chapter7 as S  # noqa: E402

SCALE = 2.0
SQRT_2_OVER_PI = tl.constexpr(0.7978845608028654)


@triton.jit
def geglu_reads_a_float(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offsets, (g * tl.sigmoid(SCALE * z) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def geglu_constexpr_global(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = SQRT_2_OVER_PI * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offsets, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def geglu_libdevice(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    t = tl.extra.cuda.libdevice.tanh(z)
    tl.store(y_ptr + offsets, (0.5 * g * (1 + t) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def geglu_fixed_mask(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < 1000
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offsets, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def geglu_fixed_block(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * 128 + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offsets, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def bwd_dg_wrong(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    s = tl.sigmoid(2 * 0.7978845608028654 * (g + 0.044715 * g * g * g))
    tl.store(dg_ptr + offsets, (dy * u * g).to(dg_ptr.dtype.element_ty), mask=mask)  # the derivative forgotten
    tl.store(du_ptr + offsets, (dy * g * s).to(du_ptr.dtype.element_ty), mask=mask)


@triton.jit
def bwd_silu(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    s = tl.sigmoid(g)
    tl.store(dg_ptr + offsets, (dy * u * s * (1 + g * (1 - s))).to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + offsets, (dy * g * s).to(du_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_as_stacked(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    g = tl.load(x_ptr + row * x_row_stride + cols, mask=mask).to(tl.float32)
    u = tl.load(x_ptr + row * x_row_stride + d + cols, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_swapped(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    u = tl.load(x_ptr + row * x_row_stride + 2 * cols, mask=mask).to(tl.float32)
    g = tl.load(x_ptr + row * x_row_stride + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_wrong_stride(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    g = tl.load(x_ptr + row * 2 * d + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(x_ptr + row * 2 * d + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


def test_a_python_global_is_named_before_any_launch():
    r = q(4).check(geglu_reads_a_float)
    assert r.status == "incorrect" and "the Python global `SCALE`" in r.message, r.message
    assert "tl.constexpr" in r.message and "argument" in r.message and "\n" not in r.message
    assert K.global_reads(geglu_constexpr_global) == []  # tl, triton and constexpr globals are allowed


def test_a_constexpr_global_is_allowed():
    assert q(4).check(geglu_constexpr_global).status == "correct"


def test_libdevice_in_the_interpreter_is_not_graded():
    r = q(4).check(geglu_libdevice)
    assert r.status == "not attempted" and "libdevice" in r.message and "interpreter" in r.message, r.message
    assert "Traceback" not in r.message and "\n" not in r.message


def test_no_backend_is_not_graded(monkeypatch):
    def no_driver(*a, **k):
        raise RuntimeError("0 active drivers ([]). There should only be one.")

    ex = E.chapter(7).q4
    monkeypatch.setattr(ex, "launch", no_driver)
    r = ex.check(geglu_fixed_block)
    assert r.status == "not attempted" and "no backend" in r.message, r.message


def test_a_mask_with_a_fixed_number_is_named():
    r = q(4).check(geglu_fixed_mask)
    assert r.status == "incorrect" and "your mask uses a fixed number instead of n" in r.message, r.message
    assert "`offsets < 1000`" in r.message


def test_a_fixed_block_size_fails_at_other_blocks():
    r = q(4).check(geglu_fixed_block)
    assert r.status == "incorrect" and "a fixed block size" in r.message and "BLOCK = 64" in r.message, r.message


def test_the_wrong_output_pointer_is_named_by_the_kernels_parameter():
    r = q(6).check(bwd_dg_wrong)
    assert r.status == "incorrect" and "`dg_ptr`" in r.message and "Right: `du_ptr`." in r.message, r.message


@pytest.mark.parametrize("n, kernel, words", [
    (6, bwd_silu, "SwiGLU's backward"),
    (5, interleaved_as_stacked, "stacked layout of step 4"),
    (5, interleaved_swapped, "gate and up swapped"),
    (5, interleaved_wrong_stride, "wrong stride"),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_the_revised_exercises_name_their_mistakes(n, kernel, words):
    r = q(n).check(kernel)
    assert r.status == "incorrect" and words in r.message, r.message


@pytest.mark.parametrize("n", [4, 5, 6])
def test_the_worked_solutions_pass(n):
    scope = {}
    exec(S.SOLUTIONS[n].code, scope)  # noqa: S102 - the worked solution
    kernel = next(v for k, v in scope.items() if k.endswith("_kernel"))
    assert kernel.fn.__name__ == q(n).answer_name
    assert q(n).check(kernel).status == "correct"


def test_the_revised_exercises_have_a_new_revision():
    assert ids.revision("7.5") == 2 and ids.revision("7.6") == 2
    assert "interleaved" in q(5).statement and "GELU" in q(6).statement


def test_exercise_7_2_catches_a_sigmoid_that_overflows():
    def overflowing(g, u, dy):
        e = torch.exp(g)
        s = e / (1 + e)
        return dy * u * (s * (1 + g * (1 - s))), dy * g * s

    def stable(g, u, dy):
        s = torch.sigmoid(g)
        return dy * u * (s * (1 + g * (1 - s))), dy * g * s

    assert q(2).check(stable).status == "correct"
    r = q(2).check(overflowing)
    assert r.status == "incorrect" and "nan" in r.message, r.message


def test_setup_counts_a_triton_that_fails_to_import_as_missing(tmp_path, monkeypatch):
    fake = tmp_path / "triton"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise RuntimeError('a broken installation')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "triton" or m.startswith("triton.")]:
        monkeypatch.delitem(sys.modules, name)
    importlib.invalidate_caches()
    assert importlib.util.find_spec("triton") is not None  # found, as a broken install is
    assert kernel_steps.setup() is False


@triton.jit
def interleaved_axes_swapped(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.program_id(1) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    g = tl.load(x_ptr + row * x_row_stride + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(x_ptr + row * x_row_stride + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


def test_elements_never_written_are_called_so():
    r = q(5).check(interleaved_axes_swapped)
    assert r.status == "incorrect" and "never wrote" in r.message and "`y_ptr`" in r.message, r.message


@triton.jit
def bwd_erf_gelu(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    cdf = 0.5 * (1 + tl.erf(g * 0.7071067811865476))
    pdf = tl.exp(-0.5 * g * g) * 0.3989422804014327
    tl.store(dg_ptr + offsets, (dy * u * (cdf + g * pdf)).to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + offsets, (dy * g * cdf).to(du_ptr.dtype.element_ty), mask=mask)


def test_a_mistake_is_named_even_where_the_edges_differ():
    """The erf GELU's backward gives -inf where eager's gives NaN at g = +inf: named all the same."""
    r = q(6).check(bwd_erf_gelu)
    assert r.status == "incorrect" and "the erf GELU's backward" in r.message, r.message


def test_the_revised_kernels_are_not_on_the_chapters_page():
    """No answer in plain sight: the chapter's cells never read gate and up interleaved, nor hold a tanh GELU
    derivative; the statements name the step they differ from."""
    import json
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "notebooks" / "07_writing_the_kernel.ipynb"
    code = "\n".join("".join(c["source"]) for c in json.loads(page.read_text())["cells"])
    for line in ("2 * cols + 1", "2 * cols,", "0.044715", "act_grad"):
        assert line not in code, line
    assert "not the two halves of step 4" in q(5).statement


# --- second pass: the verdicts a learner review found false or unhelpful -------------------------------------


@triton.jit
def geglu_tl_tanh(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offsets, (0.5 * g * (1 + tl.tanh(z)) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def geglu_exp_tanh(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    e = tl.exp(2 * 0.7978845608028654 * (g + 0.044715 * g * g * g))
    tl.store(y_ptr + offsets, (0.5 * g * (1 + (e - 1) / (e + 1)) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def geglu_block_not_constexpr(g_ptr, u_ptr, y_ptr, n, BLOCK):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    tl.store(y_ptr + offsets, g.to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def geglu_3_digits(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    z = 0.798 * (g + 0.0447 * g * g * g)
    tl.store(y_ptr + offsets, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def bwd_unused_extra(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, s_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    tl.store(dg_ptr + offsets, g.to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + offsets, g.to(du_ptr.dtype.element_ty), mask=mask)


def test_tl_tanh_is_told_triton_has_none_as_the_statement_says():
    r = q(4).check(geglu_tl_tanh)
    assert r.status == "incorrect" and "Triton has no `tl.tanh`" in r.message, r.message
    assert "hint 2 gives an identity" in r.message and "AttributeError" not in r.message
    assert "Triton has no `tl.tanh`; hint 2 gives an identity" in q(4).statement


def test_nan_at_a_large_gate_shows_the_inputs_and_points_to_step_5():
    r = q(4).check(geglu_exp_tanh)
    assert r.status == "incorrect" and "got nan" in r.message, r.message
    assert "the inputs there are g = " in r.message and ", u = " in r.message
    assert "step 5" in r.message and "above x = 88" in r.message


def test_block_without_constexpr_is_told_to_declare_it():
    r = q(4).check(geglu_block_not_constexpr)
    assert r.status == "incorrect" and "declare `BLOCK: tl.constexpr`" in r.message, r.message
    assert "ValueError" not in r.message


def test_three_digit_constants_pass_and_the_policy_says_so():
    assert q(4).check(geglu_3_digits).status == "correct"
    for book in (True, False):
        note = E.chapter(7).how_to_answer().markdown(book=book)
        assert "constants typed to 3 digits (0.798" in note and "pass." in note


def test_an_extra_pointer_never_loaded_is_not_called_saved():
    r = q(6).check(bwd_unused_extra)
    assert r.status == "incorrect" and "saved" not in r.message, r.message
    assert "takes 8 arguments" in r.message and "has 7" in r.message


def test_a_mismatch_names_the_output_and_the_inputs_there():
    @triton.jit
    def bwd_wrong_dg(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
        offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
        mask = offsets < n
        g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
        dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
        s = tl.sigmoid(2 * 0.7978845608028654 * (g + 0.044715 * g * g * g))
        tl.store(dg_ptr + offsets, (dy * g).to(dg_ptr.dtype.element_ty), mask=mask)
        tl.store(du_ptr + offsets, (dy * g * s).to(du_ptr.dtype.element_ty), mask=mask)

    r = q(6).check(bwd_wrong_dg)
    assert "`dg_ptr`" in r.message and "Right: `du_ptr`" in r.message, r.message
    assert "g = " in r.message and "dy = " in r.message and "Output 0" not in r.message


def test_worked_solutions_import_triton_from_kernel_steps():
    for n in (4, 5, 6):
        code = S.SOLUTIONS[n].code
        assert "from ffn_lib.kernel_steps import tl, triton" in code and "\nimport triton" not in code
        assert not code.startswith("import triton")


def test_no_backend_says_triton_was_imported_before_the_interpreter():
    text = K.MESSAGES["no_backend"]
    assert "imported before" in text and "from ffn_lib.kernel_steps import tl, triton" in text


def test_7_2_with_autograd_passes_but_is_told_to_derive_it():
    def by_autograd(g, u, dy):
        g = g.detach().requires_grad_()
        y = torch.nn.functional.silu(g) * u
        return torch.autograd.grad(y, g, dy)[0], dy * torch.nn.functional.silu(g)

    def by_hand(g, u, dy):
        s = torch.sigmoid(g)
        return dy * u * (s * (1 + g * (1 - s))), dy * (g * s)

    r = q(2).check(by_autograd)
    assert r.status == "correct" and "calls autograd" in r.message, r.message
    assert "autograd" not in q(2).check(by_hand).message


def test_7_2_names_the_wrong_item_dg_or_du_not_item_0():
    def du_wrong(g, u, dy):
        s = torch.sigmoid(g)
        return dy * u * (s * (1 + g * (1 - s))), dy * u

    r = q(2).check(du_wrong)
    assert r.status == "incorrect" and "`du`" in r.message and "Item 1" not in r.message, r.message


@triton.jit
def interleaved_wrong_y_stride(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    start = x_ptr + row * x_row_stride
    g = tl.load(start + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(start + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * x_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_no_mask(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    start = x_ptr + row * x_row_stride
    g = tl.load(start + 2 * cols).to(tl.float32)
    u = tl.load(start + 2 * cols + 1).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty))


@triton.jit
def bwd_sigma_for_gelu_grad(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    s = tl.sigmoid(2 * 0.7978845608028654 * (g + 0.044715 * g * g * g))
    tl.store(dg_ptr + offsets, (dy * u * s).to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + offsets, (dy * g * s).to(du_ptr.dtype.element_ty), mask=mask)


@triton.jit
def bwd_no_du_store(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    k = 0.7978845608028654
    s = tl.sigmoid(2 * k * (g + 0.044715 * g * g * g))
    act_grad = s + 2 * g * s * (1 - s) * k * (1 + 3 * 0.044715 * g * g)
    tl.store(dg_ptr + offsets, (dy * u * act_grad).to(dg_ptr.dtype.element_ty), mask=mask)  # du never stored


def test_a_masked_store_with_the_wrong_row_stride_is_not_called_a_missing_mask():
    r = q(5).check(interleaved_wrong_y_stride)
    assert r.status == "incorrect" and "missing mask" not in r.message, r.message
    assert "`y_row_stride`" in r.message and "not the mask" in r.message
    r = q(5).check(interleaved_no_mask)
    assert "Known mistake: missing mask" in r.message and "`mask=cols < d`" in r.message, r.message


def test_7_6_sigma_for_the_gelu_derivative_is_a_known_mistake():
    r = q(6).check(bwd_sigma_for_gelu_grad)
    assert r.status == "incorrect" and "Known mistake: the tanh GELU's derivative is not" in r.message, r.message


def test_an_output_never_stored_is_called_so():
    r = q(6).check(bwd_no_du_store)
    assert "never wrote `du_ptr` at all" in r.message and "tl.store(du_ptr + ...)" in r.message, r.message
    assert "program_id(1)" not in r.message
