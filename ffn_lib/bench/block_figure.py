"""The recorded block figure: what a chapter shows beside its table of whole blocks or matrix products.

Whole blocks differ by a few percent, so bars of TFLOP/s from zero would hide every difference. Instead:

* **blocks**: each row's median time over a reference time in the same pass, with whiskers over the middle half
  of the row's samples (q1 and q3 over that same reference), one panel per pass on a shared scale, each value
  written beside its dot. Where every block shown is parameter-matched to the plain ones, the reference is the
  median of the eager plain blocks' medians (ReLU, GELU and Swish; 1 = as fast as a typical plain block), so that
  one noisy plain row does not move every gated block; otherwise the section's first eager row (:func:`reference`);
* **matrix products alone** (group ``gemm``, different shapes): each product's rate in TFLOP/s, a dot with the
  rates its quartiles give, the run's fastest product sample dashed, each value written beside its dot;
* **peak memory** of a training step, as bars from zero, only where it tells something the eye can use: two rows
  or more whose values differ by at least :data:`MEMORY_SPREAD` (otherwise the table says it).

Nothing is drawn (None) where there is nothing to compare: no rows, or one row per pass. ``show(section)``
displays the section's table with this figure; :meth:`RecordedSection.figure` returns the same figure.
"""

from __future__ import annotations

import io
import statistics
from typing import TYPE_CHECKING, Any

from ..i18n import N_, tr, translate_text
from .rows import PASS_NAMES, flop_roof, select

if TYPE_CHECKING:
    from .report import RecordedSection

LEGEND_SIZE = 10
MEMORY_SPREAD = 0.10  # a memory panel needs (largest - smallest) / largest of at least this
BASELINE_OP = "ReLU"  # the plain block every other block is measured against
PLAIN_FAMILY = ("ReLU", "GELU", "Swish")  # the plain blocks of Shazeer's table: their median is 1
PANEL_TITLES = {"forward": N_("forward"), "backward": N_("backward"), "forward+backward": N_("one training step")}


def _label(r: dict[str, Any], impl: bool = True) -> str:
    """A row's line in the figure: its shown name (``label``, :func:`.report.labelled`), and its implementation."""
    name = translate_text(r.get("label", r["op"]))
    return name if not impl else tr("{op}, {impl}", op=name, impl=r["impl"])


def _matched(section: RecordedSection) -> bool:
    """Whether every block shown has the plain ReLU block's parameter count (the variants of Shazeer's table,
    sized by the 2/3 rule), so that time relative to it compares like with like."""
    from ..variants import VARIANTS

    return all(r["op"] in VARIANTS for r in section.rows())


def baseline(section: RecordedSection, pass_: str, against: str | None = None) -> dict[str, Any] | None:
    """The row a block of ``pass_`` is measured against: the eager row of ``against`` in the same run and pass;
    by default the eager ReLU block where every block shown is parameter-matched to it, else the section's first
    eager row of that pass (its first row if it has no eager one). None without rows."""
    doc = section.run
    if doc is None:
        return None
    op = against if against is not None else (BASELINE_OP if _matched(section) else None)
    if op is not None:
        same = select(doc, group="block", ops=[op], impl="eager", pass_=pass_)
        if same:
            return same[0]
        if against is not None:
            raise ValueError(f"against={against!r}: the run has no eager {against!r} block for the {pass_} pass.")
    rows = [r for r in section.rows() if r["pass"] == pass_]
    return next((r for r in rows if r["impl"] == "eager"), rows[0] if rows else None)


def plain_family_median(doc: dict[str, Any], pass_: str) -> float | None:
    """The median of the eager plain blocks' (:data:`PLAIN_FAMILY`) median times in one pass of the run ``doc``:
    the time that is 1 in a parameter-matched section's block panels. None when one of them is missing."""
    plain = select(doc, group="block", ops=list(PLAIN_FAMILY), impl="eager", pass_=pass_)
    if {r["op"] for r in plain} != set(PLAIN_FAMILY):
        return None
    return statistics.median(r["time"]["median"] for r in plain)


def plain_family_times(doc: dict[str, Any] | None, pass_: str) -> dict[str, float] | None:
    """Each eager plain block's (:data:`PLAIN_FAMILY`) median time in seconds in one pass of the run ``doc``, in
    that order: the three numbers :func:`plain_family_median` takes the middle one of. None when one is missing."""
    if doc is None:
        return None
    plain = {r["op"]: r["time"]["median"]
             for r in select(doc, group="block", ops=list(PLAIN_FAMILY), impl="eager", pass_=pass_)}
    return {op: plain[op] for op in PLAIN_FAMILY} if set(plain) == set(PLAIN_FAMILY) else None


