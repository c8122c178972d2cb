"""Process semantics on the pure engine: commands, outputs, pause, kill, resume."""

from __future__ import annotations

import pytest

from prunus import (
    Continue,
    ExitCode,
    InvalidStateError,
    Kill,
    KilledError,
    PortValidationError,
    Process,
    ProcessState,
    Stop,
    Wait,
)
from prunus.engine import ProcessDriver
from tests.engine.helpers import step_until_blocked
from tests.workflows import Doubler


class ContinueThenKill(Process):
    def run(self):
        return Continue(self.second, 7, label="seven")

    def second(self, number, label):
        self.report(f"got {number} {label}")
        return Kill("I was killed")


class Waiter(Process):
    def run(self):
        return Wait(self.after, "waiting for a signal")

    def after(self, value=None):
        return Stop(value, True)


def test_a_process_starts_created_and_finishes_with_its_outputs():
    process = Doubler({"x": 4})
    assert process.state is ProcessState.CREATED
    assert step_until_blocked(process) == 1
    assert process.state is ProcessState.FINISHED
    assert process.outputs == {"y": 8}
    assert process.is_successful
    assert process.exit_code.status == 0
    assert process.result() is None


def test_returning_a_plain_value_is_stop_with_that_result():
    class Answer(Process):
        def run(self):
            return 42

    process = Answer()
    step_until_blocked(process)
    assert process.result() == 42
    assert process.is_successful


def test_continue_passes_arguments_to_the_next_step_and_kill_ends_killed():
    process = ContinueThenKill()
    assert step_until_blocked(process) == 2
    assert process.state is ProcessState.KILLED
    assert process.status == "I was killed"
    assert not process.is_successful
    assert process._prunus.reports == ["got 7 seven"]
    with pytest.raises(KilledError, match="I was killed"):
        process.result()


def test_stop_unsuccessful_finishes_with_a_nonzero_exit_code():
    class Failing(Process):
        def run(self):
            return Stop("bad", successful=False)

    process = Failing()
    step_until_blocked(process)
    assert process.state is ProcessState.FINISHED
    assert not process.is_successful
    assert process.exit_code.status != 0
    assert process.result() == "bad"


def test_returning_an_exit_code_finishes_with_it():
    class Coded(Process):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.exit_code(300, "ERROR_NO_LUCK", "no luck this time")

        def run(self):
            return self.exit_codes.ERROR_NO_LUCK

    process = Coded()
    step_until_blocked(process)
    assert process.state is ProcessState.FINISHED
    assert process.exit_code.status == 300
    assert process.exit_code.message == "no luck this time"
    assert process.status == "no luck this time"
    assert not process.is_successful


def test_wait_goes_waiting_and_resume_passes_its_value_to_the_next_step():
    process = Waiter()
    step_until_blocked(process)
    assert process.state is ProcessState.WAITING
    assert process.status == "waiting for a signal"
    process.resume("hello")
    assert process.state is ProcessState.RUNNING
    step_until_blocked(process)
    assert process.state is ProcessState.FINISHED
    assert process.result() == "hello"


def test_resume_of_a_process_that_is_not_waiting_raises():
    process = Doubler({"x": 1})
    with pytest.raises(InvalidStateError, match="CREATED"):
        process.resume()


def test_an_exception_in_a_step_makes_the_process_excepted_with_the_traceback():
    class Broken(Process):
        def run(self):
            raise ZeroDivisionError("boom")

    process = Broken()
    step_until_blocked(process)
    assert process.state is ProcessState.EXCEPTED
    assert isinstance(process.exception(), ZeroDivisionError)
    assert process._prunus.exception == "ZeroDivisionError: boom"
    assert "raise ZeroDivisionError" in process._prunus.traceback
    with pytest.raises(ZeroDivisionError, match="boom"):
        process.result()


def test_out_with_a_wrong_type_fails_the_step_naming_port_and_value():
    class WrongType(Process):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.output("count", valid_type=int)

        def run(self):
            self.out("count", "three")

    process = WrongType()
    step_until_blocked(process)
    assert process.state is ProcessState.EXCEPTED
    assert "count" in str(process.exception())
    assert "'three'" in str(process.exception())


def test_out_on_an_undeclared_port_fails_unless_the_namespace_is_dynamic():
    class Undeclared(Process):
        def run(self):
            self.out("nowhere", 1)

    class Dynamic(Process):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.outputs.dynamic = True

        def run(self):
            self.out("anything.nested", 1)

    bad = Undeclared()
    step_until_blocked(bad)
    assert bad.state is ProcessState.EXCEPTED
    assert "nowhere" in str(bad.exception())
    good = Dynamic()
    step_until_blocked(good)
    assert good.state is ProcessState.FINISHED
    assert good.outputs == {"anything": {"nested": 1}}


def test_nested_outputs_are_stored_as_nested_dicts():
    class Nested(Process):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.output_namespace("out")
            spec.output("out.a", valid_type=int)
            spec.output("out.b", valid_type=str)

        def run(self):
            self.out("out.a", 1)
            self.out("out.b", "two")

    process = Nested()
    step_until_blocked(process)
    assert process.outputs == {"out": {"a": 1, "b": "two"}}


