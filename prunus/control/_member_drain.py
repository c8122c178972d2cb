"""A member's work moved before it stops: the asking side of a drain.

Both ways of stopping a member ask its leader to drain it first (see
``prunus.actors._draining``): ``stop_daemon`` (``prunus daemon stop``) before it sends
the member's main process SIGTERM, and that main process itself when the SIGTERM (or
SIGINT) comes from anywhere else (``kill``, a service manager). A second ask is cheap:
a member drained already has no host left, and is answered at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prunus.actors import drain_member, open_remote_runtime
from prunus.control._daemon_process import parse_leader
from prunus.errors import DaemonError
from prunus.persistence import KEY_FILE, read_key

__all__ = ["drain_before_stop"]


def drain_before_stop(info: dict[str, Any], timeout: float) -> None:
    """Ask the leader of member ``info`` (its ``daemon.json`` record) to move its
    processes elsewhere, waiting at most ``timeout`` seconds. A leader that is not
    there (or takes too long) is no reason not to stop: the member's processes then
    restart elsewhere from their checkpoints, as for a lost member."""
    try:
        leader_host, leader_port = parse_leader(str(info["leader"]))
        key = read_key(Path(info["home"]) / KEY_FILE)
        runtime = open_remote_runtime(
            leader_port, key=key, timeout=timeout, where=str(info["leader"]), host=leader_host
        )
    except (DaemonError, OSError, ValueError):
        return
    try:
        drain_member(runtime, str(info["address"]))
    except DaemonError:
        pass
    finally:
        runtime.close()
