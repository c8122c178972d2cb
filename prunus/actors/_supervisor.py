"""The supervisor: the registry of every process, and the only router.

It owns the registry (pid -> last status, children, host, result, waiters), assigns
each process to one host for its whole life (sticky, least loaded first), and routes
every message by pid. Clients talk only to it; hosts report to it in batches, and it
updates the registry *before* it forwards an answer, so a status read after any
answered control sees that control's effect.

Duties beyond routing:

- a submitted process is stored durably before its pid is returned;
- on start, every unfinished process is re-activated from its checkpoint, and results
  of children that ended after their parent's last checkpoint are delivered again (the
  engine ignores those it has already applied);
- status is answered from the registry (for live, passivated and dead actors alike);
  pause, play and kill go to the process's host, which activates it if needed;
- a kill is recorded in the store before it is sent, cascades to live descendants
  deepest first, and is re-issued after a restart until the process has ended;
- when a host dies, a new host takes its place and its processes are re-activated from
  their checkpoints; a process whose host died while running it more than
  ``restart_limit`` times ends EXCEPTED with the reason.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from typing import Any

from prunus.actors._cell import CollectingOutbox, ProcessCell
from prunus.actors._host import Echo, HostActor
from prunus.actors._messages import (
    Activate,
    Activated,
    ActivationFailed,
    Barrier,
    CancelWait,
    ChildFinished,
    Configure,
    ControlReply,
    DaemonInfo,
    DaemonStatus,
    Deliver,
    Describe,
    Description,
    ErrorReply,
    Finished,
    GetOutputs,
    GetReport,
    HostConfig,
    HostEvents,
    HostReady,
    Kill,
    Launch,
    Launched,
    LaunchedMany,
    ListProcesses,
    Outputs,
    Passivated,
    Pause,
    Play,
    ProcessList,
    Reload,
    Reloaded,
    Reply,
    Report,
    Spawned,
    StateChanged,
    Status,
    Submit,
    SubmitMany,
    WaitFor,
    WaitForMany,
    WaitResult,
    WaitTimedOut,
)
from prunus.actors._persisting import ProcessWriter, record_status, status_record
from prunus.actors._registry import BatchLaunch, Cascade, Entry, ManyWait, Pending
from prunus.actors._submission import build_process
from prunus.actors._thespian import (
    Actor,
    ActorExitRequest,
    ChildActorExited,
    PoisonMessage,
    WakeupMessage,
)
from prunus.engine import (
    Process,
    ProcessDriver,
    ProcessResult,
    ProcessState,
    ProcessStatus,
    load_process,
)
from prunus.errors import PortValidationError, PrunusError
from prunus.persistence import LmdbStore

__all__ = ["Supervisor"]

_LOG = logging.getLogger(__name__)
_KILL_PREFIX = "kill/"  # meta db: a kill requested and not yet seen through
_CRASH_WINDOW, _CRASHES_BEFORE_BACKOFF, _BACKOFF_SECONDS = 10.0, 5, 2.0


class Supervisor(Actor):
    """Registers, assigns, routes and restarts; never runs a step itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._config = Configure()
        self._store: Any = None
        self._writer: ProcessWriter | None = None
        self._registry: dict[str, Entry] = {}
        self._hosts: list[Any] = []
        self._load: list[int] = []  # unfinished processes per host
        self._outgoing: dict[int, list[tuple[str, Any]]] = {}
        self._kills: dict[str, str] = {}  # pid -> reason, mirrored in the store
        self._barriers: dict[int, list[Any]] = {}  # token -> [hosts to hear from, then]
        self._activation_failures = 0
        self._host_pids: dict[int, int] = {}  # host index -> its OS pid
        self._host_deaths: dict[int, list[float]] = {}  # host index -> recent deaths
        self._next_host = 0  # where ties in host load start (rotates)
        self._closing = False
        self._echo: Any = None
        self._handlers = {
            HostEvents: self._on_host_events,
            Status: self._on_status,
            Pause: self._on_pause_or_play,
            Play: self._on_pause_or_play,
            Kill: self._on_kill,
            Launch: self._on_launch,
            Submit: self._on_submit,
            SubmitMany: self._on_submit_many,
            WaitFor: self._on_wait_for,
            WaitForMany: self._on_wait_for_many,
            CancelWait: self._on_cancel_wait,
            WakeupMessage: self._on_wakeup,
            ListProcesses: self._on_list,
            GetOutputs: self._on_get_outputs,
            GetReport: self._on_get_report,
            Describe: self._on_describe,
            DaemonInfo: self._on_daemon_info,
            ChildActorExited: self._on_child_exited,
            Configure: self._on_configure,
            Reload: self._on_reload,
        }
        self._event_handlers = {
            StateChanged: self._on_state_changed,
            Finished: self._on_finished,
            Spawned: self._on_spawned,
            Reply: self._on_reply,
            Activated: self._on_activated,
            Passivated: self._on_passivated,
            ActivationFailed: self._on_activation_failed,
            Barrier: self._on_barrier,
            HostReady: self._on_host_ready,
        }

    def receiveMessage(self, message: Any, sender: Any) -> None:
        handler = self._handlers.get(type(message))
        if handler is not None:
            if self._store is None and not isinstance(message, Configure):
                if not isinstance(message, (ChildActorExited, WakeupMessage)):
                    self.send(sender, ErrorReply("PrunusError", "", "runtime is not ready"))
                return
            handler(message, sender)
            self._flush()
        elif isinstance(message, ActorExitRequest):
            self._closing = True
        elif isinstance(message, PoisonMessage) and self._host_index(sender) is not None:
            # A host failed twice on one message: what it was asked is lost. End it;
            # its processes restart from their checkpoints on a new host.
            _LOG.error("host %s could not handle %r; restarting it", sender, message.poisonMessage)
            self.send(sender, ActorExitRequest())
        else:
            _LOG.warning("supervisor ignored unexpected message %r", message)

    # ---- set-up -----------------------------------------------------------------------

    def _on_configure(self, message: Configure, sender: Any) -> None:
        self._config = message
        # Hosts first: in daemon mode they are forked from this OS process, which must
        # not hold an open LMDB environment across fork.
        if message.home is not None:
            self._echo = self.createActor(Echo)
        for index in range(message.workers):
            self._hosts.append(None)
            self._load.append(0)
            self._start_host(index)
        self._store = message.store if message.store is not None else LmdbStore(message.home)
        self._writer = ProcessWriter(self._store)
        self.send(sender, True)

    def _start_host(self, index: int) -> None:
        address = self.createActor(HostActor)
        self._hosts[index] = address
        self.send(address, self._host_config(index))

    def _host_config(self, index: int) -> HostConfig:
        config = self._config
        store = config.store  # embedded: shared object; daemon: None (each host opens home)
        return HostConfig(
            index, store, config.home, config.passivate, config.slice_seconds, self._echo
        )

    def _on_reload(self, message: Reload, sender: Any) -> None:
        """Register every stored process and re-activate the unfinished ones."""
        resumed = 0
        for pid, record in self._store.records():
            status = record_status(record)
            if status.state.is_terminal:
                result = ProcessResult.from_data(record["result"]) if "result" in record else None
                self._registry[pid] = Entry(status, -1, list(status.children), result)
            else:
                self._register(status)
                if message.resume:
                    self._deliver(pid, Activate())
                    resumed += 1
        for key, reason in self._store.items("meta"):
            if key.startswith(_KILL_PREFIX):
                self._kills[key[len(_KILL_PREFIX) :]] = reason
        if not message.resume:
            self.send(sender, Reloaded(0, 0))
            return
        for pid, entry in self._registry.items():
            if entry.result is None:
                self._redeliver_child_results(pid, entry)
            elif entry.status.state is ProcessState.KILLED:
                # Its kill may have ended it before the cascade reached every child.
                self._kill_descendants(pid, entry.status.status)
        for pid, reason in list(self._kills.items()):
            entry = self._registry.get(pid)
            if entry is None or entry.result is not None:
                self._forget_kill(pid)
            else:
                self._kill_descendants(pid, reason)
                self._deliver(pid, Kill(pid, reason or None))
        # Answer once every host has handled its activations, so that a process that
        # cannot be loaded is already EXCEPTED when the runtime reports itself ready.
        token = len(self._barriers) + 1
        self._barriers[token] = [len(self._hosts), sender, resumed, self._activation_failures]
        for index in range(len(self._hosts)):
            self._outgoing.setdefault(index, []).append(("", Barrier(token)))

    def _on_host_ready(self, event: HostReady) -> None:
        self._host_pids[event.index] = event.os_pid

    def _on_barrier(self, event: Barrier) -> None:
        waiting = self._barriers[event.token]
        waiting[0] -= 1
        if waiting[0] == 0:
            del self._barriers[event.token]
            _, sender, resumed, failures_before = waiting
            self.send(sender, Reloaded(resumed, self._activation_failures - failures_before))

    # ---- launching --------------------------------------------------------------------

    def _on_launch(self, message: Launch, sender: Any) -> None:
        """Embedded: host the caller's own instance (so ``execute()`` finishes it)."""
        self._start(message.process, message.process, sender)

    def _on_submit(self, message: Submit, sender: Any) -> None:
        """Daemon: build the process here from its class path and encoded inputs."""
        try:
            process = build_process(message.process_class, message.inputs)
        except PrunusError as error:
            self.send(sender, _error_reply(error))
            return
        self._start(process, None, sender)

    def _on_submit_many(self, message: SubmitMany, sender: Any) -> None:
        """Validate every item first: one bad item starts none of them."""
        try:
            processes = [build_process(i.process_class, i.inputs) for i in message.items]
        except PrunusError as error:
            self.send(sender, _error_reply(error))
            return
        batch = BatchLaunch(sender, tuple(p.pid for p in processes))
        for process in processes:
            self._start(process, None, batch)

    def _start(self, process: Process, instance: Process | None, sender: Any) -> None:
        """Hand ``process`` to a host, which commits its first checkpoint in its next
        group commit; the pid is answered only after that commit (on Activated), so a
        submitted process is never lost, and concurrent submits share one fsync."""
        pid = process.pid
        entry = self._registry.get(pid)
        if entry is None:
            assert self._writer is not None
            try:
                first_write = self._writer.stage_new(process)
            except PrunusError as error:
                self.send(sender, _error_reply(error, pid))
                return
            entry = self._register(ProcessDriver(process).status())
            entry.first_write = first_write
            self._deliver(pid, Activate(instance, first_write))
        if entry.first_write is not None:
            entry.launch_waiters.append(sender)
        else:
            self._launched(sender, pid)

    def _launched(self, waiter: Any, pid: str) -> None:
        if isinstance(waiter, BatchLaunch):
            waiter.waiting.discard(pid)
            if not waiter.waiting:
                self.send(waiter.sender, LaunchedMany(waiter.pids))
        else:
            self.send(waiter, Launched(pid))

    def _register(self, status: ProcessStatus) -> Entry:
        # Least loaded first; ties rotate, or short-lived processes (load near zero)
        # would all land on the first host.
        count = len(self._hosts)
        self._next_host = (self._next_host + 1) % count
        host = min(range(count), key=lambda i: (self._load[i], (i - self._next_host) % count))
        self._load[host] += 1
        entry = self._registry[status.pid] = Entry(status, host, list(status.children))
        return entry

    # ---- events from hosts ------------------------------------------------------------

    def _on_host_events(self, message: HostEvents, sender: Any) -> None:
        handlers = self._event_handlers
        for event in message.events:
            handlers[type(event)](event)

    def _on_state_changed(self, event: StateChanged) -> None:
        entry = self._registry.get(event.status.pid)
        if entry is not None and entry.result is None:
            entry.status = event.status

    def _on_finished(self, event: Finished) -> None:
        self._finish(event.status, event.result)

    def _finish(self, status: ProcessStatus, result: ProcessResult) -> None:
        pid = status.pid
        entry = self._registry[pid]
        if entry.result is not None:
            return
        entry.status, entry.result, entry.active = status, result, False
        self._load[entry.host] -= 1
        parent = self._registry.get(status.parent) if status.parent else None
        if parent is not None and parent.result is None:
            self._deliver(status.parent, ChildFinished(pid, result))
        if status.state is ProcessState.KILLED:
            # A child launched while the kill was in flight escaped the first cascade:
            # kill it too, and hold the kill's answer until it has ended as well.
            kills = (p for p in entry.pending if p.is_root and isinstance(p.message, Kill))
            root = next(kills, None)
            cascade = root.cascade if root is not None else None
            cascade = self._kill_descendants(pid, status.status, cascade, skip_killing=True)
            if root is not None:
                root.cascade = cascade
        if pid in self._kills:
            self._forget_kill(pid)
        for waiter, request_id in entry.waiters:
            if isinstance(waiter, ManyWait):
                waiter.results[pid] = result
                if waiter.complete:
                    self.send(waiter.sender, waiter.answer())
            else:
                self.send(waiter, WaitResult(request_id, result))
        entry.waiters.clear()

    def _on_spawned(self, event: Spawned) -> None:
        status = event.status
        if status.pid in self._registry:
            return  # a replayed step launched the same child again: one actor per pid
        self._register(status)
        parent = self._registry.get(status.parent) if status.parent else None
        if parent is not None and status.pid not in parent.children:
            parent.children.append(status.pid)
        self._deliver(status.pid, Activate(event.process))

    def _on_reply(self, event: Reply) -> None:
        message = event.message
        pending = None
        if isinstance(message, ControlReply):
            entry = self._registry.get(message.pid)
            if entry is not None:
                if entry.result is None:
                    entry.status = message.status
                if entry.pending:
                    pending = entry.pending.pop(0)
        if pending is None or pending.is_root:
            cascade = pending.cascade if pending is not None else None
            if cascade is not None and cascade.members:
                cascade.held.append((event.to, message))
            else:
                self.send(event.to, message)
        elif pending.cascade is not None:
            self._cascade_member_done(pending.cascade, message.pid)

    def _cascade_member_done(self, cascade: Cascade, pid: str) -> None:
        cascade.members.discard(pid)
        if not cascade.members:
            held, cascade.held = cascade.held, []
            for to, reply in held:
                self.send(to, reply)

    def _on_activated(self, event: Activated) -> None:
        entry = self._registry.get(event.pid)
        if entry is None:
            return
        if entry.result is None:
            entry.active = True
        if entry.first_write is not None:  # its first checkpoint is committed now
            entry.first_write = None
            for waiter in entry.launch_waiters:
                self._launched(waiter, event.pid)
            entry.launch_waiters.clear()

    def _on_passivated(self, event: Passivated) -> None:
        entry = self._registry.get(event.pid)
        if entry is not None:
            entry.active = False

    def _on_activation_failed(self, event: ActivationFailed) -> None:
        _LOG.error("%s", event.reason)
        self._activation_failures += 1
        entry = self._registry[event.pid]
        for waiter in entry.launch_waiters:
            # (a batch still answers: its other processes run; this one is EXCEPTED)
            if isinstance(waiter, BatchLaunch):
                self._launched(waiter, event.pid)
            else:
                self.send(waiter, ErrorReply("CheckpointError", event.pid, event.reason))
        entry.launch_waiters.clear()
        entry.first_write = None
        self._fail(event.pid, event.reason)

    def _fail(self, pid: str, reason: str) -> None:
        """End ``pid`` EXCEPTED on the runtime's own authority (its actor cannot)."""
        entry = self._registry[pid]
        status, result = _excepted(entry.status, reason)
        self._store.write(pid, record=status_record(status, result))
        self._finish(status, result)
        entry.first_write = None
        for waiter in entry.launch_waiters:  # it exists now, EXCEPTED
            self._launched(waiter, pid)
        entry.launch_waiters.clear()
        for pending in entry.pending:  # no host will answer these now
            if pending.is_root:
                self.send(pending.message.reply_to, ControlReply(pid, False, status))
            elif pending.cascade is not None:
                self._cascade_member_done(pending.cascade, pid)
        entry.pending.clear()

    # ---- control ----------------------------------------------------------------------

    def _on_status(self, message: Status, sender: Any) -> None:
        entry = self._entry_or_error(message.pid, sender)
        if entry is not None:
            self.send(sender, ControlReply(message.pid, True, entry.status))

    def _on_pause_or_play(self, message: Pause | Play, sender: Any) -> None:
        entry = self._entry_or_error(message.pid, sender)
        if entry is None:
            return
        if entry.result is not None:
            self.send(sender, ControlReply(message.pid, False, entry.status))
            return
        cascade = None
        if message.cascade:
            # Pause and play cascade to live descendants (children first), as kill does.
            members = self._live_descendants(message.pid)
            cascade = Cascade(set(members)) if members else None
            for pid in members:
                self._control(pid, type(message)(pid, reply_to=self.myAddress), cascade, False)
        self._control(message.pid, type(message)(message.pid, reply_to=sender), cascade)

    def _on_kill(self, message: Kill, sender: Any) -> None:
        entry = self._entry_or_error(message.pid, sender)
        if entry is None:
            return
        if entry.result is not None:
            self.send(sender, ControlReply(message.pid, False, entry.status))
            return
        cascade = self._kill_descendants(message.pid, message.message)
        kill = Kill(message.pid, message.message, reply_to=sender)
        entry.pending.append(Pending(kill, cascade))
        if self._config.passivate and not entry.active and self._control_here(message.pid, kill):
            return  # killed here: the KILLED state was stored before the answer left
        if message.pid not in self._kills:
            # Recorded first: a kill the runtime acknowledged survives a crash.
            self._store.put("meta", _KILL_PREFIX + message.pid, message.message or "")
            self._kills[message.pid] = message.message or ""
        self._deliver(message.pid, kill)

    def _control(
        self, pid: str, message: Any, cascade: Cascade | None = None, is_root: bool = True
    ) -> None:
        entry = self._registry[pid]
        entry.pending.append(Pending(message, cascade, is_root))
        if not (self._config.passivate and not entry.active and self._control_here(pid, message)):
            self._deliver(pid, message)

    def _control_here(self, pid: str, message: Any) -> bool:
        """Apply a control to a passivated process right here, from its checkpoint:
        no host, no activation (DESIGN.md section 2). The same cell code runs it and
        writes the result before the answer leaves. A process with listeners goes to
        its host instead, so that user code never runs in the supervisor; so does one
        whose checkpoint cannot be loaded (its host reports why)."""
        try:
            data = self._store.load_checkpoint(pid)
            if data is None or data.get("listeners"):
                return False
            process = load_process(data)
        except PrunusError:
            return False
        assert self._writer is not None
        outbox = CollectingOutbox()
        ProcessCell(process, self._writer, outbox).handle(message)
        for event in outbox.events:
            self._event_handlers[type(event)](event)
        if outbox.runnable and self._registry[pid].result is None:
            self._deliver(pid, Activate())  # played: its host takes it from the store
        return True

    # ---- waiting ----------------------------------------------------------------------

    def _on_wait_for(self, message: WaitFor, sender: Any) -> None:
        entry = self._entry_or_error(message.pid, sender)
        if entry is None:
            return
        if entry.result is not None:
            self.send(sender, WaitResult(message.request_id, entry.result))
            return
        entry.waiters.append((sender, message.request_id))
        if message.timeout is not None:
            self.wakeupAfter(message.timeout, payload=(message.pid, message.request_id))

    def _on_wait_for_many(self, message: WaitForMany, sender: Any) -> None:
        entries = []
        for pid in message.pids:
            entry = self._entry_or_error(pid, sender)
            if entry is None:
                return
            entries.append((pid, entry))
        wait = ManyWait(sender, message.request_id, message.pids)
        for pid, entry in entries:
            if entry.result is not None:
                wait.results[pid] = entry.result
            else:
                entry.waiters.append((wait, message.request_id))
        if wait.complete:
            self.send(sender, wait.answer())
        elif message.timeout is not None:
            self.wakeupAfter(message.timeout, payload=("many", wait))

    def _on_cancel_wait(self, message: CancelWait, sender: Any) -> None:
        self._drop_waiter(message.pid, message.request_id)

    def _on_wakeup(self, message: Any, sender: Any) -> None:
        if message.payload[0] == "restart host":
            self._restart_host(message.payload[1])
            return
        if message.payload[0] == "many":
            wait = message.payload[1]
            if not wait.complete:
                wait.results = {pid: None for pid in wait.pids}  # complete: never answer
                late = next(pid for pid in wait.pids if self._registry[pid].result is None)
                self.send(wait.sender, WaitTimedOut(late, wait.request_id))
            return
        pid, request_id = message.payload
        waiter = self._drop_waiter(pid, request_id)
        if waiter is not None:
            self.send(waiter, WaitTimedOut(pid, request_id))

    def _drop_waiter(self, pid: str, request_id: int) -> Any:
        entry = self._registry.get(pid)
        for index, (waiter, waiting_id) in enumerate(entry.waiters if entry else ()):
            if waiting_id == request_id:
                del entry.waiters[index]
                return waiter
        return None

    # ---- reading ----------------------------------------------------------------------

    def _on_list(self, message: ListProcesses, sender: Any) -> None:
        self.send(sender, ProcessList(tuple(e.status for e in self._registry.values())))

    def _on_get_outputs(self, message: GetOutputs, sender: Any) -> None:
        if self._entry_or_error(message.pid, sender) is None:
            return
        outputs = self._store.get_outputs(message.pid)
        if outputs is None:  # still running: what its last checkpoint has emitted
            checkpoint = self._store.load_checkpoint(message.pid)
            outputs = dict(checkpoint["outputs"]) if checkpoint else {}
        self.send(sender, Outputs(message.pid, outputs))

    def _on_describe(self, message: Describe, sender: Any) -> None:
        entry = self._entry_or_error(message.pid, sender)
        if entry is None:
            return
        record = self._store.get_record(message.pid) or {}
        try:
            checkpoint = self._store.load_checkpoint(message.pid) or {}
        except PrunusError:
            checkpoint = {}
        status = entry.status
        details = {
            "pid": status.pid,
            "process_class": status.process_class,
            "state": status.state.name,
            "paused": status.paused,
            "status": status.status,
            "step": status.step,
            "parent": status.parent,
            "children": list(entry.children),
            "created": status.created,
            "modified": record.get("modified"),
            "inputs": checkpoint.get("inputs"),
            "outputs": dict(entry.result) if entry.result is not None else None,
            "exit_code": None,
            "exception": None,
            "restarts": entry.restarts,
        }
        if entry.result is not None:
            code = entry.result.exit_code
            details["exit_code"] = None if code is None else [code.status, code.message]
            details["exception"] = entry.result.exception
        self.send(sender, Description(message.pid, details))

    def _on_get_report(self, message: GetReport, sender: Any) -> None:
        if self._entry_or_error(message.pid, sender) is not None:
            lines = tuple(tuple(line) for line in self._store.get_logs(message.pid))
            self.send(sender, Report(message.pid, lines))  # type: ignore[arg-type]

    def _on_daemon_info(self, message: DaemonInfo, sender: Any) -> None:
        by_state: dict[str, int] = {}
        for entry in self._registry.values():
            name = entry.status.state.name
            by_state[name] = by_state.get(name, 0) + 1
        active = sum(1 for entry in self._registry.values() if entry.active)
        paused = sum(1 for e in self._registry.values() if e.result is None and e.status.paused)
        pids = tuple(self._host_pids.get(index, 0) for index in range(len(self._hosts)))
        status = DaemonStatus(len(self._hosts), active, by_state, paused, pids, os.getpid())
        self.send(sender, status)

    # ---- hosts dying ------------------------------------------------------------------

    def _on_child_exited(self, message: Any, sender: Any) -> None:
        if self._closing:
            return
        if self._echo is not None and self._echo == message.childAddress:
            _LOG.error("the echo actor exited; starting another")
            self._echo = self.createActor(Echo)
            for index, address in enumerate(self._hosts):
                if address is not None:
                    self.send(address, self._host_config(index))
            return
        index = self._host_index(message.childAddress)
        if index is None:
            return
        self._outgoing.pop(index, None)  # addressed to the dead host: re-sent below
        self._hosts[index] = None  # until restarted; what is meant for it is re-derived then
        now = time.monotonic()
        recent = [t for t in self._host_deaths.get(index, []) if now - t < _CRASH_WINDOW]
        self._host_deaths[index] = [*recent, now]
        if len(recent) >= _CRASHES_BEFORE_BACKOFF:
            # Dying at once, again and again: do not spin; try again a little later.
            _LOG.error("host %d keeps dying; restarting it in %g s", index, _BACKOFF_SECONDS)
            self.wakeupAfter(_BACKOFF_SECONDS, payload=("restart host", index))
            return
        self._restart_host(index)

    def _restart_host(self, index: int) -> None:
        _LOG.error("host %d exited; restarting its processes from their checkpoints", index)
        self._start_host(index)
        limit = self._config.restart_limit
        for pid, entry in list(self._registry.items()):
            if entry.host != index or entry.result is not None:
                continue
            if entry.active:
                entry.active = False
                entry.restarts += 1
                if entry.restarts > limit:
                    self._fail(
                        pid,
                        f"its host process died {entry.restarts} times while running it "
                        f"(restart limit {limit})",
                    )
                    continue
            self._deliver(pid, Activate(None, entry.first_write))
            self._redeliver_child_results(pid, entry)
            if pid in self._kills and not any(isinstance(p.message, Kill) for p in entry.pending):
                self._deliver(pid, Kill(pid, self._kills[pid] or None))
            for pending in entry.pending:
                self._deliver(pid, pending.message)

    # ---- helpers ----------------------------------------------------------------------

    def _host_index(self, address: Any) -> int | None:
        """Which host ``address`` is. Compared with ``==``: the address createActor
        returned may be a local stand-in whose ``str`` differs from the real one."""
        for index, host in enumerate(self._hosts):
            if host is not None and host == address:
                return index
        return None

    def _deliver(self, pid: str, message: Any) -> None:
        entry = self._registry[pid]
        assert entry.host >= 0, f"process {pid} ended; nothing is delivered to it"
        # Active from now until the host says it released it: if the host dies before
        # it reports anything, this process counts as restarted.
        entry.active = True
        self._outgoing.setdefault(entry.host, []).append((pid, message))

    def _flush(self) -> None:
        """Send what this message produced: one Deliver per host, in order."""
        if self._outgoing:
            outgoing, self._outgoing = self._outgoing, {}
            for index, items in outgoing.items():
                if self._hosts[index] is not None:
                    self.send(self._hosts[index], Deliver(tuple(items)))

    def _redeliver_child_results(self, pid: str, entry: Entry) -> None:
        for child in entry.children:
            child_entry = self._registry.get(child)
            if child_entry is not None and child_entry.result is not None:
                self._deliver(pid, ChildFinished(child, child_entry.result))

    def _forget_kill(self, pid: str) -> None:
        self._kills.pop(pid, None)
        self._store.drop("meta", _KILL_PREFIX + pid)

    def _entry_or_error(self, pid: str, sender: Any) -> Entry | None:
        entry = self._registry.get(pid)
        if entry is None:
            self.send(sender, ErrorReply("UnknownProcessError", pid, f"unknown process '{pid}'"))
        return entry

    def _kill_descendants(
        self,
        pid: str,
        why: str | None,
        cascade: Cascade | None = None,
        *,
        skip_killing: bool = False,
    ) -> Cascade | None:
        """Kill the live descendants of ``pid`` (with ``skip_killing``, only those no
        kill is on its way to); ``cascade`` (else a new one) tracks their answers."""
        descendants = [
            descendant
            for descendant in self._live_descendants(pid)
            if not (skip_killing and self._being_killed(descendant))
        ]
        if not descendants:
            return cascade
        cascade = cascade if cascade is not None else Cascade(set())
        cascade.members.update(descendants)
        reason = f"parent {pid} was killed" + (f": {why}" if why else "")
        for descendant in descendants:
            kill = Kill(descendant, reason, reply_to=self.myAddress)
            self._control(descendant, kill, cascade, is_root=False)
        return cascade

    def _being_killed(self, pid: str) -> bool:
        return any(isinstance(p.message, Kill) for p in self._registry[pid].pending)

    def _live_descendants(self, pid: str) -> list[str]:
        """Live descendants of ``pid``, deepest first."""
        found: list[str] = []
        for child in self._registry[pid].children:
            entry = self._registry.get(child)
            if entry is not None:
                found.extend(self._live_descendants(child))
                if entry.result is None:
                    found.append(child)
        return found


def _excepted(status: ProcessStatus, reason: str) -> tuple[ProcessStatus, ProcessResult]:
    """The status and result of a process that the runtime itself had to fail."""
    failed = dataclasses.replace(status, state=ProcessState.EXCEPTED, status=reason, paused=False)
    result = ProcessResult(
        status.pid,
        ProcessState.EXCEPTED,
        exception=f"RuntimeError: {reason}",
        status=reason,
        process_class=status.process_class,
    )
    return failed, result


def _error_reply(error: PrunusError, pid: str = "") -> ErrorReply:
    if isinstance(error, PortValidationError):
        return ErrorReply("PortValidationError", pid, error.reason, error.port_path)
    return ErrorReply(type(error).__name__, pid, str(error))
