"""The launch flows of the supervisor that ``when=`` and memoization add.

These are methods of :class:`~prunus.actors._supervision.Supervision` (a mixin it
inherits), kept apart so that the supervision module stays about routing: a launch is
started, held by its condition (:mod:`prunus.actors._dependencies`) or answered from
the cache (:mod:`prunus.actors._memo_cache`); a held process is started, cancelled or
controlled from its checkpoint; a child a step launched goes the same ways.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from prunus.actors._dependencies import Dependencies, cancelled_ending
from prunus.actors._host_messages import Activate, Spawned
from prunus.actors._launches import BatchLaunch, Launches, error_reply
from prunus.actors._memo_cache import MemoCache, Plan
from prunus.actors._messages import KillRequest, Launch, Submit, SubmitMany
from prunus.actors._outgoing import Outgoing
from prunus.actors._persisting import status_record
from prunus.actors._placements import StoredPlacements
from prunus.actors._registry import Registry
from prunus.actors._submit_keys import ITEM_SUFFIX_BYTES, MAX_KEY_BYTES, check_submit_key
from prunus.conditions import Condition, Decision, Pid
from prunus.engine import (
    Process,
    ProcessDriver,
    ProcessResult,
    ProcessState,
    ProcessStatus,
    load_process,
    resolve_process_class,
)
from prunus.errors import PrunusError

__all__ = ["LaunchFlows"]


class LaunchFlows:
    """Held launches, memo hits and cacheable children (see the module docstring)."""

    out: Outgoing
    registry: Registry
    launches: Launches
    dependencies: Dependencies
    memo: MemoCache
    _store: Any
    placements: dict[str, dict[str, int | str]]  # a launch's placement, until started
    stored_placements: StoredPlacements  # ... and from then on, in the store (a daemon)

    if TYPE_CHECKING:

        def finished(self, status: ProcessStatus, result: ProcessResult) -> None: ...

        def fail(self, pid: str, reason: str) -> None: ...

        def handle_events(self, events: Any) -> None: ...

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
        plan = self._child_plan(event)
        if plan is not None and plan.action == "wait":  # its key runs elsewhere now
            status = event.status
            self._adopt(status)
            self.decided(self.dependencies.hold(status, Pid(plan.source).completed))
            return
        if self.registry.spawned(event.status):
            if plan is not None and plan.action == "hit":
                self._finish_hit(event.status.pid, plan)
                return
            launched = Activate(event.process, launched=True)
            self.registry.deliver(event.status.pid, launched, self.out)

    def _child_plan(self, event: Spawned) -> Plan | None:
        """Ask the cache about a child a step launched (its first checkpoint is stored:
        across OS processes the child is rebuilt from it); None if not cacheable."""
        status = event.status
        if status.pid in self.registry:
            return None
        process = event.process
        try:
            if process is None:
                cls = resolve_process_class(status.process_class)
                if cls.spec().cache_settings is None:
                    return None
                data = self._store.load_checkpoint(status.pid)
                if data is None:
                    return None
                process = load_process(data, cls)
        except PrunusError:
            return None
        plan = self.memo.plan(process)
        if plan.key is None:
            return None
        if plan.action == "wait":
            self.memo.held(status.pid, plan.key, True)
        elif plan.action == "run":
            self.memo.running(status.pid, plan.key, True)
        return plan

    def _adopt(self, status: ProcessStatus) -> None:
        parent = self.registry.get(status.parent) if status.parent else None
        if parent is not None and status.pid not in parent.children:
            parent.children.append(status.pid)

    def _submit(self, message: Submit | SubmitMany, asker: Any) -> None:
        batch = isinstance(message, SubmitMany)
        if self._answered_before(message.key, batch, asker):
            return
        processes = self.launches.build(message, asker, self.out)
        if processes is not None:
            items = message.items if isinstance(message, SubmitMany) else (message,)
            for process, item in zip(processes, items, strict=True):
                if item.placement is not None:  # taken by launches.start below
                    self.placements[process.pid] = item.placement
            self.launch(processes, asker, batch=batch, key=message.key or None)

    def _launch_instance(self, message: Launch, asker: Any) -> None:
        if not self._answered_before(message.key, False, asker):
            self.launch([message.process], asker, instances=True, key=message.key or None)

    def _answered_before(self, key: Any, batch: bool, asker: Any) -> bool:
        """True after answering ``asker``: a bad key, or one answered before (a retry:
        the same pids, nothing created)."""
        try:
            key = check_submit_key(key, MAX_KEY_BYTES + ITEM_SUFFIX_BYTES)
        except PrunusError as error:
            self.out.send(asker, error_reply(error))
            return True
        return self.launches.answer_known(key, batch, asker, self.out)

    def launch(
        self,
        processes: list[Process],
        asker: Any,
        *,
        batch: bool = False,
        instances: bool = False,
        key: str | None = None,
    ) -> None:
        """Start ``processes`` (``instances``: embedded, host these very objects); one
        launched ``when=`` a condition is stored and held instead. A condition naming
        an unknown process refuses the whole launch: nothing is stored.

        A client's submit (not ``instances``) or a launch with a ``key`` is committed
        here, with its key, before it is answered (:mod:`prunus.actors._launches`)."""
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
        pids = tuple(p.pid for p in processes)
        committed = not instances or key is not None
        if committed:
            fresh = [p for p in processes if p.pid not in registry and p not in hits]
            if not self.launches.write_new(fresh, key or "", pids, asker, out):
                return
        elif held and not self.launches.write_new(held, "", pids, asker, out):
            return
        target = BatchLaunch(asker, pids) if batch else asker
        for process in processes:
            pid = process.pid
            condition = conditions.get(pid)
            if process in hits:
                self._finish_hit(process, plans[pid], target)  # type: ignore[arg-type]
            elif condition is None:
                placement = self.placements.pop(pid, None)
                if placement is not None and self.registry.distributed:
                    self.stored_placements.remember(pid, placement)
                instance = process if instances else None
                self.launches.start(process, instance, target, out, placement, committed=committed)
                if pid not in registry:
                    return  # refused, and answered why: the rest of a batch does not start
            else:
                placement = self.placements.pop(pid, None)
                if placement is not None and self.registry.distributed:  # (used at its start)
                    self.stored_placements.remember(pid, placement)
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
                self.registry.place(decision.pid, self.stored_placements.get(decision.pid))
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
