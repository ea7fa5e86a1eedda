"""Checking, reading and writing the experiment's results documents, and showing the recorded ones.

Recorded runs live in the course's ``results/`` folder, one folder per run::

    results/lm-<gpu>-<date>/      e.g. results/lm-h200-2026-11-26/
        lm_results.json           the document below (validated against schema.json before it is written)
        lm_results.md             the table and the generated sentences, for reading on GitHub
        lm_curves.png             the learning curves

The file name differs from the benchmark's ``results.json`` on purpose: each reader
(``ffn_lib.bench`` and this module) finds only its own documents.

A results document (``lm_results.json``) is what :func:`~ffn_lib.lm.experiment.run_experiment`
returns. :func:`validate` checks it against ``schema.json`` and then checks what a
schema cannot: every (variant, seed) pair run or skipped exactly once, parameter
counts within 1% across variants, curves of equal length ending at the last step.

The summaries (:mod:`~ffn_lib.lm.analysis`), the statistics (:mod:`~ffn_lib.lm.stats`), the findings in
words and tables (:mod:`~ffn_lib.lm.findings`, :mod:`~ffn_lib.lm.verdict`) and the figures
(:mod:`~ffn_lib.lm.figures`, :mod:`~ffn_lib.lm.stat_figures`) have modules of their own; the summaries'
and findings' names are re-exported here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..bench.report import check_schema, default_results_dir
from ..i18n import tr
from .analysis import VariantSummary, curve_offset, ranking, spearman, still_improving, summarize  # noqa: F401
from .figures import plot_curves  # noqa: F401 (re-exported)
from .findings import describe_run, markdown_report, run_section, sentences, table_markdown  # noqa: F401

MATCH_TOLERANCE = 0.01  # every variant's total parameters within 1% of every other's
RESULTS_FILE = "lm_results.json"
RESULTS_GLOB = f"lm-*/{RESULTS_FILE}"


# --- Checking ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads(Path(__file__).with_name("schema.json").read_text())


def _consistency_problems(doc: dict[str, Any]) -> list[str]:
    """What a JSON schema cannot check."""
    problems = []
    config = doc["config"]
    variants, seeds = config["variants"], config["seeds"]
    grid = {(v, s) for v in variants for s in seeds}
    seen: dict[tuple[str, int], str] = {}
    for kind in ("runs", "skipped"):
        for r in doc[kind]:
            key = (r["variant"], r["seed"])
            if key not in grid:
                problems.append(f"{kind}: {key} is not in the configured variants x seeds")
            elif key in seen:
                problems.append(f"{kind}: {key} appears twice (also in {seen[key]})")
            seen[key] = kind
    missing = sorted(grid - seen.keys())
    if missing:
        problems.append(f"runs: {len(missing)} (variant, seed) pairs are neither run nor skipped, e.g. {missing[0]}")
    table = {p["variant"]: p for p in doc["params"]}
    if sorted(table) != sorted(variants):
        problems.append(f"params: lists {sorted(table)}, expected the configured variants {sorted(variants)}")
    counts = [p["params"] for p in doc["params"]]
    if counts and max(counts) > (1 + MATCH_TOLERANCE) * min(counts):
        problems.append(f"params: totals from {min(counts):,} to {max(counts):,} differ by more than "
                        f"{MATCH_TOLERANCE:.0%}: the variants are not parameter-matched")
    steps = config["train"]["steps"]
    for r in doc["runs"]:
        where = f"run {r['variant']} seed {r['seed']}"
        if r["variant"] in table and (r["params"], r["d_ff"]) != (table[r["variant"]]["params"],
                                                                  table[r["variant"]]["d_ff"]):
            problems.append(f"{where}: params/d_ff differ from the params table")
        n = len(r["curve_steps"])
        if not (len(r["curve_val_loss"]) == len(r["train_loss"]) == n):
            problems.append(f"{where}: curve_steps, curve_val_loss and train_loss differ in length")
        if any(b <= a for a, b in zip(r["curve_steps"], r["curve_steps"][1:])) or r["curve_steps"][-1] != steps:
            problems.append(f"{where}: curve_steps must increase and end at the last step ({steps})")
        if doc["provenance"]["device"]["type"] == "cuda" and r["peak_memory_bytes"] is None:
            problems.append(f"{where}: a CUDA run must record its peak memory")
    curves = {tuple(r["curve_steps"]) for r in doc["runs"]}
    if len(curves) > 1:
        problems.append("runs: the learning curves were evaluated at different steps")
    if doc["provenance"]["device"]["type"] == "cuda" and not doc["provenance"]["cuda"]:
        problems.append("provenance: a CUDA run must record the CUDA version")
    return problems


def validate(doc: Any, where: str = "results") -> dict[str, Any]:
    """Check a results document; ``ValueError`` says what is wrong and where."""
    check_schema(doc, schema(), where)
    problems = _consistency_problems(doc)
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    return doc


# --- Reading ------------------------------------------------------------------------------------------


def results_files(folder: str | Path | None = None) -> list[Path]:
    """Every ``results/lm-*/lm_results.json``."""
    folder = Path(folder) if folder is not None else default_results_dir()
    return sorted(folder.glob(RESULTS_GLOB)) if folder.is_dir() else []


def load_runs(folder: str | Path | None = None, *, device_type: str | None = None) -> list[dict[str, Any]]:
    """Every recorded experiment under ``folder``, oldest first; ``device_type="cuda"`` keeps GPU runs.

    Not validated on read (no jsonschema needed): validated when written, and every committed one by the tests.
    """
    docs = []
    for path in results_files(folder):
        doc = json.loads(path.read_text())
        if device_type is None or doc["provenance"]["device"]["type"] == device_type:
            docs.append({**doc, "path": str(path)})
    return sorted(docs, key=lambda d: d["provenance"]["date"])


# --- Writing and showing -------------------------------------------------------------------------------


def write_outputs(doc: dict[str, Any], out: str | Path) -> dict[str, Path]:
    """``lm_results.json``, ``lm_results.md`` and ``lm_curves.png`` in ``out``.

    The numbers are written first, then validated (:func:`ffn_lib.bench.report.validate_written`): an invalid
    document is kept as ``lm_results.invalid.json`` (not read by the chapter), and a ``ValueError`` says why.
    """
    import matplotlib.pyplot as plt

    from ..bench.report import validate_written

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / RESULTS_FILE, "md": out / "lm_results.md", "png": out / "lm_curves.png"}
    side = out / "lm_results.invalid.json"
    side.write_text(json.dumps(doc, indent=1) + "\n")  # a finished run's numbers are on disk before any check
    try:
        print(validate_written(doc, str(paths["json"]), validate))
    except ValueError as err:
        raise ValueError(f"{err} (the numbers are kept in {side})") from None
    side.replace(paths["json"])
    paths["md"].write_text(markdown_report(doc))
    ax = plot_curves(doc)
    ax.figure.savefig(paths["png"], metadata={"Software": None})
    plt.close(ax.figure)
    return paths


class Recorded:
    """The recorded GPU experiments, ready to show in the chapter; one short line when there is none."""

    def __init__(self, docs: list[dict[str, Any]]):
        self.docs = docs

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.docs[-1] if self.docs else None

    def _repr_markdown_(self) -> str:
        if not self.docs:
            return tr("*No recorded GPU run of this experiment yet: the GPU-scale run is pending (`python -m "
                      "ffn_lib.lm --gpu --out results/lm-<gpu>-<date>`).*")
        doc = self.latest
        return (tr("**Recorded GPU run:** {run}.", run=describe_run(doc)) + f"\n\n{table_markdown(doc)}\n"
                + "\n".join(f"- {s}" for s in sentences(doc)))

    def __str__(self) -> str:
        return self._repr_markdown_()


def recorded(folder: str | Path | None = None) -> Recorded:
    """Every recorded GPU experiment under ``results/lm-*/`` (validated)."""
    return Recorded(load_runs(folder, device_type="cuda"))
