"""The store protocol: what the runtime needs from durable (or in-memory) storage.

Records are plain dicts, pids are strings. Everything one ``write`` (or ``write_many``)
is given commits together or not at all: a checkpoint and its registry record can never
disagree after a crash.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from prunus.persistence._codec import encode, encode_checkpoint

__all__ = ["GENERIC_DBS", "StagedWrite", "Store", "StoreBase", "WriteItem", "stage_writes"]

# Databases for later features (memoization, conditions, runtime metadata).
GENERIC_DBS = frozenset({"memo", "conditions", "meta"})

WriteItem = tuple[str, dict[str, Any]]


class Store(Protocol):
    @property
    def home(self) -> Path | None: ...

    def write(
        self,
        pid: str,
        *,
        record: dict[str, Any] | None = None,
        checkpoint: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        log_lines: Sequence[str] = (),
    ) -> None:
        """Commit what is given for ``pid`` in one transaction."""

    def write_many(self, items: Sequence[WriteItem]) -> None:
        """Commit several ``write`` calls (keyword dicts by pid) in one transaction."""

    def get_record(self, pid: str) -> dict[str, Any] | None: ...

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]: ...

    def load_checkpoint(self, pid: str) -> dict[str, Any] | None:
        """The checkpoint body; raises CheckpointError naming the pid if unreadable."""

    def get_outputs(self, pid: str) -> dict[str, Any] | None: ...

    def get_logs(self, pid: str) -> list[tuple[float, str]]: ...

    def delete(self, pid: str) -> None: ...

    def put(self, db: str, key: str, value: Any) -> None: ...

    def get(self, db: str, key: str) -> Any | None: ...

    def items(self, db: str) -> Iterator[tuple[str, Any]]: ...

    def close(self) -> None: ...


def check_db(db: str) -> str:
    if db not in GENERIC_DBS:
        raise ValueError(f"unknown database {db!r}; one of {sorted(GENERIC_DBS)}")
    return db


@dataclass(frozen=True, slots=True)
class StagedWrite:
    """One pid's part of a transaction, already encoded (None: leave unchanged)."""

    pid: str
    record: bytes | None
    checkpoint: bytes | None
    outputs: bytes | None
    log_lines: list[str]


def stage_writes(items: Sequence[WriteItem]) -> list[StagedWrite]:
    """Encode every part before any is stored: a CodecError then aborts the whole
    transaction before it touches the store (the same in memory and on disk)."""
    staged = []
    for pid, parts in items:
        record, checkpoint = parts.get("record"), parts.get("checkpoint")
        outputs = parts.get("outputs")
        staged.append(
            StagedWrite(
                pid,
                None if record is None else encode(record, path_prefix="record"),
                None if checkpoint is None else encode_checkpoint(checkpoint),
                None if outputs is None else encode(outputs, path_prefix="outputs"),
                [str(line) for line in parts.get("log_lines", ())],
            )
        )
    return staged


class StoreBase:
    """What every store derives from ``write_many``: single writes and ``with``."""

    def write_many(self, items: Sequence[WriteItem]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def write(
        self,
        pid: str,
        *,
        record: dict[str, Any] | None = None,
        checkpoint: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        log_lines: Sequence[str] = (),
    ) -> None:
        """Commit what is given for ``pid`` in one transaction."""
        parts = {"record": record, "checkpoint": checkpoint, "outputs": outputs}
        self.write_many([(pid, {**parts, "log_lines": log_lines})])

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
