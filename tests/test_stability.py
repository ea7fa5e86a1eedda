"""Chapter 5's scale-and-stability measurements: kurtosis against its reference, and the growth exponent."""

import math

import numpy as np
import pytest
import torch

from ffn_lib import GatedFFN
from ffn_lib.stability import growth_exponents, kurtosis, reference_kurtosis


def test_kurtosis_of_known_distributions():
    g = torch.Generator().manual_seed(0)
    normal = torch.randn(400_000, generator=g, dtype=torch.float64)
    assert kurtosis(normal).item() == pytest.approx(3.0, abs=0.05)
    uniform = torch.rand(400_000, generator=g, dtype=torch.float64)
    assert kurtosis(uniform).item() == pytest.approx(1.8, abs=0.02)  # 9/5
    two_points = torch.tensor([-1.0, 1.0] * 50)
    assert kurtosis(two_points).item() == pytest.approx(1.0)


def test_kurtosis_by_unit_uses_each_units_own_mean_and_scale():
    g = torch.Generator().manual_seed(1)
    z = torch.randn(100_000, 3, generator=g, dtype=torch.float64)
    h = z * torch.tensor([1.0, 10.0, 0.1], dtype=torch.float64) + torch.tensor([5.0, -3.0, 0.0], dtype=torch.float64)
    k = kurtosis(h, by_unit=True)
    assert k.shape == (3,)
    np.testing.assert_allclose(k.numpy(), 3.0, atol=0.1)
    assert kurtosis(h).item() > 3.2  # pooled, the three scales and means are a mixture


def test_kurtosis_errors_name_the_argument():
    with pytest.raises(TypeError, match="h"):
        kurtosis([1.0, 2.0])
    with pytest.raises(ValueError, match="variance 0"):
        kurtosis(torch.ones(10))
    with pytest.raises(ValueError, match="floating-point"):
        kurtosis(torch.arange(10))


def _rectified_normal_kurtosis() -> float:
    """max(0, z), z ~ N(0, 1), in closed form: raw moments 1/sqrt(2 pi), 1/2, 2/sqrt(2 pi), 3/2."""
    m1, m2, m3, m4 = 1 / math.sqrt(2 * math.pi), 0.5, 2 / math.sqrt(2 * math.pi), 1.5
    var = m2 - m1**2
    return (m4 - 4 * m1 * m3 + 6 * m1**2 * m2 - 3 * m1**4) / var**2


def test_reference_kurtosis_closed_forms():
    assert reference_kurtosis("identity", gated=False) == pytest.approx(3.0, rel=1e-6)   # a normal
    assert reference_kurtosis("identity", gated=True) == pytest.approx(9.0, rel=1e-6)    # a product of normals
    assert reference_kurtosis("relu", gated=False) == pytest.approx(_rectified_normal_kurtosis(), rel=1e-5)
    assert reference_kurtosis("relu", gated=True) == pytest.approx(3 * 1.5 / 0.5**2, rel=1e-5)  # 18
    # ReLU and the identity are positively homogeneous: their kurtosis does not depend on the scale
    assert reference_kurtosis("relu", gated=True, std=0.3) == pytest.approx(18.0, rel=1e-5)
    # GELU's shape does: nearly linear (x/2 + x^2/sqrt(2 pi)) for small inputs, nearly ReLU for large ones
    assert reference_kurtosis("gelu", gated=True, std=0.01) == pytest.approx(9.0, rel=0.02)
    assert reference_kurtosis("gelu", gated=True, std=100.0) == pytest.approx(18.0, rel=0.01)


def test_reference_kurtosis_against_sampling():
    g = torch.Generator().manual_seed(2)
    gate, up = torch.randn(2, 2_000_000, generator=g, dtype=torch.float64) * torch.tensor([[0.6], [1.0]],
                                                                                       dtype=torch.float64)
    sampled = kurtosis(torch.nn.functional.silu(gate) * up).item()
    assert sampled == pytest.approx(reference_kurtosis("silu", gated=True, std=0.6), rel=0.05)


def test_a_gated_blocks_hidden_units_have_the_reference_kurtosis():
    """On Gaussian inputs a unit's g = x w and u = x v are normal and nearly independent, so the measured kurtosis
    lands near the reference; the input comes from its own generator (the same stream as the weights' would
    correlate x with w)."""
    torch.manual_seed(0)
    block = GatedFFN(128, 256, "relu")
    x = torch.randn(8192, 128, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        h = block.act_mul(block.w_gate(x), block.w_up(x))
    assert kurtosis(h, by_unit=True).mean().item() == pytest.approx(18.0, rel=0.1)


def test_reference_kurtosis_errors():
    with pytest.raises(ValueError, match="std"):
        reference_kurtosis("relu", gated=True, std=0.0)
    with pytest.raises(ValueError):
        reference_kurtosis("no_such_activation", gated=True)


def test_growth_exponents():
    s = [1, 2, 4, 8]
    assert growth_exponents(s, [3 * v for v in s]) == pytest.approx([1, 1, 1])
    assert growth_exponents(s, [v**2 for v in s]) == pytest.approx([2, 2, 2])
    assert growth_exponents([1, 10], [1, 1000]) == pytest.approx([3])


def test_growth_exponents_errors():
    with pytest.raises(ValueError, match="same length"):
        growth_exponents([1, 2], [1])
    with pytest.raises(ValueError, match="increasing"):
        growth_exponents([2, 1], [1, 2])
    with pytest.raises(ValueError, match="positive"):
        growth_exponents([1, 2], [0, 1])
