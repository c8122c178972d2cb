"""Actors: the supervisor, the host actors that run process cells, and the runtimes.

This package is the only one that touches Thespian, and only through ``_thespian``.
"""

from __future__ import annotations

from prunus.actors._messages import Kill, Pause, Play, Status, Stuck
from prunus.actors._remote_runtime import RemoteRuntime
from prunus.actors._runtime import EmbeddedRuntime

__all__ = ["EmbeddedRuntime", "Kill", "Pause", "Play", "RemoteRuntime", "Status", "Stuck"]
