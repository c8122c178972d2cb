"""Placement decided by prunus: requirements matched against members' capabilities.

A leader (doing work itself) and members with different capabilities, all real
daemons on loopback. Each step outputs the OS pid that ran it, which is checked
against the host pids of the member it must have run on.
"""

from __future__ import annotations

import itertools
import os
import signal
import time

import pytest

from prunus import Client
from prunus.control import daemon_pids, daemon_status
from prunus.persistence import LmdbStore
from tests.conftest import running_daemon
from tests.members.conftest import joined, running_member
from tests.members.workflows import GpuSteps, NeedsGpu, WhereAmI
from tests.modes import eventually

pytestmark = pytest.mark.slow


def test_processes_needing_a_gpu_run_only_on_the_gpu_member_and_never_two_at_once(
    two_members,
):
    members = two_members(["gpu=1"], ["cores=8"], workers=2, member_workers=2)
    with Client.connect(members.leader_home) as client:
        pids = [client.submit(NeedsGpu, delay=0.3) for _ in range(4)]
        results = [client.wait(pid, timeout=60) for pid in pids]
    assert all(r.is_finished_ok for r in results)
    assert {r["os_pid"] for r in results} <= members.on_a  # a has the gpu
    spans = sorted((r["began"], r["ended"]) for r in results)
    # gpu=1: the member has two hosts, yet one such step at a time
    assert all(a_end <= b_began for (_, a_end), (b_began, _) in itertools.pairwise(spans))
    row = joined(members.leader_home, members.a)
    assert row["in_use"].get("gpu", 0) == 0  # all given back


def test_a_label_is_matched_exactly_and_a_launch_placement_wins_over_the_class(two_members):
    members = two_members(["site=sns", "gpu=1"], ["site=ornl"])  # b is ornl
    with Client.connect(members.leader_home) as client:
        at_ornl = [client.submit(WhereAmI, placement={"site": "ornl"}) for _ in range(3)]
        # the class needs a gpu (only sns has one); the launch says ornl: ornl it is
        overridden = client.submit(NeedsGpu, placement={"site": "ornl"})
        nowhere = client.submit(WhereAmI, placement={"site": "sn"})  # no such label
        ran = {client.wait(pid, timeout=60)["os_pid"] for pid in at_ornl}
        assert ran <= members.on_b
        assert client.wait(overridden, timeout=60)["os_pid"] in members.on_b
        assert client.status(nowhere).status == "waiting for a host with site=sn"
        client.kill(nowhere, "no such site")
        assert client.wait(nowhere, timeout=30).is_killed


def test_a_process_no_member_can_take_waits_and_runs_when_a_capable_member_joins(tmp_path):
    with (
        running_daemon(tmp_path / "leader", workers=1) as leader,
        Client.connect(tmp_path / "leader") as client,
    ):
        pid = client.submit(NeedsGpu)
        status = client.status(pid)
        assert status.status == "waiting for a host with gpu>=1"
        assert not status.state.is_terminal
        with running_member(tmp_path / "gpu", leader, "gpu=2") as gpu:
            result = client.wait(pid, timeout=60)
            assert result.is_finished_ok
            assert result["os_pid"] in joined(tmp_path / "leader", gpu)["host_pids"]
        eventually(lambda: daemon_status(tmp_path / "leader")["members"] == [])


def test_a_lost_gpu_members_process_finishes_on_the_other_gpu_member_never_on_the_leader(
    tmp_path, monkeypatch, two_members
):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))  # inherited by the daemons
    members = two_members(["gpu=1"], ["gpu=1"])
    hosts = {"a": members.on_a, "b": members.on_b}
    with Client.connect(members.leader_home) as client:
        pid = client.submit(GpuSteps, n=30)
        eventually(lambda: witness.exists() and len(witness.read_text().splitlines()) >= 5)
        first = int(witness.read_text().split()[2])
        doomed, other = ("a", "b") if first in hosts["a"] else ("b", "a")
        for os_pid in daemon_pids(members.a if doomed == "a" else members.b):
            os.kill(os_pid, signal.SIGKILL)
        result = client.wait(pid, timeout=60)
    assert result.is_finished_ok and result["count"] == 30
    runs = [line.split() for line in witness.read_text().splitlines()]
    ran_on = {int(os_pid) for _, _, os_pid in runs}
    assert ran_on <= hosts[doomed] | hosts[other]  # never on the leader
    assert ran_on & hosts[other]
    steps = [int(step) for _, step, _ in runs]
    assert sorted(set(steps)) == list(range(1, 31))
    assert len(steps) - 30 in (0, 1)  # only the interrupted step ran again


def test_a_partitioned_member_that_comes_back_changes_nothing(tmp_path, monkeypatch, two_members):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))
    members = two_members(["gpu=1"], ["gpu=1"])
    with Client.connect(members.leader_home) as client:
        pid = client.submit(GpuSteps, n=40)
        eventually(lambda: witness.exists() and len(witness.read_text().splitlines()) >= 3)
        stopped = members.a if int(witness.read_text().split()[2]) in members.on_a else members.b
        frozen = daemon_pids(stopped)
        for os_pid in frozen:
            os.kill(os_pid, signal.SIGSTOP)
        try:
            eventually(
                lambda: (
                    stopped["address"]
                    not in [m["address"] for m in daemon_status(members.leader_home)["members"]]
                )
            )
            result = client.wait(pid, timeout=60)
        finally:
            for os_pid in frozen:
                os.kill(os_pid, signal.SIGCONT)
        time.sleep(3.0)  # the member wakes up, rejoins, and may try to go on
        assert result.is_finished_ok and result["count"] == 40
        again = client.wait(pid, timeout=10)
        assert again.is_finished_ok and again["count"] == 40
        assert client.status(pid).state.name == "FINISHED"
    members.stop()
    # what the store holds (read after every daemon stopped): the finished run, not
    # anything the woken member's host may have tried after it was declared lost
    store = LmdbStore(tmp_path / "leader")
    try:
        record = store.get_record(pid)
    finally:
        store.close()
    assert record["state"] == "finished" and record["result"]["outputs"]["count"] == 40
