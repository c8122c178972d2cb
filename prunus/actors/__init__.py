"""Actors: the supervisor, the host actors that run process cells, and the runtimes.

This package is the only one that touches Thespian, and only through ``_thespian``.
Its public face is what the layers above use: the :class:`Runtime` interface, the
factory of each runtime (``open_embedded_runtime``, ``open_remote_runtime``), and the
daemon's actors (``start_daemon_actors``), which its main OS process starts and stops.
"""

from __future__ import annotations

from prunus.actors._daemon_actors import DaemonActors, serve_allowance, start_daemon_actors
from prunus.actors._draining import Drained, drain_member
from prunus.actors._embedded_runtime import EmbeddedRuntime, open_embedded_runtime
from prunus.actors._listing import ListQuery, ProcessPage
from prunus.actors._members import parse_capabilities
from prunus.actors._messages import DaemonStatus
from prunus.actors._ran_on import RAN_ON_PREFIX
from prunus.actors._remote_runtime import RemoteRuntime, ensure_listening, open_remote_runtime
from prunus.actors._runtime_protocol import LaunchItem, Runtime
from prunus.actors._submit_keys import check_submit_key
from prunus.actors._thespian import LOOPBACK

__all__ = [
    "LOOPBACK",
    "RAN_ON_PREFIX",
    "DaemonActors",
    "DaemonStatus",
    "Drained",
    "EmbeddedRuntime",
    "LaunchItem",
    "ListQuery",
    "ProcessPage",
    "RemoteRuntime",
    "Runtime",
    "check_submit_key",
    "drain_member",
    "ensure_listening",
    "open_embedded_runtime",
    "open_remote_runtime",
    "parse_capabilities",
    "serve_allowance",
    "start_daemon_actors",
]
