"""The process actor: hosts one process and drives it one step per message.

The loop is ``receive -> engine step -> store -> send``. After every step the actor
sends itself a :class:`Step`, so any Pause, Kill or Status already in its mailbox is
handled before the next step starts: that is what "pause takes effect between steps"
means here, with no locks and no event loop.
"""

from __future__ import annotations

import logging
from typing import Any

from prunus.actors._messages import (
    ChildFinished,
    ControlReply,
    Finished,
    Host,
    Kill,
    Launch,
    Pause,
    Play,
    StateChanged,
    Status,
    Step,
)
from prunus.actors._persisting import ProcessWriter
from prunus.actors._thespian import Actor, ActorExitRequest
from prunus.engine import Process, ProcessState
from prunus.errors import CheckpointError, CodecError

__all__ = ["ProcessActor"]

_LOG = logging.getLogger(__name__)
_STEP = Step()


class ProcessActor(Actor):
    """One process, one mailbox, one message at a time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._process: Process | None = None
        self._writer: Any = None
        self._supervisor: Any = None
        self._step_pending = False
        self._last_status: Any = None
        self._finished_sent = False
        self._handlers = {
            Host: self._on_host,
            Step: self._on_step,
            Pause: self._on_pause,
            Play: self._on_play,
            Kill: self._on_kill,
            Status: self._on_status,
            ChildFinished: self._on_child_finished,
        }

    def receiveMessage(self, message: Any, sender: Any) -> None:
        handler = self._handlers.get(type(message))
        if handler is not None:
            handler(message, sender)
        elif not isinstance(message, ActorExitRequest):
            _LOG.warning("process actor ignored unexpected message %r", message)

    # ---- handlers -------------------------------------------------------------------

    def _on_host(self, message: Host, sender: Any) -> None:
        self._process, self._supervisor = message.process, sender
        self._writer = ProcessWriter(message.store)
        self._sync()

    def _on_step(self, message: Step, sender: Any) -> None:
        self._step_pending = False
        process = self._process
        if process is not None and process._prunus_runnable:
            process._prunus_step()
            self._sync()

    def _on_pause(self, message: Pause, sender: Any) -> None:
        self._reply(message.reply_to, self._process.pause())

    def _on_play(self, message: Play, sender: Any) -> None:
        self._reply(message.reply_to, self._process.play())

    def _on_kill(self, message: Kill, sender: Any) -> None:
        self._reply(message.reply_to, self._process.kill(message.message))

    def _on_status(self, message: Status, sender: Any) -> None:
        # A status query changes nothing: answer without a store write.
        self.send(
            message.reply_to, ControlReply(self._process.pid, True, self._process._prunus_status())
        )

    def _on_child_finished(self, message: ChildFinished, sender: Any) -> None:
        process = self._process
        if process is not None and not process.has_terminated():
            process._prunus_child_finished(message.result)
            self._sync()

    # ---- after every message that may have changed the process -----------------------

    def _reply(self, to: Any, ok: bool) -> None:
        """Sync, then answer ``to`` (if anyone asked: cascaded control has no asker).

        Sync first: the asker must see the state the control message produced, and a
        kill's Finished must be on its way before the asker hears "done".
        """
        self._sync()
        if to is not None:
            self.send(to, ControlReply(self._process.pid, ok, self._process._prunus_status()))

    def _sync(self) -> None:
        """Store what the last message changed, tell the supervisor, schedule the next step.

        Invariant: the checkpoint is committed before anything is sent, so no other
        actor ever learns of a step the store could forget.
        """
        process = self._process
        if self._finished_sent:
            return
        launches, reports = process._prunus_take_effects()
        if process.state in (ProcessState.KILLED, ProcessState.EXCEPTED):
            launches = []  # a step that ended in failure launches nothing
        self._persist(process, launches, reports)
        status = process._prunus_status()
        for child in launches:
            self.send(self._supervisor, Launch(child, reply=False))
        if process.has_terminated():
            self._finished_sent = True
            # No self-exit: the supervisor ends this actor when it handles Finished, so
            # control it forwarded before then is still answered (mailboxes are FIFO).
            self.send(self._supervisor, Finished(status, process._prunus_result()))
            return
        if status != self._last_status:
            self.send(self._supervisor, StateChanged(status))
            self._last_status = status
        if process._prunus_runnable and not self._step_pending:
            self._step_pending = True
            self.send(self.myAddress, _STEP)

    def _persist(self, process: Process, launches: list[Process], reports: list[str]) -> None:
        def current() -> tuple[Any, Any]:
            result = process._prunus_result() if process.has_terminated() else None
            return process._prunus_status(), result

        try:
            self._writer.write(process, *current(), launches, reports)
        except CodecError as error:
            # The process holds something the store cannot keep: it cannot be durable,
            # so it ends here with the reason (which names the path of the bad value).
            _LOG.error("cannot checkpoint process %s: %s", process.pid, error)
            process._prunus_end_excepted(
                CheckpointError(f"cannot checkpoint process {process.pid}: {error}")
            )
            launches.clear()
            self._writer.write_failure(process, *current())
