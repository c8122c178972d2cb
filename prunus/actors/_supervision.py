"""What the supervisor does with each prunus message, without Thespian.

:class:`Supervision` owns the parts and routes every client request and host event to
the part whose concept it is; the few flows that cross parts are written here, once:

- a process ending (:meth:`Supervision.finished`): the registry decides what it
  means and returns an Ending; control carries a kill on to children launched while
  it was in flight, and forgets the kill record; waiters are answered (pending
  ``when=`` conditions that name the pid will be re-evaluated here too);
- a process failed by the runtime itself (cannot be loaded, restarted too often);
- control orders carried out in order: a passivated process takes a control right
  here, from its checkpoint (:class:`PassivatedControl`), others go to their host.

Everything to send is left in :attr:`Supervision.out`; the Thespian shell
(:mod:`prunus.actors._supervisor`) sends it after each message, and creates the
actors (hosts, the echo) this object cannot.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from typing import Any

from prunus.actors._control import Control, Order
from prunus.actors._dependencies import Dependencies, cancelled_ending
from prunus.actors._host_messages import (
    Activate,
    Activated,
    ActivationFailed,
    Barrier,
    Finished,
    HostEvents,
    HostReady,
    Passivated,
    Reply,
    Spawned,
    StateChanged,
)
from prunus.actors._host_pool import HostPool
from prunus.actors._inspection import Inspection
from prunus.actors._launches import BatchLaunch, Launches, error_reply
from prunus.actors._memo_cache import MemoCache, Plan
from prunus.actors._messages import (
    CancelWait,
    DaemonInfo,
    Describe,
    GetOutputs,
    GetReport,
    KillRequest,
    Launch,
    ListProcesses,
    PauseRequest,
    PlayRequest,
    Reload,
    ResumeRequest,
    StatusRequest,
    Submit,
    SubmitMany,
    WaitFor,
    WaitForMany,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._passivated import PassivatedControl
from prunus.actors._persisting import ProcessWriter, status_record
from prunus.actors._recovery import Recovery, runtime_failure
from prunus.actors._registry import Registry
from prunus.actors._waits import ManyWaitDeadline, WaitDeadline, Waits
from prunus.conditions import Condition, Decision, Pid
from prunus.engine import Process, ProcessDriver, ProcessResult, ProcessState, ProcessStatus
from prunus.errors import PrunusError

__all__ = ["REQUESTS", "Supervision"]

_LOG = logging.getLogger(__name__)

# Every message a client or a host sends the supervisor (what Supervision.handle takes).
REQUESTS = frozenset(
    {
        HostEvents,
        StatusRequest,
        PauseRequest,
        PlayRequest,
        KillRequest,
        ResumeRequest,
        Launch,
        Submit,
        SubmitMany,
        WaitFor,
        WaitForMany,
        CancelWait,
        ListProcesses,
        GetOutputs,
        GetReport,
        Describe,
        DaemonInfo,
        Reload,
    }
)


class Supervision:
    """The parts of one supervisor, wired; see the module docstring.

    Args:
        store: the runtime's store (kill records, first writes, failures, reads).
        me: the supervisor's own address: cascaded controls are answered to it.
        hosts: the host pool (the shell starts and restarts the host actors).
        passivate: passivated processes take controls here (else every control goes
            to a host).
        restart_limit: how often a process may be restarted after its host died.
    """

    def __init__(
        self, store: Any, me: Any, hosts: HostPool, *, passivate: bool, restart_limit: int
    ) -> None:
        # Invariant: ``out`` is this one object for the supervisor's life (the handlers
        # below hold it); the shell empties it after each message, never replaces it.
        self.out = out = Outgoing()
        self.hosts = hosts
        self.registry = registry = Registry(hosts)
        writer = ProcessWriter(store)
        self.control = control = Control(registry, store, me)
        self.waits = waits = Waits(registry)
        self.launches = launches = Launches(registry, writer)
        self.recovery = recovery = Recovery(registry, control, launches)
        self.dependencies = Dependencies(registry, store)
        self.memo = MemoCache(registry, store)
        inspection = Inspection(registry, hosts, store)
        self._passivated = PassivatedControl(store, writer) if passivate else None
        self._store = store
        self._restart_limit = restart_limit
        self._handlers = {
            HostEvents: lambda m, s: self.handle_events(m.events),
            StatusRequest: lambda m, s: inspection.status(m.pid, s, out),
            PauseRequest: self._control,
            PlayRequest: self._control,
            KillRequest: self._control,
            ResumeRequest: self._control,
            Launch: lambda m, s: self.launch([m.process], s, instances=True),
            Submit: self._submit,
            SubmitMany: self._submit,
            WaitFor: lambda m, s: waits.wait_for(m, s, out),
            WaitForMany: lambda m, s: waits.wait_for_many(m, s, out),
            CancelWait: lambda m, s: waits.cancel(m.pid, m.request_id),
            ListProcesses: lambda m, s: inspection.list(s, out),
            GetOutputs: lambda m, s: inspection.outputs(m.pid, s, out),
            GetReport: lambda m, s: inspection.report(m.pid, s, out),
            Describe: lambda m, s: inspection.describe(m.pid, s, out),
            DaemonInfo: lambda m, s: inspection.daemon_status(s, out),
            Reload: lambda m, s: self.carry_out(
                recovery.reload(store, m.resume, len(hosts), s, out, self._reload_held)
            ),
        }
        assert set(self._handlers) == REQUESTS
        self._event_handlers = {
            StateChanged: lambda e: registry.state_changed(e.status),
            Finished: lambda e: self.finished(e.status, e.result),
            Spawned: self._spawned,
            Reply: lambda e: control.replied(e, out),
            Activated: self._activated,
            Passivated: lambda e: registry.passivated(e.pid),
            ActivationFailed: self._activation_failed,
            Barrier: lambda e: recovery.barrier_reached(e.token, out),
            HostReady: lambda e: hosts.ready(e.index, e.os_pid),
        }
        self._deadlines = {
            WaitDeadline: lambda payload: waits.deadline(payload, out),
            ManyWaitDeadline: lambda payload: waits.deadline(payload, out),
        }

    def handle(self, message: Any, asker: Any) -> None:
        """A message of a type in :data:`REQUESTS` from ``asker`` (a client or a host)."""
        self._handlers[type(message)](message, asker)

    def handle_events(self, events: Iterable[Any]) -> None:
        """What a host reports (or a cell run here for a passivated process), in order."""
        handlers = self._event_handlers
        for event in events:
            handlers[type(event)](event)

    def timer(self, payload: Any) -> None:
        """A timer this object asked for (``out.timers``) fired."""
        self._deadlines[type(payload)](payload)

    def host_restarted(self, index: int) -> None:
        """A new host actor took the place of host ``index``: move its processes."""
        for pid, reason in self.recovery.host_restarted(index, self._restart_limit, self.out):
            self.fail(pid, reason)

    # ---- flows across parts ---------------------------------------------------------------

    def finished(self, status: ProcessStatus, result: ProcessResult) -> None:
        ending = self.registry.finished(status, result, self.out)
        if ending is not None:
            self.carry_out(self.control.ended(ending))
            self.waits.ended(ending, self.out)
            self.memo.ended(ending.pid, ending.result)
            self.decided(self.dependencies.ended(ending.pid))

    def fail(self, pid: str, reason: str) -> None:
        """End ``pid`` EXCEPTED on the runtime's own authority (its actor cannot)."""
        status, result = runtime_failure(self.registry[pid].status, reason)
        self._store.write(pid, record=status_record(status, result))
        self.finished(status, result)
        self.launches.ended(pid, self.out)  # it exists now, EXCEPTED
        self.control.abandoned(pid, status, self.out)  # no host will answer these now

    def carry_out(self, orders: Iterable[Order]) -> None:
        """Each control where it belongs, in order: a passivated process takes it right
        here (no activation), any other goes to its host (a kill recorded first)."""
        registry, out = self.registry, self.out
        for pid, message, durable in orders:
            if pid in self.dependencies:  # held by its condition: no host has it
                self._control_held(pid, message)
                continue
            if self._passivated is not None and not registry[pid].active:
                applied = self._passivated.apply(pid, message)
                if applied is not None:
                    self.handle_events(applied.events)
                    if applied.runnable and registry[pid].result is None:
                        registry.deliver(pid, Activate(), out)  # played: its host loads it
                    continue
            if durable:
                self.control.record_kill(pid, message.message)  # type: ignore[union-attr]
            registry.deliver(pid, message, out)

    def _control(
        self, message: PauseRequest | PlayRequest | KillRequest | ResumeRequest, asker: Any
    ) -> None:
        self.carry_out(self.control.request(message, asker, self.out))

    def _spawned(self, event: Spawned) -> None:
        if event.when is not None and event.status.pid not in self.registry:
            # Launched with when=: held; its record (with the condition) is stored.
            status = event.status
            try:
                condition = self.dependencies.condition(event.when)
            except PrunusError as error:
                self.registry.register_held(status)
                self._adopt(status)
                self._cancel(status.pid, f"cancelled: {error}")
                return
            self._adopt(status)
            self.decided(self.dependencies.hold(status, condition))
            return
        if self.registry.spawned(event.status):
            self.registry.deliver(event.status.pid, Activate(event.process), self.out)

    def _adopt(self, status: ProcessStatus) -> None:
        parent = self.registry.get(status.parent) if status.parent else None
        if parent is not None and status.pid not in parent.children:
            parent.children.append(status.pid)

    # ---- when= conditions -----------------------------------------------------------------

    def _submit(self, message: Submit | SubmitMany, asker: Any) -> None:
        processes = self.launches.build(message, asker, self.out)
        if processes is not None:
            self.launch(processes, asker, batch=isinstance(message, SubmitMany))

    def launch(
        self, processes: list[Process], asker: Any, *, batch: bool = False, instances: bool = False
    ) -> None:
        """Start ``processes`` (``instances``: embedded, host these very objects); one
        launched ``when=`` a condition is stored and held instead. A condition naming
        an unknown process refuses the whole launch: nothing is stored."""
        out, registry = self.out, self.registry
        conditions: dict[str, Condition] = {}
        try:
            for process in processes:
                when = ProcessDriver(process).launch_condition
                if when is not None and process.pid not in registry:
                    conditions[process.pid] = self.dependencies.condition(when)
        except PrunusError as error:
            out.send(asker, error_reply(error))
            return
        plans = {p.pid: self._memo_plan(p, conditions) for p in processes if p.pid not in registry}
        held = [p for p in processes if p.pid in conditions]
        hits = [p for p in processes if isinstance(plans.get(p.pid), Plan)]
        if held and not self.launches.write_held(held, asker, out):
            return
        target = BatchLaunch(asker, tuple(p.pid for p in processes)) if batch else asker
        for process in processes:
            pid = process.pid
            condition = conditions.get(pid)
            if process in hits:
                self._finish_hit(process, plans[pid], target)  # type: ignore[arg-type]
            elif condition is None:
                self.launches.start(process, process if instances else None, target, out)
            else:
                decisions = self.dependencies.hold(ProcessDriver(process).status(), condition)
                self.launches.held(pid, target, out)
                self.decided(decisions)

    def _memo_plan(self, process: Process, conditions: dict[str, Condition]) -> Any:
        """Ask the cache about a launch: a hit (its Plan), or "" after noting what it
        runs for; a live run of the same key holds it on that run's end."""
        driver = ProcessDriver(process)
        plan = self.memo.plan(process, driver.cache_mode)
        if plan.key is None:
            return ""
        pid = process.pid
        if plan.action == "hit" and pid not in conditions:
            return plan
        if plan.action == "wait" or pid in conditions:
            self.memo.held(pid, plan.key, driver.cache_mode)  # asks again when released
            if plan.action == "wait":
                first = Pid(plan.source).completed  # type: ignore[arg-type]
                both = first if pid not in conditions else conditions[pid] & first
                conditions[pid] = both
                driver.launch_condition = both.to_data()
            return ""
        self.memo.running(pid, plan.key, driver.cache_mode)
        return ""

    def _finish_hit(self, process: Process | str, plan: Plan, asker: Any = None) -> None:
        """A launch whose key has a finished run: FINISHED at once with a copy of the
        outputs and ``cached_from``, in one transaction; no step runs."""
        registry = self.registry
        when = None
        if isinstance(process, str):  # held until now: its record is stored
            status = registry[process].status
            when = (self._store.get_record(process) or {}).get("when")
            parts: dict[str, Any] = {}
        else:
            status = ProcessDriver(process).status()
            parts = {"checkpoint": self.launches.checkpoint(process)}
        source = plan.source
        assert source is not None
        result = self.memo.hit_result(status.pid, source, status.process_class)
        status = dataclasses.replace(status, state=ProcessState.FINISHED, status=None, paused=False)
        record = status_record(status, result, when)
        record["cached_from"] = source
        self._store.write(status.pid, record=record, outputs=dict(result), **parts)
        if isinstance(process, str):
            self.finished(status, result)
        else:
            registry.register_ended(status, result)
            self.launches.held(status.pid, asker, self.out)

    def decided(self, decisions: list[Decision]) -> None:
        """Act on what the book decided, causes first: start, or end KILLED."""
        for decision in decisions:
            entry = self.registry.get(decision.pid)
            if entry is None or entry.result is not None:
                continue
            if decision.start:
                plan = self.memo.released(decision.pid)
                if plan.action == "hit":
                    self._finish_hit(decision.pid, plan)
                    continue
                self.registry.place(decision.pid)
                self.registry.deliver(decision.pid, Activate(), self.out)
            else:
                self._cancel(decision.pid, decision.status or "cancelled")

    def _cancel(self, pid: str, reason: str) -> None:
        """End held ``pid`` KILLED on its record alone: it never ran a step."""
        status, result = cancelled_ending(self.registry[pid].status, reason)
        stored = self._store.get_record(pid) or {}
        self._store.write(pid, record=status_record(status, result, stored.get("when")))
        self.finished(status, result)

    def _control_held(self, pid: str, message: Any) -> None:
        """Pause, play or kill of a held process, from its checkpoint: a play never
        starts it before its condition holds."""
        events = self.dependencies.control(pid, message)
        if events is None:  # no loadable checkpoint: a kill ends it on its record
            if isinstance(message, KillRequest):
                self._cancel(pid, message.message or "killed")
            return
        self.handle_events(events)
        self.dependencies.keep_waiting_text(pid)

    def _reload_held(self, held: list[tuple[ProcessStatus, Any]]) -> None:
        """After a restart: held processes back in the book, then each decided
        against the stored states (a dependency may have ended while we were down)."""
        for pid, reason in self.dependencies.load(held):
            self.fail(pid, reason)
        self.decided(self.dependencies.decide_all())

    def _activated(self, event: Activated) -> None:
        self.registry.activated(event.pid)
        self.launches.activated(event.pid, self.out)

    def _activation_failed(self, event: ActivationFailed) -> None:
        _LOG.error("process %s: %s", event.pid, event.reason)
        self.launches.activation_failed(event.pid, event.reason, self.out)
        if event.blocked:
            # Its class does not import here: keep it as it is (state and store), show
            # why, answer what waited on a host; the next open or restart tries again.
            status = self.registry.blocked(event.pid, event.reason)
            if status is not None:
                self.control.abandoned(event.pid, status, self.out)
            return
        self.fail(event.pid, event.reason)
