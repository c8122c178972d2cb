"""The architecture's rules, checked on the source: each third-party library sits
behind exactly one module (STYLE.md: seams), and the layers import downwards only.

The import graph is read with ``ast`` (every import statement, also those inside
functions; not those under ``if TYPE_CHECKING:``), so the rules need no extra tool.
The same graph, built with grimp, showed one cycle of 19 modules across engine,
actors and control before ``Process.execute`` got its executor by injection.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
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


# ---- layers -------------------------------------------------------------------------

# The pure layers never import the runtime layers above them, not even indirectly.
PURE = ("engine", "spec", "persistence")
RUNTIME = ("actors", "control", "cli")


def module_names(package: Path) -> dict[str, Path]:
    """``prunus.engine._process`` -> its file, for every module of the package."""
    names = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement except those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for branch in node.orelse for n in _runtime_imports(branch))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _runtime_imports(node)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports."""
    modules = module_names(package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        imported: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                # ``from p import name``: the submodule p.name if there is one, else p
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    imported.add(target)
                    break
        graph[name] = imported
    return graph


def layer_of(module: str) -> str:
    """``prunus.engine._process`` -> ``engine``; ``prunus.errors`` -> ``errors``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def layer_cycles(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Pairs of layers that reach each other through imports (a cycle between them)."""
    layers: dict[str, set[str]] = {layer_of(module): set() for module in graph}
    for importer, targets in graph.items():
        for target in targets:
            if layer_of(importer) != layer_of(target):
                layers[layer_of(importer)].add(layer_of(target))
    return sorted(
        (a, b) for a in layers for b in reachable(layers, a) if a < b and a in reachable(layers, b)
    )


@pytest.mark.parametrize("layer", PURE)
def test_the_pure_layers_never_import_actors_control_or_cli(layer):
    graph = import_graph(PACKAGE)
    found = {
        f"{module} reaches {target}"
        for module in graph
        if layer_of(module) == layer
        for target in reachable(graph, module)
        if layer_of(target) in RUNTIME
    }
    assert sorted(found) == []


def test_control_and_cli_use_only_the_public_face_of_actors():
    graph = import_graph(PACKAGE)
    private = {
        f"{module} imports {target}"
        for module in graph
        if layer_of(module) in ("control", "cli")
        for target in graph[module]
        if target.startswith("prunus.actors._")
    }
    assert sorted(private) == []


def test_no_two_layers_import_each_other():
    assert layer_cycles(import_graph(PACKAGE)) == []


def test_the_layer_check_finds_a_cycle_made_by_an_import_inside_a_function(tmp_path):
    package = tmp_path / "prunus"
    for folder, text in {
        "engine": "def execute():\n    from prunus.control import run\n",
        "control": "from prunus.actors import host\nrun = 1\n",
        "actors": "from typing import TYPE_CHECKING\nfrom . import host\n"
        "if TYPE_CHECKING:\n    from prunus.cli import x\n",
    }.items():
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text(text)
    (package / "actors" / "host.py").write_text("from ..engine import execute\n")
    (package / "cli").mkdir()
    (package / "cli" / "__init__.py").write_text("x = 1\n")
    graph = import_graph(package)
    assert graph["prunus.actors"] == {"prunus.actors.host"}  # TYPE_CHECKING: not counted
    assert graph["prunus.actors.host"] == {"prunus.engine"}
    assert layer_cycles(graph) == [
        ("actors", "control"),
        ("actors", "engine"),
        ("control", "engine"),
    ]
    assert "prunus.control" in reachable(graph, "prunus.engine")
