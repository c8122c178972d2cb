"""Actors: the supervisor, the host actors that run process cells, and the runtimes.

This package is the only one that touches Thespian, and only through ``_thespian``.
"""

from __future__ import annotations

from prunus.actors._messages import KillRequest, PauseRequest, PlayRequest, StatusRequest, Stuck
from prunus.actors._remote_runtime import RemoteRuntime
from prunus.actors._runtime import EmbeddedRuntime

__all__ = [
    "EmbeddedRuntime",
    "KillRequest",
    "PauseRequest",
    "PlayRequest",
    "RemoteRuntime",
    "StatusRequest",
    "Stuck",
]
