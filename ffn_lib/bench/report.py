"""Reading, checking and showing recorded benchmark runs (``results/*/results.json``).

* :func:`load_runs`, :func:`latest_run`: the recorded runs (validated against ``schema.json``);
* :func:`select`, :func:`row`, :func:`value`: the numbers, for sentences generated from them;
* :func:`self_checks`: what a trustworthy run must satisfy (no rate above the same-run
  matrix-product roof by more than 5%, no share of copy bandwidth above 105% for a
  working set larger than the cache);
* :func:`recorded`: one display object for a chapter, a table and a figure.
"""

from __future__ import annotations

import io
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from ..i18n import N_, end_sentence, join_sentences, quoted_original, tr, translate_text
from ..timing import format_rate, format_time
from .rows import PASS_NAMES, flop_roof, select  # noqa: F401 (re-exported: the suite's readers import them here)

RESULTS_ENV = "FFN_LIB_RESULTS"
TOLERANCE = 0.05  # a rate may exceed its roof by this much (timer noise, clock drift) before a check fails
NO_RUN = N_("No recorded GPU run yet; see the GPU results page.")
GPU_RESULTS_PAGE = "../book/gpu-results.md"  # from a chapter (notebooks/), where the sections are shown

# What each implementation in a recorded run is: the one place these names are explained to a reader.
IMPLS = {
    "eager": N_("PyTorch as usually written, one kernel per operation"),
    "compile": N_("`torch.compile` of that code, compiled fresh"),
    "compile_cat": N_("the same on one `[gate | up]` tensor"),
    "fused": N_("the course's Triton kernel, `kernels.act_mul`"),
    "fused_cat": N_("the same kernel on one `[gate | up]` tensor, `kernels.act_mul_cat`"),
    "liger": N_("Liger-Kernel's fused op"),
    "floor": N_("a Python `autograd.Function` that launches nothing"),
}
BLOCK_IMPLS = {"eager": N_("the block as written, PyTorch's kernels"),
               "fused": N_("`GatedFFN(fused=True)`, its activation step by the course's Triton kernel")}
# The suite's names for the products it times alone (bench/cases.py), marked so that a table can translate them.
GEMM_NAMES = (N_("square"), N_("gate and up, two GEMMs"), N_("gate_up, one GEMM"), N_("down"))
QUANTITIES = ("copy_share", "time", "bandwidth", "flop_rate", "peak_memory", "host_time", "latency")
SEPARATOR = N_("; ")  # between the clauses of a list ("eager: ...; fused: ...")
LEGEND = N_("{legend}.")  # the list of implementations under a table, ended as the reader's language ends it


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads((Path(__file__).with_name("schema.json")).read_text())


def check_schema(doc: Any, against: dict[str, Any], where: str) -> dict[str, Any]:
    """Validate ``doc`` against a JSON schema; ``ValueError`` says what is wrong and where (any recorded file).

    Needs ``jsonschema``: used when a run is written, by the tests and in CI; reading a recorded run does not
    validate it (a machine without jsonschema, such as the lent GPU machine, still reads every chapter's runs).
    """
    import jsonschema

    try:
        jsonschema.validate(doc, against, format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError as err:
        path = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ValueError(f"{where}: {err.message} at {path}") from None
    return doc


def validate(doc: Any, where: str = "results") -> dict[str, Any]:
    """Check a results document against the schema; ``ValueError`` says what is wrong and where."""
    return check_schema(doc, schema(), where)


def validate_written(doc: Any, where: str, check=validate) -> str:
    """After a run is written: validate it with ``check`` and say so in one line, or say why it was not
    (no ``jsonschema`` here: the tests validate every committed run). ``ValueError`` if it is invalid."""
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return f"{where}: written, not validated here (no jsonschema); the tests validate it once committed"
    check(doc, where)
    return f"{where}: written and valid"


def default_results_dir() -> Path:
    """``$FFN_LIB_RESULTS``, else the ``results/`` folder of the course checkout around the working directory."""
    if os.environ.get(RESULTS_ENV):
        return Path(os.environ[RESULTS_ENV])
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "_config.yml").exists() and (folder / "ffn_lib").is_dir():
            return folder / "results"
    return Path(__file__).resolve().parents[2] / "results"


