"""The live index: the records of processes that have not ended, kept apart.

Why: ``prunus process list`` shows the processes that have not ended, and a busy home
holds mostly ended ones (3,500 records for 1,000 live chains in ``cli_load.py``). A
reader that decoded every record to skip the ended ones spent ~30 ms of CPU per list
and seconds at p99 under load. The ``live`` database holds, by pid, a summary of
the record of every process that has not ended: the values of :data:`FIELDS` (what a
list row needs: the status, ``modified`` and ``when``), as one list. A reader decodes
that in a third of the time of the record's map (no key strings) and makes a status
of it by position.

Kept in step by the writer, in the transaction that writes the record: a record of
a live process is put, a record of an ended one removes its row, a deleted process
loses its row. The summary is made by :func:`stage_writes` from the record before it
is encoded (:attr:`StagedWrite.summary`, None for an ended one), so the writer
decodes nothing. A home written before the index existed gets it on the first writable
open: one pass over the records in one write transaction (writers take turns, so
two processes opening an old home at once build it once), ended by the :data:`BUILT`
marker; a reader finds no marker and reads the records as before.

Helpers work on an open transaction (the only lmdb import is :mod:`._lmdb_store`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prunus.errors import CodecError
from prunus.persistence._codec import decode, encode

__all__ = [
    "BUILT",
    "ENDED_STATES",
    "FIELDS",
    "LiveSnapshot",
    "build",
    "is_built",
    "is_ended",
    "raw_rows",
    "rows",
    "summary",
    "update",
]

# The stored values of the ended states (engine's ProcessState; tests check they match:
# persistence sits below the engine and does not import it).
ENDED_STATES = frozenset({"finished", "excepted", "killed"})

# The record's keys a summary row holds, in order (a change of them needs a new BUILT).
FIELDS = (
    "pid",
    "process_class",
    "state",
    "paused",
    "status",
    "step",
    "children",
    "parent",
    "created",
    "due",
    "signal",
    "modified",
    "when",
)

# Present once the index holds a row for every live record, in the layout of FIELDS.
# A pid never contains NUL, so this key is never a pid's.
BUILT = b"\0built-v1"


def is_ended(record: Mapping[str, Any]) -> bool:
    """Whether a registry record is of an ended process (by its stored state)."""
    return record.get("state") in ENDED_STATES


def summary(record: Mapping[str, Any]) -> bytes | None:
    """The encoded row of a record, None for an ended process (it has no row)."""
    return None if is_ended(record) else encode(list(map(record.get, FIELDS)))


def update(txn: Any, live: Any, key: bytes, record: bytes | None, row: bytes | None) -> None:
    """Keep ``key``'s row in step with a record written in ``txn`` (``record`` None:
    no record in this write, nothing changes; ``row`` None: it ended)."""
    if record is None:
        return
    if row is None:
        txn.delete(key, db=live)
    else:
        txn.put(key, row, db=live)


def is_built(txn: Any, live: Any) -> bool:
    return live is not None and txn.get(BUILT, db=live) is not None


def build(txn: Any, processes: Any, live: Any) -> int:
    """Fill the index from the records, unless it was built already; how many rows
    it holds after a build (0 when it was built already). A record that cannot be
    decoded has no row: it is not a live process (the supervisor shows it EXCEPTED)."""
    if is_built(txn, live):
        return 0
    txn.drop(live, delete=False)
    count = 0
    for key, blob in txn.cursor(db=processes):
        try:
            record = decode(blob)
            row = summary(record) if isinstance(record, dict) else None
        except CodecError:
            row = None
        if row is not None:
            txn.put(key, row, db=live)
            count += 1
    txn.put(BUILT, b"1", db=live)
    return count


def rows(txn: Any, live: Any) -> list[tuple[str, bytes]] | None:
    """Every (pid, encoded row) of the index, by pid; None when it is not built
    (a home no writer of this version opened yet: read the records instead)."""
    if not is_built(txn, live):
        return None
    return [
        (k.decode(errors="backslashreplace"), v)
        for k, v in txn.cursor(db=live)
        if not k.startswith(b"\0")
    ]


def raw_rows(txn: Any, live: Any) -> tuple[Sequence[bytes], Sequence[bytes]] | None:
    """The index's keys (encoded pids) and rows (encoded), by pid, neither decoded: a
    reader of a whole listing decodes them in one call (``decode_all``); None when the
    index is not built. The markers' keys start with NUL, which sorts first."""
    if not is_built(txn, live):
        return None
    pairs = list(txn.cursor(db=live).iternext())
    start = 0
    while start < len(pairs) and pairs[start][0].startswith(b"\0"):
        start += 1
    if start == len(pairs):
        return (), ()
    keys, blobs = zip(*pairs[start:], strict=True)
    return keys, blobs


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """What a listing of the live processes reads, all in one read transaction (so
    its parts agree): the index's ``keys`` and ``rows`` (encoded, see
    :func:`raw_rows`), the decoded entries of one other database (``beside``: the
    supervisor's status notes), and how many records the registry holds."""

    keys: Sequence[bytes]
    rows: Sequence[bytes]
    beside: dict[str, Any]
    total: int
