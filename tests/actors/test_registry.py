"""The registry: entries, routing by pid, trees, and what a process ending means."""

from __future__ import annotations

import dataclasses

from prunus.actors._host_messages import ChildFinished
from prunus.actors._messages import ErrorReply
from prunus.engine import ProcessState
from tests.actors.helpers import Parts, ended, result, status


def test_a_delivery_marks_the_process_active_and_goes_in_its_hosts_batch_in_order():
    parts = Parts(hosts=2)
    a = parts.registry.register(status("a"))
    b = parts.registry.register(status("b"))
    assert a.host != b.host
    for message in ("first", "second"):
        parts.registry.deliver("a", message, parts.out)
    parts.registry.deliver("b", "other", parts.out)
    assert a.active and b.active
    assert parts.out.batches[a.host] == [("a", "first"), ("a", "second")]
    assert parts.out.batches[b.host] == [("b", "other")]


def test_a_process_ending_tells_its_parent_frees_its_host_slot_and_happens_once():
    parts = Parts(hosts=1)
    parts.tree("p", "p.0")
    assert parts.hosts.loads == [2]
    ending = parts.registry.finished(*ended("p.0", ProcessState.FINISHED, parent="p"), parts.out)
    assert ending is not None and ending.pid == "p.0" and not ending.killed
    assert parts.hosts.loads == [1]
    [(to, message)] = parts.out.delivered()
    assert to == "p" and message == ChildFinished("p.0", result("p.0"))
    again = parts.registry.finished(*ended("p.0", ProcessState.KILLED, parent="p"), parts.out)
    assert again is None
    assert parts.registry["p.0"].status.state is ProcessState.FINISHED
    assert parts.hosts.loads == [1]


def test_a_status_update_after_the_end_does_not_overwrite_the_final_status():
    parts = Parts()
    parts.tree("a")
    parts.registry.finished(*ended("a", ProcessState.FINISHED), parts.out)
    parts.registry.state_changed(status("a", ProcessState.RUNNING))
    assert parts.registry["a"].status.state is ProcessState.FINISHED


def test_a_replayed_step_that_launches_the_same_child_registers_it_once():
    parts = Parts()
    parts.tree("p")
    assert parts.registry.spawned(status("p.0", parent="p"))
    assert not parts.registry.spawned(status("p.0", parent="p"))
    assert parts.registry["p"].children == ["p.0"]
    assert sum(parts.hosts.loads) == 2


def test_live_descendants_come_deepest_first_and_skip_those_that_ended():
    parts = Parts()
    parts.tree("p", "p.0", "p.1")
    parts.registry.spawned(status("p.0.0", parent="p.0"))
    parts.registry.finished(*ended("p.1", ProcessState.FINISHED, parent="p"), parts.out)
    assert parts.registry.live_descendants("p") == ["p.0.0", "p.0"]


def test_a_restarted_parent_gets_the_results_of_every_child_that_ended():
    parts = Parts()
    parts.tree("p", "p.0", "p.1", "p.2")
    for child in ("p.0", "p.2"):
        parts.registry.finished(*ended(child, ProcessState.FINISHED, parent="p"), parts.out)
    parts.take()
    parts.registry.redeliver_child_results("p", parts.out)
    assert [m.pid for _, m in parts.out.delivered("p")] == ["p.0", "p.2"]


def test_an_unknown_pid_is_answered_with_one_error_naming_it():
    parts = Parts()
    assert parts.registry.lookup("nope", "client", parts.out) is None
    [(to, reply)] = parts.out.sends
    assert to == "client" and reply == ErrorReply(
        "UnknownProcessError", "nope", "unknown process 'nope'"
    )


def test_a_long_steps_report_arriving_after_the_host_let_the_process_go_is_ignored():
    parts = Parts(hosts=1)
    parts.registry.register(status("a", ProcessState.CREATED))
    parts.registry.deliver("a", "a message", parts.out)
    long_step = dataclasses.replace(status("a", ProcessState.RUNNING), step_started=5.0)
    assert parts.registry.state_changed(long_step)  # while a host holds it: shown
    assert parts.registry.state_changed(status("a", ProcessState.WAITING))
    parts.out.ready_batches()  # the message was sent, and its host took it
    parts.out.took(0)
    parts.registry.passivated("a", parts.out)
    assert not parts.registry.state_changed(long_step)  # late, through the echo
    assert parts.registry["a"].status.state is ProcessState.WAITING