def load_runs(folder: str | Path | None = None, *, device_type: str | None = None) -> list[dict[str, Any]]:
    """Every recorded run ``folder/*/results.json``, oldest first; ``device_type="cuda"`` keeps GPU runs.

    Each run gets a ``"path"`` entry naming its file. Not validated on read (no jsonschema needed): runs are
    validated when written, and every committed one by tests/test_bench.py.
    """
    folder = Path(folder) if folder is not None else default_results_dir()
    runs = []
    for path in sorted(folder.glob("*/results.json")) if folder.is_dir() else []:
        doc = json.loads(path.read_text())
        if not is_bench_run(doc):
            continue  # another tool's results.json (the language-model runs, say)
        _check_readable(doc, path)
        if device_type is None or doc["provenance"]["device"]["type"] == device_type:
            runs.append({**doc, "path": str(path)})
    return sorted(runs, key=lambda d: d["provenance"]["date"])


def _check_readable(doc: dict[str, Any], path: Path) -> None:
    """What reading needs (no jsonschema): the fields load_runs sorts and filters on and the rows; ``ValueError``
    naming the file otherwise. The full check is :func:`validate`, run when a run is written and by the tests."""
    prov = doc.get("provenance", {})
    for key, ok in (("provenance.date", isinstance(prov.get("date"), str)),
                    ("provenance.device.type", isinstance(prov.get("device", {}).get("type"), str)),
                    ("results", isinstance(doc.get("results"), list))):
        if not ok:
            raise ValueError(f"{path}: not a complete run of the suite (no {key}); `python -m ffn_lib.bench` "
                             "writes one, and tests/test_bench.py validates every committed run.")


def is_bench_run(doc: Any) -> bool:
    """Whether a JSON document claims to be a run of this suite (it is then validated in full)."""
    command = doc.get("provenance", {}).get("command", "") if isinstance(doc, dict) else ""
    return isinstance(command, str) and command.startswith("python -m ffn_lib.bench")


def latest_run(folder: str | Path | None = None, *, device_type: str | None = "cuda") -> dict[str, Any] | None:
    """The most recent recorded run (a GPU run by default), or None."""
    runs = load_runs(folder, device_type=device_type)
    return runs[-1] if runs else None


def row(doc: dict[str, Any], group: str, op: str, impl: str, pass_: str) -> dict[str, Any] | None:
    """The one row of ``doc`` for (group, op, impl, pass), or None."""
    rows = select(doc, group=group, ops=[op], impl=impl, pass_=pass_)
    return rows[0] if rows else None


def _number(r: dict[str, Any], quantity: str) -> float | None:
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}; got {quantity!r}.")
    if quantity == "time":
        return r["time"]["median"]
    q = r.get(quantity)
    return None if q is None else q["value"]


def value(group: str, op: str, impl: str, pass_: str, quantity: str = "copy_share", *,
          run: dict[str, Any] | None = None, folder: str | Path | None = None) -> float | None:
    """One recorded number: ``quantity`` (``copy_share``, ``time`` (median, s), ``flop_rate``, ``bandwidth``,
    ``peak_memory``, ``host_time``, ``latency``) of a row of ``run`` (default: the latest GPU run).

    None when there is no run or no such row, so a chapter can write its sentence only when the number exists.
    """
    doc = run if run is not None else latest_run(folder)
    if doc is None:
        return None
    r = row(doc, group, op, impl, pass_)
    return None if r is None else _number(r, quantity)


# --- Self-checks -----------------------------------------------------------------------------------


def self_checks(doc: dict[str, Any]) -> dict[str, Any]:
    """What a trustworthy run satisfies; returns ``{"passed", "failures", "flop_roof", "cache_bytes", "checked"}``.

    * no FLOP rate (outside the roof's own matrix products) above the run's roof by more than 5%;
    * no share of copy bandwidth above 105% where the bytes moved exceed the cache (L2 on a GPU,
      the last-level cache on a CPU): such a working set cannot come from the cache.
    """
    roof = flop_roof(doc)
    cache = (doc["reference"].get("cache_bytes") or {}).get("value")
    failures, flops_checked, shares_checked = [], 0, 0
    for r in doc["results"]:
        name = f"{r['group']} {r['op']} {r['impl']} {r['pass']}"
        if r["flop_rate"] and r["group"] != "gemm":
            flops_checked += 1
            if r["flop_rate"]["value"] > (1 + TOLERANCE) * roof:
                failures.append(f"{name}: {format_rate(r['flop_rate']['value'], 'FLOP/s')} is above the same-run "
                                f"matrix-product roof {format_rate(roof, 'FLOP/s')} by more than {TOLERANCE:.0%}")
        if r["copy_share"] and r["bytes"] and cache and r["bytes"]["value"] > cache:
            shares_checked += 1
            if r["copy_share"]["value"] > 1 + TOLERANCE:
                failures.append(f"{name}: {r['copy_share']['value']:.0%} of the copy bandwidth with "
                                f"{r['bytes']['value'] / 2**20:.0f} MiB moved, more than the cache holds")
    return {"passed": not failures, "failures": failures,
            "flop_roof": {"value": float(roof), "unit": "FLOP/s"},
            "cache_bytes": None if cache is None else {"value": float(cache), "unit": "B"},
            "checked": {"flop_rate": flops_checked, "copy_share": shares_checked}}


