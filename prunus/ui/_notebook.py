"""Rich views for notebooks: a process result, a process tree and a list of processes.

Jupyter shows an object with ``_repr_html_`` as HTML and IPython's pretty printer uses
``_repr_pretty_``; both are plain functions of the values here, so they are tested as
strings. Colours are the pictures' (``STATE_COLOURS``). A long list shows its first
rows and says how many more there are: a notebook cell must stay light at 100,000.
"""

from __future__ import annotations

import html
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from prunus.engine import ProcessStatus
from prunus.engine._result_views import (
    STYLE,
    result_html,
    result_text,
    short_class,
    state_badge,
    state_label,
)
from prunus.errors import UnknownProcessError
from prunus.ui._graph import to_dot, to_mermaid, to_svg

__all__ = ["STYLE", "ProcessList", "ProcessTree", "result_html", "result_text", "state_badge"]

#: Shown rows of a list in a notebook; the rest are counted, not drawn.
LIST_ROWS = 200
_VALUE_CHARS = 200

# ---- a tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessTree:
    """A process and its descendants as they were when read (``client.tree(pid)``).

    Shows as a nested list in a notebook; ``to_dot()``, ``to_mermaid()`` and
    ``to_svg()`` give the pictures ``prunus process graph`` draws.
    """

    status: ProcessStatus
    children: tuple[ProcessTree, ...] = ()

    @classmethod
    def read(cls, client: Any, pid: str) -> ProcessTree:
        """Read ``pid``'s tree through ``client`` (one status call per process).

        Raises:
            UnknownProcessError: no such pid.
        """
        status = client.status(pid)
        children = []
        for child in status.children:
            try:
                children.append(cls.read(client, child))
            except UnknownProcessError:  # launched in a step whose commit is still coming
                continue
        return cls(status, tuple(children))

    def walk(self, depth: int = 0) -> Iterator[tuple[int, ProcessTree]]:
        """``(depth, node)`` depth first, parents before children, in launch order."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)

    def counts(self) -> dict[str, int]:
        """How many processes of the tree are in each state (by name)."""
        return dict(Counter(node.status.state.name for _, node in self.walk()))

    def to_dot(self) -> str:
        return to_dot(self)

    def to_mermaid(self) -> str:
        return to_mermaid(self)

    def to_svg(self) -> str:
        return to_svg(self)

    def text(self) -> str:
        lines = []
        for depth, node in self.walk():
            status = node.status
            line = f"{'  ' * depth}{status.pid}  {short_class(status.process_class)}  "
            line += state_label(status.state, status.paused)
            if status.status:
                line += f"  {status.status}"
            lines.append(line)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        def item(node: ProcessTree) -> str:
            status = node.status
            note = f" <i>{html.escape(status.status)}</i>" if status.status else ""
            inner = "".join(item(child) for child in node.children)
            return (
                f'<li data-pid="{html.escape(status.pid)}"><b>{html.escape(status.pid)}</b> '
                f"{html.escape(short_class(status.process_class))} "
                f"{state_badge(status.state, status.paused)}{note}"
                + (f"<ul>{inner}</ul>" if inner else "")
                + "</li>"
            )

        counts = ", ".join(f"{n} {state.lower()}" for state, n in sorted(self.counts().items()))
        return (
            f'<div class="prunus-view prunus-tree">{STYLE}<ul>{item(self)}</ul>'
            f"<div>{counts}</div></div>"
        )


# ---- a list ----------------------------------------------------------------------------


class ProcessList(list):  # type: ignore[type-arg]
    """The statuses ``client.list()`` returns: a plain ``list`` that also shows itself
    as a table in a notebook, with counts per state."""

    def __init__(self, statuses: Iterable[ProcessStatus] = ()) -> None:
        super().__init__(statuses)

    def counts(self) -> dict[str, int]:
        """How many processes are in each state (by name)."""
        return dict(Counter(status.state.name for status in self))

    def _rows(self) -> Sequence[ProcessStatus]:
        return self[:LIST_ROWS]

    def text(self) -> str:
        now = time.time()
        rows = [["PID", "CLASS", "STATE", "STEP", "AGE", "STATUS"]]
        for status in self._rows():
            age = "-" if status.created is None else _age(now - status.created)
            rows.append(
                [
                    status.pid,
                    short_class(status.process_class),
                    state_label(status.state, status.paused),
                    status.step or "",
                    age,
                    status.status or "",
                ]
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
        ]
        more = len(self) - LIST_ROWS
        if more > 0:
            lines.append(f"... and {more} more")
        lines.append(self._summary())
        return "\n".join(lines)

    def _summary(self) -> str:
        counts = ", ".join(f"{n} {state.lower()}" for state, n in sorted(self.counts().items()))
        return f"{len(self)} processes" + (f": {counts}" if counts else "")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("[...]" if cycle else self.text())

    def _repr_html_(self) -> str:
        now = time.time()
        body = []
        for status in self._rows():
            age = "-" if status.created is None else _age(now - status.created)
            body.append(
                f'<tr data-pid="{html.escape(status.pid)}"><td><b>{html.escape(status.pid)}</b>'
                f"</td><td>{html.escape(short_class(status.process_class))}</td>"
                f"<td>{state_badge(status.state, status.paused)}</td>"
                f"<td>{html.escape(status.step or '')}</td><td>{age}</td>"
                f"<td>{html.escape(status.status or '')}</td></tr>"
            )
        more = len(self) - LIST_ROWS
        tail = f'<div class="prunus-more">... and {more} more</div>' if more > 0 else ""
        return (
            f'<div class="prunus-view prunus-list">{STYLE}<div>{html.escape(self._summary())}'
            "</div><table><tr><th>PID</th><th>CLASS</th><th>STATE</th><th>STEP</th>"
            f"<th>AGE</th><th>STATUS</th></tr>{''.join(body)}</table>{tail}</div>"
        )


def _age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"
