"""``@prunus.function`` on real actors, in both modes: submitted like any class,
nested calls as real children of their caller (tree, records, outputs)."""

from __future__ import annotations

import time

import pytest

from prunus import PortValidationError, ProcessState
from prunus.persistence import LmdbStore
from tests.conftest import running_daemon
from tests.functions import (
    CallsInSteps,
    RunsInItsStep,
    add,
    add_and_multiply,
    calls_a_failing_function,
    divide,
    naps_nested,
)


def test_a_function_is_submitted_and_run_like_any_process_class(client):
    assert client.run(add, x=2, y=3) == {"result": 5}
    assert client.run(divide, a=7, exact=False) == {"quotient": 2, "remainder": 1}
    pid = client.submit(add, x=1, y=1)
    assert client.wait(pid)["result"] == 2
    assert client.status(pid).process_class == "tests.functions:add"


def test_nested_calls_are_children_in_the_tree_with_their_own_records(client):
    pid = client.submit(add_and_multiply, x=1, y=2, z=3)
    assert client.wait(pid, timeout=30)["result"] == 9
    assert client.status(pid).children == (f"{pid}.0", f"{pid}.1")
    first, second = client.status(f"{pid}.0"), client.status(f"{pid}.1")
    assert (first.process_class, first.parent, first.state) == (
        "tests.functions:add",
        pid,
        ProcessState.FINISHED,
    )
    assert second.process_class == "tests.functions:multiply"
    assert client.outputs(f"{pid}.0") == {"result": 3}
    assert client.outputs(f"{pid}.1") == {"result": 9}
    assert client.wait(f"{pid}.1")["result"] == 9
    listed = {s.pid for s in client.list()}
    assert {pid, f"{pid}.0", f"{pid}.1"} <= listed


def test_a_workchain_step_calls_functions_and_submits_one_as_a_child(client):
    pid = client.submit(CallsInSteps, x=3)
    assert client.wait(pid, timeout=30)["total"] == 4 + 2 + 40
    assert client.status(pid).children == (f"{pid}.0", f"{pid}.1", f"{pid}.2")
    assert client.outputs(f"{pid}.1") == {"quotient": 2, "remainder": 0}
    assert client.outputs(f"{pid}.2") == {"result": 40}


def test_a_failing_nested_call_is_a_child_excepted_and_fails_its_caller(client):
    pid = client.submit(calls_a_failing_function, x=5)
    result = client.wait(pid, timeout=30)
    assert result.state is ProcessState.EXCEPTED
    assert "nested call" in result.exception and "ValueError: no good: 5" in result.exception
    child = client.wait(f"{pid}.0")
    assert child.state is ProcessState.EXCEPTED and child.exception == "ValueError: no good: 5"


@pytest.mark.parametrize("how", ["run", "execute", "connect"])
def test_a_private_runtime_inside_a_step_is_refused_with_one_line(client, how):
    result = client.wait(client.submit(RunsInItsStep, how=how), timeout=30)
    assert result.state is ProcessState.EXCEPTED
    assert "cannot be used inside a step of process" in result.exception
    assert "\n" not in result.exception


def test_a_wrong_input_type_names_the_port_and_stores_nothing(client):
    before = len(client.list())
    with pytest.raises(PortValidationError) as caught:
        client.submit(add, x=1, y="two")
    assert caught.value.port_path == "y"
    assert len(client.list()) == before


@pytest.mark.slow
def test_time_sleep_in_a_nested_call_holds_only_its_own_host(tmp_path):
    with running_daemon(tmp_path, workers=2):
        from prunus import Client

        with Client.connect(tmp_path) as client:
            sleeper = client.submit(naps_nested, seconds=3.0)
            time.sleep(0.3)  # the sleeper holds one host
            started = time.monotonic()
            assert client.run(add, x=1, y=2) == {"result": 3}
            quick = time.monotonic() - started
            assert client.wait(sleeper, timeout=30)["result"] == 3.0
    assert quick < 2.0, f"a quick process took {quick:.2f}s while a nested call slept"
    with LmdbStore(tmp_path) as store:
        assert store.get_record(f"{sleeper}.0")["parent"] == sleeper
