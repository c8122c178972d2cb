"""A restart loads the registry, not the processes: waiting ones stay on disk until a
message for one arrives (issue 16, "a million on one host")."""

from __future__ import annotations

import re

import pytest

from prunus import Client, ProcessState
from prunus.control import daemon_status
from tests.conftest import running_daemon
from tests.modes import eventually
from tests.workflows import WaitsForChild

pytestmark = pytest.mark.slow

CHAINS = 200  # 400 processes: every one WAITING, on its child or on a resume


def resumed_at_last_start(home) -> int:
    """How many processes the last daemon start activated (its own log line)."""
    found = re.findall(r"resumed (\d+) processes", (home / "daemon.log").read_text())
    return int(found[-1])


def all_waiting(home) -> bool:
    status = daemon_status(home)
    return status["processes"].get("WAITING") == 2 * CHAINS and status["active"] == 0


def test_after_a_restart_waiting_workchains_stay_passivated_until_a_message_then_finish(
    tmp_path,
):
    with running_daemon(tmp_path), Client.connect(tmp_path) as client:
        parents = client.submit_many([(WaitsForChild, None)] * CHAINS)
        eventually(lambda: all_waiting(tmp_path), timeout=120)
    with running_daemon(tmp_path), Client.connect(tmp_path) as client:
        status = daemon_status(tmp_path)
        # Every process is known (read from its record); none was loaded into a host.
        assert resumed_at_last_start(tmp_path) == 0
        assert status["processes"] == {"WAITING": 2 * CHAINS}
        assert status["active"] == 0
        assert client.status(parents[0]).state is ProcessState.WAITING
        children = [client.status(pid).children[0] for pid in parents]
        assert daemon_status(tmp_path)["active"] == 0  # reads activate nothing
        # A message for a child (a resume) activates it; its ending, its parent.
        for child in children[: CHAINS // 2]:
            assert client.resume(child)
        for parent in parents[: CHAINS // 2]:
            assert client.wait(parent, timeout=120).is_finished_ok
            assert client.report(parent)[-1].endswith("child resumed: True")
        rest = daemon_status(tmp_path)
        assert rest["processes"] == {"FINISHED": CHAINS, "WAITING": CHAINS}
        eventually(lambda: daemon_status(tmp_path)["active"] == 0)
        for parent in parents[CHAINS // 2 :]:
            assert client.status(parent).state is ProcessState.WAITING


def test_after_a_reopen_an_embedded_home_resumes_a_waiting_workchain_on_its_message(
    tmp_path,
):
    with Client(tmp_path) as client:
        parent = client.submit(WaitsForChild)
        eventually(lambda: client.status(parent).state is ProcessState.WAITING)
        child = client.status(parent).children[0]
        eventually(lambda: client.status(child).state is ProcessState.WAITING)
    with Client(tmp_path) as client:
        assert client.status(parent).state is ProcessState.WAITING
        assert client.resume(child)
        assert client.wait(parent, timeout=60).is_finished_ok


def test_a_burst_of_submissions_leaves_no_process_created_for_good(tmp_path):
    """Issue 11, finding 10, at the smallest size that showed it on a loaded machine:
    host batches overtaking one another used to leave processes CREATED and active
    for good. (The deterministic reproduction is in tests/actors/test_event_order.py.)"""
    chains = 2000
    with running_daemon(tmp_path), Client.connect(tmp_path, timeout=120) as client:
        for _ in range(chains // 500):
            client.submit_many([(WaitsForChild, None)] * 500)

        def settled():
            status = daemon_status(tmp_path, timeout=60)
            return status["processes"] == {"WAITING": 2 * chains} and status["active"] == 0

        eventually(settled, timeout=240)
    log = (tmp_path / "daemon.log").read_text()
    assert "never arrived" not in log and "arrived twice" not in log
