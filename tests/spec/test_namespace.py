from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus.errors import PortValidationError
from prunus.spec import UNSPECIFIED, InputPort, Port, PortNamespace

# -- building -------------------------------------------------------------------------


def _params_namespace() -> PortNamespace:
    root = PortNamespace()
    params = root.create_port_namespace("params")
    params.add_port(InputPort("cutoff", valid_type=int))
    params.add_port(InputPort("mode", valid_type=str, default="fast"))
    return root


def test_get_port_follows_dotted_names():
    root = _params_namespace()

    assert root.get_port("params.cutoff") is root["params"]["cutoff"]
    assert root.get_port("params") is root["params"]


def test_get_port_of_an_unknown_name_raises_value_error_listing_the_existing_ones():
    with pytest.raises(ValueError, match=r"no port 'cutof' .*its ports are: cutoff, mode"):
        _params_namespace().get_port("params.cutof")


def test_get_port_through_a_plain_port_raises_value_error():
    with pytest.raises(ValueError, match=r"'cutoff' .* is a port, not a namespace"):
        _params_namespace().get_port("params.cutoff.deeper")


def test_get_port_creates_missing_names_in_a_dynamic_namespace_when_asked():
    root = PortNamespace(valid_type=int)

    port = root.get_port("a.b", create_dynamically=True)

    assert isinstance(port, PortNamespace)
    assert port.dynamic and port.valid_type is int and not port.required
    assert root.has_port("a.b")


def test_get_port_never_creates_in_a_static_namespace():
    with pytest.raises(ValueError):
        PortNamespace().get_port("a", create_dynamically=True)


def test_contains_checks_direct_names_and_has_port_checks_dotted_ones():
    root = _params_namespace()

    assert "params" in root
    assert "params.cutoff" not in root
    assert root.has_port("params.cutoff")
    assert not root.has_port("params.nothing")
    assert not root.has_port("nothing.at.all")


def test_create_port_namespace_creates_intermediates_and_passes_options_to_the_last():
    root = PortNamespace()

    leaf = root.create_port_namespace("a.b.c", dynamic=True, required=False)

    assert root.get_port("a.b.c") is leaf
    assert leaf.dynamic and not leaf.required
    assert not root["a"].dynamic and root["a"].required


def test_create_port_namespace_returns_an_existing_namespace_unchanged():
    root = _params_namespace()

    assert root.create_port_namespace("params") is root["params"]
    assert "cutoff" in root["params"]


def test_create_port_namespace_refuses_to_go_through_a_plain_port():
    root = _params_namespace()

    with pytest.raises(ValueError, match="already a port"):
        root.create_port_namespace("params.cutoff.x")


def test_namespace_holds_only_ports_stored_under_their_own_name():
    root = PortNamespace()

    with pytest.raises(TypeError):
        root["a"] = 1
    with pytest.raises(ValueError, match="cannot be stored under the key 'b'"):
        root["b"] = Port("a")


def test_setting_valid_type_makes_a_namespace_dynamic():
    namespace = PortNamespace("extras")
    assert not namespace.dynamic

    namespace.valid_type = int

    assert namespace.dynamic
    assert PortNamespace("x", valid_type=str, dynamic=False).dynamic


def test_dynamic_can_be_switched_on_after_declaration():
    namespace = PortNamespace()
    namespace.dynamic = True

    assert namespace.validate({"anything": object()}) is None


def test_namespaces_compare_by_identity_and_are_hashable():
    first, second = PortNamespace("a"), PortNamespace("a")

    assert first != second
    assert first == first
    assert len({first, second}) == 2


def test_ports_view_is_read_only():
    root = _params_namespace()

    with pytest.raises(TypeError):
        root.ports["x"] = Port("x")  # type: ignore[index]


# -- absorb ---------------------------------------------------------------------------


def _child_inputs() -> PortNamespace:
    root = PortNamespace(validator=lambda values, ns: None, dynamic=False)
    root.add_port(InputPort("a", valid_type=int))
    root.add_port(InputPort("b", valid_type=int, default=2))
    sub = root.create_port_namespace("sub", help="nested")
    sub.add_port(InputPort("x", valid_type=str))
    sub.add_port(InputPort("y", valid_type=str, required=False))
    return root


