"""The WorkChain outline language: steps, ``if_``/``elif_``/``else_``, ``while_``, ``return_``.

An outline is an immutable tree of instructions. Where a running WorkChain stands in it is
a separate *cursor*: plain nested lists of ints (and ``True`` for "this step was called"),
so a checkpoint can store it and a restored WorkChain resumes after the last step that ran.

Cursor grammar (``None`` everywhere means "not started"):

- step: ``True`` once called;
- block: ``[index, child_cursor]``;
- if: ``[branch, block_cursor]`` with ``branch = -1`` for ``else_``;
- while: the body's block cursor (``None`` means "evaluate the condition next").

Conditions are evaluated while advancing, in the same engine step as the step they lead
to, so a crash between the two re-evaluates the condition: steps and conditions both run
at least once, never "half".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prunus.spec._outline_checks import callable_name, check_takes_self, evaluate

__all__ = [
    "Action",
    "Conditional",
    "Outline",
    "if_",
    "return_",
    "while_",
]

Cursor = Any  # nested lists of int / bool / None, see module docstring
StepFunction = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Action:
    """What advancing the outline asks the WorkChain to do next."""

    kind: str  # "step", "return" or "done"
    fn: StepFunction | None = None
    exit_code: Any = None


_DONE = Action("done")


class _Instruction:
    """Base of outline instructions: ``advance(cursor, workchain) -> (Action, cursor)``."""

    __slots__ = ()

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        raise NotImplementedError

    def ends_after(self, cursor: Cursor) -> bool:
        """Whether advancing from ``cursor`` is surely "done", with no condition to
        evaluate (False when unsure: a loop evaluates its condition again)."""
        return False

    def describe(self) -> Any:
        raise NotImplementedError


class _Step(_Instruction):
    __slots__ = ("_action", "fn")

    def __init__(self, fn: StepFunction) -> None:
        check_takes_self(fn, "step")
        self.fn = fn
        self._action = Action("step", fn=fn)  # (frozen: one for every time it runs)

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        if cursor is None:
            return self._action, True
        return _DONE, None

    def ends_after(self, cursor: Cursor) -> bool:
        return cursor is not None

    def describe(self) -> Any:
        return self.fn.__name__


class _Block(_Instruction):
    """A sequence of instructions; indexable, as plumpy's block is."""

    __slots__ = ("instructions",)

    def __init__(self, instructions: Sequence[Any]) -> None:
        self.instructions = tuple(_as_instruction(i) for i in instructions)

    def __getitem__(self, index: int) -> _Instruction:
        return self.instructions[index]

    def __len__(self) -> int:
        return len(self.instructions)

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        index, child = (0, None) if cursor is None else cursor
        while index < len(self.instructions):
            action, child = self.instructions[index].advance(child, workchain)
            if action.kind != "done":
                return action, [index, child]
            index, child = index + 1, None
        return _DONE, None

    def ends_after(self, cursor: Cursor) -> bool:
        last = len(self.instructions) - 1
        return cursor is not None and cursor[0] == last and self[last].ends_after(cursor[1])

    def describe(self) -> Any:
        return [i.describe() for i in self.instructions]


class Conditional:
    """One condition of an ``if_``/``elif_``/``else_`` or a ``while_``, and its body.

    ``is_true(workchain)`` evaluates it as the outline does: a result that is not
    bool-like (has no ``__bool__``, say a string or a list) warns, as in plumpy, and is
    then taken by its truth value.
    """

    __slots__ = ("_body", "label", "predicate")

    def __init__(self, predicate: Callable[[Any], Any], body: _Block | None, label: str) -> None:
        self.predicate = predicate
        self._body = body
        self.label = label

    @property
    def body(self) -> _Block:
        if self._body is None:
            raise TypeError(f"{self} has no body yet: write {self.label}(cond)(steps...)")
        return self._body

    def is_true(self, workchain: Any) -> bool:
        return evaluate(self.predicate, self.label, workchain)

    def __str__(self) -> str:
        return f"{self.label}({callable_name(self.predicate)})"

    __repr__ = __str__


def _always(workchain: Any) -> bool:
    return True  # the condition of an else_, named in its str: "else_(_always)"


