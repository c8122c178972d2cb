"""The message protocol between clients, the supervisor and host actors.

Every message is a small frozen value; in daemon mode they cross OS processes (Thespian
pickles them over loopback TCP), so they hold plain data, never live objects, except
the fields documented as embedded-only.

Routing is by pid, never by actor address: a process's host can change when a host
dies, its pid never does. Clients talk only to the supervisor. The supervisor talks to
hosts in :class:`Deliver` batches and hosts answer in :class:`HostEvents` batches: the
TCP transport carries one message at a time per target, so many process events travel
in one Thespian message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prunus.engine import ProcessResult, ProcessStatus

__all__ = [
    "Activate",
    "Activated",
    "ActivationFailed",
    "Barrier",
    "CancelWait",
    "ChildFinished",
    "Configure",
    "ControlReply",
    "DaemonInfo",
    "DaemonStatus",
    "Deliver",
    "Describe",
    "Description",
    "ErrorReply",
    "Finished",
    "GetOutputs",
    "GetReport",
    "HostConfig",
    "HostEvents",
    "HostReady",
    "KillRequest",
    "Launch",
    "Launched",
    "LaunchedMany",
    "ListProcesses",
    "Outputs",
    "Passivated",
    "PauseRequest",
    "PlayRequest",
    "ProcessList",
    "Reload",
    "Reloaded",
    "Reply",
    "Report",
    "Spawned",
    "StateChanged",
    "StatusRequest",
    "Step",
    "Stuck",
    "Submit",
    "SubmitMany",
    "Tick",
    "WaitFor",
    "WaitForMany",
    "WaitResult",
    "WaitResults",
    "WaitTimedOut",
]

# ---- set-up ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Configure:
    """Runtime -> supervisor, once: where processes are stored and how they are hosted.

    Attributes:
        store: embedded only: the store object every actor shares (same OS process).
        home: daemon: the LMDB home each actor opens in its own OS process.
        workers: how many host actors run processes.
        passivate: release a WAITING process from its host until a message arrives.
        restart_limit: how often a process may be restarted after its host died mid-way.
        slice_seconds: how long a host runs steps before it reads its mailbox again
            (0: one step at a time, as the embedded runtime does).
    """

    store: Any = None
    home: str | None = None
    workers: int = 1
    passivate: bool = False
    restart_limit: int = 3
    slice_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class HostConfig:
    """Supervisor -> new host actor: its index and how to reach the store."""

    index: int
    store: Any
    home: str | None
    passivate: bool
    slice_seconds: float
    echo: Any = None  # daemon: the actor that bounces a host's Ticks back (see _host)


@dataclass(frozen=True, slots=True)
class Reload:
    """Runtime -> supervisor, once at start: register what the store holds and, with
    ``resume``, re-activate every unfinished process (else they stay as stored until a
    control message reaches them: for tools that only look)."""

    resume: bool = True


@dataclass(frozen=True, slots=True)
class Reloaded:
    """How many stored processes were resumed, and how many could not be."""

    resumed: int
    failed: int


# ---- launching ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Launch:
    """Embedded client -> supervisor: host this process instance (the caller's object)."""

    process: Any


@dataclass(frozen=True, slots=True)
class Submit:
    """Remote client -> supervisor: import ``process_class`` (``module:Qual.Name``) and
    start it with ``inputs`` (codec-encoded bytes). Errors come back as ErrorReply."""

    process_class: str
    inputs: bytes


@dataclass(frozen=True, slots=True)
class SubmitMany:
    """Remote client -> supervisor: many Submits in one message, validated all before
    any starts; answered with LaunchedMany once every one is committed."""

    items: tuple[Submit, ...]


@dataclass(frozen=True, slots=True)
class Launched:
    pid: str


@dataclass(frozen=True, slots=True)
class LaunchedMany:
    pids: tuple[str, ...]


# ---- supervisor <-> hosts ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deliver:
    """Supervisor -> host: ``(pid, message)`` pairs, in the order they must be handled."""

    items: tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Activate:
    """(In a Deliver) host this pid: load its checkpoint, or take ``process`` (embedded
    only: the very instance the client or the parent's step created).

    ``first_write``: a newly submitted process's record and first checkpoint, already
    encoded (a StagedWrite); the host commits it in its next group commit and loads
    the process from it.
    """

    process: Any = None
    first_write: Any = None


@dataclass(frozen=True, slots=True)
class Barrier:
    """(In a Deliver) answer with this same Barrier once everything delivered before it
    is handled: how the supervisor knows a reload's activations have all happened."""

    token: int


@dataclass(frozen=True, slots=True)
class Tick:
    """Host -> itself: run a slice of queued steps, then read the mailbox again."""


@dataclass(frozen=True, slots=True)
class Step:
    """The next step of one process (handled by its cell)."""


@dataclass(frozen=True, slots=True)
class HostEvents:
    """Host -> supervisor: what happened in one slice, in order, after it was committed."""

    events: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class HostReady:
    """A host is configured; ``os_pid`` is its OS process (for status and tests)."""

    index: int
    os_pid: int


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The process's state, pause flag or status changed."""

    status: ProcessStatus


@dataclass(frozen=True, slots=True)
class Finished:
    """The process reached a terminal state."""

    status: ProcessStatus
    result: ProcessResult


@dataclass(frozen=True, slots=True)
class Spawned:
    """A step launched a child; its first checkpoint is committed already.
    ``process`` is the child instance in embedded mode, None across OS processes."""

    status: ProcessStatus
    process: Any = None


@dataclass(frozen=True, slots=True)
class Reply:
    """Answer ``message`` to ``to``; sent through the supervisor so that its registry
    is up to date before the asker hears anything."""

    to: Any
    message: Any


@dataclass(frozen=True, slots=True)
class Activated:
    pid: str


@dataclass(frozen=True, slots=True)
class Passivated:
    """The host released the process; its checkpoint holds everything."""

    pid: str


@dataclass(frozen=True, slots=True)
class ActivationFailed:
    """The process could not be loaded (corrupt checkpoint, class gone): one line why."""

    pid: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChildFinished:
    """(In a Deliver) one of the process's children ended."""

    pid: str
    result: ProcessResult


# ---- control -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PauseRequest:
    """Pause ``pid`` (and, with ``cascade``, its live descendants) before its next step.

    ``reply_to`` is whom the answer goes to; the supervisor fills it in (a control the
    supervisor cascades to a descendant is answered to the supervisor itself)."""

    pid: str
    reply_to: Any = None
    cascade: bool = True


@dataclass(frozen=True, slots=True)
class PlayRequest:
    """Let ``pid`` (and, with ``cascade``, its live descendants) take steps again."""

    pid: str
    reply_to: Any = None
    cascade: bool = True


@dataclass(frozen=True, slots=True)
class KillRequest:
    """Kill ``pid`` after its live descendants; ``message`` is the reason it ends with.
    (The actor message: the engine's command a step returns is :class:`prunus.Kill`.)"""

    pid: str
    message: str | None = None
    reply_to: Any = None


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """Ask for ``pid``'s status; answered from the supervisor's registry."""

    pid: str
    reply_to: Any = None


@dataclass(frozen=True, slots=True)
class ControlReply:
    """Answer to a pause, play, kill or status request: whether it applied, and the status after."""

    pid: str
    ok: bool
    status: ProcessStatus


# ---- waiting -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaitFor:
    """Client -> supervisor: answer with a WaitResult once ``pid`` has ended.

    ``request_id`` ties the answer to this request: an answer to a wait the client gave
    up on arrives on a later ask and must be recognised as stale.
    """

    pid: str
    request_id: int
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class WaitResult:
    request_id: int
    result: ProcessResult


@dataclass(frozen=True, slots=True)
class WaitForMany:
    """Client -> supervisor: one WaitResults once every pid has ended (or WaitTimedOut
    naming one that had not, after ``timeout``)."""

    pids: tuple[str, ...]
    request_id: int
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class WaitResults:
    request_id: int
    results: tuple[ProcessResult, ...]


@dataclass(frozen=True, slots=True)
class WaitTimedOut:
    pid: str
    request_id: int


@dataclass(frozen=True, slots=True)
class CancelWait:
    """Client -> supervisor: forget the wait ``request_id`` (the client gave up on it)."""

    pid: str
    request_id: int


@dataclass(frozen=True, slots=True)
class Stuck:
    """Client-side: the embedded system went idle while ``pid`` had not ended."""

    pid: str


# ---- reading -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListProcesses:
    pass


@dataclass(frozen=True, slots=True)
class ProcessList:
    statuses: tuple[ProcessStatus, ...]


@dataclass(frozen=True, slots=True)
class GetOutputs:
    pid: str


@dataclass(frozen=True, slots=True)
class Outputs:
    pid: str
    outputs: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Describe:
    pid: str


@dataclass(frozen=True, slots=True)
class Description:
    """Everything stored about a process, as plain data (see ``Client.describe``)."""

    pid: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class GetReport:
    pid: str


@dataclass(frozen=True, slots=True)
class Report:
    """``(unix time, line)`` pairs, oldest first."""

    pid: str
    lines: tuple[tuple[float, str], ...]


@dataclass(frozen=True, slots=True)
class DaemonInfo:
    pass


@dataclass(frozen=True, slots=True)
class DaemonStatus:
    """What ``prunus daemon status`` shows besides the pid, port and uptime."""

    hosts: int
    active: int
    by_state: dict[str, int]
    paused: int
    host_pids: tuple[int, ...] = ()
    supervisor_pid: int = 0


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """An error the asker should raise: ``kind`` names the prunus error class."""

    kind: str
    pid: str
    message: str
    port_path: str = ""  # PortValidationError: the port at fault
