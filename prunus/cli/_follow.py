"""Following a process until it ends: the loop behind ``prunus run`` and ``process watch``.

The loop waits for the process in short slices (``interval`` seconds) and redraws its
tree between them. Short waits are how both runtimes show progress: an embedded runtime
only runs steps while a call is inside it, and a daemon's ``wait`` must not block past
what the user asked for. On a terminal the tree is redrawn in place (rich); piped, one
line is printed per change of a process's state or step, and per report line (or,
for ``--json``, one JSON object per line: JSON Lines).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from prunus.cli._render import LiveView, Output
from prunus.cli._views import (
    Node,
    process_tree,
    short_class,
    state_label,
    status_data,
    tree_rows,
    walk,
)
from prunus.control import Client
from prunus.engine import ProcessResult
from prunus.errors import StuckError, WaitTimeoutError
from prunus.ui._progress import count_states

__all__ = ["Display", "follow"]

_RECENT_LINES = 8  # report lines kept under the live tree
_REDRAW_SECONDS = 0.1


@dataclass
class _Seen:
    """What has been shown already, so that only changes are printed."""

    states: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)
    report_counts: dict[str, int] = field(default_factory=dict)
    finished_reading: set[str] = field(default_factory=set)
    recent: list[str] = field(default_factory=list)
    drawn_at: float = 0.0


class Display:
    """How a follow loop shows progress: ``live`` (redrawn tree), ``lines`` (one line
    per change), ``json`` (one JSON object per change) or ``none``."""

    def __init__(self, out: Output, mode: str) -> None:
        assert mode in ("live", "lines", "json", "none"), mode
        self.out, self.mode = out, mode


def follow(
    client: Client,
    pid: str,
    display: Display,
    *,
    interval: float = 0.5,
    max_wait: float | None = None,
) -> ProcessResult:
    """Show ``pid`` and its descendants until it ends; return its result.

    Raises:
        WaitTimeoutError: ``max_wait`` seconds passed, or (embedded) the process can
            never end (paused, or waiting on nothing): nothing here could advance it.
        UnknownProcessError, DaemonError: as the client's calls do.
    """
    started = time.monotonic()
    if display.mode == "live":
        with display.out.live() as view:
            return _loop(client, pid, display, interval, max_wait, started, view)
    return _loop(client, pid, display, interval, max_wait, started, None)


def _loop(
    client: Client,
    pid: str,
    display: Display,
    interval: float,
    max_wait: float | None,
    started: float,
    view: LiveView | None,
) -> ProcessResult:
    seen = _Seen()
    last: object = None
    while True:
        elapsed = time.monotonic() - started
        if max_wait is not None and elapsed >= max_wait:
            raise WaitTimeoutError(f"process {pid} did not end within {max_wait:g} s")
        if display.mode == "none":
            result = _wait_slice(client, pid, interval, max_wait, elapsed)
            if result is not None:
                return result
            continue
        if client.is_remote:
            result = _wait_slice(client, pid, interval, max_wait, elapsed)
            tree = process_tree(client, pid)
        else:
            # Embedded, every call runs the steps queued before its answer, so reading
            # the tree is what advances it, a step or so per call. Only when a read
            # shows no change (a long step, or nothing left that can run) does a wait
            # slice run it for a while, and tell a stuck process from a slow one.
            tree = process_tree(client, pid)
            snapshot = (tree_rows(tree), dict(seen.report_counts))
            result = None
            if tree.status.state.is_terminal or snapshot == last:
                result = _wait_slice(client, pid, interval, max_wait, elapsed)
                tree = process_tree(client, pid)
            last = snapshot
        _show(client, tree, display, seen, view, time.monotonic() - started, result is not None)
        if result is not None:
            return result


def _wait_slice(
    client: Client, pid: str, interval: float, max_wait: float | None, elapsed: float
) -> ProcessResult | None:
    """The result if ``pid`` ends within one slice, else None."""
    slice_ = interval if max_wait is None else max(0.01, min(interval, max_wait - elapsed))
    try:
        return client.wait(pid, timeout=slice_)
    except StuckError:
        raise  # (embedded) nothing can advance the process: final, not a slice run out
    except WaitTimeoutError:
        return None


def _show(
    client: Client,
    tree: Node,
    display: Display,
    seen: _Seen,
    view: LiveView | None,
    elapsed: float,
    final: bool,
) -> None:
    new_lines = _new_report_lines(client, tree, seen)
    if view is not None:
        seen.recent = (seen.recent + [f"{pid}  {line}" for pid, _, line in new_lines])[
            -_RECENT_LINES:
        ]
        # An embedded run comes here after every step or so: redraw a few times a
        # second, not a thousand.
        if final or time.monotonic() - seen.drawn_at >= _REDRAW_SECONDS:
            view(tree_rows(tree), seen.recent, _footer(tree, elapsed))
            seen.drawn_at = time.monotonic()
        return
    out, now = display.out, time.time()
    stamp = time.strftime("%H:%M:%S", time.localtime(now))
    for depth, node in walk(tree):
        status = node.status
        key = (state_label(status), status.step, status.status)
        if seen.states.get(status.pid) == key:
            continue
        seen.states[status.pid] = key
        if display.mode == "json":
            out.echo(
                json.dumps({"event": "state", "time": now, "depth": depth, **status_data(status)})
            )
            continue
        step = f"  step {status.step}" if status.step and not status.state.is_terminal else ""
        note = f"  {status.status}" if status.status else ""
        out.echo(
            f"{stamp}  {'  ' * depth}{status.pid}  {short_class(status.process_class)}  "
            f"{key[0]}{step}{note}"
        )
    for pid, depth, line in new_lines:
        if display.mode == "json":
            event = {"event": "report", "time": now, "depth": depth, "pid": pid, "line": line}
            out.echo(json.dumps(event))
        else:
            out.echo(f"{stamp}  {'  ' * depth}{pid}  | {line}")


def _new_report_lines(client: Client, tree: Node, seen: _Seen) -> list[tuple[str, int, str]]:
    """Report lines logged since the last look, for every process not read to its end."""
    lines = []
    for depth, node in walk(tree):
        pid = node.status.pid
        if pid in seen.finished_reading:
            continue
        logged = client.report(pid)
        for line in logged[seen.report_counts.get(pid, 0) :]:
            lines.append((pid, depth, line))
        seen.report_counts[pid] = len(logged)
        if node.status.state.is_terminal:
            seen.finished_reading.add(pid)  # an ended process logs nothing more
    return lines


def _footer(tree: Node, elapsed: float) -> str:
    """The progress bar under the live tree: counts by outcome and a rate."""
    states = [node.status.state for _, node in walk(tree)]
    return count_states(states, len(states), elapsed).text()
