"""The Python client: launch, wait for, inspect and control processes.

``Client()`` runs an embedded runtime in this thread: calls that wait (``wait``, ``run``)
drive the actor system until their answer is ready. ``Client.connect(...)`` talks to a
running daemon instead, from any OS process, with the same methods.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from prunus.actors import (
    EmbeddedRuntime,
    KillRequest,
    PauseRequest,
    PlayRequest,
    RemoteRuntime,
    StatusRequest,
    Stuck,
)
from prunus.control._daemon_files import daemon_address
from prunus.engine import (
    Process,
    ProcessResult,
    ProcessState,
    ProcessStatus,
    launch_inputs,
    resolve_process_class,
)
from prunus.errors import (
    CheckpointError,
    KilledError,
    ProcessClassError,
    ProcessFailedError,
    StoreError,
    StuckError,
)
from prunus.persistence import HomeLock, LmdbStore, MemoryStore

__all__ = ["Client", "execute", "outputs_or_raise"]


class Client:
    """Submit processes and control them by pid.

    Args:
        home: a runtime home directory: every process is checkpointed there (LMDB)
            after every step, and a new ``Client(home)`` resumes every process that
            had not ended. Without it, checkpoints are kept in memory only.
        store: a store object to use instead (tests, embedding).
        resume: False leaves the home's unfinished processes as they are stored (for
            tools that only look): they move only if a control message reaches them.

    Raises:
        StoreError: the home cannot be opened (one line naming the path and why), or
            another runtime is using it (one runtime per home).
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        store: Any = None,
        resume: bool = True,
    ) -> None:
        self._lock: HomeLock | None = None
        if store is None and home is not None:
            store = LmdbStore(home)
            try:
                self._lock = HomeLock(store.home)
            except StoreError:
                store.close()
                raise
        self._store = store if store is not None else MemoryStore()
        self._runtime: Any = EmbeddedRuntime(self._store)
        self._runtime.reload(resume)

    @classmethod
    def connect(
        cls,
        home: str | os.PathLike[str] | None = None,
        *,
        address: str | int | None = None,
        timeout: float = 10.0,
    ) -> Client:
        """A client of the daemon running on ``home`` (default: $PRUNUS_HOME, then
        ./.prunus) or listening at ``address`` (``"127.0.0.1:PORT"`` or a port).

        Process classes are imported by the daemon from their module path. Every call
        but ``wait`` gives up after ``timeout`` seconds.

        Raises:
            DaemonError: no daemon runs there (one line saying where it looked).
        """
        port, where = daemon_address(home, address)
        client = cls.__new__(cls)
        client._lock, client._store = None, None
        client._runtime = RemoteRuntime(port, timeout=timeout, where=where)
        return client

    @property
    def is_remote(self) -> bool:
        """True for a client of a daemon (``Client.connect``)."""
        return isinstance(self._runtime, RemoteRuntime)

    # ---- launching ----------------------------------------------------------------

    def submit(
        self,
        process: type[Process] | Process | str,
        inputs: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> str:
        """Start a process and return its pid; its inputs are validated here.

        ``process`` is a Process class (``inputs`` and keyword arguments are its
        inputs), an already constructed instance, or ``"module:Class"``.

        Raises:
            PortValidationError: an input does not fit the spec; nothing is started.
            ProcessClassError: the class cannot be imported (by the daemon, if remote).
        """
        if isinstance(process, str) and self.is_remote:
            # The daemon imports it; it need not be importable here.
            return self._runtime.launch(process, {**(inputs or {}), **kwargs})
        return self._runtime.launch(_instance(process, inputs, kwargs))

    def submit_many(
        self,
        launches: Iterable[tuple[type[Process] | str, Mapping[str, Any] | None]],
    ) -> list[str]:
        """Start many processes, ``(class or "module:Class", inputs)`` each, and return
        their pids in order. Every one is validated before any starts; with a daemon
        they travel in one message and share commits, which is much faster than a
        ``submit`` each.

        Raises:
            PortValidationError, ProcessClassError: as ``submit``; nothing is started.
        """
        items = list(launches)
        if self.is_remote:
            prepared: list[tuple[Process | str, dict[str, Any] | None]] = [
                (process, dict(inputs or {}))
                if isinstance(process, str)
                else (_instance(process, inputs, {}), None)
                for process, inputs in items
            ]
            return self._runtime.launch_many(prepared)
        instances = [_instance(process, inputs, {}) for process, inputs in items]
        return [self._runtime.launch(instance) for instance in instances]

    def run(
        self,
        process: type[Process] | Process | str,
        inputs: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Submit, wait, and return the outputs; raises as ``Process.execute`` does
        (from a daemon: ProcessFailedError with the error's text for EXCEPTED)."""
        if self.is_remote:
            return _outputs_of_result(self.wait(self.submit(process, inputs, **kwargs)))
        instance = _instance(process, inputs, kwargs)
        self.wait(self._runtime.launch(instance))
        return outputs_or_raise(instance)

    def wait(self, pid: str, timeout: float | None = None) -> ProcessResult:
        """Block until ``pid`` ends and return its result (also for KILLED or EXCEPTED).

        Raises:
            WaitTimeoutError: it did not end within ``timeout`` seconds, or (embedded)
                it can never end because it is paused or waits on nothing that will come.
            UnknownProcessError: no such pid.
        """
        answer = self._runtime.wait(pid, timeout)
        if isinstance(answer, Stuck):
            status = self.status(pid)
            why = "paused" if status.paused else status.state.name
            raise StuckError(
                f"process {pid} cannot make progress: it is {why} and nothing in this "
                "runtime will advance it (play it, resume it or kill it)"
            )
        return answer

    def wait_many(self, pids: Iterable[str], timeout: float | None = None) -> list[ProcessResult]:
        """``wait`` for every pid (with a daemon: all asked at once), results in order.

        Raises:
            WaitTimeoutError, UnknownProcessError: as ``wait``.
        """
        pids = list(pids)
        if self.is_remote:
            return self._runtime.wait_many(pids, timeout)
        return [self.wait(pid, timeout) for pid in pids]

    # ---- looking and controlling ------------------------------------------------------

    def status(self, pid: str) -> ProcessStatus:
        """State, pause flag, status message, current step and children of ``pid``."""
        return self._runtime.control(StatusRequest(pid)).status

    def pause(self, pid: str, *, cascade: bool = True) -> bool:
        """Pause ``pid`` (and its descendants) before its next step; False if it ended."""
        return self._runtime.control(PauseRequest(pid, cascade=cascade)).ok

    def play(self, pid: str, *, cascade: bool = True) -> bool:
        """Let a paused process (and its descendants) take steps again."""
        return self._runtime.control(PlayRequest(pid, cascade=cascade)).ok

    def kill(self, pid: str, msg: str | None = None) -> bool:
        """Kill ``pid`` after killing its live descendants; False if it had already ended."""
        return self._runtime.control(KillRequest(pid, msg)).ok

    def list(self) -> list[ProcessStatus]:
        """Every process this runtime knows, in launch order."""
        return list(self._runtime.list())

    def outputs(self, pid: str) -> dict[str, Any]:
        """The outputs ``pid`` has emitted so far (all of them once it has ended)."""
        return self._runtime.outputs(pid)

    def describe(self, pid: str) -> dict[str, Any]:
        """Everything stored about ``pid`` as plain data: ``pid``, ``process_class``,
        ``state`` (a name), ``paused``, ``status``, ``step``, ``parent``, ``children``,
        ``created`` and ``modified`` (unix times), ``inputs``, ``outputs`` (once ended),
        ``exit_code`` ([status, message] or None), ``exception`` and ``restarts``."""
        return self._runtime.describe(pid)

    def report(self, pid: str, *, times: bool = False) -> list[Any]:
        """The lines ``pid`` logged with ``self.report``, oldest first (with
        ``times=True``: ``(unix time, line)`` pairs)."""
        lines = self._runtime.report(pid)
        return lines if times else [line for _, line in lines]

    # ---- lifetime -------------------------------------------------------------------

    def close(self) -> None:
        self._runtime.close()
        if self._store is not None:
            self._store.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _instance(
    process: type[Process] | Process | str,
    inputs: Mapping[str, Any] | None,
    kwargs: dict[str, Any],
) -> Process:
    if isinstance(process, Process):
        if inputs or kwargs:
            raise TypeError("inputs go to the constructor when submitting an instance")
        return process
    if isinstance(process, str):
        try:
            process = resolve_process_class(process)
        except CheckpointError as error:
            raise ProcessClassError(str(error)) from None
    return process(inputs=launch_inputs(process, inputs, kwargs))


def _outputs_of_result(result: ProcessResult) -> dict[str, Any]:
    """What ``run`` returns or raises for a process that ended in a daemon."""
    if result.state is ProcessState.FINISHED:
        return result.outputs
    if result.state is ProcessState.KILLED:
        raise KilledError(result.status or f"process {result.pid} was killed")
    raise ProcessFailedError(f"process {result.pid} excepted: {result.exception}")


def outputs_or_raise(process: Process) -> dict[str, Any]:
    """The outputs of an ended process, or the error that ended it."""
    if process.state is ProcessState.FINISHED:
        return process.outputs
    if process.state is ProcessState.KILLED:
        raise KilledError(process.status or f"process {process.pid} was killed")
    process.result()  # re-raises the error of an EXCEPTED process
    raise AssertionError("unreachable: a process that ended is FINISHED, KILLED or EXCEPTED")


def execute(process: Process) -> dict[str, Any]:
    """Run ``process`` to its end on a private embedded runtime; see ``Process.execute``."""
    with Client() as client:
        return client.run(process)