# --- Text -----------------------------------------------------------------------------------------

SHORT_DTYPES = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "float64": "fp64"}


def _list(items: Iterable[str]) -> str:
    """Clauses of a list joined as the reader's language joins them (``"; "``, "；")."""
    return tr(SEPARATOR).join(items)


def describe_run(doc: dict[str, Any]) -> str:
    """The run's full provenance in one line (the GPU results page): device, dtype, versions, date, command, copy
    bandwidth. A chapter shows :func:`provenance` instead and links here."""
    p = doc["provenance"]
    c = doc["config"]
    return tr("{device}, {dtype}, torch {torch}, Triton {triton}, {date}; `{command}`; copy bandwidth measured in "
              "the same run {bandwidth}", device=p["device"]["name"], dtype=c["dtype"], torch=p["torch"],
              triton=p["triton"] or tr("absent"), date=p["date"][:10], command=p["command"],
              bandwidth=format_rate(doc["reference"]["copy_bandwidth"]["value"], "B/s"))


def short_device(name: str) -> str:
    """A GPU's name without its vendor: "NVIDIA H200" -> "H200", "AMD Instinct MI300X" -> "Instinct MI300X"."""
    for vendor in ("NVIDIA ", "AMD "):
        if name.startswith(vendor):
            return name[len(vendor):]
    return name


def provenance(doc: dict[str, Any], *, copy: bool = False) -> str:
    """The short provenance a chapter's table carries: "recorded on H200, bf16, 2026-11-26", with the run's copy
    bandwidth when ``copy`` (the table shows shares of it). The full provenance is :func:`describe_run`."""
    fields = dict(device=short_device(doc["provenance"]["device"]["name"]),
                  dtype=SHORT_DTYPES.get(doc["config"]["dtype"], doc["config"]["dtype"]), date=doc["provenance"]["date"][:10])
    if copy:
        return tr("recorded on {device}, {dtype}, {date}, copy bandwidth {bandwidth} measured in the same run",
                  bandwidth=format_rate(doc["reference"]["copy_bandwidth"]["value"], "B/s"), **fields)
    return tr("recorded on {device}, {dtype}, {date}", **fields)


def caption(title: str, doc: dict[str, Any], *, copy: bool = False, page: str | None = GPU_RESULTS_PAGE) -> str:
    """A chapter table's caption: its title in bold, the short provenance, and a link to the page with the rest
    (``page=None``: no link, for a table on that page itself)."""
    if page is None:
        return tr("**{title}**: {provenance}.", title=translate_text(title), provenance=provenance(doc, copy=copy))
    return tr("**{title}**: {provenance} (the [GPU results]({page}) page has the command and the versions).",
              title=translate_text(title), provenance=provenance(doc, copy=copy), page=page)


def checks_line(doc: dict[str, Any]) -> str:
    checks = doc.get("checks") or self_checks(doc)
    n = checks["checked"]
    if checks["passed"]:
        return tr("Self-checks passed: {flops} FLOP rates at most 5% above the run's matrix-product roof ({roof}), "
                  "{shares} shares of copy bandwidth beyond the cache at most 105%.", flops=n["flop_rate"],
                  roof=format_rate(checks["flop_roof"]["value"], "FLOP/s"), shares=n["copy_share"])
    return tr("Self-checks FAILED: {failures}.", failures="; ".join(checks["failures"]))


def _fmt(r: dict[str, Any], column: str) -> str:
    if column == "median time":
        return format_time(r["time"]["median"])
    if column == "middle half":
        return tr("{low} to {high}", low=format_time(r["time"]["q1"]), high=format_time(r["time"]["q3"]))
    q = r.get({"share of copy": "copy_share", "bandwidth": "bandwidth", "FLOP/s": "flop_rate",
               "peak memory": "peak_memory", "host time / call": "host_time", "latency": "latency"}[column])
    if q is None:
        return "–"
    if column == "share of copy":
        return f"{q['value']:.0%}"
    if column == "peak memory":
        return f"{q['value'] / 2**30:.2f} GiB"
    if column in ("host time / call", "latency"):
        return format_time(q["value"])
    return format_rate(q["value"], q["unit"])


