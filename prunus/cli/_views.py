"""What the reading commands show, as plain data: filters, trees, times, JSON-safe values.

Nothing here prints or knows about terminals (``_render`` does), so every choice of
what to show (which processes ``list`` keeps, how a tree is walked, how a report is
merged) is testable as a function of client answers.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from prunus._text import format_age, format_time
from prunus.cli._errors import CliError
from prunus.control import Client
from prunus.engine import ProcessState, ProcessStatus
from prunus.errors import UnknownProcessError

__all__ = [
    "Node",
    "ReportLine",
    "deep_recursion",
    "flatten",
    "format_age",
    "format_time",
    "jsonable",
    "merged_report",
    "parse_duration",
    "parse_states",
    "process_tree",
    "short_class",
    "state_label",
    "status_data",
    "step_label",
    "tree_rows",
    "walk",
]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class Node:
    """A process and its descendants, as they were when the tree was read."""

    status: ProcessStatus
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class ReportLine:
    """One logged line of a process in a tree: when, how deep, whose, what."""

    time: float
    depth: int
    pid: str
    process_class: str
    line: str


def parse_duration(text: str) -> float:
    """``90s``, ``10m``, ``1h30m``, ``2d``, ``1w`` -> seconds (a bare number is seconds)."""
    cleaned = text.strip().lower().replace(" ", "")
    try:
        return float(cleaned)
    except ValueError:
        pass
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(number + unit for number, unit in parts) != cleaned:
        raise CliError(f"--since: expected a duration like 90s, 10m, 1h30m or 2d, got '{text}'")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def parse_states(names: Iterable[str]) -> set[ProcessState]:
    """State names, any case (``waiting``, ``FINISHED``) -> states."""
    states = set()
    for name in names:
        try:
            states.add(ProcessState[name.upper()])
        except KeyError:
            known = ", ".join(state.name.lower() for state in ProcessState)
            raise CliError(f"--state: unknown state '{name}' (one of {known})") from None
    return states


def process_tree(client: Client, pid: str) -> Node:
    """``pid`` and all its descendants (one status call each).

    Iterative, not recursive: a tree may be thousands of levels deep.
    """
    found: dict[str, ProcessStatus] = {}
    order: list[str] = []  # parents before children
    pending = [pid]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        try:
            status = client.status(current)
        except UnknownProcessError:  # launched in a step whose commit is still coming
            if current == pid:
                raise
            continue
        found[current] = status
        order.append(current)
        pending.extend(reversed(status.children))
    nodes: dict[str, Node] = {}
    for current in reversed(order):  # children are built before their parent
        status = found[current]
        kids = tuple(nodes[child] for child in status.children if child in nodes)
        nodes[current] = Node(status, kids)
    return nodes[pid]


def walk(node: Node, depth: int = 0) -> Iterator[tuple[int, Node]]:
    """Depth-first, parents before children, in launch order (without recursion)."""
    stack = [(depth, node)]
    while stack:
        at, current = stack.pop()
        yield at, current
        stack.extend((at + 1, child) for child in reversed(current.children))


def merged_report(client: Client, tree: Node, *, children: bool = True) -> list[ReportLine]:
    """The logged lines of a process and (with ``children``) its descendants, in time
    order; lines logged at the same moment keep tree order."""
    lines = []
    for depth, node in walk(tree) if children else [(0, tree)]:
        status = node.status
        for when, line in client.report(status.pid, times=True):
            lines.append(ReportLine(when, depth, status.pid, status.process_class, line))
    lines.sort(key=lambda line: line.time)  # stable: ties stay in tree order
    return lines


def short_class(process_class: str) -> str:
    """``pkg.module:Outer.Name`` -> ``Name``: what fits in a column."""
    return process_class.rpartition(":")[2].rpartition(".")[2] or process_class


def state_label(status: ProcessStatus) -> str:
    """``WAITING`` or ``WAITING (paused)``; an ended process is never shown paused."""
    paused = status.paused and not status.state.is_terminal
    return f"{status.state.name} (paused)" if paused else status.state.name


def step_label(status: ProcessStatus) -> str:
    """The step's name, and how long it has run while a step runs long: ``fit (3m 02s)``."""
    step = status.step or ""
    if status.step_started is not None and step:
        return f"{step} ({format_age(time.time() - status.step_started)})"
    return step


def status_data(status: ProcessStatus) -> dict[str, Any]:
    """A status as JSON-safe data (the ``--json`` form of a row or tree node): its
    plain data, with the state by name (``FINISHED``) as everywhere users read it."""
    return {**status.to_data(), "state": status.state.name, "step_started": status.step_started}


def flatten(values: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested namespaces as dotted keys, the way ``-i`` takes them."""
    rows: list[tuple[str, Any]] = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            rows.extend(flatten(value, name + "."))
        else:
            rows.append((name, value))
    return rows


@contextmanager
def deep_recursion(limit: int = 20_000) -> Iterator[None]:
    """A higher recursion limit for a while: values the store keeps nest up to 500
    levels and process trees thousands, and walking them (``jsonable``, the JSON
    encoder) takes a few frames per level."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def jsonable(value: Any) -> Any:
    """``value`` as JSON-safe data: what the store can hold that JSON cannot (tuples,
    sets, datetimes, bytes, Decimals, numpy arrays...) becomes the nearest JSON value,
    anything else its ``repr``: ``--json`` output must never fail on a value.

    JSON has no NaN or infinities (Python would print ``NaN``, which no JSON parser
    reads): they become the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``,
    the spellings ``-i x=NaN`` reads back as the float."""
    with deep_recursion():
        return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(item) for item in value), key=repr)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "tolist"):  # numpy arrays and scalars, without importing numpy
        return _jsonable(value.tolist())
    return repr(value)


def waits_for(state: ProcessState, due: float | None, signal: str | None, now: float) -> str | None:
    """What a WAITING process waits for, when it is a timer or a signal: ``timer due
    at 12:00:05 (in 3s)``, ``signal 'approve' (timeout at ..., in 1m)``; else None
    (children and conditions say so in the status message)."""
    if state is not ProcessState.WAITING or (due is None and signal is None):
        return None
    when = None
    if due is not None:
        left = due - now
        relative = f"in {format_age(left)}" if left >= 0 else f"overdue {format_age(-left)}"
        when = f"{format_time(due)} ({relative})"
    if signal is None:
        return f"timer due at {when}"
    return f"signal '{signal}'" + ("" if when is None else f", timeout at {when}")


def status_text(status: ProcessStatus, now: float) -> str:
    """The STATUS column: what a waiting process waits for, else its status message."""
    return waits_for(status.state, status.due, status.signal, now) or status.status or ""


def tree_rows(tree: Node) -> list[tuple[int, list[str]]]:
    """The rows ``status``, ``watch`` and ``run`` draw: pid, class, state, step, status."""
    rows, now = [], time.time()
    for depth, node in walk(tree):
        status = node.status
        step = f"step {step_label(status)}" if status.step and not status.state.is_terminal else ""
        rows.append(
            (
                depth,
                [
                    status.pid,
                    short_class(status.process_class),
                    state_label(status),
                    step,
                    status_text(status, now),
                ],
            )
        )
    return rows
