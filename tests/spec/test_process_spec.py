from __future__ import annotations

import json

import pytest

from prunus.spec import InputPort, OutputPort, PortNamespace, ProcessSpec


def _stand_in(build_spec, name="Child", module=__name__):
    """A class with the ``spec()`` classmethod the engine gives process classes."""
    spec = ProcessSpec()
    build_spec(spec)
    spec.seal()
    return type(name, (), {"spec": classmethod(lambda cls: spec), "__module__": module})


def _child_spec(spec):
    def structure_present(values, namespace):
        return None if "structure" in values else "needs a structure"

    spec.inputs.validator = structure_present
    spec.input("structure", valid_type=str)
    spec.input("params.cutoff", valid_type=int)
    spec.input("params.mode", valid_type=str, default="fast")
    spec.input("code", valid_type=str, required=False)
    spec.output("energy", valid_type=float)
    spec.output("forces", valid_type=list, required=False)


Child = _stand_in(_child_spec)


# -- declaring ------------------------------------------------------------------------


def test_dotted_input_name_creates_the_namespace_implicitly():
    spec = ProcessSpec()

    port = spec.input("input2.input2a", valid_type=int)

    assert isinstance(spec.inputs["input2"], PortNamespace)
    assert spec.inputs["input2"]["input2a"] is port
    assert isinstance(port, InputPort)


def test_output_declares_output_ports_in_the_output_namespace():
    spec = ProcessSpec()

    port = spec.output("result.value", valid_type=int)

    assert isinstance(port, OutputPort)
    assert spec.has_output("result.value")
    assert not spec.has_input("result")


def test_has_input_answers_for_direct_and_dotted_names():
    spec = ProcessSpec()
    spec.input("a.b")

    assert spec.has_input("a")
    assert spec.has_input("a.b")
    assert not spec.has_input("b")


def test_declaring_an_input_again_replaces_it_so_subclasses_can_override():
    spec = ProcessSpec()
    spec.input("x", valid_type=int)

    spec.input("x", valid_type=int, default=3)

    assert spec.inputs["x"].default == 3


def test_input_namespace_passes_its_options_to_the_namespace():
    spec = ProcessSpec()

    namespace = spec.input_namespace("extras.more", valid_type=int, required=False)

    assert spec.inputs.get_port("extras.more") is namespace
    assert namespace.dynamic and not namespace.required
    assert isinstance(spec.output_namespace("out", dynamic=True), PortNamespace)
    assert spec.outputs["out"].dynamic


def test_root_namespaces_can_be_made_dynamic():
    spec = ProcessSpec()
    spec.inputs.dynamic = True

    assert spec.validate_inputs({"anything": 1}) is None


def test_a_subclass_uses_its_own_port_types():
    class TaggedInput(InputPort):
        pass

    class TaggedSpec(ProcessSpec):
        INPUT_PORT_TYPE = TaggedInput

    spec = TaggedSpec()

    assert isinstance(spec.input("x"), TaggedInput)
    assert type(spec.input("ns.y")) is TaggedInput


def test_a_subclass_guards_its_own_declarations_with_check_open():
    class StepsSpec(ProcessSpec):
        def steps(self, *names):
            self._check_open()
            self.names = names

    spec = StepsSpec()
    spec.steps("a")
    spec.seal()

    with pytest.raises(RuntimeError, match="spec is sealed"):
        spec.steps("b")


# -- sealing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "declare",
    [
        lambda spec: spec.input("x"),
        lambda spec: spec.output("x"),
        lambda spec: spec.input_namespace("x"),
        lambda spec: spec.output_namespace("x"),
        lambda spec: spec.exit_code(300, "ERROR_X", "m"),
        lambda spec: spec.expose_inputs(Child),
        lambda spec: spec.expose_outputs(Child),
    ],
)
def test_a_sealed_spec_refuses_every_declaration(declare):
    spec = ProcessSpec()
    spec.seal()

    with pytest.raises(RuntimeError, match="spec is sealed"):
        declare(spec)
    assert len(spec.inputs) == len(spec.outputs) == len(spec.exit_codes) == 0


def test_a_sealed_spec_still_validates():
    spec = ProcessSpec()
    spec.input("x", valid_type=int)
    spec.seal()

    assert spec.sealed
    assert spec.validate_inputs({"x": 1}) is None


# -- exposing -------------------------------------------------------------------------


def test_expose_inputs_into_a_namespace_copies_the_ports_and_records_their_names():
    spec = ProcessSpec()

    spec.expose_inputs(Child, namespace="child")

    assert spec.has_input("child.params.cutoff")
    assert spec.exposed_input_names(Child, namespace="child") == [
        "structure",
        "params",
        "code",
    ]
    assert spec.exposed_input_names(Child) == []


def test_errors_in_exposed_inputs_name_the_path_through_the_new_namespace():
    spec = ProcessSpec()
    spec.expose_inputs(Child, namespace="child")

    inputs = spec.pre_process_inputs({"child": {"structure": "s", "params": {"cutoff": "x"}}})
    error = spec.validate_inputs(inputs)

    assert inputs["child"]["params"]["mode"] == "fast"
    assert str(error) == "Error at port 'child.params.cutoff': expected int, got 'x' (type str)"


