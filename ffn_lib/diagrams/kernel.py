"""Chapter 7's diagrams: the anatomy of one Triton program, the launch grid over flat data and over [gate | up]
rows, eager against fused data flow, and a recorded run's points on its own roofline. Each function returns a
Figure whose ``alt`` attribute is its alternative text (what the picture shows, in one or two sentences)."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..i18n import join_sentences, tr
from ..plotting import COLORS, use_style


def _box(ax, x, y, w, h, text, color, *, alpha=0.35, fontsize=8, rotation=0):
    """A rectangle with its label centred in it; the label is clipped to the rectangle, so that one too large
    for its box is cut where the figure check (:mod:`ffn_lib.figure_check`) sees it."""
    rect = Rectangle((x, y), w, h, facecolor=color, edgecolor="0.2", alpha=alpha, lw=1)
    ax.add_patch(rect)
    label = ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize, clip_on=True,
                    rotation=rotation)
    label.set_clip_path(rect)


def _label(ax, x, y, w, h, text, *, fontsize=8, background=False):
    """A label centred in the region (x, y, w, h) and clipped to it, as :func:`_box` clips its own; with
    ``background`` it sits on a white patch, readable over a hatch."""
    region = Rectangle((x, y), w, h, facecolor="none", edgecolor="none")
    ax.add_patch(region)
    label = ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize, clip_on=True,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1} if background else None)
    label.set_clip_path(region)


def _bare(ax, width, height, *, left=0.0):
    """Axes without decoration from ``left`` to ``width`` and 0 to ``height``; a ``left`` below 0 is a margin for
    shapes whose left edge sits near 0."""
    ax.set_xlim(left, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()


def _check_positive(**values: int) -> None:
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}.")


def program_anatomy(n: int = 10, block: int = 4, pid: int | None = None) -> Figure:
    """One program of a 1-D launch, line by line: ``pid = tl.program_id(0)``, ``offsets = pid * BLOCK +
    tl.arange(0, BLOCK)``, ``mask = offsets < n``, and the masked load and store, each row drawn under the
    elements of memory it concerns. ``pid`` defaults to the last program, the one the mask matters for."""
    _check_positive(n=n, block=block)
    programs = -(-n // block)
    pid = programs - 1 if pid is None else pid
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 <= pid < programs:
        raise ValueError(f"pid must be an int from 0 to {programs - 1} (the programs of cdiv(n, block)), "
                         f"got {pid!r}.")
    if programs * block > 24:
        raise ValueError(f"n and block must give at most 24 drawn elements (cdiv(n, block) * block), got "
                         f"{programs * block}: the diagram shows every element.")
    use_style()
    span = programs * block
    x0 = 12.0  # where the elements start; the code sits left of them
    cell = 12.0 / max(span, 12)
    fig, ax = plt.subplots(figsize=(9, 3.1), layout="constrained")
    _bare(ax, x0 + span * cell + 0.2, 5.6)

    def at(i):
        return x0 + i * cell

    rows = [("memory", 4.4), ("pid = tl.program_id(0)", 3.4), ("offsets = pid * BLOCK + tl.arange(0, BLOCK)", 2.5),
            ("mask = offsets < n", 1.6), ("tl.load(x_ptr + offsets, mask=mask)", 0.7)]
    for text, y in rows[1:]:
        ax.text(0.1, y + 0.35, text, ha="left", va="center", fontsize=8, family="monospace")
    ax.text(0.1, rows[0][1] + 0.35, tr("memory: x[0] .. x[n - 1], n = {n}", n=n), ha="left", va="center",
            fontsize=8)
    for i in range(span):
        inside = i < n
        _box(ax, at(i), 4.4, cell, 0.7, f"x[{i}]" if inside else "", COLORS[(i // block) % 4] if inside else "0.8",
             alpha=0.35 if inside else 0.6, fontsize=8)
    for p in range(programs):
        ax.text(at(p * block + block / 2), 5.3, tr("program {p}", p=p), ha="center", va="center", fontsize=8,
                fontweight="bold" if p == pid else "normal")
    if span > n:
        ax.annotate(tr("past the end"), (at((n + span) / 2), 4.4), (at(span), 3.9), ha="right", va="center",
                    fontsize=8, arrowprops={"arrowstyle": "->"})
    ax.text(at(pid * block), 3.75, f"{pid}", ha="left", va="center", fontsize=8, fontweight="bold")
    for k in range(block):
        i = pid * block + k
        ok = i < n
        color = COLORS[pid % 4]
        _box(ax, at(i), 2.5, cell, 0.7, str(i), color, fontsize=8)
        _box(ax, at(i), 1.6, cell, 0.7, str(ok), color if ok else "0.8", alpha=0.35 if ok else 0.6, fontsize=8)
        _box(ax, at(i), 0.7, cell, 0.7, f"x[{i}]" if ok else "\u2013", color if ok else "0.8",
             alpha=0.35 if ok else 0.6, fontsize=8)
    ax.text(0.1, 0.2, tr("tl.store(y_ptr + offsets, y, mask=mask) writes only where the mask is True"),
            ha="left", va="center", fontsize=8)
    ax.set_title(tr("One program of the launch: n = {n}, BLOCK = {block}, program {pid} of cdiv({n}, {block}) = "
                    "{programs}", n=n, block=block, pid=pid, programs=programs), fontsize=9)
    first, last = pid * block, pid * block + block - 1
    fig.alt = tr("Program {pid} of {programs} over {n} elements in blocks of {block}: tl.program_id(0) gives {pid}, "
                 "its offsets are {first} to {last}, the mask offsets < n is True for the offsets below {n} and "
                 "False past the end, and the masked load and store touch only the offsets where it is True.",
                 pid=pid, programs=programs, n=n, block=block, first=first, last=last)
    plt.close(fig)
    return fig


def flat_grid(n: int = 1000, block: int = 256) -> Figure:
    """``n`` elements in blocks of ``block``: one program per block, the last one partly masked."""
    _check_positive(n=n, block=block)
    use_style()
    programs = -(-n // block)
    fig, ax = plt.subplots(figsize=(9, 1.9), layout="constrained")
    span = programs * block
    _bare(ax, span, 2.2)
    for p in range(programs):
        start = p * block
        inside = min(block, n - start)
        _box(ax, start, 0.8, inside, 0.9, tr("program {p}\noffsets {start}..{end}", p=p, start=start,
                                              end=start + inside - 1), COLORS[p % 4])
        if inside < block:  # the lanes past n: narrow, so their label stands upright inside them
            wide_enough = (block - inside) / span >= 0.015  # about a line of 8 pt text on the 9 in figure
            _box(ax, start + inside, 0.8, block - inside, 0.9, tr("masked") if wide_enough else "", "0.8",
                 alpha=0.6, rotation=90)
            if not wide_enough:  # a sliver: the label above it, pointing down, inside the axes
                ax.annotate(tr("masked"), (start + (block + inside) / 2, 1.7), (start + inside, 2.0), ha="right",
                            va="center", fontsize=8, arrowprops={"arrowstyle": "->"})
    ax.annotate(f"n = {n}", (n, 0.75), (n, 0.2), ha="center", fontsize=8, arrowprops={"arrowstyle": "->"})
    ax.set_title(tr("grid = cdiv({n}, {block}) = {programs} programs of BLOCK = {block}", n=n, block=block,
                    programs=programs), fontsize=9)
    fig.alt = tr("{n} elements split into {programs} blocks of {block}, one program each; the last program's "
                 "{masked} offsets past the end are masked off.", n=n, programs=programs, block=block, masked=span - n)
    plt.close(fig)
    return fig


def row_grid(rows: int = 3, d: int = 100, block: int = 64) -> Figure:
    """A [gate | up] tensor of ``rows`` rows, drawn at its true width: gate's columns 0 to ``d - 1``, then up's,
    with no gap. Program (c, r) takes column block c of row r in both halves. The last column block's lanes past
    ``d`` are masked; they are drawn hatched over the memory they would read without the mask: the gate program's
    over up's first columns (real values, which is why the mask matters there), the up program's past the row's
    end (the stride padding or the next row)."""
    _check_positive(rows=rows, d=d, block=block)
    use_style()
    col_blocks = -(-d // block)
    lanes = col_blocks * block
    masked = lanes - d
    fig, ax = plt.subplots(figsize=(9, 1.3 + 0.6 * rows), layout="constrained")
    top = rows + (1.2 if masked else 0.6)
    _bare(ax, d + lanes, top)
    hatch = {"facecolor": "none", "hatch": "///", "lw": 1.2, "linestyle": "--"}
    for r in range(rows):
        y = rows - 1 - r
        for half, (name, color) in enumerate(((tr("gate ({c}, {r})"), COLORS[0]), (tr("up ({c}, {r})"), COLORS[1]))):
            for c in range(col_blocks):
                x = half * d + c * block
                w = min(block, d - c * block)
                # the label in the part of the box that no masked lanes of the gate program cover
                covered = min(max(0, d + masked - x), w) if half == 1 else 0
                _box(ax, x, y + 0.1, w, 0.8, "", color)
                if covered < w:
                    _label(ax, x + covered, y + 0.1, w - covered, 0.8, name.format(c=c, r=r), fontsize=7)
        if masked:
            for half, color in enumerate((COLORS[0], COLORS[1])):
                x = half * d + d  # lane d of this half's last block: up's column 0, or past the row's end
                rect = Rectangle((x, y + 0.1), masked, 0.8, edgecolor=color, **hatch)
                ax.add_patch(rect)
                _label(ax, x, y + 0.1, masked, 0.8, tr("masked"), fontsize=7, background=True)
    if masked:
        ax.annotate(tr("gate's masked lanes: would read up's first {k} columns", k=min(masked, d)),
                    (d + min(masked, d) / 2, rows - 0.08), (d / 2, rows + 0.35), ha="center", va="center",
                    fontsize=8, arrowprops={"arrowstyle": "->", "color": COLORS[0]})
        ax.annotate(tr("up's: past the row's end"), (2 * d + masked / 2, rows - 0.08),
                    (2 * d + masked / 2, rows + 0.35), ha="right", va="center", fontsize=8,
                    arrowprops={"arrowstyle": "->", "color": COLORS[1]})
    ax.text((d + lanes) / 2, top - 0.3,
            tr("row r starts at r * stride; up starts d = {d} columns after gate; hatched: masked lanes "
               "(lanes >= d of a half's last block)", d=d), ha="center", fontsize=8)
    ax.set_title(tr("grid = (cdiv({d}, {block}), {rows}) = ({col_blocks}, {rows}) programs over [gate | up]", d=d,
                    block=block, rows=rows, col_blocks=col_blocks), fontsize=9)
    alt = tr("A [gate | up] tensor of {rows} rows at its true width, gate columns 0 to {last} followed at once by "
             "up columns 0 to {last}; program (c, r) reads column block c of row r in both halves: {col_blocks} x "
             "{rows} programs. The last column block of each half has {valid} valid columns and {masked} masked "
             "lanes.", rows=rows, last=d - 1, col_blocks=col_blocks, valid=d - (col_blocks - 1) * block,
             masked=masked)
    if masked:
        alt = join_sentences([alt, tr("The masked lanes are drawn hatched over what they would read without the "
                                     "mask: the gate program's over up's first {k} columns, real values, the up "
                                     "program's past the row's end.", k=min(masked, d))])
    fig.alt = alt
    plt.close(fig)
    return fig


def data_flow_backward() -> Figure:
    """The backward of SiLU(g) * u, in :func:`data_flow`'s style: eager's three kernels (the multiply's backward
    is two multiplies, each reading dy; SiLU's backward reads ds and g), nine tensor passes, against the fused
    kernel's one, five passes (read g, u, dy; write dg, du)."""
    use_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    eager = [("dy", "mul du"), ("s", "mul du"), ("mul du", "du"), ("dy", "mul ds"), ("u", "mul ds"),
             ("mul ds", "ds"), ("ds", "silu_bwd"), ("g", "silu_bwd"), ("silu_bwd", "dg")]
    fused = [("g", "act_mul_bwd"), ("u", "act_mul_bwd"), ("dy", "act_mul_bwd"), ("act_mul_bwd", "dg"),
             ("act_mul_bwd", "du")]
    flows = {tr("eager backward: 3 kernels, 9 tensor passes"): (eager, {
                 "s": (0.5, 3.1), "dy": (0.5, 1.9), "u": (0.5, 0.7), "mul du": (2.2, 3.1), "du": (3.9, 3.1),
                 "mul ds": (2.2, 1.3), "ds": (3.9, 1.3), "g": (3.9, 0.3), "silu_bwd": (5.6, 1.3), "dg": (7.2, 1.3)}),
             tr("fused backward: 1 kernel, 5 tensor passes"): (fused, {
                 "g": (0.5, 3.0), "u": (0.5, 1.8), "dy": (0.5, 0.6), "act_mul_bwd": (3.7, 1.8), "dg": (6.9, 2.6),
                 "du": (6.9, 1.0)})}
    kernels = {"mul du", "mul ds", "silu_bwd", "act_mul_bwd"}
    for ax, (title, (edges, pos)) in zip(axes, flows.items()):
        _bare(ax, 8.0, 3.6, left=-0.2)  # the left column's boxes start at x = -0.05
        for name, (x, y) in pos.items():
            w = 1.5 if name == "act_mul_bwd" else 1.1
            _box(ax, x - w / 2, y - 0.28, w, 0.56, name, COLORS[3] if name in kernels else COLORS[0],
                 alpha=0.5 if name in kernels else 0.3)
        for a, b in edges:
            (x0, y0), (x1, y1) = pos[a], pos[b]
            wa = 0.75 if a == "act_mul_bwd" else 0.55
            wb = 0.75 if b == "act_mul_bwd" else 0.55
            ax.annotate("", (x1 - wb, y1), (x0 + wa, y0), arrowprops={"arrowstyle": "->", "lw": 1})
        ax.set_title(title, fontsize=9)
    fig.suptitle(tr("blue: tensors in GPU memory; orange: kernels"), fontsize=8)
    fig.alt = tr("Eager's backward of SiLU(g) * u runs three kernels: a multiply reading dy and the saved s to "
                 "write du, a multiply reading dy and u to write ds, and SiLU's backward reading ds and g to write "
                 "dg, nine tensor passes with dy read twice; the fused kernel reads g, u and dy once and writes dg "
                 "and du, five passes.")
    plt.close(fig)
    return fig


def data_flow() -> Figure:
    """Which tensors reach memory: eager (two kernels forward, three backward) against fused (one each)."""
    use_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 2.8), layout="constrained")
    flows = {
        tr("eager forward: 2 kernels, 5 tensor passes"): [("g", "silu"), ("silu", "s"), ("s", "mul"), ("u", "mul"),
                                                       ("mul", "y")],
        tr("fused forward: 1 kernel, 3 tensor passes"): [("g", "act_mul"), ("u", "act_mul"), ("act_mul", "y")],
    }
    pos = {"g": (0.5, 2.2), "u": (0.5, 0.6), "silu": (2.2, 2.2), "s": (3.7, 2.2), "mul": (5.2, 1.4),
           "y": (6.7, 1.4), "act_mul": (3.6, 1.4)}
    for ax, (title, edges) in zip(axes, flows.items()):
        _bare(ax, 7.6, 3.0, left=-0.2)
        names = {n for e in edges for n in e}
        for name in names:
            x, y = pos[name]
            kernel = name in ("silu", "mul", "act_mul")
            _box(ax, x - 0.5, y - 0.3, 1.0, 0.6, name, COLORS[3] if kernel else COLORS[0],
                 alpha=0.5 if kernel else 0.3)
        for a, b in edges:
            (x0, y0), (x1, y1) = pos[a], pos[b]
            ax.annotate("", (x1 - 0.5, y1), (x0 + 0.5, y0), arrowprops={"arrowstyle": "->", "lw": 1})
        ax.set_title(title, fontsize=9)
    fig.suptitle(tr("blue: tensors in GPU memory; orange: kernels"), fontsize=8)
    fig.alt = tr("Eager SiLU(g) * u runs a silu kernel that writes s to memory and a mul kernel that reads s and u "
                 "and writes y, five tensor passes; the fused kernel reads g and u once and writes y, three passes.")
    plt.close(fig)
    return fig


