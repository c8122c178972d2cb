"""Bulk control reaches every tree, even while a host is busy in a long step."""

from __future__ import annotations

import time

import pytest

from prunus import Client
from prunus.cli._errors import EXIT_TIMEOUT
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
        time.sleep(0.5)  # the host is in busy's long step now
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
