"""One page of the live processes, made from the store's live index in a few passes.

Why: ``prunus process list`` (and ``cli_load.py``'s clients, 20 of them beside a busy
daemon on 2 cores) reads every row of the live index for each page it shows: ~1,800
rows for 1,000 running chains. Decoding each row on its own, making a
:class:`ProcessStatus` of each before filtering, sorting them with a key function
and paging with ``heapq`` cost ~8 us of client CPU per row, ~15 ms per list; on a
busy machine a call that needs that much CPU waits for it behind every other runnable
process, and the list's p99 was 144 ms. Here the rows are decoded in one call
(:func:`~prunus.persistence._codec.decode_all`), checked against their keys in one
comparison, filtered on the three values a query looks at, sorted as plain tuples,
and a status is made only of the rows the page shows.

The answer is the one :func:`~._listing.page_of` gives over the statuses the
supervisor shows (tests check it on random homes). Anything out of the ordinary (a
row that does not decode, has another layout, names another pid, holds a state no
process has) returns None: the caller then takes the careful path, row by row, which
says which rows are corrupt, as before.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import deque
from itertools import repeat
from typing import Any

from prunus.actors._dependencies import waiting_text
from prunus.actors._listing import ListPage, ProcessPage
from prunus.actors._persisting import record_status
from prunus.actors._status_notes import noted_status
from prunus.conditions import condition_from_data
from prunus.engine import ProcessState, ProcessStatus
from prunus.errors import CodecError
from prunus.persistence._codec import decode, decode_all
from prunus.persistence._live_index import FIELDS, LiveSnapshot

__all__ = ["live_page", "shown_status"]

_STATES = {state.value: state for state in ProcessState}
_ENDED = frozenset(state.value for state in ProcessState if state.is_terminal)
_WHEN = FIELDS.index("when")
_WIDTH = len(FIELDS)


def live_page(snapshot: LiveSnapshot, request: ListPage) -> ProcessPage | None:
    """The page ``request`` asks for, out of the live index in ``snapshot`` (with the
    supervisor's notes); None when a row needs the careful path."""
    try:
        rows = decode_all(snapshot.rows, tuples=True)
    except CodecError:
        return None
    if rows and (set(map(type, rows)) != {tuple} or set(map(len, rows)) != {_WIDTH}):
        return None
    try:
        named = "\0".join([row[0] for row in rows]).encode()
    except (TypeError, UnicodeError):
        return None
    if named != b"\0".join(snapshot.keys):
        return None
    try:
        return _page(rows, snapshot, request)
    except (KeyError, TypeError, ValueError):
        return None  # (an unknown state, a created time that is not a number...)


def _page(rows: list[tuple[Any, ...]], snapshot: LiveSnapshot, request: ListPage) -> ProcessPage:
    query, notes = request.query, snapshot.beside
    # (created or 0, pid, the row's index or, when a note or a when= may change what
    # is shown, its status); pids differ, so the third item is never compared.
    entries: list[tuple[float, str, Any]] = []
    states = [row[2] for row in rows]
    if not _STATES.keys() >= set(states):
        raise KeyError("a state no process has")  # the careful path shows it corrupt
    special = (
        notes.keys() | {row[0] for row in rows if row[_WHEN]}
        if notes or any(row[_WHEN] for row in rows)
        else set()
    )
    plain = not query.states and not query.paused_only and query.created_after is None
    if plain and not special and (query.include_ended or _ENDED.isdisjoint(states)):
        entries = list(
            zip(
                [row[8] or 0.0 for row in rows],
                [row[0] for row in rows],
                range(len(rows)),
                strict=True,
            )
        )
    else:
        for index, row in enumerate(rows):
            pid = row[0]
            if pid in special:
                as_stored = decode(snapshot.rows[index])  # (its when= with lists, as stored)
                shown = shown_status(dict(zip(FIELDS, as_stored, strict=True)), notes.get(pid))
                if shown.pid != pid:
                    raise ValueError(pid)
                if query.matches(shown):
                    entries.append((shown.created or 0.0, pid, shown))
            elif query.passes(_STATES[row[2]], row[3], row[8]):
                entries.append((row[8] or 0.0, pid, index))
    entries.sort()
    if query.newest is not None:
        entries = entries[max(len(entries) - query.newest, 0) :]
    matching = len(entries)
    start = 0
    if request.after is not None:
        after = (request.after[0], request.after[1])  # a list when it crossed as msgpack
        start = bisect.bisect_right(entries, after, key=lambda entry: (entry[0], entry[1]))
    page = entries[start : start + max(request.limit, 1)]
    more = start + len(page) < len(entries)
    statuses = _statuses(rows, page)
    return ProcessPage(statuses, matching, snapshot.total, page[-1][:2] if more else None)


def _statuses(
    rows: list[tuple[Any, ...]], shown: list[tuple[float, str, Any]]
) -> tuple[ProcessStatus, ...]:
    """The statuses of the ``shown`` entries, in order: those of rows made column by
    column (:func:`_made`), the others made already."""
    picked = [rows[entry[2]] for entry in shown if type(entry[2]) is int]
    if not picked:
        return tuple(entry[2] for entry in shown)
    columns = list(zip(*picked, strict=True))
    if not {tuple} >= set(map(type, columns[6])):
        raise TypeError("children that are not a list")  # the careful path shows it corrupt
    columns[2] = list(map(_STATES.__getitem__, columns[2]))
    made = _made(columns, len(picked))
    if len(picked) == len(shown):
        return tuple(made)
    rest = iter(made)
    return tuple(next(rest) if type(entry[2]) is int else entry[2] for entry in shown)


# ProcessStatuses made by setting their slots a column at a time (each loop runs in C),
# not through the dataclass __init__, which sets each field of each status through
# object.__setattr__ (it is frozen): 2-4 times the cost, and the largest part of a
# list. The same objects (tests compare them with ProcessStatus(...)).
_SLOTS = (
    "pid", "process_class", "state", "paused", "status", "step", "children", "parent",
    "created", "step_started", "due", "signal",
)  # fmt: skip
assert ProcessStatus.__slots__ == _SLOTS and not hasattr(ProcessStatus, "__post_init__")
# The row's column of each slot (FIELDS' order); step_started is never stored: None.
_COLUMNS = tuple(
    (vars(ProcessStatus)[name].__set__, FIELDS.index(name) if name in FIELDS else None)
    for name in _SLOTS
)


def _made(columns: list[Any], count: int) -> list[ProcessStatus]:
    """``count`` statuses of the rows whose ``columns`` (in FIELDS' order) are given."""
    made = list(map(object.__new__, repeat(ProcessStatus, count)))
    for set_slot, column in _COLUMNS:
        values = repeat(None, count) if column is None else columns[column]
        deque(map(set_slot, made, values), maxlen=0)
    return made


def shown_status(record: dict[str, Any], note: Any) -> ProcessStatus:
    """The status the supervisor shows for ``record`` (a registry record or a live
    index row as a map), given the supervisor's ``note`` on it (None: none)."""
    noted = noted_status(record, note) if note is not None else None
    if noted is not None:
        return noted
    status = record_status(record)
    when = record.get("when")
    if when and status.state is ProcessState.CREATED and status.status is None:
        # Held by its when= condition (or started, before its first commit): what
        # the supervisor shows is the condition it waits for, from this same record.
        try:
            text = waiting_text(condition_from_data(when))
        except Exception:  # the supervisor fails it: its record says so soon
            return status
        return dataclasses.replace(status, status=text)
    return status
