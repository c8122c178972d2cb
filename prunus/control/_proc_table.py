"""Reading Linux's process table (/proc): which OS processes belong to a daemon.

A daemon is two sessions: the daemon's main process, and Thespian's admin with every
actor it forked (the admin calls ``setsid``). Stopping a daemon, and tests that check
nothing is left behind, find its processes by session id, then act on each by pid.
"""

from __future__ import annotations

import os

__all__ = ["children_of", "pid_alive", "session_of", "session_pids"]


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except OSError:
        return None
    # after "pid (comm)": state ppid pgrp session ...
    return text.rpartition(")")[2].split()


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as gone)."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def session_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return None if fields is None else int(fields[3])


def session_pids(sid: int) -> list[int]:
    """Live (non-zombie) processes of session ``sid``."""
    found = []
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields is not None and int(fields[3]) == sid and fields[0] != "Z":
            found.append(pid)
    return found


def children_of(parent: int) -> list[int]:
    """Children of ``parent``, zombies included (their session is still readable)."""
    found = []
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields is not None and int(fields[1]) == parent:
            found.append(pid)
    return found
