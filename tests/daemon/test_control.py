"""Control of processes in a daemon: running, waiting, passivated and paused ones,
with and without cascade, answered from the registry when no host holds them."""

from __future__ import annotations

import pytest

from prunus import (
    Client,
    KilledError,
    ProcessClassError,
    ProcessState,
    UnknownProcessError,
)
from prunus.control import daemon_status
from tests.modes import eventually, settle
from tests.workflows import (
    Fails,
    Fanout,
    KillsItself,
    Middle,
    Steps,
    WaitsForever,
    WaitsOnChildren,
    fanout_total,
)


@pytest.fixture
def client(shared_daemon):
    with Client.connect(shared_daemon) as remote:
        yield remote


def test_a_waiting_process_is_passivated_and_still_answers_status(client, shared_daemon):
    pid = client.submit(WaitsForever)
    settle(client, pid)
    status = client.status(pid)
    assert status.state is ProcessState.WAITING and status.status == "waiting for nothing"
    # No host holds it: it is in the store only, yet pause/play/kill work.
    eventually(lambda: daemon_status(shared_daemon)["active"] == 0)
    assert client.pause(pid) and client.status(pid).paused
    assert client.play(pid) and not client.status(pid).paused
    assert client.kill(pid, "enough")
    result = client.wait(pid, timeout=10)
    assert result.state is ProcessState.KILLED and result.status == "enough"


def test_pause_and_play_of_a_running_process_hold_between_steps(client):
    pid = client.submit(Steps, n=40, delay=0.01)
    eventually(lambda: len(client.report(pid)) >= 2)
    assert client.pause(pid)
    done = len(client.report(pid))
    settle(client, pid)
    assert len(client.report(pid)) == done < 40
    assert client.status(pid).paused and client.status(pid).state is ProcessState.RUNNING
    assert client.play(pid)
    assert client.wait(pid, timeout=30)["count"] == 40


def test_pause_cascades_to_waiting_descendants_unless_told_not_to(client):
    # hold: every leaf pauses itself, so the tree cannot end before the pause (however
    # slow the machine); the cascading play at the end releases them.
    pid = client.submit(Fanout, n=3, delay=0.3, hold=True)
    children = [f"{pid}.{i}" for i in range(3)]
    leaves = [f"{child}.0" for child in children]
    # every leaf exists and holds itself: one launched after the cascading play below
    # would hold itself with nobody left to play it
    eventually(
        lambda: (
            {s.pid: s.paused for s in client.list() if s.pid in leaves}
            == dict.fromkeys(leaves, True)
        )
    )
    assert client.pause(pid)
    for child in children:
        assert client.status(child).paused
    assert client.play(pid, cascade=False)
    assert not client.status(pid).paused
    assert all(client.status(child).paused for child in children)
    assert client.play(pid)  # cascades: the children play again
    assert not any(client.status(child).paused for child in children)
    assert client.wait(pid, timeout=30)["total"] == fanout_total(3)


def test_kill_of_a_waiting_tree_is_answered_once_every_descendant_is_dead(client):
    pid = client.submit(WaitsOnChildren)
    tree = [pid, f"{pid}.0", f"{pid}.1", f"{pid}.1.0"]
    eventually(lambda: {s.pid for s in client.list()} >= set(tree))
    settle(client, pid)
    assert client.kill(pid, "cancelled")
    # No wait needed: the answer came after the whole tree had ended.
    assert {client.status(each).state for each in tree} == {ProcessState.KILLED}
    assert client.status(f"{pid}.1.0").status == f"parent {pid} was killed: cancelled"
    assert not client.kill(pid)  # already ended: answered from the registry
    assert not client.pause(pid) and not client.play(pid)


def test_run_raises_killed_error_for_a_process_that_was_killed(client):
    with pytest.raises(KilledError, match="stop here"):
        client.run(KillsItself)


def test_unknown_pids_and_classes_and_failures_are_clear_errors(client):
    for call in (client.status, client.pause, client.play, client.kill, client.outputs):
        with pytest.raises(UnknownProcessError, match="nope"):
            call("nope")
    with pytest.raises(ProcessClassError, match="no_such_module"):
        client.submit("no_such_module:Thing")
    with pytest.raises(ProcessClassError, match="__main__"):
        client.submit("__main__:Thing")
    with pytest.raises(RuntimeError, match="child failure"):  # its own type, rebuilt
        client.run(Fails)
    assert client.run(Middle, x=20) == {"y": 41}


def test_a_kill_right_after_submit_also_ends_children_launched_meanwhile(client):
    # The kill reaches the supervisor before it hears of the children the first step
    # launches; the answer must still wait until those children are dead too.
    for _ in range(10):
        pid = client.submit(WaitsOnChildren)
        assert client.kill(pid, "at once")
        status = client.status(pid)
        assert status.state is ProcessState.KILLED
        for child in status.children:
            assert client.status(child).is_terminal, child


def test_a_passivated_process_is_controlled_without_its_host(tmp_path):
    import os
    import signal

    from tests.conftest import running_daemon

    with running_daemon(tmp_path, workers=1), Client.connect(tmp_path, timeout=5) as client:
        pid = client.submit(WaitsForever)
        settle(client, pid)
        eventually(lambda: daemon_status(tmp_path)["active"] == 0)
        host = daemon_status(tmp_path)["host_pids"][0]
        os.kill(host, signal.SIGSTOP)  # the host cannot answer anything now
        try:
            assert client.pause(pid) and client.status(pid).paused
            assert client.kill(pid, "no host needed")
            assert client.status(pid).state is ProcessState.KILLED
        finally:
            os.kill(host, signal.SIGCONT)
        assert client.wait(pid, timeout=10).status == "no host needed"
