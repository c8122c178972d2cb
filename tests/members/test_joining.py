"""Members join a leader's convention, run its work, and are noticed when lost.

Real daemons on loopback: a leader and members, each with its own home and port,
started and stopped by the tests, with a check that no OS process is left over.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from click.testing import CliRunner

from prunus import Client
from prunus.cli import main
from prunus.control import daemon_pids, daemon_status, start_daemon
from prunus.control._daemon_files import read_daemon_file
from prunus.control._daemon_process import free_port
from prunus.errors import DaemonError
from prunus.persistence import create_key
from tests.conftest import running_daemon
from tests.members.conftest import joined, running_member
from tests.members.workflows import WhereAmI
from tests.modes import eventually
from tests.workflows import Steps

pytestmark = pytest.mark.slow


def test_a_member_joins_and_the_leader_and_the_member_both_report_it(tmp_path):
    with (
        running_daemon(tmp_path / "leader", workers=1) as leader,
        running_member(tmp_path / "gpu", leader, "gpu=1", "site=sns") as member,
    ):
        eventually(lambda: joined(tmp_path / "leader", member) is not None)
        row = joined(tmp_path / "leader", member)
        assert row["capabilities"] == {"gpu": 1, "site": "sns"}
        # its hosts are OS processes of the member, not of the leader
        assert set(row["host_pids"]) <= set(daemon_pids(member))
        assert not set(row["host_pids"]) & set(daemon_pids(leader))
        assert len(daemon_status(tmp_path / "leader")["host_pids"]) == 1  # its own only
        own = daemon_status(tmp_path / "gpu")
        assert own["role"] == "member" and own["joined"] is True
        assert own["pid"] == member["pid"] and own["host_pids"] == row["host_pids"]
        # the member's home holds nothing durable
        assert sorted(p.name for p in (tmp_path / "gpu").iterdir()) == [
            "daemon.json",
            "daemon.log",
            "runtime.lock",
            "secret.key",  # a copy of the leader's
        ]
        assert (tmp_path / "gpu" / "secret.key").read_bytes() == (
            tmp_path / "leader" / "secret.key"
        ).read_bytes()


def test_work_without_requirements_spreads_over_the_leader_and_its_members(tmp_path):
    with (
        running_daemon(tmp_path / "leader", workers=1) as leader,
        running_member(tmp_path / "a", leader) as a,
        running_member(tmp_path / "b", leader) as b,
    ):
        eventually(lambda: joined(tmp_path / "leader", a) and joined(tmp_path / "leader", b))
        member_hosts = {
            name: set(joined(tmp_path / "leader", info)["host_pids"])
            for name, info in (("a", a), ("b", b))
        }
        with Client.connect(tmp_path / "leader") as client:
            pids = [client.submit(WhereAmI, delay=0.2) for _ in range(9)]
            ran_on = {client.wait(pid, timeout=60)["os_pid"] for pid in pids}
        leader_hosts = set(daemon_status(tmp_path / "leader")["host_pids"])
        assert ran_on <= leader_hosts | member_hosts["a"] | member_hosts["b"]
        assert ran_on & member_hosts["a"] and ran_on & member_hosts["b"]
        assert ran_on & leader_hosts


def test_a_member_sigkilled_is_noticed_in_seconds_and_its_processes_finish_on_the_leader(
    tmp_path, monkeypatch
):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))  # inherited by the daemons
    with running_daemon(tmp_path / "leader", workers=1) as leader:
        with running_member(tmp_path / "m", leader) as member:
            eventually(lambda: joined(tmp_path / "leader", member) is not None)
            on_member = set(joined(tmp_path / "leader", member)["host_pids"])
            with Client.connect(tmp_path / "leader") as client:
                pids = [client.submit(Steps, n=40, delay=0.02) for _ in range(4)]
                eventually(lambda: witness.exists() and len(witness.read_text().split("\n")) > 20)
                killed = time.monotonic()
                for pid in daemon_pids(member):
                    os.kill(pid, signal.SIGKILL)
                eventually(lambda: not daemon_status(tmp_path / "leader")["members"])
                noticed = time.monotonic() - killed
                results = [client.wait(pid, timeout=60) for pid in pids]
        assert all(r.is_finished_ok and r["count"] == 40 for r in results)
        # 1 s heartbeat, 3 misses: lost within about 3 to 4 s (6 s allowed: a busy machine)
        assert noticed < 6.0, noticed
        assert not set(daemon_status(tmp_path / "leader")["host_pids"]) & on_member
    runs = [tuple(line.split()) for line in witness.read_text().splitlines()]
    for pid in pids:
        steps = [int(i) for p, i in runs if p == pid]
        assert sorted(set(steps)) == list(range(1, 41))
        assert len(steps) - 40 in (0, 1)  # only the interrupted step ran again


def test_a_member_started_before_its_leader_joins_when_the_leader_comes_up(tmp_path):
    port = free_port()
    (tmp_path / "leader").mkdir(mode=0o700)
    create_key(tmp_path / "leader")  # (the leader's key, copied to the member first)
    future = {"address": f"127.0.0.1:{port}", "home": str(tmp_path / "leader")}
    with (
        running_member(tmp_path / "m", future) as early,
        running_daemon(tmp_path / "leader", workers=1, port=port),
    ):
        eventually(lambda: joined(tmp_path / "leader", early) is not None, timeout=20)


def test_a_member_without_the_leaders_key_is_refused_and_both_logs_say_so(tmp_path):
    (tmp_path / "other").mkdir(mode=0o700)
    create_key(tmp_path / "other")
    with running_daemon(tmp_path / "leader", workers=1) as leader:
        with pytest.raises(DaemonError, match="refused this member's key"):
            start_daemon(
                tmp_path / "m",
                join=leader["address"],
                key_file=tmp_path / "other" / "secret.key",
                workers=1,
            )
        eventually(lambda: "dropped a frame" in (tmp_path / "leader" / "daemon.log").read_text())
        assert daemon_status(tmp_path / "leader")["members"] == []
    assert "refused this member's key" in (tmp_path / "m" / "daemon.log").read_text()
    assert read_daemon_file(tmp_path / "m") is None  # nothing started


def test_a_member_needs_a_key_file(tmp_path):
    with pytest.raises(DaemonError, match="a member needs --key-file"):
        start_daemon(tmp_path / "m", join="127.0.0.1:9")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--join", "nowhere"], "bad leader address 'nowhere': expected HOST:PORT"),
        (["--join", "127.0.0.1:1", "--capability", "gpu"], "bad capability 'gpu'"),
    ],
)
def test_a_bad_leader_address_or_capability_is_one_line_and_exit_2(tmp_path, args, message):
    result = CliRunner().invoke(main, ["daemon", "start", "--home", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
