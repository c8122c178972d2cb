"""The embedded process actor: one Thespian actor per process, hosting one cell.

Its mailbox is the process's mailbox; a step is a :class:`Step` the actor sends itself,
so control already queued is handled between steps (see :mod:`prunus.actors._cell`).
"""

from __future__ import annotations

from typing import Any

from prunus.actors._cell import ProcessCell
from prunus.actors._messages import Host, Launch, Step
from prunus.actors._persisting import ProcessWriter
from prunus.actors._thespian import Actor, ActorExitRequest
from prunus.engine import Process

__all__ = ["ProcessActor"]

_STEP = Step()


class ProcessActor(Actor):
    """One process, one mailbox, one message at a time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cell: ProcessCell | None = None
        self._supervisor: Any = None

    def receiveMessage(self, message: Any, sender: Any) -> None:
        if isinstance(message, Host):
            self._supervisor = sender
            self._cell = ProcessCell(message.process, ProcessWriter(message.store), self)
            self._cell.start()
        elif self._cell is not None and not isinstance(message, ActorExitRequest):
            self._cell.handle(message)

    # ---- CellOutbox ----------------------------------------------------------------

    def to_supervisor(self, message: Any) -> None:
        # No self-exit on Finished: the supervisor ends this actor when it handles it,
        # so control it forwarded before then is still answered (mailboxes are FIFO).
        self.send(self._supervisor, message)

    def launched(self, child: Process) -> None:
        self.send(self._supervisor, Launch(child, reply=False))

    def schedule_step(self, pid: str) -> None:
        self.send(self.myAddress, _STEP)

    def reply(self, to: Any, message: Any) -> None:
        self.send(to, message)
