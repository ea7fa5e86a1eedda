"""Reading, checking and showing recorded benchmark runs (``results/**/results.json``)."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..timing import format_rate, format_time

RESULTS_ENV = "FFN_LIB_RESULTS"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("schema.json")).read_text())


def validate(doc: Any, where: str = "results") -> dict[str, Any]:
    """Check a results document against the schema; ``ValueError`` says what is wrong and where."""
    import jsonschema

    try:
        jsonschema.validate(doc, schema(), format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError as err:
        path = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ValueError(f"{where}: {err.message} at {path}") from None
    return doc


def default_results_dir() -> Path:
    """``$FFN_LIB_RESULTS``, else the ``results/`` folder of the course checkout around the working directory."""
    if os.environ.get(RESULTS_ENV):
        return Path(os.environ[RESULTS_ENV])
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "_config.yml").exists() and (folder / "ffn_lib").is_dir():
            return folder / "results"
    return Path(__file__).resolve().parents[2] / "results"


def load_runs(folder: str | Path | None = None, *, device_type: str | None = None) -> list[dict[str, Any]]:
    """Every recorded run under ``folder`` (validated), oldest first; ``device_type="cuda"`` keeps GPU runs.

    Each run gets a ``"path"`` entry naming its file.
    """
    folder = Path(folder) if folder is not None else default_results_dir()
    runs = []
    for path in sorted(folder.glob("**/results.json")) if folder.is_dir() else []:
        doc = validate(json.loads(path.read_text()), str(path))
        if device_type is None or doc["provenance"]["device"]["type"] == device_type:
            runs.append({**doc, "path": str(path)})
    return sorted(runs, key=lambda d: d["provenance"]["date"])


def select(doc: dict[str, Any], *, group: str | None = None, ops: Iterable[str] | None = None,
           pass_: str | None = None, impl: str | None = None) -> list[dict[str, Any]]:
    """The result rows of one run matching every given filter."""
    ops = set(ops) if ops is not None else None
    return [r for r in doc["results"]
            if (group is None or r["group"] == group) and (ops is None or r["op"] in ops)
            and (pass_ is None or r["pass"] == pass_) and (impl is None or r["impl"] == impl)]


def describe_run(doc: dict[str, Any]) -> str:
    p = doc["provenance"]
    c = doc["config"]
    return (f"{p['device']['name']}, {c['dtype']}, torch {p['torch']}, Triton {p['triton'] or 'absent'}, "
            f"{p['date'][:10]}; `{p['command']}`; copy bandwidth measured in the same run "
            f"{format_rate(doc['reference']['copy_bandwidth']['value'], 'B/s')}")


def _cell(q: dict[str, Any] | None, kind: str) -> str:
    if q is None:
        return "–"
    v = q["value"]
    if kind == "share":
        return f"{v:.0%}"
    if kind == "time":
        return format_time(v)
    return format_rate(v, q["unit"]) if kind == "rate" else f"{v / 2**20:.0f} MiB"


def rows_markdown(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of result rows: op, impl, pass, time, bandwidth, share of copy, FLOP rate, peak memory."""
    lines = ["| op | impl | pass | median time | bandwidth | share of copy | FLOP/s | peak memory |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['op']} | {r['impl']} | {r['pass']} | {_cell(r['time'] | {'value': r['time']['median']}, 'time')} "
                     f"| {_cell(r['bandwidth'], 'rate')} | {_cell(r['copy_share'], 'share')} "
                     f"| {_cell(r['flop_rate'], 'rate')} | {_cell(r['peak_memory'], 'mem')} |")
    return "\n".join(lines) + "\n"


def markdown_table(doc: dict[str, Any]) -> str:
    """The whole run as Markdown: provenance, then one table per group."""
    c = doc["config"]
    parts = [f"# ffn_lib.bench: {doc['provenance']['device']['name']}\n",
             f"{describe_run(doc)}.\n",
             f"Sizes: {c['tokens']} tokens, d_model {c['d_model']}; elementwise ops on {c['tokens']} x {c['d_ff_act']}; "
             f"blocks with d_ff {c['d_ff_plain']} (plain) / {c['d_ff_gated']} (gated, parameter-matched).\n"]
    titles = {"activation": "Activations alone", "act_mul": "Gated act(g) * u", "block": "Whole FFN blocks"}
    for group, title in titles.items():
        rows = select(doc, group=group)
        if rows:
            parts.append(f"## {title}\n\n{rows_markdown(rows)}")
    if any(r["copy_share"] and r["copy_share"]["value"] > 1 for r in doc["results"]):
        parts.append("Shares above 100% mean the tensors fit in a cache; the copy bandwidth is measured on "
                     "tensors too large for any cache, so it is the ceiling for data that lives in main memory.\n")
    for s in doc["skipped"]:
        parts.append(f"- Skipped {s['what']}: {s['why']}.\n")
    return "\n".join(parts)


