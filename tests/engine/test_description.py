"""The describe payload: one to-data/from-data pair, and what it looks like as data."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from prunus.engine import ProcessDescription, ProcessResult, ProcessState, ProcessStatus
from prunus.spec import ExitCode

texts = st.none() | st.text(max_size=10)
descriptions = st.builds(
    ProcessDescription,
    pid=st.text(min_size=1, max_size=8),
    process_class=st.text(max_size=12),
    state=st.sampled_from(ProcessState),
    paused=st.booleans(),
    status=texts,
    step=texts,
    parent=texts,
    children=st.lists(st.text(max_size=5), max_size=3).map(tuple),
    created=st.none() | st.floats(0, 2e9),
    modified=st.none() | st.floats(0, 2e9),
    inputs=st.none() | st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    outputs=st.none() | st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    exit_code=st.none() | st.tuples(st.integers(0, 999), st.text(max_size=10)),
    exception=texts,
    restarts=st.integers(0, 10),
    traceback=texts,
    when=st.none() | st.just(["completed", "p"]),
    cached_from=st.none() | st.just("p0"),
)


@given(descriptions)
def test_a_description_survives_its_data_form(description):
    assert ProcessDescription.from_data(description.to_data()) == description


def test_the_data_form_names_the_state_and_lists_the_exit_code_as_clients_read_it():
    status = ProcessStatus("p", "m:C", ProcessState.FINISHED, children=("p.0",), created=1.0)
    result = ProcessResult(
        "p", ProcessState.FINISHED, {"x": 1}, exit_code=ExitCode(3, "odd"), process_class="m:C"
    )
    data = ProcessDescription.of(
        status, result, children=("p.0",), modified=2.0, inputs={"n": 1}, restarts=1
    ).to_data()
    assert data == {
        "pid": "p",
        "process_class": "m:C",
        "state": "FINISHED",
        "paused": False,
        "status": None,
        "step": None,
        "parent": None,
        "children": ["p.0"],
        "created": 1.0,
        "modified": 2.0,
        "inputs": {"n": 1},
        "outputs": {"x": 1},
        "exit_code": [3, "odd"],
        "exception": None,
        "traceback": None,
        "restarts": 1,
        "when": None,
        "cached_from": None,
        "due": None,
        "signal": None,
    }