# The columns each group's table shows; each name is also the table's header (a message).
_COLUMNS = {
    "activation": [N_("median time"), N_("middle half"), N_("bandwidth"), N_("share of copy")],
    "act_mul": ["median time", "middle half", "bandwidth", "share of copy"],
    "host": [N_("host time / call"), N_("latency"), "median time"],
    "block": ["median time", "middle half", "FLOP/s", N_("peak memory")],
    "gemm": ["median time", "middle half", "FLOP/s"],
}


def constant_fields(rows: list[dict[str, Any]]) -> dict[str, str]:
    """The naming columns (impl, pass) that hold one value in every row of ``rows``, each with
    that value as a table shows it: what a compact table states once, in its caption, instead of in every row."""
    out = {}
    for key, show in (("impl", lambda v: v), ("pass", lambda v: tr(PASS_NAMES.get(v, v)))):
        values = {r[key] for r in rows}
        if len(values) == 1:
            out[key] = show(next(iter(values)))
    return out


def every_row(same: dict[str, str]) -> str:
    """The caption's sentence for the naming fields that every row of a compact table shares
    (:func:`constant_fields`: impl, pass or both), e.g. "Every row: impl eager; pass forward."."""
    if set(same) - {"impl", "pass"} or not same:
        raise ValueError(f"same must hold 'impl', 'pass' or both, got {sorted(same)!r}.")
    if len(same) == 2:
        return tr("Every row: impl {impl}; pass {pass_}.", impl=same["impl"], pass_=same["pass"])
    if "impl" in same:
        return tr("Every row: impl {impl}.", impl=same["impl"])
    return tr("Every row: pass {pass_}.", pass_=same["pass"])


def rows_markdown(rows: list[dict[str, Any]], *, compact: bool = False, names: dict[str, str] | None = None) -> str:
    """A Markdown table of result rows, with the columns that suit their group(s); each row named by its label
    (:func:`labelled`). ``compact``: leave out the impl and pass columns where every row has the same value
    (:func:`constant_fields`; the caller states it once); ``names``: display names for ops (e.g. "GELU (erf)")."""
    rows = labelled(rows)
    if names:
        rows = [{**r, "label": names.get(r["label"], r["label"])} for r in rows]
    drop = set(constant_fields(rows)) if compact else set()
    columns: list[str] = []
    for r in rows:
        for c in _COLUMNS.get(r["group"], _COLUMNS["act_mul"]):
            if c not in columns:
                columns.append(c)
    columns = [c for c in columns if any(_fmt(r, c) != "–" for r in rows)]
    keep = [k for k in ("impl", "pass") if k not in drop]
    head = [tr(N_("op"))] + [tr({"impl": N_("impl"), "pass": N_("pass")}[k]) for k in keep] + [tr(c) for c in columns]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---|" * len(keep) + "---:|" * len(columns)]
    for r in rows:
        cells = [translate_text(r.get("label", r["op"]))]
        cells += [r["impl"] if k == "impl" else tr(PASS_NAMES.get(r["pass"], r["pass"])) for k in keep]
        lines.append("| " + " | ".join(cells + [_fmt(r, c) for c in columns]) + " |")
    return "\n".join(lines) + "\n"


# Why a share can exceed 100%: the run does not isolate it, so the candidates are named as such.
READ_WRITE_MIX = N_("The run does not measure why. Two candidates: the copy reads one byte for each byte it writes, "
                    "while act(g)·u reads two for each one it writes in the forward and five for three over forward "
                    "and backward, and read-heavier traffic may sustain a little more of the memory's bandwidth; or "
                    "the fixed cost of each timed call (the cache flush before it, the kernel's ramp-up) weighs "
                    "differently on the step and on the copy. A copy of each pass's size timed the same way, and a "
                    "read-only reference, would tell them apart; the suite does not record either yet.")
# where the reader is sent for it from a chapter's table
READ_WRITE_MIX_LINK = N_("Why, the run does not measure; the [GPU results]({page}) page names the two candidates.")


def above_copy_note(note: str, page: str | None = GPU_RESULTS_PAGE) -> str:
    """The italic note under a table with a share above 100%: ``note`` (what such a share means), then why it may
    happen. In full (:data:`READ_WRITE_MIX`) only where ``page`` is None, i.e. on the GPU results page itself;
    a chapter's table (``page``: the link to that page) gets one sentence sending the reader there, so that the
    open question is stated once in the book, not under every table."""
    why = tr(READ_WRITE_MIX) if page is None else tr(READ_WRITE_MIX_LINK, page=page)
    return "*" + join_sentences([note, why]) + "*"


