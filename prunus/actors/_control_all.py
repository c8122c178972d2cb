"""``pause|play|kill --all`` as one request: the supervisor picks the pids itself.

Before, ``--all`` first listed every process to the client (``client.list()``: one
message with every status, 6.5 s at 200k processes, past the CLI's timeout) and sent
the pids back in a :class:`~prunus.actors._messages.ControlMany`. A :class:`ControlAll`
carries one control as a template instead; the supervisor applies it to every process
that has not ended (only the tops of live trees when the control cascades anyway, so a
child is neither paused twice nor killed before its parent asks for it) through the
same bulk machinery (:mod:`prunus.actors._bulk_control`), and answers once with the
pids it chose and, per pid, whether it applied: a :class:`ControlAllReply` of plain
strings and booleans, cheap to pickle at 100k.
"""

from __future__ import annotations

from dataclasses import dataclass

from prunus.actors._messages import ControlRequest, KillRequest
from prunus.actors._registry import Registry

__all__ = ["ControlAll", "ControlAllReply", "live_targets"]


@dataclass(frozen=True, slots=True)
class ControlAll:
    """Client -> supervisor: ``template`` (its pid ignored) for every process that has
    not ended; answered with a ControlAllReply, at the latest after ``timeout`` seconds
    (None: no deadline) with what has come by then."""

    template: ControlRequest
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class ControlAllReply:
    """The pids a ControlAll acted on, in launch order, and per pid: True (applied),
    False (it had ended, or could not be acted on: a blocked process), None (not
    answered by the deadline; the control stands)."""

    pids: tuple[str, ...]
    outcomes: tuple[bool | None, ...]


def cascades(template: ControlRequest) -> bool:
    """Whether ``template`` reaches descendants by itself (a kill always does)."""
    return type(template) is KillRequest or bool(getattr(template, "cascade", False))


def live_targets(registry: Registry, tops_only: bool) -> list[str]:
    """Every process that has not ended, in launch order; with ``tops_only``, only
    those whose parent is not one of them (the tops of live trees)."""
    entries = registry.entries
    live = [pid for pid, entry in entries.items() if entry.result is None]
    if not tops_only:
        return live
    return [pid for pid in live if not _has_live_parent(registry, pid)]


def _has_live_parent(registry: Registry, pid: str) -> bool:
    parent = registry.entries[pid].status.parent
    if parent is None:
        return False
    entry = registry.entries.get(parent)
    return entry is not None and entry.result is None
