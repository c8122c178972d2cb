"""The seam to Thespian: the only module in prunus that imports it.

Everything else in prunus names actors, addresses and system messages through this
module, so a change of Thespian version (or of actor library) touches one file.
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