def block_summary(doc: dict[str, Any]) -> str:
    """The run's whole blocks in one Markdown table: a row per block, the median time of the forward pass and of a
    training step, eager and fused (the full rows, with quartiles and memory, are in :func:`markdown_table`)."""
    rows = labelled(select(doc, group="block"))
    if not rows:
        return ""
    cells = {(r["label"], r["impl"], r["pass"]): r for r in rows}
    impls = [i for i in ("eager", "fused") if any(r["impl"] == i for r in rows)]
    passes = [p for p in ("forward", "forward+backward") if any(r["pass"] == p for r in rows)]
    head = [tr(N_("block"))] + [tr("{pass_}, {impl}", pass_=tr(PASS_NAMES.get(p, p)), impl=i)
                                for p in passes for i in impls]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for label in dict.fromkeys(r["label"] for r in rows):
        values = [cells.get((label, i, p)) for p in passes for i in impls]
        lines.append(f"| {translate_text(label)} | " + " | ".join(format_time(r["time"]["median"]) if r else "–"
                                                              for r in values) + " |")
    return tr("Median time of each whole block (its quartiles, rates and memory are in the full tables below):") \
        + "\n\n" + "\n".join(lines) + "\n"


# A gap between separately timed blocks smaller than this is within the clock drift between runs (chapter 4's bound;
# ffn_lib.recorded_lessons and chapter 8's cost table read it from here).
DRIFT = 0.05
BLOCK_ORDER = N_("The suite timed the blocks one after another ({first}'s first), each in a run of its own, not "
                 "interleaved with the others, so a drift of the GPU's clock between two runs shows up as "
                 "a difference between two blocks: as chapter 4 says, read a difference of a few percent (under "
                 "{drift:.0%}) as within that drift, even where the middle halves are apart.")


def block_order_sentence(doc: dict[str, Any] | None) -> str | None:
    """How the run's block rows were timed (in turn, not interleaved), and the clock-drift bound that follows
    (:data:`DRIFT`, chapter 4's). None without block rows."""
    rows = [] if doc is None else select(doc, group="block")
    if not rows:
        return None
    return tr(BLOCK_ORDER, first=translate_text(labelled(rows)[0]["label"]), drift=DRIFT)


def folded(title: str, body: str) -> str:
    """``body`` (Markdown) inside a closed dropdown titled ``title``; its headings become bold lines, since a
    heading cannot sit inside a directive."""
    import re

    body = re.sub(r"^#+ +(.+)$", r"**\1**", body, flags=re.M)
    return f"::::{{dropdown}} {title}\n\n{body}\n::::\n"


TITLES = {"activation": N_("Activations alone"), "act_mul": N_("Gated act(g) * u"),
          "host": N_("Host time to issue one call"), "block": N_("Whole FFN blocks"),
          "gemm": N_("The block's matrix products alone (the roof)")}


def _param_gap(config: dict[str, Any]) -> float:
    """The gated blocks' parameter count over the plain blocks', minus one (their widths are rounded)."""
    from ..sizing import param_count

    d = config["d_model"]
    return (param_count(d, config["d_ff_gated"], gated=True, bias=False)
            / param_count(d, config["d_ff_plain"], gated=False, bias=False) - 1)


# where a chapter reads a group's rows: a line under that group's table on the GPU results page (book/)
READ_IN = {"activation": N_("[Chapter 2](../notebooks/02_gelu.ipynb) reads these rows in its section \"Is GELU "
                            "slower than ReLU?\".")}
# the run's figure (plot_run), described for a reader who cannot see it: the page's cell carries it as its alt text
RUN_FIGURE_ALT = N_("Bar charts, one panel per group of the recorded benchmark run, one colour per implementation: "
                    "the activations alone and the gated act(g) * u for each gate, as a share of the measured copy "
                    "bandwidth, with a dashed line at the copy; the host time to issue one call; the whole FFN blocks "
                    "and the SwiGLU block's matrix products alone, in TFLOP/s, with a dashed line at the run's "
                    "matrix-product roof. Whiskers on the shares and rates span the middle half of the samples.")