def test_absorb_copies_every_port_and_returns_the_direct_names():
    target = PortNamespace("target")

    names = target.absorb(_child_inputs())

    assert names == ["a", "b", "sub"]
    assert target.has_port("sub.x") and target.has_port("sub.y")
    assert target["sub"].help == "nested"


def test_absorbed_ports_are_copies_that_can_change_without_touching_the_source():
    source = _child_inputs()
    target = PortNamespace("target")
    target.absorb(source)

    target["b"].default = 10
    target["sub"]["x"].required = False

    assert source["b"].default == 2
    assert source["sub"]["x"].required
    assert target["sub"] is not source["sub"]


def test_absorb_exclude_drops_top_level_and_nested_names():
    target = PortNamespace("t")

    names = target.absorb(_child_inputs(), exclude=["a", "sub.y"])

    assert names == ["b", "sub"]
    assert list(target["sub"]) == ["x"]


def test_absorb_include_of_a_nested_name_keeps_only_that_part_of_the_namespace():
    target = PortNamespace("t")

    names = target.absorb(_child_inputs(), include=["sub.y"])

    assert names == ["sub"]
    assert list(target["sub"]) == ["y"]


def test_absorb_include_of_a_namespace_keeps_all_of_it():
    target = PortNamespace("t")

    target.absorb(_child_inputs(), include=["sub", "sub.y"])

    assert list(target) == ["sub"]
    assert list(target["sub"]) == ["x", "y"]


def test_absorb_include_does_not_match_names_that_merely_share_a_prefix():
    source = PortNamespace()
    source.create_port_namespace("ab").add_port(Port("x"))

    assert PortNamespace("t").absorb(source, include=["a.x"]) == []


def test_absorb_refuses_include_and_exclude_together():
    with pytest.raises(ValueError, match="mutually exclusive"):
        PortNamespace("t").absorb(_child_inputs(), exclude=["a"], include=["b"])


def test_absorb_refuses_a_bare_string_as_a_list_of_names():
    with pytest.raises(TypeError, match="list of names"):
        PortNamespace("t").absorb(_child_inputs(), include="a")


def test_absorb_copies_namespace_properties_unless_options_override_them():
    source = _child_inputs()
    target = PortNamespace("t")

    target.absorb(source, namespace_options={"required": False, "help": "mine"})

    assert target.validator is source.validator
    assert target.required is False
    assert target.help == "mine"


def test_absorb_without_copying_properties_keeps_the_targets_own():
    def mine(values, ns):
        return None

    target = PortNamespace("t", validator=mine)

    target.absorb(_child_inputs(), copy_properties=False, namespace_options={"dynamic": True})

    assert target.validator is mine
    assert target.dynamic


def test_absorb_refuses_unknown_namespace_options_and_leaves_the_callers_dict_alone():
    options = {"required": False, "colour": "red"}

    with pytest.raises(ValueError, match=r"unknown namespace_options \['colour'\]"):
        PortNamespace("t").absorb(_child_inputs(), namespace_options=options)
    assert options == {"required": False, "colour": "red"}


# -- pre_process ----------------------------------------------------------------------


def test_pre_process_fills_nested_defaults_into_a_new_dict():
    given_inputs = {"params": {"cutoff": 30}}

    result = _params_namespace().pre_process(given_inputs)

    assert result == {"params": {"cutoff": 30, "mode": "fast"}}
    assert given_inputs == {"params": {"cutoff": 30}}


def test_pre_process_keeps_given_values_over_defaults():
    result = _params_namespace().pre_process({"params": {"cutoff": 1, "mode": "slow"}})

    assert result["params"]["mode"] == "slow"


def test_pre_process_creates_an_absent_namespace_that_has_defaults():
    assert _params_namespace().pre_process(None) == {"params": {"mode": "fast"}}


def test_pre_process_leaves_out_an_absent_namespace_that_would_be_empty():
    root = PortNamespace()
    root.create_port_namespace("options").add_port(InputPort("x", required=False))
    root.create_port_namespace("needed").add_port(InputPort("y"))

    assert root.pre_process({}) == {}