def test_exposing_into_a_namespace_carries_the_childs_namespace_validator():
    spec = ProcessSpec()
    spec.expose_inputs(Child, namespace="child")

    error = spec.validate_inputs({"child": {"params": {"cutoff": 1}}})

    assert error.port_path == "child.structure"
    spec.inputs["child"]["structure"].required = False
    error = spec.validate_inputs({"child": {"params": {"cutoff": 1}}})
    assert str(error) == "Error at port 'child': needs a structure"


def test_exposing_into_the_root_keeps_the_parents_own_root_properties():
    def parent_rule(values, namespace):
        return None

    spec = ProcessSpec()
    spec.inputs.validator = parent_rule
    spec.inputs.dynamic = True

    spec.expose_inputs(Child)

    assert spec.inputs.validator is parent_rule
    assert spec.inputs.dynamic
    assert spec.exposed_input_names(Child) == ["structure", "params", "code"]


def test_namespace_options_set_the_properties_of_the_receiving_namespace():
    spec = ProcessSpec()

    spec.expose_inputs(
        Child, namespace="child", namespace_options={"required": False, "help": "opt"}
    )

    assert spec.inputs["child"].help == "opt"
    assert spec.validate_inputs({}) is None


def test_expose_inputs_honours_exclude_and_include():
    spec = ProcessSpec()

    spec.expose_inputs(Child, namespace="a", exclude=["code", "params.mode"])
    spec.expose_inputs(Child, namespace="b", include=["params.cutoff"])

    assert list(spec.inputs["a"]) == ["structure", "params"]
    assert list(spec.inputs["a"]["params"]) == ["cutoff"]
    assert list(spec.inputs["b"]) == ["params"]
    assert spec.exposed_input_names(Child, "b") == ["params"]


def test_expose_with_both_include_and_exclude_is_refused_before_changing_the_spec():
    spec = ProcessSpec()

    with pytest.raises(ValueError, match="mutually exclusive"):
        spec.expose_inputs(Child, namespace="child", exclude=["a"], include=["b"])
    assert "child" not in spec.inputs


def test_exposing_one_class_twice_into_one_namespace_adds_up_the_names():
    spec = ProcessSpec()

    spec.expose_inputs(Child, include=["structure"])
    spec.expose_inputs(Child, include=["code", "structure"])

    assert spec.exposed_input_names(Child) == ["structure", "code"]


def test_exposed_ports_are_copies_of_the_childs():
    spec = ProcessSpec()
    spec.expose_inputs(Child, namespace="child")

    spec.inputs["child"]["params"]["mode"].default = "slow"

    assert Child.spec().inputs["params"]["mode"].default == "fast"


def test_exposed_names_are_recorded_per_class_by_module_and_qualified_name():
    Twin = _stand_in(_child_spec, name="Child", module="elsewhere")
    spec = ProcessSpec()

    spec.expose_inputs(Child, include=["structure"])
    spec.expose_inputs(Twin, include=["code"])

    assert spec.exposed_input_names(Child) == ["structure"]
    assert spec.exposed_input_names(Twin) == ["code"]


def test_exposed_name_lists_are_copies():
    spec = ProcessSpec()
    spec.expose_inputs(Child)

    spec.exposed_input_names(Child).append("junk")

    assert "junk" not in spec.exposed_input_names(Child)


def test_expose_outputs_copies_output_ports_and_records_them():
    spec = ProcessSpec()

    spec.expose_outputs(Child, namespace="child")

    assert spec.has_output("child.energy")
    assert spec.exposed_output_names(Child, "child") == ["energy", "forces"]
    assert spec.exposed_input_names(Child, "child") == []
    error = spec.validate_outputs({"child": {"energy": 1}})
    assert str(error) == "Error at port 'child.energy': expected float, got 1 (type int)"


# -- using ----------------------------------------------------------------------------


def test_pre_process_then_validate_a_good_launch():
    spec = Child.spec()

    inputs = spec.pre_process_inputs({"structure": "s", "params": {"cutoff": 3}})

    assert inputs == {"structure": "s", "params": {"cutoff": 3, "mode": "fast"}}
    assert spec.validate_inputs(inputs) is None


def test_missing_required_input_names_the_full_port_path():
    error = Child.spec().validate_inputs({"structure": "s", "params": {}})

    assert str(error) == "Error at port 'params.cutoff': required value was not provided"


def test_missing_required_output_is_reported_and_optional_ones_are_not():
    spec = Child.spec()

    assert spec.validate_outputs({"energy": 1.0}) is None
    assert spec.validate_outputs({}).port_path == "energy"


def test_description_has_inputs_outputs_and_exit_codes_and_is_json_able():
    spec = ProcessSpec()
    spec.input("x", valid_type=int, default=lambda: 1, help="an x")
    spec.output("y", valid_type=float)
    spec.exit_code(300, "ERROR_X", "bad x", invalidates_cache=True)

    description = spec.get_description()

    assert json.loads(json.dumps(description)) == description
    assert set(description) == {"inputs", "outputs", "exit_codes"}
    assert description["inputs"]["ports"]["x"]["help"] == "an x"
    assert description["outputs"]["ports"]["y"]["valid_type"] == "float"
    assert description["exit_codes"] == {
        "ERROR_X": {"status": 300, "message": "bad x", "invalidates_cache": True}
    }
