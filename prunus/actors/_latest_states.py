"""A host batch keeps only the last status of each process: what the supervisor needs.

In one slice a host activates a process, runs its step and passivates it, and the
cell reports a status after each (``StateChanged``: CREATED when it is activated, then
WAITING after the step; more for a process that takes several steps). The
supervisor only ever keeps a process's latest status (its registry entry, the timer
of a WAITING one, its note for readers of the store), so every status of a process
that a later one in the same batch replaces is work on both sides for nothing: packed
and pickled by the host, unpickled, unpacked and applied by the supervisor. Measured
while ``growth.py`` submitted 10k waiting workchains, a workchain and its child sent
four statuses; two reach the supervisor now.

What stays, in order: every event of another kind (Activated, Spawned, Passivated,
Reply, ...), and for each process its last ``StateChanged`` unless a ``Finished``
comes after it (that carries the final status itself). A status replaced later
changes nothing the supervisor does in between: the events between are about
hosting (Activated, Passivated), other processes (a Spawned child), or carry their
own status (a Reply to a control, Finished).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prunus.actors._host_messages import Finished, StateChanged

__all__ = ["latest_states"]


def latest_states(events: Sequence[Any]) -> tuple[Any, ...]:
    """``events`` without the statuses a later one of the same process replaces."""
    last: dict[str, int] = {}
    replaced = False
    for index, event in enumerate(events):
        kind = type(event)
        if kind is StateChanged or kind is Finished:
            pid = event.status.pid
            replaced = replaced or pid in last
            last[pid] = index
    if not replaced:
        return tuple(events)
    return tuple(
        event
        for index, event in enumerate(events)
        if type(event) is not StateChanged or last[event.status.pid] == index
    )
