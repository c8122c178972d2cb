"""Pause, play and kill of a passivated process, applied from its checkpoint.

A passivated process has no host holding it (DESIGN.md section 2): activating it only
to flip its pause flag or to kill it would cost a load, a host slot and a round trip.
So the supervisor runs the same cell code a host would, on the process loaded from its
checkpoint, and the cell writes the new state before the answer leaves. The events the
cell produced are handed back, for the supervisor to handle like a host's.

A process with listeners or hooks goes to its host instead, so that user code never
runs in the supervisor; so does one whose checkpoint cannot be loaded (its host reports
why). Any other takes a pause, play or kill as an edit of its checkpoint data
(:mod:`prunus.actors._checkpoint_controls`), without rebuilding the process: the same
writes and events, at a fraction of the CPU.

The writes are staged and committed together by :meth:`PassivatedControl.commit`, which
the supervisor calls once per message it handles, before anything it decided is sent:
``kill --all`` of 100k passivated trees is one request, and one fsync per process
(200k, ~0.3 ms each) would make it a minute of fsyncs (DESIGN.md section 7). A process
applied twice in one message has its first write committed before it is read again.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from prunus.actors._cell import CollectingOutbox, ProcessCell
from prunus.actors._checkpoint_controls import apply_to_checkpoint
from prunus.actors._group_commit import GroupCommit
from prunus.actors._persisting import ProcessWriter, status_record
from prunus.engine import load_process, resolve_process_class
from prunus.errors import PrunusError

__all__ = ["Applied", "PassivatedControl"]


class Applied(NamedTuple):
    """What applying a control produced: host-like events, and whether the process
    can now run (played: its host must take it from the store)."""

    events: list[Any]
    runnable: bool


class PassivatedControl:
    """Runs one control message through a cell built from the process's checkpoint."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._writes = GroupCommit(store, getattr(store, "flush", None), 0.0)
        self._writer = ProcessWriter(self._writes)
        self._staged: set[str] = set()  # pids with a write staged since the last commit
        self._classes: dict[str, str | None] = {}  # stored class name -> qualified name
        # (None: it overrides hooks, so controls run through a cell)

    def commit(self) -> None:
        """Commit and fsync what :meth:`apply` staged (nothing staged: no cost)."""
        if self._staged:
            self._writes.flush(durable=True)
            self._staged.clear()

    def apply(self, pid: str, message: Any) -> Applied | None:
        """Apply ``message`` to ``pid`` from its checkpoint; None if it must go to its
        host instead (listeners or hooks, or no loadable checkpoint)."""
        if pid in self._staged:
            self.commit()  # read what the last apply wrote, not what came before it
        try:
            data = self._store.load_checkpoint(pid)
            if data is None or data.get("listeners"):
                return None
            name = data.get("class")
            qualified = self._hookless(name) if type(name) is str else None
            if qualified is None:
                return None  # its hooks are user code too (or not a checkpoint)
            done = apply_to_checkpoint(data, qualified, message, status_record)
            if done is not None:  # (a CodecError here: its host takes it, and says why)
                if done.write is not None:
                    self._writes.write_many([(pid, done.write)])
                    self._staged.add(pid)
                return Applied(done.events, done.runnable)
            process = load_process(data)
        except PrunusError:
            return None
        outbox = CollectingOutbox()
        ProcessCell(process, self._writer, outbox).handle(message)
        self._staged.add(pid)
        return Applied(outbox.events, outbox.runnable)

    def _hookless(self, name: str) -> str | None:
        """The qualified name of class ``name`` if it overrides no hook, else None.

        Raises:
            PrunusError: it cannot be imported (not remembered: it may be fixed).
        """
        if name not in self._classes:
            cls = resolve_process_class(name)
            self._classes[name] = None if cls._prunus_user_hooks() else cls.qualified_name()
        return self._classes[name]
