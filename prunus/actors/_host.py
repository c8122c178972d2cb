"""A host actor: one Thespian actor (one OS process in daemon mode) running many cells.

Why hosts instead of one Thespian actor per process: in the multiprocess bases every
Thespian actor is an OS process (10-20 ms and ~4 MiB each, and the admin drops
messages past ~1,050 actors; DESIGN.md section 7), so a daemon keeps a small fixed pool
of hosts and every process is a :class:`ProcessCell` inside one of them: a logical actor
with its own mailbox order, one message at a time. The embedded runtime uses the same
host with one worker, so both modes run the same code.

A host works in *slices*. It handles the messages the supervisor delivered, then runs
queued steps round-robin until ``slice_seconds`` is used up (0: one round). Writes are
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

A full disk is transient, not a crash: when a commit fails for want of space, the host
*holds* its processes until a commit goes through (:mod:`prunus.actors._disk_full_hold`).

A daemon host's Tick goes by way of an :class:`~prunus.actors._echo.Echo` actor, so it
queues behind control messages (see :mod:`prunus.actors._echo`).
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from typing import Any

from prunus.actors._cell import ProcessCell
from prunus.actors._disk_full_hold import DiskFullHolding, Holding
from prunus.actors._group_commit import GroupCommit
from prunus.actors._host_messages import (
    Activate,
    Activated,
    ActivationFailed,
    Barrier,
    ChildFinished,
    Deliver,
    Forward,
    HostConfig,
    HostEvents,
    HostReady,
    LongStep,
    Passivated,
    Reply,
    Spawned,
    Step,
    Tick,
    Took,
)
from prunus.actors._latest_states import latest_states
from prunus.actors._nested_calls import NestedCalls
from prunus.actors._persisting import ProcessWriter
from prunus.actors._spawned_here import SpawnedHere
from prunus.actors._step_watch import StepWatch
from prunus.actors._thespian import Actor
from prunus.engine import Process, ProcessDriver, load_process
from prunus.errors import CheckpointError, ProcessClassImportError, PrunusError, StoreError
from prunus.persistence import LmdbStore, decode_checkpoint, every_commit_synced

__all__ = ["HostActor"]

_LOG = logging.getLogger(__name__)
_STEP, _TICK = Step(), Tick()
_EXIT_STORE_FAILED = 70  # os._exit code when a commit fails: the supervisor restarts us
_LONG_STEP_SECONDS = 0.2  # a step still running after this is reported (_step_watch)
#: Embedded: the longest a committed step waits for its fsync while steps keep running.
EMBEDDED_SYNC_SECONDS = 0.005
#: Embedded: 0, one round per slice: every queued process takes one step, then the host
#: looks at its mailbox, so processes interleave step by step and a pause sent between
#: two steps lands there, as on plumpy's event loop (a longer slice ran a short process
#: to its end before a second one submitted with it had started).
EMBEDDED_SLICE_SECONDS = 0.0
#: A daemon host's slice lasts at least this many times its last fsync, up to
#: _LONGEST_SLICE: with 200k processes queued on a loaded machine an fsync took as long
#: as the 10 ms slice itself (py-spy: 23% of a host), so half the time went to syncing.
_SLICE_PER_FSYNC, _LONGEST_SLICE = 4.0, 0.05


class HostActor(DiskFullHolding, Actor):
    """Runs the cells the supervisor assigns to it; see the module docstring."""

    ships_writes = False  # a member's host: its writes are committed at the leader

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._config: HostConfig | None = None
        self._supervisor: Any = None
        self._writes: Any = None  # a GroupCommit (a member's host: a ShippingCommit)
        self._writer: ProcessWriter | None = None
        self._nested: NestedCalls | None = None
        self._cells: dict[str, ProcessCell] = {}
        self._run_queue: deque[str] = deque()
        self._touched: set[str] = set()
        self._events: list[Any] = []
        self._tick_pending = False
        self._early: list[tuple[Any, Any]] = []
        self._held: list[tuple[Any, Any]] | None = None  # a list while holding (disk full)
        self._blocked: set[str] = set()  # pids shown as blocked while holding
        self._watch: StepWatch | None = None  # daemon hosts: reports long steps
        self._spawned_here = SpawnedHere()  # daemon: children to activate from memory
        self._synced_in = 0.0  # how long the last slice's commit and fsync took
        self._sent = 0  # the sequence number of the last batch sent to the supervisor

    def receiveMessage(self, message: Any, sender: Any) -> None:
        kind = type(message)
        if self._config is None and kind is not HostConfig:
            # In the TCP base, messages to a just-created actor may overtake the first
            # one sent (seen: a Deliver before the HostConfig); keep them for later.
            self._early.append((message, sender))
            return
        if self._held is not None:
            self._while_holding(message, sender)
            return
        try:
            self._handle(message, sender)
        except Holding:  # the disk is full: see _hold (a try costs less than suppress)
            return

    def _handle(self, message: Any, sender: Any) -> None:
        kind = type(message)
        if kind is Deliver:
            self._events.append(Took(self._config.index))  # the next one may come
            self._spawned_here.next_round()
            for pid, item in message.items:
                self._deliver(pid, item)
            for pid, item in message.items:  # children's results: stored once per batch
                cell = self._cells.get(pid) if type(item) is ChildFinished else None
                if cell is not None:
                    cell.settle()
            new = [i for _, i in message.items if type(i) is Activate and i.first_write]
            answered = bool(new) and not all(item.quiet for item in new)
            embedded = self._config.home is None and not self.ships_writes
            # (a daemon's answered controls too: a pause waited for a slice, cli_load.py)
            told = answered or (not embedded and any(type(e) is Reply for e in self._events))
            if told and not self.ships_writes:  # durable and reported before any step
                self._commit(durable=True)
                self._send_events()
            elif new and not self.ships_writes:  # embedded runs: committed before a step
                self._commit(durable=False)
            waits = embedded and (  # (answers: controls, signals, reloads)
                answered or any(type(event) in (Reply, Barrier) for event in self._events)
            )
            idle = not self._tick_pending and not waits
            if idle and not (new and self.ships_writes):
                # Idle until now: a slice now, not after a Tick's round trip. With a
                # Tick pending, steps wait for it (it comes back behind what waits on
                # the socket, so a pause or kill sent with this Deliver comes first);
                # not while an embedded caller waits for an answer (its ask returns
                # only once this message is handled); and a member's host ships new
                # submissions first, so they are answered before any step.
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
            self._open_way_to_echo()
        else:
            return  # ActorExitRequest and other system messages need nothing from us
        self._end_slice()

    # ---- CellOutbox -----------------------------------------------------------------

    def to_supervisor(self, message: Any) -> None:
        self._events.append(message)

    def launched(self, child: Process) -> None:
        embedded = self._config is not None and self._config.store is not None
        driver = ProcessDriver(child)
        stored = self._writer.first_written.get(child.pid) if self._writer else None
        status = driver.status() if stored is None else stored
        condition = driver.launch_condition
        self._events.append(Spawned(status, child if embedded else None, condition))
        if (
            not embedded
            and condition is None
            and stored is not None
            and type(child).spec().cache_settings is None
        ):
            self._spawned_here.add(child.pid, child)  # its Activate may come here

    def schedule_step(self, pid: str) -> None:
        self._run_queue.append(pid)

    def reply(self, to: Any, message: Any) -> None:
        self._events.append(Reply(to, message))

    # ---- handling -------------------------------------------------------------------

    def _configure(self, config: HostConfig, sender: Any) -> None:
        self._config, self._supervisor = config, sender
        self._writes = self._open_writes(config)
        self._writes.fence = config.fence
        self._writer = ProcessWriter(self._writes)
        if config.store is None:  # embedded, nobody can ask while a step runs
            self._watch = StepWatch(self._report_long_step, _LONG_STEP_SECONDS)
            self._open_way_to_echo()
        self._nested = NestedCalls(
            self._writer, self, lambda: self._commit(durable=True), self._writes
        )
        self._send_in_order((HostReady(config.index, os.getpid()),))

    def _open_writes(self, config: HostConfig) -> Any:
        """The store as this host's cells see it (a member's host: see MemberHost)."""
        # Daemon: open the store in this OS process (never inherit an LMDB env); one
        # fsync per slice (embedded: at most every EMBEDDED_SYNC_SECONDS; GroupCommit).
        store = config.store
        if store is None:  # PRUNUS_SYNC=commit: an fsync per commit (_sync_policy)
            store = LmdbStore(config.home, sync=every_commit_synced())
        if config.store is None:
            return GroupCommit(store, getattr(store, "flush", None), 0.0)
        # Embedded: its runtime holds the home's lock, so it may journal its steps.
        journal = bool(getattr(store, "journals", False))
        return GroupCommit(store, getattr(store, "flush", None), EMBEDDED_SYNC_SECONDS, journal)

    def _open_way_to_echo(self) -> None:
        """Send the echo a Tick now: Thespian connects to a target on its first
        message, between messages, so a long step's report (sent during the step) can
        leave at once only on a way already open. The Tick comes back as a slice with
        nothing to run."""
        if self._config is not None and self._config.echo is not None and not self._tick_pending:
            self._tick_pending = True
            self.send(self._config.echo, _TICK)

    def _report_long_step(self, status: Any) -> None:
        assert self._config is not None
        # Taken after batch self._sent: the step's own events leave in a later batch.
        report = HostEvents((LongStep(status, self.myAddress, self._sent),))
        if self._config.echo is None:
            self.send(self._supervisor, report)
        else:  # the way to the supervisor may be busy: see Forward
            self.send(self._config.echo, Forward(self._supervisor, report))

    def _deliver(self, pid: str, item: Any) -> None:
        if type(item) is Barrier:
            self._events.append(item)
            return
        cell = self._cells.get(pid)
        if type(item) is Activate:
            if item.first_write is not None:
                self._writes.add(item.first_write)  # committed with this slice
            if cell is None:
                process = item.process
                if process is None and item.launched:
                    process = self._spawned_here.take(pid)  # None: not launched here
                encoded = item.checkpoint
                if encoded is None and item.first_write is not None:
                    encoded = item.first_write.checkpoint
                self._activate(pid, process, encoded)
            return
        if cell is None:
            cell = self._activate(pid, None)
            if cell is None:
                return
        cell.handle(item)
        self._touched.add(pid)

    def _activate(
        self, pid: str, process: Process | None, encoded: bytes | None = None
    ) -> ProcessCell | None:
        """Host ``pid``: ``process``, or loaded from ``encoded`` (its stored checkpoint
        sent with its Activate: a new process) or else from the store."""
        assert self._writes is not None and self._writer is not None
        if process is None:
            try:
                if encoded is not None:
                    data = decode_checkpoint(encoded)
                else:
                    data = self._writes.store.load_checkpoint(pid)
                if data is None:
                    raise CheckpointError(f"process {pid} has no checkpoint")
                process = load_process(data)
            except ProcessClassImportError as error:  # may pass: blocked, not failed
                self._events.append(ActivationFailed(pid, f"blocked: {error}", blocked=True))
                return None
            except PrunusError as error:
                self._events.append(ActivationFailed(pid, f"cannot resume process {pid}: {error}"))
                return None
        cell = ProcessCell(process, self._writer, self, self._nested)
        self._cells[pid] = cell
        self._events.append(Activated(pid))
        cell.start()
        self._touched.add(pid)
        return cell

    def _run_slice(self) -> None:
        assert self._config is not None
        seconds = self._config.slice_seconds
        one_round = seconds <= 0  # embedded: as plumpy's loop would
        deadline = 0.0
        if not one_round:  # (embedded: one round, whatever the disk)
            seconds = max(seconds, min(_SLICE_PER_FSYNC * self._synced_in, _LONGEST_SLICE))
            deadline = time.monotonic() + seconds
        queue, cells, watch = self._run_queue, self._cells, self._watch
        stepped: set[str] = set()
        try:
            while queue:
                pid = queue[0]
                if pid in stepped:
                    # A process's next step only after its last one is committed: after
                    # a crash only the step that was running can run again (DESIGN.md
                    # 3). One commit covers every process of the round.
                    if self.ships_writes or one_round:
                        break  # a member's host: committed at the leader, once per slice
                    if watch is not None:
                        watch.stop()  # (no signal in a commit)
                    self._commit(durable=False)
                    stepped.clear()
                queue.popleft()
                cell = cells.get(pid)
                if cell is None:
                    continue
                if watch is not None:
                    watch.arm(cell.process)
                    try:
                        cell.handle(_STEP)  # schedules the cell again if it has another step
                    finally:
                        watch.disarm()
                else:
                    cell.handle(_STEP)
                stepped.add(pid)
                self._touched.add(pid)
                if not one_round and time.monotonic() >= deadline:
                    break
        finally:
            if watch is not None:
                watch.stop()  # (the slice's commit follows)

    def _send_events(self) -> None:
        if self._events:
            events, self._events = latest_states(self._events), []
            self._send_in_order(events)

    def _send_in_order(self, events: tuple[Any, ...]) -> None:
        """Every batch on the way to the supervisor is numbered: it applies them in
        this order even if the transport delivers them in another (_event_order)."""
        self._sent += 1
        self.send(self._supervisor, HostEvents(events, self._sent))

    def _commit(self, durable: bool) -> None:
        assert self._config is not None and self._writes is not None
        try:
            self._writes.flush(durable)
        except Exception as error:
            if isinstance(error, StoreError) and error.disk_full:
                self._hold(error)  # raises Holding
            if self._config.store is not None:
                raise
            # The slice's steps are lost with this OS process; the supervisor restarts
            # every process it was running from its last committed checkpoint.
            _LOG.exception("host %d cannot commit; exiting for a restart", self._config.index)
            os._exit(_EXIT_STORE_FAILED)

    def _end_slice(self) -> None:
        """Commit, passivate, then tell: see the module docstring."""
        assert self._config is not None
        if self._config.slice_seconds > 0:  # (a slice as long as its fsync: _run_slice)
            begun = time.monotonic()
            self._commit(durable=True)
            self._synced_in = time.monotonic() - begun
        else:
            self._commit(durable=True)
        self._finish_slice()

    def _finish_slice(self) -> None:
        """The slice's writes are durable: passivate, send its events, go on."""
        assert self._config is not None
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
