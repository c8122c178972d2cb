"""The store protocol: what the runtime needs from durable (or in-memory) storage.

Records are plain dicts, pids are strings. Everything one ``write`` (or ``write_many``)
is given commits together or not at all: a checkpoint and its registry record can never
disagree after a crash. Both stores encode through :mod:`._codec` and validate through
:func:`stage_writes`, so a value or a pid one store refuses, the other refuses too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from prunus.errors import CheckpointError, CodecError
from prunus.persistence._codec import decode, encode
from prunus.persistence._codec_checkpoint import decode_checkpoint, encode_checkpoint
from prunus.persistence._live_index import summary

__all__ = [
    "GENERIC_DBS",
    "StagedWrite",
    "Store",
    "StoreBase",
    "WriteItem",
    "check_db",
    "check_key",
    "decode_checkpoint_of",
    "decode_entries",
    "decode_entry",
    "stage_own_write",
    "stage_writes",
]

_LOG = logging.getLogger(__name__)

# Databases for later features (memoization, conditions, runtime metadata).
GENERIC_DBS = frozenset({"memo", "conditions", "meta", "notes"})

# LMDB keys are at most 511 bytes; a log key is the pid plus 9 bytes.
MAX_KEY_BYTES = 400

WriteItem = tuple[str, dict[str, Any]]
_PARTS = frozenset({"record", "checkpoint", "outputs", "log_lines"})


class Store(Protocol):
    """Durable state of processes, plus keyed values for later features.

    Reads of a missing pid or key return None (``get_logs``: an empty list).
    """

    @property
    def home(self) -> Path | None:
        """The home directory, or None for a store that lives in memory."""

    def write(
        self,
        pid: str,
        *,
        record: dict[str, Any] | None = None,
        checkpoint: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        log_lines: Sequence[str] = (),
    ) -> None:
        """Commit what is given for ``pid`` in one transaction (None: leave unchanged).

        Raises:
            CodecError: a value cannot be encoded (names its path); nothing was written.
        """

    def write_many(self, items: Sequence[WriteItem]) -> None:
        """Commit several ``write`` calls in one transaction (group commit).

        Each item is ``(pid, parts)`` where ``parts`` uses ``write``'s keyword names.
        """

    def write_staged(
        self, staged: Sequence[StagedWrite], meta: Sequence[tuple[str, Any]] = ()
    ) -> None:
        """Commit writes already encoded by :func:`stage_writes` in one transaction,
        with ``meta``'s ``(key, value)`` pairs put in the ``meta`` database."""

    def get_record(self, pid: str) -> dict[str, Any] | None:
        """The registry record; CodecError (naming the pid) if it cannot be decoded."""

    def records(
        self, on_corrupt: Callable[[str, str], None] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every registry record, by pid; undecodable ones are skipped, so one bad
        record never hides the others, and given to ``on_corrupt(pid, reason)``
        (default: logged)."""

    def load_checkpoint(self, pid: str) -> dict[str, Any] | None:
        """The checkpoint body; CheckpointError naming the pid if it is unreadable."""

    def get_outputs(self, pid: str) -> dict[str, Any] | None: ...

    def get_logs(self, pid: str) -> list[tuple[float, str]]:
        """``(unix time, line)`` pairs in the order they were appended."""

    def delete(self, pid: str) -> None:
        """Forget ``pid``: record, checkpoint, outputs and logs, in one transaction."""

    def drop(self, db: str, key: str) -> None:
        """Remove ``key`` from ``db`` (nothing happens if it is absent)."""

    def put(self, db: str, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` in ``db`` (one of :data:`GENERIC_DBS`)."""

    def get(self, db: str, key: str) -> Any | None: ...

    def items(self, db: str) -> Iterator[tuple[str, Any]]:
        """Every ``(key, value)`` of ``db``, ordered by key."""

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(self, *exc_info: object) -> None: ...


def check_db(db: str) -> str:
    if db not in GENERIC_DBS:
        raise ValueError(f"unknown database {db!r}; one of {sorted(GENERIC_DBS)}")
    return db


def check_key(key: str, what: str = "key") -> bytes:
    """``key`` as the bytes both stores file it under.

    Raises:
        ValueError: not a non-empty str, contains NUL (the log key separator), or is
            too long for an LMDB key.
    """
    if not isinstance(key, str) or not key:
        raise ValueError(f"a {what} is a non-empty str, got {key!r}")
    try:
        raw = key.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"invalid {what} {key[:60]!r}: not valid Unicode") from None
    if b"\0" in raw or len(raw) > MAX_KEY_BYTES:
        raise ValueError(f"invalid {what} {key[:60]!r}: no NUL, at most {MAX_KEY_BYTES} bytes")
    return raw


