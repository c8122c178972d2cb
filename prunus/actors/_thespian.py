"""The seam to Thespian: the only module in prunus that imports it.

Everything else in prunus names actors, addresses and system messages through this
module, so a change of Thespian version (or of actor library) touches one file.

Pitfall measured here (thespian 4.0.1), for the daemon's TCP base: ``logDefs=False``
works for ``simpleSystemBase`` but makes every child actor of ``multiprocTCPBase``
crash at start-up (``get_min_log_level`` calls ``.get`` on it), so ``createActor`` then
hangs with no error. Give the TCP base a logging dict (``{"version": 1, ...}``).
"""

from __future__ import annotations

from typing import Any

from thespian.actors import (
    Actor,
    ActorAddress,
    ActorExitRequest,
    ActorSystem,
    ChildActorExited,
    PoisonMessage,
    WakeupMessage,
)

__all__ = [
    "Actor",
    "ActorAddress",
    "ActorExitRequest",
    "ActorSystem",
    "ChildActorExited",
    "PoisonMessage",
    "WakeupMessage",
    "open_embedded_system",
]


def open_embedded_system() -> Any:
    """A private in-process actor system: runs actors in the caller's thread.

    ``transientUnique`` gives every caller its own system, so a process that runs
    another process to completion inside one of its steps (nested ``prunus.run``) gets
    a fresh system instead of re-entering the one that is executing it.
    """
    return ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)
