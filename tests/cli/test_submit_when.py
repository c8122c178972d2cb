"""``prunus submit --when``, and how ``process show`` / ``process list`` show a held
process (its condition and each atom's value now)."""

from __future__ import annotations

import json

from prunus import Client, ProcessState
from prunus.cli._errors import EXIT_ERROR
from tests.cli.helpers import invoke
from tests.modes import settle


def test_submit_when_holds_the_process_until_its_condition_holds(daemon_home, tmp_path):
    home = str(daemon_home)
    gate = invoke(
        "submit",
        "tests.conditions.jobs:Job",
        "-i",
        "witness=/dev/null",
        "-i",
        "paused=true",
        "--home",
        home,
    ).stdout.strip()
    with Client.connect(daemon_home) as client:
        settle(client, gate)
        done = client.submit("tests.conditions.jobs:Job", {"witness": "/dev/null"})
        client.wait(done, timeout=30)
    expr = f"{gate}.finished_ok & {done}.completed"
    submitted = invoke(
        "submit", "tests.workflows:Leaf", "-i", "x=5", "--when", expr, "--home", home
    )
    assert submitted.exit_code == 0, submitted.output
    held = submitted.stdout.strip()
    listed = invoke("process", "list", "--home", home)
    [line] = [line for line in listed.stdout.splitlines() if line.startswith(held)]
    assert f"waiting for: {expr}" in line
    shown = invoke("process", "show", held, "--home", home)
    assert shown.exit_code == 0, shown.output
    assert f"Waiting for: {expr}" in shown.stdout
    atoms = dict(
        line.split(None, 1) for line in shown.stdout.splitlines() if line.startswith((gate, done))
    )
    assert atoms == {f"{gate}.finished_ok": "not yet", f"{done}.completed": "holds"}
    as_json = json.loads(invoke("process", "show", held, "--json", "--home", home).stdout)
    assert as_json["when"] == ["&", ["finished_ok", gate], ["completed", done]]
    with Client.connect(daemon_home) as client:
        client.play(gate)
        assert client.wait(held, timeout=30)["y"] == 10


def test_a_malformed_when_or_an_unknown_pid_is_one_line_and_exit_2(daemon_home):
    home = str(daemon_home)
    bad = invoke(
        "submit", "tests.workflows:Leaf", "-i", "x=1", "--when", "abc.done &", "--home", home
    )
    assert bad.exit_code == EXIT_ERROR
    assert bad.stderr.startswith("Error: --when 'abc.done &'") and bad.stderr.count("\n") == 1
    unknown = invoke(
        "submit", "tests.workflows:Leaf", "-i", "x=1", "--when", "abc.completed", "--home", home
    )
    assert unknown.exit_code == EXIT_ERROR
    assert unknown.stderr == "Error: unknown process 'abc' in when=abc.completed\n"
    with Client.connect(daemon_home) as client:
        assert not any(s.state is ProcessState.CREATED for s in client.list())


def test_process_graph_draws_the_when_edges_of_siblings_after_they_ran(tmp_path):
    from tests.conditions.jobs import Siblings
    from tests.ui.test_graph import parse_dot

    home = tmp_path / "home"
    with Client(home) as client:
        pid = client.submit(Siblings, folder=str(tmp_path))
        client.wait(pid, timeout=30)
    drawn = invoke("process", "graph", pid, "--home", str(home))
    assert drawn.exit_code == 0, drawn.output
    _, edges = parse_dot(drawn.stdout)
    labelled = [(a, b, attrs["label"]) for a, b, attrs in edges if "label" in attrs]
    first, second, cleanup = (f"{pid}.{i}" for i in range(3))
    assert labelled == [(first, second, "finished_ok"), (second, cleanup, "completed")]