@dataclass(frozen=True, slots=True)
class StagedWrite:
    """One pid's part of a transaction, already encoded (None: leave unchanged)."""

    pid: str
    key: bytes
    record: bytes | None
    checkpoint: bytes | None
    outputs: bytes | None
    logs: list[bytes]  # each the encoding of [unix time, line]
    summary: bytes | None = None  # the record's live index row; None: it ended


def stage_writes(items: Sequence[WriteItem]) -> list[StagedWrite]:
    """Validate and encode every part before any is stored: an error then aborts the
    whole transaction before it touches the store (the same in memory and on disk)."""
    now = time.time()
    staged = []
    for pid, parts in items:
        key = check_key(pid, "pid")
        if not _PARTS.issuperset(parts):
            unknown = sorted(parts.keys() - _PARTS)
            raise TypeError(f"unknown parts {unknown} for pid {pid!r}; expected {sorted(_PARTS)}")
        record, checkpoint = parts.get("record"), parts.get("checkpoint")
        outputs, lines = parts.get("outputs"), parts.get("log_lines", ())
        for name, value in (("record", record), ("outputs", outputs)):
            if value is not None and not isinstance(value, dict):
                raise TypeError(f"{name} for pid {pid!r} is a dict, got {type(value).__name__}")
        if isinstance(lines, str) or (lines and not all(isinstance(x, str) for x in lines)):
            raise TypeError(f"log_lines for pid {pid!r} is a sequence of str")
        staged.append(_encoded(pid, key, record, checkpoint, outputs, lines, now))
    return staged


def stage_own_write(
    pid: str,
    record: dict[str, Any],
    checkpoint: dict[str, Any],
    outputs: dict[str, Any] | None,
    log_lines: Sequence[str],
) -> StagedWrite:
    """A process's write as the runtime builds it after every step (a record and a
    checkpoint dict, outputs a dict or None, lines of str, all by construction),
    encoded: :func:`stage_writes` without the checks of the parts' shapes, which
    only a caller's own items need (the pid is still checked)."""
    key = check_key(pid, "pid")
    return _encoded(pid, key, record, checkpoint, outputs, log_lines, time.time())


def _encoded(
    pid: str,
    key: bytes,
    record: dict[str, Any] | None,
    checkpoint: dict[str, Any] | None,
    outputs: dict[str, Any] | None,
    lines: Sequence[str],
    now: float,
) -> StagedWrite:
    return StagedWrite(
        pid,
        key,
        None if record is None else encode(record, path_prefix="record"),
        None if checkpoint is None else encode_checkpoint(checkpoint),
        None if outputs is None else encode(outputs, path_prefix="outputs"),
        [encode([now, line]) for line in lines] if lines else [],
        None if record is None else summary(record),
    )


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


def decode_entry(blob: bytes | None, what: str) -> Any:
    """``blob`` decoded (None stays None); a CodecError names ``what`` it was."""
    if blob is None:
        return None
    try:
        return decode(blob)
    except CodecError as error:
        raise CodecError(f"{what}: {error}") from None


def decode_entries(
    rows: Iterable[tuple[str, bytes]], on_corrupt: Callable[[str, str], None] | None = None
) -> Iterator[tuple[str, Any]]:
    """Decoded rows; an undecodable one is skipped, never hiding the rest, and given to
    ``on_corrupt(key, reason)`` (default: logged)."""
    for key, blob in rows:
        try:
            value = decode(blob)
        except CodecError as error:
            if on_corrupt is None:
                _LOG.error("skipping undecodable entry %r: %s", key, error)
            else:
                on_corrupt(key, str(error))
            continue
        yield key, value


def decode_checkpoint_of(pid: str, blob: bytes | None) -> dict[str, Any] | None:
    """The checkpoint body in ``blob`` (None stays None).

    Raises:
        CheckpointError: unreadable; the message names the pid.
    """
    if blob is None:
        return None
    try:
        return decode_checkpoint(blob)
    except CheckpointError as error:
        raise CheckpointError(f"process {pid}: {error}") from None
