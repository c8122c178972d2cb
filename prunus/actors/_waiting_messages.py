"""The messages of durable timers and signals (client -> supervisor -> host).

Kept apart from ``_messages``/``_host_messages`` so this feature's protocol reads in
one place. Plain data: they cross OS processes in daemon mode; a signal's payload
travels codec-encoded (bytes), never as a live object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prunus.engine import ProcessStatus

__all__ = [
    "DeliverSignal",
    "NextTimer",
    "NextTimerReply",
    "SignalDelivered",
    "SignalRequest",
    "TimersDue",
    "Wake",
]


@dataclass(frozen=True, slots=True)
class SignalRequest:
    """Client -> supervisor: deliver the signal ``name`` with ``payload`` (encoded)."""

    pid: str
    name: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class SignalDelivered:
    """Answer to a SignalRequest, sent once the signal is stored with the process
    (``ok`` False: the process ended before it got it)."""

    pid: str
    ok: bool
    status: ProcessStatus


@dataclass(frozen=True, slots=True)
class NextTimer:
    """Embedded runtime -> supervisor: how long until the earliest process timer?"""


@dataclass(frozen=True, slots=True)
class NextTimerReply:
    """Seconds until the earliest live process timer (0 if overdue), None if none."""

    seconds: float | None


@dataclass(frozen=True, slots=True)
class TimersDue:
    """Supervisor timer payload: the earliest process timer (due at ``at``) is due."""

    at: float


@dataclass(frozen=True, slots=True)
class Wake:
    """(In a Deliver) the process's timer due at ``due`` fired."""

    due: float


@dataclass(frozen=True, slots=True)
class DeliverSignal:
    """(In a Deliver) the signal ``name``; answer ``reply_to`` once it is stored."""

    name: str
    payload: bytes
    reply_to: Any = None
