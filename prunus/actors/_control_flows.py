"""How the supervisor carries out controls (pause, play, kill, resume), one or many.

Each control goes where it belongs, in order: a process held by its ``when=``
condition takes it from its checkpoint (:mod:`prunus.actors._launch_flows`), a
passivated one takes it right here (:class:`~prunus.actors._passivated.
PassivatedControl`, no activation), any other goes to its host, a kill recorded first.
Before a control cascades, the children the store has and the registry not yet are
adopted, so it reaches every child a client can already see.

These are methods of :class:`~prunus.actors._supervision.Supervision` (a mixin it
inherits), kept apart so that the supervision module stays about routing; the
decisions themselves are :mod:`prunus.actors._control`'s and ``_bulk_control``'s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prunus.actors._bulk_chunks import BulkChunks
from prunus.actors._bulk_control import BulkControl
from prunus.actors._control import Control, Order
from prunus.actors._control_all import ControlAll, cascades, live_targets
from prunus.actors._dependencies import Dependencies
from prunus.actors._host_messages import Activate
from prunus.actors._messages import (
    ControlMany,
    KillRequest,
    PauseRequest,
    PlayRequest,
    ResumeRequest,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._passivated import PassivatedControl
from prunus.actors._reconcile import adopt_stored_children
from prunus.actors._registry import Registry

__all__ = ["ControlFlows"]


class ControlFlows:
    """Controls carried out where they belong (see the module docstring)."""

    out: Outgoing
    registry: Registry
    control: Control
    dependencies: Dependencies
    bulk: BulkControl
    chunks: BulkChunks
    _passivated: PassivatedControl | None
    _store: Any

    if TYPE_CHECKING:

        def handle_events(self, events: Iterable[Any]) -> None: ...

        def _control_held(self, pid: str, message: Any) -> None: ...

    def carry_out(self, orders: Iterable[Order]) -> None:
        """Each control where it belongs, in order: a passivated process takes it right
        here (no activation), any other goes to its host (a kill recorded first)."""
        registry, out = self.registry, self.out
        for pid, message, durable in orders:
            if pid in self.dependencies:  # held by its condition: no host has it
                self._control_held(pid, message)
                continue
            if self._passivated is not None and not registry[pid].active:
                applied = self._passivated.apply(pid, message)
                if applied is not None:
                    self.handle_events(applied.events)
                    if applied.runnable and registry[pid].result is None:
                        registry.deliver(pid, Activate(), out)  # played: its host loads it
                    continue
            if durable:
                self.control.record_kill(pid, message.message)  # type: ignore[union-attr]
            registry.deliver(pid, message, out)

    def _control(
        self, message: PauseRequest | PlayRequest | KillRequest | ResumeRequest, asker: Any
    ) -> None:
        self._adopt_tree(message.pid)
        self.carry_out(self.control.request(message, asker, self.out))

    def _adopt_tree(self, pid: str) -> None:
        """Children of ``pid``'s tree that the store has and the registry not yet (their
        Spawned is on its way, or died with a host): registered now, so a cascade
        reaches every child a client can already see in the store.

        Only members a host holds are read: a passivated one reported its children
        before it passivated (a host's events are applied in order), and one loaded
        from the registry at a restart has them registered from the same registry
        (reading a record per member was 12% of ``kill --all``)."""
        registry = self.registry
        entry = registry.get(pid)
        if entry is None or entry.result is not None:
            return
        for member in [pid, *registry.live_descendants(pid)]:
            if registry[member].active:
                adopt_stored_children(registry, self._store, member, self.out)

    def _control_many(self, message: ControlMany, asker: Any) -> None:
        # A chunk per message (_bulk_chunks): others are answered between two chunks.
        self.chunks.run(self.bulk.start(message, asker, self.out), self._control, self.out)

    def _control_all(self, message: ControlAll, asker: Any) -> None:
        template = message.template
        pids = tuple(live_targets(self.registry, tops_only=cascades(template)))
        requests = tuple(dataclasses.replace(template, pid=pid) for pid in pids)
        bulk = ControlMany(requests, message.timeout)
        controls = self.bulk.start(bulk, asker, self.out, pids)
        self.chunks.run(controls, self._control, self.out)
