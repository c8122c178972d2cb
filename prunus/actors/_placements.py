"""A launch's ``placement=`` kept in the store, so a leader restart does not lose it.

A process's requirements usually come from its class (``spec.requires``), which the
leader reads again after a restart. A placement given at launch (``submit(...,
placement=...)``, ``client.defaults(placement=...)``) replaces them and exists only in
that launch: without this record, a restarted leader would place the process by its
class and it could run where its launch said it must not. Hosts rewrite a process's
registry record on every step without knowing its placement, so it is kept apart, in
the ``meta`` db under :data:`PLACEMENT_PREFIX` + pid, from the launch (written before
the process's first checkpoint is committed) until the process ends.

Only a daemon keeps them (the embedded runtime has no members: placement does not
apply there). Plain code over the store interface; unit-tested in tests/actors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["PLACEMENT_PREFIX", "StoredPlacements"]

PLACEMENT_PREFIX = "placement/"


class StoredPlacements:
    """The launch placements of unfinished processes, mirrored in ``store``."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._placements: dict[str, dict[str, int | str]] = {}

    def remember(self, pid: str, placement: Mapping[str, int | str]) -> None:
        """``pid`` was launched with ``placement``: stored now (one small commit)."""
        self._store.put("meta", PLACEMENT_PREFIX + pid, dict(placement))
        self._placements[pid] = dict(placement)

    def get(self, pid: str) -> dict[str, int | str] | None:
        """``pid``'s launch placement, None if it was launched without one."""
        return self._placements.get(pid)

    def forget(self, pid: str) -> None:
        """``pid`` ended: its placement is no longer needed."""
        if self._placements.pop(pid, None) is not None:
            self._store.drop("meta", PLACEMENT_PREFIX + pid)

    def load(self) -> dict[str, dict[str, int | str]]:
        """Every stored placement, by pid (at a leader's start, before the reload)."""
        found = {
            key[len(PLACEMENT_PREFIX) :]: dict(value)
            for key, value in self._store.items("meta")
            if key.startswith(PLACEMENT_PREFIX) and isinstance(value, Mapping)
        }
        self._placements = {pid: dict(placement) for pid, placement in found.items()}
        return found
