"""The network and timing settings of a daemon's actor system, as plain Python.

Which address this machine's packets to a daemon leave from (what a client
advertises), where daemons listen unless told otherwise, and how often a member
registers with its leader. None of it needs Thespian, so it lives outside the seam
(:mod:`prunus.actors._thespian` applies it, and re-exports these names).
"""

from __future__ import annotations

import os
import socket

__all__ = ["LOOPBACK", "accepts_connections", "heartbeat_timing", "route_source"]

LOOPBACK = "127.0.0.1"  # where daemons listen unless told otherwise (``--bind``)


def heartbeat_timing() -> tuple[float, int]:
    """(seconds between a member's registrations, registrations missed before the
    leader declares it lost): ``PRUNUS_HEARTBEAT_SECONDS`` (default 1) and
    ``PRUNUS_HEARTBEAT_MISSES`` (default 3)."""
    try:
        seconds = float(os.environ.get("PRUNUS_HEARTBEAT_SECONDS", "") or 1.0)
        misses = int(os.environ.get("PRUNUS_HEARTBEAT_MISSES", "") or 3)
    except ValueError:
        return 1.0, 3
    return max(seconds, 0.1), max(misses, 1)


def route_source(host: str) -> str:
    """The address of this machine that packets to ``host`` leave from (no packet is
    sent: a UDP socket is only pointed at it). That is the address a client advertises,
    so the daemon's answers can reach it."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect((host, 9))
        return str(probe.getsockname()[0])
    except OSError:
        return LOOPBACK
    finally:
        probe.close()


def accepts_connections(host: str, port: int, timeout: float = 2.0) -> bool:
    """Whether something accepts a TCP connection on ``host``:``port`` now (the
    connection is closed at once, nothing sent)."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True
