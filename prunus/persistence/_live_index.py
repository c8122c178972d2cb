"""The live index: the records of processes that have not ended, kept apart.

Why: ``prunus process list`` shows the processes that have not ended, and a busy home
holds mostly ended ones (3,500 records for 1,000 live chains in ``cli_load.py``). A
reader that decoded every record to skip the ended ones spent ~30 ms of CPU per list
and seconds at p99 under load. The ``live`` database holds, by pid, the encoded
record of every process that has not ended: a live record is already the compact
summary a list row needs (status, ``modified``, ``when``; no result, no inputs), so
the index stores the very bytes of the record, and a list from it decodes exactly
what a list from the records would, for the live processes only.

Kept in step by the writer, in the transaction that writes the record: a record of
a live process is put, a record of an ended one removes its row, a deleted process
loses its row. Whether a record is ended is decided by :func:`stage_writes` from the
record before it is encoded (:attr:`StagedWrite.ended`), so the writer decodes
nothing. A home written before the index existed gets it on the first writable
open: one pass over the records in one write transaction (writers take turns, so
two processes opening an old home at once build it once), ended by the :data:`BUILT`
marker; a reader finds no marker and reads the records as before.

Helpers work on an open transaction (the only lmdb import is :mod:`._lmdb_store`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prunus.errors import CodecError
from prunus.persistence._codec import decode

__all__ = ["BUILT", "ENDED_STATES", "build", "is_built", "is_ended", "rows", "update"]

# The stored values of the ended states (engine's ProcessState; tests check they match:
# persistence sits below the engine and does not import it).
ENDED_STATES = frozenset({"finished", "excepted", "killed"})

# Present once the index holds every live record. A pid never contains NUL, so this
# key is never a pid's.
BUILT = b"\0built"


def is_ended(record: Mapping[str, Any]) -> bool:
    """Whether a registry record is of an ended process (by its stored state)."""
    return record.get("state") in ENDED_STATES


def update(txn: Any, live: Any, key: bytes, record: bytes | None, ended: bool) -> None:
    """Keep ``key``'s row in step with a record written in ``txn`` (None: no record
    in this write, nothing changes)."""
    if record is None:
        return
    if ended:
        txn.delete(key, db=live)
    else:
        txn.put(key, record, db=live)


def is_built(txn: Any, live: Any) -> bool:
    return live is not None and txn.get(BUILT, db=live) is not None


def build(txn: Any, processes: Any, live: Any) -> int:
    """Fill the index from the records, unless it was built already; how many rows
    it holds after a build (0 when it was built already). A record that cannot be
    decoded is indexed as live: readers then show it as the records do (corrupt)."""
    if is_built(txn, live):
        return 0
    txn.drop(live, delete=False)
    count = 0
    for key, blob in txn.cursor(db=processes):
        try:
            record = decode(blob)
            ended = isinstance(record, dict) and is_ended(record)
        except CodecError:
            ended = False
        if not ended:
            txn.put(key, blob, db=live)
            count += 1
    txn.put(BUILT, b"1", db=live)
    return count


def rows(txn: Any, live: Any) -> list[tuple[str, bytes]] | None:
    """Every (pid, encoded record) of the index, by pid; None when it is not built
    (a home no writer of this version opened yet: read the records instead)."""
    if not is_built(txn, live):
        return None
    return [
        (k.decode(errors="backslashreplace"), v)
        for k, v in txn.cursor(db=live)
        if not k.startswith(b"\0")
    ]
