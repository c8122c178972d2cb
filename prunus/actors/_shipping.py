"""Checkpoints of a member's hosts, written only in the leader's store.

A member holds nothing durable: its home has its log, pid file and key, and its hosts
never open the leader's LMDB (which may be on another machine). Instead:

- a member's host stages a slice's writes as a local host does (encoded at once, so an
  unencodable value fails the step that made it), then sends them to the leader's
  :class:`CommitDesk` in ONE message (:class:`ShipWrites`) and releases nothing of the
  slice (events, passivations, its next steps) until the desk answers
  :class:`Committed`. The desk commits them in one transaction and fsyncs before it
  answers: the same promise a local host's group commit makes.
- a process the host must activate from its checkpoint (a restart, a passivated
  process that gets a message, a child) is fetched from the desk first
  (:class:`FetchCheckpoints`), as stored bytes.

Epochs: every host started on a member is one assignment with its own fence token
(``HostPool.new_fence``, ``GENERATION.ID``), carried by every shipment. When the
leader gives that assignment up (its member was declared lost, or the host died and
is started again), the token is fenced in the store *before* its processes start
anywhere else, and the desk commits a shipment only if its token is not fenced, in the
same transaction (``LmdbStore.write_staged(fence=...)``). So a member that was only
cut off and comes back has every write refused: nothing it did after the loss is
stored, and because its events leave only after a commit, none of them reaches the
supervisor either (which drops events from hosts it no longer knows, besides).

What a member cannot do is read the store in the middle of a step. Where a local host
asks the store "has this child a record already?" (a replayed step launches the same
children; a replayed nested call finds its ended child), a member's host answers
"no" and marks the write *only if new*: the desk drops it if the pid has a record.
A nested call's write is committed with the slice, not before the call returns: if
the member dies before the slice is committed, the parent's step and the nested call
run again together (at least once, as any step).

Plain code, no Thespian: unit-tested in tests/actors with a real LMDB store.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from prunus.actors._group_commit import WriteStaging
from prunus.actors._host_messages import Activate, Barrier
from prunus.errors import StoreError
from prunus.persistence import StagedWrite, decode_checkpoint

__all__ = [
    "Checkpoints",
    "CommitDesk",
    "Committed",
    "FetchCheckpoints",
    "FetchedCheckpoints",
    "ShipWrites",
    "ShippingCommit",
    "checkpoints_to_fetch",
]


@dataclass(frozen=True, slots=True)
class ShipWrites:
    """Member host -> desk: one slice's writes, to commit in one transaction.

    ``token``: the fence token (epoch) of the sending host's assignment; ``only_new``:
    pids whose writes are dropped if they have a record already (see the module
    docstring); ``seq``: counts the host's requests, echoed in the answer."""

    token: str | None
    seq: int
    writes: tuple[StagedWrite, ...]
    only_new: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Committed:
    """Desk -> member host: shipment ``seq`` is committed and fsynced (``refused``
    None), or not stored at all, with one line why. ``retry``: a full disk on the
    leader, which may pass (the host ships the same writes again later)."""

    seq: int
    refused: str | None = None
    retry: bool = False


@dataclass(frozen=True, slots=True)
class FetchCheckpoints:
    """Member host -> desk: the stored checkpoints of these pids."""

    seq: int
    pids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Checkpoints:
    """Desk -> member host: each asked pid's checkpoint as stored (None: none)."""

    seq: int
    blobs: tuple[tuple[str, bytes | None], ...]


class CommitDesk:
    """The leader's side: commits shipments and reads checkpoints for member hosts."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def commit(self, shipment: ShipWrites) -> Committed:
        """Commit ``shipment`` in one transaction and fsync, unless its token is fenced."""
        writes: Sequence[StagedWrite] = shipment.writes
        if shipment.only_new:
            # Only the sending host (one step of one process at a time) writes these
            # pids' first records, so reading before the write is not a race.
            exists = {pid for pid in shipment.only_new if self.store.get_record(pid) is not None}
            writes = [write for write in writes if write.pid not in exists]
        try:
            self.store.write_staged(writes, fence=shipment.token)
            self.store.flush()
        except StoreError as error:
            return Committed(shipment.seq, str(error), retry=error.disk_full)
        return Committed(shipment.seq)

    def checkpoints(self, fetch: FetchCheckpoints) -> Checkpoints:
        try:
            blobs = tuple((pid, self.store.checkpoint_blob(pid)) for pid in fetch.pids)
        except StoreError:
            blobs = tuple((pid, None) for pid in fetch.pids)  # each fails its activation
        return Checkpoints(fetch.seq, blobs)


class FetchedCheckpoints:
    """What a member host knows of the store: the checkpoints it fetched, each used
    once (a process passivated again is fetched again: its checkpoint has moved on)."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes | None] = {}

    def __contains__(self, pid: object) -> bool:
        return pid in self._blobs

    def add(self, blobs: Iterable[tuple[str, bytes | None]]) -> None:
        self._blobs.update(blobs)

    def load_checkpoint(self, pid: str) -> dict[str, Any] | None:
        blob = self._blobs.pop(pid, None)
        return None if blob is None else decode_checkpoint(blob)

    def clear(self) -> None:
        self._blobs.clear()


def checkpoints_to_fetch(
    items: Iterable[tuple[str, Any]], active: Container[str], known: Container[str]
) -> tuple[str, ...]:
    """The pids whose checkpoints a member's host must fetch before it handles a
    Deliver of ``items``: those it has no cell for (``active``) nor a fetched
    checkpoint (``known``), unless the Deliver itself brings them (a new submission's
    first write or the checkpoint the supervisor stored), or the item needs none (a
    Barrier)."""
    brought: set[str] = set()
    wanted: dict[str, None] = {}
    for pid, item in items:
        kind = type(item)
        if kind is Activate and (
            item.first_write is not None or item.process is not None or item.checkpoint is not None
        ):
            brought.add(pid)
        elif kind is not Barrier and not (pid in active or pid in known or pid in brought):
            wanted[pid] = None
    return tuple(wanted)


@dataclass
class ShippingCommit(WriteStaging):
    """A member host's ``GroupCommit``: the same staging, but :meth:`flush` commits
    nothing; :meth:`take` hands the slice's writes over to be shipped."""

    store: FetchedCheckpoints = field(default_factory=FetchedCheckpoints)
    fence: str | None = None
    _staged: list[StagedWrite] = field(default_factory=list)
    _only_new: set[str] = field(default_factory=set)

    def get_record(self, pid: str) -> None:
        """Not known here: the write of ``pid`` that follows is made only-if-new."""
        self._only_new.add(pid)

    def flush(self, durable: bool) -> None:
        """Commits happen at the leader, once per slice (see the module docstring)."""

    @property
    def pending(self) -> bool:
        return bool(self._staged)

    def take(self, seq: int) -> ShipWrites:
        """The staged writes as one shipment; staging starts again empty."""
        shipment = ShipWrites(self.fence, seq, tuple(self._staged), frozenset(self._only_new))
        self._staged, self._only_new = [], set()
        return shipment
