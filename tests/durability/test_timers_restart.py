"""Timers and signals across restarts: a daemon SIGKILLed and started again, a timer
that fell due while nothing ran (its lateness reported), a signal kept across a kill."""

from __future__ import annotations

import os
import signal
import time

import pytest

from prunus import Client, ProcessState
from prunus.control import daemon_pids
from tests.conftest import running_daemon
from tests.functions import Approval, SignalLater, Sleeper
from tests.modes import eventually

pytestmark = pytest.mark.slow


def sigkill_daemon(info: dict) -> None:
    for os_pid in daemon_pids(info):  # every OS process of the daemon, by pid
        os.kill(os_pid, signal.SIGKILL)
    eventually(lambda: not daemon_pids(info))


def late_lines(client: Client, pid: str) -> list[str]:
    return [line for line in client.report(pid) if "late" in line]


def test_a_timer_survives_a_daemon_sigkill_and_fires_after_the_restart(tmp_path):
    with running_daemon(tmp_path) as info:
        with Client.connect(tmp_path) as client:
            pid = client.submit(Sleeper, seconds=6.0)
            eventually(lambda: client.status(pid).due is not None)
            due = client.status(pid).due
        sigkill_daemon(info)
    with running_daemon(tmp_path), Client.connect(tmp_path) as client:
        status = client.status(pid)
        assert status.due == due or status.state is ProcessState.FINISHED  # stored
        result = client.wait(pid, timeout=30)
        assert result.is_finished_ok and result["slept"] >= 6.0
        assert time.time() >= due


def test_daemon_a_timer_due_while_down_fires_at_once_with_its_lateness_reported(tmp_path):
    with running_daemon(tmp_path) as info:
        with Client.connect(tmp_path) as client:
            pid = client.submit(Sleeper, seconds=0.5)
            eventually(lambda: client.status(pid).due is not None)
        sigkill_daemon(info)
    time.sleep(2.0)  # nothing runs while it falls due
    with running_daemon(tmp_path), Client.connect(tmp_path) as client:
        started = time.monotonic()
        result = client.wait(pid, timeout=30)
        assert time.monotonic() - started < 3.0  # at once, not another sleep
        assert result.is_finished_ok
        (line,) = late_lines(client, pid)
        assert line.startswith("timer due at ") and " s late" in line
        assert float(line.split(" fired ")[1].split(" s")[0]) >= 1.5


def test_embedded_a_timer_due_while_closed_fires_on_reopen_with_its_lateness(tmp_path):
    with Client(tmp_path) as client:
        pid = client.submit(Sleeper, seconds=0.2)
        eventually(lambda: client.status(pid).due is not None)
    time.sleep(1.5)  # the home is closed: nothing runs
    with Client(tmp_path) as client:
        result = client.wait(pid, timeout=30)
        assert result.is_finished_ok
        assert len(late_lines(client, pid)) == 1


def test_a_signal_survives_a_restart_while_its_process_waits_for_it(tmp_path):
    with running_daemon(tmp_path) as info:
        with Client.connect(tmp_path) as client:
            pid = client.submit(Approval)
            eventually(lambda: client.status(pid).signal == "approve")
        sigkill_daemon(info)
    with running_daemon(tmp_path), Client.connect(tmp_path) as client:
        assert client.status(pid).signal == "approve"
        client.signal(pid, "approve", [1, 2, 3])
        assert client.wait(pid, timeout=30)["verdict"] == [1, 2, 3]


def test_an_acknowledged_early_signal_survives_a_sigkill(tmp_path):
    with running_daemon(tmp_path) as info:
        with Client.connect(tmp_path) as client:
            pid = client.submit(SignalLater, seconds=2.0)
            eventually(lambda: client.status(pid).due is not None)
            client.signal(pid, "approve", "kept")  # acknowledged: stored
        sigkill_daemon(info)
    with running_daemon(tmp_path), Client.connect(tmp_path) as client:
        assert client.wait(pid, timeout=30)["verdict"] == "kept"