def test_pre_process_calls_callable_defaults_every_time():
    root = PortNamespace()
    root.add_port(InputPort("items", default=list))

    first, second = root.pre_process({}), root.pre_process({})

    assert first["items"] == [] and first["items"] is not second["items"]


def test_pre_process_skips_a_namespace_with_populate_defaults_off_unless_it_is_given():
    root = _params_namespace()
    root["params"].populate_defaults = False

    assert root.pre_process({}) == {}
    assert root.pre_process({"params": {}}) == {"params": {"mode": "fast"}}


def test_pre_process_uses_a_namespace_default_and_fills_its_ports_defaults():
    root = _params_namespace()
    root["params"].default = lambda: {"cutoff": 7}

    assert root.pre_process({}) == {"params": {"cutoff": 7, "mode": "fast"}}


def test_pre_process_treats_none_for_a_namespace_as_not_given():
    assert _params_namespace().pre_process({"params": None}) == {"params": {"mode": "fast"}}


def test_pre_process_keeps_values_it_cannot_place_for_validate_to_report():
    root = _params_namespace()

    result = root.pre_process({"params": 5, "typo": 1})

    assert result == {"params": 5, "typo": 1}
    assert root.validate(result) is not None


def test_pre_process_of_something_that_is_not_a_mapping_raises_a_validation_error():
    with pytest.raises(PortValidationError, match="expected a mapping"):
        PortNamespace().pre_process([("a", 1)])


# -- validate -------------------------------------------------------------------------


def test_unknown_name_in_a_static_namespace_names_its_path_and_the_accepted_names():
    error = _params_namespace().validate({"params": {"cutoff": 1, "modus": "x"}})

    assert error.port_path == "params.modus"
    assert "not a port of this namespace" in error.reason
    assert "did you mean 'mode'?" in error.reason
    assert "accepted names: cutoff, mode" in error.reason


def test_missing_nested_required_port_names_the_full_port_path():
    error = _params_namespace().validate({"params": {"mode": "x"}})

    assert str(error) == "Error at port 'params.cutoff': required value was not provided"


def test_missing_required_input_in_an_absent_required_namespace_is_reported():
    error = _params_namespace().validate({})

    assert error.port_path == "params.cutoff"


def test_absent_optional_namespace_is_valid_even_with_required_ports_inside():
    root = PortNamespace()
    root.create_port_namespace("opt", required=False).add_port(InputPort("x"))

    assert root.validate({}) is None
    assert root.validate({"opt": {}}) is None
    assert root.validate({"opt": {"y": 1}}).port_path == "opt.y"


def test_type_mismatch_in_a_nested_port_names_path_expected_and_got():
    error = _params_namespace().validate({"params": {"cutoff": "30"}})

    assert str(error) == "Error at port 'params.cutoff': expected int, got '30' (type str)"


def test_a_value_that_is_not_a_mapping_given_for_a_namespace_is_an_error():
    error = _params_namespace().validate({"params": [1, 2]})

    assert error.port_path == "params"
    assert "expected a mapping" in error.reason
    assert "[1, 2] (type list)" in error.reason


def test_namespace_validator_sees_the_whole_namespace_and_reports_at_its_path():
    seen = []

    def cutoff_fits_mode(values, namespace):
        seen.append((dict(values), namespace))
        return "cutoff too high for fast mode" if values["cutoff"] > 10 else None

    root = _params_namespace()
    root["params"].validator = cutoff_fits_mode

    error = root.validate(root.pre_process({"params": {"cutoff": 50}}))

    assert str(error) == "Error at port 'params': cutoff too high for fast mode"
    assert seen == [({"cutoff": 50, "mode": "fast"}, root["params"])]


def test_namespace_validator_runs_only_after_its_ports_passed():
    calls = []
    root = _params_namespace()
    root["params"].validator = lambda values, ns: calls.append(values)

    assert root.validate({"params": {"cutoff": "x"}}) is not None
    assert calls == []