def plot_run(doc: dict[str, Any]):
    """Two panels: the gated step's share of copy bandwidth per implementation, and block throughput."""
    import matplotlib.pyplot as plt
    import numpy as np

    from ..plotting import COLORS, use_style

    use_style()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    act_rows = select(doc, group="act_mul")
    ops = list(dict.fromkeys(r["op"] for r in act_rows))
    keys = list(dict.fromkeys((r["impl"], r["pass"]) for r in act_rows if r["pass"] != "forward+backward"))
    width = 0.8 / max(len(keys), 1)
    for k, (impl, pass_) in enumerate(keys):
        vals = [next((r["copy_share"]["value"] for r in act_rows
                      if r["op"] == op and r["impl"] == impl and r["pass"] == pass_), np.nan) for op in ops]
        ax1.bar(np.arange(len(ops)) + k * width, vals, width, label=f"{impl} {pass_}", color=COLORS[k % len(COLORS)])
    ax1.axhline(0.9, color="0.3", ls="--", lw=1, label="90% of copy")
    ax1.set_xticks(np.arange(len(ops)) + 0.4 - width / 2, ops, rotation=20)
    ax1.set(ylabel="share of measured copy bandwidth", title="act(g) * u", ylim=(0, 1.1))
    ax1.legend(fontsize=7)
    block_rows = select(doc, group="block", pass_="forward+backward")
    labels = [f"{r['op']}{' (fused)' if r['impl'] == 'fused' else ''}" for r in block_rows]
    ax2.bar(range(len(block_rows)), [r["flop_rate"]["value"] / 1e12 for r in block_rows],
            color=[COLORS[i % len(COLORS)] for i in range(len(block_rows))])
    ax2.set_xticks(range(len(block_rows)), labels, rotation=35, ha="right")
    ax2.set(ylabel="TFLOP/s (matrix products)", title="FFN blocks, forward + backward")
    fig.suptitle(f"{doc['provenance']['device']['name']}, {doc['config']['dtype']}", fontsize=10)
    return fig


class RecordedSection:
    """Recorded GPU results for some operations, as Markdown; or a clear note that none exist."""

    def __init__(self, runs: list[dict[str, Any]], group: str, ops: Iterable[str] | None, title: str):
        self.runs, self.group, self.ops, self.title = runs, group, list(ops) if ops is not None else None, title

    def rows(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        return select(doc, group=self.group, ops=self.ops)

    def _repr_markdown_(self) -> str:
        if not self.runs:
            return (f"**No recorded GPU run yet** for {self.title}. Nothing is shown rather than a number that "
                    "was not measured. To record one on a CUDA machine: `python -m ffn_lib.bench --out "
                    "results/<gpu>-<date>`, then commit the folder; this section reads it from `results/`.")
        parts = []
        for doc in self.runs:
            parts.append(f"**{self.title}, recorded on {describe_run(doc)}.**\n\n{rows_markdown(self.rows(doc))}")
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self._repr_markdown_()

    def figure(self):
        """A bar chart of the latest recorded run's rows (share of copy bandwidth, or TFLOP/s for blocks);
        None when no run is recorded, so that a chapter shows nothing rather than an empty plot."""
        if not self.runs:
            return None
        import matplotlib.pyplot as plt

        from ..plotting import bars

        doc = self.runs[-1]
        rows = self.rows(doc)
        if not rows:
            return None
        labels = [f"{r['op']} {r['impl']} {r['pass']}".replace("forward+backward", "f+b") for r in rows]
        fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(rows)), 3.8), layout="constrained")
        if self.group == "block":
            bars(labels, [r["flop_rate"]["value"] / 1e12 for r in rows], ax=ax, ylabel="TFLOP/s",
                 title=f"{self.title}: {doc['provenance']['device']['name']}", annotate="{:.0f}")
        else:
            bars(labels, [r["copy_share"]["value"] for r in rows], ax=ax, ylabel="share of copy bandwidth",
                 title=f"{self.title}: {doc['provenance']['device']['name']}", annotate="{:.0%}")
            ax.axhline(0.9, color="0.3", ls="--", lw=1)
        plt.close(fig)  # shown once, as the cell's value, not again by the inline backend
        return fig


def recorded(group: str, ops: Iterable[str] | None = None, *, title: str = "these operations",
             folder: str | Path | None = None) -> RecordedSection:
    """The recorded GPU runs' rows for ``group`` (and ``ops``), ready to display in a chapter."""
    return RecordedSection(load_runs(folder, device_type="cuda"), group, ops, title)
