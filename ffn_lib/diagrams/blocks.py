"""Diagrams of the FFN block: where it sits in a Transformer layer, the gated block's three matrices
with their shapes, the order of the gate and value halves in fused projections, and which GELU a
checkpoint's config names.

Each function returns a matplotlib Figure drawn on a white, rounded panel, so that it reads the same
in the book's light and dark themes; its ``ALT`` entry is the figure's alt text (the chapters put it
in the cell's ``mystnb.image.alt`` metadata). Labels come from the library where there is one (the
activation registry for the GELU chart, :func:`ffn_lib.blocks.split_gate_up` for the halves), never
from a second copy. Every label that is words goes through the message catalogue (:func:`ffn_lib.i18n.tr`).
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..activations import get_activation
from ..blocks import FUSED_LAYOUTS, split_gate_up
from ..i18n import N_, tr
from ..plotting import use_style

INK = "#1a1a1a"
PANEL = "#ffffff"
FILL = {"norm": "#e8eef7", "attn": "#f3e8f7", "ffn": "#fff1db", "matrix": "#dcebf9", "act": "#fde2e1",
        "mul": "#e3f4e1", "data": "#f2f2f2", "question": "#eeeeee"}

ALT = {
    "ffn_in_layer": ("A pre-norm Transformer layer drawn from bottom to top: the layer's input goes through a norm "
                     "and self-attention, whose output is added back to the input; the sum goes through a second "
                     "norm and becomes the FFN's input x. The FFN computes act(x W1 + b1) W2 + b2: W1 and its bias "
                     "b1 from d_model to d_ff, the activation, W2 and its bias b2 back to d_model; its output is "
                     "added back again. The FFN box is highlighted. A third panel shows four tokens side by side: "
                     "attention's arrows cross from each token to the later ones, while the same FFN box sits in "
                     "every token's column with no arrow between columns."),
    "gated_block": ("The gated FFN: the input x of shape tokens by d_model is multiplied by W and by V, both "
                    "d_model by d_ff, giving the gate g = xW and the value u = xV; the activation is applied to g "
                    "only; act(g) and u, both tokens by d_ff, are multiplied element by element into "
                    "h = act(g) ⊗ u, and h is multiplied by W2, d_ff by d_model, giving the output, tokens by "
                    "d_model, the input's shape. A note under it: d_ff is two thirds of 4 d_model, the 2/3 rule."),
    "halves_order": ("Three strips of eight columns, one fused hidden tensor of width 2 d_ff each, with the gate "
                     "columns (marked act, computed with W) and the value columns (computed with V) coloured "
                     "apart. F.glu: the value half first, the gate half second. gate_up_proj in Phi-3 and vLLM: "
                     "the gate half first, the value half second. gpt-oss: gate and value alternate, the gate on "
                     "the even columns; its strip reads the value as a[..., 1::2] + 1, because gpt-oss also adds 1 "
                     "to the value and clamps both (chapter 5)."),
    "gelu_decision": ("A decision chart: read the activation name in the checkpoint's config; each name leads "
                      "to the GELU form it means, erf, tanh or sigmoid, and the PyTorch call that computes it. A "
                      "warning box below: the config string can be wrong, so check the reference code; Gemma 1's "
                      "config says hidden_act \"gelu\", but its reference code, and its training, use the tanh "
                      "form."),
}


def _figure(width: float, height: float) -> tuple[Figure, plt.Axes]:
    use_style()
    fig = plt.figure(figsize=(width, height), facecolor=PANEL)
    plt.close(fig)  # shown once, as the cell's value (not again by the inline backend)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    ax.add_patch(FancyBboxPatch((0.04, 0.04), width - 0.08, height - 0.08, boxstyle="round,pad=0,rounding_size=0.12",
                                facecolor=PANEL, edgecolor="#bbbbbb", lw=1))
    return fig, ax


def _box(ax: plt.Axes, x: float, y: float, w: float, h: float, text: str, kind: str, *, size: float = 10,
         bold: bool = False) -> tuple[float, float, float, float]:
    """A rounded box centred at (x, y); returns (left, bottom, right, top)."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08",
                                facecolor=FILL[kind], edgecolor=INK, lw=1.1))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color=INK, weight="bold" if bold else "normal")
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def _arrow(ax: plt.Axes, start: tuple[float, float], end: tuple[float, float], *, style: str = "-|>",
           connection: str = "arc3", color: str = INK) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, lw=1.2, color=color,
                                 connectionstyle=connection, shrinkA=0, shrinkB=0))


