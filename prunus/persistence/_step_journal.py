"""The step journal: how an embedded runtime commits a step without an LMDB transaction.

Why: the promise of group commit is that each step is committed (no fsync) before the
same process's next step, so a crash of the OS process re-runs only the step in
progress, and one fsync covers everything before anything is answered. Committed as
an LMDB transaction, each step copied about ten B-tree pages (record, live row,
checkpoint, the main database, free list, meta), and the answer's one fsync then wrote
the ~27 distinct pages of a run's 6 transactions against ~6 for a one-record commit
(``benchmarks/fsync_layout.py``), plus ~35 us of CPU a transaction.

Here a step's writes (already encoded by ``stage_writes``) are appended to the file
``steps.journal`` in the home with one ``pwrite``: the kernel holds them from then on,
so they survive SIGKILL as an LMDB commit without fsync does. They are also kept in
memory (``pending``) and put into LMDB by the next transaction of this OS process
(:func:`apply_entries`): before every other write and read of the store, and always
before an fsync, so the fsync covers them and the store is never read without them.
That transaction records the last journal entry it holds (:data:`APPLIED`), so after a
crash the next writable open puts into LMDB exactly the entries after it (:func:`replay`),
in order, and never twice.

The journal itself is never fsynced: after a power cut it may hold stale or torn
entries, so replay takes only entries that check (magic, length, CRC) and whose
numbers follow :data:`APPLIED` without a gap: a prefix of what was committed. After
each fsync the file is written again from its start (everything in it is in LMDB and
on disk then). Only an embedded runtime journals (it holds the home's lock, so there
is one journal writer); every writer of a home replays on open.

Helpers work on an open transaction (the only lmdb import is :mod:`._lmdb_store`).
"""

from __future__ import annotations

import contextlib
import os
import struct
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from prunus.persistence import _live_index as live_index
from prunus.persistence import _store_keys as keys
from prunus.persistence._codec import decode, encode
from prunus.persistence._disk import one_line
from prunus.persistence._store import StagedWrite

__all__ = [
    "APPLIED",
    "JOURNAL_FILE",
    "JournalWrites",
    "StepJournal",
    "applied",
    "put_staged",
    "read_entries",
    "replay",
]

JOURNAL_FILE = "steps.journal"
#: The number of the last journal entry LMDB holds (a codec int), as a key of LMDB's
#: main (unnamed) database, beside the named databases' entries: every commit that
#: changes a database rewrites that page anyway, so the marker costs the fsync no page.
#: (Until phase 6 it was a key of ``live``, a page more for every run that starts and
#: ends in one transaction, which never touches ``live`` otherwise: 50 against 45 KiB
#: a run, ``benchmarks/fsync_layout.py``. An old home's marker is read there, and moved
#: by the first transaction that applies entries: :func:`apply_entries`. An older
#: prunus does not read the new place: a downgrade after a crash is not covered.)
APPLIED = b"\0steps-journal-applied"

_HEADER = struct.Struct(">4sQII")  # magic, entry number, body length, CRC-32 of the body
_MAGIC = b"PSJ1"
_COUNT = struct.Struct(">I")
_NONE = 0xFFFFFFFF  # a length that says "no value" (a part left unchanged)
# A write's part lengths (pid, record, checkpoint, outputs, live row) and log line count.
_PART_LENGTHS = struct.Struct(">6I")


class StepJournal:
    """The journal of one home, written by one OS process (the embedded runtime's).

    ``pending``: the entries appended since LMDB last took them, in order.
    """

    def __init__(self, home: Path, last_applied: int) -> None:
        self.path = home / JOURNAL_FILE
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        self._offset = 0
        self.next_number = last_applied + 1
        self.pending: list[tuple[int, Sequence[StagedWrite]]] = []

    def append(self, staged: Sequence[StagedWrite]) -> None:
        """Write one entry (a step's writes) after the last one.

        Raises:
            OSError: the file could not take it (e.g. the disk is full); nothing is
                pending then, and the next entry takes the same place and number.
        """
        frame = _frame(self.next_number, staged)
        written = os.pwritev(self._fd, frame, self._offset)  # (header and body, no join)
        if written != _HEADER.size + len(frame[1]):
            raise OSError(28, os.strerror(28))  # a short write: only a full disk does that
        self._offset += written
        self.pending.append((self.next_number, staged))
        self.next_number += 1

    def taken(self) -> None:
        """LMDB committed every pending entry."""
        self.pending = []

    def restart(self) -> None:
        """Everything journaled is in LMDB and on disk: write from the start again."""
        self._offset = 0

    def close(self, remove: bool) -> None:
        """Close the file; ``remove`` it too once everything is in LMDB and on disk."""
        os.close(self._fd)
        if remove:
            with contextlib.suppress(OSError):  # a replay finds only what LMDB holds
                self.path.unlink()


