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

__all__ = [
    "Action",
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

    def describe(self) -> Any:
        raise NotImplementedError


class _Step(_Instruction):
    __slots__ = ("fn",)

    def __init__(self, fn: StepFunction) -> None:
        self.fn = fn

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        if cursor is None:
            return Action("step", fn=self.fn), True
        return _DONE, None

    def describe(self) -> Any:
        return self.fn.__name__


class _Block(_Instruction):
    __slots__ = ("instructions",)

    def __init__(self, instructions: Sequence[Any]) -> None:
        self.instructions = tuple(_as_instruction(i) for i in instructions)

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        index, child = (0, None) if cursor is None else cursor
        while index < len(self.instructions):
            action, child = self.instructions[index].advance(child, workchain)
            if action.kind != "done":
                return action, [index, child]
            index, child = index + 1, None
        return _DONE, None

    def describe(self) -> Any:
        return [i.describe() for i in self.instructions]


class _If(_Instruction):
    """``if_(c1)(...).elif_(c2)(...).else_(...)``: the first true condition's block runs."""

    __slots__ = ("branches", "otherwise")

    def __init__(
        self,
        branches: tuple[tuple[Callable[[Any], Any], _Block], ...],
        otherwise: _Block | None,
    ) -> None:
        self.branches = branches
        self.otherwise = otherwise

    def elif_(self, condition: Callable[[Any], Any]) -> Callable[..., _If]:
        if self.otherwise is not None:
            raise SyntaxError("elif_ cannot follow else_")

        def body(*instructions: Any) -> _If:
            return _If((*self.branches, (condition, _Block(instructions))), None)

        return body

    def else_(self, *instructions: Any) -> _If:
        if self.otherwise is not None:
            raise SyntaxError("an if_ can have only one else_")
        return _If(self.branches, _Block(instructions))

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

    def _choose(self, workchain: Any) -> int | None:
        for index, (condition, _) in enumerate(self.branches):
            if condition(workchain):
                return index
        return -1 if self.otherwise is not None else None

    def describe(self) -> Any:
        parts: list[Any] = [
            {"if" if i == 0 else "elif": c.__name__, "then": b.describe()}
            for i, (c, b) in enumerate(self.branches)
        ]
        if self.otherwise is not None:
            parts.append({"else": self.otherwise.describe()})
        return parts


class _While(_Instruction):
    __slots__ = ("body", "condition")

    def __init__(self, condition: Callable[[Any], Any], body: _Block) -> None:
        self.condition = condition
        self.body = body

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        while True:
            if cursor is None and not self.condition(workchain):
                return _DONE, None
            action, cursor = self.body.advance(cursor, workchain)
            if action.kind != "done":
                return action, cursor
            # Invariant: cursor is None here, so the condition is evaluated again.

    def describe(self) -> Any:
        return {"while": self.condition.__name__, "do": self.body.describe()}


class _Return(_Instruction):
    """``return_`` ends the WorkChain successfully; ``return_(exit_code)`` with that code."""

    __slots__ = ("exit_code",)

    def __init__(self, exit_code: Any = None) -> None:
        self.exit_code = exit_code

    def __call__(self, exit_code: Any) -> _Return:
        return _Return(exit_code)

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        return Action("return", exit_code=self.exit_code), True

    def describe(self) -> Any:
        code = self.exit_code
        return "return" if code is None else f"return({getattr(code, 'status', code)})"


def if_(condition: Callable[[Any], Any]) -> Callable[..., _If]:
    """Start a conditional: ``if_(cls.is_big)(cls.split, cls.merge)``."""

    def body(*instructions: Any) -> _If:
        return _If(((condition, _Block(instructions)),), None)

    return body


def while_(condition: Callable[[Any], Any]) -> Callable[..., _While]:
    """Start a loop: ``while_(cls.not_converged)(cls.iterate)``."""

    def body(*instructions: Any) -> _While:
        return _While(condition, _Block(instructions))

    return body


return_ = _Return()


class Outline:
    """The whole outline of a WorkChain: a block with a readable description."""

    __slots__ = ("_block",)

    def __init__(self, *instructions: Any) -> None:
        self._block = _Block(instructions)

    def advance(self, cursor: Cursor, workchain: Any) -> tuple[Action, Cursor]:
        """Evaluate conditions from ``cursor`` on and return the next action."""
        return self._block.advance(cursor, workchain)

    def describe(self) -> list[Any]:
        return self._block.describe()


OutlineItem = _Instruction | StepFunction


def _as_instruction(item: Any) -> _Instruction:
    if isinstance(item, _Instruction):
        return item
    if callable(item):
        return _Step(item)
    raise TypeError(f"outline items must be steps, if_, while_ or return_, got {item!r}")
