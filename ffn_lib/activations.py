"""Activation functions of the Transformer FFN, their derivatives, and one registry.

Each function takes a Python number, a NumPy array or a torch tensor:

* NumPy in, NumPy out (computed in float64, returned in the input's float dtype;
  integers become float64);
* torch in, torch out, on the same device and differentiable by autograd
  (float16 and bfloat16 are computed in float32 and rounded once).

At +-inf every function returns its mathematical limit (GELU(-inf) = 0,
SiLU(-inf) = 0). PyTorch returns NaN for some of these (``F.gelu(-inf)``,
``F.silu(-inf)``); everywhere else the two agree to rounding, except that
:func:`gelu` keeps the relative accuracy of its far negative tail, which
PyTorch's ``1 + erf`` loses to cancellation (there both are within rounding
of 0 in absolute terms).

:data:`ACTIVATIONS` is the single source of truth for names: every name a
reader meets in papers and in Hugging Face's ``ACT2FN`` resolves through
:func:`get_activation`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import numpy as np
import torch
import torch.nn.functional as F

from ._arrays import Ops, as_array
from ._checks import finite_scalar
from .i18n import N_, tr

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2 = 1.0 / math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
GELU_TANH_COEF = 0.044715  # Hendrycks & Gimpel 2016, sec. 2
GELU_SIGMOID_COEF = 1.702  # Hendrycks & Gimpel 2016, sec. 2
GELU_APPROXIMATIONS = ("none", "tanh", "sigmoid")

# tanh and the Gaussian density are flat beyond these arguments in float64;
# clipping there keeps x**3 and x**2 from overflowing for huge inputs. The fused
# kernels import these (and the constants above): one source of truth.
TANH_CLIP = 100.0
PDF_CLIP = 40.0


def _mul_or_zero(x: Any, p: Any, ops: Ops) -> Any:
    """x * p where p == 0 gives 0 even for infinite x (the limit, not NaN).

    Through autograd too: at x = +-inf the factor p is flat (its slope is 0 there), so its gradient is not
    multiplied by x (inf * 0 = NaN); what is left is p's limit, GELU'(+inf) = SiLU'(+inf) = 1, as the
    derivatives below and the kernels give.
    """
    if isinstance(p, torch.Tensor) and p.requires_grad:
        p = torch.where(x.isinf(), p.detach(), p)
    return ops.where(p == 0, 0.0 * p, x) * p


# --- ReLU ---------------------------------------------------------------------


def relu(x: Any) -> Any:
    r"""ReLU(x) = max(0, x).  Nair & Hinton 2010; the FFN of Vaswani et al. 2017, eq. 2."""
    a, ops, like_input = as_array(x)
    return like_input(ops.maximum0(a))


def relu_derivative(x: Any) -> Any:
    r"""d/dx ReLU(x) = 1 if x > 0 else 0 (0 at x = 0, as PyTorch's autograd)."""
    a, ops, like_input = as_array(x)
    return like_input(ops.where(a > 0, ops.ones_like(a), ops.zeros_like(a)))


# --- Squared ReLU --------------------------------------------------------------


def squared_relu(x: Any) -> Any:
    r"""Squared ReLU: ReLU(x)^2 = max(0, x)^2.

    So et al. 2021, "Primer: Searching for Efficient Transformers for Language
    Modeling" (arXiv:2109.08668), sec. 3; the FFN activation of Nemotron-4.
    Hugging Face calls it ``relu2``. Zero for x <= 0, x^2 above: no ceiling on the
    output, so float16 overflows to inf above about 256.
    """
    a, ops, like_input = as_array(x)
    r = ops.maximum0(a)
    with np.errstate(over="ignore"):  # (1e300)^2 is inf in float64: the right answer, not an error
        return like_input(r * r)


def squared_relu_derivative(x: Any) -> Any:
    r"""d/dx ReLU(x)^2 = 2 max(0, x): continuous at 0, unlike ReLU's step."""
    a, ops, like_input = as_array(x)
    return like_input(2.0 * ops.maximum0(a))


# --- GELU ---------------------------------------------------------------------


def _check_approximate(approximate: str) -> str:
    if approximate not in GELU_APPROXIMATIONS:
        raise ValueError(
            f"approximate must be one of {', '.join(repr(a) for a in GELU_APPROXIMATIONS)}; got {approximate!r}."
        )
    return approximate


def _gelu_tanh_inner(a: Any, ops: Ops) -> Any:
    c = ops.clip(a, -TANH_CLIP, TANH_CLIP)
    return ops.tanh(SQRT_2_OVER_PI * (c + GELU_TANH_COEF * c * c * c))


def _gelu_cdf(a: Any, ops: Ops) -> Any:
    """Phi(a), the standard normal CDF: erfc(-a / sqrt 2) / 2."""
    return 0.5 * ops.erfc(-a * INV_SQRT_2)


def gelu(x: Any, approximate: str = "none") -> Any:
    r"""Gaussian Error Linear Unit (Hendrycks & Gimpel 2016, arXiv:1606.08415).

    * ``"none"`` (the definition): GELU(x) = x Phi(x) = x/2 (1 + erf(x / sqrt 2))
    * ``"tanh"``: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    * ``"sigmoid"``: x sigmoid(1.702 x)

    The two approximations are cheaper to evaluate on old hardware; the erf form
    is the definition and PyTorch's default. Phi is computed as erfc(-x / sqrt 2) / 2,
    the same number as (1 + erf(x / sqrt 2)) / 2 without its cancellation for
    negative x: the tail keeps its relative accuracy (GELU(-10) = -7.6e-23 in
    float64, where 1 + erf gives 0; PyTorch's ``F.gelu`` gives 0 there).
    """
    _check_approximate(approximate)
    a, ops, like_input = as_array(x)
    if approximate == "none":
        return like_input(_mul_or_zero(a, _gelu_cdf(a, ops), ops))
    if approximate == "tanh":
        return like_input(_mul_or_zero(a, 0.5 * (1.0 + _gelu_tanh_inner(a, ops)), ops))
    return like_input(_mul_or_zero(a, ops.sigmoid(GELU_SIGMOID_COEF * a), ops))


def gelu_derivative(x: Any, approximate: str = "none") -> Any:
    r"""d/dx GELU(x).

    * ``"none"``: Phi(x) + x phi(x), with phi(x) = exp(-x^2/2) / sqrt(2 pi)
    * ``"tanh"``: (1 + t)/2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2),
      t = tanh(sqrt(2/pi) (x + 0.044715 x^3))
    * ``"sigmoid"``: s + 1.702 x s (1 - s), s = sigmoid(1.702 x)
    """
    _check_approximate(approximate)
    if approximate == "sigmoid":
        return swish_derivative(x, beta=GELU_SIGMOID_COEF)
    a, ops, like_input = as_array(x)
    limit = PDF_CLIP if approximate == "none" else TANH_CLIP
    c = ops.clip(a, -limit, limit)
    if approximate == "none":
        pdf = INV_SQRT_2PI * ops.exp(-0.5 * c * c)
        return like_input(_gelu_cdf(a, ops) + c * pdf)
    t = _gelu_tanh_inner(a, ops)
    return like_input(0.5 * (1.0 + t) + 0.5 * c * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEF * c * c))


