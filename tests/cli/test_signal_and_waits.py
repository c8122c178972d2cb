"""``prunus process signal`` and what the views say a waiting process waits for,
against a real daemon of this module; also ``prunus submit`` of a function."""

from __future__ import annotations

import json

import pytest

from prunus import Client, ProcessState
from prunus.cli._errors import EXIT_ERROR
from tests.cli.helpers import invoke
from tests.modes import eventually


@pytest.fixture(scope="module")
def client(daemon_home):
    with Client.connect(daemon_home) as connected:
        yield connected


def process(daemon_home, *args):
    return invoke("process", *args, "--home", str(daemon_home))


def waiting_approval(client):
    pid = client.submit("tests.functions:Approval", {})
    eventually(lambda: client.status(pid).signal == "approve")
    return pid


def test_signal_delivers_a_json_payload_and_the_process_reads_it(daemon_home, client):
    pid = waiting_approval(client)
    done = process(daemon_home, "signal", pid, "approve", "--data", '{"ok": true, "n": [1, 2]}')
    assert done.exit_code == 0, done.output
    assert done.stdout.strip().startswith(f"signalled {pid} 'approve'")
    assert client.wait(pid, timeout=30)["verdict"] == {"ok": True, "n": [1, 2]}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("no-such-pid", "approve"), "no-such-pid"),
        (("PID", "no good"), "invalid signal name 'no good'"),
        (("PID", "approve", "--data", "{not json"), "--data is not valid JSON"),
    ],
    ids=["unknown-pid", "bad-name", "bad-json"],
)
def test_bad_signal_input_is_one_line_and_exit_2_and_stores_nothing(
    daemon_home, client, args, says
):
    pid = waiting_approval(client)
    failed = process(daemon_home, "signal", *(pid if a == "PID" else a for a in args))
    assert failed.exit_code == EXIT_ERROR
    assert failed.stdout == ""
    (line,) = failed.stderr.splitlines()
    assert line.startswith("Error: ") and says in line
    assert client.status(pid).state is ProcessState.WAITING and client.status(pid).signal
    client.kill(pid)


def test_a_signal_to_an_ended_process_is_exit_2(daemon_home, client):
    pid = client.submit("tests.functions:add", {"x": 1, "y": 2})
    client.wait(pid, timeout=30)
    failed = process(daemon_home, "signal", pid, "approve")
    assert failed.exit_code == EXIT_ERROR
    assert failed.stderr.strip() == (
        f"Error: process {pid} has ended (FINISHED): the signal 'approve' cannot be delivered"
    )


def test_views_say_what_a_waiting_process_waits_for(daemon_home, client):
    sleeper = client.submit("tests.functions:Sleeper", {"seconds": 120})
    waiter = waiting_approval(client)
    eventually(lambda: client.status(sleeper).due is not None)
    listed = process(daemon_home, "list").stdout
    row = next(line for line in listed.splitlines() if line.startswith(sleeper))
    assert "timer due at " in row and ("(in 1m" in row or "(in 2m" in row)
    row = next(line for line in listed.splitlines() if line.startswith(waiter))
    assert "signal 'approve'" in row
    tree = process(daemon_home, "status", sleeper).stdout
    assert "timer due at " in tree
    shown = process(daemon_home, "show", waiter).stdout
    assert any(
        line.split(None, 2)[:2] == ["waits", "for"] and "signal 'approve'" in line
        for line in shown.splitlines()
    )
    rows = json.loads(process(daemon_home, "list", "--json").stdout)
    by_pid = {row["pid"]: row for row in rows}
    assert by_pid[sleeper]["due"] == client.status(sleeper).due
    assert by_pid[waiter]["signal"] == "approve"
    client.kill(sleeper)
    client.kill(waiter)


def test_run_on_the_daemon_runs_a_function_by_its_module_path(daemon_home):
    args = ["tests.functions:add_and_multiply", "-i", "x=1", "-i", "y=2", "-i", "z=3"]
    done = invoke("run", *args, "--daemon", "--home", str(daemon_home))
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"result": 9}


def test_a_function_with_an_unsupported_signature_is_one_line_and_exit_2():
    failed = invoke("run", "tests.unsupported_signature:total")
    assert failed.exit_code == EXIT_ERROR
    (line,) = failed.stderr.splitlines()
    assert "@prunus.function total: *values is not supported" in line


def test_a_wrong_input_type_of_a_function_names_the_port_and_stores_nothing(tmp_path):
    args = ["tests.functions:add", "-i", "x=1", "-i", 'y="two"']
    failed = invoke("run", *args, "--durable", "--home", str(tmp_path))
    assert failed.exit_code == EXIT_ERROR
    assert failed.stderr.strip() == "Error: Error at port 'y': expected int, got 'two' (type str)"
    listed = invoke("process", "list", "--all", "--json", "--home", str(tmp_path))
    assert json.loads(listed.stdout) == []