# Datasheet roofs, quoted (not measured) from NVIDIA's H200 product page (references.bib: nvidia2024h200): HBM3e
# bandwidth 4.8 TB/s; BF16 Tensor Core 1,979 TFLOPS "with sparsity", so half of it, about 989 TFLOP/s, dense.
# Keyed by a substring of the device name and the run's dtype; a run on another device draws no datasheet roof.
DATASHEET_ROOFS: dict[tuple[str, str], tuple[float, float, str]] = {
    ("H200", "bfloat16"): (4.8e12, 1979e12 / 2, "nvidia2024h200"),
}


def datasheet_roofs(run: dict[str, Any]) -> tuple[float, float, str] | None:
    """(bandwidth in B/s, dense matrix-product rate in FLOP/s, bib key) quoted for the run's device and dtype
    (:data:`DATASHEET_ROOFS`), or None where the course quotes none."""
    name = run["provenance"]["device"]["name"]
    dtype = str(run["config"]["dtype"]).removeprefix("torch.")
    return next((v for (device, d), v in DATASHEET_ROOFS.items() if device in name and d == dtype), None)


def _share(p: Any, bandwidth: float) -> float:
    """A point's achieved bytes per second over the copy bandwidth: its rate over the slanted roof's."""
    return p.rate / (p.intensity * bandwidth)