def markdown_table(doc: dict[str, Any], level: int = 1, read_in: dict[str, str] | None = None) -> str:
    """The whole run as Markdown: provenance, self-checks, then one table per group.

    ``level``: the heading level of the run's title (its groups get the next level). ``read_in``: per group, a
    line put under its table (the GPU results page passes :data:`READ_IN`, translated: links from the page)."""
    if read_in is not None and not isinstance(read_in, dict):
        raise TypeError(f"read_in must be a dict of group -> text, got {type(read_in).__name__}")
    unknown = sorted(set(read_in or {}) - set(TITLES))
    if unknown:
        raise ValueError(f"read_in names no group of the suite: {unknown} (groups: {list(TITLES)})")
    c = doc["config"]
    p = doc["provenance"]
    clocks = (p.get("clocks") or {}).get("start")
    h = "#" * level
    parts = [f"{h} " + tr("ffn_lib.bench: {device}", device=p["device"]["name"]) + "\n",
             tr("{run_description}.", run_description=describe_run(doc)) + "\n",
             tr("Sizes: {tokens} tokens, d_model {d_model}; elementwise ops on {tokens} x {d_ff_act}; blocks with "
                "d_ff {d_ff_plain} (plain) / {d_ff_gated} (gated: the 2/3 rule, rounded, {gap} parameters), and the "
                "SwiGLU block with d_ff {d_ff_swiglu}.", tokens=c["tokens"], d_model=c["d_model"],
                d_ff_act=c["d_ff_act"], d_ff_plain=c["d_ff_plain"], d_ff_gated=c["d_ff_gated"],
                gap=f"{_param_gap(c):+.1%}", d_ff_swiglu=c["d_ff_swiglu"]) + "\n",
             tr("Provenance: driver {driver}, CUDA {cuda}, compute capability {capability}, Python {python}, "
                "Liger-Kernel {liger}, {platform}; the suite took {wall}.", driver=p["driver"] or "–",
                cuda=p["cuda"] or "–", capability=p["device"]["capability"] or "–", python=p["python"],
                liger=p.get("liger_kernel") or tr("absent"), platform=p["platform"],
                wall=format_time((doc.get("wall_time") or {}).get("value", 0) or 0)) + "\n",
             tr("Method: {method}", method=quoted_original(p["method"])) + "\n",
             checks_line(doc) + "\n"]
    if clocks:
        parts.append(tr("Clocks read once, as the run started, with the GPU still idle (they say nothing about the "
                        "clocks under load, which this run did not record): {clocks}.",
                        clocks=", ".join(f"{k} {v}" for k, v in clocks.items())) + "\n")
    for group, title in TITLES.items():
        rows = select(doc, group=group)
        if rows:
            parts.append(f"{h}# {tr(title)}\n\n{rows_markdown(rows)}")
            if (read_in or {}).get(group):
                parts.append(read_in[group] + "\n")
    for s in doc["skipped"]:
        parts.append(tr("- Skipped {what}: {why}.", what=s["what"], why=s["why"]) + "\n")
    return "\n".join(parts)


# --- Figures ----------------------------------------------------------------------------------------


def _metric(group: str) -> tuple[str, str]:
    """(quantity, axis label) a group is plotted by."""
    if group in ("block", "gemm"):
        return "flop_rate", tr("TFLOP/s (matrix products)")
    if group == "host":
        return "host_time", tr("host time to issue one call (µs)")
    return "copy_share", tr("share of the measured copy bandwidth")


