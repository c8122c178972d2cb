"""What the dashboard reads: every registry record of a home, kept in memory.

The dashboard never runs a step and never takes the home's runtime lock: it opens the
LMDB store read-only, next to whichever runtime writes it (a daemon, an embedded
client, or none), and re-reads the registry in the background. Pages are answered from
that snapshot, so the first page of a table of 100,000 processes is a filter over a
list in memory, not a scan of the store (measured in ``benchmarks/ui.py``). A re-read
costs about 4 us per process, so the interval grows with the home: four times the last
scan, never less than ``min_interval``; a home of 100,000 processes is re-read about
every two seconds.

Each re-read that finds changed records bumps ``version`` and wakes the server-sent
event streams (``wait_for_change``) with the pids that changed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prunus.actors._records import record_status
from prunus.engine import ProcessState
from prunus.errors import PrunusError
from prunus.persistence import LmdbStore
from prunus.ui._notebook import ProcessTree

__all__ = ["Page", "ProcessIndex", "TableQuery"]

_LOG = logging.getLogger(__name__)
_RECENT_CHANGES = 64  # change sets kept for streams that fell behind
_MAX_CHANGED_LISTED = 500  # more changes than this in one re-read: "everything changed"
TREE_LIMIT = 300  # processes drawn in one tree picture


@dataclass(frozen=True)
class TableQuery:
    """Which processes a table shows. Empty ``states``: all; ``max_age``: created in the
    last that many seconds; ``process_class``: exactly that class."""

    states: frozenset[str] = frozenset()
    process_class: str = ""
    max_age: float | None = None
    paused_only: bool = False
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class Page:
    """One page of a table: its records (newest first), how many match, the counts."""

    rows: list[dict[str, Any]]
    matching: int
    total: int
    counts: dict[str, int]
    classes: list[tuple[str, int]]
    query: TableQuery
    version: int


@dataclass
class _Snapshot:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    newest_first: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    classes: list[tuple[str, int]] = field(default_factory=list)


class ProcessIndex:
    """The registry of the home at ``home``, re-read in a background thread.

    Raises:
        StoreError: the home has no store (nothing ever ran there) or cannot be read.
    """

    def __init__(self, home: Path, *, min_interval: float = 0.5) -> None:
        self.home = home
        self.min_interval = min_interval
        self.scan_seconds = 0.0
        self.version = 0
        self._store = LmdbStore(home, readonly=True)
        self._snapshot = _Snapshot()
        self._changes: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=_RECENT_CHANGES)
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._read_lock = threading.Lock()  # one store reader at a time in this process

    # ---- reading the store -----------------------------------------------------------

    def refresh(self) -> frozenset[str]:
        """Re-read every record now; the pids whose record changed (all, the first time)."""
        started = time.perf_counter()
        with self._read_lock:
            records = dict(self._store.records())
        old = self._snapshot.records
        changed = frozenset(pid for pid, record in records.items() if old.get(pid) != record)
        changed |= old.keys() - records.keys()
        if changed or not self.version:
            newest = sorted(records.values(), key=lambda r: r.get("created") or 0.0, reverse=True)
            counts = Counter(record["state"].upper() for record in newest)
            classes = Counter(record["process_class"] for record in newest)
            snapshot = _Snapshot(records, newest, dict(counts), sorted(classes.items()))
            with self._condition:
                self._snapshot = snapshot
                self.version += 1
                listed = changed if len(changed) <= _MAX_CHANGED_LISTED else None
                self._changes.append((self.version, listed))
                self._condition.notify_all()
        self.scan_seconds = time.perf_counter() - started
        return changed

    def start(self) -> None:
        """Read once now, then keep re-reading in a daemon thread until :meth:`close`."""
        self.refresh()
        self._thread = threading.Thread(target=self._loop, name="prunus-ui-index", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(max(self.min_interval, 4 * self.scan_seconds)):
            try:
                self.refresh()
            except PrunusError as error:  # keep serving the last snapshot
                _LOG.warning("cannot re-read %s: %s", self.home, error)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._condition:
            self._condition.notify_all()
        with self._read_lock:
            self._store.close()

    # ---- change feed -------------------------------------------------------------------

    def wait_for_change(
        self, since: int, timeout: float
    ) -> tuple[int, frozenset[str] | None] | None:
        """Block until the version passes ``since`` (or ``timeout`` seconds, or close).

        Returns ``(version, pids changed since then)``, pids None when too many changed
        (or the stream fell too far behind to know); None on timeout.
        """
        with self._condition:
            if self.version <= since:
                self._condition.wait(timeout)
            if self.version <= since or self._stop.is_set():
                return None
            missed = [pids for version, pids in self._changes if version > since]
            behind = len(missed) < self.version - since
            if behind or any(pids is None for pids in missed):
                return self.version, None
            return self.version, frozenset().union(*missed)  # type: ignore[arg-type]

    # ---- queries -----------------------------------------------------------------------

    def page(self, query: TableQuery, now: float | None = None) -> Page:
        """The records ``query`` selects, newest first, sliced to its page."""
        snapshot, version = self._snapshot, self.version
        now = time.time() if now is None else now
        oldest = None if query.max_age is None else now - query.max_age
        states = {state.lower() for state in query.states}
        rows: list[dict[str, Any]] = []
        end = query.offset + query.limit
        matching = 0
        for record in snapshot.newest_first:
            if oldest is not None and (record.get("created") or 0.0) < oldest:
                break  # newest first: every later record is older still
            if states and record["state"] not in states:
                continue
            if query.process_class and record["process_class"] != query.process_class:
                continue
            if query.paused_only and not (record["paused"] and "result" not in record):
                continue
            if query.offset <= matching < end:
                rows.append(record)
            matching += 1
        return Page(
            rows,
            matching,
            len(snapshot.records),
            dict(snapshot.counts),
            list(snapshot.classes),
            query,
            version,
        )

    def record(self, pid: str) -> dict[str, Any] | None:
        return self._snapshot.records.get(pid)

    def tree(self, pid: str, limit: int = TREE_LIMIT) -> tuple[ProcessTree, int]:
        """``pid``'s tree from the snapshot, at most ``limit`` processes (breadth first),
        and how many more were left out."""
        records = self._snapshot.records
        kept = {pid}
        frontier = [pid]
        left_out = 0
        while frontier:
            following = []
            for parent in frontier:
                for child in records[parent]["children"]:
                    if child not in records:
                        continue
                    if len(kept) < limit:
                        kept.add(child)
                        following.append(child)
                    else:
                        left_out += 1
            frontier = following

        def build(node: str) -> ProcessTree:
            children = tuple(build(c) for c in records[node]["children"] if c in kept)
            return ProcessTree(record_status(records[node]), children)

        return build(pid), left_out

    def details(self, pid: str) -> dict[str, Any]:
        """Everything stored about ``pid``: its record, inputs, outputs, exit code,
        traceback, what it awaits, and its report lines."""
        record = dict(self._snapshot.records.get(pid) or {})
        with self._read_lock:
            record = self._store.get_record(pid) or record
            try:
                checkpoint = self._store.load_checkpoint(pid) or {}
                unreadable = None
            except PrunusError as error:
                checkpoint, unreadable = {}, str(error)
            outputs = self._store.get_outputs(pid)
            logs = self._store.get_logs(pid)
        result = record.get("result") or {}
        if outputs is None:
            outputs = result.get("outputs", checkpoint.get("outputs") or {})
        return {
            "record": record,
            "inputs": checkpoint.get("inputs"),
            "outputs": outputs,
            "exit_code": result.get("exit_code"),
            "exception": result.get("exception") or checkpoint.get("exception"),
            "traceback": checkpoint.get("traceback"),
            "awaiting": _awaited_pids(checkpoint.get("awaiting") or ()),
            "checkpoint_error": unreadable,
            "logs": logs,
        }


def _awaited_pids(awaiting: Iterable[Any]) -> list[str]:
    """The pids a WorkChain's checkpoint says it awaits (``[ctx key, pid, append]``)."""
    pids = []
    for entry in awaiting:
        if isinstance(entry, (list, tuple)) and len(entry) >= 2 and isinstance(entry[1], str):
            pids.append(entry[1])
    return pids


def state_of(record: dict[str, Any]) -> ProcessState:
    return ProcessState(record["state"])
