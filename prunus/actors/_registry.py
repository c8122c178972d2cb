"""What the supervisor keeps per process, and per request still in flight.

Plain values, no behaviour beyond their own bookkeeping: the supervisor (the only
code that changes them) is in :mod:`prunus.actors._supervisor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prunus.actors._messages import WaitResults
from prunus.engine import ProcessResult, ProcessStatus

__all__ = ["BatchLaunch", "Cascade", "Entry", "ManyWait", "Pending"]


@dataclass(slots=True)
class Entry:
    """One process in the registry: its last status, its host, what waits on it."""

    status: ProcessStatus
    host: int
    children: list[str] = field(default_factory=list)
    result: ProcessResult | None = None
    waiters: list[tuple[Any, int]] = field(default_factory=list)
    active: bool = False
    restarts: int = 0
    pending: list[Pending] = field(default_factory=list)  # controls awaiting a Reply
    first_write: Any = None  # a submitted process's first checkpoint, until committed
    launch_waiters: list[Any] = field(default_factory=list)  # answered once committed


@dataclass(slots=True)
class Cascade:
    """A pause, play or kill of a tree: the root's answer is held until every
    descendant it reached has answered too, so the asker never sees a killed (or
    paused) parent whose children are still running."""

    members: set[str]
    held: list[tuple[Any, Any]] = field(default_factory=list)


@dataclass(slots=True)
class BatchLaunch:
    """A SubmitMany waiting for every one of its processes to be committed."""

    sender: Any
    pids: tuple[str, ...]
    waiting: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.waiting = set(self.pids)


@dataclass(slots=True)
class ManyWait:
    """A WaitForMany: answered once, when its last process ends (or it times out)."""

    sender: Any
    request_id: int
    pids: tuple[str, ...]
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.results) == len(self.pids)

    def answer(self) -> WaitResults:
        return WaitResults(self.request_id, tuple(self.results[pid] for pid in self.pids))


@dataclass(slots=True)
class Pending:
    """A control sent to a host and not yet answered (re-sent if the host dies)."""

    message: Any
    cascade: Cascade | None = None
    is_root: bool = True  # answered to its asker; else it is a cascade member
