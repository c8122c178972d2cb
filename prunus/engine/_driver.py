"""The public driver API of the engine: what a host (or a test) uses to run a process.

A host never calls a process's own methods to drive it: it wraps the process in a
:class:`ProcessDriver` and calls ``step``, ``take_effects``, ``status``, ``result``...
on that. Why a separate object rather than methods on :class:`Process`: a Process is
subclassed by users, and the natural names are already theirs (``process.status`` is
the human status message, ``process.result()`` the value it stopped with) or may be
(a user's ``step`` method). A driver has no user namespace to clash with, and the
process keeps only the ``_prunus`` prefix for the engine's own machinery.

A driver holds nothing but its process: make one wherever one is needed.
"""

from __future__ import annotations

from typing import Any

from prunus.engine._process import Process
from prunus.engine._records import ProcessResult, ProcessStatus
from prunus.engine._waiting import deliver_signal, wake

__all__ = ["ProcessDriver"]


class ProcessDriver:
    """Drives one process, one step at a time; see the module docstring."""

    __slots__ = ("process",)

    def __init__(self, process: Process) -> None:
        self.process = process

    @property
    def runnable(self) -> bool:
        """Not paused, and CREATED or RUNNING: :meth:`step` may be called."""
        return self.process._prunus_runnable

    def step(self) -> None:
        """Run exactly one step and apply the command it returned (an error in the
        step makes the process EXCEPTED; it is not raised here).

        Raises:
            InvalidStateError: the process is not :attr:`runnable`.
        """
        self.process._prunus_step()

    def take_effects(self) -> tuple[list[Process], list[str]]:
        """The children launched and the report lines logged since the last call."""
        return self.process._prunus_take_effects()

    def status(self) -> ProcessStatus:
        """A snapshot of the process's state, pause flag, step, children..."""
        return self.process._prunus_status()

    @property
    def has_children(self) -> bool:
        """Whether it has launched a child (without building a :meth:`status`)."""
        return bool(self.process._prunus.children)

    def result(self) -> ProcessResult:
        """How the process ended (or stands): outputs, state, exit code, error text."""
        return self.process._prunus_result()

    def child_finished(self, result: ProcessResult) -> None:
        """Deliver a child's result (a WorkChain consumes it in its awaits); a result
        delivered again, or of a process that is not a child, is ignored."""
        self.process._prunus_child_finished(result)

    def wake(self, due: float, now: float) -> bool:
        """A timer for ``due`` fired at ``now``: resume the process if it still waits
        on it (its lateness goes in its report); False for a stale wake-up."""
        return wake(self.process, due, now)

    def signal(self, name: str, payload: Any) -> bool:
        """Deliver the signal ``name``: a process waiting for it resumes, any other
        keeps it until it waits. False if the process has ended."""
        return deliver_signal(self.process, name, payload)

    def fail(self, error: BaseException) -> None:
        """End the process EXCEPTED with ``error``, for a failure outside its steps
        (its checkpoint cannot be written, say). Nothing happens to an ended process."""
        self.process._prunus_end_excepted(error)

    @property
    def listeners(self) -> list[Any]:
        """The listeners attached to the process (a host stores the storable ones)."""
        return self.process._prunus_listeners

    @property
    def launch_condition(self) -> list[Any] | None:
        """The ``when=`` condition it was launched with (plain data), or None."""
        return self.process._prunus.when

    @launch_condition.setter
    def launch_condition(self, when: list[Any] | None) -> None:
        self.process._prunus.when = when

    @property
    def cache_mode(self) -> Any:
        """The ``cache=`` launch option: True (use and fill), False, or "refresh"."""
        return self.process._prunus.cache

    @cache_mode.setter
    def cache_mode(self, mode: Any) -> None:
        self.process._prunus.cache = mode

    @property
    def raw_inputs(self) -> dict[str, Any]:
        """The validated inputs as plain data, defaults filled in: what rebuilds the
        process elsewhere (a daemon builds it from its class and these)."""
        return self.process._prunus_raw_inputs
