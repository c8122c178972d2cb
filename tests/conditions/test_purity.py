"""prunus.conditions is pure: it reads the engine's types and the codec, nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "prunus" / "conditions"
ALLOWED = (
    "prunus._attributes_dict",
    "prunus.conditions",
    "prunus.engine",
    "prunus.errors",
    "prunus.persistence._codec",
    "prunus.spec",
)


def prunus_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("prunus"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("prunus"))
    return found


def test_conditions_import_no_actors_no_store_and_no_client():
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 5
    for path in modules:
        bad = {m for m in prunus_imports(path) if not m.startswith(ALLOWED)}
        assert not bad, f"{path.name} imports {bad}"
