"""Writing a process to the store after every message that changed it.

One call writes, in ONE store transaction: the process's registry record, its
checkpoint, its outputs once it has ended, its new report lines, and the first
checkpoint of every child it launched in that step. Children are recorded in the same
transaction as the step that launched them, so after a crash a parent never waits for
a child the store has never heard of; a child that already has a record is never
overwritten (a replayed step re-launches the same pid).

The registry record is a status's plain data plus ``modified`` and, once the process
has ended, its result's (:func:`status_record`); exit codes and results are stored
through their own ``to_data`` wherever they appear, ``ctx`` included.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from prunus._attributes_dict import FrozenAttributesDict
from prunus.engine import (
    Process,
    ProcessDriver,
    ProcessResult,
    ProcessState,
    ProcessStatus,
    save_process,
)
from prunus.engine._workchain import check_last_steps_with
from prunus.errors import CodecError
from prunus.persistence import StagedWrite, encode, encode_checkpoint, register_type, stage_writes
from prunus.spec import ExitCode

__all__ = ["ProcessWriter", "read_registry", "record_status", "status_record"]

_LOG = logging.getLogger(__name__)

# Engine values that live inside checkpoints (ctx holds children's results).
register_type(ProcessResult, ProcessResult.to_data, ProcessResult.from_data, "prunus.ProcessResult")
register_type(
    FrozenAttributesDict,
    lambda value: [value._prunus_path, dict(value)],
    lambda data: FrozenAttributesDict(data[1], data[0]),
    "prunus.FrozenAttributesDict",
)  # inputs (or a part of them) put into ctx or an output
register_type(ExitCode, ExitCode.to_data, ExitCode.from_data, "prunus.ExitCode")


def status_record(
    status: ProcessStatus, result: ProcessResult | None, when: list[Any] | None = None
) -> dict[str, Any]:
    """The registry record of a process: its status, when it was written, (once it
    has ended) its result, and the ``when=`` condition it was launched with: "held" is
    exactly "CREATED with ``when`` in its record", so the condition is written in the
    same transaction as the record and never kept in step apart (it stays afterwards,
    for pictures and ``process show``)."""
    record = status.to_data()
    record["modified"] = time.time()
    if result is not None:
        record["result"] = result.to_data()
    if when is not None:
        record["when"] = when
    return record


def record_status(record: dict[str, Any]) -> ProcessStatus:
    """The status part of a registry record (:func:`status_record`)."""
    return ProcessStatus.from_data(record)


def read_registry(
    store: Any, held: list[tuple[ProcessStatus, Any]] | None = None
) -> Iterator[tuple[ProcessStatus, ProcessResult | None]]:
    """Every process in ``store``'s registry: its status, and its result once ended.

    With ``held``, a process held by its ``when=`` condition (CREATED with ``when`` in
    its record) is appended there as ``(status, when)`` instead of being yielded.

    A record that cannot be read is not skipped (its process would vanish: "unknown
    process"): it comes back EXCEPTED with the reason ``corrupt record: ...``, so it
    stays listed and answers status and wait, and it never stops the others. The
    store is not changed: what is left of the record stays there to be looked at.
    """
    broken: list[tuple[str, str]] = []
    for pid, record in store.records(on_corrupt=lambda pid, why: broken.append((pid, why))):
        try:
            status = record_status(record)
            if status.pid != pid:
                raise ValueError(f"it names another pid, {status.pid!r}")
            ended = status.state.is_terminal and "result" in record
            result = ProcessResult.from_data(record["result"]) if ended else None
        except Exception as error:  # any shape of damage: a missing key, a wrong type
            broken.append((pid, f"{type(error).__name__}: {error}"))
            continue
        if held is not None and status.state is ProcessState.CREATED and record.get("when"):
            held.append((status, record["when"]))
            continue
        yield status, result
    for pid, why in broken:
        reason = " ".join(f"corrupt record: {why}".split())[:300]
        _LOG.error("process %s: %s", pid, reason)
        yield corrupt_status(pid, reason)


def corrupt_status(pid: str, reason: str) -> tuple[ProcessStatus, ProcessResult]:
    """What the registry says of a process whose record is unreadable: EXCEPTED."""
    status = ProcessStatus(pid, "", ProcessState.EXCEPTED, status=reason)
    result = ProcessResult(pid, ProcessState.EXCEPTED, exception=reason, status=reason)
    return status, result


class ProcessWriter:
    """Persists one process; remembers which listener types can be stored."""

    def __init__(self, store: Any) -> None:
        self._store = store
        # A host's staging (GroupCommit, ShippingCommit) takes a step's write as it is.
        self._write_process = getattr(store, "write_process", None)
        self._storable: dict[type, bool] = {}
        # The children whose first checkpoint the last write() stored (not those a
        # replayed step launched again: their first one is stored already), with the
        # status stored (the host reports it as is: built once).
        self.first_written: dict[str, ProcessStatus] = {}

    def write(
        self,
        process: Process,
        status: ProcessStatus,
        result: ProcessResult | None,
        launches: list[Process],
        reports: list[str],
    ) -> None:
        """Write everything in one transaction.

        Raises:
            CodecError: something in the checkpoint (ctx, outputs...) cannot be encoded;
                nothing was written.
        """
        if self.first_written:
            self.first_written = {}
        record = status_record(status, result, ProcessDriver(process).launch_condition)
        checkpoint = self.checkpoint(process)
        outputs = process.outputs if result is not None else None
        if not launches and self._write_process is not None:  # (after most steps)
            self._write_process(process.pid, record, checkpoint, outputs, reports)
            return
        items: list[tuple[str, dict[str, Any]]] = [
            (
                process.pid,
                {
                    "record": record,
                    "checkpoint": checkpoint,
                    "outputs": outputs,
                    "log_lines": reports,
                },
            )
        ]
        get_record, first, new = self._store.get_record, {}, []
        for child in launches:
            if get_record(child.pid) is None:
                status = first[child.pid] = ProcessDriver(child).status()
                new.append(self._first_write(child, status))
        self._store.write_many(items + new)
        self.first_written = first

    def write_new(
        self,
        processes: list[Process],
        meta: list[tuple[str, Any]] = (),
        statuses: list[ProcessStatus | None] | None = None,
    ) -> list[StagedWrite]:
        """The records and first checkpoints of new processes, and ``meta``'s pairs
        (the ``meta`` database), in one durable transaction (``statuses``: theirs, if
        the caller has them already). Returns what was stored, encoded, in order.

        Raises:
            CodecError: the inputs of one cannot be stored; nothing was written.
        """
        if statuses is None:
            statuses = [None] * len(processes)
        staged = stage_writes(
            [self._first_write(p, s) for p, s in zip(processes, statuses, strict=True)]
        )
        self._store.write_staged(staged, meta=meta)
        flush = getattr(self._store, "flush", None)  # (an LmdbStore opened without sync)
        if flush is not None:
            flush()
        return staged

    def stage_new(self, process: Process, status: ProcessStatus | None = None) -> StagedWrite:
        """The record and first checkpoint of a new process, encoded, not yet stored
        (``status``: its status, if the caller has it already).

        Raises:
            CodecError: its inputs cannot be stored.
        """
        return stage_writes([self._first_write(process, status)])[0]

    def commit_now(self, staged: StagedWrite) -> None:
        """Store a staged first write here and now, durably (a process that waits for
        a host: no host will commit it)."""
        self._store.write_staged([staged])
        self._store.flush()

    def _first_write(
        self, process: Process, status: ProcessStatus | None = None
    ) -> tuple[str, dict[str, Any]]:
        """What a process that has not run yet is stored as: its record and checkpoint."""
        driver = ProcessDriver(process)
        status = driver.status() if status is None else status
        record = status_record(status, None, driver.launch_condition)
        return process.pid, {"record": record, "checkpoint": self.checkpoint(process)}

    def write_failure(
        self, process: Process, status: ProcessStatus, result: ProcessResult | None
    ) -> ProcessResult | None:
        """Last resort after a CodecError: the record alone (no checkpoint, no outputs:
        an output may be the value that could not be stored); returns the result
        written, the one to report."""
        if result is not None:
            result = ProcessResult(
                *(result.pid, result.state, None, result.exit_code, result.exception),
                *(result.status, result.process_class, result.traceback, result.failure),
            )
        self._store.write(process.pid, record=status_record(status, result))
        return result

    def checkpoint(self, process: Process) -> dict[str, Any]:
        return save_process(process, listeners=self._storable_listeners(process))

    def _storable_listeners(self, process: Process) -> list[Any]:
        kept = []
        for listener in ProcessDriver(process).listeners:
            kind = type(listener)
            if kind not in self._storable:
                try:
                    encode(listener)
                    self._storable[kind] = True
                except CodecError:
                    self._storable[kind] = False
                    _LOG.warning(
                        "listener type %s is not registered with prunus.register_type; "
                        "it will not survive a restart",
                        kind.__qualname__,
                    )
            if self._storable[kind]:
                kept.append(listener)
        return kept


def _storable_state(process: Process) -> bool:
    """Whether the checkpoint of ``process`` (outputs and ctx included) can be encoded:
    a WorkChain ends in its last step only then (``check_last_steps_with``)."""
    try:
        encode_checkpoint(save_process(process))
    except CodecError:
        return False
    return True


check_last_steps_with(_storable_state)
