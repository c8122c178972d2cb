"""The Client on real actors, in both modes: launch, wait, control.

Tests taking ``client`` run embedded and against a daemon (tests/conftest.py); the few
that rely on the embedded runtime's single thread (step order seen in ``ORDER``, the
"can never make progress" answer) say so and use ``embedded``.
"""

from __future__ import annotations

import pytest

import prunus
from prunus import (
    Client,
    KilledError,
    PortValidationError,
    ProcessResult,
    ProcessState,
    UnknownProcessError,
    WaitTimeoutError,
)
from tests import workflows
from tests.modes import eventually, settle
from tests.workflows import (
    Add,
    Counter,
    NamesLikeParameters,
    PausesItself,
    WaitsForever,
    WaitsOnChildren,
    WithChildren,
)


@pytest.fixture
def embedded():
    with Client() as c:
        yield c


def test_run_returns_the_outputs_dict():
    assert prunus.run(Add, a=2, b=3) == {"sum": 5}
    assert prunus.run(Add, inputs={"a": 2}) == {"sum": 3}


def test_execute_returns_outputs_and_leaves_the_instance_finished():
    process = Add({"a": 1})
    assert process.execute() == {"sum": 2}
    assert process.state is ProcessState.FINISHED


def test_execute_raises_killed_error_for_a_killed_process():
    class KillsItself(prunus.Process):
        def run(self):
            return prunus.Kill("stop here")

    with pytest.raises(KilledError, match="stop here"):
        KillsItself().execute()


def test_execute_reraises_the_error_of_an_excepted_process():
    with pytest.raises(RuntimeError, match="child failure"):
        workflows.Fails().execute()


def test_invalid_inputs_raise_port_validation_error_naming_the_port(client):
    before = client.list()
    with pytest.raises(PortValidationError, match="'a'"):
        client.submit(Add, a="two")
    with pytest.raises(PortValidationError, match="'a'"):
        prunus.run(Add)
    assert client.list() == before  # nothing was started


def test_wait_returns_the_result_record_even_for_failures(client):
    pid = client.submit(workflows.Fails)
    result = client.wait(pid)
    assert isinstance(result, ProcessResult)
    assert result.state is ProcessState.EXCEPTED
    assert not result.is_finished_ok
    assert "child failure" in result.exception


def test_status_reports_state_pause_message_step_and_children(client):
    pid = client.submit(WithChildren, items=[1, 2])
    client.wait(pid)
    status = client.status(pid)
    assert status.state is ProcessState.FINISHED
    assert status.paused is False
    assert status.step == "collect"
    assert status.children == (f"{pid}.0", f"{pid}.1")
    assert client.outputs(pid) == {"total": 5, "failed": 0}


def test_children_results_reach_ctx_and_a_failing_child_is_visible_to_the_parent(client):
    pid = client.submit(WithChildren, items=[10, 20], include_failure=True)
    result = client.wait(pid)
    assert result.is_finished_ok
    assert result["total"] == 32
    assert result["failed"] == 1
    assert client.status(f"{pid}.2").state is ProcessState.EXCEPTED


def test_a_step_that_pauses_leaves_the_process_paused_until_played(client):
    pid = client.submit(PausesItself)
    settle(client, pid)
    status = client.status(pid)
    assert status.paused and status.state is ProcessState.RUNNING
    assert client.outputs(pid) == {}
    assert client.play(pid)
    assert client.wait(pid)["done"] is True


def test_two_workchains_submitted_together_interleave_their_slices(embedded):
    # A host runs a few milliseconds of steps per slice (not one step): with steps of
    # 4 ms a slice holds one or two, so neither workchain finishes within a slice.
    workflows.ORDER.clear()
    first = embedded.submit(Counter, name="a", n=8, delay=0.004)
    second = embedded.submit(Counter, name="b", n=8, delay=0.004)
    embedded.wait(first)
    embedded.wait(second)
    order = workflows.ORDER
    assert [x for x in order if x.startswith("a")] == [f"a:{i}" for i in range(1, 9)]
    assert [x for x in order if x.startswith("b")] == [f"b:{i}" for i in range(1, 9)]
    # Neither runs to its end before the other has started: steps interleave.
    assert order.index("b:1") < order.index("a:8")
    assert order.index("a:8") < order.index("b:8")


def test_while_one_workchain_waits_on_a_child_the_other_makes_progress(client):
    waiting = client.submit(workflows.WaitsOnPausedChild)
    counting = client.submit(Counter, name="c", n=5)
    assert client.wait(counting)["count"] == 5
    assert client.report(counting) == [f"c:{i}" for i in range(1, 6)]
    child = f"{waiting}.0"
    eventually(lambda: any(s.pid == child and s.paused for s in client.list()))
    assert client.status(waiting).state is ProcessState.WAITING
    client.play(child)
    assert client.wait(waiting)["child_done"] is True


def test_pause_from_the_client_stops_a_running_workchain_between_steps(client):
    pid = client.submit(Counter, name="p", n=50, delay=0.005)
    assert client.pause(pid)
    steps_when_paused = len(client.report(pid))
    assert client.status(pid).paused
    settle(client, pid)
    assert steps_when_paused < 50
    assert len(client.report(pid)) == steps_when_paused
    client.play(pid)
    assert client.wait(pid)["count"] == 50
    assert client.report(pid) == [f"p:{i}" for i in range(1, 51)]


