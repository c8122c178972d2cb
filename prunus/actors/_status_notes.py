"""What only the supervisor knows of a status, written down for readers of the store.

A client on the daemon's own machine answers ``status`` and ``list`` from the store
(:mod:`prunus.actors._local_reads`): LMDB readers never wait for the writer, and the
answer never queues behind host traffic in the supervisor's mailbox. The store's
record of a process is its last committed status, which is what the supervisor's
registry holds too, except for a few statuses no host commits:

- ``blocked: cannot import ...``: its class does not import where it would run;
- ``waiting for a host with ...``: no member meets its requirements now;
- RUNNING in a long step, with ``step_started`` (reported while the step runs);
- ``blocked: <disk full>`` while a host holds its processes (best effort: the note
  is a write too, which a full disk refuses).

Each is written here as a *note*: the status as the supervisor shows it and the time
it was noted (a long step's: when the step started), in the store's ``notes``
database under the pid. A reader shows the note instead of the record only while
the record is older than the note (its ``modified`` time is before ``at``), so a
note ends by itself when the process commits again: nobody has to remember to clear
it on every path. The supervisor removes a note only where the registry drops such a
status without a commit (a waiting process is placed) and once the process has
ended, so the table stays small.

Only a daemon's supervisor writes notes (an embedded runtime has no other reader).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from prunus.engine import ProcessState, ProcessStatus
from prunus.errors import PrunusError

__all__ = ["NOTES_DB", "StatusNotes", "noted_status"]

_LOG = logging.getLogger(__name__)

NOTES_DB = "notes"
_ENDED = frozenset(state.value for state in ProcessState if state.is_terminal)


class StatusNotes:
    """Writes and removes notes for the supervisor; a no-op when not ``enabled``."""

    def __init__(self, store: Any, *, enabled: bool) -> None:
        self._store = store
        self._enabled = enabled
        self._noted: set[str] = set()
        self._failing = False  # one log line per spell of failed note writes

    def note(self, status: ProcessStatus) -> None:
        """Readers of the store show ``status`` until ``status.pid`` commits again."""
        if not self._enabled:
            return
        # A long step's report holds from the moment its step started: any record
        # staged later (its step's own commit, stamped by the same host's clock) is
        # newer. Taking the time it reached the supervisor instead let a report that
        # came after that commit (it travels apart, through the echo) shadow it.
        at = status.step_started if status.step_started is not None else time.time()
        data = {"status": status.to_data(), "at": at}
        if self._put(status.pid, data):
            self._noted.add(status.pid)

    def clear(self, pid: str) -> None:
        """Forget ``pid``'s note (its registry status is back to the store's record)."""
        if pid in self._noted:
            self._noted.discard(pid)
            try:
                self._store.drop(NOTES_DB, pid)
            except PrunusError as error:  # a stale note is harmless: it is older
                _LOG.warning("cannot remove the status note of %s: %s", pid, error)

    def _put(self, pid: str, data: dict[str, Any]) -> bool:
        try:
            self._store.put(NOTES_DB, pid, data)
        except PrunusError as error:
            if not self._failing:
                self._failing = True
                _LOG.error("cannot write status notes (store readers miss them): %s", error)
            return False
        self._failing = False
        return True


def noted_status(record: dict[str, Any], note: Any) -> ProcessStatus | None:
    """The status a reader shows instead of ``record``'s: ``note``'s while the record is
    older than the note; None when the record holds (no note, an older or bad one)."""
    if not isinstance(note, dict) or record.get("state") in _ENDED:
        return None  # an ended process's record is final
    at, modified = note.get("at"), record.get("modified")
    if not isinstance(at, (int, float)) or (isinstance(modified, (int, float)) and modified > at):
        return None
    try:
        return ProcessStatus.from_data(note["status"])
    except Exception:  # a damaged note: the record holds
        return None
