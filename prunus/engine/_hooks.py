"""Template hooks on the process class (plumpy's ``on_*`` set), and ``Process.current()``.

A subclass overrides the hooks it needs; the engine calls them on the same transitions
that fire listeners (:mod:`prunus.engine._machine`), in this order for a transition
from S to T: ``on_exiting`` and S's exit hook, ``on_entering(T)`` and T's entering hook
(``on_run``, ``on_wait``, ``on_finish``, ``on_kill``, ``on_except``), the state
changes, then ``on_entered(S)`` and T's entered hook (``on_running``, ``on_waiting``,
``on_finished``, ``on_killed``, ``on_excepted``; then ``on_terminated`` and
``on_close`` for an ending), then the listeners.

As in plumpy, an override must call ``super()``, so that hooks of a class hierarchy
compose. The check is one place (:meth:`ProcessHooks._prunus_call_hook`): every base
hook records that it ran, and the caller looks. Hooks a class does not override are
not called at all, so they cost nothing per step.

Hooks on a restored process (after a restart, or a passivated process re-activated):
``init`` runs (it is for set-up of what checkpoints do not hold); no other hook runs for
the state it is restored in (``on_create`` ran when it was created, ``on_run`` when it
entered RUNNING). Hooks run again on every later transition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from prunus.errors import MissingSuperCallError

__all__ = [
    "HOOKS",
    "ProcessHooks",
    "current_process",
    "enter_current",
    "leave_current",
    "running",
]

_CURRENT: ContextVar[tuple[Any, ...]] = ContextVar("prunus_current_process", default=())


@contextmanager
def running(process: Any) -> Iterator[None]:
    """Make ``process`` the one :func:`current_process` returns, for the duration."""
    token = enter_current(process)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def enter_current(process: Any) -> Any:
    """The fast form of :func:`running` for the step loop: returns the token to pass to
    :func:`leave_current` (a ``try``/``finally`` costs less than a context manager)."""
    return _CURRENT.set((*_CURRENT.get(), process))


leave_current = _CURRENT.reset


def current_process() -> Any:
    """The process whose step (or hook) is running in this thread, innermost first."""
    stack = _CURRENT.get()
    return stack[-1] if stack else None


def _base_hook(fn: Callable[..., None]) -> Callable[..., None]:
    name = fn.__name__

    @functools.wraps(fn)
    def hook(self: Any, *args: Any, **kwargs: Any) -> None:
        self._prunus.hooks_ran.add(name)

    return hook


class ProcessHooks:
    """The hooks; every one does nothing here but note that ``super()`` reached it."""

    _prunus: Any

    @_base_hook
    def init(self) -> None:
        """After construction and after every restore from a checkpoint: set up what a
        checkpoint does not hold (connections, caches). Runs before ``on_create``."""

    @_base_hook
    def on_create(self) -> None:
        """The process was created, inputs validated (once in its life, not on restore)."""

    @_base_hook
    def on_entering(self, state: Any) -> None:
        """About to enter ``state`` (a ProcessState); before its entering hook."""

    @_base_hook
    def on_entered(self, from_state: Any) -> None:
        """Entered the current state from ``from_state`` (None at creation)."""

    @_base_hook
    def on_exiting(self) -> None:
        """About to leave the current state."""

    @_base_hook
    def on_run(self) -> None:
        """Entering RUNNING."""

    @_base_hook
    def on_running(self) -> None:
        """Entered RUNNING."""

    @_base_hook
    def on_exit_running(self) -> None:
        """Leaving RUNNING."""

    @_base_hook
    def on_wait(self, data: Any) -> None:
        """Entering WAITING; ``data`` is the Wait's data (a WorkChain: awaited pids)."""

    @_base_hook
    def on_waiting(self) -> None:
        """Entered WAITING."""

    @_base_hook
    def on_exit_waiting(self) -> None:
        """Leaving WAITING (resumed, killed or failed)."""

    @_base_hook
    def on_pausing(self, msg: str | None = None) -> None:
        """About to be paused (``msg`` becomes the status)."""

    @_base_hook
    def on_paused(self, msg: str | None = None) -> None:
        """Paused: no new step until played."""

    @_base_hook
    def on_playing(self) -> None:
        """Played after a pause."""

    @_base_hook
    def on_output_emitting(self, output_port: str, value: Any) -> None:
        """About to emit ``value`` on ``output_port`` (before it is checked)."""

    @_base_hook
    def on_output_emitted(self, output_port: str, value: Any, dynamic: bool) -> None:
        """Emitted ``value`` on ``output_port``."""

    @_base_hook
    def on_finish(self, result: Any, successful: bool) -> None:
        """Entering FINISHED; raising here makes the process EXCEPTED instead."""

    @_base_hook
    def on_finished(self) -> None:
        """Entered FINISHED."""

    @_base_hook
    def on_except(self, exc_info: tuple[Any, BaseException, Any]) -> None:
        """Entering EXCEPTED with ``(type, error, traceback)``."""

    @_base_hook
    def on_excepted(self) -> None:
        """Entered EXCEPTED."""

    @_base_hook
    def on_kill(self, msg: str | None) -> None:
        """Entering KILLED; raising here makes the process EXCEPTED instead."""

    @_base_hook
    def on_killed(self) -> None:
        """Entered KILLED."""

    @_base_hook
    def on_terminated(self) -> None:
        """Entered any terminal state (after its entered hook)."""

    @_base_hook
    def on_close(self) -> None:
        """Last hook of an ended process: release what ``init`` set up."""

    # ---- calling them ---------------------------------------------------------------

    @classmethod
    def _prunus_user_hooks(cls) -> frozenset[str]:
        """The hooks this class overrides (computed once per class)."""
        found = cls.__dict__.get("_prunus_hook_overrides")
        if found is None:
            found = frozenset(
                name for name in HOOKS if getattr(cls, name) is not getattr(ProcessHooks, name)
            )
            cls._prunus_hook_overrides = found  # type: ignore[attr-defined]
        return found

    def _prunus_call_hook(self, name: str, *args: Any) -> None:
        """Call hook ``name`` if the class overrides it, and check it reached super().

        Raises:
            MissingSuperCallError: the override did not call ``super().<name>(...)``.
            Exception: whatever the hook raised.
        """
        if name not in type(self)._prunus_user_hooks():
            return
        ran = self._prunus.hooks_ran
        ran.discard(name)
        with running(self):
            getattr(self, name)(*args)
        if name not in ran:
            raise MissingSuperCallError(
                f"{type(self).__qualname__}.{name} did not call super().{name}(...): "
                "an override of a prunus hook must call the base hook, as in plumpy"
            )
        ran.discard(name)


HOOKS = tuple(
    name for name, value in vars(ProcessHooks).items() if name == "init" or name.startswith("on_")
)
