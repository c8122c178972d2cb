"""Process timers: one heap in the supervisor for every sleeping process.

A process that waits on a timer says so in its status (``status.due``), which reaches
the supervisor with every state change, at a reload too (a reloaded process reports
its status when its host activates it). :meth:`Timers.track` puts ``(due, pid)`` in one
heap; the supervisor holds ONE Thespian wake-up, for the earliest entry, and re-arms it
when an earlier one arrives. So a thousand sleepers cost a thousand heap entries, not
a thousand Thespian timers. When it fires, every entry that is due is delivered as a
:class:`Wake` to its process (which is activated from its checkpoint if it was
passivated); an entry whose process no longer waits on that deadline (it was killed,
signalled, or waits on a new timer) is dropped.

A timer that fell due while the runtime was down is in the past when its process is
reloaded: it fires at once, and the process reports its lateness.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable

from prunus.actors._outgoing import Outgoing
from prunus.actors._registry import Registry
from prunus.actors._waiting_messages import TimersDue, Wake
from prunus.engine import ProcessState, ProcessStatus

__all__ = ["Timers"]


class Timers:
    """The heap of process deadlines and the one wake-up armed for its head."""

    def __init__(self, registry: Registry, clock: Callable[[], float] = time.time) -> None:
        self._registry = registry
        self._clock = clock
        self._heap: list[tuple[float, str]] = []
        self._known: set[tuple[float, str]] = set()  # what is in the heap (no duplicates)
        self._armed: float | None = None  # the due time of the wake-up asked for

    def __len__(self) -> int:
        return len(self._heap)

    def track(self, status: ProcessStatus, out: Outgoing) -> None:
        """Note ``status``'s deadline if it waits on one (anything else is ignored)."""
        if status.due is None or status.state is not ProcessState.WAITING:
            return
        key = (status.due, status.pid)
        if key not in self._known:
            self._known.add(key)
            heapq.heappush(self._heap, key)
            self._arm(out)

    def track_all(self, out: Outgoing) -> None:
        """Note the deadline of every registered process (after a reload)."""
        for entry in list(self._registry.entries.values()):
            if entry.result is None:
                self.track(entry.status, out)

    def fire(self, payload: TimersDue, out: Outgoing) -> int:
        """The wake-up fired: wake every process whose deadline has come; how many.
        Thespian may fire a little early: what is not due yet is armed again for the
        time left, so a ``sleep(seconds)`` never ends before its deadline (firing 5 ms
        early, as this once did, ended a 2 s sleep after 1.996 s)."""
        if payload.at == self._armed:
            self._armed = None
        now, woken = self._clock(), 0
        while self._heap and self._heap[0][0] <= now:
            due, pid = heapq.heappop(self._heap)
            self._known.discard((due, pid))
            entry = self._registry.get(pid)
            if entry is not None and entry.result is None and entry.status.due == due:
                self._registry.deliver(pid, Wake(due), out)
                woken += 1
        self._arm(out)
        return woken

    def next_in(self) -> float | None:
        """Seconds until the earliest live deadline (0 if overdue); None if none."""
        while self._heap:
            due, pid = self._heap[0]
            entry = self._registry.get(pid)
            if entry is not None and entry.result is None and entry.status.due == due:
                return max(0.0, due - self._clock())
            heapq.heappop(self._heap)
            self._known.discard((due, pid))
        return None

    def _arm(self, out: Outgoing) -> None:
        if not self._heap:
            return
        first = self._heap[0][0]
        if self._armed is not None and self._armed <= first:
            return  # the wake-up asked for comes first anyway
        self._armed = first
        # One wake-up per supervisor message at most: one asked for earlier in this
        # message (not sent yet) is replaced, not added to (Thespian cannot cancel one).
        pending = [t for t in out.timers if isinstance(t[1], TimersDue)]
        for timer in pending:
            out.timers.remove(timer)
        out.wake_after(max(0.0, first - self._clock()), TimersDue(first))
