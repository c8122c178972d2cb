"""``prunus process ...`` through click's runner, against a real daemon of this module."""

from __future__ import annotations

import json
import time

import pytest

from prunus import Client
from prunus.cli._errors import EXIT_ERROR, EXIT_PROCESS_FAILED
from tests.cli.helpers import invoke


@pytest.fixture(scope="module")
def client(daemon_home):
    with Client.connect(daemon_home) as connected:
        yield connected


def process(daemon_home, *args, input=None):
    return invoke("process", *args, "--home", str(daemon_home), input=input)


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def held_fanout(client, n=2):
    """A Fanout whose leaves pause themselves: it stays WAITING until they are played."""
    pid = client.submit("tests.workflows:Fanout", {"n": n, "hold": True})
    wait_until(lambda: len(_leaves(client, pid)) == n and all(_leaves(client, pid)))
    return pid


def _leaves(client, pid):
    return [
        client.status(middle.children[0]).paused
        for middle in map(client.status, client.status(pid).children)
        if middle.children
    ]


def test_list_shows_unfinished_processes_unless_all(daemon_home, client):
    done = client.submit("tests.workflows:Leaf", {"x": 1})
    client.wait(done, timeout=10)
    live = client.submit("tests.workflows:WaitsForever")
    wait_until(lambda: client.status(live).state.name == "WAITING")
    shown = process(daemon_home, "list")
    assert shown.exit_code == 0, shown.output
    assert live in shown.stdout and done not in shown.stdout
    assert "ended ones hidden: --all shows them" in shown.stdout
    header = shown.stdout.splitlines()[0].split()
    assert header == ["PID", "CLASS", "STATE", "STEP", "AGE", "STATUS"]
    assert done in process(daemon_home, "list", "--all").stdout
    rows = json.loads(process(daemon_home, "list", "--all", "--json").stdout)
    by_pid = {row["pid"]: row for row in rows}
    assert by_pid[done]["state"] == "FINISHED" and by_pid[live]["state"] == "WAITING"
    assert by_pid[live]["process_class"] == "tests.workflows:WaitsForever"
    client.kill(live)


def test_list_filters_by_state_paused_age_and_count(daemon_home, client):
    held = client.submit("tests.workflows:Leaf", {"x": 1, "hold": True})
    wait_until(lambda: client.status(held).paused)
    finished = client.submit("tests.workflows:Leaf", {"x": 2})
    client.wait(finished, timeout=10)

    def pids(*args):
        result = process(daemon_home, "list", "--json", *args)
        assert result.exit_code == 0, result.output
        return [row["pid"] for row in json.loads(result.stdout)]

    assert held in pids("--paused") and finished not in pids("--paused")
    assert finished in pids("--state", "finished") and held not in pids("-S", "FINISHED")
    assert held in pids("-S", "running", "-S", "created", "-S", "waiting")
    assert pids("--all", "--limit", "1") == [finished]  # the newest
    assert pids("--all", "--since", "1h")[-2:] == [held, finished]
    time.sleep(1.1)
    assert pids("--all", "--since", "1s") == []
    bad = process(daemon_home, "list", "--state", "sleeping")
    assert bad.exit_code == EXIT_ERROR
    assert "unknown state 'sleeping' (one of created, running" in bad.stderr
    assert process(daemon_home, "list", "--since", "soon").exit_code == EXIT_ERROR
    client.kill(held)


def test_status_shows_the_tree_with_children_indented(daemon_home, client):
    pid = held_fanout(client)
    result = process(daemon_home, "status", pid)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{pid}  Fanout  WAITING  step launch")
    assert lines[1].startswith(f"  {pid}.0  Middle  WAITING")
    assert lines[2].startswith(f"    {pid}.0.0  Leaf  ")
    assert "(paused)" in lines[2]
    assert len(lines) == 5
    tree = json.loads(process(daemon_home, "status", pid, "--json").stdout)
    assert tree["pid"] == pid and tree["state"] == "WAITING"
    assert [child["pid"] for child in tree["children"]] == [f"{pid}.0", f"{pid}.1"]
    assert tree["children"][1]["children"][0]["paused"] is True
    client.kill(pid)


