"""Issue 12's attack against a real daemon and a real client: nothing runs, all is logged.

The attacker is ``nobody`` when the suite runs as root (see ``attack.py``); the home is
private, so it cannot read the key, and frames without the key are dropped unread by
whichever OS process owns the port: the admin, Thespian's logger, the supervisor, the
echo actor and the hosts are all forked by Thespian, so each line in the log carrying
that process's pid proves the check is in force there.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

import pytest

from prunus import Client, NotAuthorisedError
from prunus.actors import _frames
from prunus.control import daemon_pids, daemon_status
from prunus.control._proc_table import listening_sockets
from tests.cli.helpers import invoke
from tests.conftest import running_daemon
from tests.security.attack import (
    ABSURD_LENGTH,
    JUNK,
    NEGATIVE_LENGTH,
    attack_frame,
    send_as_attacker,
)

LEAF = "tests.workflows:Leaf"
DATA_ERROR_ACK = b"ACK+DATAERR"
OVER_THE_CAP = b"999999999>" + b"x" * 100


def drops_logged_by(log: Path) -> dict[int, list[str]]:
    """pid -> the reasons of the frames that process dropped, from the daemon log."""
    found: dict[int, list[str]] = {}
    for line in log.read_text().splitlines():
        if " WARNING prunus.frames: dropped a frame from 127.0.0.1:" in line:
            pid = int(line.split()[2])
            found.setdefault(pid, []).append(line.partition(": ")[2].partition(": ")[2])
    return found


@pytest.mark.slow
def test_a_pickle_sent_to_every_port_of_a_daemon_runs_nothing_and_each_process_logs_it(
    tmp_path,
):
    home = tmp_path / "home"
    witnesses = []
    with running_daemon(home) as info:
        status = daemon_status(home)
        sockets = listening_sockets(daemon_pids(info))
        owners = {pid for _, _, pid in sockets}
        # main, admin, logger, supervisor, echo and the 2 hosts: forked actor processes
        assert len(sockets) == 7, sockets
        assert {status["supervisor_pid"], *status["host_pids"]} <= owners
        for _, port, pid in sockets:
            witness = tmp_path / f"ran-in-{pid}"
            witnesses.append(witness)
            for frame in (attack_frame(witness), JUNK, ABSURD_LENGTH, OVER_THE_CAP):
                answer = send_as_attacker(port, frame)
                # refused with Thespian's data-error ack (the daemon's main process
                # reads its socket only while it talks to its actors: later)
                assert answer == b"" or DATA_ERROR_ACK in answer, (port, answer)
            answer = send_as_attacker(port, NEGATIVE_LENGTH)
        assert not [witness for witness in witnesses if witness.exists()]
        # the daemon still works, for a client with the key
        with Client.connect(home) as client:
            assert client.run(LEAF, {"x": 21}) == {"y": 42}
        deadline = time.monotonic() + 20  # a loaded machine may take a while to read
        while not owners - {info["pid"]} <= set(drops_logged_by(home / "daemon.log")):
            assert time.monotonic() < deadline, (owners, drops_logged_by(home / "daemon.log"))
            time.sleep(0.2)
    logged = drops_logged_by(home / "daemon.log")  # the main process read its at the stop
    for _, _, pid in sockets:
        reasons = logged[pid]
        assert "its tag does not match this home's key; nothing was unpickled" in reasons
        assert any("no length prefix" in reason for reason in reasons)
        assert any("over the cap" in reason for reason in reasons)
    assert not [witness for witness in witnesses if witness.exists()]


@pytest.fixture(scope="module")
def daemon_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("attacked")
    with running_daemon(home) as info:
        yield home, info


def test_a_pickle_sent_to_a_connected_clients_own_port_runs_nothing(
    daemon_home, tmp_path, caplog, monkeypatch
):
    home, _ = daemon_home
    monkeypatch.setattr(_frames, "DROPS", _frames._DropLog())
    caplog.set_level(logging.WARNING, logger="prunus.frames")
    before = {port for _, port, _ in listening_sockets([os.getpid()])}
    witness = tmp_path / "ran-in-the-client"
    with Client.connect(home) as client:
        client.list()
        mine = [port for _, port, _ in listening_sockets([os.getpid()]) if port not in before]
        assert mine, "the client has a reply port of its own"
        for port in mine:
            for frame in (attack_frame(witness), JUNK, OVER_THE_CAP):
                send_as_attacker(port, frame)
        # its transport reads them the next time it runs: the client still works
        assert client.run(LEAF, {"x": 2}) == {"y": 4}
        assert client.run(LEAF, {"x": 3}) == {"y": 6}
    assert not witness.exists()
    assert "its tag does not match this home's key; nothing was unpickled" in caplog.text
    assert "no length prefix" in caplog.text and "over the cap" in caplog.text


def test_a_client_with_a_wrong_key_is_told_in_one_line_at_once(daemon_home):
    home, info = daemon_home
    started = time.monotonic()
    with pytest.raises(NotAuthorisedError) as refused:
        Client.connect(home, key=secrets.token_bytes(32))
    assert time.monotonic() - started < 3.0  # not Thespian's 11 s of retries
    assert str(refused.value) == f"not authorised for the daemon on {home} (port {info['port']})"
    with Client.connect(home) as client:  # and the daemon did not mind
        assert client.run(LEAF, {"x": 1}) == {"y": 2}


def test_the_cli_with_a_wrong_key_file_says_not_authorised_and_exits_2(daemon_home, tmp_path):
    home, info = daemon_home
    wrong = tmp_path / "wrong.key"
    wrong.write_text(secrets.token_hex(32) + "\n")
    result = invoke("--key-file", str(wrong), "process", "list", "--home", str(home))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: not authorised for the daemon on {home} (port {info['port']})"
    ]
    not_a_key = invoke("--key-file", str(home / "daemon.json"), "process", "list", "--home", home)
    assert not_a_key.exit_code == 2
    assert "does not hold a prunus key" in not_a_key.stderr
    assert len(not_a_key.stderr.splitlines()) == 1


def test_a_copy_of_the_key_and_the_address_reach_the_daemon_without_its_home(daemon_home, tmp_path):
    home, info = daemon_home
    copy = tmp_path / "copy.key"
    copy.write_bytes((home / "secret.key").read_bytes())
    address = f"127.0.0.1:{info['port']}"
    with Client.connect(address=address, key=copy) as client:
        assert client.run(LEAF, {"x": 5}) == {"y": 10}
    result = invoke("--address", address, "--key-file", str(copy), "process", "list", "--all")
    assert result.exit_code == 0, result.stderr


def test_daemon_status_says_what_listens_where(daemon_home):
    home, info = daemon_home
    result = invoke("daemon", "status", "--home", str(home))
    assert result.exit_code == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["listening"].startswith("127.0.0.1: ")  # one address: loopback only
    assert f"admin {info['port']}" in lines["listening"]
    assert "supervisor" in lines["listening"] and "host" in lines["listening"]
    assert lines["key"].startswith(str(home / "secret.key"))
