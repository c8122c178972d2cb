"""``prunus process pause|play|kill PID... | --all``, ``resume PID...``: changing what
processes do.

Each pid gets one line saying what happened to it; all of them travel in one request,
so a tree whose host is busy in a long step holds back no other. An unknown pid is an
error line of its own; the other pids are still acted on, and the command then exits 2. ``--all``
acts on the processes that have not ended, taking only the tops of trees when the
action cascades anyway (so a child is not paused twice, or killed before its parent
asks for it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import click

from prunus.cli._connect import connect_client
from prunus.cli._errors import EXIT_ERROR, EXIT_TIMEOUT, CliError
from prunus.cli._options import home_option, pid_argument, timeout_option
from prunus.control import Client
from prunus.engine import ProcessStatus
from prunus.errors import DaemonTimeoutError, UnknownProcessError

__all__ = ["kill_command", "pause_command", "play_command", "resume_command"]

_all_option = click.option(
    "-a", "--all", "every", is_flag=True, help="Every process that has not ended."
)
_cascade_option = click.option(
    "--cascade/--no-cascade",
    default=True,
    show_default=True,
    help="Also its descendants.",
)


def _checked(pids: tuple[str, ...], every: bool) -> list[str] | None:
    """The pids given, or None for ``--all`` (the runtime picks them, see _act)."""
    if every and pids:
        raise click.UsageError("give PIDs or --all, not both")
    if not every and not pids:
        raise click.UsageError("give at least one PID, or --all")
    return None if every else list(pids)


def _unfinished(client: Client) -> int:
    """How many processes have not ended (one small request, not a listing)."""
    return client.list_page(limit=1).matching  # (the default query: not ended)


def _act(
    pids: list[str] | None,
    action: Callable[[list[str] | None, float], dict[str, bool | None]],
    done: str,
    ended: str,
    timeout: float,
    status_of: Callable[[str], ProcessStatus] | None = None,
) -> None:
    """Apply ``action`` to every pid in ONE request (a busy host holds back no other
    tree); one line each. ``pids`` None (``--all``): the runtime picks them in that
    same request (at 200k processes, listing them to this client first took longer
    than the timeout). Exit 2 if any was unknown or (given ``status_of``) could not
    be acted on although it has not ended (a blocked process says why); else 4 if any
    was not answered within ``timeout``: that request reached the daemon and stands,
    but steps in progress (in the process or its descendants) complete first."""
    if pids is not None and not pids:
        return
    try:
        outcomes = action(pids, timeout)
    except DaemonTimeoutError:
        raise CliError(
            f"the daemon did not answer within {timeout:g} s (give --timeout)", EXIT_TIMEOUT
        ) from None
    if pids is None:
        pids = list(outcomes)
        if not pids:
            click.echo("no process has to be acted on: none is running")
            return
    unknown = refused = 0
    late: list[str] = []
    for pid in pids:
        if pid not in outcomes:
            click.echo(f"Error: unknown process '{pid}'", err=True)
            unknown += 1
        elif outcomes[pid] is None:
            click.echo(f"{pid} not {done} yet (the request stands)")
            late.append(pid)
        elif outcomes[pid]:
            click.echo(f"{done} {pid}")
        else:
            status = status_of(pid) if status_of is not None else None
            if status is None or status.state.is_terminal:
                click.echo(f"{pid} {ended}")
            else:  # not applied although it has not ended: blocked, say
                click.echo(f"Error: {pid} not {done}: {status.status}", err=True)
                refused += 1
    if unknown:
        raise CliError(f"{unknown} of {len(pids)} pids unknown", EXIT_ERROR)
    if refused:
        raise CliError(f"{refused} of {len(pids)} pids not {done}", EXIT_ERROR)
    if late:
        which = late[0] if len(late) == 1 else f"{len(late)} of {len(pids)} processes"
        see = late[0] if len(late) == 1 else "PID"
        raise CliError(
            f"{which} not {done} within {timeout:g} s: steps in progress finish first; the "
            f"request stands (see prunus process status {see}, or give --timeout)",
            EXIT_TIMEOUT,
        )


@click.command("pause")
@pid_argument(many=True)
@_all_option
@_cascade_option
@home_option
@timeout_option
@click.pass_context
def pause_command(
    ctx: click.Context,
    pids: tuple[str, ...],
    every: bool,
    cascade: bool,
    home: str | None,
    timeout: float,
) -> None:
    """Pause processes before their next step.

    A step in progress completes first.
    """
    with connect_client(ctx, home, timeout) as client:
        _act(
            _checked(pids, every),
            lambda pids, within: (
                client.pause_all(cascade=cascade, timeout=within)
                if pids is None
                else client.pause_many(pids, cascade=cascade, timeout=within)
            ),
            "paused",
            "had ended",
            timeout,
            client.status,
        )


@click.command("play")
@pid_argument(many=True)
@_all_option
@_cascade_option
@home_option
@timeout_option
@click.pass_context
def play_command(
    ctx: click.Context,
    pids: tuple[str, ...],
    every: bool,
    cascade: bool,
    home: str | None,
    timeout: float,
) -> None:
    """Let paused processes take steps again."""
    with connect_client(ctx, home, timeout) as client:
        _act(
            _checked(pids, every),
            lambda pids, within: (
                client.play_all(cascade=cascade, timeout=within)
                if pids is None
                else client.play_many(pids, cascade=cascade, timeout=within)
            ),
            "played",
            "had ended",
            timeout,
            client.status,
        )


@click.command("kill")
@pid_argument(many=True)
@_all_option
@click.option("-m", "--message", help="Why: becomes the killed process's status.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask before killing --all.")
@home_option
@timeout_option
@click.pass_context
def kill_command(
    ctx: click.Context,
    pids: tuple[str, ...],
    every: bool,
    message: str | None,
    yes: bool,
    home: str | None,
    timeout: float,
) -> None:
    """Kill processes and all their descendants.

    Answers once every one of them has ended.
    """
    with connect_client(ctx, home, timeout) as client:
        targets = _checked(pids, every)
        if every and not yes:
            unfinished = _unfinished(client)
            if unfinished:
                click.confirm(
                    f"Kill every process that has not ended ({unfinished:,} now)?", abort=True
                )
        _act(
            targets,
            lambda pids, within: (
                client.kill_all(message, timeout=within)
                if pids is None
                else client.kill_many(pids, message, timeout=within)
            ),
            "killed",
            "had already ended",
            timeout,
            client.status,
        )


@click.command("resume")
@pid_argument(many=True)
@home_option
@timeout_option
@click.pass_context
def resume_command(
    ctx: click.Context, pids: tuple[str, ...], home: str | None, timeout: float
) -> None:
    """Wake processes that wait on a plain Wait(...): their next step runs.

    A process that is not WAITING, or waits for its children (it resumes by itself
    when they have ended), is left as it is and said so.
    """
    if not pids:
        raise click.UsageError("give at least one PID")
    with connect_client(ctx, home, timeout) as client:
        _act(
            list(pids),
            lambda targets, within: _one_by_one(targets, client.resume),
            "resumed",
            "is not waiting on a plain Wait",
            timeout,
        )


def _one_by_one(pids: list[str], action: Callable[[str], bool]) -> dict[str, bool | None]:
    """Per-pid outcomes of a control that has no bulk form (unknown pids left out)."""
    outcomes: dict[str, bool | None] = {}
    for pid in pids:
        with contextlib.suppress(UnknownProcessError):
            outcomes[pid] = action(pid)
    return outcomes
