"""``prunus daemon start|status|stop`` on real daemons in temporary homes."""

from __future__ import annotations

import json
import socket
import subprocess

import pytest
from click.testing import CliRunner

from prunus import Client, DaemonError, StoreError
from prunus.cli import main
from prunus.control import daemon_pids, start_daemon, stop_daemon
from prunus.control._daemon_files import pid_alive, read_daemon_file
from tests.conftest import running_daemon
from tests.daemon.workflows import Leaf


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_start_status_stop_leave_no_process_behind(tmp_path):
    started = invoke("daemon", "start", "--home", str(tmp_path), "--workers", "2")
    assert started.exit_code == 0, started.output
    info = read_daemon_file(tmp_path)
    assert f"pid {info['pid']}" in started.output
    pids = daemon_pids(info)
    # main + admin + logger + supervisor + echo + 2 hosts
    assert len(pids) == 7, pids
    status = invoke("daemon", "status", "--home", str(tmp_path), "--json")
    assert status.exit_code == 0, status.output
    shown = json.loads(status.output)
    assert shown["pid"] == info["pid"] and shown["hosts"] == 2
    assert set(shown["host_pids"]) <= set(pids)
    assert shown["processes"] == {}
    text = invoke("daemon", "status", "--home", str(tmp_path))
    assert "running" in text.output and f"127.0.0.1:{info['port']}" in text.output
    stopped = invoke("daemon", "stop", "--home", str(tmp_path))
    assert stopped.exit_code == 0, stopped.output
    assert [pid for pid in pids if pid_alive(pid)] == []
    assert read_daemon_file(tmp_path) is None


def test_every_socket_of_a_daemon_listens_on_loopback_only(tmp_path):
    with running_daemon(tmp_path) as info:
        pids = {str(pid) for pid in daemon_pids(info)}
        listing = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
        ours = [line for line in listing.splitlines() if any(f"pid={p}," in line for p in pids)]
        assert ours, listing
        for line in ours:
            local = line.split()[3]
            assert local.startswith("127.0.0.1:"), line


def test_a_second_daemon_on_the_same_home_is_refused_with_one_line(tmp_path):
    with running_daemon(tmp_path) as info:
        again = invoke("daemon", "start", "--home", str(tmp_path))
        assert again.exit_code == 2
        assert again.output.strip() == (
            f"Error: a prunus daemon is already running on {tmp_path} "
            f"(pid {info['pid']}, port {info['port']})"
        )
        with pytest.raises(StoreError, match="in use by another prunus runtime"):
            Client(tmp_path)  # nor may an embedded runtime take the home


def test_a_daemon_cannot_start_on_a_home_an_embedded_runtime_holds(tmp_path):
    with Client(tmp_path), pytest.raises(DaemonError, match="in use by another prunus runtime"):
        start_daemon(tmp_path)


def test_stop_and_status_without_a_daemon_are_one_line_errors(tmp_path):
    for command in ("stop", "status"):
        result = invoke("daemon", command, "--home", str(tmp_path))
        assert result.exit_code == 2
        assert result.output.strip() == f"Error: no prunus daemon is running on {tmp_path}"
    with pytest.raises(DaemonError, match="no prunus daemon is running on"):
        Client.connect(tmp_path)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(DaemonError, match=f"no prunus daemon is running at 127.0.0.1:{port}"):
        Client.connect(address=port)


def test_a_client_of_a_daemon_that_stopped_gets_a_one_line_error(tmp_path):
    with running_daemon(tmp_path):
        client = Client.connect(tmp_path)
        pid = client.submit(Leaf, x=1)
        assert client.wait(pid)["y"] == 2
        stop_daemon(tmp_path)
        with pytest.raises(DaemonError, match="no prunus daemon is running at") as error:
            client.status(pid)
        assert "\n" not in str(error.value)
