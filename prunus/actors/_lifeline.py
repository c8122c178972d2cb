"""The daemon's actor system ends when the daemon's main process is gone.

The main process owns the home's lock, ``daemon.json`` and the answer to "is a daemon
running here?". If it is SIGKILLed, its actor system would run on unseen: clients are
refused (no live pid in ``daemon.json``) and a new ``daemon start`` finds the home busy.
So the supervisor checks, every :data:`CHECK_SECONDS`, that the main process still
lives, and when it does not, it ends the whole actor system: every other OS process of
its session (the admin, the hosts, the echo actor), by pid, then itself. Processes lose
at most the step in progress (a checkpoint is committed after every step); the next
``daemon start`` resumes them from the store.

Why polling and not a pipe that closes: Thespian forks its actors without exec, so
every actor inherits both ends of any pipe the main process makes, and the read end
never sees end-of-file while a single actor lives.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from dataclasses import dataclass

__all__ = ["CHECK_SECONDS", "WatchMain", "end_own_session", "process_gone"]

_LOG = logging.getLogger(__name__)

CHECK_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class WatchMain:
    """Timer payload: time to check that the main process ``pid`` still lives."""

    pid: int


def process_gone(pid: int) -> bool:
    """Whether OS process ``pid`` has ended (a zombie nobody reaped counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except FileNotFoundError:
        return True
    except OSError:  # no /proc here: ask the kernel instead
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return fields[0] == "Z"


def _session_pids(session: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(name))
    return found


def end_own_session(main_pid: int) -> None:
    """SIGKILL, by pid, every other process of this OS process's session, then exit.

    The session is the actor system's alone: Thespian's admin calls ``setsid`` and every
    actor is forked from it or from another actor (the main process has its own).
    Only a daemon's supervisor calls it; an embedded runtime shares its user's session.
    """
    me = os.getpid()
    session = os.getsid(0)
    _LOG.error("the daemon's main process %d is gone; ending its actor system", main_pid)
    for pid in _session_pids(session):
        if pid != me:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    os._exit(3)
