"""Reads for a client on the daemon's own machine: straight from the home's store.

Why: a daemon's supervisor answers every client and every host in one mailbox. Under
load (1,000 chains on 2 hosts, 20 clients; ``benchmarks/cli_load.py``) a status read
through it waited behind host traffic and behind other clients' lists (each one a
pickle of every status), seconds at p99. A client that can open the home reads the
store instead: LMDB readers never wait for the writer, and the store holds each
process's last committed status, which is what the supervisor shows too (hosts
commit before they report). What only the supervisor knows (blocked, waiting for a
host, a long step in progress) it writes down as notes (:mod:`._status_notes`),
which these reads show while they hold; what a held process waits for (``when=``)
is in its record.

Answered here: ``status``, ``list``, ``list_page``, ``outputs`` and ``report``. A pid
the store has no record of (or one it cannot read) is asked of the supervisor, which
answers it as always (``unknown process``, or a corrupt record shown EXCEPTED): the
store never gives an answer the supervisor would not. On a full disk the supervisor
cannot write its notes either (``blocked: cannot write ...`` is one of them), so while
the home's filesystem has under :data:`_ROOM` free, status and list go to the
supervisor too: slower, but true. Controls, waits and launches
always go to the supervisor. A client of a daemon given by its address only (another
user's, with a copy of the key) keeps every read on the supervisor's path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from prunus.actors._listing import ListPage, ListQuery, ProcessPage, page_of
from prunus.actors._live_page import live_page, shown_status
from prunus.actors._persisting import corrupt_status
from prunus.actors._status_notes import NOTES_DB
from prunus.engine import ProcessState, ProcessStatus
from prunus.errors import PrunusError
from prunus.persistence import LmdbStore
from prunus.persistence._live_index import FIELDS

__all__ = ["LocalReads"]

_ROOM = 1 << 20  # bytes free on the home's filesystem below which notes may be missing
# Rows a page from the store decodes (all it might show, to sort them) above which the
# supervisor pages instead: its sorted listing index costs a page what it shows
# (``_listing_index``), so 200k processes page in ~50 ms there, ~800 ms here; below
# this a page from the store stays under ~100 ms and never waits behind host traffic.
LOCAL_PAGE_ROWS = 20_000
# The stored values of the ended states (a record keeps its state as its value).
_ENDED = frozenset(state.value for state in ProcessState if state.is_terminal)
_ENDED_NAMES = frozenset(state.name for state in ProcessState if state.is_terminal)
_STATES = {state.value: state for state in ProcessState}
_WHEN = FIELDS.index("when")


class LocalReads:
    """The read half of a runtime, from the store of ``home`` (opened read-only on
    first use, in this OS process). ``ask`` is the supervisor's path, for what the
    store cannot answer: ``ask(kind, *args)`` with ``kind`` a method name.
    ``check_alive`` raises (DaemonError) once the daemon is gone: a client of a daemon
    that stopped says so, as on the supervisor's path, rather than read on."""

    def __init__(
        self,
        home: str | os.PathLike[str],
        ask: Callable[..., Any],
        check_alive: Callable[[], None] = lambda: None,
    ) -> None:
        self._home = Path(home)
        self._ask = ask
        self._check_alive = check_alive
        self._store: LmdbStore | None = None

    def status(self, pid: str) -> ProcessStatus:
        store = self._open()
        if self._disk_full():
            return self._ask("status", pid)
        try:
            record = store.get_record(pid)
            if record is not None:
                shown = shown_status(record, store.get(NOTES_DB, pid))
                if shown.pid == pid:
                    return shown
        except (PrunusError, ValueError, TypeError, KeyError):
            pass  # a record it cannot read: the supervisor says what it is
        return self._ask("status", pid)

    def stored(self, pid: str) -> bool:
        """Whether the store holds ``pid``'s record (:mod:`._registering_soon`)."""
        try:
            return self._open().get_record(pid) is not None
        except (PrunusError, ValueError, TypeError, KeyError):
            return False

    def list(self) -> tuple[ProcessStatus, ...]:
        """Oldest first (the supervisor's launch order, as far as ``created`` tells)."""
        if self._disk_full():
            return tuple(self._ask("list"))
        return tuple(sorted(self._statuses(), key=lambda s: (s.created or 0.0, s.pid)))

    def list_page(
        self, query: ListQuery, after: tuple[float, str] | None = None, limit: int = 1000
    ) -> ProcessPage:
        """As the supervisor pages. A query for processes that have not ended (what
        ``prunus process list`` asks by default, or only states that have not ended)
        reads the store's live index (:mod:`prunus.persistence._live_index`): only the
        rows of live processes are decoded, however many ended ones the home holds,
        all at once and made into statuses column by column (:mod:`._live_page`);
        row by row only when a row is out of the ordinary (say, corrupt). Other
        queries (or a home with no index yet) decode every record, skipping the
        ended ones by their state alone when the query leaves them out. Past
        ``LOCAL_PAGE_ROWS`` rows to decode, the supervisor pages instead."""
        if self._disk_full():
            return self._ask("list_page", query, after, limit)
        store = self._open()
        live_only = _live_only(query)
        if (store.live_count() if live_only else store.record_count()) > LOCAL_PAGE_ROWS:
            return self._ask("list_page", query, after, limit)  # see LOCAL_PAGE_ROWS
        request = ListPage(query, after, limit)
        if live_only:
            snapshot = store.live_snapshot(NOTES_DB)
            quick = None if snapshot is None else live_page(snapshot, request)
            if quick is not None:
                return quick
            broken: list[tuple[str, str]] = []
            live = store.live_records(on_corrupt=lambda pid, why: broken.append((pid, why)))
            if live is not None:
                page = page_of(self._live_statuses(store, live, broken), request)
                return ProcessPage(page.statuses, page.matching, store.record_count(), page.next)
        skip_ended = not query.states and not query.include_ended
        counted = [0]
        page = page_of(self._statuses(skip_ended, counted), request)
        return ProcessPage(page.statuses, page.matching, counted[0], page.next)

    def outputs(self, pid: str) -> dict[str, Any]:
        store = self._open()
        try:
            if store.get_record(pid) is not None:
                outputs = store.get_outputs(pid)
                if outputs is None:  # still running: what its last checkpoint emitted
                    checkpoint = store.load_checkpoint(pid)
                    outputs = dict(checkpoint["outputs"]) if checkpoint else {}
                return outputs
        except (PrunusError, ValueError, TypeError, KeyError):
            pass
        return self._ask("outputs", pid)

    def report(self, pid: str) -> list[tuple[float, str]]:
        store = self._open()
        try:
            if store.get_record(pid) is not None:
                return [tuple(line) for line in store.get_logs(pid)]  # type: ignore[misc]
        except (PrunusError, ValueError, TypeError):
            pass
        return self._ask("report", pid)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # ---- internals -----------------------------------------------------------------

    def _disk_full(self) -> bool:
        try:
            found = os.statvfs(self._home)
        except OSError:
            return False
        return found.f_bavail * found.f_frsize < _ROOM

    def _open(self) -> LmdbStore:
        self._check_alive()
        if self._store is None:
            self._store = LmdbStore(self._home, readonly=True)
        return self._store

    def _statuses(
        self, skip_ended: bool = False, counted: list[int] | None = None
    ) -> Iterator[ProcessStatus]:
        """Every process in the store, in key order, each as the supervisor shows it
        (a record it cannot read: EXCEPTED ``corrupt record``, as the supervisor).
        ``skip_ended``: leave out the ended ones; ``counted[0]``: how many there were."""
        store = self._open()
        broken: list[tuple[str, str]] = []
        records = store.records(on_corrupt=lambda pid, why: broken.append((pid, why)))
        return self._shown_all(store, records, broken, skip_ended, counted)

    def _shown_all(
        self,
        store: LmdbStore,
        records: Iterable[tuple[str, dict[str, Any]]],
        broken: list[tuple[str, str]],
        skip_ended: bool = False,
        counted: list[int] | None = None,
    ) -> Iterator[ProcessStatus]:
        """``records`` as the supervisor shows them, then those in ``broken`` (filled
        by the records' reader with what it could not decode) as corrupt."""
        notes = dict(store.items(NOTES_DB))
        total = 0
        seen_broken: set[str] = set()  # counted in ``total`` already
        for pid, record in records:
            total += 1
            if skip_ended and record.get("state") in _ENDED:
                continue
            try:
                shown = shown_status(record, notes.get(pid))
                if shown.pid != pid:
                    raise ValueError(f"it names another pid, {shown.pid!r}")
            except Exception as error:  # any shape of damage, as read_registry
                broken.append((pid, f"{type(error).__name__}: {error}"))
                seen_broken.add(pid)
                continue
            yield shown
        if counted is not None:  # (records that failed to decode were not counted yet)
            counted[0] = total + sum(1 for pid, _ in broken if pid not in seen_broken)
        for pid, why in broken:
            yield corrupt_status(pid, " ".join(f"corrupt record: {why}".split())[:300])[0]

    def _live_statuses(
        self, store: LmdbStore, rows: Iterable[tuple[str, list[Any]]], broken: list[Any]
    ) -> Iterator[ProcessStatus]:
        """The live index's rows as the supervisor shows them (a row it cannot read:
        corrupt, as a record). A row holds the values of ``FIELDS``; it is made into a
        status by position, the quick way, unless a note or a ``when=`` may change
        what is shown: then as a record (:func:`_shown`)."""
        notes = dict(store.items(NOTES_DB))
        for pid, row in rows:
            try:
                if pid in notes or row[_WHEN] or len(row) != len(FIELDS):
                    shown = shown_status(dict(zip(FIELDS, row, strict=True)), notes.get(pid))
                else:
                    pid_, cls, state, paused, status, step, children, parent = row[:8]
                    created, due, signal = row[8:11]
                    shown = ProcessStatus(
                        pid_, cls, _STATES[state], paused, status, step, tuple(children),
                        parent, created, None, due, signal,
                    )  # fmt: skip
                if shown.pid != pid:
                    raise ValueError(f"it names another pid, {shown.pid!r}")
            except Exception as error:  # any shape of damage, as read_registry
                broken.append((pid, f"{type(error).__name__}: {error}"))
                continue
            yield shown
        for pid, why in broken:
            yield corrupt_status(pid, " ".join(f"corrupt record: {why}".split())[:300])[0]


def _live_only(query: ListQuery) -> bool:
    """Whether every process ``query`` can show has not ended (the live index has all)."""
    if query.states:
        return not any(name in _ENDED_NAMES for name in query.states)
    return not query.include_ended
