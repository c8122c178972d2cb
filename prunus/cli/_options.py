"""Options every command shares, declared once so they read and behave the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
import click.shell_completion

from prunus.cli._views import short_class
from prunus.control import Client

__all__ = ["DEFAULT_TIMEOUT", "home_option", "json_option", "pid_argument", "timeout_option"]

F = TypeVar("F", bound=Callable[..., Any])

#: Seconds any one call to a daemon may take before the command gives up (exit 2).
DEFAULT_TIMEOUT = 5.0

home_option = click.option(
    "--home",
    envvar="PRUNUS_HOME",
    type=click.Path(file_okay=False),
    default=None,
    help="Runtime home (default: $PRUNUS_HOME, then ./.prunus).",
)

timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds any one call to the daemon may take.",
)

json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


def _complete_pids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[click.shell_completion.CompletionItem]:
    """Pids of the daemon on the home, for shell completion of PID arguments.

    Only a daemon is asked: opening a home embedded would resume its processes, and a
    tab key must not run anybody's steps. Any problem means no suggestions, never an
    error in the middle of the user's command line.
    """
    try:
        with Client.connect(ctx.params.get("home"), timeout=2.0) as client:
            statuses = client.list()
    except Exception:
        return []
    return [
        click.shell_completion.CompletionItem(
            status.pid, help=f"{short_class(status.process_class)} {status.state.name}"
        )
        for status in statuses
        if status.pid.startswith(incomplete)
    ]


def pid_argument(many: bool = False) -> Callable[[F], F]:
    """The PID argument (or PIDS for ``many``), completed from the daemon's processes."""
    return click.argument(
        "pids" if many else "pid",
        metavar="PID..." if many else "PID",
        nargs=-1 if many else 1,
        shell_complete=_complete_pids,
    )
