"""Draining a member: ``prunus daemon stop`` on a member moves its work before it exits.

Stopping a member the hard way (its actor system shut down under its hosts) loses the
step each host was running: it runs again elsewhere, from the last checkpoint. A drain
loses nothing. The stopping command asks the leader's supervisor to drain the member
(:class:`DrainMember`); the supervisor offers the member nothing new from then on and
tells each of its hosts to exit. A host handles that request like any message, between
two slices, when every step it ran is committed; so its processes stand at a step
boundary, and each one is placed on another host that fits (or waits for one) and goes
on from its checkpoint, with no step run twice. Once every host of the member has
exited the supervisor answers :class:`Drained`, and the member's daemon is stopped.

:class:`Drains` keeps the books (who waits for which member, how many processes moved);
plain code, unit-tested in tests/actors. :func:`drain_member` is the asking side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prunus.errors import DaemonError

__all__ = ["DrainMember", "Drained", "Drains", "drain_member"]


@dataclass(frozen=True, slots=True)
class DrainMember:
    """Ask the leader to move the work of ``member`` (its ``host:port``) elsewhere."""

    member: str


@dataclass(frozen=True, slots=True)
class Drained:
    """Every host of ``member`` has exited; ``moved`` processes went elsewhere.
    ``known`` is False when the leader did not list the member (nothing to drain)."""

    member: str
    moved: int
    known: bool = True


@dataclass(slots=True)
class _Drain:
    askers: list[Any] = field(default_factory=list)
    moved: int = 0


class Drains:
    """The drains under way, by member name."""

    def __init__(self) -> None:
        self._drains: dict[str, _Drain] = {}

    def __contains__(self, member: object) -> bool:
        return member in self._drains

    def start(self, member: str, asker: Any) -> None:
        self._drains.setdefault(member, _Drain()).askers.append(asker)

    def moved(self, member: str, count: int) -> None:
        drain = self._drains.get(member)
        if drain is not None:
            drain.moved += count

    def done(self, member: str) -> list[tuple[Any, Drained]]:
        """``member`` has no host left: the answers to send (none if not draining)."""
        drain = self._drains.pop(member, None)
        if drain is None:
            return []
        return [(asker, Drained(member, drain.moved)) for asker in drain.askers]


def drain_member(runtime: Any, member: str) -> Drained:
    """Ask the leader ``runtime`` (a RemoteRuntime) to drain ``member``; returns when
    it has (or raises DaemonError after the runtime's timeout)."""
    reply = runtime._ask(DrainMember(member))
    if not isinstance(reply, Drained):
        raise DaemonError(f"the leader did not drain {member}: {reply!r}")
    return reply
