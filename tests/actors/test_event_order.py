"""Host batches applied in the order their host sent them (issue 11, finding 10)."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from prunus.actors._event_order import GAP_SECONDS, EventOrder, GapCheck
from prunus.actors._host_messages import Activated, HostEvents, Passivated, StateChanged
from prunus.engine import ProcessState
from tests.actors.helpers import status
from tests.actors.test_supervision import Runtime


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@given(st.permutations(list(range(1, 9))))
def test_batches_in_any_arrival_order_are_applied_in_the_order_they_were_sent(arrival):
    order = EventOrder()
    applied = []
    for seq in arrival:
        ready, _ = order.arrived(0, seq, (f"batch {seq}",))
        applied += ready
    assert applied == [(f"batch {seq}",) for seq in range(1, 9)]


def test_a_batch_that_arrives_twice_is_applied_once():
    order = EventOrder()
    assert order.arrived(0, 1, ("a",)) == ([("a",)], False)
    assert order.arrived(0, 1, ("a",)) == ([], False)
    assert order.duplicates == 1


def test_a_lost_batch_releases_the_held_ones_after_the_gap_time_and_is_counted():
    clock = Clock()
    order = EventOrder(clock)
    order.arrived(0, 1, ("a",))
    assert order.arrived(0, 3, ("c",)) == ([], True)  # arm a check
    assert order.arrived(0, 4, ("d",)) == ([], False)  # armed already
    clock.now = GAP_SECONDS / 2
    assert order.gap_check(GapCheck(0, 3)) == ([], True)  # not yet: check again
    clock.now = GAP_SECONDS * 2
    assert order.gap_check(GapCheck(0, 3)) == ([("c",), ("d",)], False)
    assert order.lost == 1
    assert order.arrived(0, 5, ("e",)) == ([("e",)], False)


def test_a_restarted_host_numbers_from_one_and_what_its_old_actor_sent_is_applied():
    order = EventOrder()
    order.arrived(1, 1, ("old 1",))
    order.arrived(1, 3, ("old 3",))
    assert order.restarted(1) == [("old 3",)]
    assert order.arrived(1, 1, ("new 1",)) == ([("new 1",)], False)


def test_unnumbered_batches_are_applied_as_they_come():
    order = EventOrder()
    assert order.arrived(0, 0, ("report",)) == ([("report",)], False)


def test_the_sequence_number_travels_with_a_pickled_batch():
    batch = HostEvents((Passivated("p"),), 7)
    assert pickle.loads(pickle.dumps(batch)) == batch


def test_a_slice_reported_before_the_one_that_activated_its_process_leaves_it_waiting():
    runtime = Runtime()
    pid = runtime.launch(passivated=True)  # (batches without numbers until now)
    created, waiting = status(pid, ProcessState.CREATED), status(pid, ProcessState.WAITING)
    sv = runtime.sv
    sv.handle(HostEvents((StateChanged(waiting), Passivated(pid)), 2), "host-0")
    assert runtime.take().sends == []
    sv.handle(HostEvents((Activated(pid), StateChanged(created)), 1), "host-0")
    entry = sv.registry[pid]
    assert entry.status.state is ProcessState.WAITING and not entry.active
    sv.handle(HostEvents((Activated(pid),), 3), "echo")  # not a host: as it comes
    assert sv.registry[pid].active
