"""``@prunus.function`` without actors: the spec a signature makes, what a call returns,
and nested calls as children of the stepping process (driven by hand, in memory)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import prunus
from prunus import InvalidStateError, PortValidationError, Process, ProcessFailedError
from prunus.engine import FunctionProcess, ProcessDriver, new_process, resolve_process_class
from tests.engine.helpers import step_until_blocked
from tests.functions import (
    CallsInSteps,
    RunsInItsStep,
    add,
    add_and_multiply,
    calls_a_failing_function,
    divide,
    multiply,
)


def error_text(process: Process) -> str:
    """``Type: message`` of the error that made ``process`` EXCEPTED."""
    return ProcessDriver(process).result().exception


def test_a_decorated_function_is_a_process_class_named_by_its_module_and_name():
    assert isinstance(add, type) and issubclass(add, Process)
    assert issubclass(add, FunctionProcess)
    assert add.qualified_name() == "tests.functions:add"
    assert resolve_process_class("tests.functions:add") is add
    assert add.__name__ == "add" and add.__doc__ == "Add two integers."


def test_the_signature_makes_the_input_ports_and_the_return_value_the_result_output():
    spec = divide.spec()
    assert set(spec.inputs) == {"a", "b", "exact"}
    assert spec.inputs["a"].valid_type is int and spec.inputs["a"].required
    assert spec.inputs["b"].default == 3 and not spec.inputs["b"].required
    assert spec.inputs["exact"].default is False
    assert set(spec.outputs) == {"quotient", "remainder"}
    assert set(add.spec().outputs) == {"result"}
    assert add.spec().outputs["result"].valid_type is int


def test_the_docstring_is_the_help_of_the_inputs():
    assert add.spec().get_description()["inputs"]["help"] == "Add two integers."


def test_star_args_and_star_kwargs_are_refused_when_decorating():
    with pytest.raises(TypeError, match=r"\*values is not supported"):

        @prunus.function
        def total(*values):
            return sum(values)

    with pytest.raises(TypeError, match=r"\*\*options is not supported"):

        @prunus.function
        def configure(**options):
            return options


def test_outputs_must_be_a_tuple_of_names():
    with pytest.raises(TypeError, match="tuple of output names"):
        prunus.function(outputs="quotient")


def test_cacheable_and_version_set_the_spec_cache_settings():
    @prunus.function(version="2")
    def versioned(x: int) -> int:
        return x

    @prunus.function(cacheable=True)
    def cached(x: int) -> int:
        return x

    assert versioned.spec().cache_settings.version == "2"
    assert cached.spec().cache_settings.version == "1"
    assert add.spec().cache_settings is None


def test_an_annotation_that_isinstance_cannot_check_accepts_any_value():
    @prunus.function
    def anything(values: list[int], maybe: int | None = None, other: NoSuchName = 1):  # noqa: F821
        return len(values)

    inputs = anything.spec().inputs
    assert inputs["values"].valid_type is None
    assert inputs["maybe"].valid_type == (int, type(None))
    assert inputs["other"].valid_type is None


def test_a_default_of_none_lets_none_through_an_annotated_port():
    @prunus.function
    def optional(x: int = None):  # noqa: RUF013 (what users write)
        return x

    assert new_process(optional, {"x": None}).inputs.x is None


def test_calling_it_from_plain_python_runs_it_and_returns_the_function_value():
    assert add(1, 2) == 3
    assert add(x=1, y=2) == 3
    assert divide(7) == {"quotient": 2, "remainder": 1}
    assert prunus.run(add, x=1, y=2) == {"result": 3}


def test_a_wrong_input_type_is_one_error_naming_the_port():
    with pytest.raises(PortValidationError) as caught:
        add(1, "two")
    assert caught.value.port_path == "y"
    assert "\n" not in str(caught.value)


def test_a_call_that_does_not_fit_the_signature_names_the_function():
    with pytest.raises(TypeError, match=r"tests\.functions:add: too many positional"):
        add(1, 2, 3)


def test_a_function_returning_no_mapping_for_named_outputs_fails_with_the_reason():
    @prunus.function(outputs=("a", "b"))
    def pair(x: int):
        return x

    process = new_process(pair, {"x": 1})
    step_until_blocked(process)
    assert "with outputs=('a', 'b') it must return a mapping" in error_text(process)


def test_nested_calls_in_a_step_are_children_with_deterministic_pids():
    process = new_process(add_and_multiply, {"x": 1, "y": 2, "z": 3}, "p")
    step_until_blocked(process)
    assert process.outputs == {"result": 9}
    status = ProcessDriver(process).status()
    assert status.children == ("p.0", "p.1")
    assert process._prunus.launch_count == 2


def test_a_workchain_step_calls_functions_and_submits_one():
    process = new_process(CallsInSteps, {"x": 3}, "w")
    step_until_blocked(process)
    launches, _ = ProcessDriver(process).take_effects()
    assert [child.pid for child in launches] == ["w.2"]  # w.0, w.1 ran nested
    assert process.ctx.sum == 4 and process.ctx.split == {"quotient": 2, "remainder": 0}


def test_a_failing_nested_call_fails_the_calling_step_with_its_error_text():
    process = new_process(calls_a_failing_function, {"x": 5}, "f")
    step_until_blocked(process)
    assert error_text(process) == (
        "ProcessFailedError: nested call f.0 (tests.functions:fails) failed: ValueError: no good: 5"
    )
    with pytest.raises(ProcessFailedError):
        calls_a_failing_function(5)


@pytest.mark.parametrize("how", ["run", "execute"])
def test_running_a_process_privately_inside_a_step_is_refused_in_one_line(how):
    process = new_process(RunsInItsStep, {"how": how}, "r")
    step_until_blocked(process)
    assert error_text(process).startswith("InvalidStateError: ")
    assert "cannot be used inside a step of process r" in error_text(process)
    assert "@prunus.function" in error_text(process)
    assert "\n" not in error_text(process)


def test_connecting_a_client_inside_a_step_is_refused_before_looking_for_a_daemon():
    process = new_process(RunsInItsStep, {"how": "connect"}, "c")
    step_until_blocked(process)
    assert "Client.connect cannot be used inside a step of process c" in error_text(process)


def test_a_nested_call_outside_a_step_is_an_error():
    from prunus.engine._nested import call_nested

    with pytest.raises(InvalidStateError, match="needs a running step"):
        call_nested(multiply, {"x": 1, "y": 2})


@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-50, 50))
def test_a_nested_workflow_computes_what_the_plain_function_would(x, y, z):
    process = new_process(add_and_multiply, {"x": x, "y": y, "z": z}, "h")
    step_until_blocked(process)
    assert process.outputs == {"result": (x + y) * z}