def _plus(ax: plt.Axes, x: float, y: float, r: float = 0.16) -> None:
    ax.add_patch(plt.Circle((x, y), r, facecolor=PANEL, edgecolor=INK, lw=1.2))
    ax.text(x, y, "+", ha="center", va="center", fontsize=12, color=INK)


def _math(value: str | int) -> str | None:
    """The mathtext body of one dimension of a shape, as the prose typesets it: a number as it is, a name
    ``d_xxx`` as ``d_\\mathrm{xxx}``; None for a word (``tokens``), which stays text and is translated."""
    if isinstance(value, bool):
        raise ValueError(f"value must be a number or a name such as 'd_model', got {value!r}.")
    if isinstance(value, int) or re.fullmatch(r"\d+", str(value)):
        return str(value)
    named = re.fullmatch(r"d_([A-Za-z]+)", str(value))
    return f"d_\\mathrm{{{named.group(1)}}}" if named else None


def _shape(*dims: str | int) -> str:
    """A tensor's shape with its symbols typeset (mathtext), the one way every diagram here writes a shape:
    one run when every dimension is a number or a name (``$d_\\mathrm{model} \\times d_\\mathrm{ff}$``),
    else each name typeset between the words (``tokens × $d_\\mathrm{model}$``), as chapter 1's labels read."""
    bodies = [_math(d) for d in dims]
    if all(b is not None for b in bodies):
        return "$" + " \\times ".join(bodies) + "$"  # type: ignore[arg-type]
    return " × ".join(tr(str(d)) if b is None else f"${b}$" for d, b in zip(dims, bodies))


