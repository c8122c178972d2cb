"""The behaviour of one process actor, apart from how its messages travel.

A cell owns one process and handles one message at a time:
``receive -> engine step -> store -> send``. A host actor runs many cells in one OS
process (:mod:`prunus.actors._host`); the cell itself knows nothing of Thespian. The
rules every host keeps for its cells:

- after every message that changed the process, its checkpoint is written before
  anything is sent, so no other actor learns of a step the store could forget (a host
  stages the writes of a slice and commits them before it sends the slice's events);
- after every step, the next one is *scheduled*, not run, so control messages already
  waiting are handled between two steps;
- children's results that arrive together (one Deliver) are stored and reported once,
  after the last of them (:meth:`ProcessCell.settle`): each would rewrite the whole
  checkpoint, and no user code runs between them.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from prunus.actors._host_messages import (
    ChildFinished,
    Finished,
    Reply,
    StateChanged,
    Step,
)
from prunus.actors._messages import (
    ControlReply,
    ErrorReply,
    KillRequest,
    PauseRequest,
    PlayRequest,
    ResumeRequest,
)
from prunus.actors._persisting import ProcessWriter
from prunus.actors._waiting_messages import DeliverSignal, SignalDelivered, Wake
from prunus.engine import (
    NestedRunner,
    Process,
    ProcessDriver,
    ProcessResult,
    ProcessState,
    ProcessStatus,
    enter_runner,
    leave_runner,
)
from prunus.errors import CheckpointError, CodecError, InvalidStateError
from prunus.persistence import decode

__all__ = ["CellOutbox", "CollectingOutbox", "ProcessCell"]

_LOG = logging.getLogger(__name__)


class CellOutbox(Protocol):
    """Where a cell's messages go; implemented by whatever hosts the cell."""

    def to_supervisor(self, message: Any) -> None: ...

    def launched(self, child: Process) -> None: ...

    def schedule_step(self, pid: str) -> None: ...

    def reply(self, to: Any, message: Any) -> None: ...