def recorded_roofline(run: dict[str, Any]) -> Figure:
    """A recorded run's act(g) * u rows and matrix products on the roofline of its own copy bandwidth and
    matrix-product roof (:mod:`ffn_lib.predict`), in two panels.

    Left, the whole roofline on log axes: the flat roof at the fastest product sample (:func:`predict.roofs`),
    a dashed line at the square product's median rate (the number the text quotes), the products, and the
    act(g) * u rows as one cluster near 1 FLOP per byte; where the course quotes the device's datasheet
    (:func:`datasheet_roofs`), its two roofs as thin dotted lines, labelled as quoted. Right, that cluster zoomed:
    each row's share of the copy bandwidth (rate / (intensity x bandwidth)) on a linear scale, one column per pass
    and implementation (a category axis: within a pass every row has the same intensity, written under it), the
    slowest and fastest eager gate of each pass named.
    """
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle as Box

    from .. import predict
    from ..formatting import format_rate
    from ..recorded_lessons import pass_name

    use_style()
    bandwidth, peak = predict.roofs(run)
    points = predict.roofline_points(run)
    act = [p for p in points if p.group == "act_mul"]
    gemm = [p for p in points if p.group == "gemm"]
    fig, (ax, zoom) = plt.subplots(1, 2, figsize=(10, 4.8), layout="constrained", width_ratios=(1.1, 1))
    ridge = peak / bandwidth
    xs = np.logspace(-1, 4, 200)
    ax.loglog(xs, np.minimum(peak, xs * bandwidth), color="0.2", lw=2,
              label=tr("roofs: copy {copy}; products {products}, their fastest sample",
                       copy=format_rate(bandwidth, "B/s"), products=format_rate(peak, "FLOP/s")))
    square = next((p for p in gemm if p.label == "square"), None)
    if square is not None:
        ax.axhline(square.rate, color="0.5", ls="--", lw=1,
                   label=tr("square product, median: {rate}", rate=format_rate(square.rate, "FLOP/s")))
    ax.axvline(ridge, color="0.6", ls=":", lw=1)
    quoted = datasheet_roofs(run)
    if quoted is not None:
        q_bw, q_peak, _ = quoted
        ax.loglog(xs, np.minimum(q_peak, xs * q_bw), color=COLORS[3], lw=0.9, ls=(0, (1, 1.5)),
                  label=tr("datasheet roofs (quoted, not measured): {copy}, {products} dense",
                           copy=format_rate(q_bw, "B/s"), products=format_rate(q_peak, "FLOP/s")))
    ax.scatter([p.intensity for p in act], [p.rate for p in act], marker="o", color=COLORS[0], s=14, alpha=0.6,
               label=tr("act·mul rows (zoomed at right)"))
    lo, hi = min(p.rate for p in act), max(p.rate for p in act)
    ax.add_patch(Box((0.6, lo / 1.6), 1.4, hi * 1.6 - lo / 1.6, fill=False, ec=COLORS[0], lw=1))
    ax.scatter([p.intensity for p in gemm], [p.rate for p in gemm], marker="D", color=COLORS[4], s=30,
               label=tr("matrix products"))
    device = run["provenance"]["device"]["name"]
    ax.set(xlabel=tr("arithmetic intensity (FLOP / byte of the least traffic)"), ylabel=tr("achieved FLOP/s"),
           title=tr("Recorded run on {device}, {date}", device=device, date=run["provenance"]["date"][:10]))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)

    impls, markers = ("eager", "compile", "fused"), {"forward": "o", "backward": "s", "forward+backward": "^"}
    width = {p.pass_: p.intensity for p in act}
    passes = [pass_ for pass_ in markers if pass_ in width]
    zoom.axhline(1.0, color="0.2", lw=2)
    zoom.text(len(passes) / 2 - 0.5, 1.02, tr("memory roof: the copy's bandwidth"), fontsize=8, ha="center",
              va="bottom")
    top = 1.15
    if quoted is not None:  # the datasheet's bandwidth in the same units, if it fits the panel
        top = max(top, quoted[0] / bandwidth + 0.06)
        zoom.axhline(quoted[0] / bandwidth, color=COLORS[3], lw=0.9, ls=(0, (1, 1.5)))
        zoom.text(len(passes) / 2 - 0.5, quoted[0] / bandwidth + 0.01,
                  tr("datasheet {copy} (quoted)", copy=format_rate(quoted[0], "B/s")), fontsize=8, ha="center",
                  va="bottom", color=COLORS[3])
    for j, pass_ in enumerate(passes):
        for k, impl in enumerate(impls):
            sel = [p for p in act if p.impl == impl and p.pass_ == pass_]
            if not sel:
                continue
            x = j + (k - 1) * 0.25  # a column per implementation within its pass: the x axis is a category here
            zoom.scatter([x] * len(sel), [_share(p, bandwidth) for p in sel], marker=markers[pass_],
                         color=COLORS[k], s=26, alpha=0.75)
            if impl == "eager":
                for p in (min(sel, key=lambda p: _share(p, bandwidth)), max(sel, key=lambda p: _share(p, bandwidth))):
                    zoom.annotate(p.label.split(" ")[0], (x, _share(p, bandwidth)), xytext=(-4, 0),
                                  textcoords="offset points", ha="right", va="center", fontsize=8)
    handles = [Line2D([], [], ls="", marker="o", color=COLORS[k], label=impl) for k, impl in enumerate(impls)]
    zoom.legend(handles=handles, fontsize=8, loc="lower right", ncols=3)
    ticks = [f"{pass_name(pass_).replace('forward+backward', 'fwd+bwd')}\n{width[pass_]:.2f}" for pass_ in passes]
    zoom.set_xticks(range(len(passes)), ticks, fontsize=8)
    zoom.grid(axis="x", visible=False)
    zoom.set(xlim=(-0.9, len(passes) - 0.5), ylim=(0, top),
             xlabel=tr("pass (FLOP per byte)"),
             ylabel=tr("share of the copy bandwidth"), title=tr("The act·mul rows, zoomed"))
    fig.alt = tr("Roofline of {device} from the run's own copy bandwidth and matrix-product rate: the act·mul rows "
                 "sit near 1 FLOP per byte under the slanted memory roof, and the zoomed panel shows fused and "
                 "compiled rows at about the copy's bandwidth and eager rows below it; the matrix products sit right "
                 "of the ridge ({ridge} FLOP/byte) near the flat roof, drawn at their fastest sample ({peak}), with "
                 "the square product's median ({median}) dashed below it.",
                 device=device, ridge=f"{ridge:.0f}", peak=format_rate(peak, "FLOP/s"),
                 median=format_rate(square.rate if square is not None else peak, "FLOP/s"))
    if quoted is not None:
        fig.alt = join_sentences([fig.alt, tr("Thin dotted lines mark the datasheet's roofs, quoted: {copy} and {products} dense, "
                            "above the measured ones.", copy=format_rate(quoted[0], "B/s"),
                            products=format_rate(quoted[1], "FLOP/s"))])
    plt.close(fig)
    return fig
