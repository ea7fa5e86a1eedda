"""The README's map of ffn_lib names every module, so a newcomer finds each one from it."""

import re
from pathlib import Path

from conftest import ROOT

PACKAGE = Path(ROOT) / "ffn_lib"
PRIVATE_LISTED = {"_launch", "_ops"}  # private modules a reader of the kernels should still find


def _map() -> set[str]:
    readme = (Path(ROOT) / "README.md").read_text()
    start = readme.index("Where things live")
    table = readme[start:readme.index("\n\n", readme.index("| concern |", start))]
    return set(re.findall(r"`([a-z_/0-9]+)", table))


def test_the_module_map_names_every_module():
    named = _map()
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = parts[-1]
        if "solutions" in parts or name in ("__init__", "__main__") or re.fullmatch(r"chapter\d+", name):
            continue
        if name.startswith("_") and name not in PRIVATE_LISTED:
            continue  # private helpers (_arrays, _checks, _fake_device, _cases, _numeric)
        if name not in named and "/".join(parts) not in named:
            missing.append("/".join(parts))
    missing += [p.name for p in sorted(PACKAGE.iterdir()) if (p / "__init__.py").exists() and p.name not in named]
    assert not missing, f"README's module map does not name: {missing}"
