"""A client finds the supervisor within its own timeout, even when the admin it
reached never answers (the fault matrix's ``supervisor`` kind: a client connecting in
the second after the supervisor died hung 50 s in ``Client.connect(timeout=5)``)."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from prunus import Client
from prunus.actors._supervisor_lookup import find_supervisor
from prunus.actors._thespian import connect_to_daemon, disconnect
from prunus.control._proc_table import session_pids
from prunus.persistence import KEY_FILE, read_key
from tests.conftest import running_daemon
from tests.workflows import Steps


def thespian_admin(info: dict) -> int:
    """The admin: the one process of the actor system's session whose parent is not
    in it (Thespian double-forks it, so the session's leader is gone)."""
    pids = session_pids(int(info["sessions"][1]))
    parents = {
        pid: int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) for pid in pids
    }
    (admin,) = [pid for pid in pids if parents[pid] not in pids]
    return admin


def test_finding_the_supervisor_gives_up_at_the_clients_timeout_when_the_admin_is_silent(
    tmp_path,
):
    with running_daemon(tmp_path, workers=1) as info:
        key = read_key(tmp_path / KEY_FILE)
        system = connect_to_daemon(int(info["port"]), key)
        admin = thespian_admin(info)
        os.kill(admin, signal.SIGSTOP)  # it took the connection; it answers nothing now
        try:
            started = time.monotonic()
            with pytest.raises(Exception, match=r"Admin|Timeout"):
                find_supervisor(system, 2.0)
            assert time.monotonic() - started < 8  # Thespian alone waits 50 s
        finally:
            os.kill(admin, signal.SIGCONT)
            disconnect(system)
        with Client.connect(tmp_path, timeout=5) as client:  # and the next one finds it
            pid = client.submit(Steps, n=2, delay=0.0)
            assert client.wait(pid, timeout=30).is_finished_ok


def _children() -> set[int]:
    """This process's child processes (from /proc)."""
    me = str(os.getpid())
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                found.add(int(entry.name))
    return found


def test_connecting_where_nothing_listens_never_starts_an_admin_of_its_own(tmp_path):
    """Thespian's client starts an admin on a port nobody holds; a client reconnecting
    while its daemon restarted did, took the daemon's port and outlived the client."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    before = _children()
    with pytest.raises(ConnectionRefusedError, match=f"nothing listens on 127.0.0.1:{port}"):
        connect_to_daemon(port, b"k" * 32)
    assert _children() <= before  # no admin forked
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # and nothing took the port
