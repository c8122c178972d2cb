"""``prunus process list|status|report|outputs``: looking at processes without touching them.

Each prints for people by default (rich on a terminal, plain text piped) and JSON with
``--json``. Which runtime answers is ``_connect``'s choice: the daemon on the home, or
the home itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import click

from prunus.actors import ListQuery
from prunus.cli._connect import connect_client
from prunus.cli._options import home_option, json_option, pid_argument, timeout_option
from prunus.cli._render import Output
from prunus.cli._views import (
    Node,
    flatten,
    format_age,
    format_time,
    jsonable,
    merged_report,
    parse_duration,
    parse_states,
    process_tree,
    short_class,
    state_label,
    status_data,
    status_text,
    step_label,
    tree_rows,
    walk,
)
from prunus.engine import ProcessStatus

__all__ = ["list_command", "outputs_command", "report_command", "status_command", "value_text"]

_PAGE = 2000  # statuses per answer of the runtime to ``process list``


@click.command("list")
@click.option(
    "-S",
    "--state",
    "states",
    multiple=True,
    metavar="STATE",
    help="Only processes in this state (repeatable; ended states included).",
)
@click.option("-a", "--all", "include_ended", is_flag=True, help="Include ended processes.")
@click.option("-p", "--paused", is_flag=True, help="Only paused processes.")
@click.option(
    "--since", metavar="DURATION", help="Only those created in the last 90s, 10m, 1h, 2d..."
)
@click.option("-l", "--limit", type=click.IntRange(min=0), help="Only the newest N.")
@click.option(
    "--page-size",
    type=click.IntRange(min=1),
    default=_PAGE,
    hidden=True,
    help="Statuses per answer of the runtime (each page is printed as it arrives).",
)
@home_option
@timeout_option
@json_option
@click.pass_context
def list_command(
    ctx: click.Context,
    states: tuple[str, ...],
    include_ended: bool,
    paused: bool,
    since: str | None,
    limit: int | None,
    page_size: int,
    home: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """List processes (those that have not ended, unless --all).

    Oldest first. --state shows exactly the states named, ended ones too.
    """
    wanted = parse_states(states)
    window = parse_duration(since) if since else None
    now = time.time()
    query = ListQuery(
        states=tuple(sorted(state.name for state in wanted)),
        include_ended=include_ended,
        paused_only=paused,
        created_after=None if window is None else now - window,
        newest=limit,
    )
    total = 0

    def pages(client: Any) -> Iterator[tuple[ProcessStatus, ...]]:
        # Pages, filtered by the runtime: each answer is small and quick, whatever the
        # number of processes (one reply of them all timed out at 200k); each is
        # printed before the next is asked for.
        nonlocal total
        after = None
        while True:
            page = client.list_page(query, after=after, limit=page_size)
            total = page.total
            yield page.statuses
            if page.next is None:
                return
            after = page.next

    out = Output()
    with connect_client(ctx, home, timeout, resume=False) as client:
        if as_json:
            out.json_items(status_data(status) for page in pages(client) for status in page)
            return
        shown = out.table_pages(
            ["PID", "CLASS", "STATE", "STEP", "AGE", "STATUS"],
            ([_list_row(status, now) for status in page] for page in pages(client)),
        )
    hidden = "" if include_ended or wanted else " (ended ones hidden: --all shows them)"
    out.echo(f"{shown} of {total} processes shown{hidden}", style="dim")


def _list_row(status: ProcessStatus, now: float) -> list[str]:
    return [
        status.pid,
        short_class(status.process_class),
        state_label(status),
        step_label(status),
        format_age(None if status.created is None else now - status.created),
        status_text(status, now),
    ]


@click.command("status")
@pid_argument()
@home_option
@timeout_option
@json_option
@click.pass_context
def status_command(
    ctx: click.Context, pid: str, home: str | None, timeout: float, as_json: bool
) -> None:
    """The tree of a process and its descendants, with states and steps."""
    with connect_client(ctx, home, timeout, resume=False) as client:
        tree = process_tree(client, pid)
    out = Output()
    if as_json:
        out.json(_tree_data(tree))
    else:
        out.tree(tree_rows(tree))


def _tree_data(tree: Node) -> dict[str, Any]:
    """The tree as nested JSON-safe data, built bottom-up (trees may be very deep)."""
    data: dict[int, dict[str, Any]] = {}
    for _, node in reversed(list(walk(tree))):  # every child before its parent
        children = [data.pop(id(child)) for child in node.children]
        data[id(node)] = {**status_data(node.status), "children": children}
    return data[id(tree)]


@click.command("report")
@pid_argument()
@click.option("--no-children", is_flag=True, help="Only PID's own lines.")
@home_option
@timeout_option
@json_option
@click.pass_context
def report_command(
    ctx: click.Context,
    pid: str,
    no_children: bool,
    home: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """The lines a process and its descendants logged.

    Lines logged with self.report, in time order, each indented by its depth in the tree.
    """
    with connect_client(ctx, home, timeout, resume=False) as client:
        tree = process_tree(client, pid)
        lines = merged_report(client, tree, children=not no_children)
    out = Output()
    if as_json:
        out.json(
            [
                {
                    "time": line.time,
                    "pid": line.pid,
                    "process_class": line.process_class,
                    "depth": line.depth,
                    "line": line.line,
                }
                for line in lines
            ]
        )
        return
    if not lines:
        out.echo(f"process {pid} has logged nothing", style="dim")
    for line in lines:
        who = f"[{line.pid} {short_class(line.process_class)}]"
        out.echo(f"{format_time(line.time)}  {'  ' * line.depth}{who} {line.line}")


@click.command("outputs")
@pid_argument()
@home_option
@timeout_option
@json_option
@click.pass_context
def outputs_command(
    ctx: click.Context, pid: str, home: str | None, timeout: float, as_json: bool
) -> None:
    """The outputs of a process so far (all of them once it has ended)."""
    with connect_client(ctx, home, timeout, resume=False) as client:
        outputs = client.outputs(pid)
    out = Output()
    if as_json:
        out.json(jsonable(outputs))
    elif outputs:
        out.fields([(name, value_text(value)) for name, value in flatten(outputs)])
    else:
        out.echo(f"process {pid} has no outputs (yet)", style="dim")


def value_text(value: Any) -> str:
    """A value on one line: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(jsonable(value), separators=(", ", ": "))
