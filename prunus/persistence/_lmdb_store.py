"""The durable store: one LMDB environment per runtime home. The only lmdb import.

Layout: named databases ``processes`` (registry records), ``checkpoints``, ``outputs``,
``logs`` (key ``pid NUL seq``, seq an 8-byte big-endian counter, so a pid's lines are
one ordered key range), and ``memo``, ``conditions``, ``meta``, ``notes`` (what only a
daemon's supervisor knows of a status, for readers of the store) for later features,
and ``live`` (a row for each process that has not ended: :mod:`._live_index`).

Facts this relies on (DESIGN.md section 7): writers serialise on one lock across
processes; ``MapFullError`` rolls the transaction back, after which ``set_mapsize`` may
grow the map; other processes adopt it with ``set_mapsize(0)``. Sharing environments
within a process and fork safety are in :mod:`._shared_envs`, key layouts in
:mod:`._store_keys`, the disk's edge cases in :mod:`._disk`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import lmdb

from prunus.errors import StoreError
from prunus.persistence import _live_index as live_index
from prunus.persistence import _step_journal as journal
from prunus.persistence import _store_keys as keys
from prunus.persistence._codec import encode
from prunus.persistence._disk import allocate_lock_file, commit_error, one_line
from prunus.persistence._home import resolve_home
from prunus.persistence._private_home import make_home_private
from prunus.persistence._shared_envs import acquire, release
from prunus.persistence._step_journal import JournalWrites
from prunus.persistence._store import (
    GENERIC_DBS,
    StagedWrite,
    StoreBase,
    WriteItem,
    check_db,
    check_key,
    stage_writes,
)
from prunus.persistence._store_fencing import LeaderFencing
from prunus.persistence._store_reads import StoreReads

__all__ = ["LmdbStore"]

_LOG = logging.getLogger(__name__)
_DBS = ("processes", "checkpoints", "outputs", "logs", "live", *sorted(GENERIC_DBS))
_INITIAL_MAP = 64 * 1024 * 1024
_MAX_READERS = 1024
T = TypeVar("T")


class _Environment:
    """One open LMDB environment and its database handles, shared within a process.

    Invariant: every transaction and every ``set_mapsize`` in this process runs under
    ``lock``. LMDB may only remap while this process has no transaction open, and the
    fork hooks below rely on no transaction being open while a process forks.
    """

    def __init__(self, path: Path, map_size: int, sync: bool, readonly: bool) -> None:
        self.path, self.sync, self.readonly = path, sync, readonly
        self.owner_pid, self.users, self.lock = os.getpid(), 0, threading.Lock()
        self.tried_map_size = map_size
        self.unsynced = False  # a commit of this process since its last fsync
        self.synced_at, self.sync_took = 0.0, 0.0  # when the last fsync ended, its length
        self.journal: journal.StepJournal | None = None  # see LmdbStore.journal_staged
        if not readonly:
            allocate_lock_file(path / "lock.mdb")
        self.env = lmdb.open(
            str(path),
            map_size=map_size,
            max_dbs=len(_DBS),
            max_readers=_MAX_READERS,
            sync=sync,
            readonly=readonly,
            create=not readonly,
            mode=0o600,  # data.mdb and lock.mdb: the owner's alone (see _private_home)
        )
        try:
            self.env.reader_check()  # free the slots of readers that were SIGKILLed
            self.dbs = {name: self._open_db(name) for name in _DBS}
            if not readonly:
                self._build_live_index()
                self._replay_journal()
        except BaseException:
            self.env.close()
            raise

    def _open_db(self, name: str) -> Any:
        try:
            return self.env.open_db(name.encode(), create=not self.readonly)
        except lmdb.NotFoundError:  # read-only, and no writer has created it yet
            return None

    def _build_live_index(self) -> None:
        """A home written before the live index gets it on its first writable open,
        made durable at once (:func:`._live_index.build`; a no-op once built)."""
        with self.env.begin() as txn:
            if live_index.is_built(txn, self.dbs["live"]):
                return
        while True:
            try:
                with self.env.begin(write=True) as txn:
                    live_index.build(txn, self.dbs["processes"], self.dbs["live"])
                break
            except lmdb.MapFullError:
                self.grow()
        self.env.sync(True)

    def _replay_journal(self) -> None:
        """Put into LMDB the steps a journaling runtime committed before it died
        (:mod:`._step_journal`), made durable at once; a no-op without a journal."""
        if not (self.path / journal.JOURNAL_FILE).is_file():
            return
        while True:
            try:
                with self.env.begin(write=True) as txn:
                    replayed = journal.replay(txn, self.dbs, self.path)
                break
            except lmdb.MapFullError:
                self.grow()
        if replayed:
            self.env.sync(True)
            _LOG.info("%s: replayed %d journaled steps", self.path, replayed)

    def grow(self) -> None:
        """Double the map after a ``MapFullError`` (the transaction was rolled back).

        Doubles the larger of the size another process may have committed and the size
        this process tried last: ``set_mapsize(0)`` snaps back to the last *committed*
        size, so one write larger than the map would otherwise try the same size
        forever. Without ``writemap`` the map costs address space, not disk: a write
        that does not fit on the disk fails with ENOSPC instead.
        """
        self.env.set_mapsize(0)  # adopt a size another process may have set
        size = max(self.env.info()["map_size"], self.tried_map_size) * 2
        self.env.set_mapsize(size)
        self.tried_map_size = size
        _LOG.info("grew the LMDB map of %s to %d MiB", self.path, size >> 20)


class LmdbStore(StoreReads, LeaderFencing, JournalWrites, StoreBase):
    """Durable store in ``home`` (``home=`` > $PRUNUS_HOME > ./.prunus).

    Several stores on one home in a process share one environment; several OS
    processes may open the same home at once (writers take turns on LMDB's lock).

    Args:
        map_size: initial map size in bytes; the map doubles whenever it is full.
        sync: True (default): a commit is on disk before ``write`` returns, so a
            committed step survives a power cut. False: a commit is visible to other
            processes at once and survives a crash of this process (even SIGKILL), but
            an OS crash or power cut may lose the last commits; LMDB keeps the database
            consistent then only if the filesystem preserves write order. ``close()``
            flushes. Stores sharing an environment may differ: a ``sync=True`` store
            on an environment opened without sync flushes after each of its commits.
        flush_once: with ``sync``, make each commit durable with one ``fdatasync``
            after it (the environment opened without sync), instead of LMDB's ordered
            pair (the pages synced, then the meta page written with ``O_DSYNC``): half
            the disk flushes, 1.1 against 3.2 ms a commit at p50 on a busy 2-core
            machine. The price is ``PRUNUS_SYNC=group``'s (``_sync_policy``): a power
            cut during the commit may find its meta page on disk before its pages.
            Takes effect when this store opens the environment (the first store of
            this process on the home).
        readonly: read only; the store must already exist and is never created.

    Raises:
        StoreError: the home cannot be created or opened (one line: path and reason).
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        map_size: int = _INITIAL_MAP,
        sync: bool = True,
        flush_once: bool = False,
        readonly: bool = False,
    ) -> None:
        self._path = resolve_home(home)
        self._map_size, self._sync, self._readonly = map_size, sync, readonly
        self._lmdb_sync = sync and not flush_once  # the environment's own sync flag
        self._closed = True
        self._shared = self._open()
        self._closed = False
        # The last write's failure, until a write succeeds (an embedded runtime that
        # stalls asks its store why).
        self.write_error: StoreError | None = None

    def __repr__(self) -> str:
        mode = "readonly" if self._readonly else "sync" if self._sync else "no sync"
        return f"LmdbStore({str(self._path)!r}, {mode})"

    @property
    def home(self) -> Path:
        return self._path

    # ---- writing -----------------------------------------------------------------------

    def write_many(self, items: Sequence[WriteItem]) -> None:
        """Everything in ``items`` in one transaction (one fsync with ``sync=True``)."""
        self.write_staged(stage_writes(items))  # validated and encoded before the lock

    def write_staged(
        self,
        staged: Sequence[StagedWrite],
        fence: str | None = None,
        meta: Sequence[tuple[str, Any]] = (),
    ) -> None:
        """Commit writes already encoded by :func:`stage_writes`, in one transaction.

        This is the group commit: a host stages every write of a slice of steps as it
        happens (so an encoding error is raised at the step that caused it) and
        commits them all with one fsync. With ``fence`` (a host on a daemon member),
        nothing is written if that token was fenced (:meth:`fence`). ``meta``: ``(key,
        value)`` pairs put in the ``meta`` database by the same transaction.

        Raises:
            StoreError: ``fence`` was fenced: the writer's processes belong to another
                host now.
        """
        if not staged and not meta:
            return
        extra = [(check_key(k), encode(v, path_prefix=f"meta[{k!r}]")) for k, v in meta]

        def transaction(txn: Any, dbs: dict[str, Any]) -> None:
            if fence is not None and keys.fenced(txn, dbs["meta"], fence):
                raise StoreError(f"host {fence} was fenced: its processes moved elsewhere")
            for raw, blob in extra:
                txn.put(raw, blob, db=dbs["meta"])
            journal.put_staged(txn, dbs, staged)

        self._write(transaction)

    def delete(self, pid: str) -> None:
        key = check_key(pid, "pid")

        def transaction(txn: Any, dbs: dict[str, Any]) -> None:
            for name in ("processes", "checkpoints", "outputs", "live"):
                txn.delete(key, db=dbs[name])
            for log_key in keys.log_keys(txn, dbs["logs"], key):
                txn.delete(log_key, db=dbs["logs"])

        self._write(transaction)

    def drop(self, db: str, key: str) -> None:
        """Remove ``key`` from ``db`` (nothing happens if it is absent)."""
        name, raw = check_db(db), check_key(key)
        self._write(lambda txn, dbs: txn.delete(raw, db=dbs[name]))

    def put(self, db: str, key: str, value: Any) -> None:
        name, raw, blob = check_db(db), check_key(key), encode(value, path_prefix=f"{db}[{key!r}]")
        self._write(lambda txn, dbs: txn.put(raw, blob, db=dbs[name]))

    def flush(self, unless_within: float = 0.0) -> None:
        """Make every commit so far durable (fsync), for a store opened with
        ``sync=False`` that wants durability at moments of its choosing. Costs
        nothing when this OS process committed nothing since its last fsync.

        ``unless_within``: skip the fsync if the last one (by any store of this process
        on this home) ended less than that many seconds ago, or less than four times
        as long as it took: a slow disk (10 ms an fsync on a busy machine) then takes
        at most a fifth of the time. For the embedded runtime's group commit.
        """
        if not self._readonly:
            shared = self._environment()
            with shared.lock:
                if not shared.unsynced:
                    return
                if unless_within and time.monotonic() - shared.synced_at < max(
                    unless_within, 4 * shared.sync_took
                ):
                    return
                self._sync_locked(shared)

    # ---- lifetime ----------------------------------------------------------------------

    def close(self) -> None:
        """Release this store; the environment closes with the last store using it."""
        if self._closed:
            return
        self._closed = True
        shared = self._shared
        if shared.owner_pid != os.getpid():
            return  # inherited across fork: the fork hook already dropped it
        if not self._readonly and (not self._sync or shared.journal is not None):
            with shared.lock:
                self._sync_locked(shared)
                if shared.journal is not None and shared.users == 1:
                    shared.journal.close(remove=True)  # all of it is in LMDB, on disk
                    shared.journal = None
        release(shared)

    # ---- internals ---------------------------------------------------------------------

    def _open(self) -> _Environment:
        path = self._path
        if self._readonly:
            if not (path / "data.mdb").is_file():
                what = "has no prunus store" if path.is_dir() else "does not exist"
                raise StoreError(f"cannot open prunus store at {path}: the directory {what}")
        elif path.exists() and not path.is_dir():
            raise StoreError(f"cannot open prunus store at {path}: it is not a directory")
        try:
            if not self._readonly or path.is_dir():
                make_home_private(path)
            return acquire(
                path,
                self._readonly,
                lambda: _Environment(path, self._map_size, self._lmdb_sync, self._readonly),
            )
        except (OSError, lmdb.Error) as error:
            reason = getattr(error, "strerror", None) or one_line(error)
            reason = reason.removeprefix(f"{path}: ")  # lmdb names the path too
            raise StoreError(f"cannot open prunus store at {path}: {reason}") from None

    def _environment(self) -> _Environment:
        if self._closed:
            raise StoreError(f"the prunus store at {self._path} is closed")
        if self._shared.owner_pid != os.getpid():  # forked: open this process's own
            self._shared = self._open()
        return self._shared

    def _get(self, db: str, key: bytes) -> bytes | None:
        return self._read(lambda txn, dbs: None if dbs[db] is None else txn.get(key, db=dbs[db]))

    def _read(self, body: Callable[[Any, dict[str, Any]], T]) -> T:
        shared = self._environment()
        with shared.lock:
            if shared.journal is not None and shared.journal.pending:
                self._commit_locked(shared, lambda txn, dbs: None)  # reads see every step
            return self._read_locked(shared, body)

    def _read_locked(self, shared: _Environment, body: Callable[[Any, dict[str, Any]], T]) -> T:
        while True:
            try:
                with shared.env.begin() as txn:
                    return body(txn, shared.dbs)
            except lmdb.MapResizedError:
                shared.env.set_mapsize(0)  # another process grew the map: adopt it
            except lmdb.Error as error:
                raise StoreError(f"cannot read {self._path}: {one_line(error)}") from None

    def _write(self, body: Callable[[Any, dict[str, Any]], Any]) -> None:
        if self._readonly:
            raise StoreError(f"the prunus store at {self._path} is open read-only")
        shared = self._environment()
        with shared.lock:
            self._commit_locked(shared, body)
            if self._sync and not shared.sync:
                self._sync_locked(shared)
            elif not shared.sync:
                shared.unsynced = True
        self.write_error = None

    def _commit_locked(
        self, shared: _Environment, body: Callable[[Any, dict[str, Any]], Any]
    ) -> None:
        """One write transaction running ``body``, after the journal's pending steps."""
        pending = () if shared.journal is None else shared.journal.pending
        while True:
            try:
                with shared.env.begin(write=True) as txn:
                    journal.apply_entries(txn, shared.dbs, pending)
                    body(txn, shared.dbs)
                break
            except lmdb.MapFullError:
                shared.grow()  # the transaction was rolled back: grow, run it again
            except lmdb.MapResizedError:
                shared.env.set_mapsize(0)
            except lmdb.Error as error:
                raise self._write_failed(error) from None
        if pending:
            shared.journal.taken()

    def _sync_locked(self, shared: _Environment) -> None:
        """Make everything durable: the journal's pending steps into LMDB, then fsync."""
        started = time.monotonic()
        if shared.journal is not None and shared.journal.pending:
            self._commit_locked(shared, lambda txn, dbs: None)
        try:
            shared.env.sync(True)
        except lmdb.Error as error:
            raise self._write_failed(error) from None
        shared.unsynced = False
        shared.synced_at = time.monotonic()
        shared.sync_took = shared.synced_at - started
        if shared.journal is not None:
            shared.journal.restart()  # all of it is in LMDB, on disk

    def _write_failed(self, error: lmdb.Error | str) -> StoreError:
        """The one-line error for a failed commit; remembered in ``write_error``."""
        reason = error if isinstance(error, str) else one_line(error)
        self.write_error = commit_error(self._path, reason)
        return self.write_error
