"""Conditions on other processes' endings (``when=``) and memo keys (``cacheable``).

Pure: no actors, no store. The runtime asks these objects what to do; it keeps the
pending conditions and the cache entries itself.
"""

from __future__ import annotations

from prunus.conditions._explain import CANCELLED_PREFIX, cancelled_status, why_never
from prunus.conditions._expr import (
    And,
    Atom,
    AtomKind,
    Condition,
    Not,
    Or,
    Outcome,
    States,
    Truth,
    all_of,
    any_of,
    check_pid,
    condition_from_data,
)
from prunus.conditions._memo import KEY_FORMAT, KeyPart, MemoKey, Uncacheable, memo_key
from prunus.conditions._parse import parse_condition
from prunus.conditions._pending import Decision, PendingConditions
from prunus.conditions._pid import Pid

__all__ = [
    "CANCELLED_PREFIX",
    "KEY_FORMAT",
    "And",
    "Atom",
    "AtomKind",
    "Condition",
    "Decision",
    "KeyPart",
    "MemoKey",
    "Not",
    "Or",
    "Outcome",
    "PendingConditions",
    "Pid",
    "States",
    "Truth",
    "Uncacheable",
    "all_of",
    "any_of",
    "cancelled_status",
    "check_pid",
    "condition_from_data",
    "memo_key",
    "parse_condition",
    "why_never",
]