def test_pause_in_a_step_completes_the_step_then_stops_stepping_until_play():
    class PausesItself(Process):
        def run(self):
            self.pause()
            self.report("after pause, same step")
            return Continue(self.next_step)

        def next_step(self):
            self.report("next step")

    process = PausesItself()
    assert step_until_blocked(process) == 1
    assert process.paused and process.state is ProcessState.RUNNING
    assert process._prunus.reports == ["after pause, same step"]
    with pytest.raises(InvalidStateError, match="paused"):
        ProcessDriver(process).step()
    assert process.play()
    step_until_blocked(process)
    assert process.state is ProcessState.FINISHED
    assert process._prunus.reports[-1] == "next step"


def test_kill_called_inside_a_step_takes_effect_after_the_step():
    class KillsItself(Process):
        def run(self):
            self.kill("enough")
            self.report("the step still completes")
            return Continue(self.never)

        def never(self):
            raise AssertionError("must not run")

    process = KillsItself()
    step_until_blocked(process)
    assert process.state is ProcessState.KILLED
    assert process.status == "enough"
    assert process._prunus.reports == ["the step still completes"]


def test_kill_of_a_waiting_or_paused_process_ends_it_at_once():
    waiting = Waiter()
    step_until_blocked(waiting)
    assert waiting.kill("stop waiting")
    assert waiting.state is ProcessState.KILLED
    paused = Doubler({"x": 1})
    paused.pause()
    assert paused.kill()
    assert paused.state is ProcessState.KILLED and not paused.paused


def test_control_of_a_terminated_process_returns_false_and_changes_nothing():
    process = Doubler({"x": 2})
    step_until_blocked(process)
    assert not process.kill()
    assert not process.pause()
    assert not process.play()
    assert process.state is ProcessState.FINISHED
    with pytest.raises(InvalidStateError):
        ProcessDriver(process).step()


def test_a_continue_to_something_that_is_not_a_method_excepts_with_a_reason():
    class Lambda(Process):
        def run(self):
            return Continue(lambda: None)

    process = Lambda()
    step_until_blocked(process)
    assert process.state is ProcessState.EXCEPTED
    assert "method of the process" in str(process.exception())


def test_invalid_inputs_raise_at_construction_with_the_port_path():
    with pytest.raises(PortValidationError, match="'x'") as info:
        Doubler({"x": "four"})
    assert "int" in str(info.value)
    with pytest.raises(PortValidationError, match="'x'"):
        Doubler({})


def test_pids_are_unique_strings_and_can_be_given():
    assert Doubler({"x": 1}).pid != Doubler({"x": 1}).pid
    assert Doubler({"x": 1}, pid="fixed").pid == "fixed"


def test_exit_codes_are_readable_from_class_and_instance():
    class Coded(Process):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.exit_code(400, "ERROR_X", "x went wrong")

    assert Coded.exit_codes.ERROR_X.status == 400
    assert ExitCode(400, "x went wrong", label="ERROR_X") == Coded().exit_codes.ERROR_X


class Inner(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("label", valid_type=str, default="inner")
        spec.output("y", valid_type=int)

    def run(self):
        self.out("y", self.inputs.x * 10)


class Outer(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.expose_inputs(Inner, namespace="inner", exclude=("label",))
        spec.expose_outputs(Inner)
        spec.input("stamp", default=lambda: len(STAMPS))

    def run(self):
        STAMPS.append(self.inputs.stamp)
        inner = Inner(self.exposed_inputs(Inner, namespace="inner"))
        step_until_blocked(inner)  # execute() is refused inside a step
        self.out("y", inner.outputs["y"])


STAMPS: list[int] = []


def test_exposed_inputs_reach_the_child_and_exposed_outputs_are_declared():
    outer = Outer({"inner": {"x": 4}})
    assert outer.exposed_inputs(Inner, namespace="inner") == {"x": 4}
    assert "label" not in Outer.spec().inputs["inner"]
    step_until_blocked(outer)
    assert outer.outputs == {"y": 40}


def test_exposed_inputs_are_validated_with_the_full_nested_path():
    with pytest.raises(PortValidationError, match=r"'inner\.x'") as info:
        Outer({"inner": {"x": "four"}})
    assert "'four'" in str(info.value)


def test_a_callable_default_is_evaluated_at_each_launch():
    STAMPS.clear()
    first = Outer({"inner": {"x": 1}})
    step_until_blocked(first)
    second = Outer({"inner": {"x": 1}})
    assert first.inputs.stamp == 0
    assert second.inputs.stamp == 1


def test_a_process_may_use_the_driver_verbs_as_its_own_step_names():
    class Verbs(Process):
        def run(self):
            return Continue(self.step)

        def step(self):
            return Continue(self.take_effects)

        def take_effects(self):
            return Continue(self.child_finished)

        def child_finished(self):
            self.report("all four ran")

    process = Verbs()
    driver = ProcessDriver(process)
    assert step_until_blocked(process) == 4
    assert driver.status().step == "child_finished"
    assert driver.result().state is ProcessState.FINISHED
    assert driver.take_effects() == ([], ["all four ran"])
