from __future__ import annotations

import copy
import json
import pickle

import pytest

from prunus.errors import PortValidationError
from prunus.spec import UNSPECIFIED, InputPort, OutputPort, Port


def test_port_without_valid_type_accepts_any_value():
    port = Port("anything")

    assert port.validate(object()) is None
    assert port.validate(None) is None


def test_validate_returns_the_error_instead_of_raising_it():
    error = Port("count", valid_type=int).validate("3")

    assert isinstance(error, PortValidationError)


def test_type_mismatch_names_the_full_path_the_expected_type_and_the_value():
    error = Port("cutoff", valid_type=int).validate("30", breadcrumbs=("params",))

    assert str(error) == "Error at port 'params.cutoff': expected int, got '30' (type str)"
    assert error.port_path == "params.cutoff"


def test_tuple_valid_type_accepts_each_member_and_lists_all_in_the_message():
    port = Port("x", valid_type=(int, float))

    assert port.validate(1) is None
    assert port.validate(1.5) is None
    assert port.validate("1").reason == "expected int or float, got '1' (type str)"


def test_unnamed_breadcrumbs_are_left_out_of_the_path():
    error = Port("a", valid_type=int).validate("x", breadcrumbs=("", "outer"))

    assert error.port_path == "outer.a"


def test_missing_required_port_says_the_value_was_not_provided():
    error = Port("structure").validate(UNSPECIFIED, breadcrumbs=("relax",))

    assert error.port_path == "relax.structure"
    assert error.reason == "required value was not provided"


def test_missing_optional_port_is_valid():
    assert Port("structure", required=False).validate(UNSPECIFIED) is None


def test_validator_message_becomes_the_reason_of_the_error():
    def positive(value, port):
        return None if value > 0 else f"{port.name} must be positive"

    port = Port("n", valid_type=int, validator=positive)

    assert port.validate(2) is None
    assert str(port.validate(-1, ("p",))) == "Error at port 'p.n': n must be positive"


def test_validator_receives_the_port_it_belongs_to():
    seen = []
    port = Port("n", validator=lambda value, port: seen.append(port))

    port.validate(1)

    assert seen == [port]


def test_validator_is_not_run_when_the_type_check_already_failed():
    calls = []
    port = Port("n", valid_type=int, validator=lambda value, port: calls.append(value))

    assert port.validate("x") is not None
    assert calls == []


def test_validator_is_not_run_for_an_absent_optional_value():
    calls = []
    port = Port("n", required=False, validator=lambda value, port: calls.append(value))

    assert port.validate(UNSPECIFIED) is None
    assert calls == []


def test_validator_returning_something_other_than_str_or_none_raises_type_error():
    port = Port("n", validator=lambda value, port: False)

    with pytest.raises(TypeError, match="validator of port 'n'"):
        port.validate(1)


@pytest.mark.parametrize("bad", ["int", list[int], (int, "str"), 3])
def test_valid_type_that_isinstance_cannot_use_is_refused_at_definition(bad):
    with pytest.raises(TypeError, match="port 'x': valid_type must be a type"):
        Port("x", valid_type=bad)


def test_setting_a_bad_valid_type_later_is_refused_too():
    port = Port("x")

    with pytest.raises(TypeError):
        port.valid_type = "int"


@pytest.mark.parametrize("bad", ["", "a.b", None])
def test_port_name_must_be_non_empty_without_dots(bad):
    with pytest.raises(ValueError, match="port name"):
        Port(bad)


def test_mutable_properties_can_be_changed_after_declaration():
    port = InputPort("x", valid_type=int)
    port.required = False
    port.help = "an x"
    port.valid_type = str

    assert port.validate(UNSPECIFIED) is None
    assert port.validate("s") is None
    assert port.help == "an x"


def test_input_port_with_default_is_not_missing_and_reads_not_required():
    port = InputPort("mode", valid_type=str, default="fast")

    assert port.has_default()
    assert port.required is False
    assert port.validate(UNSPECIFIED) is None


def test_input_port_without_default_keeps_its_required_flag():
    assert InputPort("a").required is True
    assert InputPort("a", required=False).required is False


def test_none_is_a_valid_default():
    port = InputPort("x", default=None)

    assert port.has_default()
    assert port.resolve_default() is None


def test_callable_default_is_called_at_every_resolve():
    port = InputPort("items", valid_type=list, default=list)

    first, second = port.resolve_default(), port.resolve_default()

    assert first == second == []
    assert first is not second


def test_plain_default_is_returned_as_is():
    assert InputPort("n", valid_type=int, default=5).resolve_default() == 5


def test_default_of_the_wrong_type_is_refused_naming_the_port():
    with pytest.raises(ValueError, match=r"input port 'n'.*expected int, got 'five'"):
        InputPort("n", valid_type=int, default="five")


def test_default_refused_by_the_validator_is_refused_at_definition():
    def positive(value, port):
        return None if value > 0 else "must be positive"

    with pytest.raises(ValueError, match="must be positive"):
        InputPort("n", valid_type=int, default=-1, validator=positive)


def test_callable_default_is_not_checked_at_definition():
    port = InputPort("n", valid_type=int, default=lambda: "not an int")

    assert port.validate(port.resolve_default()) is not None


def test_setting_a_wrong_default_later_is_refused():
    port = InputPort("n", valid_type=int)

    with pytest.raises(ValueError, match="input port 'n'"):
        port.default = "x"


def test_reading_default_of_a_port_without_one_raises():
    with pytest.raises(RuntimeError, match="input port 'n' has no default"):
        InputPort("n").default  # noqa: B018


def test_description_is_json_serialisable_and_shows_type_and_default():
    description = InputPort("mode", valid_type=(str, int), help="how", default="fast")

    assert json.loads(json.dumps(description.get_description())) == {
        "name": "mode",
        "valid_type": "str or int",
        "help": "how",
        "required": False,
        "default": "'fast'",
    }


def test_description_of_a_callable_default_has_no_memory_address():
    def make_default():
        return 1

    text = InputPort("n", default=make_default).get_description()["default"]

    assert "make_default" in text
    assert "0x" not in text


def test_description_omits_default_when_there_is_none():
    assert "default" not in InputPort("n").get_description()


def test_output_port_is_required_unless_told_otherwise():
    assert OutputPort("result").validate(UNSPECIFIED).reason == ("required value was not provided")
    assert OutputPort("result", required=False).validate(UNSPECIFIED) is None


def test_unspecified_survives_copy_deepcopy_and_pickle_as_the_same_object():
    assert copy.copy(UNSPECIFIED) is UNSPECIFIED
    assert copy.deepcopy(UNSPECIFIED) is UNSPECIFIED
    assert pickle.loads(pickle.dumps(UNSPECIFIED)) is UNSPECIFIED
    assert repr(UNSPECIFIED) == "UNSPECIFIED"
    assert not UNSPECIFIED


def test_port_repr_names_class_name_type_and_requiredness():
    assert repr(InputPort("n", valid_type=int)) == "InputPort('n', valid_type=int, required=True)"
