"""A figure check that can fail: text inside the canvas, tick labels apart, fonts large enough to read.

:func:`problems` measures a drawn figure with matplotlib's renderer extents and returns one sentence
per problem, naming the figure and the offending text:

* **clipped text**: a visible text (title, label, tick label, legend entry, annotation) whose extent
  leaves the saved canvas. With ``bbox_inches="tight"`` (Jupyter's inline backend) the canvas grows to
  hold every artist, so nothing can be clipped; a plain ``savefig`` keeps the figure's size;
* **text cut off by its axes**: a text drawn with ``clip_on=True`` (clipped to its axes' box, as
  ``ax.text(..., clip_on=True)``) whose extent leaves that box, so that its end is not drawn (a "masked"
  label at the right edge of a diagram showed as "maske"), or to a shape (``set_clip_path``, the box a
  diagram's label sits in) whose extent it leaves. Tight saving does not help there;
* **overlapping tick labels** on one axis: unrotated labels whose boxes intersect, or rotated ones
  closer (perpendicular to their baseline) than their own height;
* **small text**: a font under :data:`MIN_DISPLAY_PX` pixels once the figure is scaled to the book's
  content column (:data:`COLUMN_PX`, about what the theme gives at a 1280 px window).

:func:`install` wraps ``FigureCanvasBase.print_figure`` (what ``savefig`` and the inline backend call)
so that every figure saved is checked, in one of three modes: ``"error"`` raises
:class:`FigureCheckError`, ``"warn"`` appends the problems to a log (:func:`log_path`; stderr outside the
book build), ``"off"`` does nothing. The mode comes from
``FFN_LIB_FIGURE_CHECK``; while the book is built (``FFN_LIB_BOOK=1``) it defaults to ``"warn"``.
:mod:`ffn_lib.plotting` installs it on import, so every chapter's figures are checked.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from pathlib import Path
from typing import Iterable

from matplotlib.axes import Axes
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from . import figure_text

ENV = "FFN_LIB_FIGURE_CHECK"
LOG_ENV = "FFN_LIB_FIGURE_LOG"
MODES = ("error", "warn", "off")
COLUMN_PX = 820  # the content column's width at a 1280 px window (sphinx-book-theme); wider figures shrink
MIN_DISPLAY_PX = 8.0  # smallest font, in displayed pixels, that reads comfortably
TOLERANCE_PX = 1.0  # rounding of extents


class FigureCheckError(ValueError):
    """A figure failed the check; the message names the figure and each offending text."""


class FigureCheckWarning(UserWarning):
    """The name warn mode prints its message under."""


def figure_name(fig: Figure) -> str:
    """How a message names a figure: its suptitle, else its first axes title, else its label."""
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        return sup.get_text()
    for ax in fig.axes:
        for title in (ax.title, ax._left_title, ax._right_title):
            if title.get_text():
                return title.get_text()
    return fig.get_label() or f"figure {fig.number if hasattr(fig, 'number') else id(fig)}"


def _visible_texts(fig: Figure) -> list[Text]:
    """The texts a draw shows: visible, non-empty, and of the tick labels only those inside the view."""
    ticks, shown_ticks = set(), set()
    for ax in fig.axes:
        for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update((id(tick.label1), id(tick.label2)))
            shown_ticks.update(id(t) for t in _tick_labels(ax, which))
            shown_ticks.update(id(t) for t in _tick_labels(ax, which, minor=True))
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and (id(t) not in ticks or id(t) in shown_ticks)]


def _tick_labels(ax: Axes, which: str, *, minor: bool = False) -> list[Text]:
    """The tick labels of one axis that a draw shows (visible, non-empty, tick inside the view)."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    if not (ax.get_visible() and ax.axison and axis.get_visible()):
        return []
    lo, hi = sorted(axis.get_view_interval())
    slack = 1e-9 * (abs(hi - lo) or 1.0)
    labels = []
    for tick in axis.get_minor_ticks() if minor else axis.get_major_ticks():
        loc = tick.get_loc()
        if loc is None or not lo - slack <= loc <= hi + slack:
            continue
        labels += [t for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text().strip()]
    return labels


def _unrotated_height(t: Text, renderer) -> float:
    rotation = t.get_rotation()
    t.set_rotation(0)
    try:
        return t.get_window_extent(renderer).height
    finally:
        t.set_rotation(rotation)


