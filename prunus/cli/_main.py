"""The root ``prunus`` command: ``prunus --version``, ``prunus run``, ``prunus daemon``.

Every failure a user can cause is one line on stderr and a non-zero exit, never a
traceback (``--debug`` shows it).
"""

from __future__ import annotations

import json
import sys

import click

from prunus import __version__
from prunus.cli._daemon import daemon, fail
from prunus.cli._loading import load_process_class, parse_inputs
from prunus.control import Client
from prunus.errors import PrunusError

__all__ = ["main"]

EXIT_PROCESS_FAILED = 3


@click.group()
@click.version_option(__version__, prog_name="prunus")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """prunus: durable workflows in which every process is an actor."""
    ctx.obj = {"debug": debug}


@main.command("run")
@click.argument("process")
@click.option(
    "-i",
    "--input",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="An input; values parse as JSON when they can; dotted keys nest.",
)
@click.pass_context
def run_command(ctx: click.Context, process: str, pairs: tuple[str, ...]) -> None:
    """Run PROCESS (MODULE:CLASS) embedded to its end and print its outputs as JSON."""
    process_class = load_process_class(process)
    inputs = parse_inputs(pairs)
    try:
        with Client() as client:
            pid = client.submit(process_class, inputs)
            result = client.wait(pid)
    except PrunusError as error:
        fail(ctx, error)
    click.echo(json.dumps(result.outputs, indent=2, sort_keys=True, default=repr))
    if not result.is_finished_ok:
        reason = result.exception or result.status or result.state.name
        click.echo(f"Error: process {pid} ended {result.state.name}: {reason}", err=True)
        sys.exit(EXIT_PROCESS_FAILED)


main.add_command(daemon)
