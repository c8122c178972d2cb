"""CREATED means not yet started: a process in a long step shows RUNNING, the step's
name and since when, while the step runs (the daemon's hosts report it)."""

from __future__ import annotations

import time

from prunus import Client, ProcessState
from tests.cli.helpers import invoke
from tests.modes import eventually
from tests.workflows import LongSteps


def test_a_process_in_a_long_step_shows_running_with_its_step_and_since_when(shared_daemon):
    with Client.connect(shared_daemon) as client:
        before = time.time()
        pid = client.submit(LongSteps, seconds=2.0)
        eventually(lambda: client.status(pid).step == "prepare", timeout=1.5)
        first = client.status(pid)
        assert first.state is ProcessState.RUNNING
        assert before <= first.step_started <= time.time()
        listed = invoke("process", "list", "--home", str(shared_daemon))
        [row] = [line for line in listed.stdout.splitlines() if line.startswith(pid)]
        assert "RUNNING" in row and "prepare (" in row  # the step and how long, e.g. (1s)
        eventually(lambda: client.status(pid).step == "compute", timeout=4)
        later = client.status(pid)
        assert later.state is ProcessState.RUNNING and later.step_started > first.step_started
        assert client.wait(pid).is_finished_ok
        assert client.status(pid).step_started is None


def test_a_short_step_sends_nothing_early_and_ends_as_before(shared_daemon):
    with Client.connect(shared_daemon) as client:
        pid = client.submit(LongSteps, seconds=0.0)
        result = client.wait(pid)
        assert result.is_finished_ok
        assert client.status(pid).step_started is None
