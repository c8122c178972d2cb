"""The --when option parses the condition grammar; a malformed one is one line, exit 2."""

from __future__ import annotations

import click
from click.testing import CliRunner

from prunus import Pid
from prunus.cli._errors import ErrorReportingGroup
from prunus.cli._when import when_option


@click.group(cls=ErrorReportingGroup)
def group() -> None:
    pass


@group.command("show-when")
@when_option
def show_when(when) -> None:
    """Echo what --when parsed to (the submit command will pass it on instead)."""
    click.echo(repr(when) if when is None else f"{type(when).__name__}: {when}")


def invoke(*args):
    return CliRunner().invoke(group, ["show-when", *args], prog_name="prunus")


def test_a_well_formed_expression_reaches_the_command_as_a_condition():
    result = invoke("--when", "ab12.finished_ok & (cd34.2.completed | ~ef56.killed)")
    assert result.exit_code == 0, result.output
    expected = Pid("ab12").finished_ok & (Pid("cd34.2").completed | ~Pid("ef56").killed)
    assert result.output == f"And: {expected}\n"


def test_without_the_option_the_command_gets_none():
    assert invoke().output == "None\n"


def test_a_malformed_expression_is_one_line_naming_the_column_with_exit_2():
    result = invoke("--when", "ab12.finished_ok cd34.completed")
    assert result.exit_code == 2
    assert result.output == (
        "Error: --when 'ab12.finished_ok cd34.completed': at column 18: "
        "expected '&', '|' or the end, got 'cd34.completed'\n"
    )


def test_the_help_names_the_atoms():
    result = invoke("--help")
    assert "--when EXPR" in result.output and "PID.finished_ok" in result.output
