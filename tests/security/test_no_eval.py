"""No code is ever built from text: no ``eval``/``exec``/``compile`` in prunus (a seam
rule, next to "no pickle" in tests/test_seams.py)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "prunus"
FORBIDDEN = {"eval", "exec", "compile", "__import__"}  # called by name
FORBIDDEN_METHODS = {"eval", "exec"}  # builtins.exec(...); ``re.compile`` is fine


def calls_that_run_text(package: Path) -> list[str]:
    found = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None)
                method = getattr(node.func, "attr", None)
                if name in FORBIDDEN or method in FORBIDDEN_METHODS:
                    name = name or method
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno} {name}")
    return found


def test_nothing_in_prunus_evaluates_or_executes_text():
    assert calls_that_run_text(PACKAGE) == []


def test_the_scanner_finds_eval_and_exec_in_any_form(tmp_path, monkeypatch):
    sample = tmp_path / "prunus" / "mod.py"
    sample.parent.mkdir()
    sample.write_text(
        "import builtins, re\nx = eval('1')\nbuiltins.exec('y = 2')\nre.compile('z')\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", sample.parent)
    assert calls_that_run_text(PACKAGE) == ["prunus/mod.py:2 eval", "prunus/mod.py:3 exec"]
