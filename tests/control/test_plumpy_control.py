"""plumpy behaviour that crosses the runtime, in both modes (embedded and daemon)."""

from __future__ import annotations

import pytest

from prunus import ProcessFailedError, ProcessState, UnknownProcessError
from tests.modes import eventually, settle
from tests.workflows import (
    Add,
    Fails,
    Hooked,
    KeepsInputsInCtx,
    LocalError,
    MissingOutput,
    TriesToRewriteInputs,
    WaitsForChild,
    WaitsForResume,
)


def test_resume_wakes_a_process_waiting_on_a_plain_wait(client):
    pid = client.submit(WaitsForResume)
    settle(client, pid)
    assert client.status(pid).state is ProcessState.WAITING
    assert client.resume(pid) is True
    result = client.wait(pid, timeout=30)
    assert result.is_finished_ok and result["resumed"] is True
    assert client.resume(pid) is False  # ended: nothing to resume
    with pytest.raises(UnknownProcessError):
        client.resume("nope")


def test_resume_leaves_a_workchain_waiting_for_its_children_alone(client):
    pid = client.submit(WaitsForChild)
    child = f"{pid}.0"
    settle(client, pid)
    eventually(lambda: client.status(child).state is ProcessState.WAITING)
    assert client.resume(pid) is False
    assert client.status(pid).state is ProcessState.WAITING
    assert client.resume(child) is True
    assert client.wait(pid, timeout=30).is_finished_ok
    assert client.report(pid) == ["child resumed: True"]


def test_hooks_and_logger_lines_reach_the_report_in_either_mode(client):
    pid = client.submit(Hooked)
    settle(client, pid)
    client.pause(pid)
    client.play(pid)
    client.resume(pid)
    result = client.wait(pid, timeout=30)
    assert result.is_finished_ok
    assert client.report(pid) == [
        "running in Hooked",
        "hook on_paused None",
        "hook on_playing",
        "WARNING: finishing with done",
    ]


def test_a_missing_required_output_ends_finished_unsuccessful_and_run_returns_the_outputs(
    client,
):
    result = client.wait(client.submit(MissingOutput), timeout=30)
    assert result.state is ProcessState.FINISHED and not result.is_finished_ok
    assert "needed" in result.status and result.exit_code.status == 1
    assert client.run(MissingOutput) == {"given": 1}


def test_the_error_of_an_excepted_process_comes_back_as_its_type_with_its_traceback(client):
    result = client.wait(client.submit(Fails), timeout=30)
    error = result.error()
    assert type(error) is RuntimeError and str(error) == "child failure"
    assert 'raise RuntimeError("child failure")' in error.prunus_traceback
    assert 'raise RuntimeError("child failure")' in client.describe(result.pid)["traceback"]
    assert client.wait(client.submit(Add, a=1)).error() is None


def test_an_error_whose_type_cannot_be_imported_comes_back_as_process_failed_error(client):
    result = client.wait(client.submit(LocalError), timeout=30)
    error = result.error()
    assert isinstance(error, ProcessFailedError)
    assert error.type_name.endswith("LocalError.run.<locals>.Unimportable")
    assert error.error_message == "from a local class"
    assert 'raise Unimportable("from a local class")' in error.traceback


def test_writes_to_inputs_are_refused_in_either_mode(client):
    result = client.wait(client.submit(TriesToRewriteInputs, a=1, sub={"one": 10}), timeout=30)
    assert result.outputs == {"answer": 11, "refused": 2}


def test_after_a_restart_a_waiting_process_can_be_resumed_and_errors_keep_their_type(
    tmp_path, open_runtime
):
    with open_runtime(tmp_path) as client:
        waiting = client.submit(WaitsForResume)
        failed = client.submit(Fails)
        settle(client, waiting)
        client.wait(failed, timeout=30)
    with open_runtime(tmp_path) as client:
        assert client.status(waiting).state is ProcessState.WAITING
        assert client.resume(waiting) is True
        assert client.wait(waiting, timeout=30)["resumed"] is True
        error = client.wait(failed).error()
        assert type(error) is RuntimeError and "child failure" in error.prunus_traceback


def test_inputs_kept_in_ctx_or_emitted_stay_read_only_and_are_stored(tmp_path, open_runtime):
    with open_runtime(tmp_path) as client:
        result = client.wait(client.submit(KeepsInputsInCtx, sub={"one": 1}), timeout=30)
    assert result.is_finished_ok and result["copy"] == {"one": 1}
