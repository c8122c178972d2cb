"""What the supervisor does when its hosts change.

A host actor restarted in place of one that died (its processes re-activated from
their checkpoints, or failed past the restart limit), a host gone for good with its
member (its processes placed again elsewhere, the slot retired), members joining or
lost (what waits for a host placed), hosts fenced off the store.

These are methods of :class:`~prunus.actors._supervision.Supervision` (a mixin it
inherits), kept apart so that the supervision module stays about routing client
requests and host events: the shell (:mod:`prunus.actors._supervisor`) calls them when
a host actor dies or a member joins, is lost or drains, never for a client's message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prunus.actors._event_order import EventOrder
from prunus.actors._host_pool import HostPool
from prunus.actors._outgoing import Outgoing
from prunus.actors._reconcile import StoredEnding
from prunus.actors._recovery import Recovery
from prunus.actors._registry import Registry
from prunus.engine import ProcessResult, ProcessStatus

__all__ = ["HostChanges"]


class HostChanges:
    """Hosts restarted, gone, joined or fenced (see the module docstring)."""

    out: Outgoing
    registry: Registry
    hosts: HostPool
    recovery: Recovery
    event_order: EventOrder
    _store: Any
    _restart_limit: int

    if TYPE_CHECKING:

        def handle_events(self, events: Iterable[Any]) -> None: ...

        def ended_in_store(self, status: ProcessStatus, result: ProcessResult) -> None: ...

        def fail(self, pid: str, reason: str) -> None: ...

        def _settle(self) -> None: ...

    def host_restarted(self, index: int) -> None:
        """A new host actor took the place of host ``index``: move its processes."""
        for events in self.event_order.restarted(index):  # the old one's, held: committed
            self.handle_events(events)
        self._reactivated(
            self.recovery.host_restarted(index, self._restart_limit, self._store, self.out)
        )

    def move_processes(self, index: int, *, crashed: bool) -> int:
        """Host ``index`` is gone for good with its member (lost, or drained: then it
        exited between two slices, every checkpoint committed, and ``crashed`` is
        False): each of its unfinished processes is placed again, on the least loaded
        host that fits, or waits for one, and re-activated there from its checkpoint.
        The slot is retired. Returns how many processes moved."""
        registry, hosts = self.registry, self.hosts
        for events in self.event_order.restarted(index):  # the old one's, held: committed
            self.handle_events(events)
        moved = []
        hosts.retired.add(index)  # first: none of them is placed on it again
        for pid, entry in list(registry.unfinished_on(index)):
            hosts.release(index, entry.requirements)
            if not crashed:
                entry.active = False  # a drain is no crash: no restart counted
            registry.place_again(pid)
            moved.append((pid, entry))
        hosts.retire(index)
        self._reactivated(
            self.recovery.reactivate(moved, self._restart_limit, self._store, self.out)
        )
        return len(moved)

    def _reactivated(self, outcomes: Iterable[Any]) -> None:
        for outcome in outcomes:
            if isinstance(outcome, StoredEnding):
                self.ended_in_store(outcome.status, outcome.result)
            else:
                self.fail(*outcome)
        self._settle()

    def fence(self, tokens: list[str]) -> None:
        """Refuse every commit of the hosts with these tokens (see LmdbStore.fence)."""
        if tokens:
            self._store.fence(tokens)

    def members_changed(self) -> None:
        """A member joined or was lost (its processes moved already, see
        :meth:`move_processes`): whatever waits for a host and now fits is placed."""
        self.registry.place_waiting(self.out)
