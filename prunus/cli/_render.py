"""Tables, trees and fields: drawn with rich on a terminal, plain text when piped.

This module is the CLI's only ``rich`` import (a seam, as STYLE.md asks). Plain text is
what scripts and ``grep`` get: aligned columns, two spaces of indentation per tree
level, no colour and no box characters. ``--json`` bypasses both (see :meth:`Output.json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import click
from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from prunus.cli._views import deep_recursion

__all__ = ["LiveView", "Output", "TreeRow", "state_style"]

#: One line of a tree: how deep, then its cells (pid, class, state, step, status...).
TreeRow = tuple[int, Sequence[str]]

_STATE_STYLES = {
    "CREATED": "dim",
    "RUNNING": "cyan",
    "WAITING": "yellow",
    "FINISHED": "green",
    "EXCEPTED": "bold red",
    "KILLED": "magenta",
}


def state_style(label: str) -> str:
    """The colour of a state label (``WAITING (paused)`` is a paused WAITING)."""
    style = _STATE_STYLES.get(label.split(" ")[0], "")
    return f"{style} italic" if "(paused)" in label else style


class LiveView(Protocol):
    """What a follow loop updates: the tree, recent report lines and a footer line."""

    def __call__(self, rows: Sequence[TreeRow], lines: Sequence[str], footer: str) -> None: ...


class Output:
    """Where a command writes: stdout (or stderr with ``err``), rich only on a terminal.

    Args:
        err: write to stderr (progress of ``prunus run``, whose stdout is its outputs).
        rich: force rich (True) or plain (False) output; by default rich when the stream
            is a terminal (rich's own test, which also honours FORCE_COLOR/NO_COLOR).
    """

    def __init__(self, *, err: bool = False, rich: bool | None = None) -> None:
        self.err = err
        self.console = Console(stderr=err, highlight=False, soft_wrap=False)
        self.rich = self.console.is_terminal if rich is None else rich
        if rich and not self.console.is_terminal:
            self.console = Console(stderr=err, highlight=False, force_terminal=True)

    # ---- plain lines and JSON ------------------------------------------------------

    def echo(self, text: str = "", style: str = "") -> None:
        if self.rich:
            self.console.print(Text(text, style=style))
        else:
            click.echo(text, err=self.err)

    def json(self, data: Any) -> None:
        """``data`` as indented JSON, never coloured (it is for machines).

        A process tree nests two levels per generation; the encoder recurses once per
        level, so the limit is raised for as deep as the data is."""
        with deep_recursion():
            text = json.dumps(data, indent=2, sort_keys=True)
        click.echo(text, err=self.err)

    def heading(self, text: str) -> None:
        if self.rich:
            self.console.print(Text(text, style="bold underline"))
        else:
            click.echo(f"{text}:", err=self.err)

    # ---- structures ------------------------------------------------------------------

    def fields(self, pairs: Sequence[tuple[str, str]], indent: int = 0) -> None:
        """Name/value lines, names aligned: the shape of ``show`` and ``daemon status``."""
        if not pairs:
            return
        if self.rich:
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold")
            grid.add_column()
            for name, value in pairs:
                grid.add_row(" " * indent + name, _styled_value(name, value))
            self.console.print(grid)
            return
        width = max(len(name) for name, _ in pairs)
        for name, value in pairs:
            click.echo(f"{' ' * indent}{name:<{width}}  {value}".rstrip(), err=self.err)

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """A table with a header; a column named STATE is coloured by state."""
        if self.rich:
            self.console.print(_rich_table(columns, rows, show_header=True))
            return
        widths = [
            max([len(column)] + [len(row[i]) for row in rows]) for i, column in enumerate(columns)
        ]
        for row in [list(columns), *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
            click.echo("  ".join(cells).rstrip(), err=self.err)

    def table_pages(self, columns: Sequence[str], pages: Iterable[Sequence[Sequence[str]]]) -> int:
        """:meth:`table`, printed a page of rows at a time as ``pages`` yields them (a
        long listing shows its first rows at once); how many rows there were. No
        header when there are no rows. One page prints exactly as :meth:`table`; in
        plain text a later page widens a column that its cells do not fit in."""
        count, widths = 0, [len(column) for column in columns]
        for rows in pages:
            if not rows:
                continue
            if self.rich:
                self.console.print(_rich_table(columns, rows, show_header=not count))
            else:
                widths = [
                    max([width] + [len(row[i]) for row in rows]) for i, width in enumerate(widths)
                ]
                lines = [list(columns), *rows] if not count else rows
                for row in lines:
                    cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
                    click.echo("  ".join(cells).rstrip(), err=self.err)
            count += len(rows)
        return count

    def json_items(self, items: Iterable[Any]) -> int:
        """:meth:`json` of a list, written an item at a time as ``items`` yields them
        (the same text as ``json(list(items))``); how many items there were."""
        count = 0
        for item in items:
            text = json.dumps(item, indent=2, sort_keys=True).replace("\n", "\n  ")
            click.echo(("[\n  " if not count else ",\n  ") + text, nl=False, err=self.err)
            count += 1
        click.echo("\n]" if count else "[]", err=self.err)
        return count

    def tree(self, rows: Sequence[TreeRow]) -> None:
        """A process tree: each row's cells on one line, children indented."""
        if self.rich:
            self.console.print(_rich_tree(rows))
        else:
            for line in _plain_tree(rows):
                click.echo(line, err=self.err)

    @contextmanager
    def live(self) -> Iterator[LiveView]:
        """A view redrawn in place (rich only); plain output has no live view."""
        assert self.rich, "a live view needs a terminal"
        with Live(console=self.console, refresh_per_second=8, transient=False) as live:

            def update(rows: Sequence[TreeRow], lines: Sequence[str], footer: str) -> None:
                parts: list[Any] = [_rich_tree(rows)]
                if lines:
                    parts.append(Text("\n".join(lines), style="dim"))
                parts.append(Text(footer, style="bold"))
                live.update(Group(*parts), refresh=True)

            yield update


def _styled_value(name: str, value: str) -> Text:
    if name == "state":
        return Text(value, style=state_style(value))
    return Text(value)


def _label(cells: Sequence[str]) -> Text:
    """pid (bold), class, state (coloured), then the rest dim."""
    text = Text()
    for index, cell in enumerate(cells):
        if not cell:
            continue
        if text:
            text.append("  ")
        style = {0: "bold", 2: state_style(cell)}.get(index, "" if index == 1 else "dim")
        text.append(cell, style=style)
    return text


def _rich_tree(rows: Sequence[TreeRow]) -> Tree | Text:
    if not rows:
        return Text("(nothing)")
    root = Tree(_label(rows[0][1]), guide_style="dim")
    stack: list[tuple[int, Tree]] = [(rows[0][0], root)]
    for depth, cells in rows[1:]:
        while len(stack) > 1 and stack[-1][0] >= depth:
            stack.pop()
        stack.append((depth, stack[-1][1].add(_label(cells))))
    return root


def _plain_tree(rows: Sequence[TreeRow]) -> list[str]:
    return ["  " * depth + "  ".join(cell for cell in cells if cell) for depth, cells in rows]


def _rich_table(columns: Sequence[str], rows: Sequence[Sequence[str]], show_header: bool) -> Table:
    """A rich table of ``rows``, its STATE column coloured by state."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, header_style="bold", show_header=show_header)
    for column in columns:
        table.add_column(column, no_wrap=column in ("PID", "STATE"))
    for row in rows:
        table.add_row(
            *(
                Text(cell, style=state_style(cell)) if column == "STATE" else cell
                for column, cell in zip(columns, row, strict=True)
            )
        )
    return table
