"""Listing processes a page at a time, filtered where the data is (the supervisor).

``client.list()`` sends every status in one message: at 200k processes that was an
8.8 MiB pickle and 6.5 s, past ``prunus process list``'s timeout. A :class:`ListPage`
asks for at most ``limit`` statuses that pass a :class:`ListQuery`, oldest first
(by creation time, then pid), after a cursor; the answer, a :class:`ProcessPage`,
carries the cursor of the next page. Filters and the "newest N" cut run in the
supervisor, so only what is shown crosses to the client.

Each page costs the supervisor one pass over its registry (a filter and a
``heapq.nsmallest`` of ``limit``): O(processes), no state kept between pages, so a
client that stops reading costs nothing. The order is by ``created``, not by the
registry's order, which after a restart is the store's key order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prunus.engine import ProcessState, ProcessStatus

__all__ = ["ListPage", "ListQuery", "ProcessPage", "page_of"]

Cursor = tuple[float, str]  # (created, pid) of the last status of a page


@dataclass(frozen=True, slots=True)
class ListQuery:
    """Which processes a listing shows (as ``prunus process list`` selects them).

    Attributes:
        states: only these states (names), ended ones included; empty: every state that
            has not ended, or every state with ``include_ended``.
        include_ended: with no ``states``, show ended processes too.
        paused_only: only paused processes that have not ended.
        created_after: only those created at or after this unix time.
        newest: only the newest this many of those that pass the rest.
    """

    states: tuple[str, ...] = ()
    include_ended: bool = False
    paused_only: bool = False
    created_after: float | None = None
    newest: int | None = None

    def matches(self, status: ProcessStatus) -> bool:
        return self.passes(status.state, status.paused, status.created)

    def passes(self, state: ProcessState, paused: bool, created: float | None) -> bool:
        """:meth:`matches`, given only what it looks at (a reader of stored rows asks
        before it makes a status of a row)."""
        if self.states:
            if state.name not in self.states:
                return False
        elif state.is_terminal and not self.include_ended:
            return False
        if self.paused_only and not (paused and not state.is_terminal):
            return False
        after = self.created_after
        return after is None or (created is not None and created >= after)


@dataclass(frozen=True, slots=True)
class ListPage:
    """Client -> supervisor: up to ``limit`` statuses passing ``query``, oldest first,
    after ``after`` (None: from the first)."""

    query: ListQuery
    after: Cursor | None = None
    limit: int = 1000


@dataclass(frozen=True, slots=True)
class ProcessPage:
    """One page: ``statuses``; ``matching``: how many pass the query in all; ``total``:
    how many processes the runtime knows; ``next``: the cursor of the next page, None
    when this is the last."""

    statuses: tuple[ProcessStatus, ...]
    matching: int
    total: int
    next: Cursor | None

    def __reduce__(self) -> tuple[Any, ...]:
        # Across OS processes: plain tuples, not a pickled dataclass per status (_wire).
        from prunus.actors import _wire

        packed = _wire.pack_statuses(self.statuses)
        return (_page_of_packed, (packed, self.matching, self.total, self.next))


def _page_of_packed(
    packed: Any, matching: int, total: int, next_cursor: Cursor | None
) -> ProcessPage:
    from prunus.actors import _wire

    return ProcessPage(_wire.unpack_process_list(packed).statuses, matching, total, next_cursor)


def _key(status: ProcessStatus) -> Cursor:
    return (status.created or 0.0, status.pid)


def page_of(statuses: Iterable[ProcessStatus], request: ListPage) -> ProcessPage:
    """The page ``request`` asks for, out of ``statuses`` (every process known)."""
    query, total = request.query, 0
    chosen: list[ProcessStatus] = []
    for status in statuses:
        total += 1
        if query.matches(status):
            chosen.append(status)
    if query.newest is not None:
        chosen = heapq.nlargest(query.newest, chosen, key=_key)
    matching = len(chosen)
    after = request.after
    if after is not None:
        after = (after[0], after[1])  # a list when it crossed as msgpack or a tuple
        chosen = [status for status in chosen if _key(status) > after]
    shown = heapq.nsmallest(max(request.limit, 1), chosen, key=_key)
    more = len(chosen) > len(shown)
    return ProcessPage(tuple(shown), matching, total, _key(shown[-1]) if more else None)
