"""A client on the daemon's own machine reads status, list, outputs and report from
the home's store, so reads never queue behind host traffic in the supervisor's
mailbox; a client given only the daemon's address stays on the supervisor's path.
What only the supervisor knows (a blocked process) reads the same both ways."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from prunus import Client, ListQuery, ProcessState
from prunus.control import daemon_status
from prunus.control._daemon_files import read_daemon_file
from prunus.errors import DaemonTimeoutError
from prunus.persistence import KEY_FILE, LmdbStore
from tests.cli.test_working_directory import project, prunus  # noqa: F401 (a fixture)
from tests.conftest import running_daemon
from tests.workflows import Steps, WaitsOnChildren

_ENDED_VALUES = {state.value for state in ProcessState if state.is_terminal}


def by_address(home, timeout: float = 10.0) -> Client:
    """A client that knows only the daemon's port and a copy of its key."""
    port = read_daemon_file(home)["port"]
    return Client.connect(address=port, key=home / KEY_FILE, timeout=timeout)


def test_reads_on_the_daemons_machine_answer_while_the_supervisor_is_stopped(tmp_path):
    with running_daemon(tmp_path, workers=1):
        with Client.connect(tmp_path) as client:
            pid = client.submit(Steps, n=3, delay=0.01)
            assert client.wait(pid, timeout=30).is_finished_ok
            live = client.submit(Steps, n=1000, delay=0.01)
            client.pause(live)
        supervisor = daemon_status(tmp_path)["supervisor_pid"]
        with Client.connect(tmp_path, timeout=2) as local, by_address(tmp_path, 1) as remote:
            os.kill(supervisor, signal.SIGSTOP)  # its mailbox is read by nobody now
            try:
                started = time.monotonic()
                assert local.status(pid).state is ProcessState.FINISHED
                assert local.outputs(pid) == {"count": 3}
                assert len(local.report(pid)) == 3
                assert {status.pid for status in local.list()} >= {pid, live}
                page = local.list_page(ListQuery(paused_only=True))
                assert [status.pid for status in page.statuses] == [live]
                assert time.monotonic() - started < 1.0  # no call waited for the supervisor
                with pytest.raises(DaemonTimeoutError):
                    remote.status(pid)  # by address: the supervisor's path, stopped
            finally:
                os.kill(supervisor, signal.SIGCONT)
        with by_address(tmp_path) as remote, Client.connect(tmp_path) as local:
            assert remote.status(live) == local.status(live)
            assert remote.list_page(ListQuery()) == local.list_page(ListQuery())
            local.kill(live)


def test_a_blocked_process_reads_the_same_from_the_store_as_from_the_supervisor(
    project,  # noqa: F811 (the fixture)
    tmp_path,
):
    _work, home, pid = project
    elsewhere = tmp_path / "elsewhere"  # where flows.py does not import
    elsewhere.mkdir()
    started = prunus(elsewhere, "daemon", "start", "--home", str(home), "--workers", "1")
    assert started.returncode == 0, started.stderr
    try:
        played = prunus(elsewhere, "process", "play", pid, "--home", str(home))
        assert played.returncode == 2 and "blocked: cannot import" in played.stderr
        with Client.connect(home) as local, by_address(home) as remote:
            shown = local.status(pid)
            assert shown.status.startswith("blocked: cannot import process class flows:Square")
            assert shown == remote.status(pid)
            assert local.list() == remote.list()
        listed = prunus(elsewhere, "process", "list", "--home", str(home))
        assert "blocked: cannot import" in listed.stdout, listed.stdout
    finally:
        stopped = prunus(elsewhere, "daemon", "stop", "--home", str(home))
    assert stopped.returncode == 0, stopped.stderr


def test_a_held_process_shows_what_it_waits_for_both_ways(shared_daemon):
    with Client.connect(shared_daemon) as local, by_address(shared_daemon) as remote:
        first = local.submit(Steps, n=1000, delay=0.01)
        held = local.submit(Steps, n=1, when=first.finished_ok)
        shown = local.status(held)
        assert shown.state is ProcessState.CREATED and shown.status.startswith("waiting for:")
        assert shown == remote.status(held)
        local.pause(held)
        assert local.status(held) == remote.status(held)
        assert local.status(held).paused
        local.kill(first)
        assert local.wait(held, timeout=30).state is ProcessState.KILLED  # cannot hold now
        assert local.status(held) == remote.status(held)


def test_process_list_on_the_daemons_machine_shows_exactly_the_live_processes(tmp_path):
    with running_daemon(tmp_path, workers=2):
        with Client.connect(tmp_path) as client:
            done = [client.submit(Steps, n=2, delay=0.01) for _ in range(3)]
            parent = client.submit(WaitsOnChildren)
            killed = client.submit(Steps, n=1000, delay=0.01)
            running = client.submit(Steps, n=1000, delay=0.01)
            for pid in done:
                assert client.wait(pid, timeout=30).is_finished_ok
            client.kill(killed)
            assert client.wait(killed, timeout=30).state is ProcessState.KILLED
            client.pause(running)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # a tree of 4 that waits for good
                children = client.status(parent).children
                tree = [*children, *(p for c in children for p in client.status(c).children)]
                if len(tree) == 3 and all(
                    client.status(p).state is ProcessState.WAITING for p in (parent, *tree)
                ):
                    break
                time.sleep(0.05)
        with LmdbStore(tmp_path, readonly=True) as store:
            live = {pid for pid, r in store.records() if r["state"] not in _ENDED_VALUES}
            assert set(dict(store.live_records())) == live
        assert live == {parent, running, *tree}
        assert not live & {killed, *done}
        listed = prunus(tmp_path, "process", "list", "--home", str(tmp_path), "--json")
        assert listed.returncode == 0, listed.stderr
        assert {row["pid"] for row in json.loads(listed.stdout)} == live
        shown = prunus(tmp_path, "process", "list", "--home", str(tmp_path))
        assert "5 of 9 processes shown" in shown.stdout, shown.stdout
        with Client.connect(tmp_path) as client:
            client.kill(parent)
            client.kill(running)
