"""Launch options (``when=``, ``cache=``, ``placement=``) and ``client.defaults(...)``.

A launch option is about *how* a process is launched, not about its inputs, so it is a
keyword of ``submit`` beside the class (a process with a port named ``when`` passes
its inputs as ``inputs={...}``). ``client.defaults(...)`` sets options for every submit
inside the block, like park's ``with service:``.

Threads: the defaults of a block apply to the submits made *in the thread that opened
it*, through that client. Another thread using the same client does not see them: a
block is lexical scope for the reader, and a block in one thread changing what another
thread's submit means would be action at a distance. Blocks nest; the inner value of an
option wins, and an option given to ``submit`` itself wins over every block (an
explicit ``when=None`` means "no condition", inside a block too).

New options join :data:`LAUNCH_OPTIONS` and are checked and resolved here; ``submit``
passes them on unchanged. ``placement=`` (where among a daemon's members a process may
run) replaces its class's ``spec.requires(...)``: given to ``submit`` it wins over a
block's, which wins over the class (``placement=None``: the class's own).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prunus.conditions import Condition
from prunus.engine import Process, launch_inputs, new_process
from prunus.errors import ConditionError

__all__ = [
    "LAUNCH_OPTIONS",
    "UNSET",
    "LaunchDefaults",
    "checked_placement",
    "launch_item",
]

#: Every launch option ``submit`` and ``defaults`` take.
LAUNCH_OPTIONS = ("when", "cache", "placement")

#: The values of ``cache=``: use and fill the cache, neither, or run and replace.
CACHE_MODES = (True, False, "refresh")


class _Unset:
    """The value of an option not given (``None`` is a value: "no condition")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class LaunchDefaults:
    """The stack of ``defaults`` blocks open in each thread, for one client."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _stack(self) -> list[dict[str, Any]]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @contextmanager
    def block(self, **options: Any) -> Iterator[None]:
        """Push ``options`` for the duration of a ``with`` block in this thread.

        Raises:
            TypeError: an option that is not a launch option.
            ConditionError: ``when`` is not a condition.
        """
        unknown = sorted(set(options) - set(LAUNCH_OPTIONS))
        if unknown:
            raise TypeError(
                f"unknown launch option {unknown[0]!r} (options: {', '.join(LAUNCH_OPTIONS)})"
            )
        for name, value in options.items():
            check_option(name, value)
        stack = self._stack()
        stack.append(options)
        try:
            yield
        finally:
            stack.pop()

    def resolve(self, name: str, given: Any, default: Any = None) -> Any:
        """The value of option ``name`` for one submit: ``given`` unless UNSET, else
        the innermost block's, else ``default``."""
        if given is not UNSET:
            check_option(name, given)
            return given
        for options in reversed(self._stack()):
            if name in options:
                return options[name]
        return default


def check_option(name: str, value: Any) -> None:
    """Raises ConditionError for a ``when`` that is not a Condition (or None),
    ValueError for a ``cache`` that is not one of :data:`CACHE_MODES`, and TypeError or
    ValueError for a ``placement`` that is not a mapping of counts and labels (or None)."""
    if name == "placement" and value is not None:
        checked_placement(value)
    if name == "cache" and not any(value is mode or value == mode for mode in CACHE_MODES):
        raise ValueError(f"cache= takes True, False or 'refresh', got {value!r:.60}")
    if name == "when" and value is not None and not isinstance(value, Condition):
        raise ConditionError(
            f"when= takes a condition such as pid.finished_ok, got {type(value).__name__} "
            f"{value!r:.60}"
        )


def when_data(when: Condition | None) -> list[Any] | None:
    """What a runtime takes: the condition's plain data."""
    return None if when is None else when.to_data()


def checked_placement(placement: Any) -> dict[str, int | str]:
    """A launch's ``placement``, checked here so a bad one fails in the caller."""
    if not isinstance(placement, Mapping):
        raise TypeError(f"placement must be a mapping like {{'gpu': 1}}, not {placement!r}")
    for key, value in placement.items():
        countable = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        if not isinstance(key, str) or not (countable or (isinstance(value, str) and value)):
            raise ValueError(f"placement {key!r}: {value!r}: give a count (int >= 0) or a label")
    return dict(placement)


def launch_item(
    process: type[Process] | Process | str,
    inputs: Mapping[str, Any] | None,
    kwargs: dict[str, Any],
) -> tuple[Process | str, dict[str, Any] | None]:
    """What a runtime launches: a validated instance (a class is built here, so bad
    inputs fail in the caller), or a class path with its inputs."""
    if isinstance(process, str):
        return process, {**(inputs or {}), **kwargs}
    if isinstance(process, Process):
        if inputs or kwargs:
            raise TypeError("inputs go to the constructor when submitting an instance")
        return process, None
    return new_process(process, launch_inputs(process, inputs, kwargs)), None
