"""Children a daemon host's steps just launched, kept in memory until activated here.

Why: in a daemon, a child a step launches is committed (record and first checkpoint)
with its parent's slice and reported to the supervisor, which places it and sends an
``Activate``. The host that gets it used to read that checkpoint back from LMDB, decode
it and rebuild the process: about a fifth of a host's CPU while a batch of workchains
each launched one child (py-spy, ``benchmarks/growth.py`` at 10k). The supervisor now
places a child on its parent's host when the hosts stay balanced
(:meth:`~prunus.actors._host_pool.HostPool.place`), and that host activates it from the
very instance the step created, as the embedded runtime always has.

Nothing is lost if the instance is not here (placed on another host, or this host
restarted): the checkpoint is committed before the supervisor hears of the child, so
the host reads it as before. Instances wait a few Delivers at most (the supervisor's
``Activate`` comes in the next one or the one after), then are dropped, so a child
placed elsewhere costs this host nothing for long.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SpawnedHere"]

# Delivers an instance waits for its Activate before it is dropped: one may be on its
# way while the Spawned event travels, and the Activate comes in the one after.
_ROUNDS_KEPT = 4


class SpawnedHere:
    """pid -> the child instance a step on this host created, for a few rounds."""

    __slots__ = ("_round", "_waiting")

    def __init__(self) -> None:
        self._round = 0
        self._waiting: dict[str, tuple[int, Any]] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, pid: str, process: Any) -> None:
        """``process`` was launched by a step here; its first checkpoint commits with
        the step's slice, before anyone is told of it."""
        self._waiting[pid] = (self._round, process)

    def take(self, pid: str) -> Any:
        """The instance of ``pid`` if it waits here (then no longer), else None."""
        found = self._waiting.pop(pid, None)
        return None if found is None else found[1]

    def next_round(self) -> None:
        """A Deliver was handled: drop instances whose Activate went elsewhere."""
        self._round += 1
        if self._waiting:
            oldest = self._round - _ROUNDS_KEPT
            for pid in [p for p, (born, _) in self._waiting.items() if born < oldest]:
                del self._waiting[pid]