def test_pause_and_play_cascade_unless_no_cascade(daemon_home, client):
    pid = client.submit("tests.workflows:Fanout", {"n": 1, "hold": True})
    leaf = f"{pid}.0.0"
    wait_until(lambda: client.status(pid).children and client.status(f"{pid}.0").children)
    wait_until(lambda: client.status(leaf).paused)
    paused = process(daemon_home, "pause", pid)
    assert paused.exit_code == 0 and paused.stdout == f"paused {pid}\n"
    assert client.status(f"{pid}.0").paused  # cascaded
    played = process(daemon_home, "play", pid, "--no-cascade")
    assert played.stdout == f"played {pid}\n"
    assert not client.status(pid).paused and client.status(f"{pid}.0").paused
    assert process(daemon_home, "play", pid).exit_code == 0
    assert client.wait(pid, timeout=10)["total"] == 1
    ended = process(daemon_home, "pause", pid)
    assert ended.stdout == f"{pid} had ended\n"


def test_kill_kills_the_tree_and_says_so_per_pid(daemon_home, client):
    first, second = held_fanout(client), held_fanout(client)
    result = process(daemon_home, "kill", first, second, "-m", "enough")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"killed {first}\nkilled {second}\n"
    for pid in (first, second, f"{first}.1.0"):
        assert client.status(pid).state.name == "KILLED"
    again = process(daemon_home, "kill", first)
    assert again.stdout == f"{first} had already ended\n"


