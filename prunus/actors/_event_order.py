"""Host batches applied in the order their host sent them, whatever order they arrive in.

Issue 11, finding 10: at 10k-100k ``submit_many``, a few new processes stayed CREATED
for good, marked active, while the store said WAITING (seen again here at 10k on a
loaded machine: two children, both written in the same commit of one host slice). The
supervisor had applied that slice's events (WAITING, passivated) *before* the events
of the slice that had activated them (Activated, CREATED): Thespian's TCP transport
does not promise order between two actors when a transmit is retried (a busy receiver,
a connection reset under load), and a host's batches are only correct in order.

So every batch a host sends on its own way to the supervisor carries a sequence number
(1, 2, ... per host actor; 0 means unordered: a long step's status report, which goes
by way of the echo). :class:`EventOrder` releases batches in sequence: one that comes
early is held until those before it have come; one that comes twice is dropped. A gap
that stays open for ``GAP_SECONDS`` means a batch was lost outright: the ones held are
then applied anyway (and the loss logged), since what they report is committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GAP_SECONDS", "EventOrder", "GapCheck"]

_LOG = logging.getLogger(__name__)

#: How long a batch that came early waits for the ones before it.
GAP_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class GapCheck:
    """Timer payload: is host ``host``'s gap (batches before ``seq``) still open?"""

    host: int
    seq: int


@dataclass(slots=True)
class _Stream:
    expected: int = 1  # the sequence number of the next batch to apply
    held: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # seq -> events
    since: float = 0.0  # when the oldest held batch came


class EventOrder:
    """Per host: the next sequence number due, and the batches that came early."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._streams: dict[int, _Stream] = {}
        self._clock = clock
        self.reordered = self.duplicates = self.lost = 0  # counts, for status and tests

    def arrived(self, host: int, seq: int, events: tuple[Any, ...]) -> tuple[list[Any], bool]:
        """A batch from host ``host``: the batches to apply now, in order, and whether
        a :class:`GapCheck` should be armed (a batch came early)."""
        if seq == 0:
            return [events], False
        stream = self._streams.setdefault(host, _Stream())
        if seq < stream.expected or seq in stream.held:
            self.duplicates += 1
            _LOG.warning("host %d: batch %d arrived twice; dropped", host, seq)
            return [], False
        if seq > stream.expected:
            self.reordered += 1
            _LOG.warning(
                "host %d: batch %d arrived before batch %d; held", host, seq, stream.expected
            )
            first = not stream.held
            if first:
                stream.since = self._clock()
            stream.held[seq] = events
            return [], first
        stream.expected += 1
        return [events, *self._release(stream)], False

    def applied(self, host: int) -> int:
        """The number of the newest batch applied from host ``host``'s current actor
        (0: none yet, or the actor is new)."""
        stream = self._streams.get(host)
        return 0 if stream is None else stream.expected - 1

    def gap_check(self, check: GapCheck) -> tuple[list[Any], bool]:
        """The timer of a gap: if it is still open after ``GAP_SECONDS``, the batches
        held are released (the missing ones are lost); else check again later."""
        stream = self._streams.get(check.host)
        if stream is None or not stream.held:
            return [], False
        if self._clock() - stream.since < GAP_SECONDS:
            return [], True
        first = min(stream.held)
        self.lost += first - stream.expected
        _LOG.error(
            "host %d: batches %d to %d never arrived; applying the %d after them",
            check.host,
            stream.expected,
            first - 1,
            len(stream.held),
        )
        stream.expected = first
        return self._release(stream), False

    def restarted(self, host: int) -> list[Any]:
        """Host ``host`` is a new actor (numbering from 1 again): what the old one sent
        and is still held, to apply now (it was committed)."""
        stream = self._streams.pop(host, None)
        if stream is None:
            return []
        return [stream.held[seq] for seq in sorted(stream.held)]

    def _release(self, stream: _Stream) -> list[Any]:
        released = []
        while stream.expected in stream.held:
            released.append(stream.held.pop(stream.expected))
            stream.expected += 1
        if stream.held:
            stream.since = self._clock()
        return released
