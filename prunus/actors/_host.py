"""A host actor: one Thespian actor (one OS process in daemon mode) running many cells.

Why hosts instead of one Thespian actor per process: in the multiprocess bases every
Thespian actor is an OS process (10-20 ms and ~4 MiB each, and the admin drops
messages past ~1,050 actors; DESIGN.md section 7), so a daemon keeps a small fixed pool
of hosts and every process is a :class:`ProcessCell` inside one of them: a logical actor
with its own mailbox order, one message at a time. The embedded runtime uses the same
host with one worker, so both modes run the same code.

A host works in *slices*. It handles the messages the supervisor delivered, then runs
queued steps round-robin until ``slice_seconds`` is used up (0: one step). Writes are
staged and committed in rounds: before a process takes its next step, the round that
holds its last one is committed, in ONE transaction for every process in it. Those
commits are not fsynced (they survive the death of any process, SIGKILL included, but
not a power cut); at the end of the slice it:

1. commits what is left and fsyncs everything (group commit: one fsync for all the
   steps of the slice), so no event leaves before the state it reports is on disk;
2. passivates every cell that has nothing to do (WAITING, paused): its checkpoint holds
   everything, so it costs no memory and no pool slot until a message for it arrives,
   which re-activates it from the store;
3. sends the slice's events to the supervisor as one message, and a Tick to itself if
   steps are still queued, so control messages that arrived meanwhile come first.

In Thespian's TCP base a message an actor sends to itself skips the socket and is
handled before anything waiting on the socket (measured: a looping actor answered an
ask only after 40 self-sends, 0.24 s; with ``wakeupAfter`` only after all 200), which
would starve control messages while steps are queued. So a daemon host sends its Tick
to an :class:`Echo` actor that sends it back: it then queues behind what is already
waiting on the host's socket. The in-process base keeps one FIFO queue; it self-sends.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

from prunus.actors._cell import ProcessCell
from prunus.actors._host_messages import (
    Activate,
    Activated,
    ActivationFailed,
    Barrier,
    Deliver,
    HostConfig,
    HostEvents,
    HostReady,
    Passivated,
    Reply,
    Spawned,
    Step,
    Tick,
)
from prunus.actors._persisting import ProcessWriter
from prunus.actors._thespian import Actor
from prunus.engine import Process, ProcessDriver, load_process
from prunus.errors import CheckpointError, PrunusError
from prunus.persistence import LmdbStore, StagedWrite, decode_checkpoint, stage_writes

__all__ = ["Echo", "HostActor"]

_LOG = logging.getLogger(__name__)
_STEP, _TICK = Step(), Tick()
_EXIT_STORE_FAILED = 70  # os._exit code when a commit fails: the supervisor restarts us


class _GroupCommit:
    """The store as cells see it: writes are encoded at once (so an unencodable value
    fails the step that produced it) but committed together by :meth:`flush`."""

    def __init__(self, store: Any, fsync_on_flush: bool) -> None:
        self.store = store
        self._staged: list[StagedWrite] = []
        self._fsync_on_flush = fsync_on_flush  # the store does not fsync its commits
        self._unsynced = False

    def write_many(self, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
        self._staged.extend(stage_writes(items))

    def write(self, pid: str, **parts: Any) -> None:
        self.write_many([(pid, parts)])

    def add(self, staged: StagedWrite) -> None:
        self._staged.append(staged)

    def get_record(self, pid: str) -> dict[str, Any] | None:
        return self.store.get_record(pid)

    def flush(self, durable: bool) -> None:
        """Commit what is staged; with ``durable``, also fsync everything committed."""
        if self._staged:
            staged, self._staged = self._staged, []
            self.store.write_staged(staged)
            self._unsynced = True
        if durable and self._unsynced and self._fsync_on_flush:
            self.store.flush()
            self._unsynced = False


class Echo(Actor):
    """Sends every message back to its sender (see the module docstring)."""

    def receiveMessage(self, message: Any, sender: Any) -> None:
        if type(message) is Tick:
            self.send(sender, message)


class HostActor(Actor):
    """Runs the cells the supervisor assigns to it; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._config: HostConfig | None = None
        self._supervisor: Any = None
        self._writes: _GroupCommit | None = None
        self._writer: ProcessWriter | None = None
        self._cells: dict[str, ProcessCell] = {}
        self._run_queue: deque[str] = deque()
        self._touched: set[str] = set()
        self._events: list[Any] = []
        self._tick_pending = False
        self._early: list[tuple[Any, Any]] = []

    def receiveMessage(self, message: Any, sender: Any) -> None:
        kind = type(message)
        if self._config is None and kind is not HostConfig:
            # In the TCP base, messages to a just-created actor may overtake the first
            # one sent (seen: a Deliver before the HostConfig); keep them for later.
            self._early.append((message, sender))
            return
        if kind is Deliver:
            for pid, item in message.items:
                self._deliver(pid, item)
            if any(type(item) is Activate and item.first_write for _, item in message.items):
                # New submissions: make them durable and tell the supervisor now, so
                # their pids are answered before any step (however long) runs.
                self._commit(durable=True)
                self._send_events()
            if self._config.slice_seconds > 0:
                # Daemon: run a slice now rather than after a Tick's round trip; the
                # next message still comes after at most one slice.
                self._run_slice()
        elif kind is Tick:
            self._tick_pending = False
            self._run_slice()
        elif kind is HostConfig:
            if self._config is None:
                self._configure(message, sender)
                early, self._early = self._early, []
                for message_before, sent_by in early:
                    self.receiveMessage(message_before, sent_by)
                return
            # a new echo: a Tick sent to the old one may be lost
            self._config, self._tick_pending = message, False
        else:
            return  # ActorExitRequest and other system messages need nothing from us
        self._end_slice()

    # ---- CellOutbox -----------------------------------------------------------------

    def to_supervisor(self, message: Any) -> None:
        self._events.append(message)

    def launched(self, child: Process) -> None:
        embedded = self._config is not None and self._config.home is None
        status = ProcessDriver(child).status()
        self._events.append(Spawned(status, child if embedded else None))

    def schedule_step(self, pid: str) -> None:
        self._run_queue.append(pid)

    def reply(self, to: Any, message: Any) -> None:
        self._events.append(Reply(to, message))

    # ---- handling -------------------------------------------------------------------

    def _configure(self, config: HostConfig, sender: Any) -> None:
        self._config, self._supervisor = config, sender
        # Daemon: open the store here, in this OS process (never inherit an LMDB env).
        # Its commits are not fsynced one by one: _end_slice fsyncs once per slice.
        store = config.store if config.store is not None else LmdbStore(config.home, sync=False)
        self._writes = _GroupCommit(store, fsync_on_flush=config.store is None)
        self._writer = ProcessWriter(self._writes)
        self.send(sender, HostEvents((HostReady(config.index, os.getpid()),)))

    def _deliver(self, pid: str, item: Any) -> None:
        if type(item) is Barrier:
            self._events.append(item)
            return
        cell = self._cells.get(pid)
        if type(item) is Activate:
            if item.first_write is not None:
                self._writes.add(item.first_write)  # committed with this slice
            if cell is None:
                self._activate(pid, item.process, item.first_write)
            return
        if cell is None:
            cell = self._activate(pid, None)
            if cell is None:
                return
        cell.handle(item)
        self._touched.add(pid)

    def _activate(
        self, pid: str, process: Process | None, first_write: StagedWrite | None = None
    ) -> ProcessCell | None:
        assert self._writes is not None and self._writer is not None
        if process is None:
            try:
                if first_write is not None and first_write.checkpoint is not None:
                    data = decode_checkpoint(first_write.checkpoint)
                else:
                    data = self._writes.store.load_checkpoint(pid)
                if data is None:
                    raise CheckpointError(f"process {pid} has no checkpoint")
                process = load_process(data)
            except PrunusError as error:
                self._events.append(ActivationFailed(pid, f"cannot resume process {pid}: {error}"))
                return None
        cell = ProcessCell(process, self._writer, self)
        self._cells[pid] = cell
        self._events.append(Activated(pid))
        cell.start()
        self._touched.add(pid)
        return cell

    def _run_slice(self) -> None:
        assert self._config is not None
        deadline = time.monotonic() + self._config.slice_seconds
        queue, cells = self._run_queue, self._cells
        stepped: set[str] = set()
        while queue:
            pid = queue[0]
            if pid in stepped:
                # A process's next step only after its last one is committed: after a
                # crash only the step that was running can run again (DESIGN.md 3).
                # One commit covers every process of the round.
                self._commit(durable=False)
                stepped.clear()
            queue.popleft()
            cell = cells.get(pid)
            if cell is None:
                continue
            cell.handle(_STEP)  # schedules the cell again if it has another step
            stepped.add(pid)
            self._touched.add(pid)
            if time.monotonic() >= deadline:
                break

    def _send_events(self) -> None:
        if self._events:
            events, self._events = tuple(self._events), []
            self.send(self._supervisor, HostEvents(events))

    def _commit(self, durable: bool) -> None:
        assert self._config is not None and self._writes is not None
        try:
            self._writes.flush(durable)
        except Exception:
            if self._config.home is None:
                raise
            # The slice's steps are lost with this OS process; the supervisor restarts
            # every process it was running from its last committed checkpoint.
            _LOG.exception("host %d cannot commit; exiting for a restart", self._config.index)
            os._exit(_EXIT_STORE_FAILED)

    def _end_slice(self) -> None:
        """Commit, passivate, then tell: see the module docstring."""
        assert self._config is not None
        self._commit(durable=True)
        for pid in self._touched:
            cell = self._cells.get(pid)
            if cell is None:
                continue
            if cell.finished:
                del self._cells[pid]
            elif self._config.passivate and cell.is_idle:
                del self._cells[pid]
                self._events.append(Passivated(pid))
        self._touched.clear()
        self._send_events()
        if self._run_queue and not self._tick_pending:
            self._tick_pending = True
            self.send(self._config.echo or self.myAddress, _TICK)
