"""The embedded runtime: a private in-process actor system, a supervisor and one host.

In Thespian's in-process base every actor runs in the caller's thread while the caller
is inside ``ask``: asking the supervisor to answer when a process has ended is what
drives the whole system. When the system goes idle before the answer comes, nothing in
it can ever produce one (every process left is paused or waiting on something that will
not happen), and ``ask`` returns None at once: that is reported as :class:`Stuck`
instead of blocking forever.

The host runs one step per slice and never passivates: the caller's own process object
stays the one that runs, so ``process.execute()`` leaves that very instance finished.
"""

from __future__ import annotations

import itertools
from typing import Any

from prunus import errors
from prunus.actors._messages import (
    CancelWait,
    Configure,
    ErrorReply,
    Launch,
    Launched,
    Reload,
    Reloaded,
    Stuck,
    WaitFor,
    WaitResult,
    WaitTimedOut,
)
from prunus.actors._queries import RuntimeQueries
from prunus.actors._supervisor import Supervisor
from prunus.actors._thespian import open_embedded_system
from prunus.engine import Process, ProcessResult

__all__ = ["EmbeddedRuntime", "raise_error_reply"]


class EmbeddedRuntime(RuntimeQueries):
    """Owns one in-process actor system; not thread-safe (use it from one thread)."""

    def __init__(self, store: Any) -> None:
        self._system = open_embedded_system()
        self._supervisor = self._system.createActor(Supervisor)
        self._closed = False
        self._request_ids = itertools.count(1)
        self._ask(Configure(store=store))

    def reload(self, resume: bool = True) -> Reloaded:
        """Register every process in the store and (``resume``) resume the unfinished."""
        reply = self._ask(Reload(resume))
        assert isinstance(reply, Reloaded)
        return reply

    def launch(self, process: Process) -> str:
        reply = self._ask(Launch(process))
        assert isinstance(reply, Launched)
        return reply.pid

    def wait(self, pid: str, timeout: float | None = None) -> ProcessResult | Stuck:
        """The result of ``pid`` once it ends; Stuck if it never can in this system.

        Raises:
            WaitTimeoutError: ``timeout`` seconds passed, measured between steps.
        """
        request_id = next(self._request_ids)
        reply = self._ask(WaitFor(pid, request_id, timeout))
        if reply is None:
            self._system.tell(self._supervisor, CancelWait(pid, request_id))
            return Stuck(pid)
        if isinstance(reply, WaitTimedOut):
            raise errors.WaitTimeoutError(f"process {pid} did not end within {timeout} s")
        return reply.result

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._system.shutdown()

    def _ask(self, message: Any) -> Any:
        if self._closed:
            raise errors.ClosedError("this runtime is closed")
        reply = self._system.ask(self._supervisor, message)
        # Invariant: only waits can be answered late (after a Stuck or a timeout); such
        # answers carry a request id that is not the current one and are dropped.
        while isinstance(reply, (WaitResult, WaitTimedOut)) and reply.request_id != getattr(
            message, "request_id", None
        ):
            reply = self._system.listen()
        if isinstance(reply, ErrorReply):
            raise_error_reply(reply)
        return reply


def raise_error_reply(reply: ErrorReply) -> None:
    """Raise the prunus error an ErrorReply names (PrunusError for unknown kinds)."""
    error_type = getattr(errors, reply.kind, None)
    if not (isinstance(error_type, type) and issubclass(error_type, errors.PrunusError)):
        error_type = errors.PrunusError
    if error_type is errors.UnknownProcessError:
        raise errors.UnknownProcessError(reply.pid)
    if error_type is errors.PortValidationError:
        raise errors.PortValidationError(reply.message, reply.port_path)
    raise error_type(reply.message)
