"""Processes held back by a ``when=`` condition: the supervisor's part for them.

A held process is recorded like any other (a pid, a record, a first checkpoint) but no
host takes it: it is registered without a host and kept in a
:class:`~prunus.conditions.PendingConditions` book, indexed by the pids its condition
names. "Held" is exactly "CREATED with ``when`` in its stored record": the condition
is written in the same transaction as the record (``status_record``), so no crash can
leave one without the other.

This part only keeps the book and answers :class:`~prunus.conditions.Decision` lists;
:class:`~prunus.actors._supervision.Supervision` acts on them (a start places the
process on a host and activates it; a cancellation ends it KILLED on the record alone,
no step run, then counts as an ending for its own dependents). Decisions follow from
terminal states only, so after a crash the same decision is derived again.

Control of a held process (pause, play, kill) runs the cell code on the process loaded
from its checkpoint, here, as for a passivated process: a play never starts it early.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from prunus.actors._cell import CollectingOutbox, ProcessCell
from prunus.actors._persisting import ProcessWriter
from prunus.actors._registry import Registry
from prunus.conditions import (
    Condition,
    Decision,
    Outcome,
    PendingConditions,
    condition_from_data,
)
from prunus.engine import ProcessResult, ProcessState, ProcessStatus, load_process
from prunus.errors import ConditionError, PrunusError

__all__ = ["Dependencies", "cancelled_ending", "waiting_text"]


def waiting_text(condition: Condition) -> str:
    """The status a held process shows (``process list``, ``status``)."""
    return f"waiting for: {condition}"


def cancelled_ending(status: ProcessStatus, reason: str) -> tuple[ProcessStatus, ProcessResult]:
    """The status and result of a held process whose condition can never hold."""
    ended = dataclasses.replace(status, state=ProcessState.KILLED, status=reason, paused=False)
    result = ProcessResult(
        status.pid, ProcessState.KILLED, status=reason, process_class=status.process_class
    )
    return ended, result


class Dependencies:
    """The book of held processes over the registry's states.

    Args:
        registry: where the states of the processes named by conditions are read.
        store: the runtime's store (a held process's checkpoint, for its controls).
    """

    def __init__(self, registry: Registry, store: Any) -> None:
        self.book = PendingConditions()
        self._registry = registry
        self._store = store
        self._writer = ProcessWriter(store)

    def __contains__(self, pid: object) -> bool:
        return pid in self.book

    def state_of(self, pid: str) -> Outcome | None:
        """What conditions read: None while ``pid`` has not ended (or is unknown)."""
        entry = self._registry.get(pid)
        if entry is None or entry.result is None:
            return None
        return Outcome.of(entry.result)

    def condition(self, when: Any) -> Condition:
        """The condition a launch carries (plain data), checked against the registry.

        Raises:
            ConditionError: malformed, or it names a process this runtime does not know
                (one line naming it); the caller stores nothing then.
        """
        condition = when if isinstance(when, Condition) else condition_from_data(when)
        for pid in sorted(condition.pids):
            if pid not in self._registry:
                raise ConditionError(f"unknown process '{pid}' in when={condition}")
        return condition

    def hold(self, status: ProcessStatus, condition: Condition) -> list[Decision]:
        """Register ``status.pid`` as held (its record is stored already); decide it
        at once if the processes it names have ended already."""
        self._registry.register_held(dataclasses.replace(status, status=waiting_text(condition)))
        return self.book.add(status.pid, condition, self.state_of)

    def ended(self, pid: str) -> list[Decision]:
        """``pid`` ended (the registry holds its result): the decisions it causes."""
        return self.book.ended(pid, self.state_of)

    def load(self, held: Iterable[tuple[ProcessStatus, Any]]) -> list[tuple[str, str]]:
        """Put back held processes after a restart (registered here, undecided).

        Returns:
            ``(pid, reason)`` for each whose stored condition is corrupt: to be failed.
        """
        corrupt = []
        for status, when in held:
            try:
                condition = condition_from_data(when)
                self.book.load([(status.pid, condition)])
            except ConditionError as error:
                self._registry.register_held(status)
                corrupt.append((status.pid, f"cannot read the when= condition: {error}"))
                continue
            self._registry.register_held(
                dataclasses.replace(status, status=waiting_text(condition))
            )
        return corrupt

    def decide_all(self) -> list[Decision]:
        """Every held condition against the stored states (after a restart)."""
        return self.book.decide_all(self.state_of)

    def control(self, pid: str, message: Any) -> list[Any] | None:
        """Apply pause, play or kill to held ``pid`` from its checkpoint.

        Returns:
            The events the cell produced (handled like a host's), or None if the
            checkpoint cannot be loaded (the caller then ends it on its record).
        """
        try:
            data = self._store.load_checkpoint(pid)
            if data is None:
                return None
            process = load_process(data)
        except PrunusError:
            return None
        outbox = CollectingOutbox()
        ProcessCell(process, self._writer, outbox).handle(message)
        return outbox.events

    def keep_waiting_text(self, pid: str) -> None:
        """After a control, a held process still shows what it waits for."""
        condition = self.book.condition_of(pid)
        entry = self._registry.get(pid)
        if condition is not None and entry is not None and entry.result is None:
            entry.status = dataclasses.replace(entry.status, status=waiting_text(condition))
