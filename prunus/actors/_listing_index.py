"""Pages of the supervisor's registry from a sorted index: a page costs its own size.

:func:`~prunus.actors._listing.page_of` makes one pass over every status and a
``heapq.nsmallest`` per page: 0.3 s of supervisor CPU per page at 200k processes, and
a whole listing is a hundred pages. The registry only grows (a pid is never removed)
and a process's ``created`` never changes, so the supervisor keeps the ``(created,
pid)`` keys sorted, adds the new ones when a page is asked for (appended when they
are newer than the last, as launches are; else merged in), and walks a page from
the cursor with ``bisect``: a page visits only the processes it shows (and those it
skips because they do not match). ``matching``, the count of all that match, comes
from the registry's running counts by state for the commonest query (what has not
ended): a pass over every process for every page made a whole listing of 2M processes
quadratic (1,000 pages of 2,000 rows, 0.7 s each, at 1M waiting workchains). Other
filters still count with a pass without a sort. A ``newest`` query still goes
through ``page_of``.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Mapping
from itertools import islice
from typing import Any

from prunus.actors._listing import ListPage, ListQuery, ProcessPage, page_of
from prunus.engine import ProcessState

__all__ = ["ListingIndex"]

_UNFINISHED = ListQuery()
_TERMINAL = frozenset(state for state in ProcessState if state.is_terminal)
_TERMINAL_NAMES = frozenset(state.name for state in _TERMINAL)


class ListingIndex:
    """The keys of every registered process, sorted; see the module docstring."""

    def __init__(
        self, entries: Mapping[str, Any], by_state: Mapping[str, int] | None = None
    ) -> None:
        self._entries = entries  # pid -> registry Entry (its .status), insertion-ordered
        self._by_state = by_state  # state name -> how many (the registry's Tally), if kept
        self._keys: list[tuple[float, str]] = []
        self._indexed = 0  # how many of the registry's entries are in _keys

    def page(self, request: ListPage) -> ProcessPage:
        """What :func:`page_of` answers, without sorting everything for every page."""
        entries, query = self._entries, request.query
        if query.newest is not None:
            return page_of((entry.status for entry in entries.values()), request)
        self.catch_up()
        keys = self._keys
        start = 0
        if request.after is not None:
            start = bisect.bisect_right(keys, (request.after[0], request.after[1]))
        limit = max(request.limit, 1)
        matches = query.matches
        shown = []
        index = start
        for index in range(start, len(keys)):
            status = entries[keys[index][1]].status
            if matches(status):
                if len(shown) == limit:
                    break
                shown.append(status)
        else:
            index = len(keys)
        more = index < len(keys)
        if query == _UNFINISHED and self._by_state is not None:  # the commonest
            matching = sum(n for name, n in self._by_state.items() if name not in _TERMINAL_NAMES)
        elif query == _UNFINISHED:  # a set lookup, not a method call, each
            matching = sum(1 for e in entries.values() if e.status.state not in _TERMINAL)
        else:
            matching = sum(1 for entry in entries.values() if matches(entry.status))
        cursor = _key(shown[-1]) if more and shown else None
        return ProcessPage(tuple(shown), matching, len(entries), cursor)

    def catch_up(self) -> None:
        """Add the keys of the processes registered since the last call. The
        supervisor calls it after every message (a few keys each: the first page of a
        listing never sorts 200k) and after a reload."""
        entries, keys = self._entries, self._keys
        new = len(entries) - self._indexed
        if new <= 0:
            return
        if not keys:
            added = [(e.status.created or 0.0, e.status.pid) for e in entries.values()]
        else:
            added = [_key(entry.status) for entry in islice(reversed(entries.values()), new)]
            added.reverse()
        self._indexed = len(entries)
        added.sort()  # (in order as a rule: a batch of launches)
        if not keys or added[0] >= keys[-1]:
            keys.extend(added)  # newer than everything: launches, as a rule
            return
        # Older than the newest: children a host reported after another host's newer
        # ones. Only the keys newer than the oldest added move; sorting every key
        # instead (nearly sorted, yet a pass over all) was 7% of the supervisor in a
        # 10k submit_many, and grows with the registry.
        at = bisect.bisect_right(keys, added[0])
        tail = keys[at:]
        del keys[at:]
        keys.extend(heapq.merge(tail, added))


def _key(status: Any) -> tuple[float, str]:
    return (status.created or 0.0, status.pid)
