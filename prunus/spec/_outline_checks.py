"""What the outline checks of the user's steps and conditions, and when.

A step or condition is a method of the WorkChain, called with the WorkChain alone. Its
signature is checked when the outline is written (a class definition fails at import,
not at the first run, days later in a daemon); a condition's result is checked each time
it is evaluated, because only then is there a result. Kept apart from the instructions
in :mod:`._outline` so that module reads as the instruction tree and its cursor.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["callable_name", "check_takes_self", "evaluate"]


def callable_name(fn: Any) -> str:
    """How errors and descriptions name a step or condition."""
    return getattr(fn, "__name__", repr(fn))


def check_takes_self(fn: Any, what: str) -> None:
    """A step or condition is called with the WorkChain alone: say so at definition
    time, not at the first run.

    Raises:
        TypeError: ``fn`` is not callable, or cannot be called with one argument.
    """
    if not callable(fn):
        raise TypeError(f"an outline {what} must be a method of the WorkChain, got {fn!r}")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin without a signature: trust it
        return
    try:
        signature.bind(None)
    except TypeError:
        raise TypeError(
            f"outline {what} {callable_name(fn)}{signature} must take one argument, self"
        ) from None


def evaluate(predicate: Callable[[Any], Any], label: str, workchain: Any) -> bool:
    """A condition's truth, as the outline takes it; warns for a value that is not
    bool-like (has no ``__bool__``: a string, a list), as plumpy does."""
    result = predicate(workchain)
    if not hasattr(result, "__bool__"):
        warnings.warn(
            f"the condition {callable_name(predicate)} of {label} returned {result!r}, "
            "which is not bool-like; return True or False",
            UserWarning,
            stacklevel=3,  # past this function and the instruction method that called it
        )
    return bool(result)
