"""Faults in a daemon: a host actor SIGKILLed mid-step, a process that keeps killing its
host, and the whole daemon SIGKILLed with hundreds of processes in flight."""

from __future__ import annotations

import os
import signal
import time

import pytest

from prunus import Client, ProcessState
from prunus.control import daemon_pids, daemon_status
from prunus.persistence import LmdbStore
from tests.conftest import running_daemon
from tests.modes import eventually
from tests.workflows import Fanout, KillsItsHost, Steps, fanout_total

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("delay", [0.02, 0.001], ids=["slow-steps", "many-steps-per-slice"])
def test_a_process_whose_host_is_sigkilled_mid_step_finishes_correctly(
    tmp_path, monkeypatch, delay
):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))  # inherited by the daemon
    home = tmp_path / "home"
    with running_daemon(home, workers=1), Client.connect(home) as client:
        host = daemon_status(home)["host_pids"][0]
        pid = client.submit(Steps, n=60, delay=delay)
        eventually(lambda: witness.exists() and len(witness.read_text().splitlines()) >= 20)
        os.kill(host, signal.SIGKILL)
        result = client.wait(pid, timeout=60)
        assert result.is_finished_ok and result["count"] == 60
        assert client.report(pid) == [f"step {i}" for i in range(1, 61)]
        assert daemon_status(home)["host_pids"][0] not in (host, 0)
    runs = [int(line.split()[1]) for line in witness.read_text().splitlines()]
    # Every step ran; only the one running when the host died ran twice (a checkpoint
    # is committed after every step, even when a slice runs many).
    assert sorted(set(runs)) == list(range(1, 61))
    assert len(runs) - 60 in (0, 1)


def test_a_process_that_keeps_killing_its_host_ends_excepted_after_the_restart_limit(tmp_path):
    with running_daemon(tmp_path, workers=1, restart_limit=2), Client.connect(tmp_path) as client:
        result = client.wait(client.submit(KillsItsHost), timeout=60)
        assert result.state is ProcessState.EXCEPTED
        assert "host process died 3 times" in result.status
        assert "restart limit 2" in result.status
        assert client.run(Steps, n=2, delay=0.0) == {"count": 2}  # the daemon goes on


def test_sigkill_of_the_whole_daemon_loses_no_process_and_duplicates_no_child(tmp_path):
    parents, children_each = 200, 2
    with running_daemon(tmp_path, workers=2) as info:
        with Client.connect(tmp_path) as client:
            pids = [client.submit(Fanout, n=children_each, delay=0.01) for _ in range(parents)]
            eventually(lambda: daemon_status(tmp_path)["processes"].get("FINISHED", 0) > 50)
        status = daemon_status(tmp_path)
        for pid in daemon_pids(info):  # every OS process of the daemon, by pid
            os.kill(pid, signal.SIGKILL)
        eventually(lambda: not daemon_pids(info))
    finished_at_kill = status["processes"].get("FINISHED", 0)
    assert 0 < finished_at_kill < parents * (1 + 2 * children_each)
    with running_daemon(tmp_path, workers=2), Client.connect(tmp_path) as client:
        started = time.monotonic()
        totals = [client.wait(pid, timeout=120)["total"] for pid in pids]
        assert totals == [fanout_total(children_each)] * parents, time.monotonic() - started
    with LmdbStore(tmp_path) as store:
        records = dict(store.records())
    assert len(records) == parents * (1 + 2 * children_each)
    for pid in pids:
        middles = [f"{pid}.{i}" for i in range(children_each)]
        assert list(records[pid]["children"]) == middles
        for middle in middles:
            assert list(records[middle]["children"]) == [f"{middle}.0"]
    assert {record["state"] for record in records.values()} == {ProcessState.FINISHED.value}
