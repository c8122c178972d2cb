"""SIGKILL a crash runner together with its worker pool, as one machine losing both.

A pool stops by itself within a second of its owner dying, but meanwhile it would run
steps after the test has marked the kill in its log. So the crash tests in workers mode
SIGKILL the runner and, by pid, every OS process of its pool: the pool's processes are
forked from its main process without exec, so each carries ``--owner <runner pid>`` in
its command line, also one still starting up before ``daemon.json`` names it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time


def pool_of(owner: int) -> list[int]:
    """Live processes whose command line names ``owner`` as their pool's owner."""
    mark = f"\0--owner\0{owner}\0".encode()
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{name}/cmdline", "rb") as f:
                if mark in f.read() + b"\0":
                    found.append(int(name))
    return found


def kill_with_pool(proc: subprocess.Popen) -> None:
    """SIGKILL ``proc`` and its pool; return once none of them is left (a process
    forking while we look is caught on a later look)."""
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    quiet = 0
    deadline = time.monotonic() + 30
    while quiet < 5:
        assert time.monotonic() < deadline, f"pool of {proc.pid} will not go"
        left = pool_of(proc.pid)
        quiet = 0 if left else quiet + 1
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
