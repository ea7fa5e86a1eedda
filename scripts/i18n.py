"""Keep the course's two kinds of gettext catalogue in step with their English source.

    python scripts/i18n.py library   # ffn_lib's messages (tr / ntr / N_ calls) -> ffn_lib/locale/zh_CN/.../ffn_lib.po
    python scripts/i18n.py book      # the pages' and notebooks' prose (Sphinx gettext) -> locales/zh_CN/LC_MESSAGES/
    python scripts/i18n.py status    # what is left to translate, file by file

Both keep every translation whose English is unchanged; a changed message keeps its old translation marked fuzzy
(a hint for the translator) and a new one starts empty. tests/test_i18n*.py fail on either, so an English change
without its Chinese cannot land.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LIBRARY_PO = ROOT / "ffn_lib" / "locale" / "zh_CN" / "LC_MESSAGES" / "ffn_lib.po"
BOOK_LOCALES = ROOT / "locales"
BOOK_POT = ROOT / "_build" / "gettext"
KEYWORDS = {"tr": 1, "N_": 1, "ntr": 2, "gettext": 1}
# ffn_lib.plotting translates these arguments itself (translate_text), so literal ones in notebooks are messages.
PLOT_ARGUMENTS = {"title", "xlabel", "ylabel", "suptitle", "label", "caption"}
PLOT_METHODS = {"set_title", "set_xlabel", "set_ylabel", "suptitle", "set_label", "supxlabel", "supylabel"}


def _is_label(text: str) -> bool:
    """A figure text worth translating: words, not a symbol or a name ("x", "GELU", "d_ff")."""
    return " " in text.strip() or any(len(w) >= 4 and w.islower() for w in text.split())


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def messages_in(source: str, where: str, *, plot_arguments: bool = False) -> list[tuple[str, str | None, str]]:
    """(msgid, msgid_plural, location) for each marked message in Python ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else (
            node.func.attr if isinstance(node.func, ast.Attribute) else None)
        if name in KEYWORDS and node.args:
            first = _literal(node.args[0])
            plural = _literal(node.args[1]) if KEYWORDS[name] == 2 and len(node.args) > 1 else None
            if first:
                found.append((first, plural, f"{where}:{node.lineno}"))
        if plot_arguments and name in PLOT_METHODS and node.args:
            text = _literal(node.args[0])
            if text and _is_label(text):
                found.append((text, None, f"{where}:{node.lineno}"))
        if plot_arguments:
            for kw in node.keywords:
                text = _literal(kw.value) if kw.arg in PLOT_ARGUMENTS else None
                if text and _is_label(text):
                    found.append((text, None, f"{where}:{node.lineno}"))
    return found


def _is_phrase(text: str) -> bool:
    """A literal in a chapter's code that a reader sees as words: two words or more ("the FFN block")."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return len(words) >= 2 and "\n" not in text.strip() and not text.lstrip().startswith(("#", "%", "{"))


def phrases_in_code(source: str, where: str) -> list[tuple[str, str | None, str]]:
    """A chapter's own labels: the string literals of its code cells that are phrases (variant names, titles,
    legend entries). Not the arguments of print() (code and what it prints stay as written), not docstrings,
    not f-strings; the library translates these labels where it shows them (tables, sentences, figures)."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            skip |= {id(n) for arg in node.args for n in ast.walk(arg)}
        if isinstance(node, ast.JoinedStr):
            skip |= {id(n) for n in ast.walk(node)}
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.body and isinstance(node.body[0], ast.Expr):
            skip.add(id(node.body[0].value))
    return [(n.value, None, f"{where}:{n.lineno}") for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip and _is_phrase(n.value)]


EXERCISE_FIELDS = {"title", "statement", "hints", "options", "mistakes", "note", "policy"}


def _strings(node: ast.AST):
    """The string literals of a value: itself, or the items of a list/tuple/dict (values), recursively."""
    if _literal(node):
        yield node
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for item in node.elts:
            yield from _strings(item)
    elif isinstance(node, ast.Dict):
        for item in node.values:
            yield from _strings(item)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        yield from _strings(node.func.value)   # "... {c}".format(c=c): the template is the message


