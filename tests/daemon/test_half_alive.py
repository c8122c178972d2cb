"""A daemon is never half-alive: whatever OS process of it is SIGKILLed, it either
comes back by itself or goes away entirely, and ``daemon start`` then just works."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from prunus import Client, PrunusError
from prunus.control import daemon_pids, daemon_status, start_daemon, stop_daemon
from prunus.control._proc_table import pid_alive
from tests.conftest import running_daemon
from tests.daemon.test_supervisor_lookup import thespian_admin
from tests.modes import eventually
from tests.workflows import Steps

pytestmark = pytest.mark.slow


def wait_reconnecting(home, pid: str, timeout: float = 60.0):
    """``pid``'s result, connecting again while the daemon recovers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with Client.connect(home, timeout=5) as client:
                return client.wait(pid, timeout=max(1.0, deadline - time.monotonic()))
        except PrunusError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_sigkilled_supervisor_is_replaced_and_its_processes_finish(tmp_path):
    with running_daemon(tmp_path, workers=1) as info:
        with Client.connect(tmp_path) as client:
            pid = client.submit(Steps, n=30, delay=0.05)
        before = daemon_status(tmp_path)
        time.sleep(0.3)
        os.kill(before["supervisor_pid"], signal.SIGKILL)
        result = wait_reconnecting(tmp_path, pid)
        assert result.is_finished_ok and result["count"] == 30
        after = daemon_status(tmp_path)
        assert after["pid"] == info["pid"]  # the same daemon, no manual restart
        assert after["supervisor_pid"] != before["supervisor_pid"]
        assert not any(pid_alive(host) for host in before["host_pids"])  # old hosts gone


def test_a_wait_under_way_outlives_a_sigkilled_supervisor(tmp_path):
    """A client waiting when the supervisor dies gets its answer from the new one (the
    daemon port kept listening all along, so only the supervisor's loss tells)."""
    with running_daemon(tmp_path, workers=1), Client.connect(tmp_path, timeout=5) as client:
        pid = client.submit(Steps, n=30, delay=0.05)
        supervisor = daemon_status(tmp_path)["supervisor_pid"]
        threading.Timer(0.3, os.kill, (supervisor, signal.SIGKILL)).start()
        started = time.monotonic()
        result = client.wait(pid, timeout=60)
        assert time.monotonic() - started < 30  # not the wait's own timeout
        assert result.is_finished_ok and result["count"] == 30
        assert daemon_status(tmp_path)["supervisor_pid"] != supervisor


def test_a_client_connected_before_the_supervisor_died_waits_on_the_new_one(tmp_path):
    """The CI failure: a client that found the supervisor just before its SIGKILL sent
    its wait to a dead address and heard nothing for the whole wait."""
    with running_daemon(tmp_path, workers=1), Client.connect(tmp_path, timeout=5) as client:
        pid = client.submit(Steps, n=30, delay=0.05)
        supervisor = daemon_status(tmp_path)["supervisor_pid"]
        os.kill(supervisor, signal.SIGKILL)
        eventually(lambda: not pid_alive(supervisor), timeout=5)
        started = time.monotonic()
        result = client.wait(pid, timeout=60)
        assert time.monotonic() - started < 30
        assert result.is_finished_ok and result["count"] == 30


def test_a_sigkilled_admin_is_replaced_with_its_actor_system_and_its_processes_finish(tmp_path):
    with running_daemon(tmp_path, workers=1) as info:
        with Client.connect(tmp_path) as client:
            pid = client.submit(Steps, n=30, delay=0.05)
        before = daemon_status(tmp_path)
        admin = thespian_admin(info)  # found from /proc, as the daemon must find it
        assert admin != before["supervisor_pid"]
        time.sleep(0.3)
        os.kill(admin, signal.SIGKILL)
        result = wait_reconnecting(tmp_path, pid)
        assert result.is_finished_ok and result["count"] == 30
        after = daemon_status(tmp_path)
        assert after["pid"] == info["pid"]  # the same daemon, no manual restart
        assert after["supervisor_pid"] != before["supervisor_pid"]


def test_the_actor_system_ends_itself_when_the_main_process_is_sigkilled(tmp_path):
    info = start_daemon(tmp_path, workers=1)
    with Client.connect(tmp_path) as client:
        pid = client.submit(Steps, n=40, delay=0.05)
    os.kill(int(info["pid"]), signal.SIGKILL)
    eventually(lambda: not daemon_pids(info), timeout=10)
    with running_daemon(tmp_path, workers=1):  # no stop needed first
        result = wait_reconnecting(tmp_path, pid)
        assert result.is_finished_ok and result["count"] == 40


def test_daemon_start_right_after_a_crash_clears_what_is_left_and_starts(tmp_path):
    info = start_daemon(tmp_path, workers=1)
    with Client.connect(tmp_path) as client:
        pid = client.submit(Steps, n=20, delay=0.05)
    os.kill(int(info["pid"]), signal.SIGKILL)
    # the crash is over once the main process is gone (a SIGKILL lands a moment after
    # kill() returns); its actor system takes a second to notice
    eventually(lambda: not pid_alive(int(info["pid"])), timeout=5)
    assert daemon_pids(info)  # its actor system has not noticed yet
    try:
        start_daemon(tmp_path, workers=1)
        assert not daemon_pids(info)
        result = wait_reconnecting(tmp_path, pid)
        assert result.is_finished_ok and result["count"] == 20
    finally:
        stop_daemon(tmp_path)
