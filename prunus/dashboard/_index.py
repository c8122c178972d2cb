"""What the dashboard reads: every registry record of a home, kept in memory.

The dashboard never runs a step and never takes the home's runtime lock: it opens the
LMDB store read-only, next to whichever runtime writes it (a daemon, an embedded
client, or none), and re-reads the registry in the background. Pages are answered from
that snapshot, so the first page of a table of 100,000 processes is a filter over a
list in memory, not a scan of the store (measured in ``benchmarks/ui.py``). A re-read
compares the encoded records and decodes only the changed ones; its interval grows with
the home: four times the last re-read, never less than ``min_interval``.

Each re-read that finds changed records bumps ``version`` and wakes the server-sent
event streams (``wait_for_change``) with the pids that changed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prunus.engine import ProcessState, ProcessStatus
from prunus.errors import CodecError, PrunusError
from prunus.persistence import LmdbStore, decode
from prunus.ui._notebook import ProcessTree

__all__ = ["Page", "ProcessIndex", "TableQuery"]

_LOG = logging.getLogger(__name__)
_RECENT_CHANGES = 64  # change sets kept for streams that fell behind
_MAX_CHANGED_LISTED = 500  # more changes than this in one re-read: "everything changed"
TREE_LIMIT = 300  # processes drawn in one tree picture
_ENDED = frozenset(state.value for state in ProcessState if state.is_terminal)


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
    """One read of the registry, with the lists a page is cut from (newest first)."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    newest_first: list[dict[str, Any]] = field(default_factory=list)
    by_state: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_class: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {state.upper(): len(rows) for state, rows in self.by_state.items()}

    @property
    def classes(self) -> list[tuple[str, int]]:
        return sorted((name, len(rows)) for name, rows in self.by_class.items())

    @classmethod
    def of(cls, records: dict[str, dict[str, Any]]) -> _Snapshot:
        newest = sorted(records.values(), key=lambda r: r.get("created") or 0.0, reverse=True)
        by_state: dict[str, list[dict[str, Any]]] = {}
        by_class: dict[str, list[dict[str, Any]]] = {}
        for record in newest:
            by_state.setdefault(record["state"], []).append(record)
            by_class.setdefault(record["process_class"], []).append(record)
        return cls(records, newest, by_state, by_class)


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
        self._fingerprints: dict[str, int] = {}
        self._changes: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=_RECENT_CHANGES)
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._read_lock = threading.Lock()  # one store reader at a time in this process

    # ---- reading the store -----------------------------------------------------------

    def refresh(self) -> frozenset[str]:
        """Re-read every record now; the pids whose record changed (all, the first time).

        Records are compared still encoded, and only changed ones are decoded: reading
        100,000 encoded records costs about a quarter of decoding them all.
        """
        started = time.perf_counter()
        with self._read_lock:
            rows = self._store.record_blobs()
        # Invariant: a record is decoded again only if its bytes changed. A fingerprint
        # (Python's 64-bit hash of the bytes) stands for them, to keep a copy of every
        # record's bytes out of memory; a collision would leave one row stale until its
        # next change, with odds of 2**-64 per change.
        fingerprints = {pid: hash(blob) for pid, blob in rows}
        old = self._fingerprints
        changed = {pid for pid, mark in fingerprints.items() if old.get(pid) != mark}
        removed = old.keys() - fingerprints.keys()
        if changed or removed or not self.version:
            blobs = dict(rows) if changed else {}
            records = dict(self._snapshot.records)
            for pid in removed:
                del records[pid]
            for pid in changed:
                try:
                    records[pid] = _slim(decode(blobs[pid]))
                except CodecError as error:  # one bad record never hides the others
                    _LOG.error("skipping the undecodable record of %s: %s", pid, error)
                    records.pop(pid, None)
            snapshot = _Snapshot.of(records)
            with self._condition:
                self._snapshot, self._fingerprints = snapshot, fingerprints
                self.version += 1
                every = frozenset(changed | removed)
                listed = every if len(every) <= _MAX_CHANGED_LISTED else None
                self._changes.append((self.version, listed))
                self._condition.notify_all()
        self.scan_seconds = time.perf_counter() - started
        return frozenset(changed | removed)

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
        """The records ``query`` selects, newest first, sliced to its page.

        The rows are cut from the narrowest list the snapshot keeps (one state, one
        class, or all), so an unfiltered or singly filtered page costs a slice, not a
        pass over every process; only the remaining filters are checked one by one.
        """
        snapshot, version = self._snapshot, self.version
        now = time.time() if now is None else now
        states = {state.lower() for state in query.states}
        if query.process_class:
            candidates = snapshot.by_class.get(query.process_class, [])
        elif len(states) == 1:
            candidates, states = snapshot.by_state.get(states.pop(), []), set()
        else:
            candidates = snapshot.newest_first
        if query.max_age is not None:
            candidates = candidates[: _newer_than(candidates, now - query.max_age)]
        end = query.offset + query.limit
        if not states and not query.paused_only:
            rows, matching = candidates[query.offset : end], len(candidates)
        else:
            rows, matching = [], 0
            for record in candidates:
                if states and record["state"] not in states:
                    continue
                if query.paused_only and not (record["paused"] and record["state"] not in _ENDED):
                    continue
                if query.offset <= matching < end:
                    rows.append(record)
                matching += 1
        return Page(
            rows,
            matching,
            len(snapshot.records),
            snapshot.counts,
            snapshot.classes,
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
            return ProcessTree(ProcessStatus.from_data(records[node]), children)

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


def _slim(record: dict[str, Any]) -> dict[str, Any]:
    """A registry record without its result (the outputs, which may be large): the
    table and the trees never show it, and the process page reads the whole record."""
    record.pop("result", None)
    return record


def _newer_than(newest_first: list[dict[str, Any]], oldest: float) -> int:
    """How many records at the head of a newest-first list were created at or after
    ``oldest`` (a binary search: the list is sorted by creation time, descending)."""
    low, high = 0, len(newest_first)
    while low < high:
        middle = (low + high) // 2
        if (newest_first[middle].get("created") or 0.0) >= oldest:
            low = middle + 1
        else:
            high = middle
    return low


def _awaited_pids(awaiting: Iterable[Any]) -> list[str]:
    """The pids a WorkChain's checkpoint says it awaits (``[ctx key, pid, append]``)."""
    pids = []
    for entry in awaiting:
        if isinstance(entry, (list, tuple)) and len(entry) >= 2 and isinstance(entry[1], str):
            pids.append(entry[1])
    return pids
