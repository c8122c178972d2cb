"""The store as a host's cells see it: writes staged per slice and committed together.

One commit per round of steps (each step committed before the same process's next
one), one fsync per slice in a daemon: group commit is how durability and speed
coexist (DESIGN.md section 7). A member host's commits carry its fence token, so a
host the leader has given up on can never write again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prunus.persistence import StagedWrite, stage_own_write, stage_writes

__all__ = ["GroupCommit", "WriteStaging"]


class WriteStaging:
    """How cells hand writes to a host, whoever commits them (this module's
    :class:`GroupCommit`, or a member host's shipment to the leader): each write is
    encoded at once into ``_staged``, which the subclass provides."""

    _staged: list[StagedWrite]

    def write_many(self, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
        self._staged.extend(stage_writes(items))

    def write(self, pid: str, **parts: Any) -> None:
        self.write_many([(pid, parts)])

    def write_process(
        self,
        pid: str,
        record: dict[str, Any],
        checkpoint: dict[str, Any],
        outputs: dict[str, Any] | None,
        log_lines: list[str],
    ) -> None:
        """A step's write as :class:`~prunus.actors._persisting.ProcessWriter` builds
        it (``stage_own_write``: no checks of the parts' shapes, after every step)."""
        self._staged.append(stage_own_write(pid, record, checkpoint, outputs, log_lines))

    def add(self, staged: StagedWrite) -> None:
        self._staged.append(staged)


class GroupCommit(WriteStaging):
    """The store as cells see it: writes are encoded at once (so an unencodable value
    fails the step that produced it) but committed together by :meth:`flush`.

    ``sync`` makes every commit so far durable (the store's ``flush``; None for a store
    without one, e.g. in memory), skipping the fsync if one ended less than
    ``sync_interval`` ago (0: never skip; see ``LmdbStore.flush``). The daemon (0)
    fsyncs at the end of every slice, before its events leave this OS process. The
    embedded runtime fsyncs at least every ``_host.EMBEDDED_SYNC_SECONDS`` while steps run,
    and always before it answers its caller anything (``EmbeddedRuntime``): its events
    never leave the OS process, so a power cut loses them together with the unsynced
    steps they report. With ``journal`` (the embedded runtime on a home) a commit is
    an append to the home's step journal instead of an LMDB transaction
    (``LmdbStore.journal_staged``): the same promise for a crash, fewer pages to fsync.
    """

    def __init__(self, store: Any, sync: Any, sync_interval: float, journal: bool = False) -> None:
        self.store = store
        self._journal = journal  # commit through the store's step journal
        self._staged: list[StagedWrite] = []
        self._sync, self._sync_interval = sync, sync_interval
        self.fence: str | None = None  # see HostConfig.fence

    def get_record(self, pid: str) -> dict[str, Any] | None:
        return self.store.get_record(pid)

    def flush(self, durable: bool) -> None:
        """Commit what is staged; with ``durable``, also fsync everything committed
        (unless an fsync was too recent: see the class docstring). If the commit
        fails, everything stays staged for the next attempt."""
        if self._staged:
            if self._journal:
                self.store.journal_staged(self._staged)
            elif self.fence is None:
                self.store.write_staged(self._staged)
            else:
                self.store.write_staged(self._staged, fence=self.fence)
            self._staged = []
        if durable and self._sync is not None:
            if self._sync_interval:
                self._sync(self._sync_interval)
            else:
                self._sync()