def ffn_in_layer() -> Figure:
    """One pre-norm Transformer layer, bottom to top, with the FFN's inside shown:
    h = input + Attention(Norm(input)); output = h + FFN(Norm(h)), FFN(x) = act(x W1 + b1) W2 + b2 (Vaswani et al.
    2017, eq. 2; pre-norm as in GPT-2 and Llama). x is the FFN's input, as in the chapter's formula. A third panel
    shows *position-wise*: four token columns, attention's arrows crossing between them (causal: each token reads
    itself and the ones before it), and the same FFN box once per column with no arrow between columns. Symbols are
    mathtext ($W_1$, $d_\\mathrm{ff}$), as the prose typesets them; the words are catalogue messages (N_), translated
    when the figure is drawn."""
    fig, ax = _figure(10.6, 6.4)
    cx = 2.3
    ax.text(cx, 0.35, N_("layer input   (tokens × $d_\\mathrm{model}$)"), ha="center", va="center", fontsize=10,
            color=INK)
    _box(ax, cx, 1.0, 2.2, 0.45, "Norm", "norm")
    _box(ax, cx, 1.8, 2.2, 0.55, N_("self-attention"), "attn")
    _plus(ax, cx, 2.6)
    _box(ax, cx, 3.35, 2.2, 0.45, tr("Norm"), "norm")
    ffn = _box(ax, cx, 4.45, 2.6, 1.3, "", "ffn")
    ax.text(cx, 4.45 + 0.47, "FFN", ha="center", va="center", fontsize=11, color=INK, weight="bold")
    ax.text(cx, 4.45 + 0.07, "$\\mathrm{act}(x W_1 + b_1)\\, W_2 + b_2$", ha="center", va="center", fontsize=11,
            color=INK)
    ax.text(cx, 4.45 - 0.35, N_("every token on its own"), ha="center", va="center", fontsize=9, color="#444444",
            style="italic")
    _plus(ax, cx, 5.45)
    ax.text(cx, 6.0, N_("layer output   (tokens × $d_\\mathrm{model}$)"), ha="center", va="center", fontsize=10,
            color=INK)
    for a, b in ((0.5, 0.775), (1.225, 1.525), (2.075, 2.44), (2.76, 3.125), (3.575, ffn[1]), (ffn[3], 5.29),
                 (5.61, 5.85)):
        _arrow(ax, (cx, a), (cx, b))
    for y0, y1 in ((0.62, 2.6), (2.76 + 0.12, 5.45)):  # residual paths around each sub-block
        ax.plot([cx, cx - 1.55, cx - 1.55], [y0, y0, y1], color=INK, lw=1.2)
        _arrow(ax, (cx - 1.55, y1), (cx - 0.16, y1))
    ax.text(cx - 1.65, 1.6, N_("residual"), rotation=90, ha="right", va="center", fontsize=9, color="#444444")
    ax.text(cx - 1.65, 4.2, N_("residual"), rotation=90, ha="right", va="center", fontsize=9, color="#444444")
    # the FFN's inside, to the right
    x0, w = 4.45, 2.98
    ax.plot([ffn[2], x0 - 0.1], [ffn[3], 5.75], color="#999999", lw=0.8, ls="--")
    ax.plot([ffn[2], x0 - 0.1], [ffn[1], 2.55], color="#999999", lw=0.8, ls="--")
    ax.text(x0 + w / 2, 5.95, N_("inside the FFN"), ha="center", fontsize=10, color=INK, weight="bold")
    rows = [(2.85, N_("$x$   (tokens × $d_\\mathrm{model}$)"), "data"),
            (3.55, f"$W_1$, $b_1$:   {_shape('d_model', 'd_ff')}, {_shape('d_ff')}", "matrix"),
            (4.25, N_("act   (elementwise, tokens × $d_\\mathrm{ff}$)"), "act"),
            (4.95, f"$W_2$, $b_2$:   {_shape('d_ff', 'd_model')}, {_shape('d_model')}", "matrix")]
    for y, text, kind in rows:
        _box(ax, x0 + w / 2, y, w, 0.45, text, kind, size=9.5)
    for (ya, _, _), (yb, _, _) in zip(rows, rows[1:]):
        _arrow(ax, (x0 + w / 2, ya + 0.225), (x0 + w / 2, yb - 0.225))
    ax.text(x0 + w / 2, 5.5, N_("$d_\\mathrm{ff} = 4\\, d_\\mathrm{model}$ in the original"), ha="center", fontsize=9.5,
            color="#444444")
    # position-wise: the same FFN in every token's column, attention crossing between the columns
    cols = [8.05, 8.75, 9.45, 10.15]
    ax.text(9.1, 5.95, N_("position-wise"), ha="center", fontsize=10, color=INK, weight="bold")
    for k, x in enumerate(cols):
        _box(ax, x, 0.75, 0.5, 0.4, f"$t_{k + 1}$", "data", size=10)
        _arrow(ax, (x, 0.95), (x, 1.6))
        _box(ax, x, 3.55, 0.56, 0.6, "FFN", "ffn", size=9)
        ax.plot([x, x], [1.6, 2.35], color="#8e5aa8", lw=1.2)  # each token reads itself too
        _arrow(ax, (x, 2.35), (x, 3.25))
        _arrow(ax, (x, 3.85), (x, 4.6))
        _box(ax, x, 4.85, 0.5, 0.4, f"$y_{k + 1}$", "data", size=10)
        for j in range(k + 1, len(cols)):  # causal: token j reads token k (k < j)
            _arrow(ax, (x, 1.6), (cols[j], 2.35), color="#8e5aa8")
    ax.text(9.1, 2.68, N_("attention: between positions"), ha="center", fontsize=9, color="#6c3d85",
            bbox=dict(facecolor=PANEL, edgecolor="none", pad=1.5))
    ax.text(9.1, 4.22, N_("the same weights in every column"), ha="center", fontsize=9, color="#444444",
            style="italic", bbox=dict(facecolor=PANEL, edgecolor="none", pad=1.5))
    return fig