def test_dynamic_namespace_checks_values_under_unknown_names_against_valid_type():
    root = PortNamespace()
    root.create_port_namespace("extras", valid_type=int)

    assert root.validate({"extras": {"a": 1, "b": {"c": 2}}}) is None
    error = root.validate({"extras": {"a": 1, "b": {"c": "2"}}})
    assert str(error) == "Error at port 'extras.b.c': expected int, got '2' (type str)"


def test_dynamic_namespace_without_valid_type_accepts_anything():
    namespace = PortNamespace(dynamic=True)

    assert namespace.validate({"a": object(), "b": {"c": None}}) is None


def test_explicit_ports_of_a_dynamic_namespace_are_still_checked():
    namespace = PortNamespace(valid_type=int)
    namespace.add_port(InputPort("fixed", valid_type=str))

    assert namespace.validate({"fixed": "s", "other": 1}) is None
    assert namespace.validate({"fixed": 1}).port_path == "fixed"


def test_namespace_validates_unspecified_and_none_as_empty():
    assert _params_namespace().validate(UNSPECIFIED).port_path == "params.cutoff"
    assert PortNamespace().validate(None) is None


def test_description_is_a_json_able_tree_with_children_under_ports():
    description = _params_namespace().get_description()

    assert json.loads(json.dumps(description)) == description
    params = description["ports"]["params"]
    assert params["dynamic"] is False
    assert params["ports"]["cutoff"]["valid_type"] == "int"
    assert params["ports"]["mode"]["default"] == "'fast'"


# -- properties over random trees -----------------------------------------------------

_names = st.text(alphabet="abcxyz", min_size=1, max_size=3)
_trees = st.dictionaries(
    _names,
    st.recursive(
        st.integers(),
        lambda children: st.dictionaries(_names, children, min_size=1, max_size=3),
        max_leaves=10,
    ),
    min_size=1,
    max_size=4,
)


def _namespace_for(tree: dict, name: str = "", with_defaults: bool = False) -> PortNamespace:
    """A static namespace with one int port per leaf of ``tree``."""
    namespace = PortNamespace(name)
    for key, value in tree.items():
        if isinstance(value, dict):
            namespace[key] = _namespace_for(value, key, with_defaults)
        elif with_defaults:
            namespace[key] = InputPort(key, valid_type=int, default=value)
        else:
            namespace[key] = InputPort(key, valid_type=int)
    return namespace


def _leaf_paths(tree: dict, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for key, value in tree.items():
        if isinstance(value, dict):
            paths.extend(_leaf_paths(value, (*prefix, key)))
        else:
            paths.append((*prefix, key))
    return paths


def _replaced(tree: dict, path: tuple[str, ...], value: object) -> dict:
    head, *rest = path
    copied = dict(tree)
    copied[head] = _replaced(tree[head], tuple(rest), value) if rest else value
    return copied


@settings(max_examples=50)
@given(_trees)
def test_inputs_that_fit_the_spec_pass_pre_process_and_validate_unchanged(tree):
    namespace = _namespace_for(tree)

    processed = namespace.pre_process(tree)

    assert processed == tree
    assert processed is not tree
    assert namespace.validate(processed) is None
    assert namespace.pre_process(processed) == processed


@settings(max_examples=50)
@given(_trees, st.data())
def test_a_wrong_leaf_anywhere_is_reported_at_its_exact_path(tree, data):
    path = data.draw(st.sampled_from(_leaf_paths(tree)))
    namespace = _namespace_for(tree)

    error = namespace.validate(namespace.pre_process(_replaced(tree, path, "bad")))

    assert error.port_path == ".".join(path)
    assert error.reason == "expected int, got 'bad' (type str)"


@settings(max_examples=50)
@given(_trees)
def test_an_empty_launch_is_filled_back_to_the_full_tree_from_defaults(tree):
    namespace = _namespace_for(tree, with_defaults=True)

    processed = namespace.pre_process({})

    assert processed == tree
    assert namespace.validate(processed) is None


@settings(max_examples=50)
@given(_trees)
def test_a_dynamic_namespace_of_ints_accepts_any_nested_tree_of_ints(tree):
    namespace = PortNamespace(valid_type=int)

    assert namespace.pre_process(tree) == tree
    assert namespace.validate(tree) is None
