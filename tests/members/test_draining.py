"""``prunus daemon stop`` on a member drains it: its processes move, nothing is lost.

Real daemons on loopback. Each step appends ``pid step os_pid`` to a witness file
(outside the store), which shows every run of a step, re-runs included, and where it
ran: a drained member's processes go on elsewhere with no step run twice.
"""

from __future__ import annotations

import json
import os
import signal

import pytest
from click.testing import CliRunner

from prunus import Client
from prunus.cli import main
from prunus.control import daemon_pids, daemon_status, stop_daemon
from prunus.control._proc_table import pid_alive
from tests.conftest import running_daemon
from tests.members.conftest import joined, running_member
from tests.members.workflows import GpuSteps, WhereAmI
from tests.modes import eventually

pytestmark = pytest.mark.slow

AT_X = {"site": "x"}  # (replaces GpuSteps' gpu=1: no count, so both run at once)


def witnessed(witness) -> list[tuple[str, int, int]]:
    lines = witness.read_text().splitlines() if witness.exists() else []
    return [(pid, int(step), int(os_pid)) for pid, step, os_pid in map(str.split, lines)]


@pytest.mark.parametrize("stop", ["prunus daemon stop", "SIGTERM"])
def test_stopping_a_member_moves_its_processes_to_another_member_and_no_step_runs_twice(
    tmp_path, monkeypatch, two_members, stop
):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))  # inherited by the daemons
    members = two_members(["site=x"], ["site=x"])
    a, b, on_a, on_b = members.a, members.b, members.on_a, members.on_b
    leader = str(members.leader_home)
    with Client.connect(members.leader_home) as client:
        pids = [client.submit(GpuSteps, n=30, placement=AT_X) for _ in range(4)]
        eventually(lambda: {p for p, _, os_pid in witnessed(witness) if os_pid in on_a})
        a_pids = daemon_pids(a)
        if stop == "SIGTERM":  # (from a service manager, say: its main process drains)
            os.kill(a["pid"], signal.SIGTERM)
            eventually(lambda: not [pid for pid in a_pids if pid_alive(pid)], timeout=30)
        else:
            result = CliRunner().invoke(main, ["daemon", "stop", "--home", str(members.a_home)])
            assert result.exit_code == 0, result.output
        assert not [pid for pid in a_pids if pid_alive(pid)]  # the member exited
        drained_at = len(witnessed(witness))
        results = [client.wait(pid, timeout=60) for pid in pids]
        rows = daemon_status(members.leader_home)["members"]
        moved = next(p for p, _, os_pid in witnessed(witness) if os_pid in on_a)
        shown = CliRunner().invoke(main, ["process", "show", moved, "--home", leader, "--json"])
        text = CliRunner().invoke(main, ["process", "show", moved, "--home", leader]).output
    assert [row["address"] for row in rows] == [b["address"]]
    # which member ran its steps: a first, then (from the step it had reached) b
    ran_on = [row["where"] for row in json.loads(shown.output)["ran_on"]]
    assert [where.split(" (")[0] for where in ran_on] == [
        f"member {a['address']}",
        f"member {b['address']}",
    ]
    assert "Ran on" in text and f"member {b['address']} (from step 'step')" in text
    assert all(r.is_finished_ok and r["count"] == 30 for r in results)
    runs = witnessed(witness)
    assert {os_pid for _, _, os_pid in runs[drained_at:]} <= on_b  # never on the leader
    assert {os_pid for _, _, os_pid in runs} & on_a  # a did run some of them
    for pid in pids:
        steps = [step for p, step, _ in runs if p == pid]
        assert steps == list(range(1, 31))  # each step once: nothing ran again


def test_draining_the_only_capable_member_makes_its_processes_wait_for_the_next_one(
    tmp_path, monkeypatch
):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))
    with (
        running_daemon(tmp_path / "leader", workers=1) as leader,
        Client.connect(tmp_path / "leader") as client,
    ):
        with running_member(tmp_path / "a", leader, "gpu=1") as a:
            eventually(lambda: joined(tmp_path / "leader", a) is not None)
            pid = client.submit(GpuSteps, n=20)
            eventually(lambda: len(witnessed(witness)) >= 3)
            stop_daemon(tmp_path / "a")
        assert client.status(pid).status == "waiting for a host with gpu>=1"
        assert len(witnessed(witness)) < 20
        with running_member(tmp_path / "b", leader, "gpu=1") as b:
            result = client.wait(pid, timeout=60)
            on_b = set(joined(tmp_path / "leader", b)["host_pids"])
    assert result.is_finished_ok and result["count"] == 20
    runs = witnessed(witness)
    assert [step for _, step, _ in runs] == list(range(1, 21))
    assert {os_pid for _, step, os_pid in runs if step == 20} <= on_b


def test_a_leader_with_no_work_runs_nothing_itself_and_work_waits_for_a_member(tmp_path):
    with (
        running_daemon(tmp_path / "leader", workers=None, no_work=True) as leader,
        Client.connect(tmp_path / "leader") as client,
    ):
        assert daemon_status(tmp_path / "leader")["host_pids"] == []
        early = client.submit(WhereAmI)
        assert client.status(early).status == "waiting for a host"
        with (
            running_member(tmp_path / "a", leader) as a,
            running_member(tmp_path / "b", leader) as b,
        ):
            eventually(lambda: joined(tmp_path / "leader", a) and joined(tmp_path / "leader", b))
            members = {
                pid for info in (a, b) for pid in joined(tmp_path / "leader", info)["host_pids"]
            }
            pids = [early, *(client.submit(WhereAmI, delay=0.1) for _ in range(8))]
            ran_on = {client.wait(pid, timeout=60)["os_pid"] for pid in pids}
        assert ran_on <= members
        assert daemon_status(tmp_path / "leader")["hosts"] == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--no-work", "--join", "127.0.0.1:9"], "--no-work is for a leader"),
        (["--no-work", "--workers", "2"], "--no-work and --workers contradict"),
    ],
)
def test_no_work_on_a_member_or_with_workers_is_one_line_and_exit_2(tmp_path, args, message):
    result = CliRunner().invoke(main, ["daemon", "start", "--home", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