def gelu_tanh_taylor_coefficient() -> float:
    r"""The x^3 coefficient that makes the tanh form match Phi to third order at 0: 2/(3 pi) - 1/6.

    Expanding Phi(x) = 1/2 + (x - x^3/6)/sqrt(2 pi) + O(x^5) and
    (1 + tanh(u))/2 with u = sqrt(2/pi)(x + a x^3) to third order, and equating
    the x^3 terms, gives a = 2/(3 pi) - 1/6 = 0.0455. Hendrycks & Gimpel's
    0.044715 is close to it: a fit over a range of x rather than a match at 0.
    """
    return 2.0 / (3.0 * math.pi) - 1.0 / 6.0


# --- Sigmoid, Swish, SiLU -------------------------------------------------------


def sigmoid(x: Any) -> Any:
    r"""sigmoid(x) = 1 / (1 + e^{-x}), computed without overflow for any x."""
    a, ops, like_input = as_array(x)
    return like_input(ops.sigmoid(a))


def sigmoid_derivative(x: Any) -> Any:
    r"""d/dx sigmoid(x) = sigmoid(x) (1 - sigmoid(x))."""
    a, ops, like_input = as_array(x)
    s = ops.sigmoid(a)
    return like_input(s * (1.0 - s))


def _beta_x(a: Any, beta: Any, ops: Ops) -> Any:
    """beta * a, the argument of Swish's sigmoid; for beta == 0, zeros (NaN kept) rather than 0 * inf."""
    if isinstance(beta, torch.Tensor) and isinstance(a, torch.Tensor):
        beta = beta.to(a.dtype)  # the input's dtype decides the result's, as with a float beta
        if beta.requires_grad:  # finite a: beta's gradient at a = +-inf is its limit 0, not 0 * inf
            big = torch.finfo(a.dtype).max
            a = a.clamp(-big, big)
    if isinstance(beta, float) and beta == 0.0:
        return 0.0 * ops.clip(a, -1.0, 1.0)  # zeros that keep NaN, without 0 * inf
    return beta * a