def plot_rows(doc: dict[str, Any], rows: list[dict[str, Any]], group: str, *, title: str = "", ax=None):
    """Grouped bars: one group of bars per (op, pass), one colour per implementation; whiskers span the
    middle half of the samples (the quartiles of the time). Returns the axes.

    For a whole run (:func:`plot_run`) and for the shares of copy bandwidth, which have a natural zero and a
    natural top (the copy); a chapter's blocks and products are drawn by :mod:`ffn_lib.bench.block_figure`."""
    import matplotlib.pyplot as plt
    import numpy as np

    from ..plotting import impl_color, use_style

    rows = labelled(rows)
    use_style()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
    quantity, ylabel = _metric(group)
    scale = {"flop_rate": 1e12, "host_time": 1e-6}.get(quantity, 1.0)
    passes = list(dict.fromkeys(r["pass"] for r in rows))
    cats = list(dict.fromkeys((r["op"], r["pass"]) for r in rows))
    impls = list(dict.fromkeys(r["impl"] for r in rows))
    width = 0.8 / max(len(impls), 1)
    for k, impl in enumerate(impls):
        vals, lo, hi = [], [], []
        for op, pass_ in cats:
            r = next((x for x in rows if x["op"] == op and x["pass"] == pass_ and x["impl"] == impl), None)
            v = None if r is None else _number(r, quantity)
            if v is None:
                vals.append(np.nan)
                lo.append(0.0)
                hi.append(0.0)
                continue
            v /= scale
            vals.append(v)
            if quantity == "host_time":
                lo.append(0.0)
                hi.append(0.0)
            else:  # a rate is work / time: the quartiles of the time give its spread
                t, q1, q3 = r["time"]["median"], r["time"]["q1"], r["time"]["q3"]
                lo.append(v - v * t / q3)
                hi.append(v * t / q1 - v)
        x = np.arange(len(cats)) + (k - (len(impls) - 1) / 2) * width
        ax.bar(x, vals, width, yerr=[lo, hi], capsize=2, label=impl, color=impl_color(impl))
    crowded = len(cats) > 6  # then the labels stand upright, on one line each
    sep = " " if crowded else "\n"
    shown = {r["op"]: translate_text(r.get("label", r["op"])) for r in rows}
    labels = [shown[op] if len(passes) == 1 else
              f"{shown[op]}{sep}{tr(PASS_NAMES.get(pass_, pass_)).replace('forward+backward', 'fwd+bwd')}"
              for op, pass_ in cats]
    ax.set_xticks(np.arange(len(cats)), labels, rotation=90 if crowded else 0, fontsize=9)
    if quantity == "copy_share":
        ax.axhline(1.0, color="0.3", ls="--", lw=1, label=tr("copy bandwidth"))
    elif quantity == "flop_rate":
        ax.axhline(flop_roof(doc) / scale, color="0.3", ls="--", lw=1,
                   label=tr("matrix-product roof (fastest sample, same run)"))
    ax.set(ylabel=ylabel)
    ax.set_title(title, pad=22)  # room for the legend between the title and the bars
    ax.grid(axis="x", visible=False)
    ax.legend(fontsize=9, ncols=min(len(impls) + 1, 6), loc="lower center", bbox_to_anchor=(0.5, 1.0),
              borderaxespad=0.2)
    return ax


def plot_run(doc: dict[str, Any]):
    """The whole run: one panel per group that it measured."""
    import matplotlib.pyplot as plt

    groups = [g for g in TITLES if select(doc, group=g)]
    fig, axes = plt.subplots(len(groups), 1, figsize=(12, 3.6 * len(groups)), layout="constrained", squeeze=False)
    for ax, group in zip(axes[:, 0], groups):
        rows = select(doc, group=group)
        if group == "act_mul" and len({r["op"] for r in rows}) > 1:
            rows = [r for r in rows if r["pass"] == "forward+backward"] or rows
            title = tr("{title}, forward+backward", title=tr(TITLES[group]))
        else:
            title = tr(TITLES[group])
        plot_rows(doc, rows, group, title=title, ax=ax)
    fig.suptitle(f"{doc['provenance']['device']['name']}, {doc['config']['dtype']}, {doc['provenance']['date'][:10]}",
                 fontsize=10)
    return fig


# --- A chapter's recorded section ----------------------------------------------------------------------


