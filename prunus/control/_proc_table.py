"""Reading Linux's process table (/proc): which OS processes belong to a daemon.

A daemon is two sessions: the daemon's main process, and Thespian's admin with every
actor it forked (the admin calls ``setsid``). Stopping a daemon, and tests that check
nothing is left behind, find its processes by session id, then act on each by pid.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

__all__ = [
    "children_of",
    "listening_sockets",
    "parent_of",
    "pid_alive",
    "session_of",
    "session_pids",
]


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


def parent_of(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return None if fields is None else int(fields[1])


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


def listening_sockets(pids: list[int]) -> list[tuple[str, int, int]]:
    """``(address, port, pid)`` of every listening TCP socket that ``pids`` hold
    (from /proc/<pid>/fd and /proc/net/tcp[6]), sorted by pid."""
    owner = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:["):
                        owner.setdefault(target[8:-1], pid)
    found = []
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "0A" and inode in owner:  # 0A: LISTEN
                    address, port = local.split(":")
                    found.append((_address(address, family), int(port, 16), owner[inode]))
    return sorted(found, key=lambda entry: (entry[2], entry[1]))


def _address(text: str, family: int) -> str:
    """/proc/net/tcp writes addresses as host-order 32-bit words in hex."""
    raw = b"".join(bytes.fromhex(text[i : i + 8])[::-1] for i in range(0, len(text), 8))
    return socket.inet_ntop(family, raw)
