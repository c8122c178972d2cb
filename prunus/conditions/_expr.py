"""Conditions on how other processes end, and their three-valued evaluation.

A condition is a tree: atoms (``fetch.finished_ok``) combined with ``&``, ``|`` and
``~``. It is evaluated against what is known now about the processes it names, and the
answer has three values, because a process that has not ended could still end any way:

- HOLDS: true however the unfinished processes end; the dependent may start now.
- NEVER: false however they end; the dependent is cancelled.
- NOT_YET: the answer depends on something that has not ended yet.

The connectives follow Kleene's strong logic (``NEVER & x`` is NEVER, ``HOLDS | x`` is
HOLDS, ``~NOT_YET`` is NOT_YET). That is sound: HOLDS and NEVER are only given when they
follow from what ended, so a decision is never taken back. It is complete once every
named process has ended, and for expressions that name each process once; for others
it can wait longer than needed (``a.failed | ~a.failed`` waits until ``a`` ends).

Every atom of a process that has not ended is NOT_YET, ``completed`` included: it is
the only atom all endings make true, but "not yet ended" is exactly what it waits for.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple, TypeAlias

from prunus.engine import ProcessResult, ProcessState
from prunus.errors import ConditionError

__all__ = [
    "And",
    "Atom",
    "AtomKind",
    "Condition",
    "Not",
    "Or",
    "Outcome",
    "States",
    "Truth",
    "all_of",
    "any_of",
    "check_pid",
    "condition_from_data",
]

#: What a pid looks like: dot-separated parts of letters, digits, ``_`` and ``-``
#: (``3f9a0c1b2d4e``, and a child's ``3f9a0c1b2d4e.2.1``). The parser and ``str()`` rely
#: on it: the atom name is the last dotted part, so a pid may hold dots but no spaces
#: or operators.
PID_PATTERN = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")


def check_pid(pid: object) -> str:
    """``pid`` as a plain ``str``, if it looks like a pid.

    Raises:
        ConditionError: not a str, or not of the pid form (one line, names the value).
    """
    if not isinstance(pid, str):
        raise ConditionError(f"a pid is a str, got {type(pid).__name__} {pid!r:.60}")
    if PID_PATTERN.fullmatch(pid) is None:
        raise ConditionError(
            f"invalid pid {pid[:60]!r}: a pid is dot-separated parts of letters, digits, "
            "'_' and '-'"
        )
    return str.__str__(pid)  # a Pid becomes the plain text it wraps


class Truth(enum.Enum):
    """The value of a condition now: it holds, it can never hold, or not yet known."""

    HOLDS = "holds"
    NEVER = "never"
    NOT_YET = "not yet"

    def __invert__(self) -> Truth:
        return _NEGATION[self]


_NEGATION = {Truth.HOLDS: Truth.NEVER, Truth.NEVER: Truth.HOLDS, Truth.NOT_YET: Truth.NOT_YET}


class Outcome(NamedTuple):
    """What conditions read about one process: its state and exit status.

    ``exit_status`` matters only for FINISHED (0 is success). A plain
    ``(ProcessState.FINISHED, 0)`` tuple works wherever an Outcome is expected.
    """

    state: ProcessState
    exit_status: int = 0

    @classmethod
    def of(cls, result: ProcessResult) -> Outcome:
        """The outcome of an ended process, from its result."""
        code = result.exit_code
        return cls(result.state, 0 if code is None else code.status)


#: The processes' outcomes a condition is evaluated against: a mapping or a function
#: from pid to Outcome. None or a missing pid means "not ended (or not known) yet".
States: TypeAlias = Mapping[str, "Outcome | None"] | Callable[[str], "Outcome | None"]


def _lookup(states: States) -> Callable[[str], Outcome | None]:
    if isinstance(states, Mapping):
        return states.get
    if callable(states):
        return states
    raise TypeError(f"states is a mapping or a callable pid -> Outcome, got {states!r:.60}")


class AtomKind(enum.Enum):
    """The four things a condition can ask about one process's ending."""

    COMPLETED = "completed"  # ended, any way
    FINISHED_OK = "finished_ok"  # FINISHED with exit status 0
    FAILED = "failed"  # EXCEPTED, or FINISHED with a non-zero exit status
    KILLED = "killed"  # KILLED, which includes cancelled

    def holds_for(self, state: ProcessState, exit_status: int) -> bool:
        """Whether this atom is true of a process that ended in ``state``."""
        if self is AtomKind.COMPLETED:
            return True
        if self is AtomKind.FINISHED_OK:
            return state is ProcessState.FINISHED and not exit_status
        if self is AtomKind.FAILED:
            return state is ProcessState.EXCEPTED or (
                state is ProcessState.FINISHED and bool(exit_status)
            )
        return state is ProcessState.KILLED


