"""How host batches cross OS processes: plain tuples, not pickled dataclasses.

In daemon mode every :class:`~prunus.actors._host_messages.HostEvents` and
:class:`~prunus.actors._host_messages.Deliver` is pickled by Thespian's TCP transport.
A frozen slotted dataclass pickles through ``dataclasses.fields`` on both sides, once
per object: py-spy put 48% of a restarting supervisor's busy time there. Measured
here (100k ``StateChanged`` events, ``time.process_time``): 862 ms to pickle and 748 ms
to unpickle as dataclasses, 78 ms and 54 ms as tuples of plain values. So both batch
types pickle themselves (``__reduce__``) as one tuple of tuples, ``(tag, field, ...)``
per item, and are rebuilt by :func:`unpack_events` / :func:`unpack_deliveries` on the
other side. Nothing changes in process (the embedded runtime never pickles), and an
item of a kind not listed here still travels, as itself (tag ``_AS_IS``).

Invariant: every tag below is packed and unpacked by the same pair of functions, and
a status packs every field of :class:`ProcessStatus` (a test checks it); the
tags are local to one daemon (both sides run the same code), so they may change.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Sequence
from typing import Any

from prunus.actors._host_messages import (
    Activate,
    Activated,
    ActivationFailed,
    Barrier,
    ChildFinished,
    Deliver,
    Finished,
    HostEvents,
    HostReady,
    Passivated,
    Reply,
    Spawned,
    StateChanged,
)
from prunus.actors._messages import ProcessList
from prunus.engine import ProcessResult, ProcessState, ProcessStatus
from prunus.persistence import StagedWrite

__all__ = [
    "pack_deliveries",
    "pack_events",
    "pack_statuses",
    "unpack_deliveries",
    "unpack_events",
    "unpack_process_list",
]

_STATES = {state.value: state for state in ProcessState}  # a dict hit: faster than ProcessState(v)
_AS_IS = 0
_STATE_CHANGED, _FINISHED, _SPAWNED, _ACTIVATE, _CHILD_FINISHED, _BARRIER = range(1, 7)
# Events whose fields are plain already: packed field by field, in declaration order,
# so a field added to one of them travels without a change here.
_FLAT = (Activated, Passivated, ActivationFailed, Barrier, Reply, HostReady)
_FIRST_FLAT = 16
_FLAT_TAGS = {kind: _FIRST_FLAT + index for index, kind in enumerate(_FLAT)}
_FIELDS = {kind: tuple(field.name for field in dataclasses.fields(kind)) for kind in _FLAT}


# A status packs every field, in declaration order (a field added later travels too),
# with the state as its value.
_STATUS_FIELDS = tuple(field.name for field in dataclasses.fields(ProcessStatus))
_STATE_AT = _STATUS_FIELDS.index("state")
_status_fields = operator.attrgetter(*_STATUS_FIELDS)


def _status(status: ProcessStatus) -> tuple[Any, ...]:
    values = _status_fields(status)
    return (*values[:_STATE_AT], status.state.value, *values[_STATE_AT + 1 :])


def _status_of(packed: Sequence[Any]) -> ProcessStatus:
    values = list(packed)
    values[_STATE_AT] = _STATES[values[_STATE_AT]]
    return ProcessStatus(*values)


def _result(result: ProcessResult) -> dict[str, Any]:
    # Its one plain-data form (a dict): results are one per ended process, and new
    # fields (a traceback, a failure) then travel without a change here.
    return result.to_data()


def _result_of(packed: dict[str, Any]) -> ProcessResult:
    return ProcessResult.from_data(packed)


def _staged(write: StagedWrite | None) -> tuple[Any, ...] | None:
    if write is None:
        return None
    return (write.pid, write.key, write.record, write.checkpoint, write.outputs, write.logs)


def pack_events(events: Sequence[Any]) -> tuple[tuple[Any, ...], ...]:
    """A host's events as tuples of plain values; :func:`unpack_events` inverts it."""
    packed: list[tuple[Any, ...]] = []
    for event in events:
        kind = type(event)
        if kind is StateChanged:
            packed.append((_STATE_CHANGED, _status(event.status)))
        elif kind is Finished:
            packed.append((_FINISHED, _status(event.status), _result(event.result)))
        elif kind is Spawned and event.process is None:
            packed.append((_SPAWNED, _status(event.status)))
        elif kind in _FLAT_TAGS:
            packed.append((_FLAT_TAGS[kind], *[getattr(event, name) for name in _FIELDS[kind]]))
        else:
            packed.append((_AS_IS, event))
    return tuple(packed)


def unpack_events(packed: Sequence[Sequence[Any]]) -> HostEvents:
    """The :class:`HostEvents` that :func:`pack_events` packed."""
    events: list[Any] = []
    for item in packed:
        tag = item[0]
        if tag == _STATE_CHANGED:
            events.append(StateChanged(_status_of(item[1])))
        elif tag == _FINISHED:
            events.append(Finished(_status_of(item[1]), _result_of(item[2])))
        elif tag == _SPAWNED:
            events.append(Spawned(_status_of(item[1])))
        elif tag == _AS_IS:
            events.append(item[1])
        else:
            events.append(_FLAT[tag - _FIRST_FLAT](*item[1:]))
    return HostEvents(tuple(events))


def pack_deliveries(items: Sequence[tuple[str, Any]]) -> tuple[tuple[Any, ...], ...]:
    """A Deliver's ``(pid, message)`` pairs as tuples of plain values."""
    packed: list[tuple[Any, ...]] = []
    for pid, message in items:
        kind = type(message)
        if kind is Activate and message.process is None:
            packed.append((_ACTIVATE, pid, _staged(message.first_write)))
        elif kind is ChildFinished:
            packed.append((_CHILD_FINISHED, pid, message.pid, _result(message.result)))
        elif kind is Barrier:
            packed.append((_BARRIER, pid, message.token))
        else:
            packed.append((_AS_IS, pid, message))
    return tuple(packed)


def unpack_deliveries(packed: Sequence[Sequence[Any]]) -> Deliver:
    """The :class:`Deliver` that :func:`pack_deliveries` packed."""
    items: list[tuple[str, Any]] = []
    for item in packed:
        tag, pid = item[0], item[1]
        if tag == _ACTIVATE:
            staged = item[2]
            items.append((pid, Activate(None, None if staged is None else StagedWrite(*staged))))
        elif tag == _CHILD_FINISHED:
            items.append((pid, ChildFinished(item[2], _result_of(item[3]))))
        elif tag == _BARRIER:
            items.append((pid, Barrier(item[2])))
        else:
            items.append((pid, item[2]))
    return Deliver(tuple(items))


def pack_statuses(statuses: Sequence[ProcessStatus]) -> tuple[tuple[Any, ...], ...]:
    """A :class:`ProcessList`'s statuses as tuples (``prunus process list`` at 200k
    processes sent an 8.8 MiB pickle of dataclasses)."""
    return tuple(map(_status, statuses))


def unpack_process_list(packed: Sequence[Sequence[Any]]) -> ProcessList:
    """The :class:`ProcessList` that :func:`pack_statuses` packed."""
    return ProcessList(tuple(map(_status_of, packed)))