def _overlaps(labels: list[Text], which: str, renderer) -> list[tuple[str, str]]:
    pairs = []
    items = sorted(((t.get_window_extent(renderer), t) for t in labels),
                   key=lambda bt: bt[0].x0 if which == "x" else bt[0].y0)
    for (b1, t1), (b2, t2) in zip(items, items[1:]):
        angle = math.radians(t1.get_rotation() % 180)
        if which == "x" and 1e-3 < angle < math.pi - 1e-3:
            # parallel rotated labels: their baselines are dx * sin(angle) apart; each needs its own height
            dx = abs(((b2.x0 + b2.x1) - (b1.x0 + b1.x1)) / 2)
            need = max(_unrotated_height(t1, renderer), _unrotated_height(t2, renderer))
            if dx * abs(math.sin(angle)) + TOLERANCE_PX < need:
                pairs.append((t1.get_text(), t2.get_text()))
        else:
            inter = Bbox.intersection(b1, b2)
            if inter is not None and inter.width > TOLERANCE_PX and inter.height > TOLERANCE_PX:
                pairs.append((t1.get_text(), t2.get_text()))
    return pairs


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def problems(fig: Figure, *, bbox_inches: object = None, column_px: float = COLUMN_PX,
             min_display_px: float = MIN_DISPLAY_PX) -> list[str]:
    """Every problem of a figure as drawn, one sentence each (empty when it passes).

    ``bbox_inches``: as passed to ``savefig``; with ``"tight"`` the canvas holds every artist, so
    clipping is not checked. The figure is drawn once with its own renderer.
    """
    original = fig.canvas
    canvas_ = original if hasattr(original, "get_renderer") else FigureCanvasAgg(fig)  # a closed figure
    try:
        canvas_.draw()
        return _problems(fig, canvas_.get_renderer(), bbox_inches, column_px, min_display_px)
    finally:
        if canvas_ is not original:
            fig.set_canvas(original)


def _problems(fig: Figure, renderer, bbox_inches: object, column_px: float, min_display_px: float) -> list[str]:
    name = _short(figure_name(fig))
    found: list[str] = []
    canvas = fig.bbox
    width_px = canvas.width
    shrink = min(1.0, column_px / width_px) if width_px > 0 else 1.0
    for t in _visible_texts(fig):
        box = t.get_window_extent(renderer)
        if bbox_inches != "tight" and (box.x0 < canvas.x0 - TOLERANCE_PX or box.x1 > canvas.x1 + TOLERANCE_PX
                                       or box.y0 < canvas.y0 - TOLERANCE_PX or box.y1 > canvas.y1 + TOLERANCE_PX):
            found.append(f"{name!r}: text {_short(t.get_text())!r} runs outside the canvas")
        clip = t.get_clip_box() if t.get_clip_on() else None
        if clip is not None and (box.x0 < clip.x0 - TOLERANCE_PX or box.x1 > clip.x1 + TOLERANCE_PX
                                 or box.y0 < clip.y0 - TOLERANCE_PX or box.y1 > clip.y1 + TOLERANCE_PX):
            axes = t.axes.bbox if t.axes is not None else None
            if axes is None or max(abs(clip.x0 - axes.x0), abs(clip.x1 - axes.x1), abs(clip.y0 - axes.y0),
                                   abs(clip.y1 - axes.y1)) <= TOLERANCE_PX:
                found.append(f"{name!r}: text {_short(t.get_text())!r} is cut off at the edge of its axes (it is "
                             f"clipped to them, clip_on=True): move it inside, or draw it unclipped")
            else:  # clipped to a rectangle of its own (set_clip_path), such as the box a diagram's label sits in
                found.append(f"{name!r}: text {_short(t.get_text())!r} is cut off at the edge of the shape it "
                             f"is clipped to (its box): make the box larger or the text shorter")
        path = t.get_clip_path() if t.get_clip_on() else None
        if path is not None:  # clipped to a shape, such as the box a diagram's label sits in
            inner = path.get_fully_transformed_path().get_extents()
            if (box.x0 < inner.x0 - TOLERANCE_PX or box.x1 > inner.x1 + TOLERANCE_PX
                    or box.y0 < inner.y0 - TOLERANCE_PX or box.y1 > inner.y1 + TOLERANCE_PX):
                found.append(f"{name!r}: text {_short(t.get_text())!r} is cut off at the edge of the shape it "
                             f"is clipped to (its box): make the box larger or the text shorter")
        shown = t.get_fontsize() * fig.dpi / 72 * shrink
        if shown < min_display_px:
            found.append(f"{name!r}: text {_short(t.get_text())!r} is {shown:.1f} px high at a {column_px:.0f} px "
                         f"column (font {t.get_fontsize():g} pt); at least {min_display_px:g} px reads")
    for ax in fig.axes:
        for which in ("x", "y"):
            for a, b in _overlaps(_tick_labels(ax, which) + _tick_labels(ax, which, minor=True), which, renderer):
                found.append(f"{name!r}: {which}-tick labels {_short(a)!r} and {_short(b)!r} overlap")
    return list(dict.fromkeys(found))


