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

Invariant: every kind is packed and unpacked field by field from its dataclass
fields, and a status packs every field of :class:`ProcessStatus`, so a field added
to either travels without a change here (tests check both); the
tags are local to one daemon (both sides run the same code), so they may change.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from typing import Any

from prunus.actors._field_code import builder, packer
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
    LongStep,
    Passivated,
    Reply,
    Spawned,
    StateChanged,
    Took,
)
from prunus.actors._messages import ProcessList, Submit, SubmitMany
from prunus.engine import ProcessResult, ProcessState, ProcessStatus
from prunus.persistence import StagedWrite

__all__ = [
    "pack_deliveries",
    "pack_events",
    "pack_statuses",
    "pack_submits",
    "unpack_deliveries",
    "unpack_events",
    "unpack_process_list",
    "unpack_submits",
]

# Dict hits both ways: ProcessState(value) runs Enum.__new__, and .value is a Python-level
# property (enum.property) on this Python.
_STATES = {state.value: state for state in ProcessState}
_VALUE_OF = {state: state.value for state in ProcessState}
_AS_IS = 0
# Every kind below is packed field by field, in declaration order, so a field added to
# one of them travels without a change here; a field holding a status, a result or a
# staged write (by its name) is packed as plain data too. Spawned and Activate go as
# they are when they hold a process instance (embedded only: never pickled).
_KINDS = (
    StateChanged,
    Finished,
    Spawned,
    Activated,
    Passivated,
    ActivationFailed,
    Barrier,
    Reply,
    HostReady,
    Activate,
    ChildFinished,
    Took,
    LongStep,
)
_TAGS = {kind: index + 1 for index, kind in enumerate(_KINDS)}
_FIELDS = {kind: tuple(field.name for field in dataclasses.fields(kind)) for kind in _KINDS}


# A status packs every field, in declaration order (a field added later travels too),
# with the state as its value. Packing and building are closures made once per kind
# (``_field_code``: measured there).
_STATUS_FIELDS = tuple(field.name for field in dataclasses.fields(ProcessStatus))
# The class name is interned: each status builds its own ``module:Qual`` string, and one
# object for all of them is pickled once per batch (the pickle memo) and unpickled as
# one string, not one per status (a batch like a submit's: 51 -> 38 bytes per event).
_PACK_STATUS_FIELD = {"state": _VALUE_OF.__getitem__, "process_class": sys.intern}
_status = packer(ProcessStatus, [_PACK_STATUS_FIELD.get(name) for name in _STATUS_FIELDS])
_status_of = builder(
    ProcessStatus, [_STATES.__getitem__ if n == "state" else None for n in _STATUS_FIELDS]
)


def _result(result: ProcessResult) -> dict[str, Any]:
    # Its one plain-data form (a dict): results are one per ended process, and new
    # fields (a traceback, a failure) then travel without a change here.
    return result.to_data()


def _result_of(packed: dict[str, Any]) -> ProcessResult:
    return ProcessResult.from_data(packed)


_STAGED_FIELDS = tuple(field.name for field in dataclasses.fields(StagedWrite))
_staged_fields = packer(StagedWrite, [None] * len(_STAGED_FIELDS))
_build_staged = builder(StagedWrite, [None] * len(_STAGED_FIELDS))


def _staged(write: StagedWrite | None) -> tuple[Any, ...] | None:
    return None if write is None else _staged_fields(write)


def _staged_of(packed: Sequence[Any] | None) -> StagedWrite | None:
    return None if packed is None else _build_staged(packed)


_PACK_FIELD = {"status": _status, "result": _result, "first_write": _staged}
_UNPACK_FIELD = {"status": _status_of, "result": _result_of, "first_write": _staged_of}
# Per kind: a function of the message to its packed tuple (tag first), and one of the
# packed tuple back to the message.
_PACKERS = {
    kind: packer(kind, [_PACK_FIELD.get(name) for name in _FIELDS[kind]], head=(_TAGS[kind],))
    for kind in _KINDS
}
_UNPACKERS = {
    _TAGS[kind]: builder(kind, [_UNPACK_FIELD.get(name) for name in _FIELDS[kind]], start=1)
    for kind in _KINDS
}
_HOLDS_PROCESS = frozenset(kind for kind in _KINDS if "process" in _FIELDS[kind])


def _pack(message: Any) -> tuple[Any, ...]:
    kind = type(message)
    pack = _PACKERS.get(kind)
    if pack is None or (kind in _HOLDS_PROCESS and message.process is not None):
        return (_AS_IS, message)
    return pack(message)


def _unpack(packed: Sequence[Any]) -> Any:
    tag = packed[0]
    return packed[1] if tag == _AS_IS else _UNPACKERS[tag](packed)


def pack_events(events: Sequence[Any]) -> tuple[tuple[Any, ...], ...]:
    """A host's events as tuples of plain values; :func:`unpack_events` inverts it."""
    return tuple(map(_pack, events))


def unpack_events(packed: Sequence[Sequence[Any]], seq: int = 0) -> HostEvents:
    """The :class:`HostEvents` that :func:`pack_events` packed (its ``seq`` apart)."""
    return HostEvents(tuple(map(_unpack, packed)), seq)


def pack_deliveries(items: Sequence[tuple[str, Any]]) -> tuple[tuple[Any, ...], ...]:
    """A Deliver's ``(pid, message)`` pairs as tuples of plain values."""
    return tuple([(pid, _pack(message)) for pid, message in items])


def unpack_deliveries(packed: Sequence[Sequence[Any]]) -> Deliver:
    """The :class:`Deliver` that :func:`pack_deliveries` packed."""
    return Deliver(tuple([(pid, _unpack(message)) for pid, message in packed]))


def pack_statuses(statuses: Sequence[ProcessStatus]) -> tuple[tuple[Any, ...], ...]:
    """A :class:`ProcessList`'s statuses as tuples (``prunus process list`` at 200k
    processes sent an 8.8 MiB pickle of dataclasses)."""
    return tuple(map(_status, statuses))


def unpack_process_list(packed: Sequence[Sequence[Any]]) -> ProcessList:
    """The :class:`ProcessList` that :func:`pack_statuses` packed."""
    return ProcessList(tuple(map(_status_of, packed)))


# A client's SubmitMany holds up to thousands of Submits: one tuple each, fields in
# declaration order (a field added to Submit travels too). As frozen dataclasses they
# were a fifth of the supervisor's busy time while growth.py submitted 10k workchains.
_SUBMIT_FIELDS = [None] * len(dataclasses.fields(Submit))
_submit_fields = packer(Submit, _SUBMIT_FIELDS)
_build_submit = builder(Submit, _SUBMIT_FIELDS)


def pack_submits(items: Sequence[Submit]) -> tuple[tuple[Any, ...], ...]:
    """A :class:`SubmitMany`'s items as tuples of plain values."""
    return tuple(map(_submit_fields, items))


def unpack_submits(packed: Sequence[Sequence[Any]], key: str) -> SubmitMany:
    """The :class:`SubmitMany` that :func:`pack_submits` packed (its ``key`` apart)."""
    return SubmitMany(tuple(map(_build_submit, packed)), key)