def gated_block(d_model: str | int = "d_model", d_ff: str | int = "d_ff", tokens: str | int = N_("tokens"),
                activation: str = "act") -> Figure:
    """The gated FFN (act(x W) ⊗ x V) W2 of Shazeer (2020), each tensor and matrix with its shape, in the book's
    notation: the gate g = x W, the value u = x V, the hidden tensor h = act(g) ⊗ u. Symbols are mathtext
    ($W_2$, $d_\\mathrm{ff}$), as in :func:`ffn_in_layer` and the prose; shapes are written by :func:`_shape`.

    ``d_model``, ``d_ff``, ``tokens``: numbers or names to print in the shapes (a name ``d_xxx`` is typeset, a
    word such as ``tokens`` translated); ``activation``: the gate's name, as it is.
    """
    fig, ax = _figure(10.7, 4.7)
    t, d, f = tokens, d_model, d_ff
    _box(ax, 1.1, 2.3, 1.6, 0.7, f"$x$\n{_shape(t, d)}", "data")
    _box(ax, 3.1, 3.45, 1.75, 0.6, f"$\\cdot\\, W$\n{_shape(d, f)}", "matrix")
    _box(ax, 3.1, 1.15, 1.75, 0.6, f"$\\cdot\\, V$\n{_shape(d, f)}", "matrix")
    _box(ax, 5.75, 3.45, 1.0, 0.6, activation, "act", bold=True)
    ax.add_patch(plt.Circle((6.75, 2.3), 0.27, facecolor=FILL["mul"], edgecolor=INK, lw=1.2))
    ax.text(6.75, 2.3, "$\\otimes$", ha="center", va="center", fontsize=15, color=INK)
    _box(ax, 8.0, 2.3, 1.5, 0.7, f"$\\cdot\\, W_2$\n{_shape(f, d)}", "matrix")
    _box(ax, 9.85, 2.3, 1.4, 0.7, tr("out\n{shape}", shape=_shape(t, d)), "data", size=9)
    _arrow(ax, (1.9, 2.45), (2.22, 3.4), connection="arc3,rad=-0.15")
    _arrow(ax, (1.9, 2.15), (2.22, 1.2), connection="arc3,rad=0.15")
    _arrow(ax, (3.98, 3.45), (5.25, 3.45))  # g = xW, on its arrow
    _arrow(ax, (6.25, 3.3), (6.62, 2.55), connection="arc3,rad=-0.2")  # act(g)
    _arrow(ax, (3.98, 1.15), (6.55, 2.1), connection="arc3,rad=0.2")  # u = xV
    _arrow(ax, (7.02, 2.3), (7.25, 2.3))  # h
    _arrow(ax, (8.75, 2.3), (9.15, 2.3))
    ax.text(4.62, 3.85, tr("gate  $g = x W$:  {shape}", shape=_shape(t, f)), ha="center", va="bottom",
            fontsize=8.5, color=INK)
    ax.text(6.5, 3.0, "$\\mathrm{act}(g)$", ha="left", va="center", fontsize=9, color=INK)
    ax.text(5.0, 1.05, tr("value  $u = x V$:  {shape}", shape=_shape(t, f)), ha="center", va="top",
            fontsize=8.5, color=INK)
    ax.text(7.1, 1.75, f"$h = \\mathrm{{act}}(g) \\otimes u$: {_shape(t, f)}", ha="center", va="center",
            fontsize=8.5, color="#444444")
    ax.text(5.35, 0.35, tr("$d_\\mathrm{ff} = \\frac{2}{3} \\cdot 4\\, d_\\mathrm{model}$, the 2/3 rule: the three "
                          "matrices hold the plain block's parameters"), ha="center", fontsize=8.5, color="#444444")
    ax.text(5.35, 4.35, tr("$(\\mathrm{act}(xW) \\otimes xV)\\, W_2$: three matrices, no biases"), ha="center",
            fontsize=10, color=INK, weight="bold")
    return fig


