"""``prunus console``: an interactive admin console with history and tab completion.

The console's verbs are the CLI's own commands (``list``, ``show``, ``status``,
``report``, ``outputs``, ``watch``, ``pause``, ``play``, ``kill``, ``submit``), run
in-process through the same click code, so they take the same options, print the same
output and fail with the same one-line errors; an error ends the command, not the
console. One client is opened for the whole session (the daemon on the home if one
runs, else the home embedded) and handed to every command.

The prompt itself (line editing, history, completion) is ``_prompt``.
"""

from __future__ import annotations

import shlex
import traceback

import click

from prunus.cli._connect import describe_connection, home_path, open_client
from prunus.cli._errors import EXIT_ERROR, EXIT_INTERRUPTED
from prunus.cli._launch import submit_command
from prunus.cli._options import home_option, timeout_option
from prunus.cli._process_group import VERBS
from prunus.control import Client

__all__ = ["HISTORY_FILE", "console_command"]

HISTORY_FILE = "console_history"  # in the home: each home keeps its own history
_LEAVE = ("exit", "quit")
_LEAVING = object()  # what _run_line returns for exit/quit


def _commands() -> dict[str, click.Command]:
    """The console's verbs and the click commands they run."""
    commands = {command.name: command for command in VERBS}
    commands["submit"] = submit_command
    return commands  # type: ignore[return-value]


@click.command("console")
@home_option
@timeout_option
@click.pass_context
def console_command(ctx: click.Context, home: str | None, timeout: float) -> None:
    """An interactive admin console, with history and tab completion.

    It runs on the daemon of the home if one runs, else on the home itself. Verbs:
    list, show, status, report, outputs, watch, pause, play, kill, submit, help, exit.
    Tab completes verbs, options and pids; the history is kept in the home.
    """
    from prunus.cli._prompt import ConsoleCompleter, Prompt  # slow import: see _prompt

    root = ctx.find_root()
    debug = bool((root.obj or {}).get("debug"))
    client = open_client(home, timeout)
    try:
        completer = ConsoleCompleter(client, _commands(), ["help", *_LEAVE])
        prompt = Prompt(completer, home_path(home) / HISTORY_FILE)
        click.echo(f"prunus console, {describe_connection(client, home)}; help lists the verbs")
        while True:
            line = prompt.read()
            if line is None:
                break
            status = _run_line(root.command, line, client, debug)
            if status is _LEAVING:
                break
            if status == EXIT_INTERRUPTED:
                # A call cut short by Ctrl-C may still be answered, and that late answer
                # must not be taken for the answer to the next command's call: start over
                # on a new connection (or a freshly opened home).
                client.close()
                client = completer.client = open_client(home, timeout)
            completer.refresh()
    finally:
        client.close()


def _run_line(main: click.Command, line: str, client: Client, debug: bool) -> object:
    """Run one console line: its exit status, or ``_LEAVING``."""
    try:
        words = shlex.split(line)
    except ValueError as error:
        click.echo(f"Error: {error}", err=True)
        return EXIT_ERROR
    if not words:
        return 0
    verb, args = words[0], words[1:]
    if verb in _LEAVE:
        return _LEAVING
    if verb == "help":
        return _help(main, args)
    commands = _commands()
    if verb not in commands:
        click.echo(f"Error: unknown verb '{verb}' (help lists them)", err=True)
        return EXIT_ERROR
    group = [] if verb == "submit" else ["process"]
    return _invoke(main, [*(["--debug"] if debug else []), *group, verb, *args], client)


def _invoke(main: click.Command, args: list[str], client: Client | None) -> int:
    """Run ``prunus ARGS`` in-process with the console's client; its exit status."""
    try:
        main.main(args=args, prog_name="prunus", standalone_mode=False, obj={"client": client})
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except SystemExit as leaving:  # a command's one-line error was printed already
        return leaving.code if isinstance(leaving.code, int) else EXIT_ERROR
    except KeyboardInterrupt:  # between commands' own handling (e.g. while connecting)
        click.echo("Error: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception:  # only with --debug: errors are one line otherwise
        traceback.print_exc()
        return 1
    return 0


def _help(main: click.Command, args: list[str]) -> int:
    commands = _commands()
    if args and args[0] in commands:
        group = [] if args[0] == "submit" else ["process"]
        return _invoke(main, [*group, args[0], "--help"], None)
    width = max(len(name) for name in commands)
    for name, command in commands.items():
        click.echo(f"  {name:<{width}}  {command.get_short_help_str(70)}")
    click.echo(f"  {'exit':<{width}}  Leave the console (or Ctrl-D).")
    click.echo("Each verb takes the options of `prunus process VERB` (help VERB shows them).")
    return 0
