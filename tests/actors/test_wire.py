"""Host batches cross OS processes as tuples, and come back equal to what was sent."""

from __future__ import annotations

import logging
import pickle

from hypothesis import given
from hypothesis import strategies as st

from prunus.actors import _thespian  # noqa: F401  (installs the lazy identify)
from prunus.actors._host_messages import (
    Activate,
    Activated,
    ActivationFailed,
    Barrier,
    ChildFinished,
    Deliver,
    Finished,
    HostEvents,
    HostReady,
    Passivated,
    Reply,
    Spawned,
    StateChanged,
)
from prunus.actors._messages import KillRequest, PauseRequest, ProcessList, Submit, SubmitMany
from prunus.engine import ProcessResult, ProcessState, ProcessStatus
from prunus.persistence import StagedWrite
from prunus.spec import ExitCode

texts = st.none() | st.text(max_size=8)
pids = st.text(min_size=1, max_size=8)
states = st.sampled_from(list(ProcessState))

statuses = st.builds(
    ProcessStatus,
    pids,
    st.text(max_size=8),
    states,
    st.booleans(),
    texts,
    texts,
    st.lists(pids, max_size=3).map(tuple),
    st.none() | pids,
    st.none() | st.floats(allow_nan=False),
)
exit_codes = st.none() | st.builds(
    ExitCode, st.integers(0, 400), texts, st.booleans(), st.none() | st.text(max_size=8)
)
results = st.builds(
    ProcessResult,
    pids,
    states,
    st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=4), max_size=3),
    exit_codes,
    texts,
    texts,
    st.text(max_size=8),
)
events = st.one_of(
    st.builds(StateChanged, statuses),
    st.builds(Finished, statuses, results),
    st.builds(Spawned, statuses, st.none(), st.none() | st.lists(st.text(max_size=4))),
    st.builds(Activated, pids),
    st.builds(Passivated, pids),
    st.builds(ActivationFailed, pids, st.text(max_size=20), st.booleans()),
    st.builds(Barrier, st.integers(0, 10**6)),
    st.builds(Reply, pids, st.integers() | statuses),
    st.builds(HostReady, st.integers(0, 64), st.integers(1, 2**22)),
    st.builds(KillRequest, pids, texts),  # a kind the wire does not know: goes as itself
)
staged = st.builds(
    StagedWrite,
    pids,
    st.binary(max_size=8),
    st.none() | st.binary(max_size=8),
    st.none() | st.binary(max_size=8),
    st.none() | st.binary(max_size=8),
    st.lists(st.binary(max_size=8), max_size=2),
)
deliveries = st.tuples(
    pids,
    st.one_of(
        st.builds(Activate, st.none(), st.none() | staged),
        st.builds(ChildFinished, pids, results),
        st.builds(Barrier, st.integers(0, 10**6)),
        st.builds(PauseRequest, pids, st.none(), st.booleans()),
    ),
)


