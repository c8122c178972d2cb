"""Process states and the transition table: the state machine as data.

Everything that changes a process's state goes through :func:`check_transition`, so the
table below is the single statement of what may happen. "Paused" is deliberately not a
state: a paused process keeps its state and only stops taking new steps.
"""

from __future__ import annotations

import enum

from prunus.errors import InvalidStateError

__all__ = ["TERMINAL_STATES", "TRANSITIONS", "ProcessState", "check_transition"]


class ProcessState(enum.Enum):
    """The six states of a process; FINISHED, EXCEPTED and KILLED are final."""

    CREATED = "created"
    RUNNING = "running"
    WAITING = "waiting"
    FINISHED = "finished"
    EXCEPTED = "excepted"
    KILLED = "killed"

    # Members are singletons compared by identity: hashed by identity too (C), not by
    # Enum's hash of the name (Python, in every dict or set keyed by a state).
    __hash__ = object.__hash__

    @property
    def is_terminal(self) -> bool:
        # By value: a str's hash is C, an enum member's runs Python (a list of 1,000s
        # of processes asks this of each).
        return self._value_ in _TERMINAL_VALUES

    @property
    def label(self) -> ProcessState:
        """Itself: hooks get a state where plumpy passes a state object, whose
        ``.label`` is the enum, so ``from_state.label`` reads the same in both."""
        return self


TERMINAL_STATES = frozenset({ProcessState.FINISHED, ProcessState.EXCEPTED, ProcessState.KILLED})
_TERMINAL_VALUES = frozenset(state.value for state in TERMINAL_STATES)

# Invariant: terminal states have no way out; RUNNING -> RUNNING (a Continue) is not a
# transition and fires no listener.
TRANSITIONS: dict[ProcessState, frozenset[ProcessState]] = {
    ProcessState.CREATED: frozenset(
        {ProcessState.RUNNING, ProcessState.KILLED, ProcessState.EXCEPTED}
    ),
    ProcessState.RUNNING: frozenset(
        {
            ProcessState.WAITING,
            ProcessState.FINISHED,
            ProcessState.KILLED,
            ProcessState.EXCEPTED,
        }
    ),
    ProcessState.WAITING: frozenset(
        {ProcessState.RUNNING, ProcessState.KILLED, ProcessState.EXCEPTED}
    ),
    ProcessState.FINISHED: frozenset(),
    ProcessState.EXCEPTED: frozenset(),
    ProcessState.KILLED: frozenset(),
}


def check_transition(current: ProcessState, target: ProcessState) -> ProcessState:
    """Return ``target`` if the table allows ``current -> target``, else raise.

    Raises:
        InvalidStateError: the transition is not in :data:`TRANSITIONS`.
    """
    if target not in TRANSITIONS[current]:
        raise InvalidStateError(
            f"illegal transition {current.name} -> {target.name}"
            + (f" ({current.name} is terminal)" if current.is_terminal else "")
        )
    return target
