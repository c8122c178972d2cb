"""Hooks that observe a process's transitions, as in plumpy.

A listener runs inside the process's actor, synchronously, between the state change and
the next step. Its exceptions are logged and swallowed: an observer must not be able to
break what it observes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prunus.engine._process import Process

__all__ = ["ProcessListener"]


class ProcessListener:
    """Subclass and override the hooks you need; every hook does nothing by default."""

    def on_process_created(self, process: Process) -> None:
        """The process was constructed and its inputs validated."""

    def on_process_running(self, process: Process) -> None:
        """The process entered RUNNING."""

    def on_process_waiting(self, process: Process) -> None:
        """The process entered WAITING."""

    def on_process_paused(self, process: Process) -> None:
        """The process was paused; it takes no further step until played."""

    def on_process_played(self, process: Process) -> None:
        """A paused process was played."""

    def on_output_emitted(
        self, process: Process, output_port: str, value: Any, dynamic: bool
    ) -> None:
        """The process emitted ``value`` on ``output_port``."""

    def on_process_finished(self, process: Process, outputs: Any) -> None:
        """The process entered FINISHED."""

    def on_process_excepted(self, process: Process, reason: str) -> None:
        """The process entered EXCEPTED."""

    def on_process_killed(self, process: Process, msg: str | None) -> None:
        """The process entered KILLED."""
