"""No import cycles in ffn_lib: every import of every module, at module level or inside a function.

The graph is read from the source with ``ast`` (nothing is imported): an edge A -> B for each
``import``/``from ... import`` in A that names B, relative or absolute, wherever it is written
(an import inside a function closes a cycle as surely as one at the top, only later). Imports
under ``if TYPE_CHECKING:`` are skipped: they never run. ``from pkg import name`` is an edge to
the submodule ``pkg.name`` when there is one, else to ``pkg`` itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Cycles tolerated for now, each as the set of modules it passes through. There are none left (the
# exercises' core <-> page and the kernels' __init__ <-> _ops were removed this round: _ops is handed the
# package's launchers by ``register(host)`` instead of importing them); the set may only
# shrink, so a new cycle fails the first test.
KNOWN_CYCLES: set[frozenset[str]] = set()


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under ``package_dir`` (a package)."""
    base = package_dir.parent
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(tree: ast.AST):
    """Every Import / ImportFrom node, at any depth, except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        children = list(ast.iter_child_nodes(node))
        if _type_checking_only(node):
            children = list(node.orelse)
        stack.extend(children)


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name ``from <...> import`` refers to, from inside ``module``."""
    if node.level == 0:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _deepest_known(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` if it is one of ``modules``, else its nearest enclosing module that is (``a.b.func`` -> ``a.b``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (anywhere in its source)."""
    modules = module_files(package_dir)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve_from(module, path.name == "__init__.py", node)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                found = _deepest_known(target, modules)
                if found is not None and found != module:
                    graph[module].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a list of modules, the first repeated at the end) per strongly connected component."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_one_cycle(graph, component) for component in components]


def _one_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A path through ``component`` from its first module back to it (breadth first: a shortest one)."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & component):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"{sorted(component)} is not strongly connected")


def _describe(found: list[list[str]]) -> str:
    return "\n".join("  " + " -> ".join(cycle) for cycle in found)


# --- the graph reader, on a package written for the test ---------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_relative_absolute_and_function_level_imports_are_edges(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "from .a import f\n",
        "a.py": "from . import b\n",
        "b.py": "import pkg.sub.c\n",
        "sub/__init__.py": "",
        "sub/c.py": "def g():\n    from ..a import f\n    from .. import b\n",
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\nimport os\n",
    })
    graph = import_graph(root)
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.sub.c"}, "pkg.sub": set(),
                     "pkg.sub.c": {"pkg.a", "pkg.b"}, "pkg.d": set()}
    found = cycles(graph)
    assert sorted(map(frozenset, found)) == sorted([frozenset({"pkg.a", "pkg.b", "pkg.sub.c"})])
    assert found[0][0] == found[0][-1] == "pkg.a" and len(found[0]) == 4  # a -> b -> sub.c -> a


def test_no_cycle_where_there_is_none(tmp_path):
    root = _package(tmp_path, {"__init__.py": "from . import a, b\n", "a.py": "from .b import x\n",
                               "b.py": "x = 1\n"})
    assert cycles(import_graph(root)) == []


# --- ffn_lib itself ------------------------------------------------------------------------------


def test_ffn_lib_has_no_new_import_cycle():
    found = cycles(import_graph(ROOT / "ffn_lib"))
    new = [c for c in found if frozenset(c) not in KNOWN_CYCLES]
    assert not new, "import cycles in ffn_lib (module-level or inside functions):\n" + _describe(new)


def test_the_known_cycles_are_still_there():
    """KNOWN_CYCLES must shrink: a cycle that has been removed comes out of the set too."""
    found = {frozenset(c) for c in cycles(import_graph(ROOT / "ffn_lib"))}
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    if gone:
        pytest.fail(f"these known cycles are gone; remove them from KNOWN_CYCLES in {Path(__file__).name}: {gone}")
