"""``prunus process signal PID NAME [--data JSON]``: deliver a named event.

The process waiting in ``self.wait_for(NAME)`` resumes and reads the payload with
``self.signal(NAME)``; a process not waiting for it yet keeps it until it does. The
command returns once the signal is stored with the process. An unknown pid, an ended
process, a bad name or payload: one line, exit 2, nothing stored.
"""

from __future__ import annotations

import json

import click

from prunus.cli._connect import connect_client
from prunus.cli._errors import CliError
from prunus.cli._options import home_option, pid_argument, timeout_option
from prunus.engine._waiting import check_signal_name

__all__ = ["signal_command"]


@click.command("signal")
@pid_argument()
@click.argument("name")
@click.option("-d", "--data", "data", metavar="JSON", help="The payload, as JSON.")
@home_option
@timeout_option
@click.pass_context
def signal_command(
    ctx: click.Context, pid: str, name: str, data: str | None, home: str | None, timeout: float
) -> None:
    """Deliver the signal NAME (with a JSON payload) to a process."""
    try:
        check_signal_name(name)
    except ValueError as error:
        raise CliError(str(error)) from None
    payload = None
    if data is not None:
        try:
            payload = json.loads(data)
        except ValueError as error:
            raise CliError(f"--data is not valid JSON: {error}") from None
    with connect_client(ctx, home, timeout) as client:
        status = client.signal(pid, name, payload)
    click.echo(f"signalled {pid} '{name}' ({status.state.name.lower()})")