def _beta(beta: Any) -> Any:
    """Swish's beta checked: a finite real number, or a one-element floating tensor holding one, as a 0-d
    tensor (so that it neither changes the result's shape nor promotes its dtype, as a float would not).

    A tensor that requires grad (a parameter being trained) is not checked for finiteness on every call: that
    would wait for the GPU at each step; it starts from a checked float (``GatedFFN(learn_beta=True)``).
    """
    beta = finite_scalar(beta, "beta", allow_tensor=True)
    if isinstance(beta, torch.Tensor):
        if not beta.is_floating_point():
            raise TypeError(f"beta must be a floating-point tensor, got dtype {beta.dtype}.")
        if not beta.requires_grad and not bool(torch.isfinite(beta).all()):
            raise ValueError(f"beta must be finite, got {beta.item()}.")
        beta = beta.reshape(())
    return beta


def swish(x: Any, beta: Any = 1.0) -> Any:
    r"""Swish_beta(x) = x sigmoid(beta x)  (Ramachandran, Zoph & Le 2017, arXiv:1710.05941).

    beta = 1 is SiLU; beta = 0 gives x/2; as beta -> inf it tends to ReLU, with
    sup_x |Swish_beta(x) - ReLU(x)| = 0.27846 / beta. ``beta`` may be a float or,
    with a torch input, a one-element tensor (a trainable parameter).
    """
    beta = _beta(beta)
    a, ops, like_input = as_array(x)
    return like_input(_mul_or_zero(a, ops.sigmoid(_beta_x(a, beta, ops)), ops))


def swish_derivative(x: Any, beta: Any = 1.0) -> Any:
    r"""d/dx Swish_beta(x) = s + beta x s (1 - s), with s = sigmoid(beta x)."""
    beta = _beta(beta)
    a, ops, like_input = as_array(x)
    bx = _beta_x(a, beta, ops)
    s = ops.sigmoid(bx)
    return like_input(s + _mul_or_zero(bx, s * (1.0 - s), ops))


def silu(x: Any) -> Any:
    r"""SiLU(x) = x sigmoid(x) = Swish_1(x)  (Elfwing et al. 2017; Hendrycks & Gimpel 2016)."""
    return swish(x, 1.0)


