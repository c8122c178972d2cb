"""What the store knows and the supervisor missed: events that died with a host.

A host commits a slice's writes before it reports the slice (so no event ever names a
state the store could forget). The converse does not hold: a host SIGKILLed between
its commit and its report leaves the store *ahead* of the registry:

- children a step launched: their records and first checkpoints were committed with
  that step (one transaction), their ``Spawned`` events died with the host. The parent,
  re-activated from its checkpoint, waits for them and nobody runs them;
- a process that ended: its final record is committed, its ``Finished`` event is lost.
  Re-activated from a terminal checkpoint, it would never report again, and its parent
  and waiters would wait for good.

So when a host dies, each of its unfinished processes is first read back from the
store: one that ended is finished from its record, and every stored child the registry
does not know is registered under its parent and activated. These are plain functions
over the registry and a store; the supervisor carries out what they return.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from prunus.actors._host_messages import Activate
from prunus.actors._outgoing import Outgoing
from prunus.actors._persisting import record_status
from prunus.actors._registry import Registry
from prunus.engine import ProcessResult, ProcessStatus

__all__ = ["StoredEnding", "adopt_stored_children", "stored_ending"]


class StoredEnding(NamedTuple):
    """``status.pid`` has ended in the store although the registry did not hear it."""

    status: ProcessStatus
    result: ProcessResult


def stored_ending(store: Any, pid: str) -> StoredEnding | None:
    """``pid``'s ending if its stored record says it has ended, else None."""
    record = store.get_record(pid)
    if record is None or "result" not in record:
        return None
    status = record_status(record)
    if not status.state.is_terminal:
        return None
    return StoredEnding(status, ProcessResult.from_data(record["result"]))


def adopt_stored_children(registry: Registry, store: Any, pid: str, out: Outgoing) -> list[str]:
    """Register (and activate) the children of ``pid`` that its stored record lists and
    the registry does not know; returns their pids, grandchildren included.

    A child whose record is missing is skipped: its parent's step and its first write
    are one transaction, so a stored parent that names it and a missing child record
    cannot both be true unless the record was deleted on purpose.
    """
    adopted: list[str] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        record = store.get_record(parent)
        if record is None:
            continue
        for child in record.get("children", ()):
            if child in registry:
                continue
            child_record = store.get_record(child)
            if child_record is None:
                continue
            status = record_status(child_record)
            if status.state.is_terminal:
                result = ProcessResult.from_data(child_record["result"])
                registry.register_ended(status, result)
                registry.adopt(parent, child)
            else:
                registry.spawned(status)
                registry.deliver(child, Activate(), out)
            adopted.append(child)
            pending.append(child)
    return adopted
