"""A client finds the daemon's supervisor within the client's own timeout.

A client asks the admin for the actor named ``SUPERVISOR_NAME`` (Thespian's
``createActor`` with a global name: the admin answers with the one that exists).
Thespian waits for that answer up to its ``MAX_CHILD_ACTOR_CREATE_DELAY``, 50 s,
whatever the caller's timeout. The fault matrix (``benchmarks/faults.py``, kind
``supervisor``) met it: a client connecting in the second after the supervisor was
SIGKILLed reached the admin, which the daemon's main process then swept with the rest
of the dead actor system before it answered, and ``Client.connect(timeout=5)`` hung
50 s before it said ``ActorSystemRequestTimeout``. Here that wait is bounded by the
client's timeout, as every other call of a client is.

Thespian reads the bound from its module at each call, so it is set around the call,
under a lock (another thread's lookup in this OS process waits, bounded too).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from prunus.actors._daemon_network import accepts_connections
from prunus.actors._supervisor import Supervisor
from prunus.actors._thespian import SUPERVISOR_NAME, actor_endpoint, thespian_system_base

__all__ = ["find_supervisor", "supervisor_listening"]

_BOUND = threading.Lock()


def find_supervisor(system: Any, timeout: float) -> Any:
    """The supervisor's address, asked of the admin ``system`` is connected to.

    Raises:
        Exception: Thespian's own kinds when the admin does not answer within
            ``timeout`` seconds (``ActorSystemFailure``, ``ActorSystemRequestTimeout``)
            or refuses; the caller names the daemon in its error.
    """
    with _BOUND:
        default = thespian_system_base.MAX_CHILD_ACTOR_CREATE_DELAY
        bound = min(timedelta(seconds=timeout), default)
        thespian_system_base.MAX_CHILD_ACTOR_CREATE_DELAY = bound
        try:
            return system.createActor(Supervisor, globalName=SUPERVISOR_NAME)
        finally:
            thespian_system_base.MAX_CHILD_ACTOR_CREATE_DELAY = default


def supervisor_listening(address: Any, timeout: float = 2.0) -> bool:
    """Whether the supervisor at ``address`` still accepts connections.

    A SIGKILLed supervisor is replaced inside the same daemon, on the same admin port,
    so a client waiting on the old one hears nothing and the admin port still answers:
    only the supervisor's own port tells (CI met it: a client that found the supervisor
    just before its SIGKILL waited out its whole wait). An address without a port (a
    base other than TCP) counts as listening."""
    endpoint = actor_endpoint(address)
    return endpoint is None or accepts_connections(*endpoint, timeout=timeout)