def exercise_messages(source: str, where: str) -> list[tuple[str, str | None, str]]:
    """What the exercises say, by where it is written rather than by a marker: an exercise's ``title``,
    ``statement``, ``hints``, ``options`` and ``mistakes`` (keyword arguments), a ``Solution``'s explanation
    (its first argument), and the text tables of the exercise modules (module-level UPPER_CASE dicts of
    strings). The exercise code translates them where it shows them (``tr``)."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        values = []
        if isinstance(node, ast.Call):
            values += [kw.value for kw in node.keywords if kw.arg in EXERCISE_FIELDS]
            if isinstance(node.func, ast.Name) and node.func.id == "Solution" and node.args:
                values.append(node.args[0])
        for value in values:
            found += [(n.value, None, f"{where}:{n.lineno}") for n in _strings(value) if n.value.strip()]
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id.isupper() and isinstance(node.value, ast.Dict)):
            found += [(n.value, None, f"{where}:{n.lineno}") for n in _strings(node.value)
                      if any(c.isalpha() for c in n.value) and " " in n.value]
    return found


CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)


def page_code_cells(text: str) -> list[str]:
    """The code of a MyST page's ``{code-cell}`` blocks, their option lines (``:tags: ...``) blanked, so that the
    line numbers stay those of the cell."""
    cells = []
    for match in CODE_CELL.finditer(text):
        lines, options = match.group(1).splitlines(), True
        for i, line in enumerate(lines):
            options = options and line.startswith(":")
            if options:
                lines[i] = ""
        cells.append("\n".join(lines))
    return cells


# The text a reader gets from a code cell's metadata rather than its code: a figure's alt text, which myst-nb puts
# on the image (``mystnb.image.alt``). Sphinx's gettext does not see cell metadata, so these are ffn_lib's messages
# and the zh edition swaps them in (book/_ext/edition.py, translate_alt_texts). Any other text a cell's mystnb
# metadata might hold (a ``figure.caption``) would need the same swap first: tests/test_i18n_alt.py refuses one.
MYSTNB_TEXTS = (("image", "alt"),)


def cell_metadata_texts(cells: list[dict], where: str) -> list[tuple[str, str | None, str]]:
    """(text, None, ``where:<cell id>``) for each non-empty :data:`MYSTNB_TEXTS` entry of a notebook's ``cells``."""
    found = []
    for cell in cells:
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        for group, key in MYSTNB_TEXTS:
            text = mystnb.get(group, {}).get(key) if isinstance(mystnb.get(group), dict) else None
            if isinstance(text, str) and text.strip():
                if not cell.get("id"):
                    raise ValueError(f"{where}: a cell with mystnb.{group}.{key} has no id (the catalogue names "
                                     "the cell by it)")
                found.append((text, None, f"{where}:{cell['id']}"))
    return found


def library_messages() -> list[tuple[str, str | None, str]]:
    """Every message of ffn_lib's catalogue: the library's marked calls, the notebooks' figure labels and alt
    texts (cell metadata, :func:`cell_metadata_texts`) and the marked calls in the book pages' code cells."""
    found = []
    for path in sorted((ROOT / "ffn_lib").rglob("*.py")):
        found += messages_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
        if "exercises" in path.parts:
            found += exercise_messages(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                source = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines())
                where = f"{path.relative_to(ROOT)}#cell{i}"
                found += messages_in(source, where, plot_arguments=True) + phrases_in_code(source, where)
        found += cell_metadata_texts(cells, str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "book").glob("*.md")):
        for i, source in enumerate(page_code_cells(path.read_text(encoding="utf-8"))):
            found += messages_in(source, f"{path.relative_to(ROOT)}#cell{i}", plot_arguments=True)
    return found


def template() -> Catalog:
    cat = Catalog(project="ffn_lib", fuzzy=False)
    for msgid, plural, where in library_messages():
        path, _, line = where.rpartition(":")   # "ffn_lib/x.py:12": the catalogue keeps the file, not the line,
        # so a moved line changes nothing; "notebooks/x.ipynb:a004" names a cell (its id, digits or not): kept whole
        location = (path, int(line)) if line.isdigit() and not path.endswith(".ipynb") else (where, None)
        cat.add((msgid, plural) if plural else msgid, locations=[location])
    return cat


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale="zh_CN")


def update_library() -> Path:
    """Merge the source's messages into ffn_lib.po, keeping what is translated."""
    LIBRARY_PO.parent.mkdir(parents=True, exist_ok=True)
    cat = read(LIBRARY_PO) if LIBRARY_PO.exists() else Catalog(locale="zh_CN", project="ffn_lib")
    created = cat.creation_date
    cat.update(template())
    cat.creation_date = created   # a run that finds nothing new leaves the file as it was
    cat.obsolete.clear()
    cat.fuzzy = False
    with LIBRARY_PO.open("wb") as fh:
        write_po(fh, cat, width=0, omit_header=False, sort_output=False, include_lineno=False)
    return LIBRARY_PO


def extract_book() -> Path:
    """The pages' and notebooks' messages (.pot) by Sphinx's gettext builder, no notebook executed."""
    config = ROOT / "_build" / "config" / "_config.pot.yml"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "book_config.py"), "pot", str(config)], check=True)
    out = ROOT / "_build" / "pot"
    subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--config", str(config),
                    "--path-output", str(out), "--builder", "custom", "--custom-builder", "gettext", "-q"],
                   check=True)
    return out / "_build" / "gettext"


def update_book() -> None:
    pot = extract_book()
    subprocess.run([str(Path(sys.executable).parent / "sphinx-intl"), "update", "-p", str(pot), "-l", "zh_CN",
                    "-d", str(BOOK_LOCALES), "-w", "0"], check=True)
    for po in BOOK_LOCALES.rglob("*.po"):   # no obsolete entries kept: git has the history
        cat = read(po)
        if cat.obsolete:
            cat.obsolete.clear()
            with po.open("wb") as fh:
                write_po(fh, cat, width=0, include_lineno=False)


def status() -> list[tuple[str, int, int, int]]:
    """(file, messages, untranslated, fuzzy) for every zh_CN catalogue."""
    rows = []
    for po in [LIBRARY_PO, *sorted(BOOK_LOCALES.rglob("*.po"))]:
        if not po.exists():
            continue
        msgs = [m for m in read(po) if m.id]
        empty = sum(1 for m in msgs if not (m.string if isinstance(m.string, str) else all(m.string)))
        rows.append((str(po.relative_to(ROOT)), len(msgs), empty, sum(1 for m in msgs if m.fuzzy)))
    return rows


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "library":
        print("updated", update_library().relative_to(ROOT))
    elif what == "book":
        update_book()
    elif what == "status":
        for row in status():
            print("{:<70} {:>5} messages {:>5} untranslated {:>4} fuzzy".format(*row))
    else:
        raise SystemExit(__doc__)
