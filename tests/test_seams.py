"""Each third-party library sits behind exactly one module (STYLE.md: seams)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "prunus"

SEAMS = {
    "thespian": {"prunus/actors/_thespian.py"},
    "msgpack": {"prunus/persistence/_codec.py"},
    "lmdb": {"prunus/persistence/_lmdb_store.py"},
    "pickle": set(),
    "cloudpickle": set(),
    "dill": set(),
}


def importers_of(library: str) -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(name == library or name.startswith(library + ".") for name in names):
                found.add(str(path.relative_to(PACKAGE.parent)))
    return found


@pytest.mark.parametrize("library", sorted(SEAMS))
def test_each_library_is_imported_only_by_its_seam_module(library):
    assert importers_of(library) == SEAMS[library]


def test_the_import_scanner_finds_imports_in_any_form(tmp_path, monkeypatch):
    sample = tmp_path / "prunus" / "mod.py"
    sample.parent.mkdir()
    sample.write_text("import thespian.actors\nfrom thespian import troupe\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", sample.parent)
    assert importers_of("thespian") == {"prunus/mod.py"}
