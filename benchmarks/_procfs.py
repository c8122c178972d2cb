"""Process trees and their memory, read from ``/proc`` (Linux); stdlib only.

Shared by both benchmark sides, so it imports nothing outside the standard library.
RSS counts every resident page of every process, so pages that forked processes still
share are counted once per process; PSS divides each shared page among the processes
that map it, so a sum of PSS does not count it twice. The benchmarks report both.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

__all__ = [
    "alive",
    "cpu_seconds",
    "descendants",
    "memory_kib",
    "session_members",
    "session_root",
    "wait_gone",
    "with_argument",
]


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return None
    # The command name is in parentheses and may contain spaces: split after it.
    return text[text.rindex(")") + 2 :].split()


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def descendants(root: int) -> set[int]:
    """``root`` and every live process below it."""
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in found or not alive([pid]):
            continue
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def session_root(session: int) -> int | None:
    """The member of ``session`` whose parent is outside it (for a daemon's actor
    system, Thespian's admin: the session's leader is gone after a double fork)."""
    members = session_members(session)
    parents = {pid: fields[1] for pid in members if (fields := _stat_fields(pid))}
    outside = [pid for pid in members if int(parents.get(pid, 0)) not in members]
    return min(outside) if outside else None


def session_members(leader: int) -> set[int]:
    """Every live process in the session that ``leader`` leads (empty if it leads none)."""
    members = set()
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields is not None and int(fields[3]) == leader:
            members.add(pid)
    return members


def with_argument(argument: str) -> set[int]:
    """Live processes that have ``argument`` as one of their command line's arguments
    (a daemon's processes name its home: this finds them whatever session they are in)."""
    found = set()
    for pid in _all_pids():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                arguments = handle.read().split(b"\0")
        except OSError:
            continue
        if argument.encode() in arguments and alive([pid]):
            found.add(pid)
    return found


def alive(pids: Iterable[int]) -> set[int]:
    """The pids in ``pids`` that still run (zombies count as gone)."""
    running = set()
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None and fields[0] != "Z":
            running.add(pid)
    return running


def wait_gone(pids: Iterable[int], timeout: float) -> set[int]:
    """Wait up to ``timeout`` seconds for ``pids`` to end; returns those still running."""
    deadline = time.monotonic() + timeout
    left = alive(pids)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = alive(left)
    return left


def memory_kib(pids: Iterable[int]) -> dict[str, int]:
    """Summed ``rss`` and ``pss`` in KiB of the given processes (missing ones count 0)."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return {"rss": rss, "pss": pss}


def cpu_seconds(pids: Iterable[int]) -> float:
    """Summed user + system CPU seconds the given processes have used so far (missing
    ones count 0): load-independent, unlike wall time on a shared machine."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
