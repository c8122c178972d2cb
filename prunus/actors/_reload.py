"""Reading the store back after a restart: every process, terminal or to be resumed.

A process whose checkpoint cannot be read (corrupt bytes, unknown format, a class that
no longer imports) is reported with a one-line reason so the supervisor can mark it
EXCEPTED; it never stops the others from loading.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prunus.engine import Process, ProcessState, load_process
from prunus.errors import CheckpointError, PrunusError

__all__ = ["Reloaded", "reload_processes"]


@dataclass(frozen=True, slots=True)
class Reloaded:
    """One stored process: ``process`` to resume, or ``error`` why it cannot be."""

    pid: str
    record: dict[str, Any]
    process: Process | None = None
    error: str | None = None

    @property
    def is_terminal(self) -> bool:
        return ProcessState(self.record["state"]).is_terminal


def reload_processes(store: Any) -> Iterator[Reloaded]:
    for pid, record in store.records():
        if ProcessState(record["state"]).is_terminal:
            yield Reloaded(pid, record)
            continue
        try:
            data = store.load_checkpoint(pid)
            if data is None:
                raise CheckpointError(f"process {pid} has no checkpoint")
            yield Reloaded(pid, record, process=load_process(data))
        except PrunusError as error:
            yield Reloaded(pid, record, error=f"cannot resume process {pid}: {error}")