def check(fig: Figure, *, mode: str = "error", bbox_inches: object = None) -> list[str]:
    """Run :func:`problems`; raise (``"error"``) or warn (``"warn"``) when there are any. Returns them."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "off":
        return []
    found = problems(fig, bbox_inches=bbox_inches)
    if found:
        message = "figure check failed:\n- " + "\n- ".join(found)
        if mode == "error":
            raise FigureCheckError(message)
        _warn(message)
    return found


def log_path(environ: dict[str, str] | None = None) -> Path | None:
    """Where warn mode writes: ``FFN_LIB_FIGURE_LOG`` if set; while the book is built (``FFN_LIB_BOOK=1``)
    ``_build/figure-check.log`` beside the package's repository (``make book`` creates ``_build``); else None
    (stderr)."""
    env = os.environ if environ is None else environ
    if env.get(LOG_ENV):
        return Path(env[LOG_ENV])
    build = Path(__file__).resolve().parent.parent / "_build"
    return build / "figure-check.log" if env.get("FFN_LIB_BOOK") == "1" and build.is_dir() else None


def _warn(message: str) -> None:
    """Warn mode: append to :func:`log_path` (a notebook kernel sends even the process's stderr to the page, so
    the book build writes a file that ``tests/test_figure_check.py`` reads), or print to stderr. A log older
    than the build's start (``_build/.book-inputs``, written first by ``make book``) is a previous build's and
    is started afresh."""
    path = log_path()
    line = f"{FigureCheckWarning.__name__}: {message}"
    if path is None:
        print(line, file=sys.stderr, flush=True)
        return
    started = path.parent / ".book-inputs"
    stale = path.exists() and started.exists() and path.stat().st_mtime < started.stat().st_mtime
    with open(path, "w" if stale else "a", encoding="utf-8") as f:
        f.write(line + "\n")


_ORIGINAL = FigureCanvasBase.print_figure
_state = {"mode": "off"}


@functools.wraps(_ORIGINAL)
def _checked_print_figure(self, *args, **kwargs):
    figure_text.translate(self.figure)   # the reader's language first, so the check sees what is drawn
    result = _ORIGINAL(self, *args, **kwargs)
    if _state["mode"] != "off" and not getattr(self.figure, "_ffn_skip_check", False):
        check(self.figure, mode=_state["mode"], bbox_inches=kwargs.get("bbox_inches"))
    return result


def install(mode: str = "error") -> None:
    """Check every figure saved from now on (``savefig``, Jupyter's inline display) in ``mode``."""
    if mode not in MODES:
        raise ValueError(f"{ENV} / mode must be one of {MODES}, got {mode!r}")
    _state["mode"] = mode
    FigureCanvasBase.print_figure = _checked_print_figure   # "off": no check, but figures are still translated


def mode_from_env(environ: dict[str, str] | None = None) -> str:
    """``FFN_LIB_FIGURE_CHECK`` if set, else ``"warn"`` while the book is built (``FFN_LIB_BOOK=1``), else off."""
    env = os.environ if environ is None else environ
    mode = env.get(ENV, "").strip().lower()
    if mode:
        if mode not in MODES:
            raise ValueError(f"{ENV} must be one of {MODES}, got {mode!r}")
        return mode
    return "warn" if env.get("FFN_LIB_BOOK") == "1" else "off"


def install_from_env() -> str:
    """:func:`install` in the mode :func:`mode_from_env` gives; returns the mode."""
    mode = mode_from_env()
    install(mode)
    return mode


def all_problems(figures: Iterable[Figure], **kwargs) -> list[str]:
    """:func:`problems` of several figures, concatenated."""
    return [p for fig in figures for p in problems(fig, **kwargs)]