def labelled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows``, each with a ``label``: the name its table and figure show. That is its op, except for a block
    shown beside a wider one of the same name: "SwiGLU" beside "SwiGLU (d_ff 14336)" is labelled with its own
    width, "SwiGLU (d_ff 11008)" (from the row's ``params``), so that neither reads as the SwiGLU block."""
    ops = {r["op"] for r in rows}

    def label(r: dict[str, Any]) -> str:
        d_ff = (r.get("params") or {}).get("d_ff")
        if d_ff and "(d_ff " not in r["op"] and any(o.startswith(r["op"] + " (d_ff ") for o in ops):
            return f"{r['op']} (d_ff {d_ff})"
        return r["op"]

    return [{**r, "label": r.get("label") or label(r)} for r in rows]


class RecordedSection:
    """Recorded GPU results for some operations: a table per run and a figure of the latest,
    shown together; or one short line while no run exists."""

    def __init__(self, runs: list[dict[str, Any]], group: str, ops: Iterable[str] | None, title: str,
                 impls: Iterable[str] | None = None, passes: Iterable[str] | None = None, *, compact: bool = False,
                 names: dict[str, str] | None = None):
        self.runs, self.group, self.title = runs, group, title
        self.compact, self.names = compact, dict(names or {})
        self.ops = list(ops) if ops is not None else None
        self.impls = list(impls) if impls is not None else None
        self.passes = list(passes) if passes is not None else None

    @property
    def run(self) -> dict[str, Any] | None:
        """The latest recorded run, or None."""
        return self.runs[-1] if self.runs else None

    def rows(self, doc: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows shown, ordered by op (as asked), then pass, then implementation (as run)."""
        doc = doc if doc is not None else self.run
        if doc is None:
            return []
        rows = select(doc, group=self.group, ops=self.ops, impls=self.impls, passes=self.passes)
        ops = self.ops or list(dict.fromkeys(r["op"] for r in rows))
        impls = list(dict.fromkeys(r["impl"] for r in rows))
        passes = ("forward", "backward", "forward+backward")
        return labelled(sorted(rows, key=lambda r: (ops.index(r["op"]), passes.index(r["pass"]),
                                                    impls.index(r["impl"]))))

    def value(self, op: str, impl: str, pass_: str, quantity: str = "copy_share") -> float | None:
        """A number of the latest run (see :func:`value`), or None without a run."""
        return None if self.run is None else value(self.group, op, impl, pass_, quantity, run=self.run)

    def _repr_markdown_(self) -> str:
        if not self.runs:
            return tr(NO_RUN)
        parts, impls, shares, has_memory = [], {}, [], False
        for doc in self.runs:
            rows = self.rows(doc)
            if rows:
                copy = any(r.get("copy_share") for r in rows)
                head = caption(self.title, doc, copy=copy)
                same = constant_fields(rows) if self.compact else {}
                if same:
                    head = join_sentences([head, every_row(same)])
                parts.append(f"{head}\n\n{rows_markdown(rows, compact=self.compact, names=self.names)}")
                impls.update(dict.fromkeys(r["impl"] for r in rows))
                shares += [r["copy_share"]["value"] for r in rows if r.get("copy_share")]
                has_memory = has_memory or any(r.get("peak_memory") for r in rows)
        if not parts:
            return tr("The recorded GPU runs measured none of {title}.", title=translate_text(self.title))
        if len(impls) > 1:
            names = BLOCK_IMPLS if self.group == "block" else IMPLS
            legend = _list(tr("{impl}: {meaning}", impl=i, meaning=tr(names[i])) if i in names else i for i in impls)
            parts.append("*" + tr(LEGEND, legend=legend) + "*")
        if self.group == "block" and has_memory:
            parts.append("*" + tr("Peak memory: what one training step allocates above what was allocated before it "
                                  "(the weights and the input).") + "*")
        if shares and max(shares) > 1:
            note = tr("A share of copy is the least traffic the pass needs over the copy bandwidth measured in the "
                      "same run; a little above 100% means the op streamed slightly better than that copy (the "
                      "suite's self-check fails any above 105%).")
            parts.append(above_copy_note(note))
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self._repr_markdown_()

    def _ipython_display_(self) -> None:
        from IPython.display import Markdown, display

        from .block_figure import display_png

        display(Markdown(self._repr_markdown_()))
        display_png(self.figure())

    def figure(self):
        """The figure of the latest run's rows, or None where it would add nothing to the table: no run, or a
        single row (one number is a table's job). Blocks and matrix products: :func:`.block_figure.block_figure`
        (time relative to the eager ReLU block; the products' rates); the other groups: :func:`plot_rows`."""
        import matplotlib.pyplot as plt

        rows = self.rows()
        if len(rows) < 2:
            return None
        if self.group in ("block", "gemm"):
            from .block_figure import block_figure

            return block_figure(self)
        if self.names:  # the figure names the ops as the table does ("GELU (erf)", not "gelu")
            rows = [{**r, "label": self.names.get(r["label"], r["label"])} for r in rows]
        fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
        plot_rows(self.run, rows, self.group, ax=ax,
                  title=tr("{title}: {device}", title=translate_text(self.title),
                           device=self.run["provenance"]["device"]["name"]))
        plt.close(fig)  # shown once, by the section or as a cell's value
        return fig


def recorded(group: str, ops: Iterable[str] | None = None, *, impls: Iterable[str] | None = None,
             passes: Iterable[str] | None = None, title: str = "these operations",
             folder: str | Path | None = None, compact: bool = False,
             names: dict[str, str] | None = None) -> RecordedSection:
    """The recorded GPU runs' rows for ``group`` (filtered by ``ops``, ``impls``, ``passes``), ready to display
    in a chapter as a table and a figure. ``compact``: an impl or pass column with one value in every row is
    stated once in the caption instead; ``names``: display names for ops (e.g. ``pivot.GATE_NAMES``)."""
    return RecordedSection(load_runs(folder, device_type="cuda"), group, ops, title, impls=impls, passes=passes,
                           compact=compact, names=names)
