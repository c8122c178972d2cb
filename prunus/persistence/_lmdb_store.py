"""The durable store: one LMDB environment per runtime home. The only lmdb import.

Layout: named databases ``processes`` (registry records), ``checkpoints``, ``outputs``,
``logs`` (key ``pid NUL seq``, so a pid's lines are one ordered range), and ``memo``,
``conditions``, ``meta`` for later features.

Facts this relies on (DESIGN.md section 7): writers serialise on one lock across
processes; ``MapFullError`` rolls back, after which ``set_mapsize`` may grow the map;
other processes adopt a grown map with ``set_mapsize(0)``; py-lmdb refuses to open one
environment twice in a process, so environments are shared per path and refcounted,
and never used across fork (a forked child opens its own).
"""

from __future__ import annotations

import os
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import lmdb

from prunus.errors import CheckpointError, StoreError
from prunus.persistence._codec import decode, decode_checkpoint, encode
from prunus.persistence._home import resolve_home
from prunus.persistence._store import StoreBase, WriteItem, check_db, stage_writes

__all__ = ["LmdbStore"]

_DBS = ("processes", "checkpoints", "outputs", "logs", "memo", "conditions", "meta")
_INITIAL_MAP = 64 * 1024 * 1024
_MAX_READERS = 1024
_SEQ = struct.Struct(">Q")
T = TypeVar("T")


class _Environment:
    """One open LMDB environment and its database handles, shared within a process."""

    def __init__(self, path: Path, map_size: int, sync: bool, readonly: bool) -> None:
        self.path, self.owner_pid, self.users = path, os.getpid(), 0
        self.env = lmdb.open(
            str(path),
            map_size=map_size,
            max_dbs=len(_DBS) + 1,
            max_readers=_MAX_READERS,
            sync=sync,
            readonly=readonly,
            lock=True,
        )
        self.env.reader_check()  # clear slots left by SIGKILLed readers
        self.dbs = {name: self.env.open_db(name.encode(), create=not readonly) for name in _DBS}


_OPEN: dict[tuple[str, bool], _Environment] = {}
_OPEN_LOCK = threading.Lock()


def _acquire(path: Path, map_size: int, sync: bool, readonly: bool) -> _Environment:
    key = (os.path.realpath(path), readonly)
    with _OPEN_LOCK:
        shared = _OPEN.get(key)
        if shared is None or shared.owner_pid != os.getpid():
            shared = _OPEN[key] = _Environment(path, map_size, sync, readonly)
        shared.users += 1
        return shared


def _release(shared: _Environment, readonly: bool) -> None:
    key = (os.path.realpath(shared.path), readonly)
    with _OPEN_LOCK:
        shared.users -= 1
        if shared.users == 0 and _OPEN.get(key) is shared:
            del _OPEN[key]
            shared.env.close()


