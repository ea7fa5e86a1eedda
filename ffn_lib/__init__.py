"""ffn_lib: the Transformer feed-forward block and its activations, from formula to fused kernel.

The tested library behind the course. Everything a chapter shows comes from here:

* activations and their derivatives: :func:`relu`, :func:`gelu`, :func:`swish`,
  :func:`silu`, :func:`sigmoid`, :func:`squared_relu` and one registry,
  :func:`get_activation` (``.module()`` gives an ``nn.Module`` for ``nn.Sequential``);
  :func:`act_mul_eager`, the eager gated step;
* the blocks: :class:`FFN` (Vaswani et al. 2017) and :class:`GatedFFN`
  (Shazeer 2020), with NumPy references and checkpoint conversion;
* :mod:`ffn_lib.sizing` (parameters, FLOPs, bytes, the 2/3 rule, Llama's d_ff);
* timing: :mod:`ffn_lib.timing` (:func:`benchmark`, and every timing name
  re-exported), :mod:`ffn_lib.sampler` (how a callable is sampled),
  :mod:`ffn_lib.comparison` (:func:`compare` and the sentences it writes),
  :mod:`ffn_lib.ceilings` (copy bandwidth, matrix-product rate),
  :mod:`ffn_lib.roofline`, :mod:`ffn_lib.devices`, :mod:`ffn_lib.formatting`;
  ``python -m ffn_lib.bench`` (the benchmark suite);
* :mod:`ffn_lib.kernels` (fused Triton kernels), :mod:`ffn_lib.exercises`,
  :mod:`ffn_lib.plotting`.
"""

from . import sizing
from .activations import (
    ACTIVATIONS,
    Activation,
    ActivationModule,
    act_mul_eager,
    activation_names,
    gelu,
    gelu_derivative,
    get_activation,
    identity,
    identity_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    silu,
    silu_derivative,
    squared_relu,
    squared_relu_derivative,
    swish,
    swish_derivative,
)
from .blocks import FFN, LAYOUTS, GatedFFN, ffn_reference, gated_ffn_reference
from .source_view import show_source
from .sources import SOURCES, cite
from .timing import benchmark, compare, measure_copy_bandwidth, pick_device
from .variants import VARIANTS, Variant, get_variant

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "Activation", "ActivationModule", "FFN", "GatedFFN", "LAYOUTS", "SOURCES", "VARIANTS", "Variant",
    "act_mul_eager", "activation_names", "benchmark", "cite", "compare", "ffn_reference", "gated_ffn_reference", "gelu",
    "gelu_derivative", "get_activation", "get_variant", "identity", "identity_derivative", "measure_copy_bandwidth",
    "pick_device", "relu", "relu_derivative", "show_source", "sigmoid", "sigmoid_derivative", "silu",
    "silu_derivative", "sizing", "squared_relu", "squared_relu_derivative", "swish", "swish_derivative",
]
