"""A leader and members: real daemons on loopback, each on its own port and home."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon
from prunus.control._daemon_files import read_daemon_file
from prunus.control._proc_table import pid_alive
from prunus.errors import DaemonError
from tests.modes import eventually


@contextmanager
def running_member(home: Path, leader: dict, *capabilities: str, **options) -> Iterator[dict]:
    """A member of ``leader`` (its daemon.json record) on ``home``; afterwards none of
    its processes is left (a test may have SIGKILLed them all)."""
    options.setdefault("key_file", Path(leader.get("home", home)) / "secret.key")
    info = start_daemon(
        home,
        join=leader["address"],
        capabilities=capabilities,
        **{
            "workers": 1,
            **options,
        },
    )
    try:
        yield info
    finally:
        pids = daemon_pids(info)
        if read_daemon_file(home) is not None:
            with suppress(DaemonError):  # (already gone: SIGKILLed by the test)
                stop_daemon(home)
        eventually(lambda: not [pid for pid in pids if pid_alive(pid)])


def joined(leader_home: Path, member: dict) -> dict | None:
    """The leader's row for ``member`` once its hosts are up, else None."""
    for row in daemon_status(leader_home)["members"]:
        if row["address"] == member["address"] and row["host_pids"] and all(row["host_pids"]):
            return row
    return None
