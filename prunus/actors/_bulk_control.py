"""Bulk control: one request carrying many pauses, plays or kills, answered once.

``pause --all`` as one control per pid stops at the first tree whose host is busy in a
long step (its answer comes only after that step), and never reaches the others. A
:class:`ControlMany` instead hands every control to :class:`Control` at once (each
cascades as usual), collects the answers by slot, and answers its asker once, when all
have answered or when its deadline comes, with one outcome per pid: the ControlReply,
the ErrorReply (an unknown pid), or None: not answered yet. A control not answered by
the deadline still stands (it is delivered, and a kill is recorded durably); only its
answer is given up.

The parts answer an asker through ``Outgoing.send``; here the asker of each control is
a :class:`BulkSlot`, a plain value (it travels inside the control to a host and back),
and :meth:`BulkControl.settle` takes the sends addressed to slots out of the Outgoing
before the shell sends the rest.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prunus.actors._control_all import ControlAllReply
from prunus.actors._messages import ControlMany, ControlManyReply, ControlReply, ControlRequest
from prunus.actors._outgoing import Outgoing

__all__ = ["BulkControl", "BulkDeadline", "BulkSlot"]


@dataclass(frozen=True, slots=True)
class BulkSlot:
    """The asker of one control of bulk request ``bulk``: its ``index``-th outcome."""

    bulk: int
    index: int


@dataclass(frozen=True, slots=True)
class BulkDeadline:
    """Timer payload: bulk request ``bulk`` answers now with what it has."""

    bulk: int


@dataclass(slots=True)
class _Bulk:
    asker: Any
    outcomes: list[Any]
    left: set[int] = field(default_factory=set)
    pids: tuple[str, ...] | None = None  # a ControlAll: answered with a ControlAllReply


class BulkControl:
    """Open bulk requests by id, and their outcomes so far."""

    def __init__(self) -> None:
        self._open: dict[int, _Bulk] = {}
        self._ids = 0

    def start(
        self,
        message: ControlMany,
        asker: Any,
        out: Outgoing,
        pids: tuple[str, ...] | None = None,
    ) -> Iterator[tuple[ControlRequest, BulkSlot]]:
        """Open a bulk request; yields each control with the slot that is its asker.
        With ``pids`` (those of a ControlAll, one per request), the answer is a
        ControlAllReply."""
        requests = message.requests
        self._ids += 1
        bulk = self._ids
        self._open[bulk] = _Bulk(asker, [None] * len(requests), set(range(len(requests))), pids)
        if not requests:
            self._answer(bulk, out)
            return
        if message.timeout is not None:
            out.wake_after(max(0.0, message.timeout), BulkDeadline(bulk))
        for index, request in enumerate(requests):
            yield dataclasses.replace(request, reply_to=None), BulkSlot(bulk, index)

    def settle(self, out: Outgoing) -> None:
        """Take the answers addressed to slots out of ``out``; answer complete bulks."""
        if not self._open or not any(type(to) is BulkSlot for to, _ in out.sends):
            return
        kept = []
        for to, reply in out.sends:
            if type(to) is BulkSlot:
                self._answered(to, reply)
            else:
                kept.append((to, reply))
        out.sends[:] = kept
        for bulk_id, bulk in list(self._open.items()):
            if not bulk.left:
                self._answer(bulk_id, out)

    def deadline(self, payload: BulkDeadline, out: Outgoing) -> None:
        """Answer with what has come (None for the rest: their controls still stand)."""
        if payload.bulk in self._open:
            self._answer(payload.bulk, out)

    def _answered(self, slot: BulkSlot, reply: Any) -> None:
        bulk = self._open.get(slot.bulk)
        if bulk is not None and slot.index in bulk.left:
            bulk.left.discard(slot.index)
            bulk.outcomes[slot.index] = reply

    def _answer(self, bulk_id: int, out: Outgoing) -> None:
        bulk = self._open.pop(bulk_id)
        if bulk.pids is None:
            out.send(bulk.asker, ControlManyReply(tuple(bulk.outcomes)))
            return
        oks = tuple(o.ok if type(o) is ControlReply else None for o in bulk.outcomes)
        out.send(bulk.asker, ControlAllReply(bulk.pids, oks))