ATOM_NAMES = tuple(kind.value for kind in AtomKind)


class Condition:
    """Base of condition trees: combine with ``&``, ``|`` and ``~``.

    Conditions are immutable values: equal when they have the same structure, hashable,
    and ``str()`` gives the text the ``--when`` grammar parses back to an equal
    condition. They refuse ``bool()``, so ``a.completed and b.completed`` (which Python
    would quietly reduce to one of them) raises instead of dropping a dependency.
    """

    __slots__ = ()

    def evaluate(self, states: States) -> Truth:
        """HOLDS, NEVER or NOT_YET given the outcomes known now (see the module doc)."""
        return self._evaluate(_lookup(states))

    def _evaluate(self, lookup: Callable[[str], Outcome | None]) -> Truth:
        raise NotImplementedError

    @property
    def pids(self) -> frozenset[str]:
        """Every pid this condition names: the ones whose ending can change its value."""
        return frozenset(atom.pid for atom in self.atoms())

    def atoms(self) -> tuple[Atom, ...]:
        """The distinct atoms, in the order they first appear in the text."""
        return tuple(dict.fromkeys(self._walk_atoms()))

    def _walk_atoms(self) -> Iterator[Atom]:
        raise NotImplementedError

    def to_data(self) -> list[Any]:
        """Plain nested lists of str (codec- and JSON-friendly); see condition_from_data."""
        raise NotImplementedError

    def __and__(self, other: object) -> Condition:
        if not isinstance(other, Condition):
            return NotImplemented
        return And((self, other))

    def __or__(self, other: object) -> Condition:
        if not isinstance(other, Condition):
            return NotImplemented
        return Or((self, other))

    def __invert__(self) -> Condition:
        return Not(self)

    def __bool__(self) -> bool:
        raise TypeError(
            f"the condition {self} has no truth value here: combine conditions with "
            "& | ~ (not and/or/not), and evaluate one with .evaluate(states)"
        )

    def __repr__(self) -> str:
        return f"<condition {self}>"


@dataclass(frozen=True, slots=True, repr=False)
class Atom(Condition):
    """One question about one process: ``pid.completed``, ``pid.finished_ok``..."""

    pid: str
    kind: AtomKind

    def __post_init__(self) -> None:
        object.__setattr__(self, "pid", check_pid(self.pid))
        if not isinstance(self.kind, AtomKind):
            raise ConditionError(f"an atom's kind is an AtomKind, got {self.kind!r:.60}")

    def _evaluate(self, lookup: Callable[[str], Outcome | None]) -> Truth:
        outcome = lookup(self.pid)
        if outcome is None:
            return Truth.NOT_YET
        state, exit_status = outcome
        if not state.is_terminal:
            return Truth.NOT_YET
        return Truth.HOLDS if self.kind.holds_for(state, exit_status) else Truth.NEVER

    def _walk_atoms(self) -> Iterator[Atom]:
        yield self

    def to_data(self) -> list[Any]:
        return [self.kind.value, self.pid]

    def __str__(self) -> str:
        return f"{self.pid}.{self.kind.value}"


def _flatten(kind: type, parts: tuple[Condition, ...]) -> tuple[Condition, ...]:
    """``a & (b & c)`` is stored as ``a & b & c``: one tree, one text, for one meaning."""
    flat: list[Condition] = []
    for part in parts:
        if not isinstance(part, Condition):
            raise ConditionError(f"{kind.__name__} combines conditions, got {part!r:.60}")
        flat.extend(part.parts if type(part) is kind else (part,))  # type: ignore[attr-defined]
    if len(flat) < 2:
        raise ConditionError(f"{kind.__name__} needs at least two conditions, got {len(flat)}")
    return tuple(flat)


