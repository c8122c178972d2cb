"""``prunus process watch PID``: a live view of a process tree until the process ends.

On a daemon, watching changes nothing: the daemon runs the processes. On an embedded
home, this command is the runtime while it watches, so the process advances only while
someone watches it (or some other command has the home open).
"""

from __future__ import annotations

import json

import click

from prunus.cli._connect import connect_client
from prunus.cli._errors import (
    EXIT_INTERRUPTED,
    EXIT_PROCESS_FAILED,
    CliError,
    show_process_traceback,
)
from prunus.cli._follow import Display, follow
from prunus.cli._options import Seconds, home_option, json_option, pid_argument, timeout_option
from prunus.cli._render import Output
from prunus.cli._views import jsonable

__all__ = ["watch_command"]


@click.command("watch")
@pid_argument()
@click.option(
    "--interval",
    type=Seconds(min=0.05),
    default=0.5,
    show_default=True,
    help="Seconds between updates.",
)
@click.option(
    "--max-wait",
    type=Seconds(min=0.0),
    default=None,
    metavar="SECONDS",
    help="Stop watching after this long (exit 4); the process goes on.",
)
@home_option
@timeout_option
@json_option
@click.pass_context
def watch_command(
    ctx: click.Context,
    pid: str,
    interval: float,
    max_wait: float | None,
    home: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Follow a process tree live until the process ends.

    Redrawn in place on a terminal, one line per change when piped, JSON Lines with --json.

    Exits 0 when it ends FINISHED with exit status 0, 3 when it ends otherwise.
    """
    out = Output()
    display = Display(out, "json" if as_json else "live" if out.rich else "lines")
    with connect_client(ctx, home, timeout) as client:
        try:
            result = follow(client, pid, display, interval=interval, max_wait=max_wait)
        except KeyboardInterrupt:
            raise CliError(f"stopped watching {pid}; it has not ended", EXIT_INTERRUPTED) from None
    if as_json:
        end = {
            "event": "end",
            "pid": pid,
            "state": result.state.name,
            "exit_status": None if result.exit_code is None else result.exit_code.status,
            "exception": result.exception,
            "traceback": result.traceback,
            "outputs": jsonable(result.outputs),
        }
        out.echo(json.dumps(end))
    else:
        out.echo(f"process {pid} ended {result.state.name}")
    if not result.is_finished_ok:
        show_process_traceback(ctx, result.traceback)
        reason = (
            result.exception
            or result.status
            or (
                result.exit_code
                and f"exit status {result.exit_code.status}: {result.exit_code.message}"
            )
        )
        raise CliError(f"process {pid} ended {result.state.name}: {reason}", EXIT_PROCESS_FAILED)
