"""Conditions on other processes' endings (``when=``) and memo keys (``cacheable``).

Pure: no actors, no store, no client. The runtime asks these objects what to do and
keeps the pending conditions and the cache entries itself. What is here:

- :class:`Pid` (``submit`` will return one) and its atoms; :class:`Condition` trees with
  ``&``, ``|``, ``~``; :meth:`Condition.evaluate` -> :class:`Truth` (HOLDS / NEVER /
  NOT_YET) from a mapping or function pid -> :class:`Outcome`; ``str()`` and
  :func:`parse_condition` (the ``--when`` grammar); ``to_data`` /
  :func:`condition_from_data` for storage; :func:`cancelled_status` for the status of a
  cancelled process.
- :class:`PendingConditions`: the supervisor's book of waiting processes, indexed by
  the pids their conditions name; it answers :class:`Decision` lists.
- :func:`memo_key`: a :class:`MemoKey` (digest and parts) or :class:`Uncacheable`.

Integration notes (how the supervisor uses this; built as described below, in
``prunus.actors._dependencies``, ``_memo_cache`` and ``_launch_flows``, except where a
note says otherwise: the ``when`` field stays in the record for the process's whole
life, for pictures; the memo entry is put in its own transaction right after the
terminal record, so a crash between the two loses the entry, never the reverse)
===============================================================================

Where a pending condition is stored. In the waiting process's own registry record,
``record["when"] = condition.to_data()``, written by the launch's first write (record
and checkpoint in one transaction, as today). A separate put into the ``conditions``
database would be a second transaction: a crash between the two would either start a
process that had to wait (record without condition) or keep a condition for a process
that does not exist. If a ``conditions`` database is wanted anyway (it is in
``GENERIC_DBS``; e.g. to list pending pids without scanning every record on restart),
it must join that transaction: add ``(db, key, blob)`` puts to ``StagedWrite``. The
index pid -> dependents is not stored: :meth:`PendingConditions.load` rebuilds it.

A waiting process is CREATED with ``when`` in its record and a status such as
``waiting for: fetch.finished_ok & model.completed`` (``process list`` shows it). It is
registered like a passivated process: it has a pid, can be paused or killed, and no
host holds it. "Pending" is exactly "CREATED and has ``when``": no flag to keep in step.

Submit (``Launches``). Check every pid in ``condition.pids`` is in the registry, else
refuse with one line (``unknown process 'x' in when=``) and store nothing; a condition
can only name processes that exist, so cycles cannot be written. Write the record, then
``book.add(pid, condition, states)``; if it answers at once (the dependencies already
ended), act on that decision right away. ``states`` is a function over the registry:
``None`` for a live process, ``Outcome.of(entry.result)`` for an ended one.

A terminal transition (``Supervision.finished``, after the registry recorded it):
``decisions = book.ended(pid, states)``; it re-evaluates only conditions that name
``pid`` and already includes the propagation (a cancelled process counts as KILLED for
its own dependents, so ``x.completed`` clean-ups start). For each decision:

- ``start``: activate it (its first step), as for a played passivated process; a
  paused one stays paused and starts when played.
- cancel: end it KILLED with ``decision.status`` through the passivated kill path
  (no step runs), answer its waiters, send ``ChildFinished`` to its parent. Do not call
  ``book.ended`` for it again (harmless if done: nothing names it any more).

A user kill of a waiting process is an ordinary terminal transition: ``book.ended``
forgets it and decides its dependents.

Restart (``Recovery``): for each CREATED record with ``when``, ``book.load`` it (a
corrupt ``when``: that process EXCEPTED with the one-line ConditionError, the others
unaffected); once the registry is loaded, ``book.decide_all(states)`` and act as above,
before answering ``Reloaded``. Decisions are stable (they follow from terminal states
only), so a crash between deciding and writing re-derives the same decision: a started
process whose first step did not run is still CREATED and is started again.

CLI. ``prunus.cli._when.when_option`` is the ``--when EXPR`` option, ready to put on
``prunus submit``: the command receives a Condition or None, and a malformed
expression has already exited 2 with one line. ``process show`` can list
``condition.atoms()`` with ``atom.evaluate(states).value`` each.

Memoization. A launch of a class with ``spec.cache_settings`` computes
``memo_key(cls, raw_inputs)`` before the first write. ``Uncacheable``: run it, record
``cache_disabled = reason``. A ``MemoKey``: look up the ``memo`` database by
``key.digest`` (value: source pid, ``key.to_data()``, time). A hit whose source is
FINISHED with exit status 0: the new pid is written FINISHED at once with a copy of
the outputs and ``cached_from``, in one transaction. A miss: run; when it FINISHES ok,
put the entry in the same transaction as its terminal record. One run per key at a
time: keep digest -> running pid in memory (rebuilt from CREATED/RUNNING records with a
``memo_key`` field on restart); an identical launch becomes a waiting process on
``first.completed`` that re-checks the cache when started (a hit, or it runs itself if
the first failed). Entries are :class:`MemoEntry` (``to_data`` in the ``memo`` database under
``key.digest``). ``cache explain``: ``key.parts`` and, on a miss,
``nearest_entry(key, entries)`` and ``key.differing_parts(entry.key)``.
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
from prunus.conditions._memo import (
    KEY_FORMAT,
    KeyPart,
    MemoEntry,
    MemoKey,
    Uncacheable,
    memo_key,
    nearest_entry,
)
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
    "MemoEntry",
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
    "nearest_entry",
    "parse_condition",
    "why_never",
]
