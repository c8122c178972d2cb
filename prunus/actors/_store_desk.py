"""The leader's store desk: the one actor that commits what members' hosts ship.

A Thespian actor on the leader (one OS process, started when the first host on a
member is), around the plain :class:`~prunus.actors._shipping.CommitDesk`. It opens
the leader's store in its own OS process (never inheriting an LMDB environment) and
answers every shipment only after it is committed and fsynced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prunus.actors._shipping import CommitDesk, FetchCheckpoints, ShipWrites
from prunus.actors._thespian import Actor
from prunus.persistence import LmdbStore, every_commit_synced

__all__ = ["OpenStore", "StoreDesk"]


@dataclass(frozen=True, slots=True)
class OpenStore:
    """Supervisor -> new desk: the leader's home."""

    home: str


class StoreDesk(Actor):
    """Commits members' shipments in the leader's store; hands out checkpoints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._desk: CommitDesk | None = None
        self._early: list[tuple[Any, Any]] = []

    def receiveMessage(self, message: Any, sender: Any) -> None:
        kind = type(message)
        if kind is OpenStore:
            if self._desk is None:
                self._desk = CommitDesk(LmdbStore(message.home, sync=every_commit_synced()))
                early, self._early = self._early, []
                for earlier, sent_by in early:
                    self.receiveMessage(earlier, sent_by)
        elif kind is ShipWrites or kind is FetchCheckpoints:
            desk = self._desk
            if desk is None:  # (overtook the OpenStore: see HostActor's early messages)
                self._early.append((message, sender))
            elif kind is ShipWrites:
                self.send(sender, desk.commit(message))
            else:
                self.send(sender, desk.checkpoints(message))