class JournalWrites:
    """Journaled commits for :class:`~prunus.persistence.LmdbStore` (a mixin)."""

    _path: Path
    _readonly: bool
    _sync: bool
    write_error: Any

    @property
    def journals(self) -> bool:
        """Whether :meth:`journal_staged` may be used: a writer that fsyncs in groups."""
        return not (self._readonly or self._sync)

    def journal_staged(self, staged: Sequence[StagedWrite]) -> None:
        """Commit writes already encoded, as a step of an embedded runtime: appended to
        the home's step journal, not an LMDB transaction (:mod:`._step_journal`). They
        survive a crash of this OS process, go into LMDB with the next transaction of
        this process (before any read or write of the store sees it) and are made
        durable by the next :meth:`flush`. For one writer of a home: the holder of its
        lock.

        Raises:
            StoreError: the journal cannot be written (a full disk says so).
        """
        if not staged:
            return
        shared = self._environment()
        with shared.lock:
            try:
                if shared.journal is None:
                    last = self._read_locked(shared, applied)
                    shared.journal = StepJournal(self._path, last)
                shared.journal.append(staged)
            except OSError as error:
                raise self._write_failed(error.strerror or one_line(error)) from None
            shared.unsynced = True
        self.write_error = None

    def _environment(self) -> Any:
        raise NotImplementedError  # (the store's)

    def _read_locked(self, shared: Any, body: Any) -> Any:
        raise NotImplementedError  # (the store's)

    def _write_failed(self, error: Any) -> Any:
        raise NotImplementedError  # (the store's)


def applied(txn: Any, dbs: dict[str, Any]) -> int:
    """The number of the last journal entry this store holds (0: none yet)."""
    return _marker(txn, dbs)[0]


def _marker(txn: Any, dbs: dict[str, Any]) -> tuple[int, bool]:
    """``applied``'s number, and whether it is kept where a home written before phase 6
    keeps it, in ``live`` (see :data:`APPLIED`)."""
    blob = txn.get(APPLIED)  # (the main database)
    if blob is not None:
        return int(decode(blob)), False
    live = dbs["live"]
    blob = None if live is None else txn.get(APPLIED, db=live)
    return (0, False) if blob is None else (int(decode(blob)), True)


def put_staged(txn: Any, dbs: dict[str, Any], staged: Sequence[StagedWrite]) -> None:
    """Put encoded writes into ``txn``: record and live row, checkpoint, outputs, logs."""
    for item in staged:
        key = item.key
        if item.record is not None:
            txn.put(key, item.record, db=dbs["processes"])
            live_index.update(txn, dbs["live"], key, item.record, item.summary)
        if item.checkpoint is not None:
            txn.put(key, item.checkpoint, db=dbs["checkpoints"])
        if item.outputs is not None:
            txn.put(key, item.outputs, db=dbs["outputs"])
        if item.logs:
            seq = keys.next_log_seq(txn, dbs["logs"], key)
            for offset, blob in enumerate(item.logs):
                txn.put(key + b"\0" + keys.LOG_SEQ.pack(seq + offset), blob, db=dbs["logs"])


def apply_entries(
    txn: Any, dbs: dict[str, Any], entries: Sequence[tuple[int, Sequence[StagedWrite]]]
) -> None:
    """Put the entries LMDB does not hold yet into ``txn``, as one write per pid (the
    last record, checkpoint and outputs of each; every log line, in order), and
    record the last one's number."""
    if not entries:
        return
    done, in_live = _marker(txn, dbs)
    merged: dict[bytes, StagedWrite] = {}
    for number, staged in entries:
        if number <= done:
            continue  # (another writer's open replayed it already)
        for item in staged:
            before = merged.get(item.key)
            merged[item.key] = item if before is None else _later(before, item)
    put_staged(txn, dbs, list(merged.values()))
    if in_live:
        txn.delete(APPLIED, db=dbs["live"])  # moved (an older prunus then replays nothing)
    txn.put(APPLIED, encode(max(done, entries[-1][0])))