@dataclass(frozen=True, slots=True, repr=False)
class _Junction(Condition):
    """``&`` and ``|``: duals, so one walk serves both. A part with the ``decisive``
    value ends the walk with it; otherwise any NOT_YET part makes the whole NOT_YET,
    and with none the junction is ``otherwise``."""

    parts: tuple[Condition, ...]
    symbol: ClassVar[str]
    decisive: ClassVar[Truth]
    otherwise: ClassVar[Truth]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", _flatten(type(self), tuple(self.parts)))

    def _evaluate(self, lookup: Callable[[str], Outcome | None]) -> Truth:
        result = self.otherwise
        for part in self.parts:
            value = part._evaluate(lookup)
            if value is self.decisive:
                return value
            if value is Truth.NOT_YET:
                result = Truth.NOT_YET
        return result

    def _walk_atoms(self) -> Iterator[Atom]:
        for part in self.parts:
            yield from part._walk_atoms()

    def to_data(self) -> list[Any]:
        return [self.symbol, *(part.to_data() for part in self.parts)]

    def __str__(self) -> str:
        # A junction of the other kind inside is parenthesised: for ``&`` in ``|`` the
        # parentheses are for the reader (``&`` binds tighter), for ``|`` in ``&`` needed.
        return f" {self.symbol} ".join(
            f"({part})" if isinstance(part, _Junction) else str(part) for part in self.parts
        )


class And(_Junction):
    """Holds when every part holds; can never hold as soon as one part can never hold."""

    __slots__ = ()
    symbol, decisive, otherwise = "&", Truth.NEVER, Truth.HOLDS


class Or(_Junction):
    """Holds as soon as one part holds; can never hold when no part can."""

    __slots__ = ()
    symbol, decisive, otherwise = "|", Truth.HOLDS, Truth.NEVER


@dataclass(frozen=True, slots=True, repr=False)
class Not(Condition):
    """Holds when the part can never hold, and the other way round; NOT_YET stays."""

    part: Condition

    def __post_init__(self) -> None:
        if not isinstance(self.part, Condition):
            raise ConditionError(f"Not negates a condition, got {self.part!r:.60}")

    def _evaluate(self, lookup: Callable[[str], Outcome | None]) -> Truth:
        return ~self.part._evaluate(lookup)

    def _walk_atoms(self) -> Iterator[Atom]:
        return self.part._walk_atoms()

    def to_data(self) -> list[Any]:
        return ["~", self.part.to_data()]

    def __str__(self) -> str:
        inner = str(self.part)
        return f"~{inner}" if isinstance(self.part, Atom | Not) else f"~({inner})"


def all_of(*conditions: Condition) -> Condition:
    """``c1 & c2 & ...``; one condition is returned as it is.

    Raises:
        ConditionError: no condition given.
    """
    return conditions[0] if len(conditions) == 1 else And(conditions)


def any_of(*conditions: Condition) -> Condition:
    """``c1 | c2 | ...``; one condition is returned as it is."""
    return conditions[0] if len(conditions) == 1 else Or(conditions)


_MAX_DATA_DEPTH = 200
_KINDS = {kind.value: kind for kind in AtomKind}


def condition_from_data(data: Any) -> Condition:
    """The condition ``Condition.to_data`` gave ``data`` for.

    Raises:
        ConditionError: ``data`` is not such a form (a corrupt record): one line.
    """
    return _from_data(data, 0)


def _from_data(data: Any, depth: int) -> Condition:
    if depth > _MAX_DATA_DEPTH:
        raise ConditionError(f"stored condition is nested more than {_MAX_DATA_DEPTH} levels")
    if not isinstance(data, list | tuple) or not data or not isinstance(data[0], str):
        raise ConditionError(f"stored condition is corrupt: {data!r:.80}")
    head, rest = data[0], data[1:]
    if head in _KINDS and len(rest) == 1:
        return Atom(rest[0], _KINDS[head])
    if head == "~" and len(rest) == 1:
        return Not(_from_data(rest[0], depth + 1))
    if head in ("&", "|") and len(rest) >= 2:
        parts = tuple(_from_data(item, depth + 1) for item in rest)
        return And(parts) if head == "&" else Or(parts)
    raise ConditionError(f"stored condition is corrupt: {data!r:.80}")
