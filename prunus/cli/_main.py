"""The root ``prunus`` command: ``--version``, ``--debug`` and every command group.

Every failure a user can cause is one line on stderr and a documented non-zero exit,
never a traceback (``--debug`` shows it): see ``_errors`` for the statuses. Shell
completion is click's: ``eval "$(_PRUNUS_COMPLETE=bash_source prunus)"``.
"""

from __future__ import annotations

import click

from prunus import __version__
from prunus.cli._cache import cache
from prunus.cli._console import console_command
from prunus.cli._daemon import daemon
from prunus.cli._errors import ErrorReportingGroup
from prunus.cli._launch import run_command, submit_command
from prunus.cli._loading import import_from_working_directory
from prunus.cli._process_group import process
from prunus.cli._ui import ui_command

__all__ = ["main"]


@click.group(cls=ErrorReportingGroup)
@click.version_option(__version__, prog_name="prunus")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option(
    "--address",
    envvar="PRUNUS_ADDRESS",
    metavar="[HOST:]PORT",
    help="Talk to the daemon listening here instead of the one the home names.",
)
@click.option(
    "--key-file",
    envvar="PRUNUS_KEY_FILE",
    type=click.Path(dir_okay=False),
    help="A copy of the daemon's secret.key, for a client that cannot read its home.",
)
@click.pass_context
def main(ctx: click.Context, debug: bool, address: str | None, key_file: str | None) -> None:
    """prunus: durable workflows in which every process is an actor."""
    # ``obj`` may already hold the console's client; keep it.
    ctx.ensure_object(dict).update(debug=debug, address=address, key_file=key_file)
    import_from_working_directory()  # every command resumes processes whose classes live here


for _command in (
    run_command,
    submit_command,
    process,
    cache,
    console_command,
    daemon,
    ui_command,
):
    main.add_command(_command)
