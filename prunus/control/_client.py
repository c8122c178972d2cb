"""The Python client: launch, wait for, inspect and control processes.

``Client()`` runs an embedded runtime in this thread: calls that wait (``wait``, ``run``)
drive the actor system until their answer is ready. ``Client.connect(...)`` talks to a
running daemon instead, from any OS process, with the same methods. Either way the
client holds one :class:`~prunus.actors.Runtime` and only prepares what it is given
(validating inputs here) before handing it on: it has no mode of its own.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prunus.actors import (
    ListQuery,
    ProcessPage,
    Runtime,
    check_submit_key,
    ensure_listening,
    open_embedded_runtime,
    open_remote_runtime,
)
from prunus.conditions import Condition, Pid
from prunus.control._daemon_files import daemon_address, daemon_key, local_reads
from prunus.control._launch_options import (
    UNSET,
    LaunchDefaults,
    checked_placement,
    launch_item,
    when_data,
)
from prunus.control._process_controls import ProcessControls
from prunus.control._warm import execute_warm
from prunus.control._worker_pool import open_worker_runtime, wants_workers
from prunus.engine import (
    Process,
    ProcessResult,
    ProcessStatus,
    refuse_inside_step,
)
from prunus.errors import NotAuthorisedError
from prunus.ui._notebook import ProcessList, ProcessTree

__all__ = ["Client", "execute"]


class Client(ProcessControls):
    """Submit processes and control them by pid.

    Args:
        home: a runtime home directory: every process is checkpointed there (LMDB)
            after every step, and a new ``Client(home)`` resumes every process that
            had not ended. Without it, checkpoints are kept in memory only.
        store: a store object to use instead (tests, embedding).
        resume: False leaves the home's unfinished processes as they are stored (for
            tools that only look): they move only if a control message reaches them.
        runtime: an opened runtime to use instead of an embedded one (what
            :meth:`connect` passes); the client closes it.
        workers: 2 or more runs the home (a temporary one without ``home``) on a
            private pool of that many host OS processes, stopped by :meth:`close`,
            which imports process classes by module path; None, 0 or 1: this
            thread only (the fast path for tiny processes).

    Raises:
        StoreError: the home cannot be opened (one line naming the path and why), or
            another runtime is using it (one runtime per home; also a daemon, for a
            client with workers: connect to it instead).
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        store: Any = None,
        resume: bool = True,
        runtime: Runtime | None = None,
        workers: int | None = None,
    ) -> None:
        refuse_inside_step("a prunus Client")
        if wants_workers(workers):
            if runtime is not None or store is not None:
                raise TypeError("a client with workers runs on a home, not a store or runtime")
            runtime = open_worker_runtime(home, workers, resume=resume)  # type: ignore[arg-type]
        elif runtime is None:
            runtime = open_embedded_runtime(home, store=store, resume=resume)
        elif home is not None or store is not None:
            raise TypeError("give a client a home (or a store) or a runtime, not both")
        self._runtime = runtime
        self._defaults = LaunchDefaults()

    @classmethod
    def connect(
        cls,
        home: str | os.PathLike[str] | None = None,
        *,
        address: str | int | None = None,
        key: bytes | str | os.PathLike[str] | None = None,
        timeout: float = 10.0,
    ) -> Client:
        """A client of the daemon running on ``home`` (default: $PRUNUS_HOME, then
        ./.prunus) or listening at ``address``: a port on 127.0.0.1, or
        ``"HOST:PORT"`` for a daemon started with ``--bind HOST`` (another machine that
        this one reaches; give ``key``, a copy of that daemon's key).

        Every message is signed with the daemon's key: ``key`` (the 32 bytes, or the
        path of a copy of its key file), by default the home's ``secret.key``.
        Process classes are imported by the daemon from their module path. Every call
        but ``wait`` gives up after ``timeout`` seconds.

        Raises:
            DaemonError: no daemon runs there (one line saying where it looked).
            ValueError: ``timeout`` is not a finite number of seconds above 0.
            NotAuthorisedError: no key, or not the daemon's
                (``not authorised for the daemon on HOME``).
        """
        refuse_inside_step("Client.connect")
        _check_seconds("timeout", timeout, allow_zero=False)
        host, port, where = daemon_address(home, address)
        try:
            secret = daemon_key(home, key, where)
        except NotAuthorisedError:  # no daemon there is the better answer, if true
            ensure_listening(port, where, host)
            raise
        runtime = open_remote_runtime(
            port, key=secret, timeout=timeout, where=where, host=host, **local_reads(home, address)
        )
        return cls(runtime=runtime)

    @property
    def is_remote(self) -> bool:
        """True for a client of a daemon (``Client.connect``): its processes move on
        their own, not only while this client is being called."""
        return self._runtime.is_remote

    # ---- launching ----------------------------------------------------------------

    def submit(
        self,
        process: type[Process] | Process | str,
        inputs: Mapping[str, Any] | None = None,
        /,
        *,
        when: Condition | None = UNSET,
        cache: bool | str = UNSET,
        placement: Mapping[str, int | str] | None = UNSET,
        idempotency_key: str | None = None,
        **kwargs: Any,
    ) -> Pid:
        """Start a process and return its pid; its inputs are validated here.

        ``process`` is a Process class (``inputs`` and keyword arguments are its
        inputs), an already constructed instance, or ``"module:Class"`` (imported
        where the processes run: by the daemon, for a client of one).
        ``placement={"gpu": 1}`` (a keyword of its own, never an input) replaces the
        class's ``spec.requires(...)``: where, among a daemon's members, it may run.
        Default: the enclosing :meth:`defaults`, else the class's (None: the class's).

        ``when``: a condition on other processes (``a.finished_ok & b.completed``):
        the process is recorded at once (pid, ``list``, pause, kill) and starts only
        when it holds; if it can never hold, it ends KILLED with a ``cancelled:``
        status, without running a step. Default: the enclosing :meth:`defaults`.

        ``cache`` (for a class with ``spec.cacheable``): True (default) reuses the
        outputs of a run that FINISHED ok with the same key (the new pid ends at once;
        ``describe(pid)["cached_from"]`` names the source) and waits for a live one;
        False neither uses nor fills the cache; "refresh" runs and replaces the entry.

        ``idempotency_key`` (a str of at most 200 bytes in UTF-8): a submit with a key
        the runtime has answered before (within 7 days, also across a restart)
        returns that pid and starts nothing, so a caller may repeat a submit whose
        answer it never got. Without one, a client of a daemon still sends a fresh
        key per call, and sends the call again (up to 3 times) if the daemon does
        not answer in time: such a retry never makes a second process.

        Raises:
            PortValidationError: an input does not fit the spec; nothing is started.
            ProcessClassError: the class cannot be imported (by the daemon, if remote).
            ConditionError: ``when`` names a process this runtime does not know.
            PrunusError: ``idempotency_key`` is not a str of at most 200 bytes.
        """
        when = self._defaults.resolve("when", when)
        cache = self._defaults.resolve("cache", cache, True)
        key = check_submit_key(idempotency_key) or None
        placement = self._defaults.resolve("placement", placement)
        item = launch_item(process, inputs, kwargs)
        if placement is not None:
            placement = checked_placement(placement)
        return Pid(
            self._runtime.launch(*item, when_data(when), cache, placement=placement, key=key)
        )

    def submit_many(
        self,
        launches: Iterable[tuple[type[Process] | str, Mapping[str, Any] | None]],
        *,
        when: Condition | None = UNSET,
        cache: bool | str = UNSET,
        placement: Mapping[str, int | str] | None = UNSET,
        idempotency_key: str | None = None,
    ) -> list[Pid]:
        """Start many processes, ``(class or "module:Class", inputs)`` each, and return
        their pids in order. Every one is validated before any starts; with a daemon
        they travel in one message and share commits, which is much faster than a
        ``submit`` each. ``when``, ``cache``, ``placement`` and ``idempotency_key`` (one
        for the whole batch) are as ``submit``'s.

        Raises:
            PortValidationError, ProcessClassError, ConditionError, PrunusError: as
                ``submit``; nothing is started.
        """
        data = when_data(self._defaults.resolve("when", when))
        cache = self._defaults.resolve("cache", cache, True)
        key = check_submit_key(idempotency_key) or None
        placement = self._defaults.resolve("placement", placement)
        extra = (data, cache) if placement is None else (data, cache, checked_placement(placement))
        items = [(*launch_item(process, inputs, {}), *extra) for process, inputs in launches]
        return [Pid(pid) for pid in self._runtime.launch_many(items, key=key)]

    @contextmanager
    def defaults(self, **options: Any) -> Iterator[None]:
        """Launch options (``when=``, ``cache=``, ``placement=``) for every submit in the
        block, made in this thread through this client; an option given to ``submit``
        wins (a block's ``placement`` wins over the class's ``spec.requires``).

        Raises:
            TypeError: not a launch option; a placement that is not a mapping.
            ValueError: a placement value that is neither a count nor a label.
            ConditionError: ``when`` is not a condition.
        """
        with self._defaults.block(**options):
            yield

    def run(
        self,
        process: type[Process] | Process | str,
        inputs: Mapping[str, Any] | None = None,
        /,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Submit, wait, and return the outputs; raises as ``Process.execute`` does
        (from a daemon, the error of an EXCEPTED process is rebuilt: its own type
        where it imports, else ProcessFailedError with its type name, message and
        traceback text)."""
        return self._runtime.run(*launch_item(process, inputs, kwargs))

    def wait(self, pid: str, timeout: float | None = None) -> ProcessResult:
        """Block until ``pid`` ends and return its result (also for KILLED or EXCEPTED).

        Raises:
            WaitTimeoutError: it did not end within ``timeout`` seconds.
            StuckError: (embedded) it can never end: it is paused or waits on nothing
                that will come (a WaitTimeoutError too).
            UnknownProcessError: no such pid.
            ValueError: ``timeout`` is not None or a finite number of seconds >= 0.
        """
        if timeout is not None:
            _check_seconds("timeout", timeout, allow_zero=True)
        return self._runtime.wait(pid, timeout)

    def wait_many(
        self, pids: Iterable[str], timeout: float | None = None, *, progress: bool = False
    ) -> list[ProcessResult]:
        """``wait`` for every pid, all asked at once (one answer, one fsync), results in order.

        ``progress=True`` shows how many are done, failed and running, and how fast they
        end: a bar redrawn on a terminal, an updating output in a notebook.

        Raises:
            WaitTimeoutError, UnknownProcessError: as ``wait``.
        """
        pids = list(pids)
        if timeout is not None:
            _check_seconds("timeout", timeout, allow_zero=True)
        if progress:
            from prunus.ui._progress import wait_with_progress

            return wait_with_progress(self, pids, timeout)
        return self._runtime.wait_many(pids, timeout)

    # ---- looking (the controls: _process_controls) ---------------------------------

    def status(self, pid: str) -> ProcessStatus:
        """State, pause flag, status message, current step and children of ``pid``."""
        return self._runtime.status(pid)

    def list(self) -> ProcessList:
        """Every process this runtime knows, in launch order (a ``list`` that shows
        itself as a table in a notebook)."""
        return ProcessList(self._runtime.list())

    def tree(self, pid: str) -> ProcessTree:
        """``pid`` and its descendants as they are now (a nested list in a notebook;
        ``.to_dot()``, ``.to_svg()``, ``.to_mermaid()`` draw it)."""
        return ProcessTree.read(self, pid)

    def list_page(
        self,
        query: ListQuery | None = None,
        *,
        after: tuple[float, str] | None = None,
        limit: int = 1000,
    ) -> ProcessPage:
        """Up to ``limit`` processes passing ``query`` (default: those that have not
        ended), oldest first; pass ``page.next`` as ``after`` for the next page (None:
        that was the last). The runtime filters, so only the page travels: use this
        rather than :meth:`list` when there are many processes."""
        return self._runtime.list_page(query or ListQuery(), after, limit)

    def outputs(self, pid: str) -> dict[str, Any]:
        """The outputs ``pid`` has emitted so far (all of them once it has ended)."""
        return self._runtime.outputs(pid)

    def describe(self, pid: str) -> dict[str, Any]:
        """Everything stored about ``pid`` as plain data: ``pid``, ``process_class``,
        ``state`` (a name), ``paused``, ``status``, ``step``, ``parent``, ``children``,
        ``created`` and ``modified`` (unix times), ``inputs``, ``outputs`` (once ended),
        ``exit_code`` ([status, message] or None), ``exception`` and ``traceback``
        (of an EXCEPTED process's error) and ``restarts``."""
        return self._runtime.describe(pid)

    def report(self, pid: str, *, times: bool = False) -> list[Any]:
        """The lines ``pid`` logged with ``self.report``, oldest first (with
        ``times=True``: ``(unix time, line)`` pairs)."""
        lines = self._runtime.report(pid)
        return lines if times else [line for _, line in lines]

    # ---- lifetime -------------------------------------------------------------------

    def close(self) -> None:
        """Close the runtime (embedded: its actor system, store and home lock; a client
        of a daemon: the connection; the daemon goes on)."""
        self._runtime.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def execute(process: Process) -> dict[str, Any]:
    """Run ``process`` to its end on this thread's warm embedded runtime (a private one
    when called from inside a step of a process that runtime runs); see
    ``Process.execute`` and ``_warm``. ``prunus.control`` installs it as the engine's
    executor when it is imported."""
    return execute_warm(process, _execute_private)


def _execute_private(process: Process) -> dict[str, Any]:
    with Client() as client:
        return client.run(process)


def _check_seconds(name: str, value: Any, *, allow_zero: bool) -> None:
    """Refuse a timeout that no timer can honour: NaN (every comparison with it is
    false), infinities, negatives, and values that are not numbers."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and math.isfinite(value) and (value > 0 or (allow_zero and value == 0))):
        least = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number of seconds {least}, got {value!r}")
