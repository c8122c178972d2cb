"""The supervisor's registry: every process it knows, where it runs, and how it ended.

The registry is the supervisor's memory of each process (last status, host, children,
result, whether a host holds it now, how often it was restarted) and the only code
that changes it. Other parts read it; what happens when a process ends is decided in
one place, :meth:`Registry.finished`, which returns an :class:`Ending` for the parts
that react to it (control: kill cascades and kill records; waits: waiters; pending
``when=`` conditions, indexed by the pids they name; the memo cache). A process held
by its ``when=`` condition has no host until it starts (:meth:`Registry.register_held`,
:meth:`Registry.place`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from prunus.actors._host_messages import (
    Activate,
    ChildFinished,
)
from prunus.actors._host_pool import HostPool
from prunus.actors._members import UNPLACED, describe_requirements, requirements_for
from prunus.actors._messages import (
    ErrorReply,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._registry_entry import Ending, Entry
from prunus.actors._registry_tally import Tally, set_counted
from prunus.engine import ProcessResult, ProcessStatus

__all__ = ["Ending", "Entry", "Registry"]


class Registry:
    """Processes by pid, in the order they were registered (launch order)."""

    def __init__(self, hosts: HostPool) -> None:
        self.entries: dict[str, Entry] = {}
        self._hosts = hosts
        # A daemon's StatusNotes: statuses set here that no host commits ("waiting for
        # a host") are noted for readers of the store (see _status_notes).
        self.notes: Any = None
        self._unplaced: dict[str, None] = {}  # pids waiting for a member, in order
        self._tally = Tally()

    def get(self, pid: str) -> Entry | None:
        return self.entries.get(pid)

    def __getitem__(self, pid: str) -> Entry:
        return self.entries[pid]

    def __contains__(self, pid: str) -> bool:
        return pid in self.entries

    def lookup(self, pid: str, asker: Any, out: Outgoing) -> Entry | None:
        """The entry of ``pid``, or None after answering ``asker`` that it is unknown."""
        entry = self.entries.get(pid)
        if entry is None:
            out.send(asker, ErrorReply("UnknownProcessError", pid, f"unknown process '{pid}'"))
        return entry

    # ---- registering ------------------------------------------------------------------

    def register(
        self,
        status: ProcessStatus,
        placement: dict[str, int | str] | None = None,
        near: int | None = None,
    ) -> Entry:
        """A process that has not ended: placed on a host for its whole life; or, if
        it has requirements no member meets now, UNPLACED until one does (it is then
        not active: nothing is delivered to it, see :meth:`place_waiting`)."""
        requirements = None
        if self._hosts.distributed:
            requirements = requirements_for(status.process_class, placement) or None
        host = self._hosts.place(requirements, near=near)
        entry = Entry(status, UNPLACED, list(status.children), requirements=requirements)
        if host is None:
            self._wait_for_member(entry)
        else:
            entry.host = host
        self._insert(status.pid, entry)
        return entry

    def _insert(self, pid: str, entry: Entry) -> None:
        """The only way entries come in: counted from now on (see _registry_tally)."""
        old = self.entries.get(pid)
        if old is not None and old.tally is not None:
            old.tally = None
            self._tally.count(old, -1)
        self.entries[pid] = entry
        self._tally.count(entry, 1)
        entry.tally = self._tally

    @property
    def distributed(self) -> bool:
        """A daemon: members may join, requirements and placements matter."""
        return self._hosts.distributed

    def _wait_for_member(self, entry: Entry) -> None:
        """No member can take ``entry``'s process now: it waits, and says so."""
        text = "waiting for a host"
        if entry.requirements:
            text += f" with {describe_requirements(entry.requirements)}"
        entry.status = dataclasses.replace(entry.status, status=text)
        entry.host, entry.active = UNPLACED, False
        self._unplaced[entry.status.pid] = None
        if self.notes is not None:
            self.notes.note(entry.status)

    def register_held(self, status: ProcessStatus) -> Entry:
        """A process held back by its ``when=`` condition: no host until it starts."""
        entry = Entry(status, -1, list(status.children))
        self._insert(status.pid, entry)
        return entry

    def place(self, pid: str, placement: dict[str, int | str] | None = None) -> None:
        """A held process starts: give it a host for the rest of its life (by its
        launch's ``placement`` if it had one, else by its class's requirements)."""
        entry = self.entries[pid]
        if entry.host == -1:
            if self._hosts.distributed:
                entry.requirements = requirements_for(entry.status.process_class, placement) or None
            host = self._hosts.place(entry.requirements)
            if host is None:  # it waits for a member (deliveries wait too)
                self._wait_for_member(entry)
            else:
                entry.host = host

    def place_waiting(self, out: Outgoing) -> list[str]:
        """Place every UNPLACED process a member can take now (in launch order) and
        activate it from its checkpoint; their pids."""
        placed = []
        for pid in list(self._unplaced):
            entry = self.entries[pid]
            if entry.host != UNPLACED or entry.result is not None:
                del self._unplaced[pid]
                continue
            host = self._hosts.place(entry.requirements)
            if host is None:
                continue
            del self._unplaced[pid]
            entry.host = host
            entry.status = dataclasses.replace(entry.status, status=None)
            if self.notes is not None:
                self.notes.clear(pid)
            self.deliver(pid, Activate(), out)
            placed.append(pid)
        return placed

    def waiting(self) -> bool:
        """Whether any process waits for a member that can take it."""
        return bool(self._unplaced)

    def place_again(self, pid: str) -> None:
        """``pid``'s host is gone for good (its load given back already): the least
        loaded host that fits, or it waits for one (UNPLACED)."""
        entry = self.entries[pid]
        host = self._hosts.place(entry.requirements)
        if host is None:
            self._wait_for_member(entry)
        else:
            entry.host = host

    def register_ended(self, status: ProcessStatus, result: ProcessResult | None) -> None:
        """A process the store holds as ended: known for reads and waits, never run."""
        self._insert(status.pid, Entry(status, -1, list(status.children), result))

    def spawned(self, status: ProcessStatus) -> bool:
        """A step launched a child: register it under its parent. False if it is known
        already (a replayed step launched the same pid again: one actor per pid)."""
        if status.pid in self.entries:
            return False
        parent = self.entries.get(status.parent) if status.parent else None
        # Near its parent: that host has the child in memory still (see HostPool.place).
        self.register(status, near=parent.host if parent is not None and parent.host >= 0 else None)
        if parent is not None and status.pid not in parent.children:
            parent.children.append(status.pid)
        return True

    def adopt(self, parent: str, child: str) -> None:
        """List ``child`` (registered already) under ``parent``, if both are known."""
        entry = self.entries.get(parent)
        if entry is not None and child in self.entries and child not in entry.children:
            entry.children.append(child)

    def nested_ended(self, status: ProcessStatus, result: ProcessResult) -> None:
        """A step's nested call ended (it ran inside the step, never on its own): known
        for reads, trees and waits, under its parent. Idempotent (a replayed step
        reports it again)."""
        if status.pid not in self.entries:
            self.register_ended(status, result)
        parent = self.entries.get(status.parent) if status.parent else None
        if parent is not None and status.pid not in parent.children:
            parent.children.append(status.pid)

    # ---- routing and what hosts report --------------------------------------------------

    def deliver(self, pid: str, message: Any, out: Outgoing) -> None:
        """Route ``message`` to the host of ``pid``. The process is active from now
        until its host says it released it: if the host dies before it reports
        anything, this process counts as restarted."""
        entry = self.entries[pid]
        if entry.host == UNPLACED:
            return  # activated from its checkpoint once placed (place_waiting)
        assert entry.host >= 0, f"process {pid} ended; nothing is delivered to it"
        entry.active = True
        entry.delivery = out.deliver(entry.host, pid, message)

    def state_changed(self, status: ProcessStatus) -> bool:
        """Take ``status`` as ``status.pid``'s; False if it is stale and was not taken:
        the process has ended, or this is a long step's report (it travels apart from
        the host's numbered batches, through the echo) arriving after the host let the
        process go, which it does only once that step is over and committed."""
        entry = self.entries.get(status.pid)
        if entry is None or entry.result is not None:
            return False
        if status.step_started is not None and not entry.active:
            return False
        entry.status = status
        return True

    def activated(self, pid: str) -> None:
        entry = self.entries.get(pid)
        if entry is not None and entry.result is None and not entry.active:
            entry.active = True  # (counted: only a change)

    def passivated(self, pid: str, out: Outgoing) -> None:
        """Its host let ``pid`` go; unless a message for it is in a Deliver that host
        has not taken yet: taking it loads the process again, so it stays active
        (a control applied to its checkpoint meanwhile would be overwritten)."""
        entry = self.entries.get(pid)
        if entry is not None and out.taken_all(entry.host, entry.delivery):
            entry.active = False

    def blocked(self, pid: str, reason: str) -> ProcessStatus | None:
        """``pid`` cannot be loaded for now: shown with ``reason`` as its status, its
        state as it was; no host holds it. None if it has ended."""
        entry = self.entries.get(pid)
        if entry is None or entry.result is not None:
            return None
        entry.status = dataclasses.replace(entry.status, status=reason)
        entry.active = False
        return entry.status

    def restarted(self, pid: str) -> int:
        """``pid``'s host died while holding it: how often that has happened now."""
        entry = self.entries[pid]
        entry.active = False
        entry.restarts += 1
        return entry.restarts

    def finished(
        self, status: ProcessStatus, result: ProcessResult, out: Outgoing, tell_parent: bool = True
    ) -> Ending | None:
        """``status.pid`` ended: record it, free its host slot, tell its parent (unless
        not ``tell_parent``: a passivated parent a kill is on its way to).

        Returns:
            The Ending for the other parts to react to; None if it had ended already
            (a host that died and a restart may both report one ending).
        """
        pid = status.pid
        entry = self.entries[pid]
        if entry.result is not None:
            return None
        set_counted(entry, status=status, result=result, active=False)
        if entry.host >= 0:  # (held or waiting for a member: no host)
            self._hosts.release(entry.host, entry.requirements)
        parent = self.entries.get(status.parent) if status.parent else None
        if parent is not None and parent.result is None and tell_parent:
            self.deliver(status.parent, ChildFinished(pid, result), out)  # type: ignore[arg-type]
        return Ending(pid, status, result)

    # ---- trees --------------------------------------------------------------------------

    def live_descendants(self, pid: str) -> list[str]:
        """Descendants of ``pid`` that have not ended, deepest first (children in
        launch order). Iterative: a tree may be thousands of levels deep."""
        found: list[str] = []
        stack = [(pid, iter(self.entries[pid].children))]
        while stack:
            parent, children = stack[-1]
            child = next(children, None)
            if child is not None:
                entry = self.entries.get(child)
                if entry is not None:
                    stack.append((child, iter(entry.children)))
                continue
            stack.pop()
            if stack and self.entries[parent].result is None:
                found.append(parent)
        return found

    def redeliver_child_results(self, pid: str, out: Outgoing) -> None:
        """Deliver again the results of ``pid``'s ended children: after a restart, one
        may have ended after the parent's last checkpoint (the engine ignores those it
        has applied already)."""
        for child in self.entries[pid].children:
            child_entry = self.entries.get(child)
            if child_entry is not None and child_entry.result is not None:
                self.deliver(pid, ChildFinished(child, child_entry.result), out)

    def unfinished_on(self, host: int) -> Iterator[tuple[str, Entry]]:
        """The processes of ``host`` that have not ended, each checked when it is
        reached (the registry may change between two: the walk is over a snapshot)."""
        for pid, entry in list(self.entries.items()):
            if entry.host == host and entry.result is None:
                yield pid, entry

    # ---- counting -----------------------------------------------------------------------

    def statuses(self) -> tuple[ProcessStatus, ...]:
        return tuple(entry.status for entry in self.entries.values())

    def counts(self) -> tuple[dict[str, int], int, int]:
        """Processes by state name, how many a host holds, how many are paused: kept
        as entries change, not counted per request (see _registry_tally)."""
        tally = self._tally
        return dict(tally.by_state), tally.active, tally.paused

    @property
    def by_state(self) -> Mapping[str, int]:
        """Processes by state name, kept as entries change: a live view, not a copy."""
        return self._tally.by_state

    def blocked_now(self) -> list[tuple[str, str]]:
        """``(pid, status line)`` of every process that has not ended and is blocked."""
        return list(self._tally.blocked.items())
