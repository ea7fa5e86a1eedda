"""Chapter 7's kernel checker, learner review 3: a mask off by one, a masked store at the wrong address and an
output row start from d each get a verdict that names what was written (kernels from /tmp/revl3)."""

import pytest
import torch

from kernelutil import q, tl, triton  # noqa: E402,F401  (skips this file without Triton)

from ffn_lib import kernel_steps  # noqa: E402,F401
from ffn_lib.exercises import kernel as K  # noqa: E402


@triton.jit
def geglu_mask_le(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs <= n
    g = tl.load(g_ptr + offs, mask=m).to(tl.float32)
    u = tl.load(u_ptr + offs, mask=m).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offs, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty), mask=m)


@triton.jit
def geglu_store_twice_offs(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    g = tl.load(g_ptr + offs, mask=m).to(tl.float32)
    u = tl.load(u_ptr + offs, mask=m).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + 2 * offs, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty), mask=m)


@triton.jit
def geglu_store_shifted(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    g = tl.load(g_ptr + offs, mask=m).to(tl.float32)
    u = tl.load(u_ptr + offs, mask=m).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offs + 1, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty), mask=m)


@triton.jit
def geglu_no_mask(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    g = tl.load(g_ptr + offs).to(tl.float32)
    u = tl.load(u_ptr + offs).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offs, (g * tl.sigmoid(2 * z) * u).to(y_ptr.dtype.element_ty))


