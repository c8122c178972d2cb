"""``prunus process graph PID``: a picture of a process tree, coloured by state.

Printed as DOT (or Mermaid with ``--format mmd``) on stdout, or written to a file whose
suffix picks the format: ``.dot``, ``.mmd``, ``.svg`` (Graphviz's layout if ``dot`` is
installed, else a built-in one, with a one-line hint) or ``.png`` (needs ``dot``).
Like the other reading commands it resumes nothing, so it never runs a step. A
process launched ``when=`` a condition gets a dashed edge from each pid it names.
"""

from __future__ import annotations

from pathlib import Path

import click

from prunus.cli._connect import connect_client
from prunus.cli._errors import CliError
from prunus.cli._options import home_option, pid_argument, timeout_option
from prunus.cli._views import process_tree, walk
from prunus.ui._graph import FORMATS, condition_edges, dot_path, render

__all__ = ["graph_command"]


@click.command("graph")
@pid_argument()
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write to FILE; its suffix picks the format: .dot, .mmd, .svg or .png.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["dot", "mmd"]),
    default="dot",
    show_default=True,
    help="What to print when there is no -o.",
)
@home_option
@timeout_option
@click.pass_context
def graph_command(
    ctx: click.Context,
    pid: str,
    output: str | None,
    fmt: str,
    home: str | None,
    timeout: float,
) -> None:
    """A picture of a process and its descendants, coloured by state.

    DOT on stdout by default (pipe it to `dot -Tsvg`), Mermaid with --format mmd.
    """
    target = None
    if output is not None:
        target = Path(output)
        fmt = target.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CliError(
                f"-o {output}: unknown picture format {target.suffix or '(no suffix)'!r}; "
                "use .dot, .mmd, .svg or .png"
            )
        if not target.parent.is_dir():
            raise CliError(f"-o {output}: the directory {target.parent} does not exist")
    with connect_client(ctx, home, timeout, resume=False) as client:
        tree = process_tree(client, pid)
        # Dependency edges from each process's when= condition, where the runtime says.
        edges = [
            edge
            for _, node in walk(tree)
            for edge in condition_edges(
                node.status.pid, client.describe(node.status.pid).get("when")
            )
        ]
    picture = render(tree, fmt, edges)
    if target is None:
        click.echo(picture.decode(), nl=False)
        return
    try:
        target.write_bytes(picture)
    except OSError as error:
        raise CliError(f"-o {output}: cannot write: {error.strerror}") from None
    if fmt == "svg" and dot_path() is None:
        click.echo(
            "hint: Graphviz's dot is not installed; drew a simple built-in layout "
            "(apt-get install graphviz for dot's)",
            err=True,
        )
