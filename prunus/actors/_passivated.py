"""Pause, play and kill of a passivated process, applied from its checkpoint.

A passivated process has no host holding it (DESIGN.md section 2): activating it only
to flip its pause flag or to kill it would cost a load, a host slot and a round trip.
So the supervisor runs the same cell code a host would, on the process loaded from its
checkpoint, and the cell writes the new state before the answer leaves. The events the
cell produced are handed back, for the supervisor to handle like a host's.

A process with listeners or hooks goes to its host instead, so that user code never
runs in the supervisor; so does one whose checkpoint cannot be loaded (its host reports
why).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from prunus.actors._cell import CollectingOutbox, ProcessCell
from prunus.actors._persisting import ProcessWriter
from prunus.engine import load_process, resolve_process_class
from prunus.errors import PrunusError

__all__ = ["Applied", "PassivatedControl"]


class Applied(NamedTuple):
    """What applying a control produced: host-like events, and whether the process
    can now run (played: its host must take it from the store)."""

    events: list[Any]
    runnable: bool


class PassivatedControl:
    """Runs one control message through a cell built from the process's checkpoint."""

    def __init__(self, store: Any, writer: ProcessWriter) -> None:
        self._store = store
        self._writer = writer

    def apply(self, pid: str, message: Any) -> Applied | None:
        """Apply ``message`` to ``pid`` from its checkpoint; None if it must go to its
        host instead (listeners or hooks, or no loadable checkpoint)."""
        try:
            data = self._store.load_checkpoint(pid)
            if data is None or data.get("listeners"):
                return None
            if resolve_process_class(data["class"])._prunus_user_hooks():
                return None  # its hooks are user code too
            process = load_process(data)
        except PrunusError:
            return None
        outbox = CollectingOutbox()
        ProcessCell(process, self._writer, outbox).handle(message)
        return Applied(outbox.events, outbox.runnable)
