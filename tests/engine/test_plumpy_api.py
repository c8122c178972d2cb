"""The plumpy API a ported workflow calls, on the pure engine and the embedded runtime."""

from __future__ import annotations

import logging

import pytest

import prunus
from prunus import (
    Client,
    InvalidStateError,
    PortValidationError,
    Process,
    ProcessSpec,
    ProcessState,
    Stop,
)
from prunus.engine import UnsuccessfulResult
from tests.engine.helpers import step_until_blocked


class WithDefaults(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("a", valid_type=int)
        spec.input("b", valid_type=int, default=2)
        spec.input_namespace("opts")
        spec.input("opts.level", valid_type=int, default=3)
        spec.input("opts.name", valid_type=str, required=False)


def test_raw_inputs_are_the_inputs_as_given_and_inputs_have_the_defaults():
    process = WithDefaults({"a": 1, "opts": {"name": "x"}})
    assert process.raw_inputs == {"a": 1, "opts": {"name": "x"}}
    assert process.inputs == {"a": 1, "b": 2, "opts": {"level": 3, "name": "x"}}
    with pytest.raises(TypeError):
        process.raw_inputs["a"] = 5


def test_state_questions_answer_as_plumpys_do():
    class Fails(Process):
        def run(self):
            raise KeyError("k")

    failed = Fails()
    step_until_blocked(failed)
    assert failed.is_excepted and not failed.killed() and not failed.is_successful
    with pytest.raises(InvalidStateError, match="not FINISHED"):
        failed.successful()
    with pytest.raises(InvalidStateError, match="not been killed"):
        failed.killed_msg()

    class Unsuccessful(Process):
        def run(self):
            return UnsuccessfulResult(7)

    process = Unsuccessful()
    step_until_blocked(process)
    assert process.state is ProcessState.FINISHED and process.successful() is False
    assert process.result() == 7


class Logs(Process):
    def run(self):
        self.logger.info("starting %s", "now")
        self.logger.debug("not reported")
        self.logger.warning("careful")
        self.set_status("half way")
        return Stop(self.status)


def test_logger_lines_go_to_python_logging_and_to_the_process_report(caplog):
    with caplog.at_level(logging.INFO, logger="prunus.process"), Client() as client:
        pid = client.submit(Logs)
        result = client.wait(pid)
        assert client.report(pid) == ["starting now", "WARNING: careful"]
    assert "starting now" in caplog.text
    assert result.is_finished_ok


def test_set_status_is_the_status_until_something_else_sets_it():
    process = Logs()
    step_until_blocked(process)
    assert process.result() == "half way"


@prunus.function
def current_pid() -> str:
    return Process.current().pid


def test_current_is_the_process_whose_step_runs_also_in_nested_calls():
    assert Process.current() is None

    class Nested(Process):
        def run(self):
            before = Process.current()
            inner = current_pid()  # a nested call: execute() is refused inside a step
            return Stop((before is self, inner == f"{self.pid}.0", Process.current() is self))

    process = Nested()
    process.execute()
    assert process.result() == (True, True, True)
    assert Process.current() is None


def test_spec_names_and_port_validation_error_port_are_plumpys():
    assert ProcessSpec.NAME_INPUTS_PORT_NAMESPACE == "inputs"
    assert ProcessSpec.NAME_OUTPUTS_PORT_NAMESPACE == "outputs"
    with pytest.raises(PortValidationError) as info:
        WithDefaults({"a": 1, "opts": {"level": "high"}})
    assert info.value.port == "opts.level"
    assert "expected int" in info.value.message
