"""Every core without a daemon: ``Client(home, workers=N)`` on a private pool of hosts.

An embedded runtime runs every step in the caller's thread, so a campaign of
independent children uses one core. With ``workers=N`` the client instead starts the
daemon's own machinery on the home, privately: the daemon's main OS process with
``--owner`` set to this process, its Thespian TCP system on 127.0.0.1 with every frame
signed by the home's key, its supervisor and ``N`` host processes. The client talks to
it as to any daemon (a :class:`~prunus.actors.RemoteRuntime`), and :meth:`close` stops
it and waits until none of its OS processes is left, so the home's lock is free again.

Why the daemon's machinery and not a second implementation: passivation, restarts of a
host that dies, slices, group commit, reconciliation and authentication are already
there and tested under faults; a second pool would have to earn all of that again.
Why a separate OS process and not an actor system started inside the client: Thespian
forks its admin from whatever process starts it (fork from a process with threads,
inherited descriptors, one actor system per process); a fresh interpreter avoids all of
that, and the pool also outlives nothing: it stops within a second of this process
dying (the daemon watches its owner's pid).

One runtime per home still holds: a daemon already running on the home is refused with
a :class:`~prunus.errors.StoreError` saying to connect to it instead (the pool would
otherwise be a second writer, or closing the client would stop someone else's daemon).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from prunus.actors import RemoteRuntime
from prunus.control._daemon_control import daemon_pids, start_daemon
from prunus.control._daemon_files import read_daemon_file
from prunus.control._proc_table import pid_alive
from prunus.errors import DaemonError, StoreError
from prunus.persistence import KEY_FILE, HomeLock, read_key, resolve_home

__all__ = ["WorkerPoolRuntime", "default_workers", "open_worker_runtime", "wants_workers"]

_CALL_SECONDS = 30.0  # a call but a wait gives up after this (a busy 2-core machine)
_STOP_SECONDS = 30.0  # a pool not gone after SIGTERM and this long is SIGKILLed


def default_workers() -> int:
    """How many host processes a pool gets when not told: one per core."""
    return os.cpu_count() or 1


def wants_workers(workers: int | None) -> bool:
    """Whether ``workers`` asks for a pool (2 or more); None, 0 and 1 keep the
    single-thread embedded runtime, the fast path for tiny processes.

    Raises:
        ValueError: not a whole number >= 0.
    """
    if workers is None:
        return False
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"workers must be a whole number >= 0, got {workers!r}")
    return workers > 1


def open_worker_runtime(
    home: str | os.PathLike[str] | None, workers: int, *, resume: bool = True
) -> WorkerPoolRuntime:
    """Start a private pool of ``workers`` hosts on ``home`` (None: a temporary home,
    removed at close) and return the runtime that drives it.

    Raises:
        StoreError: the home is in use (a daemon or another runtime holds it), or
            cannot be opened.
        DaemonError: the pool did not come up (the reason, or where its log is).
        ValueError: ``resume=False``: a pool always resumes what the home holds.
    """
    if not resume:
        raise ValueError("resume=False is for an embedded client (workers=0): a pool resumes")
    temporary = home is None
    path = Path(tempfile.mkdtemp(prefix="prunus-workers-")) if temporary else resolve_home(home)
    try:
        _check_free(path)
        info = start_daemon(path, workers=workers, owner=os.getpid(), env=_pool_environment())
    except BaseException:
        if temporary:
            shutil.rmtree(path, ignore_errors=True)
        raise
    try:
        return WorkerPoolRuntime(path, info, temporary=temporary)
    except BaseException:
        _stop_pool(info)
        if temporary:
            shutil.rmtree(path, ignore_errors=True)
        raise


class WorkerPoolRuntime(RemoteRuntime):
    """A daemon's runtime whose daemon belongs to it: :meth:`close` stops the pool.
    Made by :func:`open_worker_runtime`."""

    def __init__(self, home: Path, info: dict[str, Any], *, temporary: bool) -> None:
        self._home, self._info, self._temporary = home, info, temporary
        self._stopped = False
        where = f"the worker pool on {home}"
        super().__init__(
            int(info["port"]), key=read_key(home / KEY_FILE), timeout=_CALL_SECONDS, where=where
        )

    @property
    def pool_pids(self) -> list[int]:
        """Every live OS process of the pool (its main process, the admin, the
        supervisor, the hosts, Thespian's logger)."""
        return daemon_pids(self._info)

    def close(self) -> None:
        """Drop the connection, stop the pool and wait until none of its OS processes
        is left (then the home's lock is free); remove a temporary home. Idempotent."""
        try:
            super().close()
        finally:
            if not self._stopped:
                self._stopped = True
                _stop_pool(self._info)
                if self._temporary:
                    shutil.rmtree(self._home, ignore_errors=True)


def _check_free(home: Path) -> None:
    """Refuse a home some runtime holds, in one line saying what to do instead. A
    pool whose owner died is stopping by itself (within a second or two): wait for it,
    so that a script started again at once after a crash finds its home."""
    info = read_daemon_file(home)
    owner = None if info is None else info.get("owner")
    if info is not None and owner is not None and not pid_alive(int(owner)):
        deadline = time.monotonic() + _STOP_SECONDS
        while daemon_pids(info) and time.monotonic() < deadline:
            time.sleep(0.05)
    if info is not None and pid_alive(int(info["pid"])):
        raise StoreError(
            f"a prunus daemon (pid {info['pid']}) is running on {home}: connect to it "
            "(Client.connect, prunus run --daemon) or stop it before starting workers"
        )
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    HomeLock(home).release()  # raises StoreError naming the home if a runtime holds it


def _pool_environment() -> dict[str, str]:
    """Our environment, with our import path: the pool imports process classes by
    their module path, so whatever imports here imports there (a module run as a
    script, ``__main__``, does not)."""
    own = tuple({sys.prefix, sys.base_prefix})  # the interpreter's own: there already
    paths = [entry or os.getcwd() for entry in sys.path if os.path.isdir(entry or ".")]
    paths = [entry for entry in paths if not entry.startswith(own)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}


def _stop_pool(info: dict[str, Any]) -> None:
    """SIGTERM the pool's main process (it shuts its actor system down and removes
    ``daemon.json``), then SIGKILL, by pid, whatever of it outlives the grace period;
    return once none is left."""
    main = int(info["pid"])
    with contextlib.suppress(ProcessLookupError):
        os.kill(main, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_SECONDS
    while daemon_pids(info) and time.monotonic() < deadline:
        time.sleep(0.02)
    for leftover in daemon_pids(info):
        with contextlib.suppress(ProcessLookupError):
            os.kill(leftover, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while daemon_pids(info):
        if time.monotonic() > deadline:
            raise DaemonError(f"worker pool processes will not end: {daemon_pids(info)}")
        time.sleep(0.02)