# The fused layouts the halves chart draws, top to bottom: (layout, name, the code that reads it).
HALVES_ROWS = (
    ("glu", "F.glu(a)", "a[..., :d] * sigmoid(a[..., d:])"),
    ("gate_first", N_("gate_up_proj (Phi-3, vLLM)"), "act(a[..., :d]) * a[..., d:]"),
    ("interleaved", N_("gpt-oss, interleaved"), "act(a[..., ::2]) * (a[..., 1::2] + 1)"),
)


def halves_roles(layout: str, d_ff: int) -> list[str]:
    """"gate" or "value" for each of the 2 ``d_ff`` columns of a fused tensor in ``layout``, read off
    :func:`ffn_lib.blocks.split_gate_up` (so the chart and the code cannot disagree)."""
    import torch

    gate, _ = split_gate_up(torch.arange(2 * d_ff), layout)
    gates = set(gate.tolist())
    return ["gate" if k in gates else "value" for k in range(2 * d_ff)]


def halves_order(d_ff: int = 4) -> Figure:
    """Which columns of a fused projection a = x [· | ·] (width 2 d_ff) are the gate and which the value, in each
    layout of :data:`HALVES_ROWS` (F.glu; gate_up_proj of Phi-3 and vLLM; gpt-oss's interleaved columns), the
    gate columns marked "act". ``d_ff``: columns per half to draw."""
    if isinstance(d_ff, bool) or not isinstance(d_ff, int) or not 1 <= d_ff <= 8:
        raise ValueError(f"d_ff must be a whole number from 1 to 8 (columns per half to draw), got {d_ff!r}.")
    cell = 0.5
    x0 = 3.2
    width = x0 + 2 * d_ff * cell + 0.35
    height = 1.35 + 1.05 * len(HALVES_ROWS)
    fig, ax = _figure(width, height)
    ax.text(width / 2, height - 0.35, tr("The fused hidden tensor a = x [· | ·]: which columns are the gate?"),
            ha="center", va="center", fontsize=10, color=INK, weight="bold")
    for row, (layout, name, code) in enumerate(HALVES_ROWS):
        y = height - 1.15 - 1.05 * row
        ax.text(0.25, y + 0.12, tr(name), ha="left", va="center", fontsize=9.5, color=INK, weight="bold")
        ax.text(0.25, y - 0.2, code, ha="left", va="center", fontsize=7.5, color="#444444",
                family="DejaVu Sans Mono")
        for k, role in enumerate(halves_roles(layout, d_ff)):
            left = x0 + k * cell
            kind = "act" if role == "gate" else "matrix"
            ax.add_patch(FancyBboxPatch((left + 0.03, y - 0.2), cell - 0.06, 0.4,
                                        boxstyle="round,pad=0,rounding_size=0.05", facecolor=FILL[kind],
                                        edgecolor=INK, lw=0.9))
            ax.text(left + cell / 2, y, "g" if role == "gate" else "u", ha="center", va="center", fontsize=9.5,
                    color=INK, weight="bold" if role == "gate" else "normal")
            if role == "gate":
                ax.text(left + cell / 2, y + 0.31, "act", ha="center", va="center", fontsize=7.5, color="#9b1c1c")
        if layout != "interleaved":  # the two halves' boundary
            ax.plot([x0 + d_ff * cell] * 2, [y - 0.3, y + 0.26], color="#777777", lw=0.8, ls=":")
    ax.add_patch(FancyBboxPatch((0.25, 0.22), 0.32, 0.24, boxstyle="round,pad=0,rounding_size=0.04",
                                facecolor=FILL["act"], edgecolor=INK, lw=0.8))
    ax.text(0.65, 0.34, tr("gate g = x W, goes through act"), ha="left", va="center", fontsize=8.5, color=INK)
    ax.add_patch(FancyBboxPatch((3.2, 0.22), 0.32, 0.24, boxstyle="round,pad=0,rounding_size=0.04",
                                facecolor=FILL["matrix"], edgecolor=INK, lw=0.8))
    ax.text(3.6, 0.34, tr("value u = x V"), ha="left", va="center", fontsize=8.5, color=INK)
    return fig


