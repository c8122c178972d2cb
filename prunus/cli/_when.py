"""The ``--when EXPR`` option: a condition in the small grammar of prunus.conditions.

Parsed by the option itself, so a command receives a Condition (or None) and a
malformed expression stops the command before it touches any home or daemon, with one
line naming the column and exit status 2.
"""

from __future__ import annotations

from typing import Any

import click

from prunus.cli._errors import CliError
from prunus.conditions import Condition, parse_condition
from prunus.errors import ConditionError

__all__ = ["when_option"]


def _parse_when(ctx: click.Context, param: click.Parameter, value: Any) -> Condition | None:
    if value is None or isinstance(value, Condition):
        return value
    try:
        return parse_condition(value)
    except ConditionError as error:
        # CliError, not click's BadParameter: one line, without the usage text.
        raise CliError(f"--when {value!r:.80}: {error}") from None


when_option = click.option(
    "--when",
    metavar="EXPR",
    default=None,
    callback=_parse_when,
    help=(
        "Start only once EXPR holds, e.g. 'a1b2.finished_ok & (c3d4.completed | ~e5f6.killed)'."
        " Atoms: PID.completed, PID.finished_ok, PID.failed, PID.killed."
    ),
)
