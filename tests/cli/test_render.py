"""Tables and trees: plain text when piped, rich on a terminal; each library in one module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from prunus.cli._render import Output, state_style

CLI = Path(__file__).resolve().parents[2] / "prunus" / "cli"


def test_plain_tables_align_columns_under_the_header(capsys):
    Output(rich=False).table(
        ["PID", "STATE", "STEP"], [["a1", "RUNNING", "count"], ["a1.0", "FINISHED", ""]]
    )
    assert capsys.readouterr().out.splitlines() == [
        "PID   STATE     STEP",
        "a1    RUNNING   count",
        "a1.0  FINISHED",
    ]


def test_plain_trees_indent_two_spaces_per_level_and_skip_empty_cells(capsys):
    Output(rich=False).tree([(0, ["p", "Fan", "WAITING", ""]), (1, ["p.0", "Leaf", "RUNNING"])])
    assert capsys.readouterr().out == "p  Fan  WAITING\n  p.0  Leaf  RUNNING\n"


def test_plain_fields_align_names(capsys):
    Output(rich=False).fields([("pid", "p"), ("exit code", "0")], indent=2)
    assert capsys.readouterr().out == "  pid        p\n  exit code  0\n"


def test_on_a_terminal_trees_and_tables_are_drawn_with_colour(capsys):
    out = Output(rich=True)
    out.tree([(0, ["p", "Fan", "WAITING"]), (1, ["p.0", "Leaf", "EXCEPTED"])])
    out.table(["PID", "STATE"], [["p", "KILLED"]])
    text = capsys.readouterr().out
    assert "└── " in text  # the tree's guides
    assert "\x1b[33mWAITING" in text  # yellow
    assert "\x1b[1;31mEXCEPTED" in text  # bold red
    assert "───" in text  # the table's header rule


def test_json_is_never_coloured(capsys):
    Output(rich=True).json({"state": "FINISHED"})
    assert capsys.readouterr().out == '{\n  "state": "FINISHED"\n}\n'


def test_paused_states_are_italic():
    assert state_style("WAITING (paused)") == "yellow italic"
    assert state_style("FINISHED") == "green"


def importers(library: str) -> set[str]:
    found = set()
    for path in CLI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(name == library or name.startswith(library + ".") for name in names):
                found.add(path.name)
    return found


@pytest.mark.parametrize(
    ("library", "seam"),
    [("rich", "_render.py"), ("prompt_toolkit", "_prompt.py"), ("yaml", "_data_files.py")],
)
def test_each_library_of_the_cli_is_imported_by_one_module(library, seam):
    assert importers(library) == {seam}
