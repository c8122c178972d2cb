"""Helpers for testing workflows: run one to its end, read its tree, assert on it.

They take any client (embedded or of a daemon), so one test body can run in both modes.
Tree outlines are plain text, one process per line (class and state, two spaces of
indentation per level), because pytest shows a readable diff of two strings.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from prunus.control import Client
from prunus.engine import Process, ProcessResult, ProcessStatus
from prunus.errors import UnknownProcessError

__all__ = ["assert_finished_ok", "assert_tree", "run_to_end", "tree_outline", "tree_statuses"]


def run_to_end(
    client: Client,
    process: type[Process] | str,
    inputs: Mapping[str, Any] | None = None,
    /,
    *,
    timeout: float = 60.0,
    **kwargs: Any,
) -> ProcessResult:
    """Submit ``process`` and wait until it ends; its result, whatever the ending.

    Unlike ``client.run`` nothing is raised for a process that failed or was killed:
    the test asserts on the result (``assert_finished_ok``, ``result.state``...).

    Raises:
        WaitTimeoutError: it did not end within ``timeout`` seconds.
        StuckError: (embedded) it can never end: paused, or waiting on nothing.
    """
    pid = client.submit(process, {**(inputs or {}), **kwargs})
    return client.wait(pid, timeout=timeout)


def assert_finished_ok(result: ProcessResult) -> None:
    """Fail the test unless ``result`` is FINISHED with exit status 0, saying why not."""
    if result.is_finished_ok:
        return
    why = result.exception or result.status or ""
    if result.exit_code is not None and result.exit_code.status:
        why = f"exit status {result.exit_code.status}: {result.exit_code.message}"
    raise AssertionError(f"process {result.pid} ended {result.state.name}: {why}".rstrip(": "))


def tree_statuses(client: Client, pid: str) -> list[tuple[int, ProcessStatus]]:
    """``(depth, status)`` of ``pid`` and its descendants, parents first, in launch order."""
    found: list[tuple[int, ProcessStatus]] = []

    def visit(node: str, depth: int) -> None:
        try:
            status = client.status(node)
        except UnknownProcessError:  # launched in a step whose commit is still coming
            return
        found.append((depth, status))
        for child in status.children:
            visit(child, depth + 1)

    visit(pid, 0)
    return found


def tree_outline(client: Client, pid: str, *, pids: bool = False) -> str:
    """The tree as text: ``Class STATE`` per line (``pid Class STATE`` with ``pids``),
    two spaces of indentation per level; a paused process reads ``STATE (paused)``."""
    lines = []
    for depth, status in tree_statuses(client, pid):
        name = status.process_class.rpartition(":")[2].rpartition(".")[2]
        state = status.state.name
        if status.paused and not status.state.is_terminal:
            state += " (paused)"
        who = f"{status.pid} {name}" if pids else name
        lines.append(f"{'  ' * depth}{who} {state}")
    return "\n".join(lines)


def assert_tree(client: Client, pid: str, expected: str) -> None:
    """Fail the test unless ``pid``'s tree reads ``expected`` (see :func:`tree_outline`).

    ``expected`` may be an indented triple-quoted string: it is dedented and stripped.
    Children are compared in launch order.
    """
    wanted = textwrap.dedent(expected).strip("\n").rstrip()
    actual = tree_outline(client, pid)
    assert actual == wanted, f"process {pid}'s tree differs:\n{actual}\n!=\n{wanted}"
