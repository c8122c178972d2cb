"""An in-process store with the LMDB store's interface and behaviour.

Values are kept encoded, exactly as the LMDB store keeps them: a caller mutating an
object after writing it changes nothing stored, a value the codec cannot encode fails
here just as it would with a home directory, and pids and keys are validated alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from prunus.persistence._codec import decode, encode
from prunus.persistence._store import (
    StagedWrite,
    StoreBase,
    WriteItem,
    check_db,
    check_key,
    decode_checkpoint_of,
    decode_entries,
    decode_entry,
    stage_writes,
)

__all__ = ["MemoryStore"]


class MemoryStore(StoreBase):
    """Process registry, checkpoints, outputs and logs in dicts of encoded bytes.

    Nothing survives the process; ``close()`` releases nothing, and what was written
    stays readable after it. Iteration orders match the LMDB store (sorted by key).
    """

    def __init__(self) -> None:
        self._records: dict[str, bytes] = {}
        self._live: dict[str, bytes] = {}  # the live index (:mod:`._live_index`)
        self._checkpoints: dict[str, bytes] = {}
        self._outputs: dict[str, bytes] = {}
        self._logs: dict[str, list[bytes]] = {}
        self._generic: dict[str, dict[str, bytes]] = {}
        self._lock = threading.Lock()  # a write_many is seen whole or not at all

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._records)} processes)"

    @property
    def home(self) -> Path | None:
        return None

    def write_many(self, items: Sequence[WriteItem]) -> None:
        self.write_staged(stage_writes(items))

    def write_staged(
        self, staged: Sequence[StagedWrite], meta: Sequence[tuple[str, Any]] = ()
    ) -> None:
        """Apply writes already encoded by :func:`stage_writes`, and put ``meta``'s
        ``(key, value)`` pairs in the ``meta`` database, all at once."""
        extra = {}
        for key, value in meta:
            check_key(key)
            extra[key] = encode(value, path_prefix=f"meta[{key!r}]")
        with self._lock:
            self._generic.setdefault("meta", {}).update(extra)
            for item in staged:
                if item.record is not None:
                    self._records[item.pid] = item.record
                    if item.summary is None:
                        self._live.pop(item.pid, None)
                    else:
                        self._live[item.pid] = item.summary
                if item.checkpoint is not None:
                    self._checkpoints[item.pid] = item.checkpoint
                if item.outputs is not None:
                    self._outputs[item.pid] = item.outputs
                if item.logs:
                    self._logs.setdefault(item.pid, []).extend(item.logs)

    def delete(self, pid: str) -> None:
        check_key(pid, "pid")
        with self._lock:
            for table in (self._records, self._live, self._checkpoints, self._outputs, self._logs):
                table.pop(pid, None)

    def drop(self, db: str, key: str) -> None:
        check_db(db), check_key(key)
        with self._lock:
            self._generic.get(db, {}).pop(key, None)

    def put(self, db: str, key: str, value: Any) -> None:
        check_db(db), check_key(key)
        blob = encode(value, path_prefix=f"{db}[{key!r}]")
        with self._lock:
            self._generic.setdefault(db, {})[key] = blob

    def get_record(self, pid: str) -> dict[str, Any] | None:
        check_key(pid, "pid")
        return decode_entry(self._records.get(pid), f"process {pid}: record")

    def records(
        self, on_corrupt: Callable[[str, str], None] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        with self._lock:
            rows = sorted(self._records.items())
        return decode_entries(rows, on_corrupt)

    def live_records(
        self, on_corrupt: Callable[[str, str], None] | None = None
    ) -> Iterator[tuple[str, list[Any]]]:
        """The live index's rows of the processes that have not ended, by pid."""
        with self._lock:
            rows = sorted(self._live.items())
        return decode_entries(rows, on_corrupt)

    def record_count(self) -> int:
        return len(self._records)

    def load_checkpoint(self, pid: str) -> dict[str, Any] | None:
        check_key(pid, "pid")
        return decode_checkpoint_of(pid, self._checkpoints.get(pid))

    def get_outputs(self, pid: str) -> dict[str, Any] | None:
        check_key(pid, "pid")
        return decode_entry(self._outputs.get(pid), f"process {pid}: outputs")

    def get_logs(self, pid: str) -> list[tuple[float, str]]:
        check_key(pid, "pid")
        with self._lock:
            blobs = list(self._logs.get(pid, ()))
        return [tuple(decode(blob)) for blob in blobs]  # type: ignore[misc]

    def get(self, db: str, key: str) -> Any | None:
        check_db(db), check_key(key)
        return decode_entry(self._generic.get(db, {}).get(key), f"{db} {key}")

    def items(self, db: str) -> Iterator[tuple[str, Any]]:
        check_db(db)
        with self._lock:
            rows = sorted(self._generic.get(db, {}).items())
        return decode_entries(rows)

    def close(self) -> None:
        """Nothing to release; kept for the common interface."""
