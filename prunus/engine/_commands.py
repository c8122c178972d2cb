"""The commands a step returns to tell the engine what happens next.

Returning anything that is not a command (including ``None``) means
``Stop(value, successful=True)``. Commands name the next step by method so that a
checkpoint can record it as a string and a restored process can find it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Command", "Continue", "Kill", "Stop", "UnsuccessfulResult", "Wait"]


class Command:
    """Base class of the step commands."""

    __slots__ = ()


@dataclass(frozen=True, slots=True, init=False)
class Continue(Command):
    """Run ``fn(*args, **kwargs)`` as the next step, staying RUNNING."""

    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "fn", fn)
        object.__setattr__(self, "args", args)
        object.__setattr__(self, "kwargs", kwargs)


@dataclass(frozen=True, slots=True)
class Wait(Command):
    """Go WAITING with status ``msg``; when resumed, run ``fn`` as the next step.

    ``fn`` may be None for a process that should finish as soon as it is resumed. Whatever
    ``resume(*args)`` is given is passed on to ``fn``.
    """

    fn: Callable[..., Any] | None = None
    msg: str | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class Stop(Command):
    """Finish with ``result``; ``successful=False`` finishes with a non-zero exit code."""

    result: Any = None
    successful: bool = True


@dataclass(frozen=True, slots=True)
class Kill(Command):
    """End KILLED with ``msg`` as the status."""

    msg: str | None = None


class UnsuccessfulResult:
    """Returned from a step: finish unsuccessfully with ``result`` (plumpy's name;
    the same as ``Stop(result, successful=False)``)."""

    __slots__ = ("result",)

    def __init__(self, result: Any = None) -> None:
        self.result = result
