"""Reading the LMDB store: records, checkpoints, outputs, logs, generic entries.

Its own module because reading needs nothing of LMDB's life cycle (opening, growing
the map, fsync, fork safety), which :mod:`._lmdb_store` is about: every read here is
one function run in a read transaction (``_read``) or one key fetched (``_get``), both
provided by the store. No lmdb import: transactions are used through their methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from prunus.persistence import _live_index as live_index
from prunus.persistence import _store_keys as keys
from prunus.persistence._codec import decode
from prunus.persistence._store import (
    check_db,
    check_key,
    decode_checkpoint_of,
    decode_entries,
    decode_entry,
)

__all__ = ["StoreReads"]

T = TypeVar("T")


class StoreReads:
    """The read half of :class:`~prunus.persistence.LmdbStore` (a mixin)."""

    def _read(self, body: Callable[[Any, dict[str, Any]], T]) -> T:
        raise NotImplementedError  # (the store's)

    def _get(self, db: str, key: bytes) -> bytes | None:
        raise NotImplementedError  # (the store's)

    def get_record(self, pid: str) -> dict[str, Any] | None:
        return decode_entry(self._get("processes", check_key(pid, "pid")), f"process {pid}: record")

    def records(
        self, on_corrupt: Callable[[str, str], None] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        found = self._read(lambda txn, dbs: keys.rows(txn, dbs["processes"]))
        return decode_entries(found, on_corrupt)

    def live_records(
        self, on_corrupt: Callable[[str, str], None] | None = None
    ) -> Iterator[tuple[str, list[Any]]] | None:
        """The summary rows of the processes that have not ended (:mod:`._live_index`),
        by pid, as :meth:`records`; None when this home's index is not built yet."""
        found = self._read(lambda txn, dbs: live_index.rows(txn, dbs["live"]))
        return None if found is None else decode_entries(found, on_corrupt)

    def live_snapshot(self, beside: str) -> live_index.LiveSnapshot | None:
        """The live index undecoded, the entries of the database ``beside`` and the
        record count, from one read transaction (:class:`~._live_index.LiveSnapshot`);
        None when this home's index is not built yet."""
        name = check_db(beside)

        def read(txn: Any, dbs: dict[str, Any]) -> live_index.LiveSnapshot | None:
            found = live_index.raw_rows(txn, dbs["live"])
            if found is None:
                return None
            others = dict(decode_entries(keys.rows(txn, dbs[name])))
            total = keys.entries(txn, dbs["processes"])
            return live_index.LiveSnapshot(found[0], found[1], others, total)

        return self._read(read)

    def record_count(self) -> int:
        """How many registry records there are, without reading them."""
        return self._read(lambda txn, dbs: keys.entries(txn, dbs["processes"]))

    def live_count(self) -> int:
        """How many rows the live index holds (0 before it is built), without reading them."""
        return self._read(lambda txn, dbs: keys.entries(txn, dbs["live"]))

    def record_blobs(self) -> list[tuple[str, bytes]]:
        """Every registry record as stored (encoded), by pid: for a reader that re-reads
        the whole registry often and decodes only what changed (the dashboard)."""
        return self._read(lambda txn, dbs: keys.rows(txn, dbs["processes"]))

    def load_checkpoint(self, pid: str) -> dict[str, Any] | None:
        return decode_checkpoint_of(pid, self._get("checkpoints", check_key(pid, "pid")))

    def checkpoint_blob(self, pid: str) -> bytes | None:
        """A checkpoint as stored, not decoded (sent to a member's host as it is)."""
        return self._get("checkpoints", check_key(pid, "pid"))

    def get_outputs(self, pid: str) -> dict[str, Any] | None:
        return decode_entry(self._get("outputs", check_key(pid, "pid")), f"process {pid}: outputs")

    def get_logs(self, pid: str) -> list[tuple[float, str]]:
        key = check_key(pid, "pid")

        def read(txn: Any, dbs: dict[str, Any]) -> list[bytes]:
            handle = dbs["logs"]
            if handle is None:  # read-only, before any writer created it
                return []
            return [txn.get(k, db=handle) for k in keys.log_keys(txn, handle, key)]

        return [tuple(decode(blob)) for blob in self._read(read)]  # type: ignore[misc]

    def get(self, db: str, key: str) -> Any | None:
        return decode_entry(self._get(check_db(db), check_key(key)), f"{db} {key}")

    def items(self, db: str) -> Iterator[tuple[str, Any]]:
        name = check_db(db)
        meta = name == "meta"
        return decode_entries(self._read(lambda txn, dbs: keys.rows(txn, dbs[name], meta=meta)))