# Names a checkpoint's config uses for its activation (Hugging Face ``hidden_act``; T5's
# ``feed_forward_proj``), grouped by the form they resolve to in the library's registry.
CONFIG_NAMES = ("gelu", "gelu_new", "gelu_fast", "gelu_pytorch_tanh", "quick_gelu")
TORCH_CALL = {"gelu": 'F.gelu(x)', "gelu_tanh": 'F.gelu(x, approximate="tanh")',
              "gelu_sigmoid": "x * torch.sigmoid(1.702 * x)"}
FORM = {"gelu": N_("erf: x Φ(x), the definition"), "gelu_tanh": N_("tanh form (Page's Φ, c = 0.044715)"),
        "gelu_sigmoid": N_("sigmoid form: x σ(1.702 x)")}


def gelu_forms() -> dict[str, list[str]]:
    """The registry's form for each config name of :data:`CONFIG_NAMES`, grouped: form -> names."""
    out: dict[str, list[str]] = {}
    for name in CONFIG_NAMES:
        out.setdefault(get_activation(name).name, []).append(name)
    return out


def gelu_decision() -> Figure:
    """Which GELU a checkpoint uses: from the name in its config to the formula and the PyTorch call.

    The grouping is the library's registry (:func:`ffn_lib.activations.get_activation`), so the chart and
    the code cannot disagree.
    """
    fig, ax = _figure(9.4, 5.5)
    _box(ax, 4.7, 4.9, 6.6, 0.62, tr("Read the activation name in the checkpoint's config\n"
                                     "(hidden_act, hidden_activation; T5: feed_forward_proj)"), "question", size=9.5)
    groups = gelu_forms()
    xs = {k: x for k, x in zip(("gelu", "gelu_tanh", "gelu_sigmoid"), (1.65, 4.7, 7.75))}
    for form, names in groups.items():
        x = xs[form]
        quoted = [f'"{n}"' for n in names]
        label = ", ".join(quoted[:2]) + (",\n" + ", ".join(quoted[2:]) if len(quoted) > 2 else "")
        _box(ax, x, 3.45, 2.8, 0.62, label, "data", size=8.5)
        _arrow(ax, (4.7 + (x - 4.7) * 0.55, 4.59), (x, 3.77))
        _box(ax, x, 2.4, 2.8, 0.62, tr(FORM[form]), "act", size=9)
        _arrow(ax, (x, 3.14), (x, 2.71))
        ax.text(x, 1.72, TORCH_CALL[form], ha="center", va="center", fontsize=8.5, color=INK, family="DejaVu Sans Mono")
        _arrow(ax, (x, 2.09), (x, 1.88))
    ax.text(4.7, 1.25, tr("T5 v1.1's \"gated-gelu\" is the tanh form, in a GEGLU block. Run a checkpoint with exactly "
                          "the form it was trained with."), ha="center", fontsize=8.5, color="#444444")
    # the one case the chart cannot decide: a config string that does not say what the model was trained with
    ax.add_patch(FancyBboxPatch((0.5, 0.25), 8.4, 0.72, boxstyle="round,pad=0,rounding_size=0.08",
                                facecolor="#fff4d6", edgecolor="#b07d00", lw=1.2))
    ax.text(4.7, 0.61, tr("The config string can be wrong: check the model's reference code.\n"
                          "Gemma 1's config says hidden_act \"gelu\", but its reference code (and its training) "
                          "use the tanh form."), ha="center", va="center", fontsize=8.5, color=INK)
    return fig


__all__ = ["ALT", "CONFIG_NAMES", "HALVES_ROWS", "ffn_in_layer", "gated_block", "gelu_decision", "gelu_forms",
           "halves_order", "halves_roles"]
