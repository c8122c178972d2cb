"""What the supervisor does with each prunus message, without Thespian.

:class:`Supervision` owns the parts and routes every client request and host event to
the part whose concept it is; the few flows that cross parts are written here, once:

- a process ending (:meth:`Supervision.finished`): the registry decides what it
  means and returns an Ending; control carries a kill on to children launched while
  it was in flight, and forgets the kill record; waiters are answered; the memo part
  fills an entry for a successful run; the held processes whose ``when=`` condition
  names the pid are decided (started or cancelled, causes first);
- a process failed by the runtime itself (cannot be loaded, restarted too often).

Flows of their own are mixins of :class:`Supervision`, each in its module: launches,
held processes, memo hits and cacheable children (:mod:`prunus.actors._launch_flows`);
controls carried out where they belong (:mod:`prunus.actors._control_flows`); hosts
restarted, gone or fenced (:mod:`prunus.actors._host_changes`); what hosts report
(:mod:`prunus.actors._host_reports`).

Everything to send is left in :attr:`Supervision.out`; the Thespian shell
(:mod:`prunus.actors._supervisor`) sends it after each message, and creates the
actors (hosts, the echo) this object cannot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prunus.actors._bulk_chunks import BulkChunks, NextChunk
from prunus.actors._bulk_control import BulkControl, BulkDeadline
from prunus.actors._control import Control
from prunus.actors._control_all import ControlAll
from prunus.actors._control_flows import ControlFlows
from prunus.actors._dependencies import Dependencies
from prunus.actors._embedded_messages import (
    LaunchMany,
    LiveDescendants,
    LiveDescendantsReply,
    Run,
    Unanswered,
)
from prunus.actors._event_order import EventOrder, GapCheck
from prunus.actors._host_changes import HostChanges
from prunus.actors._host_messages import (
    Activated,
    ActivationFailed,
    Barrier,
    Finished,
    HostEvents,
    HostReady,
    LongStep,
    NestedEnded,
    Passivated,
    Reply,
    Spawned,
    StateChanged,
    Took,
)
from prunus.actors._host_pool import HostPool
from prunus.actors._host_reports import HostReports
from prunus.actors._inspection import Inspection
from prunus.actors._launch_flows import LaunchFlows
from prunus.actors._launches import Launches
from prunus.actors._listing import ListPage
from prunus.actors._listing_index import ListingIndex
from prunus.actors._memo_cache import MemoCache
from prunus.actors._messages import (
    CancelWait,
    ControlMany,
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
from prunus.actors._placements import StoredPlacements
from prunus.actors._ran_on import RanOn
from prunus.actors._recovery import Recovery, runtime_failure
from prunus.actors._registry import Registry
from prunus.actors._signals import Signals
from prunus.actors._status_notes import StatusNotes
from prunus.actors._timers import Timers
from prunus.actors._unrecorded_failures import RetryFailure, hold_failure
from prunus.actors._waiting_messages import (
    NextTimer,
    NextTimerReply,
    SignalRequest,
    TimersDue,
)
from prunus.actors._waits import ManyWaitDeadline, WaitDeadline, Waits
from prunus.engine import (
    ProcessResult,
    ProcessStatus,
)
from prunus.errors import StoreError

__all__ = ["REQUESTS", "Supervision"]

# A client's controls, delivered to a host: they never wait for the host's Took.
_CONTROLS = frozenset({PauseRequest, PlayRequest, KillRequest, ResumeRequest})

# Every message a client or a host sends the supervisor (what Supervision.handle takes).
REQUESTS = frozenset(
    {
        HostEvents,
        StatusRequest,
        PauseRequest,
        PlayRequest,
        KillRequest,
        ResumeRequest,
        ControlMany,
        ControlAll,
        Launch,
        LaunchMany,
        LiveDescendants,
        Run,
        Submit,
        SubmitMany,
        WaitFor,
        WaitForMany,
        CancelWait,
        ListProcesses,
        ListPage,
        GetOutputs,
        GetReport,
        Describe,
        DaemonInfo,
        Reload,
        SignalRequest,
        NextTimer,
    }
)


class Supervision(LaunchFlows, ControlFlows, HostChanges, HostReports):
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
        self.out = out = Outgoing(urgent=_CONTROLS)
        self.placements = {}
        self.stored_placements = StoredPlacements(store)
        self.ran_on = RanOn(hosts)
        self.hosts = hosts
        self.registry = registry = Registry(hosts)
        # A daemon notes the statuses no host commits, for clients reading the store.
        self.notes = registry.notes = StatusNotes(store, enabled=hosts.distributed)
        self._writer = writer = ProcessWriter(store)
        self.control = control = Control(registry, store, me)
        self.waits = waits = Waits(registry)
        self.timers = timers = Timers(registry)
        signals = Signals(registry)
        self.launches = launches = Launches(registry, writer)
        self.recovery = recovery = Recovery(registry, control, launches)
        self.dependencies = Dependencies(registry, store)
        self.memo = MemoCache(registry, store)
        inspection = Inspection(registry, hosts, store)
        self.listing = listing = ListingIndex(registry.entries, registry.by_state)
        self.bulk, self.chunks = BulkControl(), BulkChunks()
        self._passivated = PassivatedControl(store) if passivate else None
        self._store = store
        self._restart_limit = restart_limit
        self._handlers = {
            HostEvents: self._host_events,
            StatusRequest: lambda m, s: inspection.status(m.pid, s, out),
            PauseRequest: self._control,
            PlayRequest: self._control,
            KillRequest: self._control,
            ResumeRequest: self._control,
            ControlMany: self._control_many,
            ControlAll: self._control_all,
            Launch: self._launch_instance,
            LaunchMany: lambda m, s: self.launch(list(m.processes), s, batch=True, instances=True),
            Run: self._run,
            LiveDescendants: lambda m, s: out.send(
                s,
                LiveDescendantsReply(
                    tuple(registry.live_descendants(m.pid)) if m.pid in registry else ()
                ),
            ),
            Submit: self._submit,
            SubmitMany: self._submit,
            WaitFor: lambda m, s: waits.wait_for(m, s, out),
            WaitForMany: lambda m, s: waits.wait_for_many(m, s, out),
            CancelWait: lambda m, s: waits.cancel(m.pid, m.request_id),
            ListProcesses: lambda m, s: inspection.list(s, out),
            ListPage: lambda m, s: out.send(s, listing.page(m)),
            GetOutputs: lambda m, s: inspection.outputs(m.pid, s, out),
            GetReport: lambda m, s: inspection.report(m.pid, s, out),
            Describe: lambda m, s: inspection.describe(m.pid, s, out),
            DaemonInfo: lambda m, s: inspection.daemon_status(s, out),
            Reload: lambda m, s: self._reload(m, s),
            SignalRequest: lambda m, s: signals.signal(m, s, out),
            NextTimer: lambda m, s: out.send(s, NextTimerReply(timers.next_in())),
        }
        assert set(self._handlers) == REQUESTS
        self._event_handlers = {
            StateChanged: self._state_changed,
            LongStep: self._long_step,
            Finished: lambda e: self.finished(e.status, e.result),
            Spawned: self._spawned,
            NestedEnded: lambda e: registry.nested_ended(e.status, e.result),
            Reply: lambda e: control.replied(e, out),
            Activated: self._activated,
            Passivated: lambda e: registry.passivated(e.pid, out),
            ActivationFailed: self._activation_failed,
            Barrier: lambda e: recovery.barrier_reached(e.token, out),
            HostReady: lambda e: hosts.ready(e.index, e.os_pid),
            Took: lambda e: out.took(e.index),
        }
        self._deadlines = {
            WaitDeadline: lambda payload: waits.deadline(payload, out),
            ManyWaitDeadline: lambda payload: waits.deadline(payload, out),
            BulkDeadline: lambda payload: self.bulk.deadline(payload, out),
            NextChunk: lambda payload: self.chunks.next_chunk(payload, self._control, out),
            TimersDue: lambda payload: timers.fire(payload, out),
            RetryFailure: self._retry_failure,
            GapCheck: self._gap_check,
        }
        self.event_order = EventOrder()

    def handle(self, message: Any, asker: Any) -> None:
        """A message of a type in :data:`REQUESTS` from ``asker`` (a client or a host)."""
        self._handlers[type(message)](message, asker)
        self._settle()

    def handle_events(self, events: Iterable[Any]) -> None:
        """What a host reports (or a cell run here for a passivated process), in order."""
        handlers = self._event_handlers
        for event in events:
            handlers[type(event)](event)

    def timer(self, payload: Any) -> None:
        """A timer this object asked for (``out.timers``) fired."""
        self._deadlines[type(payload)](payload)
        self._settle()

    def _settle(self) -> None:
        """Before the shell sends what a message produced: commit the controls applied
        to passivated processes (one fsync for all of them), then answer bulk requests."""
        if self._passivated is not None:
            self._passivated.commit()
        self.bulk.settle(self.out)
        self.listing.catch_up()  # the keys of what registered, for the next page
        self.ran_on.flush(self._store)  # (where processes run: one transaction)

    # ---- flows across parts ---------------------------------------------------------------

    def finished(self, status: ProcessStatus, result: ProcessResult) -> None:
        # A passivated parent that a kill is on its way to (a cascade kills children
        # first) is not activated to hear of this child: the kill ends it anyway, and
        # a restart delivers ended children's results again. Activating it cost every
        # tree of ``kill --all`` a host round trip and a durable kill record.
        parent = self.registry.get(status.parent) if status.parent else None
        quiet = (
            parent is not None
            and not parent.active
            and self.control.being_killed(
                status.parent  # type: ignore[arg-type]
            )
        )
        ending = self.registry.finished(status, result, self.out, tell_parent=not quiet)
        if ending is not None:
            self.notes.clear(ending.pid)
            self.carry_out(self.control.ended(ending))
            self.waits.ended(ending, self.out)
            self.memo.ended(ending.pid, ending.result)
            self.stored_placements.forget(ending.pid)
            self.ran_on.ended(ending.pid)
            self.decided(self.dependencies.ended(ending.pid))
            if self.registry.waiting():  # what it held may let a waiting one run
                self.registry.place_waiting(self.out)

    def fail(self, pid: str, reason: str) -> None:
        """End ``pid`` EXCEPTED on the runtime's own authority (its actor cannot)."""
        status, result = runtime_failure(self.registry[pid].status, reason)
        try:
            self._store.write(pid, record=status_record(status, result))
        except StoreError as error:  # a full disk: kept, shown blocked, tried again
            hold_failure(self.registry, self.out, pid, reason, error)
            return
        self.finished(status, result)
        self.launches.ended(pid, self.out)  # it exists now, EXCEPTED
        self.control.abandoned(pid, status, self.out)  # no host will answer these now

    def _retry_failure(self, retry: RetryFailure) -> None:
        entry = self.registry.get(retry.pid)
        if entry is not None and entry.result is None and not entry.active:
            self.fail(retry.pid, retry.reason)

    def ended_in_store(self, status: ProcessStatus, result: ProcessResult) -> None:
        """``status.pid`` ended in the store but its host died before it said so."""
        self.finished(status, result)
        self.launches.ended(status.pid, self.out)
        self.control.abandoned(status.pid, status, self.out)

    def _run(self, message: Run, asker: Any) -> None:
        """Launch and wait in one exchange: only the end (or a refusal) is answered."""
        pid = message.process.pid
        self.launch([message.process], Unanswered(asker), instances=True)
        if pid in self.registry:  # started (or already known): answered when it ends
            self.waits.wait_for(WaitFor(pid, message.request_id), asker, self.out)

    def _reload(self, message: Reload, asker: Any) -> None:
        placements = self.stored_placements.load() if self.hosts.distributed else {}
        self.carry_out(
            self.recovery.reload(
                self._store,
                message.resume,
                len(self.hosts),
                asker,
                self.out,
                self._reload_held,
                placements,
            )
        )
        if message.resume:
            self.timers.track_all(self.out)  # (passivated sleepers report nothing)
        self.listing.catch_up()
