"""Bulk control reaches every tree, even while a host is busy in a long step."""

from __future__ import annotations

import threading
import time

import pytest

from prunus import Client
from prunus.cli._errors import EXIT_TIMEOUT
from prunus.control._daemon_files import read_daemon_file
from prunus.persistence import KEY_FILE
from tests.cli.helpers import invoke
from tests.conftest import running_daemon
from tests.modes import eventually
from tests.workflows import Steps, WaitsForever

pytestmark = pytest.mark.slow


def test_kill_all_reaches_every_tree_while_the_only_host_is_busy(tmp_path):
    with running_daemon(tmp_path, workers=1), Client.connect(tmp_path) as client:
        waiting = client.submit(WaitsForever)
        eventually(lambda: client.status(waiting).state.name == "WAITING")  # passivated
        busy = client.submit(Steps, n=3, delay=2.0)
        eventually(lambda: client.status(busy).step == "step")  # the host is in its long step
        queued = client.submit(Steps, n=20, delay=0.2)  # not started: behind that step
        started = time.monotonic()
        result = invoke(
            "process", "kill", "--all", "--yes", "--home", str(tmp_path), "--timeout", "1"
        )
        assert time.monotonic() - started < 5
        assert result.exit_code == EXIT_TIMEOUT, result.output
        assert f"killed {waiting}" in result.stdout  # passivated: killed at once
        assert f"{busy} not killed yet" in result.stdout
        assert f"{queued} not killed yet" in result.stdout
        for pid in (busy, waiting, queued):  # every kill stood and took effect
            eventually(lambda pid=pid: client.status(pid).state.name == "KILLED", timeout=30)
        assert len(client.report(queued)) < 20


def test_pause_all_then_kill_all_reach_three_trees_on_two_busy_hosts(tmp_path):
    """Issue 11, finding 5: three long steps on two hosts (one process not started yet);
    with a timeout longer than the steps, pause --all and kill --all --yes exit 0 and
    all three end KILLED, the one not started without running a step."""
    with running_daemon(tmp_path, workers=2), Client.connect(tmp_path) as client:
        pids = [client.submit(Steps, n=3, delay=8.0) for _ in range(3)]
        eventually(lambda: sum(client.status(p).step == "step" for p in pids) == 2, timeout=10)
        [queued] = [p for p in pids if client.status(p).step is None]
        home = ("--home", str(tmp_path), "--timeout", "30")
        paused = invoke("process", "pause", "--all", *home)
        assert paused.exit_code == 0, paused.output
        assert all(f"paused {pid}" in paused.stdout for pid in pids), paused.stdout
        assert all(client.status(pid).paused for pid in pids)
        assert client.report(queued) == []  # paused before it ran a step
        at_pause = {pid: client.report(pid) for pid in pids}
        killed = invoke("process", "kill", "--all", "--yes", *home)
        assert killed.exit_code == 0, killed.output
        assert all(f"killed {pid}" in killed.stdout for pid in pids), killed.stdout
        for pid in pids:
            assert client.wait(pid, timeout=30).state.name == "KILLED"
            assert client.report(pid) == at_pause[pid], pid  # no step once paused
        assert client.report(queued) == []  # never started


def test_status_is_answered_between_the_chunks_of_a_long_kill_all(tmp_path, monkeypatch):
    """Issue 16: kill --all runs a chunk of trees per supervisor message. With chunks of
    5 trees, a status call the supervisor answers (a client that knows only the port,
    so it does not read the store) sees the first tree KILLED while the last is still
    waiting: it was answered between two chunks, not after the whole kill."""
    monkeypatch.setenv("PRUNUS_BULK_CHUNK", "5")
    with running_daemon(tmp_path, workers=1), Client.connect(tmp_path) as client:
        pids = client.submit_many([(WaitsForever, None)] * 200)
        first, last = pids[0], pids[-1]
        eventually(lambda: client.status(last).state.name == "WAITING", timeout=60)
        outcome: dict = {}
        killer = threading.Thread(target=lambda: outcome.update(client.kill_all(timeout=60)))
        seen = None
        port = read_daemon_file(tmp_path)["port"]
        with Client.connect(address=port, key=tmp_path / KEY_FILE) as other:
            killer.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if other.status(first).state.name == "KILLED":
                    seen = other.status(last).state.name
                    break
            killer.join(timeout=60)
        assert seen == "WAITING"  # answered with 39 chunks of the kill still to come
        assert outcome == {pid: True for pid in pids}  # answered once, at the end
        assert {client.status(pid).state.name for pid in pids} == {"KILLED"}
