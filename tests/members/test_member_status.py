"""What the leader and a member say about members: address, capabilities, resources in
use, processes, host pids, and the last heartbeat (which keeps coming, a second or so
apart). Real daemons on loopback."""

from __future__ import annotations

import os
import signal

import pytest
from click.testing import CliRunner

from prunus.cli import main
from prunus.control import daemon_pids, daemon_status
from prunus.control._daemon_process import free_port
from tests.conftest import running_daemon
from tests.members.conftest import joined, running_member
from tests.modes import eventually

pytestmark = pytest.mark.slow


def heartbeat_since_joined(leader_home, member: dict) -> bool:
    """The leader has had a heartbeat from ``member`` since it joined."""
    row = joined(leader_home, member)
    return row is not None and row["last_heartbeat"] > row["joined"]


def test_the_leader_shows_each_members_last_heartbeat_and_the_member_its_own_processes(
    tmp_path,
):
    with (
        running_daemon(tmp_path / "leader", workers=1) as leader,
        running_member(tmp_path / "gpu", leader, "gpu=2", "site=sns", workers=2) as gpu,
    ):
        eventually(lambda: heartbeat_since_joined(tmp_path / "leader", gpu))
        row = joined(tmp_path / "leader", gpu)
        assert row["last_heartbeat"] > row["joined"] and row["heartbeat_age"] < 2.0
        assert row["capabilities"] == {"gpu": 2, "site": "sns"} and row["in_use"] == {}
        assert row["processes"] == 0 and len(row["host_pids"]) == 2
        shown = CliRunner().invoke(main, ["daemon", "status", "--home", str(tmp_path / "leader")])
        assert shown.exit_code == 0
        [line] = [line for line in shown.output.splitlines() if line.startswith("member")]
        assert gpu["address"] in line and "[gpu=2 site=sns]" in line
        assert "last heartbeat" in line and "s ago" in line
        mine = CliRunner().invoke(main, ["daemon", "status", "--home", str(tmp_path / "gpu")])
        assert "s ago, as the leader saw it" in mine.output
        own = daemon_status(tmp_path / "gpu")
        assert own["pid"] == gpu["pid"] and set(own["host_pids"]) <= set(daemon_pids(gpu))
        assert own["last_heartbeat"] == pytest.approx(row["last_heartbeat"], abs=3.0)
        # it keeps coming: a heartbeat 1.5 s or more after that one (they are a second or
        # so apart: within 5 s)
        eventually(
            lambda: (
                joined(tmp_path / "leader", gpu)["last_heartbeat"] - row["last_heartbeat"] >= 1.5
            ),
            timeout=5.0,
        )
        assert joined(tmp_path / "leader", gpu)["heartbeat_age"] < 2.0


def test_a_member_that_leaves_and_rejoins_again_and_again_does_not_grow_the_leaders_pool(
    tmp_path,
):
    port = free_port()
    with running_daemon(tmp_path / "leader", workers=1) as leader:
        for _ in range(3):
            with running_member(tmp_path / "m", leader, workers=2, port=port) as member:
                eventually(lambda: joined(tmp_path / "leader", member) is not None)
                assert len(joined(tmp_path / "leader", member)["host_pids"]) == 2
                for pid in daemon_pids(member):  # lost, not drained
                    os.kill(pid, signal.SIGKILL)
                eventually(lambda: daemon_status(tmp_path / "leader")["members"] == [])
            status = daemon_status(tmp_path / "leader")
            assert status["hosts"] == 1 and len(status["host_pids"]) == 1
