"""Starting processes: a launch is answered only once its first checkpoint is committed.

A client's submit (daemon: Submit, SubmitMany; or any launch with an idempotency key)
is committed by the supervisor itself, in one transaction with its key
(:mod:`prunus.actors._submit_keys`), and answered at once: no host is waited for, so
a host busy in a long step never makes a submit time out; the process waits,
recorded, CREATED, until its host gets to it.

An embedded launch without a key is registered and handed to its host with its first
checkpoint already encoded (a StagedWrite); the host commits it in its next group
commit and reports Activated, and only then is the pid answered, so concurrent
launches share one fsync. A SubmitMany is answered once, when the last of its
processes is committed; one invalid item starts none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prunus.actors._embedded_messages import Unanswered
from prunus.actors._host_messages import (
    Activate,
)
from prunus.actors._members import UNPLACED
from prunus.actors._messages import (
    ErrorReply,
    Launched,
    LaunchedMany,
    Submit,
    SubmitMany,
)
from prunus.actors._outgoing import Outgoing, Relay
from prunus.actors._persisting import ProcessWriter
from prunus.actors._registry import Registry
from prunus.actors._submission import build_process
from prunus.actors._submit_keys import SubmitKeys
from prunus.engine import Process, ProcessDriver
from prunus.errors import PortValidationError, PrunusError

__all__ = ["BatchLaunch", "Launches", "error_reply"]


@dataclass(slots=True)
class BatchLaunch(Relay):
    """A SubmitMany waiting for every one of its processes to be committed. An error
    about one of them is sent straight to ``asker`` (the batch is then never answered:
    the process it names is never committed)."""

    asker: Any
    pids: tuple[str, ...]
    waiting: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.waiting = set(self.pids)

    def relay(self, message: Any) -> tuple[Any, Any] | None:
        return self.asker, message


class Launches:
    """First writes not yet committed, and who waits for them, by pid; the
    idempotency keys answered (:attr:`keys`)."""

    def __init__(self, registry: Registry, writer: ProcessWriter) -> None:
        self._registry = registry
        self._writer = writer
        self._first_writes: dict[str, Any] = {}  # pid -> StagedWrite, until committed
        self._waiters: dict[str, list[Any]] = {}  # pid -> askers (or BatchLaunch)
        self.keys = SubmitKeys()
        self.activation_failures = 0
        self._written: dict[str, Any] = {}  # pid -> status, from write_new to start

    @staticmethod
    def build(message: Submit | SubmitMany, asker: Any, out: Outgoing) -> list[Process] | None:
        """Daemon: build the processes here from their class paths and encoded inputs,
        every one before any starts; None after answering ``asker`` why one cannot."""
        items = message.items if isinstance(message, SubmitMany) else (message,)
        try:
            return [build_process(i.process_class, i.inputs, i.when, i.cache) for i in items]
        except PrunusError as error:
            out.send(asker, error_reply(error))
            return None

    def answer_known(self, key: str, batch: bool, asker: Any, out: Outgoing) -> bool:
        """A launch sent again with a ``key`` already answered: the same pids again,
        and True (nothing is to be created); False for a new key."""
        pids = self.keys.known(key)
        if pids is None:
            return False
        out.send(asker, LaunchedMany(pids) if batch else Launched(pids[0]))
        return True

    def write_new(
        self,
        processes: list[Process],
        key: str,
        pids: tuple[str, ...],
        asker: Any,
        out: Outgoing,
    ) -> bool:
        """Store the first writes of new ``processes`` (started here, or held by a
        condition: no host takes them yet) and ``key``'s answer ``pids``, all in one
        transaction, durably; False after answering ``asker`` why not."""
        statuses = [ProcessDriver(process).status() for process in processes]
        try:
            meta = [self.keys.entry(key, pids)] if key else []
            staged = self._writer.write_new(processes, meta, statuses)
        except PrunusError as error:
            out.send(asker, error_reply(error))
            return False
        self.keys.remember(key, pids)
        # start() registers these with the very statuses stored (built once), and
        # hands the host the checkpoint just stored, encoded: it decodes it instead
        # of reading it back from the store (py-spy: ~4% of a host in a submit_many).
        self._written = {
            status.pid: (status, write.checkpoint)
            for status, write in zip(statuses, staged, strict=True)
        }
        return True

    def checkpoint(self, process: Process) -> Any:
        """``process``'s checkpoint data (a memo hit stores it with its record)."""
        return self._writer.checkpoint(process)

    def held(self, pid: str, asker: Any, out: Outgoing) -> None:
        """A held process is stored: its launch is answered now."""
        self._launched(asker, pid, out)

    def start(
        self,
        process: Process,
        instance: Process | None,
        asker: Any,
        out: Outgoing,
        placement: dict[str, int | str] | None = None,
        *,
        committed: bool = False,
    ) -> None:
        """Register ``process`` and hand it to its host (``instance``: embedded, the
        caller's own object, so ``execute()`` finishes that very instance). One already
        ``committed`` (:meth:`write_new`), or that no member can take yet (stored here),
        is answered at once: it waits, durable, for its host."""
        pid = process.pid
        if pid not in self._registry:
            first_write = None
            status, checkpoint = self._written.pop(pid, (None, None)) if committed else (None, None)
            if status is None:
                status = ProcessDriver(process).status()
            if not committed:
                try:
                    first_write = self._writer.stage_new(process, status)
                except PrunusError as error:
                    out.send(asker, error_reply(error, pid))
                    return
            entry = self._registry.register(status, placement)
            if entry.host == UNPLACED or first_write is None:
                if first_write is not None:
                    self._writer.commit_now(first_write)
                elif entry.host != UNPLACED:
                    stored = None if instance is not None else checkpoint
                    self._registry.deliver(pid, Activate(instance, checkpoint=stored), out)
                self._launched(asker, pid, out)
                return
            self._first_writes[pid] = first_write
            # A Run's launch is not answered: its host need not report it before its
            # first step (see HostActor).
            quiet = type(asker) is Unanswered
            self._registry.deliver(pid, Activate(instance, first_write, quiet), out)
        if pid in self._first_writes:
            self._waiters.setdefault(pid, []).append(asker)
        else:
            self._launched(asker, pid, out)

    def first_write(self, pid: str) -> Any:
        """``pid``'s first write if it is not committed yet (re-sent if its host died)."""
        return self._first_writes.get(pid)

    def commit_first_write(self, pid: str, out: Outgoing) -> None:
        """``pid`` lost its host before its first write was committed and now waits
        for a member: the write is committed here and its launch answered."""
        first_write = self._first_writes.get(pid)
        if first_write is not None:
            self._writer.commit_now(first_write)
            self.activated(pid, out)

    def activated(self, pid: str, out: Outgoing) -> None:
        """``pid`` is hosted: if it was new, its first checkpoint is committed now."""
        if self._first_writes.pop(pid, None) is not None:
            for asker in self._waiters.pop(pid, ()):
                self._launched(asker, pid, out)

    def activation_failed(self, pid: str, reason: str, out: Outgoing) -> None:
        """``pid`` could not be loaded: a launch waiting for it hears why (a batch still
        answers: its other processes run; this one ends EXCEPTED)."""
        self.activation_failures += 1
        self._first_writes.pop(pid, None)
        for asker in self._waiters.pop(pid, ()):
            if isinstance(asker, BatchLaunch):
                self._launched(asker, pid, out)
            else:
                out.send(asker, ErrorReply("CheckpointError", pid, reason))

    def ended(self, pid: str, out: Outgoing) -> None:
        """``pid`` was failed by the runtime before it was committed: it exists now,
        EXCEPTED, so its launch is answered."""
        self._first_writes.pop(pid, None)
        for asker in self._waiters.pop(pid, ()):
            self._launched(asker, pid, out)

    @staticmethod
    def _launched(asker: Any, pid: str, out: Outgoing) -> None:
        if isinstance(asker, BatchLaunch):
            asker.waiting.discard(pid)
            if not asker.waiting:
                out.send(asker.asker, LaunchedMany(asker.pids))
        else:
            out.send(asker, Launched(pid))


def error_reply(error: PrunusError, pid: str = "") -> ErrorReply:
    """The ErrorReply that makes the asker raise ``error`` again."""
    if isinstance(error, PortValidationError):
        return ErrorReply("PortValidationError", pid, error.reason, error.port_path)
    return ErrorReply(type(error).__name__, pid, str(error))
