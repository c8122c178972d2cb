"""A status and a result each have one plain-data form, and read back what they wrote."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from prunus import ExitCode, ProcessResult, ProcessState, ProcessStatus

names = st.text("abc.0123", min_size=1, max_size=8)
texts = st.none() | st.text(max_size=12)

statuses = st.builds(
    ProcessStatus,
    pid=names,
    process_class=names,
    state=st.sampled_from(ProcessState),
    paused=st.booleans(),
    status=texts,
    step=texts,
    children=st.lists(names, max_size=3).map(tuple),
    parent=st.none() | names,
    created=st.none() | st.floats(min_value=0, max_value=2e9),
)

exit_codes = st.none() | st.builds(
    ExitCode,
    status=st.integers(min_value=0, max_value=999),
    message=texts,
    invalidates_cache=st.booleans(),
    label=st.none() | st.from_regex(r"[A-Z_]{1,8}", fullmatch=True),
)


@given(statuses)
def test_a_status_survives_its_plain_data(status):
    assert ProcessStatus.from_data(status.to_data()) == status


def test_a_status_reads_a_record_that_carries_more_keys_and_no_creation_time():
    record = {**ProcessStatus("p", "m:C", ProcessState.WAITING).to_data(), "modified": 1.0}
    del record["created"]
    assert ProcessStatus.from_data(record) == ProcessStatus("p", "m:C", ProcessState.WAITING)


@given(state=st.sampled_from(ProcessState), exit_code=exit_codes, status=texts)
def test_a_result_survives_its_plain_data_with_its_exit_code_in_one_form(state, exit_code, status):
    result = ProcessResult("p", state, {"y": 1}, exit_code, None, status, "m:C")
    data = result.to_data()
    assert data["exit_code"] == (None if exit_code is None else exit_code.to_data())
    assert ProcessResult.from_data(data) == result


@given(exit_codes.filter(lambda code: code is not None))
def test_a_result_stored_before_one_form_reads_its_exit_code_in_the_old_order(code):
    data = ProcessResult("p", ProcessState.FINISHED, exit_code=code).to_data()
    data["exit_code"] = [code.status, code.message, code.label, code.invalidates_cache]
    assert ProcessResult.from_data(data).exit_code == code
