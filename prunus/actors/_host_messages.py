"""The messages between the supervisor and its host actors, and a cell's events.

The supervisor talks to hosts in :class:`Deliver` batches and hosts answer in
:class:`HostEvents` batches: the TCP transport carries one message at a time per
target, so many process events travel in one Thespian message. Inside a batch every
item is routed by pid. In daemon mode they cross OS processes (pickled over loopback
TCP, as tuples: see ``_wire``), so they hold plain data, except the fields
documented as embedded-only.
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
    "ChildFinished",
    "Deliver",
    "Finished",
    "Forward",
    "HostConfig",
    "HostEvents",
    "HostReady",
    "LongStep",
    "NestedEnded",
    "Passivated",
    "Reply",
    "Spawned",
    "StateChanged",
    "Step",
    "Tick",
    "Took",
]


@dataclass(frozen=True, slots=True)
class HostConfig:
    """Supervisor -> new host actor: its index and how to reach the store."""

    index: int
    store: Any
    home: str | None
    passivate: bool
    slice_seconds: float
    echo: Any = None  # daemon: the actor that bounces a host's Ticks back (see _host)
    fence: str | None = None  # a member's host: its commits are refused once fenced
    desk: Any = None  # a member's host: the leader's CommitDesk actor (see _shipping)


@dataclass(frozen=True, slots=True)
class Deliver:
    """Supervisor -> host: ``(pid, message)`` pairs, in the order they must be handled."""

    items: tuple[tuple[str, Any], ...]

    def __reduce__(self) -> tuple[Any, ...]:
        # Across OS processes: plain tuples, not pickled dataclasses (see _wire).
        from prunus.actors import _wire

        return (_wire.unpack_deliveries, (_wire.pack_deliveries(self.items),))


@dataclass(frozen=True, slots=True)
class Activate:
    """(In a Deliver) host this pid: load its checkpoint, or take ``process`` (embedded
    only: the very instance the client or the parent's step created).

    ``first_write``: a newly submitted process's record and first checkpoint, already
    encoded (a StagedWrite); the host commits it in its next group commit and loads
    the process from it. ``quiet``: nobody waits for its launch to be answered (an
    embedded ``run``), so the host need not report it before running its first step.
    ``launched``: a child a step just launched, activated for the first time: a host
    whose step launched it may take the instance it still holds (_spawned_here).
    ``checkpoint``: (daemon) a submitted process's first checkpoint, encoded, which
    the supervisor has just committed itself: the host decodes it instead of reading
    it back from the store. It is the stored one as long as the process is active,
    and a process is active from this Activate on (the supervisor applies no control
    to its checkpoint meanwhile); a batch for a host that died is dropped, never
    re-sent, so a later activation reads the store.
    """

    process: Any = None
    first_write: Any = None
    quiet: bool = False
    launched: bool = False
    checkpoint: bytes | None = None


@dataclass(frozen=True, slots=True)
class Barrier:
    """(In a Deliver) answer with this same Barrier once everything delivered before it
    is handled: how the supervisor knows a reload's activations have all happened."""

    token: int


@dataclass(frozen=True, slots=True)
class Tick:
    """Host -> itself: run a slice of queued steps, then read the mailbox again."""


@dataclass(frozen=True, slots=True)
class Forward:
    """Host -> its echo actor: send ``message`` on to ``to``. A host sends one message
    at a time to each target (the next waits for an acknowledgement that the host only
    reads between messages), so a report sent while a step runs goes by way of the
    echo when the way to the supervisor may still be busy."""

    to: Any
    message: Any


@dataclass(frozen=True, slots=True)
class Step:
    """The next step of one process (handled by its cell)."""


@dataclass(frozen=True, slots=True)
class HostEvents:
    """Host -> supervisor: what happened in one slice, in order, after it was committed.
    ``seq``: 1, 2, ... per host actor, so the supervisor applies batches in the order
    they were sent (``_event_order``); 0: unordered (a long step's report)."""

    events: tuple[Any, ...]
    seq: int = 0

    def __reduce__(self) -> tuple[Any, ...]:
        # Across OS processes: plain tuples, not pickled dataclasses (see _wire).
        from prunus.actors import _wire

        return (_wire.unpack_events, (_wire.pack_events(self.events), self.seq))


@dataclass(frozen=True, slots=True)
class HostReady:
    """A host is configured; ``os_pid`` is its OS process (for status and tests)."""

    index: int
    os_pid: int


@dataclass(frozen=True, slots=True)
class Took:
    """Host ``index`` took a Deliver (sent with the events of the slice it ran). The
    supervisor keeps one Deliver in flight per host and holds what it decides
    meanwhile in the next batch (see ``Outgoing.ready_batches``): without that, a busy
    host's Delivers pile up in the supervisor's transport queue, where every client's
    answer waits behind them."""

    index: int


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The process's state, pause flag or status changed."""

    status: ProcessStatus


@dataclass(frozen=True, slots=True)
class LongStep:
    """Host -> supervisor, while a step runs: the process is still in it (``status``:
    RUNNING, ``step_started`` set; see ``_step_watch``). It travels apart from the
    numbered batches, by way of the echo, so it may arrive after the batch that reports
    the step over. ``after``: the number of the host's last batch sent before the
    report was taken; the step's own events come in a later one, so once the
    supervisor has applied a later batch of that host the report is stale. ``host``:
    the host actor's own address (the echo is the sender), so a report from an actor
    that has since been replaced is known for one."""

    status: ProcessStatus
    host: Any
    after: int


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
    when: Any = None  # its when= condition (plain data): the supervisor holds it back


@dataclass(frozen=True, slots=True)
class NestedEnded:
    """A step called a process synchronously (a nested call) and it ended; its record
    is committed already. The supervisor only records it: it never runs elsewhere."""

    status: ProcessStatus
    result: ProcessResult


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
    """The process could not be loaded (corrupt checkpoint, class gone): one line why.
    ``blocked``: its class cannot be imported here, which may pass (it is kept as it
    is, not failed)."""

    pid: str
    reason: str
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class ChildFinished:
    """(In a Deliver) one of the process's children ended."""

    pid: str
    result: ProcessResult
