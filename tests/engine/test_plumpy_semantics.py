"""Where plumpy and prunus meant different things, prunus now means plumpy's (issue 13).

Each test is one behaviour a plumpy workflow relies on, run on the pure engine or
through ``execute()`` (the embedded runtime).
"""

from __future__ import annotations

import pytest

import prunus
from prunus import (
    ClosedError,
    ExitCode,
    InvalidStateError,
    Process,
    ProcessFailedError,
    ProcessState,
    WorkChain,
    if_,
    return_,
)
from prunus.engine import ProcessResult
from prunus.engine._failure import store_error
from prunus.errors import ReadOnlyInputsError
from tests.engine.helpers import step_until_blocked

# ---- 1. inputs are read-only ---------------------------------------------------------


class Rewriter(WorkChain):
    """Tries every way of changing its inputs, then reports what it sees."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("a", valid_type=int)
        spec.input_namespace("sub", dynamic=True)
        spec.output("seen", valid_type=int)
        spec.outline(cls.rewrite, cls.look)

    def rewrite(self):
        attempts = (
            lambda: self.inputs.__setitem__("a", 99),
            lambda: setattr(self.inputs, "a", 99),
            lambda: self.inputs.pop("a"),
            lambda: self.inputs.update(a=99),
            lambda: self.inputs.sub.__setitem__("one", 99),
            lambda: self.inputs.sub.setdefault("new", 1),
            lambda: self.inputs.sub.clear(),
            lambda: self.inputs.__delitem__("sub"),
        )
        self.ctx.refused = []
        for attempt in attempts:
            try:
                attempt()
            except ReadOnlyInputsError as error:
                self.ctx.refused.append(str(error))

    def look(self):
        self.out("seen", self.inputs.a + self.inputs.sub.one)


def test_every_write_to_the_inputs_or_a_nested_namespace_is_refused_naming_the_input():
    wc = Rewriter({"a": 1, "sub": {"one": 10}})
    step_until_blocked(wc)
    assert wc.outputs == {"seen": 11}
    refused = wc.ctx.refused
    assert len(refused) == 8
    assert "cannot change input 'a'" in refused[0]
    assert "cannot change input 'sub.one'" in refused[4]
    assert "'sub.new'" in refused[5]
    # a TypeError, as plumpy's frozen inputs raise
    assert issubclass(ReadOnlyInputsError, TypeError)


def test_read_only_inputs_still_read_compare_and_copy_like_dicts():
    wc = Rewriter({"a": 1, "sub": {"one": 10}})
    assert wc.inputs == {"a": 1, "sub": {"one": 10}}
    copy = dict(wc.inputs)
    copy["a"] = 2
    assert wc.inputs.a == 1 and copy["a"] == 2


# ---- 2. return_(1) and int step results are exit statuses ------------------------------


class Returns(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("how", valid_type=str)
        spec.exit_code(300, "ERROR_DECLARED", "a declared failure")
        spec.outline(
            if_(cls.by_return)(return_(1)),
            if_(cls.by_return_zero)(return_(0)),
            cls.step,
            cls.never,
        )

    def by_return(self):
        return self.inputs.how == "return_(1)"

    def by_return_zero(self):
        return self.inputs.how == "return_(0)"

    def step(self):
        return {"int 2": 2, "int 0": 0, "int 300": 300}.get(self.inputs.how)

    def never(self):
        raise AssertionError("the outline went on after an exit status")


@pytest.mark.parametrize(
    ("how", "status", "successful"),
    [("return_(1)", 1, False), ("return_(0)", 0, True), ("int 2", 2, False), ("int 0", 0, True)],
)
def test_return_with_a_status_and_an_int_from_a_step_end_with_that_exit_status(
    how, status, successful
):
    wc = Returns({"how": how})
    step_until_blocked(wc)
    assert wc.state is ProcessState.FINISHED
    assert wc.exit_code.status == status
    assert wc.is_successful is successful and wc.successful() is successful


def test_an_int_step_result_with_a_declared_status_carries_its_label_and_message():
    wc = Returns({"how": "int 300"})
    step_until_blocked(wc)
    assert wc.exit_code.label == "ERROR_DECLARED"
    assert wc.status == "a declared failure"


def test_return_refuses_what_is_not_an_exit_status_at_definition():
    with pytest.raises(TypeError, match="return_ takes"):
        return_("one")


# ---- 3. a missing required output: FINISHED, unsuccessful, the reason as status -------


class Forgetful(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("result", valid_type=int)
        spec.output("extra", valid_type=int, required=False)

    def run(self):
        self.out("extra", 1)


def test_a_missing_required_output_finishes_unsuccessfully_with_the_reason_as_status():
    process = Forgetful()
    step_until_blocked(process)
    assert process.state is ProcessState.FINISHED
    assert not process.is_successful and process.successful() is False
    assert "result" in process.status and "required" in process.status
    assert process.exit_code.status == 1 and process.exit_code.label == "ERROR_INVALID_OUTPUTS"


def test_execute_and_run_return_the_outputs_of_an_unsuccessful_finish_as_plumpy_does():
    assert Forgetful().execute() == {"extra": 1}
    assert prunus.run(Forgetful) == {"extra": 1}


# ---- 4. execute() on a finished process ------------------------------------------------


def test_execute_on_a_process_that_has_ended_raises_closed_error():
    process = Forgetful()
    process.execute()
    with pytest.raises(ClosedError, match="already ended"):
        process.execute()


# ---- 5. exception() is the exception ---------------------------------------------------


class BadParameter(ValueError):
    pass


class Raises(Process):
    def run(self):
        raise BadParameter("bad parameter", 3)


def test_exception_returns_the_very_exception_object_in_process():
    process = Raises()
    step_until_blocked(process)
    error = process.exception()
    assert type(error) is BadParameter and error.args == ("bad parameter", 3)
    assert Process().exception() is None


def test_an_exception_rebuilt_from_its_record_has_its_type_arguments_and_traceback():
    process = Raises()
    step_until_blocked(process)
    result = ProcessResult.from_data(process._prunus_result().to_data())
    rebuilt = result.error()
    assert type(rebuilt) is BadParameter and rebuilt.args == ("bad parameter", 3)
    assert 'raise BadParameter("bad parameter", 3)' in rebuilt.prunus_traceback


def test_an_exception_whose_type_does_not_import_becomes_process_failed_error():
    stored = store_error(RuntimeError("lost"))
    gone = type(stored)("no_such_module_here:Gone", "it broke", stored.traceback, ("it broke",))
    error = gone.rebuild()
    assert isinstance(error, ProcessFailedError)
    assert error.type_name == "no_such_module_here:Gone"
    assert error.error_message == "it broke"
    assert "RuntimeError" in error.traceback


# ---- 6. pause(msg) sets the status, play restores it -----------------------------------


def test_pause_with_a_message_makes_it_the_status_and_play_restores_the_one_before():
    process = Process()
    process.set_status("working")
    process.pause("for maintenance")
    assert process.paused and process.status == "for maintenance"
    process.play()
    assert not process.paused and process.status == "working"
    process.pause(msg_text="plumpy spelling")
    assert process.status == "plumpy spelling"


def test_kill_takes_plumpys_msg_text_keyword_and_the_message_is_the_kill_message():
    process = Process()
    assert process.kill(msg_text="not needed")
    assert process.killed() and process.killed_msg() == "not needed"
    with pytest.raises(InvalidStateError):
        Process().killed_msg()


# ---- 7. get_description and pre_process -------------------------------------------------


class Described(Process):
    """Adds things up.

    Carefully.
    """

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("a", valid_type=int, default=1)


def test_get_description_has_plumpys_shape_with_the_docstring():
    description = Described.get_description()
    assert description["description"] == "Adds things up.\n\nCarefully."
    assert description["spec"]["inputs"]["ports"]["a"]["default"] is not None
    assert "description" not in Forgetful.get_description()


def test_pre_process_returns_attribute_access_also_in_namespaces():
    spec = Rewriter.spec()
    processed = spec.inputs.pre_process({"a": 1, "sub": {"one": 2}})
    assert processed.a == 1 and processed.sub.one == 2


def test_a_non_bool_condition_warns_as_in_plumpy_and_is_taken_by_its_truth():
    class Stringly(WorkChain):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.outline(if_(cls.cond)(return_(ExitCode(5))))

        def cond(self):
            return "yes"

    wc = Stringly()
    with pytest.warns(UserWarning, match="not bool-like"):
        step_until_blocked(wc)
    assert wc.exit_code.status == 5


def test_exception_after_a_restore_from_a_checkpoint_is_rebuilt_with_its_type():
    from prunus.engine import load_process, save_process

    process = Raises()
    step_until_blocked(process)
    restored = load_process(save_process(process))
    error = restored.exception()
    assert type(error) is BadParameter and error.args == ("bad parameter", 3)
    with pytest.raises(BadParameter):
        restored.result()


def test_execute_returns_the_outputs_of_a_non_zero_exit_status_without_raising():
    process = Returns({"how": "int 2"})
    assert process.execute() == {}
    assert process.exit_code.status == 2 and not process.is_successful