def reference(section: RecordedSection, pass_: str, against: str | None = None) -> tuple[float, str]:
    """(seconds, what it is): the time that is 1 in the block panels for ``pass_``. Without ``against``, where
    every block shown is parameter-matched and the run has all the eager plain blocks of :data:`PLAIN_FAMILY` in
    that pass, the median of their medians: a single plain row's noise (one of them can be the noisiest row of a
    run) then does not shift every gated block. Otherwise the median of :func:`baseline`'s row."""
    doc = section.run
    if against is None and doc is not None and _matched(section):
        value = plain_family_median(doc, pass_)
        if value is not None:
            return value, tr("the eager plain blocks' median ({names})", names=", ".join(PLAIN_FAMILY))
    ref = baseline(section, pass_, against)
    name = (tr("the eager {op} block", op=translate_text(ref.get("label", ref["op"]))) if ref["impl"] == "eager"
            else _label(ref))
    return ref["time"]["median"], name


def relative_times(section: RecordedSection, against: str | None = None
                   ) -> list[tuple[dict[str, Any], float, float, float]]:
    """(row, median, q1, q3), each time over its pass's :func:`reference` time: what the block panels plot."""
    out = []
    for r in section.rows():
        ref, _ = reference(section, r["pass"], against)
        t = r["time"]
        out.append((r, t["median"] / ref, t["q1"] / ref, t["q3"] / ref))
    return out


def _memory_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows for a memory panel, or none where it would add nothing to the table."""
    memory = [r for r in rows if r.get("peak_memory")]
    values = [r["peak_memory"]["value"] for r in memory]
    if len(memory) < 2 or (max(values) - min(values)) / max(values) < MEMORY_SPREAD:
        return []
    return memory


def block_figure(section: RecordedSection, *, against: str | None = None):
    """The section's figure (group ``block`` or ``gemm``; see the module's docstring), or None where it would
    show nothing the table does not: no rows, or a single row per pass. ``against``: the block whose eager time
    is 1 (see :func:`baseline`; default: the eager ReLU block where the blocks are parameter-matched to it)."""
    rows = section.rows()
    if not rows:
        return None
    passes = list(dict.fromkeys(r["pass"] for r in rows))
    if all(sum(r["pass"] == p for r in rows) < 2 for p in passes):
        return None
    if section.group == "gemm":
        return _rate_figure(section, rows)
    return _relative_figure(section, rows, passes, against)


def _dot(ax, y: float, v: float, lo: float, hi: float, color: str, text: str, label: str | None = None) -> None:
    ax.plot([lo, hi], [y, y], color=color, lw=2.2, solid_capstyle="butt")
    ax.plot([v], [y], "o", ms=7, color=color, label=label)
    ax.annotate(text, (hi, y), xytext=(5, 0), textcoords="offset points", va="center", fontsize=LEGEND_SIZE)


def _limits(lows: list[float], highs: list[float], *, include: float | None = None) -> tuple[float, float]:
    """A scale that spans the values (and ``include``) with room on the right for the written values."""
    lo, hi = min(lows), max(highs)
    if include is not None:
        lo, hi = min(lo, include), max(hi, include)
    span = max(hi - lo, 0.02 * hi)
    return lo - 0.08 * span, hi + 0.45 * span


def _legend(fig, impls: list[str], colors: list[str], line_label: str) -> None:
    """Below the panels: a colour per implementation, what a dot's line spans, and the dashed line."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="", ms=7, color=colors[k % len(colors)]) for k in range(len(impls))]
    handles += [Line2D([], [], color="0.45", lw=2.2), Line2D([], [], color="0.3", ls="--", lw=1)]
    fig.legend(handles, [*impls, tr("middle half of the samples"), line_label], fontsize=LEGEND_SIZE,
               ncols=len(handles), loc="outside lower center", frameon=False)