def silu_derivative(x: Any) -> Any:
    r"""d/dx SiLU(x) = s (1 + x (1 - s)), with s = sigmoid(x)."""
    return swish_derivative(x, 1.0)


def identity(x: Any) -> Any:
    r"""The identity, the 'activation' of Shazeer's Bilinear layer."""
    a, _, like_input = as_array(x)
    return like_input(a)


def identity_derivative(x: Any) -> Any:
    r"""d/dx x = 1."""
    a, ops, like_input = as_array(x)
    return like_input(ops.ones_like(a))


# --- The registry ----------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """One activation: how to compute it, its derivative, its formula and its source.

    Calling an ``Activation`` applies it; ``.derivative(x)`` gives its analytic
    derivative; ``.torch_op`` is PyTorch's own kernel for the same function, the
    way the function is usually written in PyTorch code (used as the eager
    baseline by the benchmarks).
    """

    name: str
    description: str
    formula: str
    derivative_formula: str
    source: str
    forward: Callable[..., Any]
    backward: Callable[..., Any]
    torch_op: Callable[..., torch.Tensor]
    aliases: tuple[str, ...] = ()
    params: Mapping[str, float] = field(default_factory=dict)

    def __call__(self, x: Any) -> Any:
        return self.forward(x, **self.params)

    def derivative(self, x: Any) -> Any:
        return self.backward(x, **self.params)

    def torch(self, x: torch.Tensor) -> torch.Tensor:
        """PyTorch's own implementation, with this activation's parameters."""
        return self.torch_op(x, **self.params)

    def module(self, *, trainable: bool = False) -> "ActivationModule":
        """This activation as an ``nn.Module`` (for ``nn.Sequential``), running :meth:`torch`.

        A parameter (Swish's beta) keeps its value; ``trainable=True`` makes it an ``nn.Parameter``.
        """
        return ActivationModule(self, trainable=trainable)

    def with_params(self, **params: Any) -> "Activation":
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            allowed = ", ".join(self.params) or "none"
            raise TypeError(f"activation {self.name!r} takes no parameter {', '.join(unknown)} (it takes: {allowed}).")
        for key, value in params.items():
            _beta(value) if key == "beta" else finite_scalar(value, key, allow_tensor=True)
        return replace(self, params={**self.params, **params})

    def summary(self, *, full_source: bool = False) -> str:
        """One line of Markdown for a reader: description, formula and source, in the reader's language
        ("squared ReLU (Primer; Nemotron-4): $…$ (source: So et al., 2021)"); ``full_source`` cites the whole
        reference (authors, year, title, arXiv number) instead of authors and year."""
        from .sources import cite

        source = cite(self.source)
        if full_source:
            return tr("{description}: ${formula}$ (source: {source})", description=self.description,
                      formula=self.formula, source=source.citation())
        return tr("{description}: ${formula}$ (source: {authors}, {year})", description=self.description,
                  formula=self.formula, authors=source.cited_authors, year=source.year_label)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in self.params.items())
        return f"Activation({self.name!r}{extra})"


def _torch_swish(x: torch.Tensor, beta: Any = 1.0) -> torch.Tensor:
    if isinstance(beta, torch.Tensor):  # a (1,) or float64 beta: no new shape, no promotion
        beta = beta.reshape(()).to(x.dtype)
    return x * torch.sigmoid(beta * x)


def _torch_squared_relu(x: torch.Tensor) -> torch.Tensor:
    return torch.square(F.relu(x))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            name="relu",
            description=N_("rectified linear unit"),
            formula=r"\mathrm{ReLU}(x) = \max(0, x)",
            derivative_formula=r"\mathrm{ReLU}'(x) = \mathbb{1}[x > 0]",
            source="nair2010relu",
            forward=relu,
            backward=relu_derivative,
            torch_op=F.relu,
        ),
        Activation(
            name="squared_relu",
            description=N_("squared ReLU (Primer; Nemotron-4)"),
            formula=r"\mathrm{ReLU}(x)^2 = \max(0, x)^2",
            derivative_formula=r"2\max(0, x)",
            source="so2021primer",
            forward=squared_relu,
            backward=squared_relu_derivative,
            torch_op=_torch_squared_relu,
            aliases=("relu2", "relu_squared"),
        ),
        Activation(
            name="gelu",
            description=N_("GELU, the erf definition"),
            formula=r"\mathrm{GELU}(x) = x\,\Phi(x) = \tfrac{x}{2}\left(1 + \operatorname{erf}(x/\sqrt{2})\right)",
            derivative_formula=r"\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x)",
            source="hendrycks2016gelu",
            forward=gelu,
            backward=gelu_derivative,
            torch_op=F.gelu,
            aliases=("gelu_erf", "gelu_python"),
        ),
        Activation(
            name="gelu_tanh",
            description=N_("GELU, tanh approximation"),
            formula=(rf"\tfrac{{x}}{{2}}\left(1 + \tanh\!\left(\sqrt{{2/\pi}}\,"
                     rf"(x + {GELU_TANH_COEF:g}\,x^3)\right)\right)"),
            derivative_formula=(
                rf"\tfrac{{1+t}}{{2}} + \tfrac{{x}}{{2}}(1 - t^2)\sqrt{{2/\pi}}\,(1 + {3 * GELU_TANH_COEF:g}\,x^2),"
                rf"\; t = \tanh\!\left(\sqrt{{2/\pi}}\,(x + {GELU_TANH_COEF:g}\,x^3)\right)"
            ),
            source="hendrycks2016gelu",
            forward=lambda x: gelu(x, "tanh"),
            backward=lambda x: gelu_derivative(x, "tanh"),
            torch_op=lambda x: F.gelu(x, approximate="tanh"),
            aliases=("gelu_new", "gelu_fast", "gelu_pytorch_tanh", "gelu_approx_tanh"),
        ),
        Activation(
            name="gelu_sigmoid",
            description=N_("GELU, sigmoid approximation"),
            formula=rf"x\,\sigma({GELU_SIGMOID_COEF:g}\,x)",
            derivative_formula=rf"s + {GELU_SIGMOID_COEF:g}\,x\,s(1 - s),\; s = \sigma({GELU_SIGMOID_COEF:g}\,x)",
            source="hendrycks2016gelu",
            forward=lambda x: gelu(x, "sigmoid"),
            backward=lambda x: gelu_derivative(x, "sigmoid"),
            torch_op=lambda x: _torch_swish(x, GELU_SIGMOID_COEF),
            aliases=("quick_gelu",),
        ),
        Activation(
            name="swish",
            description=N_("Swish with slope beta (beta = 1 is SiLU)"),
            formula=r"\mathrm{Swish}_\beta(x) = x\,\sigma(\beta x)",
            derivative_formula=r"s + \beta x\, s(1 - s),\; s = \sigma(\beta x)",
            source="ramachandran2017swish",
            forward=swish,
            backward=swish_derivative,
            torch_op=_torch_swish,
            params={"beta": 1.0},
        ),
        Activation(
            name="silu",
            description=N_("SiLU, Swish with beta = 1"),
            formula=r"\mathrm{SiLU}(x) = x\,\sigma(x)",
            derivative_formula=r"\sigma(x)\left(1 + x(1 - \sigma(x))\right)",
            source="elfwing2017silu",
            forward=silu,
            backward=silu_derivative,
            torch_op=F.silu,
            aliases=("swish1", "swish_1"),
        ),
        Activation(
            name="sigmoid",
            description=N_("logistic sigmoid (Dauphin's GLU gate)"),
            formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            derivative_formula=r"\sigma'(x) = \sigma(x)(1 - \sigma(x))",
            source="dauphin2017glu",
            forward=sigmoid,
            backward=sigmoid_derivative,
            torch_op=torch.sigmoid,
        ),
        Activation(
            name="identity",
            description=N_("identity (Shazeer's Bilinear layer)"),
            formula=r"x",
            derivative_formula=r"1",
            source="shazeer2020glu",
            forward=identity,
            backward=identity_derivative,
            torch_op=lambda x: x,
            aliases=("linear", "none"),
        ),
    )
}


def _lookup_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for act in ACTIVATIONS.values():
        for key in (act.name, *act.aliases):
            table[key] = act.name
    return table


_NAME_TO_CANONICAL = _lookup_table()


def activation_names() -> list[str]:
    """Every name :func:`get_activation` accepts: canonical names and aliases."""
    return sorted(_NAME_TO_CANONICAL)


def canonical_name(name: str) -> str:
    """The registry's own name for ``name`` (``"gelu_new"`` -> ``"gelu_tanh"``)."""
    if isinstance(name, Activation):
        return name.name
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str) or an Activation, got {type(name).__name__}.")
    key = name.strip().lower()
    if key not in _NAME_TO_CANONICAL:
        close = difflib.get_close_matches(key, _NAME_TO_CANONICAL, n=4, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"unknown activation {name!r}.{hint} Known names: {', '.join(activation_names())}."
        )
    return _NAME_TO_CANONICAL[key]


