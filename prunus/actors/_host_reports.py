"""What the supervisor does with what its hosts report: batches put in order, statuses
taken (or refused as stale), activations and failed activations.

These are methods of :class:`~prunus.actors._supervision.Supervision` (a mixin it
inherits), kept apart so that the supervision module stays about routing and the flows
that cross parts (a process ending, a runtime failure); the routing table of host
events (``Supervision._event_handlers``) names these methods.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prunus.actors._control import Control
from prunus.actors._event_order import GAP_SECONDS, EventOrder, GapCheck
from prunus.actors._host_messages import (
    Activated,
    ActivationFailed,
    HostEvents,
    LongStep,
    StateChanged,
)
from prunus.actors._host_pool import HostPool
from prunus.actors._launches import Launches
from prunus.actors._outgoing import Outgoing
from prunus.actors._ran_on import RanOn
from prunus.actors._registry import Registry
from prunus.actors._status_notes import StatusNotes
from prunus.actors._timers import Timers

__all__ = ["HostReports"]

_LOG = logging.getLogger(__name__)


class HostReports:
    """Host batches and the events in them (see the module docstring)."""

    out: Outgoing
    registry: Registry
    hosts: HostPool
    event_order: EventOrder
    timers: Timers
    notes: StatusNotes
    ran_on: RanOn
    launches: Launches
    control: Control

    if TYPE_CHECKING:

        def handle_events(self, events: Iterable[Any]) -> None: ...

        def fail(self, pid: str, reason: str) -> None: ...

    def _host_events(self, message: HostEvents, sender: Any) -> None:
        """A host's batch, applied in the order its host sent it (``_event_order``)."""
        index = self.hosts.index_of(sender) if message.seq else None
        if index is None:
            self.handle_events(message.events)
            return
        ready, check = self.event_order.arrived(index, message.seq, message.events)
        for events in ready:
            self.handle_events(events)
        if check:
            self.out.wake_after(GAP_SECONDS, GapCheck(index, message.seq))

    def _gap_check(self, check: GapCheck) -> None:
        ready, again = self.event_order.gap_check(check)
        for events in ready:
            self.handle_events(events)
        if again:
            self.out.wake_after(GAP_SECONDS, check)

    def _long_step(self, event: LongStep) -> None:
        """A long step's report, taken while the step ran: shown unless it came late,
        from a host actor replaced since (its steps were taken again elsewhere), or
        after a later batch of its host, which reported the step over."""
        index = self.hosts.index_of(event.host)
        if index is None or self.event_order.applied(index) > event.after:
            return
        self._state_changed(StateChanged(event.status))

    def _state_changed(self, event: StateChanged) -> None:
        status = event.status
        if not self.registry.state_changed(status):
            return  # ended, or a late report (a fenced host's, a long step's): stale
        self.timers.track(status, self.out)
        # A long step's report, or a host holding on a full disk: no commit says so.
        if status.step_started is not None or (status.status or "").startswith("blocked:"):
            self.notes.note(status)
        else:
            self.notes.clear(status.pid)

    def _activated(self, event: Activated) -> None:
        self.registry.activated(event.pid)
        entry = self.registry.get(event.pid)
        if entry is not None and entry.result is None:
            self.ran_on.activated(event.pid, entry.host, entry.status.step)
        self.launches.activated(event.pid, self.out)

    def _activation_failed(self, event: ActivationFailed) -> None:
        _LOG.error("process %s: %s", event.pid, event.reason)
        self.launches.activation_failed(event.pid, event.reason, self.out)
        if event.blocked:
            # Its class does not import here: keep it as it is (state and store), show
            # why, answer what waited on a host; the next open or restart tries again.
            status = self.registry.blocked(event.pid, event.reason)
            if status is not None:
                self.notes.note(status)
                self.control.abandoned(event.pid, status, self.out)
            return
        self.fail(event.pid, event.reason)
