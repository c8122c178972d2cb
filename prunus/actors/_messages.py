"""The message protocol between clients and the supervisor.

Every message is a small frozen value; in daemon mode they cross OS processes (Thespian
pickles them over loopback TCP), so they hold plain data, never live objects, except
the fields documented as embedded-only.

Clients talk only to the supervisor, and name processes by pid, never by actor
address: a process's host can change when a host dies, its pid never does. What the
supervisor and its hosts say to each other is in :mod:`prunus.actors._host_messages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prunus.engine import ProcessResult, ProcessStatus

__all__ = [
    "NOT_READY",
    "CancelWait",
    "Configure",
    "ControlMany",
    "ControlManyReply",
    "ControlReply",
    "ControlRequest",
    "DaemonInfo",
    "DaemonStatus",
    "Describe",
    "Description",
    "ErrorReply",
    "GetOutputs",
    "GetReport",
    "KillRequest",
    "Launch",
    "Launched",
    "LaunchedMany",
    "ListProcesses",
    "Outputs",
    "PauseRequest",
    "PlayRequest",
    "ProcessList",
    "Reload",
    "Reloaded",
    "Report",
    "ResumeRequest",
    "StatusRequest",
    "Stuck",
    "Submit",
    "SubmitMany",
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
        main_pid: daemon: the daemon's main OS process; when it is gone the actor
            system ends itself (:mod:`prunus.actors._lifeline`). 0: not watched.
    """

    store: Any = None
    home: str | None = None
    workers: int = 1
    passivate: bool = False
    restart_limit: int = 3
    slice_seconds: float = 0.0
    main_pid: int = 0


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
    """Embedded client -> supervisor: host this process instance (the caller's object).
    ``key``: an idempotency key, as for Submit."""

    process: Any
    key: str = ""


@dataclass(frozen=True, slots=True)
class Submit:
    """Remote client -> supervisor: import ``process_class`` (``module:Qual.Name``) and
    start it with ``inputs`` (codec-encoded bytes). Errors come back as ErrorReply."""

    process_class: str
    inputs: bytes
    when: Any = None  # a when= condition as plain data (Condition.to_data), or None
    cache: Any = True  # the cache= launch option: True, False or "refresh"
    placement: dict[str, int | str] | None = None  # replaces the class's requirements
    # The client's idempotency key ("": none): the same key again (a retry after a
    # timeout) is answered with the same pid, and nothing is created (_submit_keys).
    key: str = ""


@dataclass(frozen=True, slots=True)
class SubmitMany:
    """Remote client -> supervisor: many Submits in one message, validated all before
    any starts; answered with LaunchedMany once every one is committed. ``key``: as
    Submit's, for the whole batch (the items' own keys are not used)."""

    items: tuple[Submit, ...]
    key: str = ""

    def __reduce__(self) -> tuple[Any, ...]:
        # To the supervisor: a tuple per item, not a pickled dataclass (see _wire).
        from prunus.actors import _wire

        return (_wire.unpack_submits, (_wire.pack_submits(self.items), self.key))


@dataclass(frozen=True, slots=True)
class Launched:
    pid: str


@dataclass(frozen=True, slots=True)
class LaunchedMany:
    pids: tuple[str, ...]


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
class ResumeRequest:
    """Wake ``pid`` from a plain ``Wait`` (plumpy's bare resume); answered ok=False if
    it is not waiting, or waits for its children (it resumes by itself then)."""

    pid: str
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


ControlRequest = PauseRequest | PlayRequest | KillRequest


@dataclass(frozen=True, slots=True)
class ControlMany:
    """Client -> supervisor: many controls in one request (``prunus.actors._bulk_control``),
    answered once with a ControlManyReply: when every one has answered, or after
    ``timeout`` seconds (None: no deadline) with what has come by then."""

    requests: tuple[ControlRequest, ...]
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class ControlManyReply:
    """One outcome per request of a ControlMany, in order: a ControlReply, an ErrorReply
    (unknown pid), or None (not answered by the deadline; the control still stands)."""

    outcomes: tuple[Any, ...]


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

    def __reduce__(self) -> tuple[Any, ...]:
        # To a client: plain tuples, not a pickled dataclass per status (see _wire).
        from prunus.actors import _wire

        return (_wire.unpack_process_list, (_wire.pack_statuses(self.statuses),))


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
    """Everything stored about a process: ``ProcessDescription.to_data()`` (plain data,
    what ``Client.describe`` returns; ``ProcessDescription.from_data`` reads it)."""

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
    members: tuple[dict[str, Any], ...] = ()  # see HostPool.members_status
    # Unfinished processes no host can hold for now ("blocked: cannot import ...",
    # "blocked: cannot write ..."): (pid, reason), at most BLOCKED_SHOWN of them, and
    # how many there are in all.
    blocked: tuple[tuple[str, str], ...] = ()
    blocked_count: int = 0


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """An error the asker should raise: ``kind`` names the prunus error class."""

    kind: str
    pid: str
    message: str
    port_path: str = ""  # PortValidationError: the port at fault


NOT_READY = ErrorReply("PrunusError", "", "runtime is not ready")  # not configured yet
