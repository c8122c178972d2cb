"""Options every command shares, declared once so they read and behave the same everywhere."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import click
import click.shell_completion

from prunus.cli._views import short_class
from prunus.control import Client
from prunus.persistence import resolve_home

__all__ = [
    "DEFAULT_TIMEOUT",
    "Seconds",
    "home_option",
    "json_option",
    "pid_argument",
    "timeout_option",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Seconds any one call to a daemon may take before the command gives up (exit 2).
DEFAULT_TIMEOUT = 5.0


class Seconds(click.FloatRange):
    """A finite number of seconds, at least ``min``. ``nan`` passes every comparison
    of a plain FloatRange and ``inf`` overflows the timers below, so both are refused
    as usage errors (exit 2)."""

    name = "seconds"

    def __init__(self, min: float) -> None:
        super().__init__(min=min)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{seconds} is not a finite number of seconds", param, ctx)
        return seconds


def _checked_home(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse, as a usage error, a home no filesystem can hold (a 300-character name)."""
    try:
        resolve_home(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from None
    return value


home_option = click.option(
    "--home",
    envvar="PRUNUS_HOME",
    type=click.Path(file_okay=False),
    default=None,
    callback=_checked_home,
    help="Runtime home (default: $PRUNUS_HOME, then ./.prunus).",
)

timeout_option = click.option(
    "--timeout",
    type=Seconds(min=0.1),
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