class ProcessCell:
    """One process and the bookkeeping that makes it an actor."""

    def __init__(
        self,
        process: Process,
        writer: ProcessWriter,
        outbox: CellOutbox,
        nested: NestedRunner | None = None,
    ) -> None:
        self.process = process
        self._nested = nested  # runs the nested calls of this cell's steps
        self._driver = ProcessDriver(process)
        self._writer = writer
        self._outbox = outbox
        self._step_pending = False
        self._unsettled = False  # children's results taken but not yet stored
        self._last_status: ProcessStatus | None = None
        # A cell for an ended process only answers control (a message that was on its
        # way when the process ended): it never steps and never writes.
        self.finished = process.has_terminated()

    @property
    def pid(self) -> str:
        return self.process.pid

    @property
    def is_idle(self) -> bool:
        """Not finished and nothing scheduled: waiting for a message (passivatable)."""
        return not self.finished and not self._step_pending

    def start(self) -> None:
        """Announce the process and schedule its step; its state is already stored
        (a new process by whoever launched it, a reloaded one by its last step)."""
        if not self.finished:
            self._announce()

    def handle(self, message: Any) -> None:
        if self._unsettled and type(message) is not ChildFinished:
            self.settle()
        # One table for the class (a dict of bound methods per cell was 10% of the
        # supervisor's CPU in a kill of 3k passivated trees, one cell each).
        handler = _HANDLERS.get(type(message))
        if handler is None:
            _LOG.warning("process %s ignored unexpected message %r", self.pid, message)
        else:
            handler(self, message)

    # ---- handlers -------------------------------------------------------------------

    def _on_step(self, message: Step) -> None:
        self._step_pending = False
        if not self.finished and self._driver.runnable:
            if self._nested is None:
                self._driver.step()
            else:
                token = enter_runner(self._nested)  # (a with block costs more)
                try:
                    self._driver.step()
                finally:
                    leave_runner(token)
            self._sync()

    def _on_pause(self, message: PauseRequest) -> None:
        self._control(message.reply_to, self.process.pause())

    def _on_play(self, message: PlayRequest) -> None:
        self._control(message.reply_to, self.process.play())

    def _on_kill(self, message: KillRequest) -> None:
        self._control(message.reply_to, self.process.kill(message.message))

    def _on_resume(self, message: ResumeRequest) -> None:
        try:
            self.process.resume()
        except InvalidStateError:  # not waiting, or waiting for children: no change
            self._control(message.reply_to, False)
            return
        self._control(message.reply_to, True)

    def _on_child_finished(self, message: ChildFinished) -> None:
        if not self.finished and not self.process.has_terminated():
            self._driver.child_finished(message.result)
            self._unsettled = True  # stored by settle(), once for a batch of them

    def settle(self) -> None:
        """Store and report the children's results taken since the last message of
        another kind; whoever delivers ChildFinished calls it after the batch."""
        if self._unsettled:
            self._unsettled = False
            self._sync()

    def _on_wake(self, message: Wake) -> None:
        if not self.finished and self._driver.wake(message.due, time.time()):
            self._sync()

    def _on_signal(self, message: DeliverSignal) -> None:
        """Store the signal with the process, then answer (see ``_signals``)."""
        ok = False
        if not self.finished:
            try:
                payload = decode(message.payload)
            except CodecError as error:  # the client encoded it: only a foreign sender
                self._outbox.reply(message.reply_to, ErrorReply("CodecError", self.pid, str(error)))
                return
            ok = self._driver.signal(message.name, payload)
        self._sync()
        if message.reply_to is not None:
            status = self._driver.status()
            self._outbox.reply(message.reply_to, SignalDelivered(self.pid, ok, status))

    def _control(self, to: Any, ok: bool) -> None:
        """Sync, then answer ``to`` (cascaded control has no asker).

        Sync first: the asker must see the state the control message produced, and a
        kill's Finished must be on its way before the asker hears "done".
        """
        self._sync()
        if to is not None:
            self._outbox.reply(to, self._answer(ok))

    def _answer(self, ok: bool) -> ControlReply:
        return ControlReply(self.pid, ok, self._driver.status())

    # ---- after every message that may have changed the process -----------------------

    def _sync(self) -> None:
        """Store what the last message changed, tell the supervisor, schedule a step."""
        process = self.process
        if self.finished:
            return
        launches, reports = self._driver.take_effects()
        if process.state in (ProcessState.KILLED, ProcessState.EXCEPTED):
            launches = []  # a step that ended in failure launches nothing
        written = self._persist(launches, reports)
        for child in launches:
            self._outbox.launched(child)
        self._announce(*written)

    def _announce(
        self, status: ProcessStatus | None = None, result: ProcessResult | None = None
    ) -> None:
        """Tell the supervisor what changed and schedule the next step if there is one
        (``status`` and ``result``: what was just written, so not built again)."""
        process = self.process
        driver = self._driver
        if status is None:
            status = driver.status()
        if process.has_terminated():
            self.finished = True
            self._outbox.to_supervisor(
                Finished(status, result if result is not None else driver.result())
            )
            return
        if status != self._last_status:
            self._outbox.to_supervisor(StateChanged(status))
            self._last_status = status
        if driver.runnable and not self._step_pending:
            self._step_pending = True
            self._outbox.schedule_step(self.pid)

    def _persist(
        self, launches: list[Process], reports: list[str]
    ) -> tuple[ProcessStatus, ProcessResult | None]:
        """Write the process; returns the status and result written."""
        process, driver = self.process, self._driver
        written = driver.status(), driver.result() if process.has_terminated() else None
        try:
            self._writer.write(process, *written, launches, reports)
        except CodecError as error:
            # The process holds something the store cannot keep: it cannot be durable,
            # so it ends here with the reason (which names the path of the bad value).
            _LOG.error("cannot checkpoint process %s: %s", process.pid, error)
            driver.fail(CheckpointError(f"cannot checkpoint process {process.pid}: {error}"))
            launches.clear()
            status = driver.status()
            result = driver.result() if process.has_terminated() else None
            written = status, self._writer.write_failure(process, status, result)
        return written


_HANDLERS: dict[type, Any] = {
    Step: ProcessCell._on_step,
    PauseRequest: ProcessCell._on_pause,
    PlayRequest: ProcessCell._on_play,
    KillRequest: ProcessCell._on_kill,
    ResumeRequest: ProcessCell._on_resume,
    ChildFinished: ProcessCell._on_child_finished,
    Wake: ProcessCell._on_wake,
    DeliverSignal: ProcessCell._on_signal,
}


class CollectingOutbox:
    """An outbox that keeps what a cell would send, for code that runs a cell itself
    (the supervisor applying a control to a passivated process)."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.runnable = False

    def to_supervisor(self, message: Any) -> None:
        self.events.append(message)

    def launched(self, child: Process) -> None:
        raise AssertionError("a control message never launches a child")

    def schedule_step(self, pid: str) -> None:
        self.runnable = True

    def reply(self, to: Any, message: Any) -> None:
        self.events.append(Reply(to, message))
