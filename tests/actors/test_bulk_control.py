"""Bulk control: many controls in one request, answered once, per pid."""

from __future__ import annotations

from prunus.actors._bulk_control import BulkDeadline
from prunus.actors._control_all import ControlAll, ControlAllReply, live_targets
from prunus.actors._host_messages import HostEvents, Reply
from prunus.actors._messages import (
    ControlMany,
    ControlManyReply,
    ControlReply,
    ErrorReply,
    KillRequest,
    PauseRequest,
)
from prunus.engine import ProcessState
from tests.actors.helpers import Parts, ended, status
from tests.actors.test_supervision import Runtime


def test_a_bulk_request_is_answered_once_when_every_pid_has_answered():
    runtime = Runtime()
    held = runtime.launch(passivated=False)  # its host holds it: the host must answer
    idle = runtime.launch(passivated=True)  # answered here, from its checkpoint
    requests = (PauseRequest(held), PauseRequest(idle), PauseRequest("nobody"))
    runtime.sv.handle(ControlMany(requests, timeout=5.0), "client")
    taken = runtime.take()
    assert taken.sends == []  # held has not answered yet
    [(pid, sent)] = taken.delivered
    assert pid == held and sent.reply_to is not None
    paused = status(held, ProcessState.WAITING, paused=True)
    runtime.sv.handle(HostEvents((Reply(sent.reply_to, ControlReply(held, True, paused)),)), "h")
    [(to, reply)] = runtime.take().sends
    assert to == "client" and isinstance(reply, ControlManyReply)
    first, second, third = reply.outcomes
    assert first == ControlReply(held, True, paused)
    assert second.ok and second.status.paused
    assert isinstance(third, ErrorReply) and third.kind == "UnknownProcessError"


def test_at_its_deadline_a_bulk_request_answers_with_what_came_and_the_rest_stands():
    runtime = Runtime()
    held = runtime.launch(passivated=False)
    idle = runtime.launch(passivated=True)
    runtime.sv.handle(ControlMany((KillRequest(held), KillRequest(idle)), 1.0), "client")
    out = runtime.sv.out
    [(seconds, deadline)] = out.timers
    assert seconds == 1.0 and isinstance(deadline, BulkDeadline)
    assert runtime.store.get("meta", "kill/" + held) is not None  # the kill stands
    runtime.take()
    runtime.sv.timer(deadline)
    [(to, reply)] = runtime.take().sends
    assert to == "client" and reply.outcomes[0] is None and reply.outcomes[1].ok
    runtime.sv.timer(deadline)  # a second firing (or a late answer) changes nothing
    assert runtime.take().sends == []


def test_an_empty_bulk_request_is_answered_at_once():
    runtime = Runtime()
    runtime.sv.handle(ControlMany(()), "client")
    assert runtime.take().sends == [("client", ControlManyReply(()))]


def test_control_all_picks_every_unfinished_process_itself_and_answers_per_pid():
    runtime = Runtime()
    first, second = runtime.launch(passivated=True), runtime.launch(passivated=True)
    runtime.sv.handle(ControlAll(PauseRequest("", cascade=False)), "client")
    [(to, reply)] = runtime.take().sends
    assert to == "client" and reply == ControlAllReply((first, second), (True, True))
    runtime.sv.handle(ControlAll(KillRequest("", "enough"), timeout=5.0), "client")
    taken = runtime.take()
    assert taken.delivered == []  # passivated: killed here, from their checkpoints
    assert taken.sends[-1] == ("client", ControlAllReply((first, second), (True, True)))
    for pid in (first, second):  # committed before the answer left
        assert runtime.store.get_record(pid)["state"] == "killed"
    runtime.sv.handle(ControlAll(KillRequest("")), "client")
    assert runtime.take().sends == [("client", ControlAllReply((), ()))]


def test_control_all_takes_only_the_tops_of_live_trees_when_the_control_cascades():
    parts = Parts()
    parts.tree("a", "a.0", "a.1")
    parts.tree("b")
    parts.registry.register(status("a.1.0", parent="a.1"))
    parts.registry.finished(*ended("a", ProcessState.FINISHED), parts.out)  # (not really)
    assert live_targets(parts.registry, tops_only=True) == ["a.0", "a.1", "b"]
    assert live_targets(parts.registry, tops_only=False) == ["a.0", "a.1", "b", "a.1.0"]