def get_activation(name: str | Activation, **params: Any) -> Activation:
    """Look up an activation by any of its names, optionally setting its parameters.

    >>> get_activation("gelu_new").name
    'gelu_tanh'
    >>> get_activation("swish", beta=2.0)
    Activation('swish', beta=2.0)
    """
    act = name if isinstance(name, Activation) else ACTIVATIONS[canonical_name(name)]
    return act.with_params(**params) if params else act


def act_mul_eager(gate: torch.Tensor, up: torch.Tensor, activation: str | Activation = "silu",
                  **params: Any) -> torch.Tensor:
    """act(gate) * up the way it is usually written: PyTorch's activation kernel, then a multiply.

    The one place the eager gated step is written (blocks, kernels' reference and
    the benchmarks all call it). ``params`` (e.g. ``beta``) override the
    activation's own; a tensor ``beta`` keeps its gradient.
    """
    act = get_activation(activation, **params) if params else get_activation(activation)
    return act.torch(gate) * up



def _description(self: "Activation") -> str:
    """The description in the reader's language (:mod:`ffn_lib.i18n`); stored in English."""
    return tr(self.__dict__["description"])


def _set_description(self: "Activation", value: str) -> None:
    self.__dict__["description"] = value


# A property over the dataclass field (not __getattribute__, which torch.compile cannot trace through).
Activation.description = property(_description, _set_description)

class ActivationModule(torch.nn.Module):
    """An :class:`Activation` as an ``nn.Module``, as Hugging Face's ``ACT2FN`` values are.

    ``forward`` is the activation's PyTorch op (:meth:`Activation.torch`), so
    ``get_activation("gelu_tanh").module()`` computes what ``nn.GELU(approximate="tanh")`` does.
    With ``trainable=True`` the activation's parameter (Swish's beta) is an ``nn.Parameter``.
    """

    def __init__(self, activation: str | Activation, *, trainable: bool = False):
        super().__init__()
        self.activation = get_activation(activation)
        if trainable:
            if "beta" not in self.activation.params:
                raise ValueError(f"trainable=True needs an activation with a parameter (swish), "
                                 f"got {self.activation.name!r}.")
            self.beta = torch.nn.Parameter(torch.tensor(float(self.activation.params["beta"])))
        else:
            self.beta = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.beta is None:
            return self.activation.torch(x)
        return self.activation.torch_op(x, beta=self.beta)

    def extra_repr(self) -> str:
        params = "".join(f", {k}={v}" for k, v in self.activation.params.items())
        return f"{self.activation.name!r}{params}" + (", trainable=True" if self.beta is not None else "")
