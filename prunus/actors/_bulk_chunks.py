"""A long bulk control carried out a chunk per message, so the supervisor stays responsive.

``kill --all`` of 100k trees is one request, and the supervisor handles one message at
a time: carried out in one go, it answered nothing else (``status``, ``list``, a
host's events) for the half minute it took. Instead, a bulk request carries out
:data:`BUDGET` seconds' worth of controls (at most :data:`CHUNK`), then asks for a
timer of a few milliseconds (:class:`NextChunk`, :data:`PAUSE`) and returns: whatever
arrived meanwhile is handled, and the timer carries out the next chunk. Each chunk's
writes are committed (one fsync) before the next message, as for any message; the
bulk request is answered once, when its last control has answered
(:mod:`prunus.actors._bulk_control`).

A control carried out in a later chunk acts on the process as it is then: one that
ended meanwhile answers False, as it would have; a process launched after the request
is not part of it (the request names its pids when it arrives).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from prunus.actors._outgoing import Outgoing

__all__ = ["CHUNK", "BulkChunks", "NextChunk"]

# A chunk ends after BUDGET seconds or CHUNK trees, whichever comes first. By time, so
# that a loaded machine (where a tree's ~0.2 ms of CPU takes several times as long)
# still answers a status within a few chunks: with 2,000 trees a chunk, growth.py saw
# a status wait 2.7 s at load 10. Each chunk ends with a commit and an fsync (a few ms
# on this disk), so a chunk much shorter than BUDGET would cost more than it gives.
# ``PRUNUS_BULK_CHUNK`` sets another CHUNK (the tests make chunks of a few trees).
CHUNK = 2000
BUDGET = 0.1
# Between two chunks. Not zero: Thespian's TCP transport reads no socket while a timer
# is already due (it delivers the wake-up first), so a zero-second timer chain
# answered nothing else until the end (measured: one status waited the whole kill).
PAUSE = 0.005


def chunk_size() -> int:
    """``PRUNUS_BULK_CHUNK`` if it is a positive integer, else :data:`CHUNK`."""
    try:
        return max(1, int(os.environ.get("PRUNUS_BULK_CHUNK", "") or CHUNK))
    except ValueError:
        return CHUNK


@dataclass(frozen=True, slots=True)
class NextChunk:
    """Timer payload: carry out the next chunk of bulk run ``run``."""

    run: int


class BulkChunks:
    """The bulk runs with controls left to carry out, by id."""

    def __init__(self, chunk: int | None = None, budget: float = BUDGET) -> None:
        self._left: dict[int, Iterator[tuple[Any, Any]]] = {}
        self._ids = 0
        self._chunk = chunk if chunk is not None else chunk_size()
        self._budget = budget

    def run(
        self,
        controls: Iterator[tuple[Any, Any]],
        carry_out: Callable[[Any, Any], None],
        out: Outgoing,
    ) -> None:
        """Carry out the first chunk of ``controls`` (``carry_out(request, asker)``
        each) and schedule the rest."""
        self._ids += 1
        self._next(self._ids, controls, carry_out, out)

    def next_chunk(
        self, payload: NextChunk, carry_out: Callable[[Any, Any], None], out: Outgoing
    ) -> None:
        controls = self._left.pop(payload.run, None)
        if controls is not None:
            self._next(payload.run, controls, carry_out, out)

    def _next(
        self,
        run: int,
        controls: Iterator[tuple[Any, Any]],
        carry_out: Callable[[Any, Any], None],
        out: Outgoing,
    ) -> None:
        chunk = self._chunk
        ends = time.monotonic() + self._budget
        for done, (request, asker) in enumerate(controls, 1):
            carry_out(request, asker)
            if done >= chunk or time.monotonic() >= ends:  # (maybe more: the next
                self._left[run] = controls  # timer finds out)
                out.wake_after(PAUSE, NextChunk(run))
                return

    def __len__(self) -> int:
        """Bulk runs not carried out to the end yet."""
        return len(self._left)
