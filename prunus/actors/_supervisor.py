"""The supervisor: launches process actors, routes control by pid, answers for the dead.

It owns the live registry (pid -> actor address, last status, parent, children) and is
the only actor that knows where a process lives. Control for a process that has ended
is answered from the registry; a kill cascades to live descendants, deepest first, so a
parent never resumes on the news of a child killed on its behalf.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

from prunus.actors._messages import (
    CancelWait,
    ChildFinished,
    Configure,
    ControlReply,
    ErrorReply,
    Finished,
    Host,
    Kill,
    Launch,
    Launched,
    ListProcesses,
    Pause,
    Play,
    ProcessList,
    Reload,
    Reloaded,
    StateChanged,
    Status,
    WaitFor,
    WaitResult,
    WaitTimedOut,
)
from prunus.actors._process_actor import ProcessActor
from prunus.actors._records import record_status, status_record
from prunus.actors._reload import reload_processes
from prunus.actors._thespian import Actor, ActorExitRequest, ChildActorExited, WakeupMessage
from prunus.engine import ProcessResult, ProcessState, ProcessStatus

__all__ = ["Supervisor"]

_LOG = logging.getLogger(__name__)


@dataclass(slots=True)
class _Entry:
    address: Any
    status: ProcessStatus
    children: list[str] = field(default_factory=list)
    result: ProcessResult | None = None
    waiters: list[Any] = field(default_factory=list)


class Supervisor(Actor):
    """Launches and routes; never runs a step itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._store: Any = None
        self._registry: dict[str, _Entry] = {}
        # Thespian addresses are not hashable; their str() is unique within a system.
        self._by_address: dict[str, str] = {}
        self._handlers = {
            Configure: self._on_configure,
            Launch: self._on_launch,
            Reload: self._on_reload,
            StateChanged: self._on_state_changed,
            Finished: self._on_finished,
            Pause: self._on_control,
            Play: self._on_control,
            Status: self._on_control,
            Kill: self._on_kill,
            WaitFor: self._on_wait_for,
            CancelWait: self._on_cancel_wait,
            ListProcesses: self._on_list,
            WakeupMessage: self._on_wakeup,
            ChildActorExited: self._on_child_exited,
        }

    def receiveMessage(self, message: Any, sender: Any) -> None:
        handler = self._handlers.get(type(message))
        if handler is not None:
            handler(message, sender)
        elif not isinstance(message, ActorExitRequest):
            _LOG.warning("supervisor ignored unexpected message %r", message)

    def _on_configure(self, message: Configure, sender: Any) -> None:
        self._store = message.store
        self.send(sender, True)

    def _on_reload(self, message: Reload, sender: Any) -> None:
        """Register every stored process and resume the unfinished ones."""
        resumed = failed = 0
        for item in reload_processes(self._store):
            if item.process is not None:
                self._host(item.process)
                resumed += 1
            else:
                status = record_status(item.record)
                result = (
                    ProcessResult.from_data(item.record["result"])
                    if "result" in item.record
                    else None
                )
                if item.error is not None:
                    _LOG.error("%s", item.error)
                    status, result = _excepted(status, item.error)
                    self._store.write(item.pid, record=status_record(status, result))
                    failed += 1
                self._registry[item.pid] = _Entry(None, status, list(status.children), result)
        # Results of children that ended after their parent's last checkpoint are sent
        # again; the engine ignores those it has already applied.
        for entry in self._registry.values():
            if entry.result is None:
                for child in entry.children:
                    child_entry = self._registry.get(child)
                    if child_entry is not None and child_entry.result is not None:
                        self.send(entry.address, ChildFinished(child, child_entry.result))
        self.send(sender, Reloaded(resumed, failed))

    def _host(self, process: Any) -> None:
        pid = process.pid
        address = self.createActor(ProcessActor)
        status = process._prunus_status()
        self._registry[pid] = _Entry(address, status, list(status.children))
        self._by_address[str(address)] = pid
        self.send(address, Host(process, self._store))

    def _on_launch(self, message: Launch, sender: Any) -> None:
        process = message.process
        pid = process.pid
        # Invariant: one actor per pid. A launch for a known pid (a replayed step that
        # re-submits its child) is answered without a second actor.
        if pid not in self._registry:
            self._host(process)
            parent = self._registry.get(process.parent_pid) if process.parent_pid else None
            if parent is not None and pid not in parent.children:
                parent.children.append(pid)
        if message.reply:
            self.send(sender, Launched(pid))

    def _on_state_changed(self, message: StateChanged, sender: Any) -> None:
        entry = self._registry.get(message.status.pid)
        if entry is not None and entry.result is None:
            entry.status = message.status

    def _on_finished(self, message: Finished, sender: Any) -> None:
        pid = message.status.pid
        entry = self._registry[pid]
        entry.status, entry.result = message.status, message.result
        self.send(entry.address, ActorExitRequest())
        parent_pid = message.status.parent
        parent = self._registry.get(parent_pid) if parent_pid else None
        if parent is not None and parent.result is None:
            self.send(parent.address, ChildFinished(pid, message.result))
        if message.status.state is ProcessState.KILLED:
            # A child launched while the kill was in flight escaped the first cascade.
            self._kill_descendants(pid, message.status.status)
        for waiter, request_id in entry.waiters:
            self.send(waiter, WaitResult(request_id, message.result))
        entry.waiters.clear()

    def _on_control(self, message: Pause | Play | Status, sender: Any) -> None:
        entry = self._entry_or_error(message.pid, sender)
        if entry is None:
            return
        if entry.result is not None:
            self.send(sender, ControlReply(message.pid, isinstance(message, Status), entry.status))
            return
        if isinstance(message, Status):
            self.send(entry.address, Status(message.pid, reply_to=sender))
            return
        if message.cascade:
            # Pause and play cascade to live descendants (children first), as kill does.
            for pid in self._live_descendants(message.pid):
                self.send(self._registry[pid].address, type(message)(pid))
        self.send(entry.address, type(message)(message.pid, reply_to=sender))

    def _on_kill(self, message: Kill, sender: Any) -> None:
        entry = self._entry_or_error(message.pid, sender)
        if entry is None:
            return
        if entry.result is not None:
            self.send(sender, ControlReply(message.pid, False, entry.status))
            return
        self._kill_descendants(message.pid, message.message)
        self.send(entry.address, Kill(message.pid, message.message, reply_to=sender))

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

    def _on_cancel_wait(self, message: CancelWait, sender: Any) -> None:
        self._drop_waiter(message.pid, message.request_id)

    def _on_wakeup(self, message: Any, sender: Any) -> None:
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

    def _on_list(self, message: ListProcesses, sender: Any) -> None:
        self.send(sender, ProcessList(tuple(e.status for e in self._registry.values())))

    def _on_child_exited(self, message: Any, sender: Any) -> None:
        pid = self._by_address.pop(str(message.childAddress), None)
        entry = self._registry.get(pid) if pid else None
        if entry is not None and entry.result is None:
            # The actor died without reporting an ending: the process cannot go on here.
            _LOG.error("process actor of %s exited before the process ended", pid)
            status, result = _excepted(entry.status, "its actor exited unexpectedly")
            self._store.write(pid, record=status_record(status, result))
            self._on_finished(Finished(status, result), sender)

    # ---- helpers ----------------------------------------------------------------------

    def _entry_or_error(self, pid: str, sender: Any) -> _Entry | None:
        entry = self._registry.get(pid)
        if entry is None:
            self.send(sender, ErrorReply("UnknownProcessError", pid, f"unknown process '{pid}'"))
        return entry

    def _kill_descendants(self, pid: str, why: str | None) -> None:
        reason = f"parent {pid} was killed" + (f": {why}" if why else "")
        for descendant in self._live_descendants(pid):
            # No reply_to: nobody waits for the answers of a cascade.
            self.send(self._registry[descendant].address, Kill(descendant, reason))

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