def crossed(message: object) -> object:
    return pickle.loads(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


@given(st.lists(events, max_size=12).map(tuple))
def test_host_events_come_back_equal_after_a_pickle_round_trip(batch):
    assert crossed(HostEvents(batch)) == HostEvents(batch)


@given(st.lists(deliveries, max_size=12).map(tuple))
def test_deliver_batches_come_back_equal_after_a_pickle_round_trip(items):
    assert crossed(Deliver(items)) == Deliver(items)


def test_a_batch_of_known_events_pickles_without_one_dataclass_in_it():
    status = ProcessStatus("p1", "m:C", ProcessState.WAITING, children=("p1.0",), created=2.0)
    result = ProcessResult("p1", ProcessState.FINISHED, {"x": 1}, ExitCode(0))
    batch = HostEvents((StateChanged(status), Finished(status, result), Passivated("p1")))
    payload = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
    for name in (b"StateChanged", b"Finished", b"ProcessStatus", b"ProcessResult", b"ExitCode"):
        assert name not in payload
    assert b"unpack_events" in payload


class _CountsStr:
    def __init__(self) -> None:
        self.calls = 0

    def __str__(self) -> str:
        self.calls += 1
        return "counted"


def test_thespian_builds_no_message_text_for_a_debug_line_it_discards():
    from thespian.system.transport import ReceiveEnvelope, TransmitIntent
    from thespian.system.utilis import thesplog

    message = _CountsStr()
    envelope, intent = ReceiveEnvelope("sender", message), TransmitIntent("target", message)
    thesplog("ACTOR got %s", envelope.identify(), level=logging.DEBUG)
    thesplog("actualTransmit of %s", intent.identify(), level=logging.DEBUG)
    assert message.calls == 0
    assert "msg: counted" in str(envelope)
    assert "counted" in str(intent.identify())
    assert "counted" in str(intent)


@given(st.lists(statuses, max_size=12).map(tuple))
def test_a_process_list_comes_back_equal_after_a_pickle_round_trip(listed):
    assert crossed(ProcessList(listed)) == ProcessList(listed)


def test_a_packed_status_holds_every_field_of_a_status():
    import dataclasses

    from prunus.actors._wire import _status

    one = ProcessStatus("p", "m:C", ProcessState.RUNNING)
    assert len(_status(one)) == len(dataclasses.fields(ProcessStatus))
    values = {field.name: f"value of {field.name}" for field in dataclasses.fields(ProcessStatus)}
    values["state"] = ProcessState.WAITING
    every = ProcessStatus(**values)
    assert crossed(HostEvents((StateChanged(every),))).events[0].status == every


def test_a_result_with_a_traceback_and_a_failure_comes_back_whole():
    result = ProcessResult(
        "p1", ProcessState.EXCEPTED, {}, None, "RuntimeError: boom", None, "m:C", "Traceback…"
    )
    batch = HostEvents((Finished(ProcessStatus("p1", "m:C", ProcessState.EXCEPTED), result),))
    again = crossed(batch).events[0].result
    assert again.to_data() == result.to_data()
    assert again.traceback == "Traceback…"


def test_every_kind_comes_back_with_every_field_it_has():
    import dataclasses

    from prunus.actors import _wire

    status = ProcessStatus("p1", "m:C", ProcessState.WAITING, created=1.0)
    result = ProcessResult("p1", ProcessState.FINISHED, {"x": 1})
    special = {"status": status, "result": result, "process": None}
    for kind in _wire._KINDS:
        values = {
            field.name: special.get(field.name, f"value of {field.name}")
            for field in dataclasses.fields(kind)
        }
        if kind is Activate:
            values["first_write"] = StagedWrite("p1", b"k", b"r", None, None, [])
        message = kind(**values)
        assert crossed(HostEvents((message,))) == HostEvents((message,)), kind
        assert crossed(Deliver((("p1", message),))) == Deliver((("p1", message),)), kind


submits = st.builds(
    Submit,
    st.sampled_from(["m:A", "m:B"]),
    st.binary(max_size=20),
    st.one_of(st.none(), st.just(["pid", "p1", "completed"])),
    st.sampled_from([True, False, "refresh"]),
    st.one_of(st.none(), st.just({"cores": 2})),
    st.text(max_size=8),
)


@given(st.lists(submits, max_size=12).map(tuple), st.text(max_size=8))
def test_a_submit_many_comes_back_equal_after_a_pickle_round_trip_with_no_submit_pickled(
    items, key
):
    batch = SubmitMany(items, key)
    assert crossed(batch) == batch
    assert b"Submit" not in pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL).replace(
        b"unpack_submits", b""
    )


def test_the_class_name_of_every_status_in_a_batch_is_pickled_once():
    def status(index: int) -> ProcessStatus:
        module = "m"  # each status makes its own class-name string, as a process does
        return ProcessStatus(f"p{index}", f"{module}:Waiter", ProcessState.WAITING)

    batch = HostEvents(tuple(StateChanged(status(index)) for index in range(50)))
    payload = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
    assert payload.count(b"m:Waiter") == 1
    again = crossed(batch)
    assert again == batch
    assert len({id(event.status.process_class) for event in again.events}) == 1
