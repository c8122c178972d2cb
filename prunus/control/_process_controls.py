"""The client's controls: pause, play, resume, kill and signal, one process or many.

These are methods of :class:`~prunus.control.Client` (a mixin it inherits), kept
apart so that the client module stays about launching, waiting and looking. Each is a
thin call on the client's :class:`~prunus.actors.Runtime`: what is checked here is
only what must be refused before anything is sent (a signal's name and payload).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prunus.actors import Runtime
from prunus.engine import ProcessStatus
from prunus.engine._waiting import check_signal_name
from prunus.errors import CodecError
from prunus.persistence import encode

__all__ = ["ProcessControls"]


class ProcessControls:
    """Controlling processes by pid (see the module docstring)."""

    _runtime: Runtime

    def pause(self, pid: str, *, cascade: bool = True) -> bool:
        """Pause ``pid`` (and its descendants) before its next step; False if it ended."""
        return self._runtime.pause(pid, cascade=cascade)

    def play(self, pid: str, *, cascade: bool = True) -> bool:
        """Let a paused process (and its descendants) take steps again."""
        return self._runtime.play(pid, cascade=cascade)

    def resume(self, pid: str) -> bool:
        """Wake ``pid`` from a plain ``Wait(...)``: the step its Wait named runs next.

        Returns False, changing nothing, if it is not WAITING, or waits for its
        children (it resumes by itself when they have ended).
        """
        return self._runtime.resume(pid)

    def kill(self, pid: str, msg: str | None = None) -> bool:
        """Kill ``pid`` after killing its live descendants; False if it had already ended."""
        return self._runtime.kill(pid, msg)

    def pause_many(
        self, pids: Iterable[str], *, cascade: bool = True, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """Pause many processes in one request, so that a busy host holds back none of
        the others. Per pid: True (paused), False (it had ended), or None (not answered
        within ``timeout`` seconds: a step in progress finishes first; the pause
        stands). Pids the runtime does not know are left out."""
        return self._runtime.pause_many(list(pids), cascade=cascade, timeout=timeout)

    def play_many(
        self, pids: Iterable[str], *, cascade: bool = True, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """:meth:`play` for many processes in one request (see :meth:`pause_many`)."""
        return self._runtime.play_many(list(pids), cascade=cascade, timeout=timeout)

    def kill_many(
        self, pids: Iterable[str], msg: str | None = None, *, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """:meth:`kill` for many processes in one request (see :meth:`pause_many`)."""
        return self._runtime.kill_many(list(pids), msg, timeout=timeout)

    def pause_all(
        self, *, cascade: bool = True, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """:meth:`pause_many` of every process that has not ended, in one request: the
        runtime picks them (with ``cascade``, the tops of trees). Outcomes by pid."""
        return self._runtime.control_all("pause", cascade=cascade, timeout=timeout)

    def play_all(
        self, *, cascade: bool = True, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """:meth:`play_many` of every process that has not ended (see :meth:`pause_all`)."""
        return self._runtime.control_all("play", cascade=cascade, timeout=timeout)

    def kill_all(
        self, msg: str | None = None, *, timeout: float | None = None
    ) -> dict[str, bool | None]:
        """:meth:`kill_many` of every tree that has not ended (see :meth:`pause_all`)."""
        return self._runtime.control_all("kill", msg=msg, timeout=timeout)

    def signal(self, pid: str, name: str, payload: Any = None) -> ProcessStatus:
        """Deliver the signal ``name`` with ``payload`` to ``pid`` (a process waiting in
        ``self.wait_for(name)`` resumes and reads it with ``self.signal(name)``; any
        other keeps it until it waits for it). Returns once the signal is stored with
        the process: its status then.

        Raises:
            ValueError: ``name`` cannot name a signal.
            CodecError: ``payload`` cannot be stored (names the bad value's path).
            UnknownProcessError: no such pid.
            InvalidStateError: the process has ended.
            (Nothing is stored in any of these cases.)
        """
        check_signal_name(name)
        try:
            data = encode(payload)
        except CodecError as error:
            raise CodecError(f"cannot store the payload of signal '{name}': {error}") from None
        return self._runtime.signal(pid, name, data)
