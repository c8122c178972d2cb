"""The supervisor's host actors: where they are, how loaded, and when a dead one restarts.

A host runs many process cells (see :mod:`prunus.actors._host`). The pool knows each
host by its index (a process stays on the same index for its whole life, so a new
actor at that index takes over a dead one's processes), places new processes on the
least loaded host, and decides how soon a host that died is started again.

It creates no actors itself (the Thespian shell does): it only keeps the books, so it
runs in unit tests. Hosts may live on members (other daemons in the leader's
convention, see :mod:`prunus.actors._members`): each index records which member it is
on (None: the leader itself). A slot whose member is lost or drained is *retired*:
its processes move to other hosts (see ``Supervision.move_processes``) and the slot
waits, empty, for its member to come back (or any member to join), so a member that
leaves and rejoins again and again never grows the pool. With ``no_work`` the leader
has no hosts of its own (``prunus daemon start --no-work``): all work goes to members.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prunus.actors._host_messages import (
    HostConfig,
)
from prunus.actors._members import Members
from prunus.actors._messages import (
    Configure,
)

__all__ = ["CRASH_WINDOW", "NEAR_SLACK", "HostPool", "RestartHost"]

# A host that died this many times within CRASH_WINDOW seconds is restarted only after
# BACKOFF_SECONDS: a host that dies at once, again and again, must not spin.
CRASH_WINDOW, CRASHES_BEFORE_BACKOFF, BACKOFF_SECONDS = 10.0, 5, 2.0
# A child goes to its parent's host while that holds at most this many more processes
# than the least loaded host (HostPool.place).
NEAR_SLACK = 1


@dataclass(frozen=True, slots=True)
class RestartHost:
    """Timer payload: start host ``index`` again (its back-off is over)."""

    index: int


class HostPool:
    """Host addresses by index, their load, their OS pids and their recent deaths."""

    def __init__(self) -> None:
        self.addresses: list[Any] = []  # None while a dead host waits for its restart
        self.loads: list[int] = []  # unfinished processes placed on each host
        self._os_pids: dict[int, int] = {}
        self._deaths: dict[int, list[float]] = {}
        self._next = 0  # where ties in load start (rotates)
        self.member_of: list[str | None] = []  # the member each host is on (None: here)
        self.members = Members()
        self.distributed = False  # a daemon: members may join (requirements matter)
        self.had_members = False  # a host was ever started on a member
        self.fences: dict[int, str] = {}  # a member's host index -> its fence token
        self.generation = ""  # this leader's (LmdbStore.new_generation), in every token
        self.retired: set[int] = set()  # slots of lost or drained members: no actor, no work

    def __len__(self) -> int:
        return len(self.addresses)

    def add(self, member: str | None = None) -> int:
        """A new host slot (its actor is started by the shell, on ``member`` or on the
        leader): its index. A retired slot is taken first (``member``'s own if it had
        one), so members that come and go do not grow the pool."""
        if member is not None and self.retired:
            own = [i for i in sorted(self.retired) if self.member_of[i] == member]
            index = (own or sorted(self.retired))[0]
            self.retired.discard(index)
            self.member_of[index] = member
            self.loads[index] = 0
            self._deaths.pop(index, None)
            return index
        self.addresses.append(None)
        self.loads.append(0)
        self.member_of.append(member)
        self.had_members = self.had_members or member is not None
        return len(self.addresses) - 1

    def on_member(self, member: str) -> list[int]:
        """The indices of the (not retired) hosts on ``member``."""
        return [
            index
            for index, name in enumerate(self.member_of)
            if name == member and index not in self.retired
        ]

    def stays(self, index: int) -> bool:
        """Whether host ``index``, dead, is started again in its place: a leader host
        always; a member's while that member is in the convention and not draining
        (otherwise the slot is retired and its processes move)."""
        member = self.member_of[index]
        if member is None:
            return True
        found = self.members.get(member)
        return found is not None and not found.draining

    def retire(self, index: int) -> None:
        """Host ``index`` is gone with its member (its processes moved already)."""
        self.addresses[index] = None
        self.retired.add(index)
        self.fences.pop(index, None)
        self._os_pids.pop(index, None)
        self.loads[index] = 0

    def live_on(self, member: str) -> list[int]:
        """The hosts on ``member`` whose actor is still there."""
        return [i for i in self.on_member(member) if self.addresses[i] is not None]

    def started(self, index: int, address: Any) -> None:
        self.addresses[index] = address

    def ready(self, index: int, os_pid: int) -> None:
        self._os_pids[index] = os_pid

    def os_pids(self, member: str | None = None) -> tuple[int, ...]:
        """The OS pids of the hosts on ``member`` (None: on the leader)."""
        return tuple(self._os_pids.get(index, 0) for index in self._on(member))

    def _on(self, member: str | None) -> list[int]:
        return [
            index
            for index, name in enumerate(self.member_of)
            if name == member and index not in self.retired
        ]

    def members_status(self) -> tuple[dict[str, Any], ...]:
        """Each member with its hosts' OS pids and the processes placed on them."""
        rows = []
        for row in self.members.status():
            indices = self._on(row["address"])
            row["host_pids"] = [self._os_pids.get(index, 0) for index in indices]
            row["processes"] = sum(self.loads[index] for index in indices)
            rows.append(row)
        return tuple(rows)

    def index_of(self, address: Any) -> int | None:
        """Which host ``address`` is. Compared with ``==``: the address createActor
        returned may be a local stand-in whose ``str`` differs from the real one."""
        for index, host in enumerate(self.addresses):
            if host is not None and (host is address or host == address):
                return index
        return None

    def place(
        self, requirements: Mapping[str, int | str] | None = None, near: int | None = None
    ) -> int | None:
        """The host for a new process: least loaded first. Ties rotate, or
        short-lived processes (load near zero) would all land on the first host.

        ``near``: the host of the process that launched this one, taken if it holds at
        most :data:`NEAR_SLACK` more than the least loaded: that host still has the new
        process in memory and activates it without reading its checkpoint back
        (:mod:`prunus.actors._spawned_here`), and the hosts stay balanced within one.

        With ``requirements`` (a daemon with members only): a host on a member that
        matches them and has the resources free, which it then holds; None if no
        member can take it now.
        """
        count = len(self.loads)
        if not count:
            return None  # a leader with --no-work and no member yet
        self._next = (self._next + 1) % count
        loads, start = self.loads, self._next
        candidates: range | list[int] = range(count)
        if self.retired or self.members.draining:
            candidates = [i for i in range(count) if self._open(i)]
            if not candidates:
                return None
        if requirements and self.distributed:
            able = set(self.members.candidates(requirements))
            candidates = [
                i
                for i, name in enumerate(self.member_of)
                if name in able and self.addresses[i] is not None
            ]
            if not candidates:
                return None
        host = min(candidates, key=lambda i: (loads[i], (i - start) % count))
        if near is not None and near in candidates and loads[near] <= loads[host] + NEAR_SLACK:
            host = near
        loads[host] += 1
        if requirements and self.distributed:
            self.members.take(self.member_of[host], requirements)  # type: ignore[arg-type]
        return host

    def _open(self, index: int) -> bool:
        """Whether host ``index`` takes new processes (not retired, not draining)."""
        if index in self.retired:
            return False
        member = self.member_of[index]
        return member is None or member not in self.members.draining

    def release(self, index: int, requirements: Mapping[str, int | str] | None = None) -> None:
        """A process placed on ``index`` ended (or left it): its load, and what it held."""
        self.loads[index] -= 1
        member = self.member_of[index]
        if requirements and self.distributed and member is not None:
            self.members.give_back(member, requirements)

    def died(self, index: int, now: float) -> float:
        """Host ``index`` died at ``now`` (monotonic seconds): in how many seconds to
        start it again (0: at once; more if it keeps dying)."""
        self.addresses[index] = None
        recent = [t for t in self._deaths.get(index, []) if now - t < CRASH_WINDOW]
        self._deaths[index] = [*recent, now]
        return BACKOFF_SECONDS if len(recent) >= CRASHES_BEFORE_BACKOFF else 0.0

    def config(self, index: int, runtime: Configure, echo: Any) -> HostConfig:
        """What host ``index`` is told when it starts (and when the echo changes)."""
        # embedded: the shared store object; daemon: None (each host opens the home)
        return HostConfig(
            index,
            runtime.store,
            runtime.home,
            runtime.passivate,
            runtime.slice_seconds,
            echo,
            self.fences.get(index),
        )

    def new_fence(self, index: int) -> None:
        """Host ``index`` starts on a member: a token of its own, to fence it by."""
        self.fences[index] = f"{self.generation}.{uuid.uuid4().hex}"

    def fence_member(self, member: str) -> list[str]:
        """The tokens of ``member``'s hosts, to be fenced now that it is lost."""
        return [self.fences.pop(i) for i in self.on_member(member) if i in self.fences]
