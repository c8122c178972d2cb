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

from prunus.engine import ProcessResult, ProcessState, ProcessStatus
from prunus.errors import UnknownProcessError
from prunus.ui._graph import STATE_COLOURS, to_dot, to_mermaid, to_svg

__all__ = ["STYLE", "ProcessList", "ProcessTree", "result_html", "result_text", "state_badge"]

#: Shown rows of a list in a notebook; the rest are counted, not drawn.
LIST_ROWS = 200
_VALUE_CHARS = 200

STYLE = (
    "<style>.prunus-view{font-family:sans-serif;font-size:13px}"
    ".prunus-view table{border-collapse:collapse}"
    ".prunus-view td,.prunus-view th{padding:2px 8px;text-align:left;vertical-align:top}"
    ".prunus-state{padding:1px 6px;border-radius:8px;font-size:12px;white-space:nowrap}"
    ".prunus-tree ul{list-style:none;margin:0;padding-left:18px}"
    ".prunus-tree>ul{padding-left:0}"
    ".prunus-bar{display:inline-block;width:240px;height:12px;background:#eee;"
    "border-radius:6px;overflow:hidden;vertical-align:middle;margin-right:8px}"
    ".prunus-fill-done{display:inline-block;height:100%;background:#81c995}"
    ".prunus-fill-failed{display:inline-block;height:100%;background:#f28b82}</style>"
)


def _short(process_class: str) -> str:
    return process_class.rpartition(":")[2].rpartition(".")[2] or process_class


def _label(state: ProcessState, paused: bool) -> str:
    return f"{state.name} (paused)" if paused and not state.is_terminal else state.name


def state_badge(state: ProcessState, paused: bool = False) -> str:
    """A state as a small coloured label (HTML)."""
    return (
        f'<span class="prunus-state prunus-state-{state.name.lower()}" '
        f'style="background:{STATE_COLOURS[state]}">{_label(state, paused)}</span>'
    )


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


# ---- ProcessResult ---------------------------------------------------------------------


def result_text(result: ProcessResult) -> str:
    """A result as a few lines: pid, class, state, exit status, outputs, error."""
    head = f"{result.pid}  {_short(result.process_class)}  {result.state.name}".replace("  ", " ")
    code = result.exit_code
    if code is not None and code.status:
        head += f"  exit status {code.status}: {code.message}"
    lines = [head.strip()]
    lines.extend(f"  {name} = {_value(value)}" for name, value in result.outputs.items())
    if result.exception:
        lines.append(f"  exception: {result.exception}")
    elif result.status and not result.is_finished_ok:
        lines.append(f"  status: {result.status}")
    return "\n".join(lines)


def result_html(result: ProcessResult) -> str:
    """A result as HTML: a header line, an outputs table, the error if any."""
    code = result.exit_code
    parts = [
        f'<div class="prunus-view prunus-result">{STYLE}<div><b>{html.escape(result.pid)}</b> '
        f"{html.escape(_short(result.process_class))} {state_badge(result.state)}"
    ]
    if code is not None:
        parts.append(f" exit status {code.status}")
        if code.message:
            parts.append(f": {html.escape(code.message)}")
    parts.append("</div>")
    if result.outputs:
        rows = "".join(
            f"<tr><th>{html.escape(str(name))}</th><td><code>{html.escape(_value(value))}"
            "</code></td></tr>"
            for name, value in result.outputs.items()
        )
        parts.append(f'<table class="prunus-outputs">{rows}</table>')
    else:
        parts.append("<div><i>no outputs</i></div>")
    if result.exception:
        parts.append(f'<pre class="prunus-exception">{html.escape(result.exception)}</pre>')
    elif result.status and not result.is_finished_ok:
        parts.append(f'<div class="prunus-status">{html.escape(result.status)}</div>')
    parts.append("</div>")
    return "".join(parts)


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
            line = f"{'  ' * depth}{status.pid}  {_short(status.process_class)}  "
            line += _label(status.state, status.paused)
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
                f"{html.escape(_short(status.process_class))} "
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
                    _short(status.process_class),
                    _label(status.state, status.paused),
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
                f"</td><td>{html.escape(_short(status.process_class))}</td>"
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