@triton.jit
def bwd_mask_n_plus_1(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n + 1
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    k = 0.7978845608028654
    s = tl.sigmoid(2 * k * (g + 0.044715 * g * g * g))
    act_grad = s + 2 * g * s * (1 - s) * k * (1 + 3 * 0.044715 * g * g)
    tl.store(dg_ptr + offsets, (dy * u * act_grad).to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + offsets, (dy * g * s).to(du_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_mask_le(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols <= d
    g = tl.load(x_ptr + row * x_row_stride + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(x_ptr + row * x_row_stride + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_mask_d_plus_1(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d + 1
    g = tl.load(x_ptr + row * x_row_stride + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(x_ptr + row * x_row_stride + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_y_rows_from_d(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    g = tl.load(x_ptr + row * x_row_stride + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(x_ptr + row * x_row_stride + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * d + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_y_from_x_stride(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < d
    g = tl.load(x_ptr + row * x_row_stride + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(x_ptr + row * x_row_stride + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * x_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


@triton.jit
def interleaved_fixed_d(x_ptr, y_ptr, d, x_row_stride, y_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(1)
    cols = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = cols < 150
    g = tl.load(x_ptr + row * x_row_stride + 2 * cols, mask=mask).to(tl.float32)
    u = tl.load(x_ptr + row * x_row_stride + 2 * cols + 1, mask=mask).to(tl.float32)
    tl.store(y_ptr + row * y_row_stride + cols, (g * tl.sigmoid(g) * u).to(y_ptr.dtype.element_ty), mask=mask)


OFF_BY_ONE = "Your mask lets the element at offset n through"


def test_7_4_mask_off_by_one_is_not_a_missing_mask():
    r = q(4).check(geglu_mask_le)
    assert r.status == "incorrect" and "missing mask" not in r.message, r.message
    assert OFF_BY_ONE in r.message and "`offsets < n` (strictly less than n)" in r.message, r.message


def test_7_6_mask_off_by_one_is_not_a_missing_mask():
    r = q(6).check(bwd_mask_n_plus_1)
    assert r.status == "incorrect" and "missing mask" not in r.message, r.message
    assert OFF_BY_ONE in r.message and "`dg_ptr`" in r.message, r.message


def test_a_missing_mask_is_still_called_so():
    r = q(4).check(geglu_no_mask)
    assert "Known mistake: missing mask" in r.message, r.message


def test_7_4_masked_store_at_the_wrong_address_is_not_a_mask():
    for kernel in (geglu_store_twice_offs, geglu_store_shifted):
        r = q(4).check(kernel)
        assert r.status == "incorrect" and "mask" not in r.message.replace("are masked", ""), r.message
        assert "wrong addresses" in r.message and "`y_ptr + offsets` is where element i goes" in r.message


@pytest.mark.parametrize("kernel", [interleaved_mask_le, interleaved_mask_d_plus_1])
def test_7_5_mask_off_by_one_names_column_d_not_the_stride(kernel):
    r = q(5).check(kernel)
    assert r.status == "incorrect" and "not the mask" not in r.message and "y_row_stride" not in r.message
    assert "lets column d of each row through" in r.message and "`cols < d` (strictly less than d)" in r.message


def test_7_5_output_rows_from_d_fail_on_a_row_strided_output():
    r = q(5).check(interleaved_y_rows_from_d)
    assert r.status == "incorrect", r.message
    assert "use `y_row_stride` for the output's rows" in r.message and "further apart than d" in r.message
    r = q(5).check(interleaved_y_from_x_stride)  # already wrong on the contiguous case: the row offset
    assert "not the mask" in r.message and "`y_row_stride`" in r.message, r.message


def test_the_row_strided_output_case_is_launched_with_a_wider_y():
    ex = q(5)
    x = K.cat_cases(ex.rng())[ex.out_strided_case][0]
    (y,), (buffer,), _ = K.launch_cat(_Noop(), x, y_pad=K.CAT_Y_PAD)
    assert y.shape == (x.shape[0], x.shape[1] // 2) and y.stride(0) == x.shape[1] // 2 + K.CAT_Y_PAD
    assert ex.launch_options[ex.out_strided_case] == {"y_pad": K.CAT_Y_PAD}


class _Noop:
    def __getitem__(self, grid):
        return lambda *a, **k: None


def test_7_5_fixed_d_speaks_of_d_and_cols():
    r = q(5).check(interleaved_fixed_d)
    assert "instead of d (`cols < 150`)" in r.message and "`mask=cols < d`" in r.message, r.message
    assert "offsets" not in r.message


def test_stray_writes_tell_one_element_from_a_block_tail():
    buffer = torch.full((10 + K.PAD,), K.SENTINEL)
    view = buffer[:10]
    view.fill_(1.0)
    assert K.stray_writes([view], [buffer]) is None
    buffer[10] = 2.0
    s = K.stray_writes([view], [buffer])
    assert s.just_after and s.complete and s.count == 1
    buffer[11:16] = 2.0
    s = K.stray_writes([view], [buffer])
    assert not s.just_after and s.run and s.count == 6


@triton.jit
def geglu_sigmoid_z(g_ptr, u_ptr, y_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = offs < n
    g = tl.load(g_ptr + offs, mask=m).to(tl.float32)
    u = tl.load(u_ptr + offs, mask=m).to(tl.float32)
    z = 0.7978845608028654 * (g + 0.044715 * g * g * g)
    tl.store(y_ptr + offs, (g * tl.sigmoid(z) * u).to(y_ptr.dtype.element_ty), mask=m)


@triton.jit
def bwd_factor_2_missing(g_ptr, u_ptr, dy_ptr, dg_ptr, du_ptr, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    g = tl.load(g_ptr + offsets, mask=mask).to(tl.float32)
    u = tl.load(u_ptr + offsets, mask=mask).to(tl.float32)
    dy = tl.load(dy_ptr + offsets, mask=mask).to(tl.float32)
    k = 0.7978845608028654
    s = tl.sigmoid(2 * k * (g + 0.044715 * g * g * g))
    a = s + g * s * (1 - s) * k * (1 + 3 * 0.044715 * g * g)
    tl.store(dg_ptr + offsets, (dy * u * a).to(dg_ptr.dtype.element_ty), mask=mask)
    tl.store(du_ptr + offsets, (dy * g * s).to(du_ptr.dtype.element_ty), mask=mask)


def test_7_4_sigmoid_of_z_is_a_known_mistake():
    r = q(4).check(geglu_sigmoid_z)
    assert "Known mistake: sigmoid(z) where sigmoid(2 z) belongs" in r.message, r.message


def test_7_6_the_missing_factor_2_is_a_known_mistake():
    r = q(6).check(bwd_factor_2_missing)
    assert "Known mistake: the second term of the tanh GELU's derivative is half" in r.message, r.message


def test_7_3_elements_instead_of_bytes_is_a_known_mistake():
    r = q(3).check(5 * 4096 * 11008)
    assert r.status == "incorrect" and "number of elements" in r.message and "2 bytes" in r.message, r.message
