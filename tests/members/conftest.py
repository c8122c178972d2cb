"""A leader and members: real daemons on loopback, each on its own port and home."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon
from prunus.control._daemon_files import read_daemon_file
from prunus.control._proc_table import pid_alive
from prunus.errors import DaemonError
from tests.conftest import running_daemon
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


@dataclass(frozen=True)
class TwoMembers:
    """A leader and its members ``a`` and ``b``, both joined: their homes, their
    ``daemon.json`` records, the OS pids of each member's hosts (to check where a step
    ran), and ``stop()`` to stop all three before the test ends (to read their stores)."""

    leader_home: Path
    leader: dict
    a_home: Path
    a: dict
    on_a: set[int]
    b_home: Path
    b: dict
    on_b: set[int]
    stop: Callable[[], None]


@pytest.fixture
def two_members(tmp_path) -> Iterator[Callable[..., TwoMembers]]:
    """``two_members(a_capabilities, b_capabilities)`` starts a leader in
    ``tmp_path/leader`` and members in ``tmp_path/a`` and ``tmp_path/b``, and returns once
    the leader lists both with their hosts up. A function rather than a ready fixture:
    each test names its members' capabilities, and may set the environment the daemons
    inherit (``PRUNUS_WITNESS``) first. All three are stopped at teardown, with none of
    their processes left (a test may have stopped or SIGKILLed a member itself)."""
    with ExitStack() as stack:

        def start(
            a_capabilities: Sequence[str],
            b_capabilities: Sequence[str],
            *,
            workers: int = 1,
            member_workers: int = 1,
        ) -> TwoMembers:
            home = tmp_path / "leader"
            leader = stack.enter_context(running_daemon(home, workers=workers))
            a = stack.enter_context(
                running_member(tmp_path / "a", leader, *a_capabilities, workers=member_workers)
            )
            b = stack.enter_context(
                running_member(tmp_path / "b", leader, *b_capabilities, workers=member_workers)
            )
            eventually(lambda: joined(home, a) and joined(home, b))
            return TwoMembers(
                leader_home=home,
                leader=leader,
                a_home=tmp_path / "a",
                a=a,
                on_a=set(joined(home, a)["host_pids"]),
                b_home=tmp_path / "b",
                b=b,
                on_b=set(joined(home, b)["host_pids"]),
                stop=stack.close,
            )

        yield start