def test_kill_of_a_paused_process_ends_it_killed(client):
    pid = client.submit(PausesItself)
    client.status(pid)
    assert client.kill(pid, "no longer needed")
    result = client.wait(pid)
    assert result.state is ProcessState.KILLED
    assert result.status == "no longer needed"
    assert not client.play(pid)


def test_kill_while_waiting_cascades_to_every_descendant(client):
    pid = client.submit(WaitsOnChildren)
    settle(client, pid)
    assert client.status(pid).state is ProcessState.WAITING
    assert client.kill(pid, "cancelled")
    for descendant in (f"{pid}.0", f"{pid}.1", f"{pid}.1.0"):
        client.wait(descendant, timeout=10)
    states = {s.pid: s.state for s in client.list() if s.pid.startswith(pid)}
    assert states == {
        pid: ProcessState.KILLED,
        f"{pid}.0": ProcessState.KILLED,
        f"{pid}.1": ProcessState.KILLED,
        f"{pid}.1.0": ProcessState.KILLED,
    }
    assert "parent" in client.status(f"{pid}.1.0").status
    assert client.status(pid).status == "cancelled"


def test_kill_of_a_finished_process_returns_false(client):
    pid = client.submit(Add, a=1)
    client.wait(pid)
    assert not client.kill(pid)
    assert client.status(pid).state is ProcessState.FINISHED


def test_a_process_that_can_never_finish_is_reported_not_waited_on_forever(embedded):
    pid = embedded.submit(WaitsForever)
    with pytest.raises(WaitTimeoutError, match="cannot make progress"):
        embedded.wait(pid)
    assert embedded.status(pid).status == "waiting for nothing"


def test_wait_with_a_timeout_gives_up_between_steps(client):
    import time

    pid = client.submit(workflows.Slow)
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError, match="did not end within"):
        client.wait(pid, timeout=0.1)
    assert time.monotonic() - started < 1.5
    assert client.status(pid).state is ProcessState.RUNNING


def test_unknown_pids_raise_unknown_process_error(client):
    for call in (
        client.status,
        client.pause,
        client.play,
        client.kill,
        client.wait,
        client.report,
        client.outputs,
    ):
        with pytest.raises(UnknownProcessError, match="nope"):
            call("nope")


def test_reports_are_kept_per_process(client):
    pid = client.submit(Add, a=4, b=5)
    client.wait(pid)
    assert client.report(pid) == ["adding 4 and 5"]


def test_list_shows_every_process_with_its_state(client):
    pids = [client.submit(Add, a=i) for i in range(3)]
    for pid in pids:
        client.wait(pid)
    listed = {s.pid: s.state for s in client.list() if s.pid in pids}
    assert listed == {pid: ProcessState.FINISHED for pid in pids}


def test_a_step_running_another_process_privately_fails_with_one_line_saying_what_to_do():
    class RunsNested(prunus.Process):
        def run(self):
            prunus.run(Add, a=40, b=2)  # a private runtime: refused (issue 15)

    with pytest.raises(prunus.InvalidStateError) as caught:
        prunus.run(RunsNested)
    message = str(caught.value)
    assert "prunus.run cannot be used inside a step of process" in message
    assert "@prunus.function" in message and "\n" not in message


def test_a_closed_client_refuses_further_calls():
    client = Client()
    client.close()
    with pytest.raises(prunus.ClosedError):
        client.submit(Add, a=1)


def test_inputs_may_be_named_like_the_launch_parameters(client):
    assert prunus.run(NamesLikeParameters, inputs=1, process=True) == {"seen": [True, 1, ""]}
    assert client.run(NamesLikeParameters, process=True, process_class="x") == {
        "seen": [True, 0, "x"]
    }
    pid = client.submit(NamesLikeParameters, inputs=7)
    assert client.wait(pid)["seen"] == [False, 7, ""]
    # Where no port is named "inputs", inputs={...} is the mapping of inputs (plumpy style).
    assert client.wait(client.submit(Add, inputs={"a": 1}))["sum"] == 2


def test_children_may_have_inputs_named_like_the_launch_parameters(client):
    assert client.run(workflows.ParentOfNamesLikeParameters) == {"seen": [False, 2, ""]}


def test_register_type_is_public_as_the_error_messages_say():
    assert prunus.register_type is prunus.persistence.register_type


def test_describe_gives_inputs_outputs_times_and_children(client):
    pid = client.submit(WithChildren, items=[1, 2])
    client.wait(pid)
    details = client.describe(pid)
    assert details["inputs"] == {"items": [1, 2], "include_failure": False}
    assert details["outputs"] == {"total": 5, "failed": 0}
    assert details["state"] == "FINISHED" and details["exception"] is None
    assert details["children"] == [f"{pid}.0", f"{pid}.1"]
    assert details["created"] <= details["modified"]
    assert client.status(pid).created == details["created"]
    with pytest.raises(UnknownProcessError):
        client.describe("nope")


def test_submit_many_and_wait_many_keep_the_order(client):
    pids = client.submit_many([(Add, {"a": i}) for i in range(20)])
    assert len(set(pids)) == 20
    results = client.wait_many(pids)
    assert [r["sum"] for r in results] == [i + 1 for i in range(20)]


def test_submit_many_starts_nothing_if_one_item_is_invalid(client):
    before = client.list()
    with pytest.raises(PortValidationError, match="'a'"):
        client.submit_many([(Add, {"a": 1}), (Add, {"a": "two"})])
    assert client.list() == before
