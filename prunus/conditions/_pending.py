"""The book of processes waiting for their condition, as the supervisor keeps it.

Pure bookkeeping in the style of the actor cell: the supervisor tells the book what
happened (a process was submitted with a condition, a process ended) and the book
answers what to do (start these, cancel those with this status). Storing the book's
entries durably and acting on the answers is the supervisor's part.

The book indexes each waiting process under every pid its condition names, so an
ending re-evaluates only the conditions that name the process that ended, never all of
them. A cancelled process ends KILLED at once, so its own dependents are re-evaluated
in the same call: cancellation propagates to any depth, and a dependent on
``x.completed`` is started when ``x`` is cancelled (the clean-up pattern).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from prunus.conditions._explain import cancelled_status
from prunus.conditions._expr import Condition, Outcome, States, Truth, _lookup, check_pid
from prunus.engine import ProcessState
from prunus.errors import ConditionError

__all__ = ["Decision", "PendingConditions"]

_CANCELLED = Outcome(ProcessState.KILLED)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a waiting process whose condition got decided.

    Attributes:
        pid: the waiting process.
        start: True to start it now; False to end it KILLED without running a step.
        status: for a cancellation, the status to give it (``cancelled: ...``).
    """

    pid: str
    start: bool
    status: str | None = None


class PendingConditions:
    """Waiting processes by pid, and an index from a named pid to who waits on it."""

    def __init__(self) -> None:
        self._conditions: dict[str, Condition] = {}
        # Invariant: pid q is in _dependents[p] iff q is in _conditions and its
        # condition names p. Entries are dropped when their set empties.
        self._dependents: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._conditions)

    def __contains__(self, pid: object) -> bool:
        return pid in self._conditions

    def __iter__(self) -> Iterator[str]:
        return iter(self._conditions)

    def condition_of(self, pid: str) -> Condition | None:
        """The condition ``pid`` waits for, or None if it waits for nothing."""
        return self._conditions.get(pid)

    def waiting_on(self, pid: str) -> frozenset[str]:
        """The waiting processes whose condition names ``pid``."""
        return frozenset(self._dependents.get(pid, ()))

    def add(self, pid: str, condition: Condition, states: States) -> list[Decision]:
        """Record that ``pid`` waits for ``condition``, or decide it at once.

        Returns:
            ``[]`` if it waits; otherwise one Decision for it (its condition was
            already decided by processes that ended before it was submitted).

        Raises:
            ConditionError: ``pid`` is already waiting, or the condition names ``pid``
                itself (it would wait for its own end forever).
        """
        pid = check_pid(pid)
        if pid in self._conditions:
            raise ConditionError(f"process {pid} is already waiting for a condition")
        if pid in condition.pids:
            raise ConditionError(f"the condition of process {pid} names {pid} itself")
        lookup = _lookup(states)
        value = condition._evaluate(lookup)
        if value is Truth.HOLDS:
            return [Decision(pid, start=True)]
        if value is Truth.NEVER:
            return [Decision(pid, False, cancelled_status(condition, lookup))]
        self._index(pid, condition)
        return []

    def remove(self, pid: str) -> Condition | None:
        """Forget ``pid`` (it was killed or started by other means); its condition."""
        condition = self._conditions.pop(pid, None)
        if condition is not None:
            for named in condition.pids:
                waiting = self._dependents.get(named)
                if waiting is not None:
                    waiting.discard(pid)
                    if not waiting:
                        del self._dependents[named]
        return condition

    def ended(self, pid: str, states: States) -> list[Decision]:
        """``pid`` reached a terminal state (``states`` already says how): what now.

        Re-evaluates the conditions that name ``pid``; each cancellation counts as a
        KILLED ending and re-evaluates the conditions that name the cancelled one, and
        so on. A waiting process that ends (killed by a user) is forgotten here.

        Returns:
            The decisions in the order they were taken: causes before effects.
        """
        self.remove(pid)
        return self._decide(sorted(self._dependents.get(pid, ())), _lookup(states))

    def decide_all(self, states: States) -> list[Decision]:
        """Evaluate every waiting condition, for a restart: the processes named may
        have ended while nothing was running (their endings are in ``states``)."""
        return self._decide(list(self._conditions), _lookup(states))

    def load(self, entries: Iterable[tuple[str, Condition]]) -> None:
        """Put back stored entries without deciding them; then call decide_all.

        Raises:
            ConditionError: an entry waits twice or on itself (a corrupt store).
        """
        for pid, condition in entries:
            if pid in condition.pids or pid in self._conditions:
                raise ConditionError(f"stored condition of process {pid} is corrupt")
            self._index(pid, condition)

    def _index(self, pid: str, condition: Condition) -> None:
        self._conditions[pid] = condition
        for named in condition.pids:
            self._dependents.setdefault(named, set()).add(pid)

    def _decide(
        self, candidates: list[str], states: Callable[[str], Outcome | None]
    ) -> list[Decision]:
        """Evaluate ``candidates`` (waiting pids), then the dependents of each one
        cancelled, until nothing more is decided."""
        cancelled: dict[str, Outcome] = {}

        def lookup(pid: str) -> Outcome | None:
            return cancelled.get(pid) or states(pid)

        decisions: list[Decision] = []
        queue = deque(candidates)
        while queue:
            waiting = queue.popleft()
            condition = self._conditions.get(waiting)
            if condition is None:  # decided earlier in this call
                continue
            value = condition._evaluate(lookup)
            if value is Truth.NOT_YET:
                continue
            self.remove(waiting)
            if value is Truth.HOLDS:
                decisions.append(Decision(waiting, start=True))
                continue
            decisions.append(Decision(waiting, False, cancelled_status(condition, lookup)))
            cancelled[waiting] = _CANCELLED
            queue.extend(sorted(self._dependents.get(waiting, ())))  # sorted: reproducible
        return decisions
