"""Why a condition can never hold: the text of a cancelled process's status.

A user who finds a job KILLED with ``cancelled: ...`` needs the process that decided it
and how it ended, not the whole condition: ``fetch2 EXCEPTED, so fetch2.finished_ok can
never hold``. The explanation names the smallest part of the condition that decides it
and the endings of the processes that decided that part.
"""

from __future__ import annotations

from collections.abc import Callable

from prunus.conditions._expr import (
    And,
    Atom,
    Condition,
    Not,
    Or,
    Outcome,
    States,
    Truth,
    _lookup,
)
from prunus.engine import ProcessState

__all__ = ["CANCELLED_PREFIX", "cancelled_status", "why_never"]

#: How the status of a process cancelled by its condition starts.
CANCELLED_PREFIX = "cancelled: "

_Lookup = Callable[[str], Outcome | None]
# A decision: the pids whose endings decide it (in order, no repeats) and the part of
# the condition it is about.
_Reason = tuple[list[str], Condition]


def why_never(condition: Condition, states: States) -> str:
    """One line saying which endings make ``condition`` unable to hold.

    Raises:
        ValueError: the condition does not evaluate to NEVER with these states.
    """
    lookup = _lookup(states)
    value = condition._evaluate(lookup)
    if value is not Truth.NEVER:
        raise ValueError(f"the condition {condition} is {value.value}, not 'never'")
    pids, part = _never(condition, lookup)
    return f"{_endings(pids, lookup)}, so {part} can never hold"


def cancelled_status(condition: Condition, states: States) -> str:
    """The status of a process cancelled because ``condition`` can never hold."""
    return CANCELLED_PREFIX + why_never(condition, states)


def _never(condition: Condition, lookup: _Lookup) -> _Reason:
    """Why ``condition`` (known to be NEVER) is NEVER."""
    if isinstance(condition, Atom):
        return [condition.pid], condition
    if isinstance(condition, And):  # one part that can never hold is enough
        part = next(p for p in condition.parts if p._evaluate(lookup) is Truth.NEVER)
        return _never(part, lookup)
    if isinstance(condition, Or):  # every part can never hold
        return _merge([_never(part, lookup) for part in condition.parts], condition)
    assert isinstance(condition, Not)
    pids, _ = _holds(condition.part, lookup)
    return pids, condition


def _holds(condition: Condition, lookup: _Lookup) -> _Reason:
    """Why ``condition`` (known to be HOLDS) holds."""
    if isinstance(condition, Atom):
        return [condition.pid], condition
    if isinstance(condition, Or):
        part = next(p for p in condition.parts if p._evaluate(lookup) is Truth.HOLDS)
        return _holds(part, lookup)
    if isinstance(condition, And):
        return _merge([_holds(part, lookup) for part in condition.parts], condition)
    assert isinstance(condition, Not)
    pids, _ = _never(condition.part, lookup)
    return pids, condition


def _merge(reasons: list[_Reason], condition: Condition) -> _Reason:
    pids = list(dict.fromkeys(pid for reason_pids, _ in reasons for pid in reason_pids))
    return pids, condition


def _ending(pid: str, lookup: _Lookup) -> str:
    outcome = lookup(pid)
    assert outcome is not None  # only decided atoms get here
    state, exit_status = outcome
    if state is ProcessState.FINISHED:
        return f"{pid} FINISHED with exit status {exit_status}"
    return f"{pid} {state.name}"


def _endings(pids: list[str], lookup: _Lookup) -> str:
    texts = [_ending(pid, lookup) for pid in pids]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
