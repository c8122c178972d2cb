from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prunus.spec import ExitCode, ExitCodesNamespace, ProcessSpec


def test_default_exit_code_is_success_without_message():
    code = ExitCode()

    assert (code.status, code.message, code.invalidates_cache, code.label) == (
        0,
        None,
        False,
        None,
    )


def test_positional_fields_follow_the_plumpy_order_status_message_invalidates_cache():
    code = ExitCode(300, "no convergence", True, "ERROR_NO_CONVERGENCE")

    assert code.status == 300
    assert code.message == "no convergence"
    assert code.invalidates_cache is True
    assert code.label == "ERROR_NO_CONVERGENCE"


def test_exit_code_is_a_frozen_value():
    code = ExitCode(1, "x")

    with pytest.raises(dataclasses.FrozenInstanceError):
        code.status = 2  # type: ignore[misc]
    assert code == ExitCode(1, "x")
    assert hash(code) == hash(ExitCode(1, "x"))
    assert pickle.loads(pickle.dumps(code)) == code


def test_format_returns_a_copy_with_the_placeholders_filled():
    code = ExitCode(400, "failed after {n} steps", label="ERROR_STEPS")

    formatted = code.format(n=3)

    assert formatted == ExitCode(400, "failed after 3 steps", label="ERROR_STEPS")
    assert code.message == "failed after {n} steps"


def test_format_with_a_missing_argument_names_the_argument():
    with pytest.raises(ValueError, match="ERROR_STEPS: its message needs the argument 'n'"):
        ExitCode(400, "failed after {n} steps", label="ERROR_STEPS").format()


def test_format_without_a_message_is_an_error():
    with pytest.raises(ValueError, match="status 3 has no message"):
        ExitCode(3).format(x=1)


def _namespace() -> ExitCodesNamespace:
    return ExitCodesNamespace(
        ERROR_A=ExitCode(300, "a", label="ERROR_A"),
        ERROR_B=ExitCode(301, "b", label="ERROR_B"),
    )


def test_exit_codes_are_reachable_as_attributes_and_items():
    codes = _namespace()

    assert codes.ERROR_A is codes["ERROR_A"]
    assert codes.ERROR_A.status == 300


def test_calling_the_namespace_looks_up_by_label_or_by_status():
    codes = _namespace()

    assert codes("ERROR_B") is codes.ERROR_B
    assert codes(300) is codes.ERROR_A


def test_calling_with_an_unknown_label_or_status_raises_value_error_listing_known_ones():
    codes = _namespace()

    with pytest.raises(ValueError, match="known labels: ERROR_A, ERROR_B"):
        codes("ERROR_C")
    with pytest.raises(ValueError, match="no exit code with status 999; known: 300, 301"):
        codes(999)


def test_calling_with_something_that_is_neither_label_nor_status_raises_type_error():
    with pytest.raises(TypeError):
        _namespace()(True)


def test_missing_attribute_raises_attribute_error_listing_known_labels():
    with pytest.raises(AttributeError, match=r"no exit code labelled 'ERROR_C'.*ERROR_A"):
        _namespace().ERROR_C  # noqa: B018


def test_spec_exit_code_declares_a_labelled_code():
    spec = ProcessSpec()

    code = spec.exit_code(300, "ERROR_X", "went wrong", invalidates_cache=True)

    assert spec.exit_codes.ERROR_X is code
    assert code == ExitCode(300, "went wrong", True, "ERROR_X")


def test_spec_refuses_a_label_declared_twice():
    spec = ProcessSpec()
    spec.exit_code(300, "ERROR_X", "one")

    with pytest.raises(ValueError, match="label 'ERROR_X' is already declared"):
        spec.exit_code(301, "ERROR_X", "two")


def test_spec_refuses_a_status_declared_twice_naming_the_first_label():
    spec = ProcessSpec()
    spec.exit_code(300, "ERROR_X", "one")

    with pytest.raises(ValueError, match="status 300 is already declared as 'ERROR_X'"):
        spec.exit_code(300, "ERROR_Y", "two")


@pytest.mark.parametrize("status", [-1, "300", 3.0, True, None])
def test_spec_refuses_a_status_that_is_not_a_non_negative_int(status):
    with pytest.raises(ValueError, match="status must be an int >= 0"):
        ProcessSpec().exit_code(status, "ERROR_X", "m")


@pytest.mark.parametrize("label", ["1ERROR", "HAS SPACE", "", "a-b", 7])
def test_spec_refuses_a_label_that_is_not_an_identifier(label):
    with pytest.raises(ValueError, match="label must be an identifier"):
        ProcessSpec().exit_code(300, label, "m")


def test_spec_refuses_a_label_that_attribute_access_could_not_reach():
    with pytest.raises(ValueError, match="'items' would be hidden"):
        ProcessSpec().exit_code(300, "items", "m")


def test_spec_refuses_a_message_that_is_not_a_string():
    with pytest.raises(ValueError, match="message must be a str"):
        ProcessSpec().exit_code(300, "ERROR_X", None)


@given(
    status=st.integers(min_value=0, max_value=2**31),
    message=st.none() | st.text(max_size=20),
    invalidates_cache=st.booleans(),
    label=st.none() | st.from_regex(r"[A-Z_]{1,12}", fullmatch=True),
)
def test_an_exit_code_survives_its_plain_data_in_declaration_order(
    status, message, invalidates_cache, label
):
    code = ExitCode(status, message, invalidates_cache, label)
    assert code.to_data() == [status, message, invalidates_cache, label]
    assert ExitCode.from_data(code.to_data()) == code
