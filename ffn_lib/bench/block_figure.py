"""The recorded block figure: matrix-product rate of a training step, and its peak memory, legible.

:meth:`ffn_lib.bench.report.RecordedSection.figure` draws the same two panels; this version keeps the
memory panel's title inside its canvas (short title, the unit on the axis), draws the memory bars
horizontally so that long block names never overlap, writes each value beside its bar, and uses a
legend at the text size. ``show(section)`` displays the section's table with this figure.
"""

from __future__ import annotations

import io
from typing import Any

from .report import RecordedSection, flop_roof, plot_rows

LEGEND_SIZE = 10


def block_figure(section: RecordedSection):
    """The section's rows (group ``block`` or ``gemm``): TFLOP/s per op and implementation, and where the rows
    have it, a second panel of peak memory above the weights and the input (GiB); None without rows."""
    import matplotlib.pyplot as plt

    from ..plotting import COLORS, use_style

    rows = section.rows()
    if not rows:
        return None
    use_style()
    doc = section.run
    memory = [r for r in rows if r.get("peak_memory")]
    fig, axes = plt.subplots(1, 2 if memory else 1, figsize=(11, 4.2), layout="constrained", squeeze=False,
                             width_ratios=[1.5, 1] if memory else None)
    ax = plot_rows(doc, rows, section.group, title=f"{section.title}: {doc['provenance']['device']['name']}",
                   ax=axes[0, 0])
    roof = flop_roof(doc) / 1e12
    for line in ax.get_lines():  # name the roof for what it is
        if line.get_label().startswith("matrix-product roof"):
            line.set_label(f"fastest product sample, {roof:.0f} TFLOP/s")
    ax.legend(fontsize=LEGEND_SIZE, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), borderaxespad=0.2,
              frameon=False)
    ax.tick_params(axis="x", labelsize=LEGEND_SIZE)
    ax.set_title(ax.get_title(), pad=30)  # room for the larger legend
    if memory:
        _memory_panel(axes[0, 1], memory, COLORS)
    plt.close(fig)
    return fig


def _memory_panel(ax, memory: list[dict[str, Any]], colors: list[str]) -> None:
    impls = list(dict.fromkeys(r["impl"] for r in memory))
    gib = [r["peak_memory"]["value"] / 2**30 for r in memory]
    ys = range(len(memory))[::-1]  # first row on top
    ax.barh(list(ys), gib, color=[colors[impls.index(r["impl"]) % len(colors)] for r in memory])
    ax.set_yticks(list(ys), [f"{r['op']}, {r['impl']}" for r in memory], fontsize=LEGEND_SIZE)
    for y, v in zip(ys, gib):
        ax.annotate(f"{v:.2f}", (v, y), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=LEGEND_SIZE)
    ax.set_xlim(0, max(gib) * 1.2)
    ax.set(xlabel="GiB above the weights and the input", title="peak memory, one training step")
    ax.grid(axis="y", visible=False)


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
