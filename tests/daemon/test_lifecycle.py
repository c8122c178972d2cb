"""``prunus daemon start|status|stop`` on real daemons in temporary homes."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from prunus import Client, DaemonError, StoreError
from prunus.cli import main
from prunus.control import daemon_pids, start_daemon, stop_daemon
from prunus.control._daemon_files import read_daemon_file
from prunus.control._proc_table import pid_alive
from tests.conftest import running_daemon
from tests.workflows import Leaf

LOOPBACK_HEX = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it


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


def listening_sockets(pids):
    """``(address, port)`` of every listening TCP socket of ``pids`` (from /proc)."""
    inodes = set()
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.split(":")
                found.append((address, int(port, 16)))
    return found


def test_every_socket_of_a_daemon_listens_on_loopback_only(tmp_path):
    with running_daemon(tmp_path) as info:
        sockets = listening_sockets(daemon_pids(info))
        assert (LOOPBACK_HEX, info["port"]) in sockets  # the admin
        assert len(sockets) >= 5, sockets  # admin, logger, supervisor, echo, hosts
        assert {address for address, _ in sockets} == {LOOPBACK_HEX}


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
