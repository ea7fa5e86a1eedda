"""One compact table of recorded act·mul rows: a row per (gate, implementation), a column per pass.

A recorded run has a row per (gate, implementation, pass); a chapter shows them pivoted, so that three passes
of one gate and implementation read across one line::

    | gate | implementation | forward | backward | both |
    | SiLU | eager          | 58%     | 61%      | 60%  |

The cells are one quantity of :func:`ffn_lib.bench.report.value` (share of the copy bandwidth by default),
read from the latest recorded GPU run the way :func:`ffn_lib.bench.recorded` reads it. The full rows, with
times and quartiles, stay on the GPU-results page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from ..formatting import format_time
from ..i18n import N_, tr, translate_text
from .report import GPU_RESULTS_PAGE, IMPLS, LEGEND, NO_RUN, _list, above_copy_note, caption, load_runs, select

PASSES = {"forward": N_("forward"), "backward": N_("backward"), "forward+backward": N_("both")}
GATE_NAMES = {"relu": "ReLU", "sigmoid": "sigmoid", "silu": "SiLU", "swish": "Swish", "gelu_tanh": N_("tanh GELU"),
              "gelu": "GELU (erf)", "identity": N_("identity")}
WHAT = {"copy_share": N_("share of the copy bandwidth"), "time": N_("median time"),
        "bandwidth": N_("bandwidth (least traffic over time)")}
AXIS = {"copy_share": N_("share of copy bandwidth"), "time": N_("median time (µs)"), "bandwidth": "TB/s"}
_QUANTITY_KEYS = ("copy_share", "time", "bandwidth")


def _cell(r: dict[str, Any] | None, quantity: str) -> float | None:
    if r is None:
        return None
    if quantity == "time":
        return r["time"]["median"]
    q = r.get(quantity)
    return None if q is None else q["value"]


class ActMulPivot:
    """The pivot of one run's act·mul rows (``ops`` and ``impls`` in the order asked, or as run)."""

    def __init__(self, run: dict[str, Any] | None, ops: Iterable[str] | None = None,
                 impls: Iterable[str] | None = None, *, quantity: str = "copy_share", title: str = "",
                 page: str | None = GPU_RESULTS_PAGE):
        if quantity not in _QUANTITY_KEYS:
            raise ValueError(f"quantity must be one of {', '.join(_QUANTITY_KEYS)}; got {quantity!r}.")
        self.run, self.quantity, self.title, self.page = run, quantity, title, page
        rows = select(run, group="act_mul") if run is not None else []
        self.ops = list(ops) if ops is not None else list(dict.fromkeys(r["op"] for r in rows))
        self.impls = list(impls) if impls is not None else list(dict.fromkeys(r["impl"] for r in rows))
        self._rows = {(r["op"], r["impl"], r["pass"]): r for r in rows}

    def value(self, op: str, impl: str, pass_: str) -> float | None:
        """One cell: ``quantity`` of the row (op, impl, pass), or None where the run has no such row."""
        if pass_ not in PASSES:
            raise ValueError(f"pass_ must be one of {', '.join(PASSES)}; got {pass_!r}.")
        return _cell(self._rows.get((op, impl, pass_)), self.quantity)

    def lines(self) -> list[tuple[str, str, list[float | None]]]:
        """(op, impl, [forward, backward, both]) for every pair the run measured, gates first."""
        out = []
        for op in self.ops:
            for impl in self.impls:
                cells = [self.value(op, impl, p) for p in PASSES]
                if any(c is not None for c in cells):
                    out.append((op, impl, cells))
        return out

    def _fmt(self, v: float | None) -> str:
        if v is None:
            return "–"
        if self.quantity == "copy_share":
            return f"{v:.0%}"
        if self.quantity == "time":
            return format_time(v)
        return f"{v / 1e12:.2f} TB/s"

    def markdown(self) -> str:
        """The pivot as Markdown: a caption naming the run, the table, the implementations explained."""
        if self.run is None:
            return tr(NO_RUN)
        lines = self.lines()
        if not lines:
            return tr("The recorded run measured none of {title}.",
                      title=translate_text(self.title) if self.title else tr("these gates"))
        what = tr(WHAT[self.quantity])
        title = tr("{title}, {what}", title=translate_text(self.title), what=what) if self.title else what
        head = caption(title, self.run, copy=self.quantity == "copy_share", page=self.page)
        table = ["| " + " | ".join([tr("gate"), tr("implementation"), *map(tr, PASSES.values())]) + " |",
                 "|---|---|---:|---:|---:|"]
        for op, impl, cells in lines:
            table.append(f"| {tr(GATE_NAMES.get(op, op))} | {impl} | " + " | ".join(map(self._fmt, cells)) + " |")
        impls = dict.fromkeys(impl for _, impl, _ in lines)
        legend = _list(tr("{impl}: {meaning}", impl=i, meaning=tr(IMPLS[i])) if i in IMPLS else i for i in impls)
        notes = ["*" + tr(LEGEND, legend=legend) + "*"]
        if self.quantity == "copy_share" and any(c is not None and c > 1 for _, _, cells in lines for c in cells):
            note = tr("A share is the least traffic the pass needs over the copy bandwidth measured in the same "
                      "run; a little above 100% means the op streamed slightly better than that copy (the suite's "
                      "self-check fails any above 105%).")
            notes.append(above_copy_note(note, self.page))
        return "\n\n".join([head, "\n".join(table), *notes])

    _repr_markdown_ = markdown

    def __str__(self) -> str:
        return self.markdown()

    def figure(self):
        """Dots, one panel per pass: a gate per column, an implementation per colour, the copy roof dashed.
        None without a run."""
        import matplotlib.pyplot as plt
        import numpy as np

        from ..plotting import impl_color, use_style

        lines = self.lines()
        if self.run is None or not lines:
            return None
        use_style()
        ops = list(dict.fromkeys(op for op, _, _ in lines))
        impls = list(dict.fromkeys(impl for _, impl, _ in lines))
        scale = 1.0 if self.quantity == "copy_share" else 1e-6 if self.quantity == "time" else 1e12
        fig, axes = plt.subplots(1, len(PASSES), figsize=(11, 3.6), layout="constrained", sharey=True)
        offsets = (np.arange(len(impls)) - (len(impls) - 1) / 2) * 0.12
        for ax, (pass_, label) in zip(axes, PASSES.items()):
            for k, impl in enumerate(impls):
                xs, ys = [], []
                for j, op in enumerate(ops):
                    v = self.value(op, impl, pass_)
                    if v is not None:
                        xs.append(j + offsets[k])
                        ys.append(v / scale)
                ax.plot(xs, ys, "o", ms=7, color=impl_color(impl), label=impl)
            if self.quantity == "copy_share":
                ax.axhline(1.0, color="0.3", ls="--", lw=1, label=tr("copy bandwidth"))
            ax.set_xticks(range(len(ops)), [tr(GATE_NAMES.get(op, op)) for op in ops],
                          rotation=30 if len(ops) > 3 else 0, ha="right" if len(ops) > 3 else "center")
            ax.set_xlim(-0.5, len(ops) - 0.5)
            ax.set_title(tr(label))
            ax.grid(axis="x", visible=False)
        axes[0].set_ylabel(tr(AXIS[self.quantity]))
        if self.quantity == "copy_share":
            axes[0].set_ylim(0, max(1.1, axes[0].get_ylim()[1]))
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize=10, frameon=False)
        device = self.run["provenance"]["device"]["name"]
        fig.suptitle(tr("{title}: {device}", title=translate_text(self.title), device=device) if self.title else device,
                     fontsize=11)
        plt.close(fig)
        return fig

    def _ipython_display_(self) -> None:
        from IPython.display import Markdown, display

        from .block_figure import display_png

        display(Markdown(self.markdown()))
        display_png(self.figure())


def act_mul_pivot(ops: Iterable[str] | None = None, impls: Iterable[str] | None = None, *,
                  quantity: str = "copy_share", title: str = "", run: dict[str, Any] | None = None,
                  folder: str | Path | None = None, page: str | None = GPU_RESULTS_PAGE) -> ActMulPivot:
    """The latest recorded GPU run's act·mul rows as one compact pivot (see :class:`ActMulPivot`).

    ``run``: a run already read (default: the latest under ``results/``, as :func:`recorded` reads them);
    ``page``: where its caption links for the rest (None on the GPU results page itself).
    """
    if run is None:
        runs = load_runs(folder, device_type="cuda")
        run = runs[-1] if runs else None
    return ActMulPivot(run, ops, impls, quantity=quantity, title=title, page=page)
