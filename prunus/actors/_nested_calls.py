"""Running a nested call inside the host of the step that made it.

A ``@prunus.function`` called from a step runs right there, synchronously, in the
host's OS process (see :mod:`prunus.engine._nested`). What this part guarantees:

- the child is stored like any process: its record (with its result), checkpoint,
  outputs and report lines, in one write once it has ended, and that write is
  COMMITTED (fsynced in a daemon) before the call returns to the parent's step. So
  whatever the parent does next with the value, and however the host dies later, a
  replay of the parent's step finds the child ended and gets its stored result: a
  nested call that returned once is never run again.
- a crash while the child runs leaves nothing of it: the replayed parent step runs it
  again from the start (at least once, as any step).
- the supervisor hears of the child (:class:`NestedEnded`) with the slice's other
  events, so it is in the registry, in ``process status`` trees and under its parent.

A nested child that does not finish in its own steps (it waits, or pauses) is failed:
a synchronous call cannot wait without holding its host.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prunus.actors._host_messages import NestedEnded
from prunus.actors._persisting import ProcessWriter, record_status
from prunus.engine import Process, ProcessDriver, ProcessResult
from prunus.engine._nested import nested_wait_error
from prunus.errors import CheckpointError, CodecError

__all__ = ["NestedCalls"]


class NestedCalls:
    """The :class:`~prunus.engine.NestedRunner` of one host.

    Args:
        writer: the host's process writer (its writes are staged in the host's group
            commit).
        outbox: the host's cell outbox: ``to_supervisor`` and ``launched``.
        commit: commits (durably) everything staged so far.
        store: reads a child's record on replay.
    """

    def __init__(
        self, writer: ProcessWriter, outbox: Any, commit: Callable[[], None], store: Any
    ) -> None:
        self._writer = writer
        self._outbox = outbox
        self._commit = commit
        self._store = store

    def run_nested(self, child: Process) -> ProcessResult:
        record = self._store.get_record(child.pid)
        if record is not None and record.get("result") is not None:
            # Replay: it ended before the crash; its stored result is the call's value.
            result = ProcessResult.from_data(record["result"])
            self._outbox.to_supervisor(NestedEnded(record_status(record), result))
            return result
        driver = ProcessDriver(child)
        launches: list[Process] = []
        reports: list[str] = []
        while driver.runnable:
            driver.step()  # its own nested calls run inside, with this same runner
            new_launches, new_reports = driver.take_effects()
            launches += new_launches
            reports += new_reports
        if not child.has_terminated():
            driver.fail(nested_wait_error(child))
            reports += driver.take_effects()[1]
        if not driver.result().is_finished_ok:
            launches = []  # a call that failed launches nothing
        try:
            self._writer.write(child, driver.status(), driver.result(), launches, reports)
        except CodecError as error:
            # Nothing of the child is stored; the parent's step fails with the reason.
            raise CheckpointError(f"cannot store nested call {child.pid}: {error}") from None
        self._commit()
        for launched in launches:
            self._outbox.launched(launched)
        result = driver.result()
        self._outbox.to_supervisor(NestedEnded(driver.status(), result))
        return result
