"""Figures in the reader's language: every text of a figure that is a catalogue message is translated as the
figure is drawn to a file or a notebook (``figure_check``'s hook on ``print_figure`` calls :func:`translate`).

So a chapter's code keeps its plain English labels (``ax.set(title="GELU and its approximations")``) and a
Chinese reader's figure says 「GELU 及其近似」. Names and numbers, which are not messages, stay as they are.

Chinese text needs a font with CJK glyphs; matplotlib's own DejaVu Sans has none. Policy: use Noto Sans CJK SC
from the ``mplfonts`` package when it is installed (the book's extra installs it), else the first CJK font the
system has (:data:`SYSTEM_FONTS`); with neither, figures keep their English text and one warning says why:
English is better than empty boxes.
"""
from __future__ import annotations

import re
import warnings
from functools import lru_cache

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from . import i18n
from .i18n import N_

SYSTEM_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "SimHei", "Heiti SC")
_MPLFONTS_FILE = "fonts/NotoSansCJKsc-Regular.otf"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


@lru_cache(maxsize=None)
def cjk_family() -> str | None:
    """The family name of a font with Chinese glyphs that matplotlib can use, or None (see the policy above)."""
    try:
        from importlib.resources import files
        path = files("mplfonts").joinpath(_MPLFONTS_FILE)
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    except ModuleNotFoundError:
        pass
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in SYSTEM_FONTS if name in known), None)


def use_cjk_fallback() -> bool:
    """In Chinese, every text drawn from now on falls back to the CJK font for glyphs DejaVu Sans lacks
    (``font.family`` becomes [DejaVu Sans, CJK]); and matplotlib's "no bold weight" notice for a CJK font with
    one weight (it draws the regular weight) is kept out of the page. Returns whether the fallback is on."""
    import logging

    import matplotlib

    family = cjk_family() if i18n.language() != "en" else None
    if family is None:
        return False
    current = matplotlib.rcParams["font.family"]
    first = current[0] if current else "DejaVu Sans"
    if family not in current:
        matplotlib.rcParams["font.family"] = [first, family]
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return True


# Labels a chapter's code builds with an f-string (legend entries such as f"batch of {n:,}"): the template is the
# message; a label it fullmatches is drawn from the template's translation with the same values.
TEMPLATES = (N_("batch of {n}"),)


@lru_cache(maxsize=None)
def _template_pattern(template: str) -> tuple[re.Pattern, tuple[str, ...]]:
    import string

    parts = list(string.Formatter().parse(template))
    names = tuple(name for _, name, _, _ in parts if name)
    pattern = "".join(re.escape(lit) + ("(.+?)" if name else "") for lit, name, _, _ in parts)
    return re.compile(pattern, re.S), names


def translate_label(text: str) -> str:
    """A figure label in the current language: its translation where it is a message, else, where it was made
    from one of :data:`TEMPLATES`, that template's translation with the same values, else the label itself."""
    out = i18n.translate_text(text)
    if out != text or not isinstance(text, str):
        return out
    for template in TEMPLATES:
        pattern, names = _template_pattern(template)
        found = pattern.fullmatch(text)
        if found:
            return i18n.gettext(template).format(**dict(zip(names, found.groups())))
    return text


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


def translate(fig: Figure) -> int:
    """Translate ``fig``'s texts that are messages into the current language; returns how many changed."""
    if i18n.language() == "en":
        return 0
    family = cjk_family()
    if family is None:
        if not getattr(translate, "_warned", False):
            translate._warned = True
            warnings.warn("no font with Chinese glyphs for figures (pip install mplfonts, or install Noto Sans "
                          "CJK SC): figure text stays in English", stacklevel=2)
        return 0
    changed = 0
    for t in _texts(fig):
        text = t.get_text()
        out = translate_label(text)
        if out != text:
            t.set_text(out)
            changed += 1
        if _CJK.search(out):   # translated here or already Chinese (a library label written with tr)
            first = t.get_fontfamily()[0] if t.get_fontfamily() else "DejaVu Sans"
            if "$" in out:
                # mathtext draws the words around $...$ in ONE font (the first the family finds), with no
                # fallback: the CJK font first, which has Latin letters too
                t.set_fontfamily([family])
            else:
                t.set_fontfamily([first, family] if first != family else [family])
    return changed
