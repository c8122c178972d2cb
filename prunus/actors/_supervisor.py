"""The supervisor: one Thespian actor per runtime, the registry of every process and
the only router. This module is its Thespian shell; the work is done by plain parts.

Clients talk only to the supervisor; hosts report to it in batches, and it updates the
registry *before* it forwards an answer, so a status read after any answered control
sees that control's effect. The shell decodes each message, hands it to the part whose
concept it is, and sends what the parts decided (an :class:`Outgoing`: replies, one
Deliver per host, timers). The parts, each testable without Thespian:

- :class:`Registry` (``_registry``): entries, placement on hosts, trees, and the one
  place that decides what a process ending means (:meth:`Registry.finished`);
- :class:`Launches` (``_launches``): a launch is answered after its first commit;
- :class:`Control` (``_control``): pause/play/kill cascades, held answers, durable kill
  records; :class:`PassivatedControl` (``_passivated``) applies a control to a
  passivated process from its checkpoint, running the cell code here, no activation;
- :class:`Waits` (``_waits``): waiters and their deadlines (typed timer payloads);
- :class:`HostPool` (``_host_pool``): hosts, their load, deaths and back-off;
- :class:`Recovery` (``_recovery``): reload at start, and a dead host's processes
  re-activated (EXCEPTED past ``restart_limit``);
- :class:`Inspection` (``_inspection``): status, list, outputs, describe, report, info.

Parts never call the shell or send anything: they write into the Outgoing, or return
what the shell must do next (control Orders, an Ending, Failures).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from prunus.actors._control import Control, Order
from prunus.actors._host import Echo, HostActor
from prunus.actors._host_pool import HostPool, RestartHost
from prunus.actors._inspection import Inspection
from prunus.actors._launches import Launches
from prunus.actors._messages import (
    Activate,
    Activated,
    ActivationFailed,
    Barrier,
    CancelWait,
    Configure,
    DaemonInfo,
    Deliver,
    Describe,
    ErrorReply,
    Finished,
    GetOutputs,
    GetReport,
    HostEvents,
    HostReady,
    KillRequest,
    Launch,
    ListProcesses,
    Passivated,
    PauseRequest,
    PlayRequest,
    Reload,
    Reply,
    Spawned,
    StateChanged,
    StatusRequest,
    Submit,
    SubmitMany,
    WaitFor,
    WaitForMany,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._passivated import PassivatedControl
from prunus.actors._persisting import ProcessWriter
from prunus.actors._records import status_record
from prunus.actors._recovery import Recovery, runtime_failure
from prunus.actors._registry import Registry
from prunus.actors._thespian import (
    Actor,
    ActorExitRequest,
    ChildActorExited,
    PoisonMessage,
    WakeupMessage,
)
from prunus.actors._waits import ManyWaitDeadline, WaitDeadline, Waits
from prunus.engine import ProcessResult, ProcessStatus
from prunus.persistence import LmdbStore

__all__ = ["Supervisor"]

_LOG = logging.getLogger(__name__)


class Supervisor(Actor):
    """Decodes, delegates to the parts, sends what they decided (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._config = Configure()
        self._store: Any = None  # set by Configure, with the parts that need it
        self._out = out = Outgoing()
        self._hosts = hosts = HostPool()
        self._registry = registry = Registry(hosts)
        self._closing = False
        self._echo: Any = None
        on = self  # the parts below exist once Configure has made them
        self._handlers = {
            HostEvents: self._on_host_events,
            StatusRequest: lambda m, s: on._inspection.status(m.pid, s, out),
            PauseRequest: self._on_control,
            PlayRequest: self._on_control,
            KillRequest: self._on_control,
            Launch: lambda m, s: on._launches.start(m.process, m.process, s, out),
            Submit: lambda m, s: on._launches.submit(m, s, out),
            SubmitMany: lambda m, s: on._launches.submit_many(m, s, out),
            WaitFor: lambda m, s: on._waits.wait_for(m, s, out),
            WaitForMany: lambda m, s: on._waits.wait_for_many(m, s, out),
            CancelWait: lambda m, s: on._waits.cancel(m.pid, m.request_id),
            WakeupMessage: self._on_wakeup,
            ListProcesses: lambda m, s: on._inspection.list(s, out),
            GetOutputs: lambda m, s: on._inspection.outputs(m.pid, s, out),
            GetReport: lambda m, s: on._inspection.report(m.pid, s, out),
            Describe: lambda m, s: on._inspection.describe(m.pid, s, out),
            DaemonInfo: lambda m, s: on._inspection.daemon_status(s, out),
            ChildActorExited: self._on_child_exited,
            Configure: self._on_configure,
            Reload: self._on_reload,
        }
        self._event_handlers = {
            StateChanged: lambda e: registry.state_changed(e.status),
            Finished: lambda e: self._finished(e.status, e.result),
            Spawned: self._on_spawned,
            Reply: lambda e: on._control.replied(e, out),
            Activated: self._on_activated,
            Passivated: lambda e: registry.passivated(e.pid),
            ActivationFailed: self._on_activation_failed,
            Barrier: lambda e: on._recovery.barrier_reached(e.token, out),
            HostReady: lambda e: hosts.ready(e.index, e.os_pid),
        }
        self._timer_handlers = {
            RestartHost: lambda payload: self._restart_host(payload.index),
            WaitDeadline: lambda payload: on._waits.deadline(payload, out),
            ManyWaitDeadline: lambda payload: on._waits.deadline(payload, out),
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
        elif isinstance(message, PoisonMessage) and self._hosts.index_of(sender) is not None:
            # A host failed twice on one message: what it was asked is lost. End it;
            # its processes restart from their checkpoints on a new host.
            _LOG.error("host %s could not handle %r; restarting it", sender, message.poisonMessage)
            self.send(sender, ActorExitRequest())
        else:
            _LOG.warning("supervisor ignored unexpected message %r", message)

    def _flush(self) -> None:
        """Send what this message produced: replies, timers, then one Deliver per host."""
        out = self._out
        if out.sends:
            sends, out.sends = out.sends, []
            for to, message in sends:
                self.send(to, message)
        if out.timers:
            timers, out.timers = out.timers, []
            for seconds, payload in timers:
                self.wakeupAfter(seconds, payload=payload)
        if out.batches:
            batches, out.batches = out.batches, {}
            addresses = self._hosts.addresses
            for index, items in batches.items():
                if addresses[index] is not None:
                    self.send(addresses[index], Deliver(tuple(items)))

    # ---- set-up -----------------------------------------------------------------------

    def _on_configure(self, message: Configure, sender: Any) -> None:
        self._config = message
        # Hosts first: in daemon mode they are forked from this OS process, which must
        # not hold an open LMDB environment across fork.
        if message.home is not None:
            self._echo = self.createActor(Echo)
        for _ in range(message.workers):
            self._start_host(self._hosts.add())
        store = message.store if message.store is not None else LmdbStore(message.home)
        writer = ProcessWriter(store)
        registry = self._registry
        self._control = Control(registry, store, self.myAddress)
        self._passivated = PassivatedControl(store, writer)
        self._waits = Waits(registry)
        self._launches = Launches(registry, writer)
        self._recovery = Recovery(registry, self._control, self._launches)
        self._inspection = Inspection(registry, self._hosts, store)
        self._store = store
        self.send(sender, True)

    def _start_host(self, index: int) -> None:
        address = self.createActor(HostActor)
        self._hosts.started(index, address)
        self.send(address, HostPool.config(index, self._config, self._echo))

    def _on_reload(self, message: Reload, sender: Any) -> None:
        hosts = len(self._hosts)
        self._carry_out(
            self._recovery.reload(self._store, message.resume, hosts, sender, self._out)
        )

    # ---- what hosts report ------------------------------------------------------------

    def _on_host_events(self, message: HostEvents, sender: Any) -> None:
        self._handle_events(message.events)

    def _handle_events(self, events: Iterable[Any]) -> None:
        handlers = self._event_handlers
        for event in events:
            handlers[type(event)](event)

    def _finished(self, status: ProcessStatus, result: ProcessResult) -> None:
        ending = self._registry.finished(status, result, self._out)
        if ending is not None:
            self._carry_out(self._control.ended(ending))
            self._waits.ended(ending, self._out)
            # (pending when= conditions naming this pid will be re-evaluated here)

    def _on_spawned(self, event: Spawned) -> None:
        if self._registry.spawned(event.status):
            self._registry.deliver(event.status.pid, Activate(event.process), self._out)

    def _on_activated(self, event: Activated) -> None:
        self._registry.activated(event.pid)
        self._launches.activated(event.pid, self._out)

    def _on_activation_failed(self, event: ActivationFailed) -> None:
        _LOG.error("%s", event.reason)
        self._launches.activation_failed(event.pid, event.reason, self._out)
        self._fail(event.pid, event.reason)

    def _fail(self, pid: str, reason: str) -> None:
        """End ``pid`` EXCEPTED on the runtime's own authority (its actor cannot)."""
        status, result = runtime_failure(self._registry[pid].status, reason)
        self._store.write(pid, record=status_record(status, result))
        self._finished(status, result)
        self._launches.ended(pid, self._out)  # it exists now, EXCEPTED
        self._control.abandoned(pid, status, self._out)  # no host will answer these now

    # ---- control ----------------------------------------------------------------------

    def _on_control(self, message: PauseRequest | PlayRequest | KillRequest, sender: Any) -> None:
        self._carry_out(self._control.request(message, sender, self._out))

    def _carry_out(self, orders: Iterable[Order]) -> None:
        """Each control where it belongs: a passivated process takes it right here
        (PassivatedControl), else its host does (a kill is recorded first)."""
        registry, out = self._registry, self._out
        for pid, message, durable in orders:
            if self._config.passivate and not registry[pid].active:
                applied = self._passivated.apply(pid, message)
                if applied is not None:
                    self._handle_events(applied.events)
                    if applied.runnable and registry[pid].result is None:
                        registry.deliver(pid, Activate(), out)  # played: its host loads it
                    continue
            if durable:
                self._control.record_kill(pid, message.message)  # type: ignore[union-attr]
            registry.deliver(pid, message, out)

    # ---- timers and hosts dying -------------------------------------------------------

    def _on_wakeup(self, message: Any, sender: Any) -> None:
        self._timer_handlers[type(message.payload)](message.payload)

    def _on_child_exited(self, message: Any, sender: Any) -> None:
        if self._closing:
            return
        if self._echo is not None and self._echo == message.childAddress:
            _LOG.error("the echo actor exited; starting another")
            self._echo = self.createActor(Echo)
            for index, address in enumerate(self._hosts.addresses):
                if address is not None:
                    self.send(address, HostPool.config(index, self._config, self._echo))
            return
        index = self._hosts.index_of(message.childAddress)
        if index is None:
            return
        self._out.drop_host(index)  # addressed to the dead host: re-derived on restart
        delay = self._hosts.died(index, time.monotonic())
        if delay:
            _LOG.error("host %d keeps dying; restarting it in %g s", index, delay)
            self._out.wake_after(delay, RestartHost(index))
            return
        self._restart_host(index)

    def _restart_host(self, index: int) -> None:
        _LOG.error("host %d exited; restarting its processes from their checkpoints", index)
        self._start_host(index)
        limit = self._config.restart_limit
        for pid, reason in self._recovery.host_restarted(index, limit, self._out):
            self._fail(pid, reason)
