"""A host actor created on one chosen member, by an exact requirement.

Thespian places an actor whose class has ``actorSystemCapabilityCheck`` on a system of
the convention whose capabilities that check accepts. Prunus decides where each host
goes, so the check accepts exactly one system: the member whose name the supervisor
asked for (the leader, which publishes no member name, never accepts it).

A member's host never opens the leader's store (:mod:`prunus.actors._shipping`): it
ships each slice's writes to the leader's desk and waits for the commit before it
releases anything of the slice, and it fetches from the desk the checkpoints it needs
to activate processes. While it waits it keeps every message that arrives, in order,
and handles them once the answer is in: exactly what a local host does while its
commit runs, only the commit is in another OS process (or on another machine).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from prunus.actors._disk_full_hold import RETRY_SECONDS
from prunus.actors._host import HostActor
from prunus.actors._host_messages import Deliver, HostConfig
from prunus.actors._members import MEMBER_CAPABILITY
from prunus.actors._shipping import (
    Checkpoints,
    Committed,
    FetchCheckpoints,
    ShippingCommit,
    ShipWrites,
    checkpoints_to_fetch,
)
from prunus.actors._thespian import WakeupMessage

__all__ = ["MemberHost", "on_member"]

_LOG = logging.getLogger(__name__)
_EXIT_FENCED = 75  # os._exit code of a host whose assignment was given up


def on_member(name: str) -> dict[str, str]:
    """The requirement that puts an actor on member ``name`` and nowhere else."""
    return {MEMBER_CAPABILITY: name}


class MemberHost(HostActor):
    """A :class:`HostActor` that runs only on the member it was asked for."""

    ships_writes = True

    @staticmethod
    def actorSystemCapabilityCheck(
        capabilities: dict[str, Any], requirements: dict[str, Any]
    ) -> bool:
        wanted = requirements.get(MEMBER_CAPABILITY)
        return wanted is not None and capabilities.get(MEMBER_CAPABILITY) == wanted

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._asked: ShipWrites | FetchCheckpoints | None = None  # what the desk owes us
        self._kept: list[tuple[Any, Any]] = []  # arrived while waiting for the desk
        self._seq = 0

    def receiveMessage(self, message: Any, sender: Any) -> None:
        if self._asked is None:
            super().receiveMessage(message, sender)
            return
        kind = type(message)
        if kind is Committed or kind is Checkpoints:
            if message.seq == self._asked.seq:
                self._answered(message)
        elif kind is WakeupMessage:
            if type(self._asked) is ShipWrites:
                self._ask_desk()  # the leader's disk was full: try again
        elif kind is HostConfig:
            desk = self._config.desk if self._config is not None else None
            self._config, self._tick_pending = message, False
            if message.desk != desk:  # a new desk: the old one may have died asking
                self._ask_desk()
        else:
            self._kept.append((message, sender))

    # ---- the hooks of HostActor ---------------------------------------------------------

    def _open_writes(self, config: HostConfig) -> Any:
        return ShippingCommit()

    def _handle(self, message: Any, sender: Any) -> None:
        if type(message) is not Deliver:
            super()._handle(message, sender)
            return
        missing = checkpoints_to_fetch(message.items, self._cells, self._writes.store)
        if missing:  # fetch them first, then handle this Deliver as if it came now
            self._kept.append((message, sender))
            self._seq += 1
            self._asked = FetchCheckpoints(self._seq, missing)
            self._ask_desk()
            return
        try:
            super()._handle(message, sender)
        finally:
            self._writes.store.clear()  # fetched for this Deliver only: they move on

    def _end_slice(self) -> None:
        if not self._writes.pending:
            self._finish_slice()
            return
        self._seq += 1
        self._asked = self._writes.take(self._seq)
        self._ask_desk()

    # ---- waiting for the desk ------------------------------------------------------------

    def _ask_desk(self) -> None:
        assert self._config is not None and self._asked is not None
        self.send(self._config.desk, self._asked)

    def _answered(self, answer: Any) -> None:
        assert self._config is not None
        if type(answer) is Checkpoints:
            self._writes.store.add(answer.blobs)
        elif answer.refused is not None:
            if answer.retry:  # the leader's disk is full: the same writes, later
                index, why = self._config.index, answer.refused
                _LOG.error("host %d: the leader cannot commit yet: %s", index, why)
                self.wakeupAfter(RETRY_SECONDS)
                return
            # Given up by the leader (fenced) or a failed commit: nothing of this
            # slice is stored and nothing of it leaves; the leader restarts the
            # processes from their last commits.
            _LOG.error("host %d exits: %s", self._config.index, answer.refused)
            os._exit(_EXIT_FENCED)
        self._asked = None
        if type(answer) is Committed:
            self._finish_slice()
        kept, self._kept = self._kept, []
        for index, (message, sender) in enumerate(kept):
            self.receiveMessage(message, sender)
            if self._asked is not None:  # waiting again: keep the rest, in order
                self._kept.extend(kept[index + 1 :])
                return
