"""Read-only questions the supervisor answers from its registry and the store.

None of them reaches a host or activates a process: a status, a list or a description
of a passivated process costs a registry lookup and at most two store reads.
"""

from __future__ import annotations

import os
from typing import Any

from prunus.actors._host_pool import HostPool
from prunus.actors._messages import (
    ControlReply,
    DaemonStatus,
    Description,
    Outputs,
    ProcessList,
    Report,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._registry import Registry
from prunus.engine import ProcessDescription
from prunus.errors import PrunusError

__all__ = ["BLOCKED_SHOWN", "Inspection"]

BLOCKED_SHOWN = 50  # blocked processes named in a daemon status (the rest are counted)


class Inspection:
    """Answers status, list, outputs, describe, report and daemon-info questions."""

    def __init__(self, registry: Registry, hosts: HostPool, store: Any) -> None:
        self._registry = registry
        self._hosts = hosts
        self._store = store

    def status(self, pid: str, asker: Any, out: Outgoing) -> None:
        entry = self._registry.lookup(pid, asker, out)
        if entry is not None:
            out.send(asker, ControlReply(pid, True, entry.status))

    def list(self, asker: Any, out: Outgoing) -> None:
        out.send(asker, ProcessList(self._registry.statuses()))

    def outputs(self, pid: str, asker: Any, out: Outgoing) -> None:
        if self._registry.lookup(pid, asker, out) is None:
            return
        outputs = self._store.get_outputs(pid)
        if outputs is None:  # still running: what its last checkpoint has emitted
            checkpoint = self._store.load_checkpoint(pid)
            outputs = dict(checkpoint["outputs"]) if checkpoint else {}
        out.send(asker, Outputs(pid, outputs))

    def describe(self, pid: str, asker: Any, out: Outgoing) -> None:
        entry = self._registry.lookup(pid, asker, out)
        if entry is None:
            return
        record = self._store.get_record(pid) or {}
        try:
            checkpoint = self._store.load_checkpoint(pid) or {}
        except PrunusError:
            checkpoint = {}
        description = ProcessDescription.of(
            entry.status,
            entry.result,
            children=tuple(entry.children),
            modified=record.get("modified"),
            inputs=checkpoint.get("inputs"),
            restarts=entry.restarts,
            when=record.get("when"),
            cached_from=record.get("cached_from"),
        )
        out.send(asker, Description(pid, description.to_data()))

    def report(self, pid: str, asker: Any, out: Outgoing) -> None:
        if self._registry.lookup(pid, asker, out) is not None:
            lines = tuple(tuple(line) for line in self._store.get_logs(pid))
            out.send(asker, Report(pid, lines))  # type: ignore[arg-type]

    def daemon_status(self, asker: Any, out: Outgoing) -> None:
        by_state, active, paused = self._registry.counts()
        hosts = self._hosts
        own = hosts.os_pids()
        blocked = self._registry.blocked_now()
        status = DaemonStatus(
            len(own),
            active,
            by_state,
            paused,
            own,
            os.getpid(),
            hosts.members_status(),
            tuple(sorted(blocked)[:BLOCKED_SHOWN]),
            len(blocked),
        )
        out.send(asker, status)
