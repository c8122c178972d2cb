"""A host batch keeps only each process's last status (``_latest_states``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from prunus.actors._host_messages import Activated, Finished, Passivated, Spawned, StateChanged
from prunus.actors._latest_states import latest_states
from prunus.engine import ProcessState
from tests.actors.helpers import ended, status
from tests.actors.test_supervision import Runtime

_PIDS = ("a", "b", "c")


def test_a_status_replaced_later_in_the_batch_is_left_out_and_the_order_kept():
    created, waiting = status("a", ProcessState.CREATED), status("a", ProcessState.WAITING)
    child = status("b", ProcessState.CREATED, parent="a")
    events = (
        Activated("a"),
        StateChanged(created),
        Spawned(child),
        StateChanged(waiting),
        Passivated("a"),
    )
    assert latest_states(events) == (
        Activated("a"),
        Spawned(child),
        StateChanged(waiting),
        Passivated("a"),
    )


def test_a_status_before_the_process_finished_is_left_out():
    running = StateChanged(status("a", ProcessState.RUNNING))
    finished = Finished(*ended("a", ProcessState.FINISHED))
    other = StateChanged(status("b", ProcessState.WAITING))
    assert latest_states((running, other, finished)) == (other, finished)


def test_a_batch_with_one_status_per_process_is_unchanged():
    events = (StateChanged(status("a")), Activated("b"), StateChanged(status("b")))
    assert latest_states(events) == events


_EVENTS = st.one_of(
    st.builds(
        lambda pid, state, paused, text: StateChanged(status(pid, state, paused=paused, text=text)),
        st.sampled_from(_PIDS),
        st.sampled_from([ProcessState.CREATED, ProcessState.RUNNING, ProcessState.WAITING]),
        st.booleans(),
        st.sampled_from([None, "waiting", "blocked: disk full"]),
    ),
    st.builds(Activated, st.sampled_from(_PIDS)),
    st.builds(Passivated, st.sampled_from(_PIDS)),
    st.builds(
        lambda pid, state: Finished(*ended(pid, state)),
        st.sampled_from(_PIDS),
        st.sampled_from([ProcessState.FINISHED, ProcessState.KILLED]),
    ),
)


def _applied(events: tuple) -> tuple:
    runtime = Runtime()
    registry = runtime.sv.registry
    for pid in _PIDS:
        registry.register(status(pid, ProcessState.CREATED))
    runtime.sv.handle_events(events)
    entries = tuple(
        (entry.status, entry.active, entry.result) for entry in registry.entries.values()
    )
    return entries, registry.counts(), runtime.take()


@given(st.lists(_EVENTS, max_size=12))
def test_the_supervisor_ends_in_the_same_place_with_the_last_statuses_alone(events):
    assert _applied(latest_states(events)) == _applied(tuple(events))
