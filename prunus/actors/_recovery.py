"""Coming back: the registry reloaded from the store, and a dead host's processes moved.

On start, every stored process is registered; with ``resume``, every unfinished one
that has a step to run is re-activated from its checkpoint (a WAITING one stays on disk
until a message for it arrives: :func:`needs_activation`), the results of children that
ended after their parent's last checkpoint are delivered again (the engine ignores those
it has applied), kills that were recorded but not seen through are issued again, and a
KILLED process whose kill did not reach all its children has them killed. The reload is
answered once every host has handled its activations (a :class:`ReloadBarrier`), so a
process that cannot be loaded is already EXCEPTED when the runtime reports itself ready.

When a host dies, the processes it held are re-activated on its replacement (a
passivated WAITING one with nothing on its way to it stays on disk); one whose host
died while running it more than ``restart_limit`` times ends EXCEPTED with the reason.

Both walks are generators: they yield what the shell must do on the spot (an Order to
carry out, a Failure to record), so everything happens in the same order as the walk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from prunus.actors._control import Control, Order
from prunus.actors._host_messages import (
    Activate,
    Barrier,
)
from prunus.actors._launches import Launches
from prunus.actors._members import UNPLACED
from prunus.actors._messages import (
    KillRequest,
    Reloaded,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._persisting import read_registry
from prunus.actors._reconcile import StoredEnding, adopt_stored_children, stored_ending
from prunus.actors._registry import Registry
from prunus.engine import ProcessResult, ProcessState, ProcessStatus

__all__ = ["Failure", "Recovery", "ReloadBarrier", "needs_activation", "runtime_failure"]


class Failure(NamedTuple):
    """``pid`` must end EXCEPTED on the runtime's own authority, for ``reason``."""

    pid: str
    reason: str


@dataclass(slots=True)
class ReloadBarrier:
    """A reload waiting for every host to have handled its activations."""

    asker: Any
    hosts_left: int
    resumed: int
    failures_before: int  # activation failures counted before this reload


