"""The daemon's actors: a Thespian TCP system (on loopback by default), its supervisor and hosts.

The daemon's main OS process (``prunus.control._daemon_process``) keeps the duties of
an OS process: the home's lock, ``daemon.json``, signals, sweeping what outlives a
shutdown. Everything that knows about actors and their messages is here, so the layers
above use only the public face of ``prunus.actors``:

1. :func:`start_daemon_actors` starts the actor system (Thespian forks its admin: call
   it before this OS process starts any thread, and before it opens LMDB);
2. :meth:`DaemonActors.serve` creates the supervisor under its global name, which
   starts the hosts and opens the home, and resumes every unfinished process;
3. :meth:`DaemonActors.shutdown` stops all of them.

Clients then reach the supervisor by its global name (:func:`open_remote_runtime`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prunus.actors import _wire  # noqa: F401  (see start_daemon_actors)
from prunus.actors._collector import tune_for_daemon
from prunus.actors._members import MEMBER_CAPABILITY, PRUNUS_CAPABILITIES
from prunus.actors._messages import Configure, DaemonInfo, DaemonStatus, Reload, Reloaded
from prunus.actors._supervisor import Supervisor
from prunus.actors._thespian import LOOPBACK, SUPERVISOR_NAME, open_daemon_system
from prunus.errors import DaemonError

__all__ = ["DaemonActors", "serve_allowance", "start_daemon_actors"]

_SLICE_SECONDS = 0.01  # a host's slice of steps between two looks at its mailbox


def start_daemon_actors(
    port: int,
    log_file: str,
    key: bytes,
    *,
    host: str = LOOPBACK,
    join: tuple[str, int] | None = None,
    capabilities: dict[str, int | str] | None = None,
    workers: int = 1,
) -> DaemonActors:
    """Start the daemon's actor system on ``host``:``port``; actors log to
    ``log_file``; every message is signed with ``key`` and checked against it (the
    home's secret key). Nothing is served until :meth:`DaemonActors.serve`.

    With ``join`` (the leader's host and port) it is a member instead: it joins the
    leader's convention publishing ``capabilities`` (``key`` must be the leader's),
    and the leader's supervisor starts ``workers`` hosts on it. A member serves
    nothing itself.
    """
    # (inherited by every actor process forked below, with what is imported: _wire too,
    # which unpickles host batches and was otherwise imported by each actor process at
    # its first batch after every start, 3-5 ms of CPU each)
    tune_for_daemon()
    if join is None:
        return DaemonActors(open_daemon_system(port, log_file, key, host=host))
    published = {
        MEMBER_CAPABILITY: f"{host}:{port}",
        PRUNUS_CAPABILITIES: dict(capabilities or {}),
        "prunus.workers": workers,
    }
    return DaemonActors(
        open_daemon_system(port, log_file, key, host=host, leader=join, capabilities=published)
    )


_RELOAD_TIMES = 5  # the reload of a big home may take this many times the start


def serve_allowance(timeout: float) -> float:
    """The longest :meth:`DaemonActors.serve` may take with ``timeout``: the start,
    the reload (a home of 2M processes reloads in over a minute) and the answer.
    Whoever waits for a daemon to be ready must wait at least this long, or it gives
    up on a daemon that was about to serve (a 1M-workchain restart did)."""
    return timeout * (_RELOAD_TIMES + 2)


class DaemonActors:
    """A running daemon actor system; see the module docstring."""

    def __init__(self, system: Any) -> None:
        self._system = system
        self.supervisor_pid = 0  # known once serving: the main process watches it

    def serve(self, home: Path, *, workers: int, restart_limit: int, timeout: float) -> int:
        """Start the supervisor with ``workers`` hosts on ``home`` and resume every
        unfinished process; returns how many were resumed. Starting may take
        ``timeout`` seconds, the reload five times that (a big home).

        Raises:
            DaemonError: the supervisor did not start or did not reload (the reason is
                in the daemon's log).
        """
        supervisor = self._system.createActor(Supervisor, globalName=SUPERVISOR_NAME)
        configure = Configure(
            home=str(home),
            workers=workers,
            passivate=True,
            restart_limit=restart_limit,
            slice_seconds=_SLICE_SECONDS,
            main_pid=os.getpid(),
        )
        if self._system.ask(supervisor, configure, timeout) is not True:
            raise DaemonError("the supervisor did not start (see the daemon log)")
        reloaded = self._system.ask(supervisor, Reload(), timeout * _RELOAD_TIMES)
        if not isinstance(reloaded, Reloaded):
            raise DaemonError("the supervisor did not reload (see the daemon log)")
        status = self._system.ask(supervisor, DaemonInfo(), timeout)
        if not isinstance(status, DaemonStatus):
            raise DaemonError("the supervisor did not say where it runs (see the daemon log)")
        self.supervisor_pid = status.supervisor_pid
        return reloaded.resumed

    def shutdown(self) -> None:
        """Stop every actor of the system (the admin, the supervisor, its hosts)."""
        self._system.shutdown()
