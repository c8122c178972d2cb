"""An in-process store with the LMDB store's interface and behaviour.

Values are kept encoded, exactly as the LMDB store keeps them: a caller mutating an
object after writing it changes nothing stored, and a value the codec cannot encode
fails here just as it would with a home directory.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from prunus.errors import CheckpointError
from prunus.persistence._codec import decode, decode_checkpoint, encode
from prunus.persistence._store import StoreBase, WriteItem, check_db, stage_writes

__all__ = ["MemoryStore"]


class MemoryStore(StoreBase):
    """Process registry, checkpoints, outputs and logs in dicts of bytes."""

    def __init__(self) -> None:
        self._records: dict[str, bytes] = {}
        self._checkpoints: dict[str, bytes] = {}
        self._outputs: dict[str, bytes] = {}
        self._logs: dict[str, list[tuple[float, str]]] = {}
        self._generic: dict[str, dict[str, bytes]] = {}

    @property
    def home(self) -> Path | None:
        return None

    def write_many(self, items: Sequence[WriteItem]) -> None:
        staged = stage_writes(items)
        now = time.time()
        for item in staged:
            if item.record is not None:
                self._records[item.pid] = item.record
            if item.checkpoint is not None:
                self._checkpoints[item.pid] = item.checkpoint
            if item.outputs is not None:
                self._outputs[item.pid] = item.outputs
            if item.log_lines:
                self._logs.setdefault(item.pid, []).extend((now, x) for x in item.log_lines)

    def get_record(self, pid: str) -> dict[str, Any] | None:
        blob = self._records.get(pid)
        return None if blob is None else decode(blob)

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for pid, blob in list(self._records.items()):
            yield pid, decode(blob)

    def load_checkpoint(self, pid: str) -> dict[str, Any] | None:
        blob = self._checkpoints.get(pid)
        if blob is None:
            return None
        try:
            return decode_checkpoint(blob)
        except CheckpointError as error:
            raise CheckpointError(f"process {pid}: {error}") from None

    def get_outputs(self, pid: str) -> dict[str, Any] | None:
        blob = self._outputs.get(pid)
        return None if blob is None else decode(blob)

    def get_logs(self, pid: str) -> list[tuple[float, str]]:
        return list(self._logs.get(pid, []))

    def delete(self, pid: str) -> None:
        for table in (self._records, self._checkpoints, self._outputs, self._logs):
            table.pop(pid, None)

    def put(self, db: str, key: str, value: Any) -> None:
        self._generic.setdefault(check_db(db), {})[key] = encode(value)

    def get(self, db: str, key: str) -> Any | None:
        blob = self._generic.get(check_db(db), {}).get(key)
        return None if blob is None else decode(blob)

    def items(self, db: str) -> Iterator[tuple[str, Any]]:
        for key, blob in sorted(self._generic.get(check_db(db), {}).items()):
            yield key, decode(blob)

    def close(self) -> None:
        """Nothing to release; kept for the common interface."""
