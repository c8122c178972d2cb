"""Every command has --help; shell completion is click's, with pids from the daemon."""

from __future__ import annotations

import click
import pytest

from prunus.cli import main
from tests.cli.helpers import invoke


def all_commands(group: click.Group = main, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*path, name))


COMMANDS = sorted(path for path, _ in all_commands())


def test_the_cli_has_every_command_of_the_issue():
    assert set(COMMANDS) >= {
        ("run",),
        ("submit",),
        ("console",),
        ("daemon", "start"),
        ("daemon", "stop"),
        ("daemon", "status"),
        *(
            ("process", verb)
            for verb in (
                "list",
                "show",
                "status",
                "report",
                "outputs",
                "watch",
                "pause",
                "play",
                "kill",
            )
        ),
    }


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_its_usage_and_home_option(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: prunus {' '.join(path)}")
    command = dict(all_commands())[path]
    if not isinstance(command, click.Group):
        assert "--home" in result.stdout  # and PRUNUS_HOME, the option's envvar
        assert command.help and len(command.help.split("\n")[0]) < 90


@pytest.mark.parametrize("path", [p for p, c in all_commands() if not isinstance(c, click.Group)])
def test_every_reading_command_has_json_and_every_daemon_call_a_timeout(path):
    names = {param.name for param in dict(all_commands())[path].params}
    if path[0] == "process" and path[1] in ("list", "show", "status", "report", "outputs", "watch"):
        assert "as_json" in names
    # (cache list / invalidate read the home's memo database directly: no daemon call)
    if path not in (("daemon", "start"), ("cache", "list"), ("cache", "invalidate")):
        assert "timeout" in names


def test_a_usage_error_names_the_problem_and_exits_2():
    result = invoke("process", "list", "--bogus")
    assert result.exit_code == 2
    assert "No such option '--bogus'" in result.stderr


def complete(words: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash completion offers for ``prunus WORDS`` (the last word being typed)."""
    parts = words.split(" ")
    result = invoke(
        env={
            "_PRUNUS_COMPLETE": "bash_complete",
            "COMP_WORDS": " ".join(["prunus", *parts]),
            "COMP_CWORD": str(len(parts)),
            **(env or {}),
        },
    )
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_shell_completion_completes_commands_and_options():
    assert complete("pro") == ["process"]
    assert set(complete("process p")) == {"pause", "play"}
    assert "--no-cascade" in complete("process pause --no")


def test_shell_completion_completes_pids_from_the_daemon_only(daemon_home):
    from prunus import Client

    with Client.connect(daemon_home) as client:
        pid = client.submit("tests.workflows:Leaf", {"x": 1})
        client.wait(pid, timeout=10)
    assert complete(f"process show {pid[:6]}", {"PRUNUS_HOME": str(daemon_home)}) == [pid]
    assert complete(f"process show --home {daemon_home} {pid[:6]}") == [pid]
    assert complete(f"process show --home {daemon_home}/nothing {pid[:6]}") == []