class Recovery:
    """Reload at start, re-activation after a host died, and the reload barriers."""

    def __init__(self, registry: Registry, control: Control, launches: Launches) -> None:
        self._registry = registry
        self._control = control
        self._launches = launches
        self._barriers: dict[int, ReloadBarrier] = {}
        self._tokens = 0

    def reload(
        self,
        store: Any,
        resume: bool,
        hosts: int,
        asker: Any,
        out: Outgoing,
        load_held: Callable[[list[tuple[ProcessStatus, Any]]], None] | None = None,
        placements: Mapping[str, dict[str, int | str]] | None = None,
    ) -> Iterator[Order]:
        """Register what ``store`` holds (see the module docstring); yields the kill
        orders to carry out. Answers ``asker`` with Reloaded (after a barrier).

        A process held by its ``when=`` condition (CREATED, ``when`` in its record) is
        not activated: ``load_held`` gets them all once every record is registered
        (it registers and decides them), before the barrier. ``placements``: the launch
        placements the store kept (see :mod:`prunus.actors._placements`), by pid."""
        registry, resumed = self._registry, 0
        held: list[tuple[ProcessStatus, Any]] = []
        stored: set[str] = set()
        for status, result in read_registry(store, held):
            pid = status.pid
            stored.add(pid)
            if status.state.is_terminal:
                registry.register_ended(status, result)
            else:
                registry.register(status, (placements or {}).get(pid))
                if resume and needs_activation(status):
                    registry.deliver(pid, Activate(), out)
                    resumed += 1
        self._control.load_kill_records()
        stored.update(status.pid for status, _ in held)
        self._launches.keys.load(store, stored.__contains__)
        if not resume or load_held is None:
            for status, _ in held:
                registry.register_held(status)
        if not resume:
            out.send(asker, Reloaded(0, 0))
            return
        if load_held is not None:
            load_held(held)
        for pid, entry in registry.entries.items():
            if entry.result is None:
                registry.redeliver_child_results(pid, out)
            elif entry.status.state is ProcessState.KILLED:
                # Its kill may have ended it before the cascade reached every child.
                yield from self._control.kill_descendants(pid, entry.status.status)[1]
        for pid, reason in list(self._control.kills.items()):
            entry = registry.get(pid)
            if entry is None or entry.result is not None:
                self._control.forget_kill(pid)
            else:
                yield from self._control.kill_descendants(pid, reason)[1]
                registry.deliver(pid, KillRequest(pid, reason or None), out)
        self._tokens += 1
        failures = self._launches.activation_failures
        if not hosts:  # a leader with --no-work: nothing to wait for
            out.send(asker, Reloaded(resumed, 0))
            return
        self._barriers[self._tokens] = ReloadBarrier(asker, hosts, resumed, failures)
        for host in range(hosts):
            out.deliver(host, "", Barrier(self._tokens))

    def barrier_reached(self, token: int, out: Outgoing) -> None:
        """One host has handled everything delivered before the barrier ``token``."""
        barrier = self._barriers[token]
        barrier.hosts_left -= 1
        if barrier.hosts_left == 0:
            del self._barriers[token]
            failed = self._launches.activation_failures - barrier.failures_before
            out.send(barrier.asker, Reloaded(barrier.resumed, failed))

    def host_restarted(
        self, host: int, restart_limit: int, store: Any, out: Outgoing
    ) -> Iterator[Failure | StoredEnding]:
        """Re-activate the processes of ``host`` (a new actor in its place), first
        reconciled with ``store`` (:mod:`prunus.actors._reconcile`: what the dead host
        committed and never reported); yields those that were restarted too often, to
        be failed, and those that ended in the store, to be finished."""
        yield from self.reactivate(self._registry.unfinished_on(host), restart_limit, store, out)

    def reactivate(
        self, walk: Iterable[tuple[str, Any]], restart_limit: int, store: Any, out: Outgoing
    ) -> Iterator[Failure | StoredEnding]:
        """Re-activate each ``(pid, entry)`` of ``walk`` on the host its entry names now
        (its own restarted, or another one it moved to); see :meth:`host_restarted`.
        One waiting for a member (UNPLACED) whose launch was not committed yet has its
        first checkpoint committed here and its launch answered: it is activated when
        it is placed (``Registry.place_waiting``)."""
        registry, control, launches = self._registry, self._control, self._launches
        for pid, entry in walk:
            if entry.result is not None:
                continue  # ended since the walk began (a stored ending reached it)
            first_write = launches.first_write(pid)
            if (
                not entry.active
                and entry.status.state is ProcessState.WAITING
                and first_write is None
                and not control.to_resend(pid)
            ):
                # Passivated: all of it is on disk and nothing was on its way to it, so
                # it stays there until a message arrives (as after a restart).
                continue
            if first_write is not None and store.get_record(pid) is not None:
                # Its first write was committed; only the Activated event was lost.
                # Sending it again would reset a process that may have run on since.
                launches.activated(pid, out)
                first_write = None
            ending = stored_ending(store, pid)
            if ending is not None:
                yield ending
                continue
            if entry.active:
                restarts = registry.restarted(pid)
                if restarts > restart_limit:
                    yield Failure(
                        pid,
                        f"its host process died {restarts} times while running it "
                        f"(restart limit {restart_limit})",
                    )
                    continue
            if entry.host == UNPLACED:
                if first_write is not None:
                    launches.commit_first_write(pid, out)
                continue
            registry.deliver(pid, Activate(None, first_write), out)
            adopt_stored_children(registry, store, pid, out)
            registry.redeliver_child_results(pid, out)
            for message in control.to_resend(pid):
                registry.deliver(pid, message, out)


def needs_activation(status: ProcessStatus) -> bool:
    """Whether a reloaded process must be loaded into a host now.

    A WAITING process moves only when a message for it arrives (a child's result, a
    control, its timer, a signal, a resume): its record says all a read needs, so it
    stays on disk, passivated, until then (DESIGN.md section 2). Loading it anyway is
    what made a restart of 100k waiting workchains take 40 s and double the hosts'
    memory. Every other state has (or may have) a step to run: CREATED has not started,
    RUNNING was in a step or between two when the runtime stopped."""
    return status.state is not ProcessState.WAITING


def runtime_failure(status: ProcessStatus, reason: str) -> tuple[ProcessStatus, ProcessResult]:
    """The status and result of a process the runtime itself had to fail (its actor
    could not: it cannot be loaded, or its host keeps dying under it)."""
    failed = dataclasses.replace(status, state=ProcessState.EXCEPTED, status=reason, paused=False)
    result = ProcessResult(
        status.pid,
        ProcessState.EXCEPTED,
        exception=f"RuntimeError: {reason}",
        status=reason,
        process_class=status.process_class,
    )
    return failed, result
