"""The one interface every runtime offers: what ``prunus.Client`` holds and calls.

Two runtimes implement it in full: :class:`~prunus.actors.EmbeddedRuntime` (a private
in-process actor system in the caller's thread; ``open_embedded_runtime``) and
:class:`~prunus.actors.RemoteRuntime` (a connection to a daemon's supervisor;
``open_remote_runtime``). Each is opened by its factory, which owns its wiring (store,
home lock, actor system, reload): a runtime is ready to use when the factory returns
and has no set-up steps of its own. The client above it has no mode branches; the few
places where the modes must differ are methods here (``launch`` of a class path,
``run``'s errors, ``is_remote``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from prunus.actors._listing import ListQuery, ProcessPage
from prunus.actors._messages import DaemonStatus
from prunus.engine import Process, ProcessResult, ProcessStatus

__all__ = ["LaunchItem", "Runtime"]

#: What ``launch`` takes: a constructed (validated) Process with no inputs beside it,
#: or a ``"module:Class"`` path with its inputs (imported where the process runs), and
#: optionally its ``when=`` condition as plain data (``Condition.to_data()``), its
#: ``cache=`` option and its ``placement=`` (None: its class's requirements).
LaunchItem = (
    tuple["Process | str", "Mapping[str, Any] | None"]
    | tuple["Process | str", "Mapping[str, Any] | None", "list[Any] | None"]
    | tuple["Process | str", "Mapping[str, Any] | None", "list[Any] | None", Any]
    | tuple["Process | str", "Mapping[str, Any] | None", "list[Any] | None", Any, Any]
)


@runtime_checkable
class Runtime(Protocol):
    """Launch, wait for, inspect and control processes by pid.

    Every method may raise ``ClosedError`` once :meth:`close` was called; a remote
    runtime raises ``DaemonError`` (or ``DaemonTimeoutError``) when its daemon is gone
    or does not answer in time.
    """

    @property
    def is_remote(self) -> bool:
        """True when processes run in another OS process (a daemon) and move on their
        own; False when they move only while this runtime is being called (embedded)."""
        ...

    # ---- launching and waiting ------------------------------------------------------

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
        """Start a process and return its pid once its first checkpoint is stored.
        ``key``: an idempotency key; a launch with a key already answered (here or by
        an earlier run on the same home) returns that pid and starts nothing.
        With ``when`` (a condition's plain data) it is stored at once and held until
        the condition holds (ended KILLED, ``cancelled: ...``, if it never can).
        ``cache`` (a cacheable class): True reuses a finished run with the same key,
        False neither uses nor fills the cache, "refresh" runs and replaces it.
        ``placement``: where among a daemon's members it may run (replaces the class's
        ``spec.requires``).

        Raises:
            ConditionError: ``when`` names a process this runtime does not know.
            PortValidationError: ``inputs`` do not fit the class's spec.
            ProcessClassError: a class path cannot be imported where processes run.
        """
        ...

    def launch_many(self, launches: Sequence[LaunchItem], *, key: str | None = None) -> list[str]:
        """Start every ``(process, inputs)`` (as :meth:`launch`); pids in order. All are
        validated before any starts. ``key``: as :meth:`launch`'s, for the batch."""
        ...

    def wait(self, pid: str, timeout: float | None = None) -> ProcessResult:
        """The result of ``pid`` once it has ended (also KILLED or EXCEPTED).

        Raises:
            WaitTimeoutError: it did not end within ``timeout`` seconds.
            StuckError: (embedded) it can never end: it is paused, or waits on nothing
                this runtime will produce.
            UnknownProcessError: no such pid.
        """
        ...

    def wait_many(self, pids: Sequence[str], timeout: float | None = None) -> list[ProcessResult]:
        """:meth:`wait` for every pid, results in order."""
        ...

    def run(
        self, process: Process | str, inputs: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Launch, wait, and return the outputs.

        Raises:
            KilledError: the process ended KILLED.
            Exception: embedded, the very error that made it EXCEPTED; from a daemon,
                that error rebuilt (``ProcessResult.error()``).
        """
        ...

    # ---- looking ----------------------------------------------------------------------

    def status(self, pid: str) -> ProcessStatus:
        """State, pause flag, status message, step and children of ``pid``."""
        ...

    def list(self) -> Sequence[ProcessStatus]:
        """Every process this runtime knows, in launch order."""
        ...

    def list_page(
        self, query: ListQuery, after: tuple[float, str] | None = None, limit: int = 1000
    ) -> ProcessPage:
        """Up to ``limit`` processes passing ``query``, oldest first, after the cursor
        ``after`` (a page's ``next``); filtered where the registry is."""
        ...

    def describe(self, pid: str) -> dict[str, Any]:
        """Everything stored about ``pid``, as plain data (see ``Client.describe``)."""
        ...

    def outputs(self, pid: str) -> dict[str, Any]:
        """The outputs ``pid`` has emitted so far (all of them once it has ended)."""
        ...

    def report(self, pid: str) -> list[tuple[float, str]]:
        """The ``(unix time, line)`` pairs ``pid`` logged, oldest first."""
        ...

    def info(self) -> DaemonStatus:
        """Counts of the runtime as a whole: hosts and their OS pids (embedded: one,
        this OS process), processes active in them, processes per state, paused ones."""
        ...

    # ---- controlling ------------------------------------------------------------------

    def pause(self, pid: str, *, cascade: bool = True) -> bool:
        """Pause ``pid`` (and, with ``cascade``, its live descendants) before its next
        step; False if it had already ended."""
        ...

    def play(self, pid: str, *, cascade: bool = True) -> bool:
        """Undo :meth:`pause`; False if it had already ended."""
        ...

    def kill(self, pid: str, msg: str | None = None) -> bool:
        """Kill ``pid`` after its live descendants; False if it had already ended."""
        ...

    def resume(self, pid: str) -> bool:
        """Wake ``pid`` from a plain ``Wait``; False, changing nothing, if it is not
        WAITING or waits for its children (it resumes by itself when they end)."""
        ...

    def pause_many(
        self, pids: Sequence[str], *, cascade: bool = True, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """:meth:`pause` for every pid in one request, answered once: per pid, whether
        it applied, or None if not answered within ``timeout`` (the pause stands).
        Unknown pids are left out."""
        ...

    def play_many(
        self, pids: Sequence[str], *, cascade: bool = True, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """:meth:`play` for every pid in one request (as :meth:`pause_many`)."""
        ...

    def kill_many(
        self, pids: Sequence[str], msg: str | None = None, *, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """:meth:`kill` for every pid in one request (as :meth:`pause_many`)."""
        ...

    def control_all(
        self,
        action: str,
        *,
        msg: str | None = None,
        cascade: bool = True,
        timeout: float | None = None,
    ) -> dict[str, bool | None]:
        """``action`` ("pause", "play" or "kill") for every process that has not ended,
        in one request: the runtime picks the pids (only tops of trees when the action
        cascades). The outcome of each pid it picked, as :meth:`pause_many`."""
        ...

    def signal(self, pid: str, name: str, payload: bytes) -> ProcessStatus:
        """Deliver the signal ``name`` (``payload`` codec-encoded) to ``pid``; answered
        once it is stored with the process. Raises UnknownProcessError, or
        InvalidStateError if the process has ended."""
        ...

    # ---- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Release what the factory opened (embedded: the actor system, the store, the
        home lock; remote: the connection, never the daemon). Idempotent."""
        ...
