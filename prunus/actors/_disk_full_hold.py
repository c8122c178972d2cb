"""How a host holds its processes while the disk is full, and lets them go on.

A full disk is transient, not a crash: when a commit fails for want of space, the host
*holds*. It keeps the writes it could not commit and the events that report them (no
event leaves before its state is on disk), sets the status of its unfinished processes
to ``blocked: <why>``, keeps the messages that arrive meanwhile, and tries the commit
again every :data:`RETRY_SECONDS` (daemon) or on the next message (embedded, where the
caller's call stalls and the embedded runtime raises the store's error). Once the
commit goes through it carries on where it stopped; nothing is lost or re-run.

It is its own module because it is a state of the host with its own rules (what is
kept, what is shown, when it tries again), apart from the host's slices: these are
methods of :class:`~prunus.actors._host.HostActor` (a mixin it inherits).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from prunus.actors._cell import ProcessCell
from prunus.actors._host_messages import HostConfig, StateChanged, Tick
from prunus.actors._thespian import WakeupMessage
from prunus.engine import ProcessDriver
from prunus.errors import StoreError

__all__ = ["RETRY_SECONDS", "DiskFullHolding", "Holding"]

_LOG = logging.getLogger("prunus.actors._host")  # (its lines read as the host's)
RETRY_SECONDS = 1.0  # a daemon host holding on a full disk tries its commit this often


class Holding(Exception):
    """Raised by a commit that found the disk full: the host stops where it is."""


class DiskFullHolding:
    """Holding on a full disk (see the module docstring)."""

    _config: HostConfig | None
    _cells: dict[str, ProcessCell]
    _events: list[Any]
    _tick_pending: bool
    _held: list[tuple[Any, Any]] | None  # a list while holding (disk full)
    _blocked: set[str]  # pids shown as blocked while holding

    if TYPE_CHECKING:

        def _commit(self, durable: bool) -> None: ...

        def _end_slice(self) -> None: ...

        def _send_in_order(self, events: tuple[Any, ...]) -> None: ...

        def receiveMessage(self, message: Any, sender: Any) -> None: ...

        def wakeupAfter(self, seconds: float) -> None: ...

    def _hold(self, error: StoreError) -> None:
        """Stop here until a commit succeeds; show why on every unfinished process."""
        assert self._config is not None
        if self._held is None:
            self._held = []
            index = self._config.index
            _LOG.error("host %d holds its processes until there is space: %s", index, error)
            shown = []
            for pid, cell in self._cells.items():
                if not cell.process.has_terminated():
                    self._blocked.add(pid)
                    status = ProcessDriver(cell.process).status()
                    shown.append(
                        StateChanged(dataclasses.replace(status, status=f"blocked: {error}"))
                    )
            if shown:  # status only: it commits nobody to anything the store could forget
                self._send_in_order(tuple(shown))
        if self._config.home is not None:  # daemon: retry on a timer
            self.wakeupAfter(RETRY_SECONDS)
        raise Holding

    def _while_holding(self, message: Any, sender: Any) -> None:
        """Keep what arrives; try the commit again (daemon: on the timer only)."""
        assert self._held is not None and self._config is not None
        kind = type(message)
        if kind is HostConfig:
            self._config, self._tick_pending = message, False
        elif kind is Tick:
            self._tick_pending = False
        elif kind is not WakeupMessage:
            self._held.append((message, sender))
        if kind is not WakeupMessage and self._config.home is not None:  # daemon
            return
        try:
            self._commit(durable=True)
        except Holding:
            return
        held, self._held = self._held, None
        for pid in self._blocked:  # the true status again, in order with the held events
            cell = self._cells.get(pid)
            if cell is not None and not cell.process.has_terminated():
                self._events.append(StateChanged(ProcessDriver(cell.process).status()))
        self._blocked.clear()
        _LOG.warning("host %d can write again; its processes go on", self._config.index)
        try:
            self._end_slice()
        except Holding:
            self._held[:0] = held
            return
        for index, (earlier, sent_by) in enumerate(held):
            self.receiveMessage(earlier, sent_by)
            if self._held is not None:  # full again: keep the rest, in order
                self._held.extend(held[index + 1 :])
                return
