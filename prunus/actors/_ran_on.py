"""Where each process ran: a line in its log whenever it starts running somewhere new.

With members, a process may run its first steps on one member and the rest on another
(a member lost or drained) or on the leader. ``process report`` and ``process show``
say so from the process's own log: when a host reports it activated a process on a
member (or on the leader) other than the one it last ran on, the supervisor adds
``[prunus] runs on member 127.0.0.1:7711 (from step 'step')`` to its log; the steps
logged after that line ran there, until the next such line. The lines of one message
from a host are committed together (:meth:`RanOn.flush`, one transaction).

A daemon that never had a member writes nothing (every process runs on the leader),
so a single daemon pays nothing for this. Plain code; unit-tested in tests/actors.
"""

from __future__ import annotations

import logging
from typing import Any

from prunus.actors._host_pool import HostPool
from prunus.errors import PrunusError

__all__ = ["RAN_ON_PREFIX", "RanOn"]

RAN_ON_PREFIX = "[prunus] runs on "

_LOG = logging.getLogger(__name__)


class RanOn:
    """The member each process last ran on, and the log lines not yet written."""

    def __init__(self, hosts: HostPool) -> None:
        self._hosts = hosts
        self._last: dict[str, str] = {}
        self._pending: list[tuple[str, dict[str, Any]]] = []

    def activated(self, pid: str, host: int, step: str | None) -> None:
        """``pid`` was activated on host ``host``, about to go on after ``step``."""
        hosts = self._hosts
        if not hosts.had_members or host < 0:
            return
        member = hosts.member_of[host]
        where = "the leader" if member is None else f"member {member}"
        if self._last.get(pid) == where:
            return
        self._last[pid] = where
        line = f"{RAN_ON_PREFIX}{where}" + (f" (from step {step!r})" if step else "")
        self._pending.append((pid, {"log_lines": [line]}))

    def ended(self, pid: str) -> None:
        self._last.pop(pid, None)

    def flush(self, store: Any) -> None:
        """Write the lines gathered so far, in one transaction."""
        if self._pending:
            pending, self._pending = self._pending, []
            try:
                store.write_many(pending)
            except PrunusError as error:  # (a full disk): a note lost, nothing else
                _LOG.warning("could not note where %d processes run: %s", len(pending), error)