def _later(before: StagedWrite, item: StagedWrite) -> StagedWrite:
    """One write with the effect of ``before`` then ``item``."""
    has_record = item.record is not None
    return StagedWrite(
        item.pid,
        item.key,
        item.record if has_record else before.record,
        item.checkpoint if item.checkpoint is not None else before.checkpoint,
        item.outputs if item.outputs is not None else before.outputs,
        before.logs + item.logs if item.logs else before.logs,
        item.summary if has_record else before.summary,
    )


def replay(txn: Any, dbs: dict[str, Any], home: Path) -> int:
    """Put into ``txn`` the journal's entries that follow the last one LMDB holds (a
    runtime that journaled them died first); how many (0: nothing to do)."""
    path = home / JOURNAL_FILE
    if not path.is_file():
        return 0
    entries = list(read_entries(path, applied(txn, dbs)))
    apply_entries(txn, dbs, entries)
    return len(entries)


def read_entries(path: Path, after: int) -> Iterator[tuple[int, list[StagedWrite]]]:
    """The entries numbered ``after + 1``, ``after + 2``, ... in the file, up to the
    first that is missing, torn or stale. Entries LMDB holds already (numbered up to
    ``after``: put there by a transaction since the last fsync) are skipped."""
    try:
        data = path.read_bytes()
    except OSError:
        return
    expected, offset = after + 1, 0
    while offset + _HEADER.size <= len(data):
        magic, number, length, crc = _HEADER.unpack_from(data, offset)
        body = data[offset + _HEADER.size : offset + _HEADER.size + length]
        if magic != _MAGIC or number > expected or len(body) != length:
            return
        if zlib.crc32(body) != crc:
            return
        offset += _HEADER.size + length
        if number < expected:
            if expected > after + 1:
                return  # an older entry after a newer one: stale bytes
            continue
        try:
            staged = _parse(body)
        except (ValueError, struct.error, UnicodeDecodeError):
            return
        yield number, staged
        expected += 1


def _frame(number: int, staged: Sequence[StagedWrite]) -> tuple[bytes, bytes]:
    """An entry's header and body (written with one ``pwritev``). Spelled out part by
    part: a step of a one-at-a-time run appends one, and a generic loop over the parts
    was ~6% of that run's CPU (``cProfile``, ``benchmarks/instructions.py durable``)."""
    none, lengths, count = _NONE, _PART_LENGTHS.pack, _COUNT.pack
    parts = [count(len(staged))]
    append = parts.append
    for item in staged:
        key, record, checkpoint = item.key, item.record, item.checkpoint
        outputs, summary, logs = item.outputs, item.summary, item.logs
        append(
            lengths(
                len(key),
                none if record is None else len(record),
                none if checkpoint is None else len(checkpoint),
                none if outputs is None else len(outputs),
                none if summary is None else len(summary),
                len(logs),
            )
        )
        append(key)
        if record is not None:
            append(record)
        if checkpoint is not None:
            append(checkpoint)
        if outputs is not None:
            append(outputs)
        if summary is not None:
            append(summary)
        for line in logs:
            append(count(len(line)))
            append(line)
    body = b"".join(parts)
    return _HEADER.pack(_MAGIC, number, len(body), zlib.crc32(body)), body


def _parse(body: bytes) -> list[StagedWrite]:
    view = memoryview(body)
    (count,) = _COUNT.unpack_from(view, 0)
    offset = _COUNT.size
    staged = []
    for _ in range(count):
        *lengths, lines = _PART_LENGTHS.unpack_from(view, offset)
        offset += _PART_LENGTHS.size
        values: list[bytes | None] = []
        for length in lengths:
            if length == _NONE:
                values.append(None)
                continue
            values.append(bytes(view[offset : offset + length]))
            offset += length
        logs = []
        for _ in range(lines):
            (length,) = _COUNT.unpack_from(view, offset)
            logs.append(bytes(view[offset + _COUNT.size : offset + _COUNT.size + length]))
            offset += _COUNT.size + length
        if offset > len(view):
            raise ValueError("a value runs past the entry")
        key, record, checkpoint, outputs, summary = values
        if key is None:
            raise ValueError("an entry without a pid")
        staged.append(StagedWrite(key.decode(), key, record, checkpoint, outputs, logs, summary))
    if offset != len(view):
        raise ValueError("bytes left over")
    return staged
