"""Durable timers and signals, as the engine sees them: what a process waits for.

``self.sleep(s)`` / ``self.sleep_until(when)`` / ``self.wait_for(name, timeout=s)``
return a :class:`~prunus.engine.Wait` whose data is a :class:`WaitOn`. Applying it puts
``{"due": ..., "signal": ...}`` in the process core, which is checkpointed and shown in
its status (``status.due``, ``status.signal``): that is what the supervisor's timer heap
and the views read. The engine never watches a clock itself: a host delivers a wake-up
(:func:`wake`) or a signal (:func:`deliver_signal`) and the process resumes.

A signal that arrives before the process waits for it is kept (the latest payload per
name) and consumed by the next ``wait_for`` of that name, which then does not wait at
all. ``self.signal(name)`` reads the payload the last wait for ``name`` received (None
after a timeout).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from prunus.engine._commands import Wait

if TYPE_CHECKING:
    from prunus.engine._process import Process

__all__ = [
    "LATE_REPORT_SECONDS",
    "WaitOn",
    "WaitingActions",
    "check_signal_name",
    "deliver_signal",
    "describe_wait",
    "due_of",
    "take_pending_signal",
    "wake",
]

#: A timer that fires this much later than due says so in its process's report (the
#: runtime was down, or overloaded, when it fell due).
LATE_REPORT_SECONDS = 1.0

_SIGNAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}\Z")


@dataclass(frozen=True, slots=True)
class WaitOn:
    """The data of a Wait on a timer (``due``), a signal, or a signal with a timeout."""

    due: float | None = None
    signal: str | None = None


class WaitingActions:
    """The step actions of timers and signals, mixed into :class:`Process`."""

    _prunus: Any

    def sleep(self, seconds: float, then: Callable[..., Any] | None = None) -> Wait:
        """Return this from a step to wait ``seconds`` without holding a worker.

        The deadline is stored with the process; it survives restarts, and one that
        fell due while the runtime was down fires at once (its lateness reported).
        ``then`` is the method to continue with (a WorkChain goes on with its outline;
        a plain Process without ``then`` finishes when it wakes).
        """
        return self.sleep_until(time.time() + float(seconds), then)

    def sleep_until(self, when: Any, then: Callable[..., Any] | None = None) -> Wait:
        """As :meth:`sleep`, until ``when`` (a datetime; naive means local time)."""
        due = due_of(when)
        return Wait(self._prunus_then(then), describe_wait(due, None), WaitOn(due, None))

    def wait_for(
        self, name: str, then: Callable[..., Any] | None = None, *, timeout: float | None = None
    ) -> Wait:
        """Return this from a step to wait for the signal ``name`` (``client.signal``,
        ``prunus process signal``); the next step reads it with :meth:`signal`. A signal
        that came before is taken at once. After ``timeout`` seconds the process wakes
        and ``self.signal(name)`` is None.

        Raises:
            ValueError: ``name`` cannot name a signal.
        """
        check_signal_name(name)
        due = None if timeout is None else time.time() + float(timeout)
        return Wait(self._prunus_then(then), describe_wait(due, name), WaitOn(due, name))

    def signal(self, name: str) -> Any:
        """The payload the last wait for ``name`` received (None if it timed out or no
        signal of that name came)."""
        return self._prunus.signal_values.get(name)

    def _prunus_then(self, then: Callable[..., Any] | None) -> Callable[..., Any] | None:
        return then


def check_signal_name(name: Any) -> str:
    """``name`` if it can name a signal.

    Raises:
        ValueError: it is not a str of letters, digits, ``_.-`` (1-100, not starting
            with a digit or punctuation).
    """
    if not isinstance(name, str) or not _SIGNAL_NAME.match(name):
        raise ValueError(
            f"invalid signal name {name!r}: use letters, digits, '_', '.', '-' "
            "(starting with a letter or '_', at most 100)"
        )
    return name


def due_of(when: Any) -> float:
    """Unix time of ``when``: a datetime (naive means local time) or a number.

    Raises:
        TypeError: anything else.
    """
    if isinstance(when, datetime):
        return when.timestamp()
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        return float(when)
    raise TypeError(f"sleep_until takes a datetime, got {type(when).__name__}")


def describe_wait(due: float | None, signal: str | None) -> str:
    """The status message of a process waiting on a timer and/or a signal."""
    at = None if due is None else _iso(due)
    if signal is None:
        return f"sleeping until {at}"
    return f"waiting for signal '{signal}'" + ("" if at is None else f" (timeout at {at})")


def deliver_signal(process: Process, name: str, payload: Any) -> bool:
    """Give ``process`` the signal; False if it has ended. A process waiting for that
    name resumes; any other keeps it until it waits for it."""
    core = process._prunus
    if core.state.is_terminal:
        return False
    waiting = core.waiting
    if waiting is not None and waiting["signal"] == name:
        core.signal_values[name] = payload
        process.resume()
    else:
        core.signals[name] = payload
    return True


def take_pending_signal(process: Process, name: str) -> bool:
    """A wait for ``name`` is being applied: if the signal came already, consume it
    (``self.signal(name)`` reads it) and say that the process need not wait."""
    core = process._prunus
    if name not in core.signals:
        return False
    core.signal_values[name] = core.signals.pop(name)
    return True


def wake(process: Process, due: float, now: float) -> bool:
    """A timer for ``due`` fired at ``now``: resume ``process`` if it still waits on
    that very timer (a stale wake-up does nothing). A timed-out signal wait reads None."""
    core = process._prunus
    waiting = core.waiting
    if core.state.is_terminal or waiting is None or waiting["due"] != due:
        return False
    late = now - due
    if late > LATE_REPORT_SECONDS:
        process.report(f"timer due at {_iso(due)} fired {late:.1f} s late")
    if waiting["signal"] is not None:
        core.signal_values[waiting["signal"]] = None
    process.resume()
    return True


def _iso(unix_time: float) -> str:
    return datetime.fromtimestamp(unix_time, timezone.utc).isoformat(timespec="seconds")
