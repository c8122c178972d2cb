"""Clients waiting for processes to end, and the deadlines of those waits.

A wait is answered once, when its process ends (or, for a WaitForMany, when its last
one does), or with WaitTimedOut when its deadline passes first. Deadlines are timers
whose payloads are typed values (:class:`WaitDeadline`, :class:`ManyWaitDeadline`): the
shell hands every timer back here by its payload's type. Durable timers for processes
(``self.sleep``) will be kept in this part too, next to these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prunus.actors._messages import (
    WaitFor,
    WaitForMany,
    WaitResult,
    WaitResults,
    WaitTimedOut,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._registry import Ending, Registry
from prunus.engine import ProcessResult

__all__ = ["ManyWait", "ManyWaitDeadline", "WaitDeadline", "Waits"]


@dataclass(slots=True)
class ManyWait:
    """A WaitForMany: answered once, when its last process ends (or it times out)."""

    asker: Any
    request_id: int
    pids: tuple[str, ...]
    results: dict[str, ProcessResult | None] = field(default_factory=dict)
    answered: bool = False
    distinct: int = 0  # how many different pids (a pid may be named twice)

    def __post_init__(self) -> None:
        self.distinct = len(set(self.pids))

    @property
    def complete(self) -> bool:
        return len(self.results) == self.distinct

    def answer(self) -> WaitResults:
        return WaitResults(self.request_id, tuple(self.results[pid] for pid in self.pids))  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class WaitDeadline:
    """Timer payload: the wait ``request_id`` on ``pid`` times out now."""

    pid: str
    request_id: int


@dataclass(frozen=True, slots=True)
class ManyWaitDeadline:
    """Timer payload: ``wait`` times out now (unless it was answered)."""

    wait: ManyWait


class Waits:
    """Who waits on which pid: ``(asker, request_id)`` or ``(ManyWait, request_id)``."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._waiting: dict[str, list[tuple[Any, int]]] = {}

    def wait_for(self, message: WaitFor, asker: Any, out: Outgoing) -> None:
        entry = self._registry.lookup(message.pid, asker, out)
        if entry is None:
            return
        if entry.result is not None:
            out.send(asker, WaitResult(message.request_id, entry.result))
            return
        self._waiting.setdefault(message.pid, []).append((asker, message.request_id))
        if message.timeout is not None:
            out.wake_after(message.timeout, WaitDeadline(message.pid, message.request_id))

    def wait_for_many(self, message: WaitForMany, asker: Any, out: Outgoing) -> None:
        """All pids are checked first: one unknown pid answers an error, and no wait."""
        entries = []
        for pid in message.pids:
            entry = self._registry.lookup(pid, asker, out)
            if entry is None:
                return
            entries.append((pid, entry))
        wait = ManyWait(asker, message.request_id, message.pids)
        for pid, entry in entries:
            if entry.result is not None:
                wait.results[pid] = entry.result
            else:
                self._waiting.setdefault(pid, []).append((wait, message.request_id))
        if wait.complete:
            wait.answered = True
            out.send(asker, wait.answer())
        elif message.timeout is not None:
            out.wake_after(message.timeout, ManyWaitDeadline(wait))

    def cancel(self, pid: str, request_id: int) -> Any:
        """Forget the wait ``request_id`` on ``pid``; its asker (None if not waiting)."""
        waiting = self._waiting.get(pid, [])
        for index, (asker, waiting_id) in enumerate(waiting):
            if waiting_id == request_id:
                del waiting[index]
                if not waiting:
                    del self._waiting[pid]
                return asker
        return None

    def deadline(self, payload: WaitDeadline | ManyWaitDeadline, out: Outgoing) -> None:
        """A wait's timer fired: answer WaitTimedOut unless it was answered already."""
        if isinstance(payload, WaitDeadline):
            asker = self.cancel(payload.pid, payload.request_id)
            if asker is not None:
                out.send(asker, WaitTimedOut(payload.pid, payload.request_id))
            return
        wait = payload.wait
        if not wait.answered:
            wait.answered = True
            late = next(pid for pid in wait.pids if pid not in wait.results)
            out.send(wait.asker, WaitTimedOut(late, wait.request_id))

    def ended(self, ending: Ending, out: Outgoing) -> None:
        """Answer everyone waiting on the process that ended."""
        pid, result = ending.pid, ending.result
        for asker, request_id in self._waiting.pop(pid, ()):
            if isinstance(asker, ManyWait):
                asker.results[pid] = result
                if asker.complete and not asker.answered:
                    asker.answered = True
                    out.send(asker.asker, asker.answer())
            else:
                out.send(asker, WaitResult(request_id, result))

    def waiting_on(self, pid: str) -> int:
        """How many waits ``pid`` has (for tests and checks)."""
        return len(self._waiting.get(pid, ()))