class LmdbStore(StoreBase):
    """Durable store in ``home`` (``home=`` > $PRUNUS_HOME > ./.prunus).

    Args:
        map_size: initial map size in bytes; the map doubles whenever it is full.
        sync: True (default) makes every commit durable before it returns (fsync).
            With False a commit is visible to other processes at once and survives a
            crash of this process, but the last commits may be lost if the machine
            itself loses power; the database is never corrupted either way.
        readonly: open for reading only; the home must already exist.

    Raises:
        StoreError: the home cannot be created or opened (one line: path and reason).
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        map_size: int = _INITIAL_MAP,
        sync: bool = True,
        readonly: bool = False,
    ) -> None:
        path = resolve_home(home)
        self._readonly = readonly
        try:
            if readonly:
                if not (path / "data.mdb").exists():
                    raise StoreError(f"no prunus store at {path} (it does not exist)")
            else:
                path.mkdir(parents=True, exist_ok=True)
            self._shared = _acquire(path, map_size, sync, readonly)
        except StoreError:
            raise
        except (OSError, lmdb.Error) as error:
            reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
            raise StoreError(f"cannot open prunus store at {path}: {reason}") from None
        self._path = path
        self._closed = False

    @property
    def home(self) -> Path:
        return self._path

    # ---- writing -----------------------------------------------------------------------

    def write_many(self, items: Sequence[WriteItem]) -> None:
        """Everything in ``items`` in one transaction (one fsync with ``sync=True``)."""
        staged = stage_writes(items)  # encoded outside the write lock
        now = time.time()
        dbs = self._dbs()

        def transaction(txn: Any) -> None:
            for item in staged:
                key, record, checkpoint = item.pid.encode(), item.record, item.checkpoint
                outputs, lines = item.outputs, item.log_lines
                if record is not None:
                    txn.put(key, record, db=dbs["processes"])
                if checkpoint is not None:
                    txn.put(key, checkpoint, db=dbs["checkpoints"])
                if outputs is not None:
                    txn.put(key, outputs, db=dbs["outputs"])
                if lines:
                    seq = self._next_log_seq(txn, key)
                    for offset, line in enumerate(lines):
                        txn.put(
                            key + b"\0" + _SEQ.pack(seq + offset),
                            encode([now, line]),
                            db=dbs["logs"],
                        )

        self._write(transaction)

    def delete(self, pid: str) -> None:
        key, dbs = pid.encode(), self._dbs()

        def transaction(txn: Any) -> None:
            for name in ("processes", "checkpoints", "outputs"):
                txn.delete(key, db=dbs[name])
            for log_key in self._log_keys(txn, key):
                txn.delete(log_key, db=dbs["logs"])

        self._write(transaction)

    def put(self, db: str, key: str, value: Any) -> None:
        handle, blob = self._dbs()[check_db(db)], encode(value)
        self._write(lambda txn: txn.put(key.encode(), blob, db=handle))

    # ---- reading -----------------------------------------------------------------------

    def get_record(self, pid: str) -> dict[str, Any] | None:
        return self._get("processes", pid)

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        rows = self._read(lambda txn: list(txn.cursor(db=self._dbs()["processes"])))
        for key, blob in rows:
            yield key.decode(), decode(blob)

    def load_checkpoint(self, pid: str) -> dict[str, Any] | None:
        blob = self._read(lambda txn: txn.get(pid.encode(), db=self._dbs()["checkpoints"]))
        if blob is None:
            return None
        try:
            return decode_checkpoint(blob)
        except CheckpointError as error:
            raise CheckpointError(f"process {pid}: {error}") from None

    def get_outputs(self, pid: str) -> dict[str, Any] | None:
        return self._get("outputs", pid)

    def get_logs(self, pid: str) -> list[tuple[float, str]]:
        key, handle = pid.encode(), self._dbs()["logs"]

        def read(txn: Any) -> list[bytes]:
            return [txn.get(k, db=handle) for k in self._log_keys(txn, key)]

        return [tuple(decode(blob)) for blob in self._read(read)]  # type: ignore[misc]

    def get(self, db: str, key: str) -> Any | None:
        return self._get(check_db(db), key)

    def items(self, db: str) -> Iterator[tuple[str, Any]]:
        handle = self._dbs()[check_db(db)]
        for key, blob in self._read(lambda txn: list(txn.cursor(db=handle))):
            yield key.decode(), decode(blob)

    # ---- lifetime ----------------------------------------------------------------------

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _release(self._shared, self._readonly)

    # ---- internals ---------------------------------------------------------------------

    def _dbs(self) -> dict[str, Any]:
        if self._closed:
            raise StoreError(f"the store at {self._path} is closed")
        if self._shared.owner_pid != os.getpid():  # forked: never reuse the parent's env
            _release(self._shared, self._readonly)
            self._shared = _acquire(self._path, _INITIAL_MAP, True, self._readonly)
        return self._shared.dbs

    def _get(self, db: str, key: str) -> Any | None:
        blob = self._read(lambda txn: txn.get(key.encode(), db=self._dbs()[db]))
        return None if blob is None else decode(blob)

    def _read(self, body: Callable[[Any], T]) -> T:
        self._dbs()  # raises for a closed store; reopens after a fork
        env = self._shared.env
        while True:
            try:
                with env.begin() as txn:
                    return body(txn)
            except lmdb.MapResizedError:
                env.set_mapsize(0)  # another process grew the map: adopt its size

    def _write(self, body: Callable[[Any], Any]) -> None:
        if self._readonly:
            raise StoreError(f"the store at {self._path} is open read-only")
        self._dbs()
        env = self._shared.env
        while True:
            try:
                with env.begin(write=True) as txn:
                    body(txn)
                return
            except lmdb.MapFullError:
                env.set_mapsize(env.info()["map_size"] * 2)  # rolled back: grow, retry
            except lmdb.MapResizedError:
                env.set_mapsize(0)
            except lmdb.Error as error:
                raise StoreError(f"cannot write to {self._path}: {error}") from None

    def _log_keys(self, txn: Any, key: bytes) -> list[bytes]:
        prefix = key + b"\0"
        cursor = txn.cursor(db=self._shared.dbs["logs"])
        keys = []
        if cursor.set_range(prefix):
            for log_key in cursor.iternext(values=False):
                if not log_key.startswith(prefix):
                    break
                keys.append(log_key)
        return keys

    def _next_log_seq(self, txn: Any, key: bytes) -> int:
        prefix = key + b"\0"
        cursor = txn.cursor(db=self._shared.dbs["logs"])
        found = cursor.set_range(prefix + b"\xff" * _SEQ.size)
        found = cursor.prev() if found else cursor.last()
        if found and cursor.key().startswith(prefix):
            return _SEQ.unpack(cursor.key()[len(prefix) :])[0] + 1
        return 0
