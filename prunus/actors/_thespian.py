"""The seam to Thespian: the only module in prunus that imports it.

Everything else in prunus names actors, addresses and system messages through this
module, so a change of Thespian version (or of actor library) touches one file.

Pitfalls measured here (thespian 4.0.1), for the daemon's TCP base:

- ``logDefs=False`` works for ``simpleSystemBase`` but makes every child actor of
  ``multiprocTCPBase`` crash at start-up (``get_min_log_level`` calls ``.get`` on it),
  so ``createActor`` then hangs with no error. Give the TCP base a logging dict.
- Every TCP socket Thespian opens (admin, actors, clients) binds to all interfaces
  (``''``), whatever ``THESPIAN_BASE_IPADDR`` says; that variable only changes the
  address actors *advertise*. Messages cross as pickles, so a port open beyond this
  host lets anyone who reaches it run code. :func:`_bind_to_loopback` makes sockets
  whose advertised address is a loopback address bind to it alone (checked with
  ``ss -ltn``: every listener of a daemon on 127.0.0.1).
"""

from __future__ import annotations

import os
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
from thespian.system.transport import IPBase

__all__ = [
    "SUPERVISOR_NAME",
    "Actor",
    "ActorAddress",
    "ActorExitRequest",
    "ActorSystem",
    "ChildActorExited",
    "PoisonMessage",
    "WakeupMessage",
    "connect_to_daemon",
    "disconnect",
    "open_daemon_system",
    "open_embedded_system",
]

SUPERVISOR_NAME = "prunus.supervisor"  # the supervisor's Thespian global name
_TCP_BASE = "multiprocTCPBase"
_QUIET_LOGS: dict[str, Any] = {"version": 1, "root": {"level": "WARNING", "handlers": []}}


def open_embedded_system() -> Any:
    """A private in-process actor system: runs actors in the caller's thread.

    ``transientUnique`` gives every caller its own system, so a process that runs
    another process to completion inside one of its steps (nested ``prunus.run``) gets
    a fresh system instead of re-entering the one that is executing it.
    """
    return ActorSystem("simpleSystemBase", transientUnique=True, logDefs=False)


def open_daemon_system(port: int, log_file: str) -> Any:
    """Start a multiprocess TCP actor system on 127.0.0.1:``port``; actors log to
    ``log_file``. Call it before this process starts any thread (actors are forked)."""
    _bind_to_loopback()
    log_defs = {
        "version": 1,
        "formatters": {"line": {"format": "%(asctime)s %(process)d %(levelname)s %(message)s"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": log_file, "formatter": "line"}
        },
        "root": {"level": "WARNING", "handlers": ["file"]},
    }
    return ActorSystem(_TCP_BASE, {"Admin Port": port}, logDefs=log_defs)


def connect_to_daemon(port: int) -> Any:
    """A client-side connection to the daemon's admin on 127.0.0.1:``port``.

    ``transientUnique``: each connection has its own reply address, so one that gave
    up on an answer can be dropped along with any late reply to it. Never call
    ``shutdown()`` on it: that would stop the daemon's whole actor system.
    """
    _bind_to_loopback()
    return ActorSystem(_TCP_BASE, {"Admin Port": port}, logDefs=_QUIET_LOGS, transientUnique=True)


def disconnect(system: Any) -> None:
    """Close a client connection's own socket, and nothing else: Thespian's only public
    way out, ``shutdown()``, would stop the daemon. (Reaches into the system base: if a
    Thespian version moves it, the socket is left to the garbage collector.)"""
    transport = getattr(getattr(system, "_systemBase", None), "transport", None)
    if transport is not None:
        transport.close()


def _bind_to_loopback() -> None:
    """Make Thespian bind loopback-advertised sockets to loopback only (see above)."""
    os.environ["THESPIAN_BASE_IPADDR"] = "127.0.0.1"
    address_class = IPBase.IPActorAddress
    if getattr(address_class, "_prunus_loopback", False):
        return
    original = address_class.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.sockname[0].startswith("127."):
            self.bindname = self.sockname

    address_class.__init__ = init
    address_class._prunus_loopback = True
