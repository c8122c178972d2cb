"""The embedded runtime: a private in-process actor system, a supervisor and one host.

In Thespian's in-process base every actor runs in the caller's thread while the caller
is inside ``ask``: asking the supervisor to answer when a process has ended is what
drives the whole system. When the system goes idle before the answer comes, nothing in
it can ever produce one (every process left is paused or waiting on something that will
not happen), and ``ask`` returns None at once: :meth:`EmbeddedRuntime.wait` raises
``StuckError`` then instead of blocking forever.

The host runs steps in slices of up to ``EMBEDDED_SLICE_SECONDS`` (round-robin) and
never passivates: the caller's own process object stays the one that runs, so
``process.execute()`` leaves that very instance finished. ``run`` and ``launch_many``
are one request each (:mod:`prunus.actors._embedded_messages`): every actor message
costs Python work in this base, and they were most of a short process's cost.

Group commit, as the daemon promises it: on a home, every step is committed (LMDB,
no fsync) before the same process's next step, so a crash of this OS process (even
SIGKILL) re-runs only the step in progress. An fsync covers every commit before the
runtime answers its caller anything (a pid, a result, a control's answer: ``_ask``),
and the host fsyncs at least every ``EMBEDDED_SYNC_SECONDS`` while steps run. So a
power cut can re-run the steps of the last few milliseconds, never one whose effect
this runtime had reported (on a filesystem that keeps write order; ``PRUNUS_SYNC=commit``
fsyncs every commit instead: :mod:`prunus.persistence._sync_policy`).
:func:`open_embedded_runtime` owns the wiring: the store (and the home's lock), the
actor system, the supervisor's configuration and the reload of stored processes.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from typing import Any

from prunus import errors
from prunus.actors._embedded_messages import (
    LaunchMany,
    LiveDescendants,
    LiveDescendantsReply,
    Run,
)
from prunus.actors._host import EMBEDDED_SLICE_SECONDS
from prunus.actors._messages import (
    CancelWait,
    Configure,
    ErrorReply,
    Launch,
    Launched,
    LaunchedMany,
    Reload,
    Reloaded,
    WaitFor,
    WaitForMany,
    WaitResult,
    WaitResults,
    WaitTimedOut,
)
from prunus.actors._queries import RuntimeQueries
from prunus.actors._runtime_protocol import LaunchItem
from prunus.actors._supervisor import Supervisor
from prunus.actors._thespian import open_embedded_system
from prunus.actors._waiting_messages import NextTimer, NextTimerReply
from prunus.engine import (
    Process,
    ProcessDriver,
    ProcessResult,
    ProcessState,
    new_process,
    resolve_process_class,
)
from prunus.persistence import HomeLock, LmdbStore, MemoryStore, every_commit_synced

__all__ = ["EmbeddedRuntime", "open_embedded_runtime", "raise_error_reply"]


def open_embedded_runtime(
    home: str | os.PathLike[str] | None = None,
    *,
    store: Any = None,
    resume: bool = True,
) -> EmbeddedRuntime:
    """An embedded runtime on ``home`` (LMDB, held with the home's lock), on ``store``,
    or in memory, with every stored process registered and (``resume``) the unfinished
    ones resumed.

    Raises:
        StoreError: the home cannot be opened, or another runtime is using it.
    """
    lock: HomeLock | None = None
    if store is None and home is not None:
        # Group commit (see the module docstring) unless PRUNUS_SYNC=commit.
        store = LmdbStore(home, sync=every_commit_synced())
        try:
            lock = HomeLock(store.home)
        except errors.StoreError:
            store.close()
            raise
    runtime = EmbeddedRuntime(store if store is not None else MemoryStore(), lock)
    try:
        runtime.reload(resume)
    except BaseException:
        runtime.close()
        raise
    return runtime


class EmbeddedRuntime(RuntimeQueries):
    """Owns one in-process actor system, its store and the home lock; not thread-safe
    (use it from one thread). Made by :func:`open_embedded_runtime`."""

    is_remote = False

    def __init__(self, store: Any, lock: HomeLock | None = None) -> None:
        self._store, self._lock = store, lock
        self._store_sync = getattr(store, "flush", None)  # None: nothing to make durable
        self._system = open_embedded_system()
        self._supervisor = self._system.createActor(Supervisor)
        self._closed = False
        self._request_ids = itertools.count(1)
        self._ask(Configure(store=store, slice_seconds=EMBEDDED_SLICE_SECONDS))

    def reload(self, resume: bool = True) -> Reloaded:
        """Register every process in the store and (``resume``) resume the unfinished."""
        reply = self._ask(Reload(resume))
        assert isinstance(reply, Reloaded)
        return reply

    def launch(
        self,
        process: Process | str,
        inputs: Mapping[str, Any] | None = None,
        when: list[Any] | None = None,
        cache: Any = True,
        *,
        placement: dict[str, int | str] | None = None,
        key: str | None = None,
    ) -> str:
        # (no members here: a placement, like a class's requirements, does not apply)
        return self._launch(_prepared(process, inputs, when, cache), True, key or "")

    def launch_many(self, launches: Sequence[LaunchItem], *, key: str | None = None) -> list[str]:
        # (a placement, item[4], does not apply here: see launch)
        instances = [_prepared(item[0], item[1], *item[2:4]) for item in launches]
        if key:  # (one Launch each: a batch's key is kept per item, as KEY#INDEX)
            keys = [f"{key}#{index}" for index in range(len(instances))]
            pids = [self._launch(i, False, k) for i, k in zip(instances, keys, strict=True)]
            self._sync()  # one fsync for them all, before any pid is answered
            return pids
        if not instances:
            return []
        # One request: their first checkpoints share one commit and one fsync.
        reply = self._ask(LaunchMany(tuple(instances)))
        assert isinstance(reply, LaunchedMany)
        return list(reply.pids)

    def run(
        self, process: Process | str, inputs: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        instance = _prepared(process, inputs)
        # Launch and wait in one exchange; the pid is never answered: one fsync, when
        # the result is.
        request_id = next(self._request_ids)
        reply = self._ask(Run(instance, request_id))
        result = self._waited(instance.pid, request_id, None, reply)
        if instance.state is ProcessState.CREATED:
            # A memo hit (or a duplicate that waited for one): this instance never ran;
            # the runtime's result is the answer.
            if result.state is ProcessState.FINISHED:
                return dict(result)
            if result.state is ProcessState.KILLED:
                raise errors.KilledError(result.status or f"process {result.pid} was killed")
            raise errors.ProcessFailedError(f"process {result.pid} excepted: {result.exception}")
        return _outputs_or_raise(instance)

    def _launch(self, instance: Process, answered: bool, key: str = "") -> str:
        reply = self._ask(Launch(instance, key), answered=answered)
        assert isinstance(reply, Launched)
        return reply.pid

    def wait(self, pid: str, timeout: float | None = None) -> ProcessResult:
        """The result of ``pid`` once it ends.

        Raises:
            WaitTimeoutError: ``timeout`` seconds passed, measured between steps.
            StuckError: it can never end in this system (see the module docstring).
        """
        request_id = next(self._request_ids)
        return self._waited(pid, request_id, timeout, self._ask(WaitFor(pid, request_id, timeout)))

    def _waited(
        self, pid: str, request_id: int, timeout: float | None, reply: Any
    ) -> ProcessResult:
        """The result from the answer to a wait for ``pid`` (a WaitFor or a Run), once
        it comes: None means the system went idle first (see :meth:`wait`)."""
        idle = False  # a fresh wait found nothing left to run, and there is no timer
        while reply is None:
            # Idle: only a process timer (self.sleep) can move things on. Sleep until
            # it fires (inside listen: Thespian runs due wake-ups there), then look
            # again. Asking runs what the timer started, so this wait's answer may come
            # before the NextTimer answer.
            reply = self._system.ask(self._supervisor, NextTimer())
            while isinstance(reply, (WaitResult, WaitTimedOut)) and reply.request_id != request_id:
                reply = self._system.listen()
            if not isinstance(reply, NextTimerReply):
                break  # this wait's answer
            if reply.seconds is not None:
                idle = False
                self._sync()  # idle until a timer: every step durable and readable
                reply = self._listen_for(request_id, reply.seconds + 0.01)
                continue
            if idle:
                reply = None
                break
            # No timer left, but an ask returns at its answer, not when the system is
            # idle: a fresh wait is answered at once if the process ended meanwhile,
            # and with None only when nothing is left to run.
            self._system.tell(self._supervisor, CancelWait(pid, request_id))
            request_id = next(self._request_ids)
            reply = self._ask(WaitFor(pid, request_id, timeout))
            idle = True
        if reply is None:
            self._system.tell(self._supervisor, CancelWait(pid, request_id))
            status = self.status(pid)
            why = "paused" if status.paused else status.state.name
            advice = "play it or kill it" if status.paused else "resume it or kill it"
            raise errors.StuckError(
                f"process {pid} cannot make progress: it is {why} and nothing in this "
                f"runtime will advance it ({advice})"
            )
        if isinstance(reply, WaitTimedOut):
            raise errors.WaitTimeoutError(f"process {pid} did not end within {timeout} s")
        return reply.result

    def _listen_for(self, request_id: int, seconds: float) -> Any:
        """The answer to wait ``request_id`` if it comes within ``seconds`` (timers
        fire meanwhile), else None; late answers to older waits are dropped."""
        reply = self._system.listen(seconds)
        while isinstance(reply, (WaitResult, WaitTimedOut)) and reply.request_id != request_id:
            reply = self._system.listen(seconds)
        if isinstance(reply, ErrorReply):
            raise_error_reply(reply)
        return reply

    def wait_many(self, pids: Sequence[str], timeout: float | None = None) -> list[ProcessResult]:
        """Results of every pid, asked at once: answered (and fsynced) once, when the
        last one ends, not once per pid."""
        reply = self._ask(WaitForMany(tuple(pids), next(self._request_ids), timeout))
        if reply is None:  # some can never end: name the first (and clear it up) as wait does
            return [self.wait(pid, timeout) for pid in pids]
        if isinstance(reply, WaitTimedOut):
            raise errors.WaitTimeoutError(f"process {reply.pid} did not end within {timeout} s")
        return list(reply.results)

    def live_descendants(self, pid: str) -> list[str]:
        """The descendants of ``pid`` that have not ended, deepest first."""
        reply = self._ask(LiveDescendants(pid), answered=False)
        assert isinstance(reply, LiveDescendantsReply)
        return list(reply.pids)

    def close(self) -> None:
        """Shut the actor system down, close the store, release the home."""
        if not self._closed:
            self._closed = True
            self._system.shutdown()
            self._store.close()
            if self._lock is not None:
                self._lock.release()

    def _sync(self) -> None:
        if self._store_sync is not None:
            self._store_sync()

    def _ask(self, message: Any, answered: bool = True) -> Any:
        """Ask the supervisor (this runs the actors); with ``answered``, the reply goes
        to the caller, so everything committed so far is fsynced first."""
        if self._closed:
            raise errors.ClosedError("this runtime is closed")
        reply = self._system.ask(self._supervisor, message)
        # Invariant: only waits can be answered late (after a Stuck or a timeout); such
        # answers carry a request id that is not the current one and are dropped.
        while isinstance(
            reply, (WaitResult, WaitResults, WaitTimedOut)
        ) and reply.request_id != getattr(message, "request_id", None):
            reply = self._system.listen()
        if answered:
            self._sync()
        if isinstance(reply, ErrorReply):
            raise_error_reply(reply)
        write_error = getattr(self._store, "write_error", None)
        if reply is None and write_error is not None:
            # Nothing moves because the host holds on a full disk (see _host.py): say
            # why rather than report the processes stuck.
            raise errors.StoreError(str(write_error), disk_full=write_error.disk_full)
        return reply


def _prepared(
    process: Process | str, inputs: Mapping[str, Any] | None, when: Any = None, cache: Any = True
) -> Process:
    """The instance to launch, with its launch condition and cache mode."""
    instance = _instance(process, inputs)
    driver = ProcessDriver(instance)
    driver.launch_condition, driver.cache_mode = when, cache
    return instance


def _instance(process: Process | str, inputs: Mapping[str, Any] | None) -> Process:
    """The process to host: the instance itself, or one built here from a class path."""
    if isinstance(process, Process):
        return process
    try:
        process_class = resolve_process_class(process)
    except errors.CheckpointError as error:
        raise errors.ProcessClassError(str(error)) from None
    return new_process(process_class, dict(inputs or {}))


def _outputs_or_raise(process: Process) -> dict[str, Any]:
    """The outputs of an ended process, or the very error that ended it."""
    if process.state is ProcessState.FINISHED:
        return process.outputs
    if process.state is ProcessState.KILLED:
        raise errors.KilledError(process.status or f"process {process.pid} was killed")
    process.result()  # re-raises the error of an EXCEPTED process
    raise AssertionError("unreachable: a process that ended is FINISHED, KILLED or EXCEPTED")


def raise_error_reply(reply: ErrorReply) -> None:
    """Raise the prunus error an ErrorReply names (PrunusError for unknown kinds)."""
    error_type = getattr(errors, reply.kind, None)
    if not (isinstance(error_type, type) and issubclass(error_type, errors.PrunusError)):
        error_type = errors.PrunusError
    if error_type is errors.UnknownProcessError:
        raise errors.UnknownProcessError(reply.pid)
    if error_type is errors.PortValidationError:
        raise errors.PortValidationError(reply.message, reply.port_path)
    raise error_type(reply.message)
