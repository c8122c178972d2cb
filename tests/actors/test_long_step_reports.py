"""A long step's report (sent while the step runs, apart from its host's numbered
batches) shows the step while it runs, and never undoes what a later batch reported."""

from __future__ import annotations

import dataclasses
import pickle

from prunus.actors._event_order import EventOrder
from prunus.actors._host_messages import HostEvents, LongStep, StateChanged
from prunus.engine import ProcessState
from tests.actors.helpers import status
from tests.actors.test_supervision import Runtime


def in_long_step(pid: str):
    return dataclasses.replace(status(pid, ProcessState.RUNNING), step="prepare", step_started=5.0)


def held_by_its_host():
    """A process its host keeps (no passivation), its CREATED reported in batch 1."""
    runtime = Runtime(passivate=False)
    pid = runtime.launch(passivated=False)
    created = status(pid, ProcessState.CREATED)
    runtime.sv.handle(HostEvents((StateChanged(created),), 1), "host-0")
    return runtime, pid


def test_a_long_steps_report_arriving_after_the_batch_that_ended_the_step_is_ignored():
    runtime, pid = held_by_its_host()
    sv = runtime.sv
    sv.handle(HostEvents((StateChanged(status(pid, ProcessState.WAITING)),), 2), "host-0")
    sv.handle(HostEvents((LongStep(in_long_step(pid), "host-0", 1),)), "echo")  # taken after 1
    entry = sv.registry[pid]
    assert entry.active  # its host holds it still: only the batch number tells it is late
    assert entry.status.state is ProcessState.WAITING and entry.status.step_started is None


def test_a_long_steps_report_arriving_while_the_step_runs_shows_it_until_the_next_batch():
    runtime, pid = held_by_its_host()
    sv = runtime.sv
    sv.handle(HostEvents((LongStep(in_long_step(pid), "host-0", 1),)), "echo")
    shown = sv.registry[pid].status
    assert shown.state is ProcessState.RUNNING
    assert (shown.step, shown.step_started) == ("prepare", 5.0)
    sv.handle(HostEvents((StateChanged(status(pid, ProcessState.WAITING)),), 2), "host-0")
    assert sv.registry[pid].status.state is ProcessState.WAITING


def test_a_report_that_comes_before_a_held_batch_it_follows_is_still_shown():
    # Batch 3 came early and is held: only batch 1 is applied, so a report taken after
    # batch 2 is newer than anything applied.
    runtime, pid = held_by_its_host()
    sv = runtime.sv
    sv.handle(HostEvents((StateChanged(status(pid, ProcessState.WAITING)),), 3), "host-0")
    sv.handle(HostEvents((LongStep(in_long_step(pid), "host-0", 2),)), "echo")
    assert sv.registry[pid].status.state is ProcessState.RUNNING


def test_the_newest_batch_applied_counts_only_batches_released_in_order():
    order = EventOrder()
    assert order.applied(0) == 0
    order.arrived(0, 1, ("a",))
    order.arrived(0, 3, ("c",))  # early: held
    assert order.applied(0) == 1
    order.arrived(0, 2, ("b",))
    assert order.applied(0) == 3
    order.arrived(0, 0, ("a report",))  # unnumbered: not a batch of the stream
    assert order.applied(0) == 3
    order.restarted(0)  # a new actor numbers from 1 again
    assert order.applied(0) == 0


def test_a_long_step_report_crosses_processes_with_its_batch_number():
    batch = HostEvents((LongStep(in_long_step("p"), "host-2", 41),))
    assert pickle.loads(pickle.dumps(batch)) == batch


def test_a_long_steps_report_from_a_host_actor_replaced_since_is_ignored():
    runtime, pid = held_by_its_host()
    sv = runtime.sv
    sv.hosts.started(0, "host-0 again")  # the old actor died; its processes moved on
    sv.handle(HostEvents((LongStep(in_long_step(pid), "host-0", 1),)), "echo")
    assert sv.registry[pid].status.state is ProcessState.CREATED
