"""The client side of a daemon: one Thespian TCP connection to its supervisor.

Every call has a timeout, so no call hangs on a daemon that died or stopped
answering: it raises :class:`DaemonError` with one line saying which. Waiting for a
process has no limit of its own unless asked, but checks every few seconds that the
daemon is still there. A call that timed out drops its connection and opens a new one,
so a late answer can never be taken for the answer to a later call.

:func:`open_remote_runtime` opens one; a client finds the port in the home's
``daemon.json`` (``prunus.control``).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from prunus.actors._daemon_network import accepts_connections
from prunus.actors._embedded_runtime import raise_error_reply
from prunus.actors._local_reads import LocalReads
from prunus.actors._messages import (
    NOT_READY,
    CancelWait,
    ErrorReply,
    Launched,
    LaunchedMany,
    Submit,
    SubmitMany,
    WaitFor,
    WaitForMany,
    WaitTimedOut,
)
from prunus.actors._registering_soon import ask_until_registered
from prunus.actors._remote_reads import StoreReadsFirst
from prunus.actors._runtime_protocol import LaunchItem
from prunus.actors._supervisor_lookup import find_supervisor, supervisor_listening
from prunus.actors._thespian import (
    LOOPBACK,
    FramesRefused,
    PoisonMessage,
    connect_to_daemon,
    disconnect,
)
from prunus.engine import Process, ProcessDriver, ProcessResult, ProcessState
from prunus.errors import (
    ClosedError,
    DaemonError,
    DaemonTimeoutError,
    KilledError,
    NotAuthorisedError,
    PrunusError,
    WaitTimeoutError,
)
from prunus.persistence import encode

__all__ = ["RemoteRuntime", "ensure_listening", "open_remote_runtime"]

_LIVENESS_SECONDS = 2.0  # how often a long wait checks that the daemon is still there
_BULK_SHARE = 0.8  # a bulk control is answered after this share of the call's timeout
_SUBMIT_ATTEMPTS = 3  # a submit not answered in time is sent again (same key) this often
_RECOVERY_SECONDS = 120.0  # a wait waits this long for a replaced supervisor to answer
_RECOVERY_PAUSE_SECONDS = 0.2


class _SupervisorLost(Exception):
    """The supervisor a wait was sent to no longer listens (see _wait_request)."""


def _new_key() -> str:
    """A fresh idempotency key for one submit call (``prunus.actors._submit_keys``)."""
    return uuid.uuid4().hex


def open_remote_runtime(
    port: int,
    *,
    key: bytes,
    timeout: float = 10.0,
    where: str = "",
    host: str = LOOPBACK,
    home: str | os.PathLike[str] | None = None,
    daemon_alive: Callable[[], bool] | None = None,
) -> RemoteRuntime:
    """A runtime talking to the daemon on ``host``:``port``; every call but a wait
    gives up after ``timeout`` seconds. ``where`` names the daemon in errors. Every
    message is signed with ``key``, the daemon's (see ``_frames``). With ``home`` (the
    daemon's, on this machine) status, list, outputs and report are read from its
    store (see ``_local_reads``), while ``daemon_alive()`` says the daemon still
    runs; the rest goes to the supervisor.

    Raises:
        DaemonError: nothing listens there.
        NotAuthorisedError: the daemon there does not accept ``key``.
    """
    return RemoteRuntime(
        port,
        key=key,
        timeout=timeout,
        where=where,
        host=host,
        home=home,
        daemon_alive=daemon_alive,
    )


class RemoteRuntime(StoreReadsFirst):
    """Talks to the daemon listening on ``host``:``port``; use it from one thread.
    Made by :func:`open_remote_runtime`.

    Raises:
        DaemonError: nothing listens there.
    """

    is_remote = True

    def __init__(
        self,
        port: int,
        *,
        key: bytes,
        timeout: float = 10.0,
        where: str = "",
        host: str = LOOPBACK,
        home: str | os.PathLike[str] | None = None,
        daemon_alive: Callable[[], bool] | None = None,
    ) -> None:
        self._host, self._port, self._key = host, port, key
        self._timeout = timeout
        self._where = where or f"{host}:{port}"
        self._request_ids = itertools.count(1)
        self._closed = False
        self._daemon_alive = daemon_alive
        self._check_alive()
        self._connect()
        self._reads = None
        if home is not None:
            alive = daemon_alive or (lambda: True)
            self._reads = LocalReads(home, self._ask_supervisor, lambda: self._still_there(alive))

    # ---- the runtime interface (prunus.actors.Runtime) ---------------------------------

    def launch(
        self,
        process: Process | str,
        inputs: Mapping[str, Any] | None = None,
        when: list[Any] | None = None,
        cache: Any = True,
        *,
        placement: dict[str, int | str] | None = None,
        key: str | None = None,
    ) -> str:
        """Submit a process: an instance (validated here already) or ``module:Class``;
        ``placement`` replaces its class's requirements. ``key``: the idempotency key
        (default: a fresh one, so this call's own retries never make a duplicate)."""
        submission = self._submission(process, inputs, when, cache, placement, key or _new_key())
        reply = self._ask_again_if_late(submission)
        assert isinstance(reply, Launched), reply
        return reply.pid

    def launch_many(self, launches: Sequence[LaunchItem], *, key: str | None = None) -> list[str]:
        """Submit many processes in one message (all validated before any starts)."""
        if not launches:  # the supervisor answers a batch when its last one commits
            return []
        items = tuple(self._submission(*item) for item in launches)
        reply = self._ask_again_if_late(SubmitMany(items, key or _new_key()))
        assert isinstance(reply, LaunchedMany), reply
        return list(reply.pids)

    def _ask_again_if_late(self, message: Submit | SubmitMany) -> Any:
        """A submit not answered in time is sent again, with the same key, on a new
        connection: the daemon answers a key it has seen with the pids it gave then,
        so the retry never makes a second process, and an answer lost on the way (or
        a daemon busy for a moment) costs a retry, not a failed call."""
        for attempt in range(_SUBMIT_ATTEMPTS):
            try:
                return self._ask(message)
            except DaemonTimeoutError:
                if attempt == _SUBMIT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _submission(
        process: Process | str,
        inputs: Mapping[str, Any] | None,
        when: list[Any] | None = None,
        cache: Any = True,
        placement: dict[str, int | str] | None = None,
        key: str = "",
    ) -> Submit:
        if isinstance(process, Process):
            driver = ProcessDriver(process)
            if driver.listeners:
                raise PrunusError(
                    "a daemon builds the process from its class and inputs in its own OS "
                    "process; listeners attached to this instance cannot go with it"
                )
            reference, inputs = process.qualified_name(), driver.raw_inputs
        else:
            reference = process
        encoded = encode(inputs or {}, path_prefix="inputs")
        return Submit(reference, encoded, when, cache, placement, key)

    def run(
        self, process: Process | str, inputs: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Launch, wait, and return the outputs; an EXCEPTED process's error comes back
        rebuilt (the exception object stays in the daemon): its own type where it
        imports here, else ProcessFailedError with its type name, message, traceback."""
        result = self.wait(self.launch(process, inputs))
        if result.state is ProcessState.FINISHED:
            return result.outputs
        if result.state is ProcessState.KILLED:
            raise KilledError(result.status or f"process {result.pid} was killed")
        error = result.error()
        assert error is not None  # EXCEPTED
        raise error

    def wait(self, pid: str, timeout: float | None = None) -> ProcessResult:
        """Block until ``pid`` ends.

        Raises:
            WaitTimeoutError: it did not end within ``timeout`` seconds.
            DaemonError: the daemon went away meanwhile.
        """
        stored = None if self._reads is None else self._reads.stored
        request_id = 0

        def ask_once() -> Any:
            nonlocal request_id
            request_id = next(self._request_ids)
            return self._wait_request(WaitFor(pid, request_id, timeout), timeout)

        reply = ask_until_registered(ask_once, stored)  # a child not yet registered
        if isinstance(reply, ErrorReply):
            raise_error_reply(reply)
        if isinstance(reply, WaitTimedOut):
            self._system.tell(self._supervisor, CancelWait(pid, request_id))
            raise WaitTimeoutError(f"process {pid} did not end within {timeout} s")
        return reply.result

    def _wait_request(self, message: WaitFor | WaitForMany, timeout: float | None) -> Any:
        """Send a wait ``message`` and return the answer with its request id, checking
        every few seconds that the daemon and its supervisor are still there; stale
        answers (to waits given up on) are dropped. A supervisor that died meanwhile is
        replaced by the daemon: the wait is sent again, for what is left of its time, to
        the new one, which reloads every process from its checkpoint. Interrupted
        (Ctrl-C, an error), the connection is dropped, so the answer still to come can
        never reach a later call."""
        deadline = None if timeout is None else time.monotonic() + timeout
        starting = time.monotonic() + _RECOVERY_SECONDS  # a new one is not configured yet
        while True:
            self._system.tell(self._supervisor, message)
            try:
                reply = self._await_reply(message.request_id, timeout)
                if reply != NOT_READY or time.monotonic() > starting:
                    return reply
                time.sleep(_RECOVERY_PAUSE_SECONDS)
            except _SupervisorLost:
                self._find_new_supervisor()
            except BaseException:
                self._reconnect_quietly()
                raise
            if deadline is not None:
                timeout = max(0.0, deadline - time.monotonic())
                message = dataclasses.replace(message, timeout=timeout)

    def _find_new_supervisor(self) -> None:
        """Connect again until the daemon's new supervisor listens (the admin may name
        the dead one until the daemon has swept its actor system).

        Raises:
            DaemonError: the daemon is gone, or no supervisor came back in time.
        """
        give_up = time.monotonic() + _RECOVERY_SECONDS
        while True:
            if self._daemon_alive is not None and not self._daemon_alive():
                raise DaemonError(f"no prunus daemon is running at {self._where}")
            try:
                self._reconnect()
                if supervisor_listening(self._supervisor):
                    return
            except NotAuthorisedError:
                raise
            except DaemonError:
                pass  # its actor system is being started again
            if time.monotonic() > give_up:
                raise DaemonError(
                    f"the prunus daemon at {self._where} lost its supervisor and none "
                    f"answered within {_RECOVERY_SECONDS:g} s"
                )
            time.sleep(_RECOVERY_PAUSE_SECONDS)

    def _await_reply(self, request_id: int, timeout: float | None) -> Any:
        give_up = None if timeout is None else time.monotonic() + timeout + self._timeout
        while True:
            reply = self._system.listen(_LIVENESS_SECONDS)
            if reply is None:
                if not supervisor_listening(self._supervisor):
                    if self._daemon_alive is None:
                        self._check_alive()  # no pid to ask: a closed port means gone
                    raise _SupervisorLost
                self._check_alive()
                if give_up is not None and time.monotonic() > give_up:
                    raise DaemonTimeoutError(
                        f"the prunus daemon at {self._where} stopped answering"
                    )
                continue
            if isinstance(reply, ErrorReply):
                return reply  # the caller raises it (or asks again: _registering_soon)
            if getattr(reply, "request_id", None) == request_id:
                return reply

    def wait_many(self, pids: Sequence[str], timeout: float | None = None) -> list[ProcessResult]:
        """Results of every pid, in one message each way (not one round trip each).

        Raises:
            WaitTimeoutError: not all ended within ``timeout`` seconds.
            DaemonError: the daemon went away meanwhile.
        """
        request_id = next(self._request_ids)
        reply = self._wait_request(WaitForMany(tuple(pids), request_id, timeout), timeout)
        if isinstance(reply, ErrorReply):
            raise_error_reply(reply)
        if isinstance(reply, WaitTimedOut):
            raise WaitTimeoutError(f"process {reply.pid} did not end within {timeout} s")
        return list(reply.results)

    def close(self) -> None:
        """Drop the connection (the daemon goes on: never ``shutdown()`` it from here)."""
        if not self._closed:
            self._closed = True
            disconnect(self._system)
            if self._reads is not None:
                self._reads.close()

    # ---- internals -----------------------------------------------------------------

    def _bulk_deadline(self, timeout: float | None) -> float | None:
        own = self._timeout * _BULK_SHARE
        return own if timeout is None else min(timeout, own)

    def _connect(self) -> None:
        try:
            self._system = connect_to_daemon(self._port, self._key, self._host)
            self._supervisor = find_supervisor(self._system, self._timeout)
        except FramesRefused:
            raise NotAuthorisedError(f"not authorised for the daemon on {self._where}") from None
        except Exception as error:  # Thespian raises its own kinds (InvalidActorAddress...)
            raise DaemonError(
                f"cannot reach the prunus daemon at {self._where}: {type(error).__name__}"
            ) from None

    def _reconnect(self) -> None:
        disconnect(self._system)
        self._connect()

    def _reconnect_quietly(self) -> None:
        """Drop this connection so no late answer reaches a later call; best effort."""
        try:
            self._reconnect()
        except Exception:
            self._closed = True  # no usable connection: later calls say so

    def _ask(self, message: Any) -> Any:
        if self._closed:
            raise ClosedError("this client is closed")
        stored = None if self._reads is None else self._reads.stored
        reply = ask_until_registered(lambda: self._ask_once(message), stored)
        if reply is None:
            self._check_alive()
            self._reconnect()  # a late answer to this ask must not answer the next one
            raise DaemonTimeoutError(
                f"the prunus daemon at {self._where} did not answer within {self._timeout:g} s"
            )
        if isinstance(reply, ErrorReply):
            raise_error_reply(reply)
        if isinstance(reply, PoisonMessage):
            raise DaemonError(f"the prunus daemon at {self._where} failed on {message!r}")
        return reply

    def _ask_once(self, message: Any) -> Any:
        try:
            return self._system.ask(self._supervisor, message, self._timeout)
        except BaseException:  # Ctrl-C, or Thespian failing: its answer may still come
            self._reconnect_quietly()
            raise

    def _check_alive(self) -> None:
        ensure_listening(self._port, self._where, self._host)


def ensure_listening(port: int, where: str, host: str = LOOPBACK) -> None:
    """Raises DaemonError if nothing listens on ``host``:``port``."""
    if not accepts_connections(host, port):
        raise DaemonError(f"no prunus daemon is running at {where}")
