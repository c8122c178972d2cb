"""A daemon under load: many clients at once, and wide trees of waiting processes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from prunus import Client, ProcessState
from prunus.control import daemon_pids, daemon_status
from tests.conftest import running_daemon
from tests.modes import eventually
from tests.workflows import Fanout, fanout_total

pytestmark = pytest.mark.slow


def test_a_thousand_processes_from_two_client_processes_all_finish_correctly(tmp_path):
    with running_daemon(tmp_path, workers=2):
        clients = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.daemon.submitter", str(tmp_path), "500", str(n)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in (0, 500)
        ]
        reports = [json.loads(each.communicate(timeout=300)[0]) for each in clients]
        assert [each.returncode for each in clients] == [0, 0]
        assert reports == [{"submitted": 500, "wrong": []}] * 2
        with Client.connect(tmp_path) as client:
            states = [s.state for s in client.list()]
        assert len(states) == 1000 and set(states) == {ProcessState.FINISHED}


def test_500_waiting_children_complete_on_a_pool_of_4_hosts(tmp_path):
    with running_daemon(tmp_path, workers=4) as info:
        processes_before = daemon_pids(info)
        with Client.connect(tmp_path) as client:
            # Every leaf pauses itself: 500 middles wait on 500 paused leaves.
            pid = client.submit(Fanout, n=500, hold=True)

            def all_held():
                status = daemon_status(tmp_path)
                return status["paused"] == 500 and status["processes"].get("WAITING") == 501

            eventually(all_held, timeout=60)
            # 1,001 unfinished processes, and the 4 hosts hold none of them: every one
            # was passivated to the store (within a moment of its last event).
            eventually(lambda: daemon_status(tmp_path)["active"] == 0)
            assert client.play(pid)  # cascades to every middle and leaf
            assert client.wait(pid, timeout=120)["total"] == fanout_total(500)
            assert len(client.list()) == 1 + 500 + 500
        status = daemon_status(tmp_path)
        assert status["hosts"] == 4 and status["active"] == 0
        # The pool never grew: the same OS processes ran all 1,001 processes.
        assert daemon_pids(info) == processes_before