def test_all_acts_on_every_unfinished_process_tree(daemon_home, client):
    first, second = held_fanout(client), held_fanout(client)
    refused = process(daemon_home, "kill", "--all", input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    assert client.status(first).state.name == "WAITING"
    paused = process(daemon_home, "pause", "--all")
    assert f"paused {first}\n" in paused.stdout and f"paused {second}\n" in paused.stdout
    assert f"paused {first}.0\n" not in paused.stdout  # tops only: the pause cascades
    killed = process(daemon_home, "kill", "--all", "--yes")
    assert killed.exit_code == 0, killed.output
    assert f"killed {first}\n" in killed.stdout and f"killed {second}\n" in killed.stdout
    assert all(status.state.is_terminal for status in client.list())
    assert process(daemon_home, "play", "--all").stdout == (
        "no process has to be acted on: none is running\n"
    )
    usage = process(daemon_home, "kill")
    assert usage.exit_code == EXIT_ERROR and "give at least one PID, or --all" in usage.stderr


def test_an_unknown_pid_is_one_line_and_the_others_are_still_acted_on(daemon_home, client):
    pid = held_fanout(client, n=1)
    for verb in ("show", "status", "report", "outputs", "watch"):
        result = process(daemon_home, verb, "nosuchpid")
        assert result.exit_code == EXIT_ERROR, verb
        assert result.stderr == "Error: unknown process 'nosuchpid'\n", verb
    result = process(daemon_home, "kill", "nosuchpid", pid)
    assert result.exit_code == EXIT_ERROR
    assert result.stdout == f"killed {pid}\n"
    assert result.stderr == "Error: unknown process 'nosuchpid'\nError: 1 of 2 pids unknown\n"


def test_report_merges_the_lines_of_the_tree_in_time_order_indented(daemon_home, client):
    pid = client.submit("tests.workflows:WithChildren", {"items": [1, 2]})
    client.wait(pid, timeout=10)
    result = process(daemon_home, "report", pid)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert {line.split("  ", 1)[1] for line in lines} == {
        f"  [{pid}.0 Add] adding 1 and 1",
        f"  [{pid}.1 Add] adding 2 and 1",
    }
    own = process(daemon_home, "report", pid, "--no-children")
    assert own.stdout == f"process {pid} has logged nothing\n"
    rows = json.loads(process(daemon_home, "report", pid, "--json").stdout)
    assert [row["depth"] for row in rows] == [1, 1]
    assert sorted(row["line"] for row in rows) == ["adding 1 and 1", "adding 2 and 1"]
    assert rows[0]["time"] <= rows[1]["time"]


def test_show_gives_state_exit_code_timings_inputs_outputs_children_and_spec(daemon_home, client):
    pid = client.submit("tests.workflows:Fanout", {"n": 2})
    client.wait(pid, timeout=10)
    result = process(daemon_home, "show", pid)
    assert result.exit_code == 0, result.output
    text = result.stdout
    for expected in (
        f"pid        {pid}",
        "class      tests.workflows:Fanout",
        "state      FINISHED",
        "exit code  0",
        "duration   ",
        "Inputs:\n  n      2\n  delay  0.0\n  hold   false",
        "Outputs:\n  total  4",
        f"{pid}.1  Middle  FINISHED",
        "inputs.delay   float  no        0.0",
        "outputs.total  int    yes",
    ):
        assert expected in text, expected
    data = json.loads(process(daemon_home, "show", pid, "--json").stdout)
    assert data["state"] == "FINISHED" and data["outputs"] == {"total": 4}
    assert data["children"] == [f"{pid}.0", f"{pid}.1"]
    assert data["spec"]["inputs"]["ports"]["n"]["valid_type"] == "int"
    assert data["modified"] >= data["created"]


def test_show_of_a_failed_process_gives_its_exception_and_outputs_gives_its_outputs(
    daemon_home, client
):
    failed = client.submit("tests.workflows:Fails")
    client.wait(failed, timeout=10)
    shown = process(daemon_home, "show", failed).stdout
    assert "state      EXCEPTED" in shown and "RuntimeError: child failure" in shown
    pid = client.submit("tests.workflows:Leaf", {"x": 21})
    client.wait(pid, timeout=10)
    assert process(daemon_home, "outputs", pid).stdout == "y  42\n"
    assert json.loads(process(daemon_home, "outputs", pid, "--json").stdout) == {"y": 42}
    assert (
        process(daemon_home, "outputs", failed).stdout == f"process {failed} has no outputs (yet)\n"
    )


def test_watch_follows_until_the_end_and_exits_by_how_it_ended(daemon_home, client):
    pid = client.submit("tests.workflows:Steps", {"n": 3, "delay": 0.1})
    result = process(daemon_home, "watch", pid, "--interval", "0.1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.rpartition("| ")[2] for line in lines if "| " in line] == [
        "step 1",
        "step 2",
        "step 3",
    ]
    assert lines[-1] == f"process {pid} ended FINISHED"
    failed = client.submit("tests.workflows:Fails")
    watched = process(daemon_home, "watch", failed, "--json")
    assert watched.exit_code == EXIT_PROCESS_FAILED
    events = [json.loads(line) for line in watched.stdout.splitlines()]
    assert events[-1]["event"] == "end" and events[-1]["state"] == "EXCEPTED"
    assert {event["event"] for event in events} <= {"state", "report", "end"}
    assert "child failure" in watched.stderr


def test_watch_gives_up_after_max_wait_and_the_process_goes_on(daemon_home, client):
    pid = client.submit("tests.workflows:WaitsForever")
    result = process(daemon_home, "watch", pid, "--max-wait", "0.3", "--interval", "0.1")
    assert result.exit_code == 4
    assert result.stderr == f"Error: process {pid} did not end within 0.3 s\n"
    assert client.status(pid).state.name == "WAITING"
    client.kill(pid)


def test_a_kill_not_answered_in_time_exits_4_and_still_happens(daemon_home, client):
    pid = client.submit("tests.workflows:Middle", {"x": 1, "delay": 1.5})
    wait_until(lambda: client.status(pid).state.name == "WAITING")  # its leaf is sleeping
    result = process(daemon_home, "kill", pid, "--timeout", "0.3")
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {pid} not killed within 0.3 s: steps in progress finish first; the request "
        f"stands (see prunus process status {pid}, or give --timeout)\n"
    )
    assert client.wait(pid, timeout=10).state.name == "KILLED"