class _If(_Instruction):
    """``if_(c1)(...).elif_(c2)(...).else_(...)``: the first true condition's block runs.

    Immutable: each call returns a new instruction. ``len()`` and indexing give the
    branches as :class:`Conditional` (``else_`` is one whose condition is always true).
    """

    __slots__ = ("branches", "otherwise")

    def __init__(
        self,
        branches: tuple[tuple[Callable[[Any], Any], _Block | None], ...],
        otherwise: _Block | None,
    ) -> None:
        self.branches = branches
        self.otherwise = otherwise

    def __call__(self, *instructions: Any) -> _If:
        """The body of the last ``if_``/``elif_`` condition."""
        condition, body = self.branches[-1]
        if body is not None:
            raise SyntaxError(f"{callable_name(condition)} already has its body")
        return _If((*self.branches[:-1], (condition, _Block(instructions))), None)

    def elif_(self, condition: Callable[[Any], Any]) -> _If:
        if self.otherwise is not None:
            raise SyntaxError("elif_ cannot follow else_")
        self._check_complete()
        check_takes_self(condition, "condition")
        return _If((*self.branches, (condition, None)), None)

    def else_(self, *instructions: Any) -> _If:
        if self.otherwise is not None:
            raise SyntaxError("an if_ can have only one else_")
        self._check_complete()
        return _If(self.branches, _Block(instructions))

    def _check_complete(self) -> None:
        condition, body = self.branches[-1]
        if body is None:
            raise SyntaxError(f"{callable_name(condition)} has no body: write if_(cond)(steps...)")

    def __getitem__(self, index: int) -> Conditional:
        return self._conditionals()[index]

    def __len__(self) -> int:
        return len(self.branches) + (self.otherwise is not None)

    def _conditionals(self) -> list[Conditional]:
        found = [
            Conditional(c, b, "if_" if i == 0 else "elif_")
            for i, (c, b) in enumerate(self.branches)
        ]
        if self.otherwise is not None:
            found.append(Conditional(_always, self.otherwise, "else_"))
        return found

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        if cursor is None:
            branch = self._choose(workchain)
            if branch is None:
                return _DONE, None
            block_cursor = None
        else:
            branch, block_cursor = cursor
        block = self.otherwise if branch == -1 else self.branches[branch][1]
        assert block is not None  # a cursor only names a branch that exists
        action, block_cursor = block.advance(block_cursor, workchain)
        if action.kind == "done":
            return _DONE, None
        return action, [branch, block_cursor]

    def ends_after(self, cursor: Cursor) -> bool:
        if cursor is None:
            return False
        block = self.otherwise if cursor[0] == -1 else self.branches[cursor[0]][1]
        return block is not None and block.ends_after(cursor[1])

    def _choose(self, workchain: Any) -> int | None:
        for index, (condition, _) in enumerate(self.branches):
            if evaluate(condition, "if_" if index == 0 else "elif_", workchain):
                return index
        return -1 if self.otherwise is not None else None

    def describe(self) -> Any:
        parts: list[Any] = [
            {"if" if i == 0 else "elif": callable_name(c), "then": b.describe() if b else []}
            for i, (c, b) in enumerate(self.branches)
        ]
        if self.otherwise is not None:
            parts.append({"else": self.otherwise.describe()})
        return parts


class _While(_Instruction):
    """``while_(cond)(...)``; like plumpy's, it is its own (only) Conditional."""

    __slots__ = ("_body", "condition")

    def __init__(self, condition: Callable[[Any], Any], body: _Block | None) -> None:
        self.condition = condition
        self._body = body

    def __call__(self, *instructions: Any) -> _While:
        if self._body is not None:
            raise SyntaxError(f"while_({callable_name(self.condition)}) already has its body")
        return _While(self.condition, _Block(instructions))

    @property
    def predicate(self) -> Callable[[Any], Any]:
        return self.condition

    @property
    def body(self) -> _Block:
        return self[0].body

    def is_true(self, workchain: Any) -> bool:
        return self[0].is_true(workchain)

    def __getitem__(self, index: int) -> Conditional:
        if index not in (0, -1):
            raise IndexError(index)
        return Conditional(self.condition, self._body, "while_")

    def __len__(self) -> int:
        return 1

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        body = self._body
        assert body is not None  # an outline refuses a while_ without a body
        while True:
            if cursor is None and not evaluate(self.condition, "while_", workchain):
                return _DONE, None
            action, cursor = body.advance(cursor, workchain)
            if action.kind != "done":
                return action, cursor
            # Invariant: cursor is None here, so the condition is evaluated again.

    def describe(self) -> Any:
        body = self._body.describe() if self._body is not None else []
        return {"while": callable_name(self.condition), "do": body}


class _Return(_Instruction):
    """``return_`` ends the WorkChain successfully; ``return_(exit_code)`` with that code."""

    __slots__ = ("exit_code",)

    def __init__(self, exit_code: Any = None) -> None:
        self.exit_code = exit_code

    def __call__(self, exit_code: Any) -> _Return:
        if isinstance(exit_code, bool) or not (
            isinstance(exit_code, int) or hasattr(exit_code, "status")
        ):
            raise TypeError(f"return_ takes an int exit status or an ExitCode, got {exit_code!r}")
        return _Return(exit_code)

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        return Action("return", exit_code=self.exit_code), True

    def describe(self) -> Any:
        code = self.exit_code
        return "return" if code is None else f"return({getattr(code, 'status', code)})"


def if_(condition: Callable[[Any], Any]) -> _If:
    """Start a conditional: ``if_(cls.is_big)(cls.split, cls.merge)``."""
    check_takes_self(condition, "condition")
    return _If(((condition, None),), None)


def while_(condition: Callable[[Any], Any]) -> _While:
    """Start a loop: ``while_(cls.not_converged)(cls.iterate)``."""
    check_takes_self(condition, "condition")
    return _While(condition, None)


return_ = _Return()


class Outline:
    """The whole outline of a WorkChain: a block with a readable description."""

    __slots__ = ("_block",)

    def __init__(self, *instructions: Any) -> None:
        self._block = _Block(instructions)

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        """Evaluate conditions from ``cursor`` on and return the next action."""
        return self._block.advance(cursor, workchain)

    def ends_after(self, cursor: Cursor) -> bool:
        """Whether nothing is left after ``cursor`` (the step it names was the last):
        the WorkChain then ends in that step, as in plumpy, not in one of its own."""
        return self._block.ends_after(cursor)

    def describe(self) -> list[Any]:
        return self._block.describe()


OutlineItem = _Instruction | StepFunction


def _as_instruction(item: Any) -> _Instruction:
    if isinstance(item, (_If, _While)):
        for index in range(len(item)):
            _ = item[index].body  # raises for if_(cond) or while_(cond) without a body
        return item
    if isinstance(item, _Instruction):
        return item
    if callable(item):
        return _Step(item)
    raise TypeError(f"outline items must be steps, if_, while_ or return_, got {item!r}")
