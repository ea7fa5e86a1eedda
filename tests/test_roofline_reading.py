"""The eager step's passes timed alone, and the sentence that explains the CPU roofline's numbers."""

import pytest
import torch

from ffn_lib.roofline_reading import PassTimes, eager_pass_times, step_against_product


def test_pass_times_measure_three_positive_times():
    g, u = torch.randn(64, 128), torch.randn(64, 128)
    p = eager_pass_times(g, u, min_time=0.01)
    assert min(p.silu_s, p.mul_s, p.copy_s) > 0 and (p.rows, p.cols) == (64, 128)
    assert p.threads == torch.get_num_threads()


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="g and u"):
        eager_pass_times(torch.randn(4, 5), torch.randn(4, 6))


def test_ratios_against_memory():
    p = PassTimes(silu_s=3.0, mul_s=1.5, copy_s=1.0, rows=10, cols=10, threads=1)
    assert p.silu_over_memory == pytest.approx(3.0)  # 2 tensors at 0.5 s each
    assert p.mul_over_memory == pytest.approx(1.0)


def test_sentence_blames_silu_when_it_is_the_slow_pass():
    p = PassTimes(silu_s=3.0, mul_s=1.5, copy_s=1.0, rows=10, cols=10, threads=1)
    text = step_against_product(0.2, 10_000, 0.005, 1000, p)
    assert "10,000 rows" in text and "1,000" in text and "1 thread," in text
    assert "(4.00× the product's)" in text  # 20 µs against 5 µs per row
    assert "exponential" in text and "3.0×" in text and "1.0×" in text
    assert "The multiply streams at about memory speed, while SiLU takes 3.0×" in text


def test_each_pass_is_classified_on_its_own():
    """The review's case: SiLU at 1.0× its bytes' time is at memory speed even when the multiply is 1.3×."""
    p = PassTimes(silu_s=1.0, mul_s=1.95, copy_s=1.0, rows=10, cols=10, threads=2)  # 1.0× and 1.3×
    text = step_against_product(1.0, 10, 1.0, 10, p)
    assert "SiLU streams at about memory speed, while the multiply takes 1.3×" in text
    assert "Neither pass" not in text and "exponential" not in text
    slow = step_against_product(1.0, 10, 1.0, 10, PassTimes(2.0, 3.0, 1.0, 10, 10, 2))  # 2.0× and 2.0×
    assert "Neither pass streams at the copy's speed (SiLU takes 2.0×" in slow


def test_noise_is_called_noise():
    """The step timed whole and its passes timed alone must agree within 10%, or the run cannot tell."""
    p = PassTimes(silu_s=1.0, mul_s=1.5, copy_s=1.0, rows=10, cols=10, threads=2)  # passes: 2.5 s for 2.5 s: 100%
    noisy = step_against_product(1.0, 10, 1.0, 10, p, step_share=0.52)
    assert "add up to 100% of the copy's speed" in noisy and "ran at 52%" in noisy and "1.92×" in noisy
    assert "more than the 10%" in noisy and "cannot tell" in noisy and "both stream" not in noisy.lower()
    assert "Both passes" not in noisy
    agree = step_against_product(1.0, 10, 1.0, 10, p, step_share=0.95)
    assert "cannot tell" not in agree and "Both passes stream at about memory speed" in agree
    # the pass-sum share is printed next to the step's, not only when they disagree
    assert "The two passes add up to 100% of the copy's speed and the step timed whole ran at 95%, within the 10%" \
        in agree


def test_a_step_at_copy_speed_is_not_explained_by_a_slow_silu():
    """The review's numbers: SiLU 1.6× its 2 tensors' time, the multiply 0.9× its 3, the step whole at 99% of the
    copy. The passes add up to 5 / (2 × 1.6 + 3 × 0.9) = 85%: the two readings disagree by 1.17×, which the 20% of
    TOLERANCE let through to "SiLU ... is held up by its exponential's arithmetic" beside "memory-bound"."""
    p = PassTimes(silu_s=1.6, mul_s=1.35, copy_s=1.0, rows=10, cols=10, threads=2)
    assert (p.silu_over_memory, p.mul_over_memory) == (pytest.approx(1.6), pytest.approx(0.9))
    text = step_against_product(1.0, 10, 1.0, 10, p, step_share=0.99)
    assert "add up to 85% of the copy's speed, while the step timed whole ran at 99%" in text
    assert "disagree by 1.17×" in text and "cannot tell what sets the step's time" in text
    assert "exponential" not in text and "held up" not in text
    with pytest.raises(ValueError, match="step_share"):
        step_against_product(1.0, 10, 1.0, 10, p, step_share=0.0)


def test_sentence_says_memory_bound_when_both_stream():
    p = PassTimes(silu_s=1.1, mul_s=1.6, copy_s=1.0, rows=10, cols=10, threads=2)
    text = step_against_product(1.0, 10, 1.0, 10, p)
    assert "Both passes stream at about memory speed" in text and "2 threads" in text
    assert "exponential" not in text


def _r(**kw):
    from types import SimpleNamespace

    return SimpleNamespace(**kw)


def test_roofline_verdict_follows_the_numbers():
    from ffn_lib.roofline_reading import roofline_verdict

    step = _r(copy_share=0.4, flops=10.0, nbytes=40.0)  # 0.25 FLOP/byte
    mm = _r(flops=1e6, nbytes=1e4, flop_rate=50.0)  # 100 FLOP/byte
    text = roofline_verdict(step, mm, peak_flop_rate=100.0, bandwidth=10.0)  # ridge 10
    assert "at 40% of the copy" in text and "well below the memory roof" in text and "or the measurement is noisy" in text
    assert "0.25 FLOP per byte, left of the ridge (10.0)" in text and "100 FLOP per byte, right" in text
    assert "ran at 50% of the measured" in text and "do not compare cleanly" not in text
    near = roofline_verdict(_r(copy_share=0.9, flops=1.0, nbytes=1.0), _r(flops=1.0, nbytes=1.0, flop_rate=200.0),
                            peak_flop_rate=100.0, bandwidth=10.0)
    assert "near the memory roof" in near and "above that roof" in near
