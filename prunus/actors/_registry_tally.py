"""Running counts of the registry's entries, kept as entries change.

``prunus daemon status`` (and anything polling it, such as ``benchmarks/growth.py``
waiting for every process to be WAITING) asks for processes by state, how many a host
holds, how many are paused and which are blocked. Counting those by walking every entry
made each such request O(N) in the supervisor: at 200k processes two walks took tens of
milliseconds of the one core that also routes every event, so a client polling status
slowed the very submission it watched. An :class:`~prunus.actors._registry_entry.Entry`
instead reports each change of the fields counted here (``status``, ``active``,
``result``) to its registry's :class:`Tally`, which takes the old contribution out and
puts the new one in: O(1) per change, and a status request costs O(states + blocked).
"""

from __future__ import annotations

from typing import Any

__all__ = ["TALLIED_FIELDS", "Tally", "set_counted"]

# The Entry fields whose values the counts depend on.
TALLIED_FIELDS = frozenset({"status", "active", "result"})
_BLOCKED = "blocked:"


class Tally:
    """Processes by state name, active, paused (not ended), and blocked (not ended)."""

    __slots__ = ("active", "blocked", "by_state", "paused")

    def __init__(self) -> None:
        self.by_state: dict[str, int] = {}
        self.active = 0
        self.paused = 0
        self.blocked: dict[str, str] = {}  # pid -> its status line

    def change(self, entry: Any, name: str, value: Any) -> None:
        """Set ``entry``'s field ``name`` (one of :data:`TALLIED_FIELDS`) to ``value``
        and count the difference. Most changes move no count (a host reports a process
        active again, a status whose state, pause flag and text stay): those are a
        comparison, not two passes over every count (the supervisor sets these fields
        about 16 times per submitted workchain)."""
        old = getattr(entry, name)
        if name == "active":
            object.__setattr__(entry, name, value)
            if bool(old) != bool(value):
                self.active += 1 if value else -1
            return
        if old is value or (name == "status" and _counted_alike(old, value)):
            object.__setattr__(entry, name, value)
            return
        self.count(entry, -1)
        object.__setattr__(entry, name, value)
        self.count(entry, 1)

    def count(self, entry: Any, sign: int) -> None:
        """Add (``sign`` 1) or take out (-1) what ``entry`` contributes now."""
        status = entry.status
        name = status.state.name
        left = self.by_state.get(name, 0) + sign
        if left:
            self.by_state[name] = left
        else:
            del self.by_state[name]
        if entry.active:
            self.active += sign
        if entry.result is None:
            if status.paused:
                self.paused += sign
            text = status.status
            if text and text.startswith(_BLOCKED):
                if sign > 0:
                    self.blocked[status.pid] = text
                else:
                    self.blocked.pop(status.pid, None)


def set_counted(entry: Any, **fields: Any) -> None:
    """Set several of ``entry``'s fields at once: its counts change once, not once
    per counted field (an ending sets three)."""
    tally = entry.tally
    if tally is not None:
        tally.count(entry, -1)
    for name, value in fields.items():
        object.__setattr__(entry, name, value)
    if tally is not None:
        tally.count(entry, 1)


def _counted_alike(old: Any, new: Any) -> bool:
    """Whether two statuses of one entry count the same (see :meth:`Tally.count`)."""
    return (
        old.state is new.state
        and old.paused == new.paused
        and old.status == new.status
        and old.pid == new.pid
    )
