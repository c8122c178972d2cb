"""The message protocol between clients, the supervisor and process actors.

Every message is a small frozen value. Control messages carry the pid (routing is by
pid, never by actor address: an address can change across restarts, a pid cannot) and
``reply_to``: the address that asked, so the process actor answers the asker directly
instead of through the supervisor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prunus.engine import ProcessResult, ProcessStatus

__all__ = [
    "CancelWait",
    "ChildFinished",
    "Configure",
    "ControlReply",
    "ErrorReply",
    "Finished",
    "Host",
    "Kill",
    "Launch",
    "Launched",
    "ListProcesses",
    "Pause",
    "Play",
    "ProcessList",
    "Reload",
    "Reloaded",
    "StateChanged",
    "Status",
    "Step",
    "Stuck",
    "WaitFor",
    "WaitResult",
    "WaitTimedOut",
]


@dataclass(frozen=True, slots=True)
class Configure:
    """Client -> supervisor, once: the store every process actor writes to."""

    store: Any


@dataclass(frozen=True, slots=True)
class Reload:
    """Client -> supervisor, once at start: register and resume what the store holds."""


@dataclass(frozen=True, slots=True)
class Reloaded:
    """How many stored processes were resumed, and how many could not be."""

    resumed: int
    failed: int


@dataclass(frozen=True, slots=True)
class Launch:
    """-> supervisor: start hosting ``process``; ``reply`` asks for a Launched answer."""

    process: Any
    reply: bool = True


@dataclass(frozen=True, slots=True)
class Launched:
    pid: str


@dataclass(frozen=True, slots=True)
class Host:
    """Supervisor -> new process actor: the process to host and where to store it."""

    process: Any
    store: Any


@dataclass(frozen=True, slots=True)
class Step:
    """Process actor -> itself: take one step. Sent after every step, so control
    messages already in the mailbox are handled between two steps."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Pause ``pid`` (and, with ``cascade``, its live descendants) before its next step."""

    pid: str
    reply_to: Any = None
    cascade: bool = True


@dataclass(frozen=True, slots=True)
class Play:
    pid: str
    reply_to: Any = None
    cascade: bool = True


@dataclass(frozen=True, slots=True)
class Kill:
    pid: str
    message: str | None = None
    reply_to: Any = None


@dataclass(frozen=True, slots=True)
class Status:
    pid: str
    reply_to: Any = None


@dataclass(frozen=True, slots=True)
class ControlReply:
    """Answer to Pause, Play, Kill and Status: whether it applied, and the status after."""

    pid: str
    ok: bool
    status: ProcessStatus


@dataclass(frozen=True, slots=True)
class StateChanged:
    """Process actor -> supervisor: the process's state, pause flag or status changed."""

    status: ProcessStatus


@dataclass(frozen=True, slots=True)
class Finished:
    """Process actor -> supervisor: the process reached a terminal state."""

    status: ProcessStatus
    result: ProcessResult


@dataclass(frozen=True, slots=True)
class ChildFinished:
    """Supervisor -> parent's process actor: one of its children ended."""

    pid: str
    result: ProcessResult


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


@dataclass(frozen=True, slots=True)
class ListProcesses:
    pass


@dataclass(frozen=True, slots=True)
class ProcessList:
    statuses: tuple[ProcessStatus, ...]


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """An error the asker should raise: ``kind`` names the prunus error class."""

    kind: str
    pid: str
    message: str