def _relative_figure(section: RecordedSection, rows: list[dict[str, Any]], passes: list[str], against: str | None):
    import matplotlib.pyplot as plt

    from ..plotting import COLORS, use_style

    use_style()
    doc = section.run
    impls = list(dict.fromkeys(r["impl"] for r in rows))
    labels = list(dict.fromkeys(_label(r, len(impls) > 1) for r in rows))  # one line per (op, impl), first on top
    memory = _memory_rows(rows)
    ncols = len(passes) + (1 if memory else 0)
    height = 1.9 + 0.42 * len(labels)
    fig, axes = plt.subplots(1, ncols, figsize=(11 if ncols > 1 else 8, height), layout="constrained",
                             squeeze=False, width_ratios=[1.4] * len(passes) + ([0.8] if memory else []))
    axes = list(axes[0])
    found = relative_times(section, against)
    bounds = _limits([q1 for _, _, q1, _ in found], [q3 for _, _, _, q3 in found], include=1.0)
    _, ref_name = reference(section, passes[0], against)
    for ax, pass_ in zip(axes, passes):
        for r, v, lo, hi in found:
            if r["pass"] == pass_:
                y = labels.index(_label(r, len(impls) > 1))
                _dot(ax, y, v, lo, hi, COLORS[impls.index(r["impl"]) % len(COLORS)], f"{v:.2f}×")
        ax.axvline(1.0, color="0.3", ls="--", lw=1)
        ax.set_xlim(*bounds)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_yticks(range(len(labels)), labels if ax is axes[0] else [""] * len(labels), fontsize=LEGEND_SIZE)
        ax.set_title(tr(PANEL_TITLES.get(pass_, pass_)), fontsize=LEGEND_SIZE + 1)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="x", labelsize=LEGEND_SIZE)
        plain = ref_name == tr("the eager plain blocks' median ({names})", names=", ".join(PLAIN_FAMILY))
        ax.set_xlabel(tr("median time ÷ the eager plain\nblocks' median (same pass)") if plain else
                      tr("median time ÷ {name}'s\n(same pass)", name=ref_name), fontsize=LEGEND_SIZE)
    _legend(fig, impls, COLORS, tr("{name} = 1", name=ref_name))
    if memory:
        _memory_panel(axes[-1], memory, impls, COLORS, labels)
    fig.suptitle(tr("{title}: {device}", title=translate_text(section.title),
                    device=doc["provenance"]["device"]["name"]), fontsize=LEGEND_SIZE + 1)
    plt.close(fig)
    return fig


def _rate_figure(section: RecordedSection, rows: list[dict[str, Any]]):
    import matplotlib.pyplot as plt

    from ..plotting import COLORS, use_style

    use_style()
    doc = section.run
    impls = list(dict.fromkeys(r["impl"] for r in rows))
    labels = list(dict.fromkeys(_label(r, len(impls) > 1) for r in rows))
    fig, ax = plt.subplots(figsize=(8, 1.9 + 0.42 * len(labels)), layout="constrained")
    roof = flop_roof(doc) / 1e12
    found = []
    for r in rows:
        v = r["flop_rate"]["value"] / 1e12
        t = r["time"]
        found.append((r, v, v * t["median"] / t["q3"], v * t["median"] / t["q1"]))  # rate = work / time
    for r, v, lo, hi in found:
        _dot(ax, labels.index(_label(r, len(impls) > 1)), v, lo, hi, COLORS[impls.index(r["impl"]) % len(COLORS)], f"{v:.0f}")
    ax.axvline(roof, color="0.3", ls="--", lw=1)
    ax.set_xlim(*_limits([lo for _, _, lo, _ in found], [hi for _, _, _, hi in found], include=roof))
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_yticks(range(len(labels)), labels, fontsize=LEGEND_SIZE)
    ax.set_xlabel(tr("TFLOP/s of the matrix products"), fontsize=LEGEND_SIZE)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="x", labelsize=LEGEND_SIZE)
    _legend(fig, impls, COLORS, tr("fastest product sample, {rate} TFLOP/s", rate=f"{roof:.0f}"))
    fig.suptitle(tr("{title}: {device}", title=translate_text(section.title),
                    device=doc["provenance"]["device"]["name"]), fontsize=LEGEND_SIZE + 1)
    plt.close(fig)
    return fig


def _memory_panel(ax, memory: list[dict[str, Any]], impls: list[str], colors: list[str],
                  labels: list[str]) -> None:
    """Bars of GiB on the time panels' lines (``labels``: their order), from zero, each value written beside."""
    gib = [r["peak_memory"]["value"] / 2**30 for r in memory]
    ys = [labels.index(_label(r, len(impls) > 1)) for r in memory]
    ax.barh(ys, gib, color=[colors[impls.index(r["impl"]) % len(colors)] for r in memory])
    ax.set_yticks(range(len(labels)), [""] * len(labels))
    ax.set_ylim(len(labels) - 0.5, -0.5)  # the time panels' order, first on top
    for y, v in zip(ys, gib):
        ax.annotate(f"{v:.2f}", (v, y), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=LEGEND_SIZE)
    ax.set_xlim(0, max(gib) * 1.35)
    ax.set_xlabel(tr("GiB above the weights\nand the input"), fontsize=LEGEND_SIZE)
    ax.set_title(tr("peak memory of a step"), fontsize=LEGEND_SIZE + 1)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="x", labelsize=LEGEND_SIZE)


def display_png(fig) -> None:
    """Display a figure as a PNG without the matplotlib version in its metadata (stable outputs); skip None."""
    from IPython.display import Image, display

    if fig is not None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
        display(Image(data=buf.getvalue(), format="png"))


def show(section: RecordedSection) -> None:
    """Display the section's table (as :func:`ffn_lib.bench.recorded` does) with :func:`block_figure`."""
    from IPython.display import Markdown, display

    display(Markdown(section._repr_markdown_()))
    display_png(block_figure(section))
