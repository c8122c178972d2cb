"""Which runtime the commands use: the daemon on the home, else the home itself."""

from __future__ import annotations

import json
import os
import signal
import time

from prunus import Client
from prunus.cli._errors import EXIT_ERROR
from prunus.control import daemon_pids, daemon_status
from tests.cli.helpers import invoke
from tests.conftest import running_daemon


def test_without_a_daemon_the_commands_open_the_home_embedded(tmp_path):
    home = str(tmp_path)
    ran = invoke("run", "tests.workflows:Counter", "-i", "n=2", "--durable", "--home", home)
    assert ran.exit_code == 0, ran.output
    rows = json.loads(invoke("process", "list", "--all", "--json", "--home", home).stdout)
    [row] = rows
    assert row["state"] == "FINISHED"
    report = invoke("process", "report", row["pid"], "--home", home)
    assert [line.rpartition("] ")[2] for line in report.stdout.splitlines()] == [
        "counter:1",
        "counter:2",
    ]
    assert invoke("process", "outputs", row["pid"], "--home", home).stdout == "count  2\n"


def test_an_embedded_home_advances_its_processes_while_a_command_has_it_open(tmp_path):
    with Client(tmp_path) as client:
        pid = client.submit("tests.workflows:Counter", {"n": 20})
        assert not client.status(pid).state.is_terminal
    # Nothing ran it since; watching it is what runs it (the command is its runtime).
    watched = invoke("process", "watch", pid, "--home", str(tmp_path), "--interval", "0.05")
    assert watched.exit_code == 0, watched.output
    assert watched.stdout.splitlines()[-1] == f"process {pid} ended FINISHED"


def test_an_embedded_process_that_can_never_end_stops_the_watch_with_exit_4(tmp_path):
    with Client(tmp_path) as client:
        pid = client.submit("tests.workflows:PausesItself")
    watched = invoke("process", "watch", pid, "--home", str(tmp_path))
    assert watched.exit_code == 4
    assert "cannot make progress: it is paused" in watched.stderr
    played = invoke("process", "play", pid, "--home", str(tmp_path))
    assert played.stdout == f"played {pid}\n"
    assert invoke("process", "watch", pid, "--home", str(tmp_path)).exit_code == 0


def test_a_home_nothing_ran_on_is_an_error_and_is_not_created(tmp_path):
    missing = tmp_path / "typo"
    result = invoke("process", "list", "--home", str(missing))
    assert result.exit_code == EXIT_ERROR
    assert result.stderr == (
        f"Error: no prunus home at {missing}: nothing has run there "
        f"(start a daemon: prunus daemon start --home {missing})\n"
    )
    assert not missing.exists()


def test_after_the_daemon_stops_the_commands_read_the_home_it_left(tmp_path):
    with running_daemon(tmp_path), Client.connect(tmp_path) as client:
        pid = client.submit("tests.workflows:Leaf", {"x": 3})
        client.wait(pid, timeout=10)
    shown = invoke("process", "show", pid, "--home", str(tmp_path), "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["outputs"] == {"y": 6}
    status = invoke("process", "status", pid, "--home", str(tmp_path))
    assert status.stdout == f"{pid}  Leaf  FINISHED\n"


def test_a_daemon_that_does_not_answer_fails_within_the_timeout(tmp_path):
    with running_daemon(tmp_path, workers=1) as info:
        supervisor = daemon_status(tmp_path)["supervisor_pid"]
        assert supervisor in daemon_pids(info)
        os.kill(supervisor, signal.SIGSTOP)
        try:
            started = time.monotonic()
            # (show asks the supervisor: status and list on the daemon's machine are read
            # from the store, see tests/daemon/test_local_reads.py)
            result = invoke("process", "show", "p1", "--home", str(tmp_path), "--timeout", "0.5")
            took = time.monotonic() - started
        finally:
            os.kill(supervisor, signal.SIGCONT)
        assert result.exit_code == EXIT_ERROR
        assert result.stderr.endswith("did not answer within 0.5 s\n")
        assert result.stderr.count("\n") == 1
        assert took < 4.0
