"""Control: cascades, held answers, durable kill records, and the races around them."""

from __future__ import annotations

from prunus.actors._control import KILL_PREFIX
from prunus.actors._host_messages import Reply
from prunus.actors._messages import (
    ControlReply,
    KillRequest,
    PauseRequest,
    PlayRequest,
    ResumeRequest,
)
from prunus.engine import ProcessState
from tests.actors.helpers import ME, Parts, ended, status


def answer(parts: Parts, pid: str, to: object, state=ProcessState.WAITING, ok=True, **kw):
    """The host's answer to a control of ``pid`` (what a cell sends back)."""
    parts.control.replied(Reply(to, ControlReply(pid, ok, status(pid, state, **kw))), parts.out)


def finish(parts: Parts, pid: str, state: ProcessState, parent=None, why=None):
    """A host's Finished for ``pid``: what the registry and control make of it."""
    ending = parts.registry.finished(*ended(pid, state, parent=parent, why=why), parts.out)
    assert ending is not None
    return parts.control.ended(ending)


def test_a_kill_reaches_live_descendants_deepest_first_and_the_process_itself_last():
    parts = Parts()
    parts.tree("p", "p.0", "p.1")
    parts.registry.spawned(status("p.0.0", parent="p.0"))
    orders = parts.control.request(KillRequest("p", "enough"), "client", parts.out)
    assert [o.pid for o in orders] == ["p.0.0", "p.0", "p.1", "p"]
    assert [o.durable for o in orders] == [False, False, False, True]
    assert orders[-1].message == KillRequest("p", "enough", reply_to="client")
    assert orders[0].message == KillRequest("p.0.0", "parent p was killed: enough", reply_to=ME)


def test_a_tree_control_is_answered_only_when_the_whole_tree_has_answered():
    parts = Parts()
    parts.tree("p", "p.0", "p.1")
    parts.control.request(PauseRequest("p"), "client", parts.out)
    answer(parts, "p", "client", paused=True)
    answer(parts, "p.0", ME, paused=True)
    assert parts.out.sends == []  # p.1 has not answered: the asker still waits
    answer(parts, "p.1", ME, paused=True)
    [(to, reply)] = parts.out.sends
    assert to == "client" and reply.pid == "p" and reply.status.paused
    assert parts.registry["p.1"].status.paused  # the registry saw it before the asker


def test_pause_and_play_cascade_the_same_way_and_without_cascade_reach_one_process():
    for request in (PauseRequest, PlayRequest):
        parts = Parts()
        parts.tree("p", "p.0")
        orders = parts.control.request(request("p"), "client", parts.out)
        assert [(o.pid, o.message) for o in orders] == [
            ("p.0", request("p.0", reply_to=ME)),
            ("p", request("p", reply_to="client")),
        ]
        alone = parts.control.request(request("p", cascade=False), "client", parts.out)
        assert [o.pid for o in alone] == ["p"]


def test_a_child_launched_while_a_kill_was_in_flight_is_killed_and_the_answer_waits_for_it():
    parts = Parts()
    parts.tree("p")
    [order] = parts.control.request(KillRequest("p", "stop"), "client", parts.out)
    assert order.durable
    # The step in flight when the kill arrived launched a child, then the kill ended p.
    parts.registry.spawned(status("p.0", parent="p"))
    orders = finish(parts, "p", ProcessState.KILLED, why="stop")
    assert [(o.pid, o.message) for o in orders] == [
        ("p.0", KillRequest("p.0", "parent p was killed: stop", reply_to=ME))
    ]
    answer(parts, "p", "client", ProcessState.KILLED)
    assert parts.out.sends == []  # held: p.0 still runs
    finish(parts, "p.0", ProcessState.KILLED, parent="p")
    answer(parts, "p.0", ME, ProcessState.KILLED)
    [(to, reply)] = parts.out.sends
    assert to == "client" and reply.pid == "p" and reply.status.state is ProcessState.KILLED


def test_a_child_already_being_killed_is_not_killed_twice_when_its_parent_ends():
    parts = Parts()
    parts.tree("p", "p.0")
    parts.control.request(KillRequest("p"), "client", parts.out)
    assert finish(parts, "p", ProcessState.KILLED) == []
    assert parts.control.pending_count("p.0") == 1


def test_a_control_answered_after_the_process_ended_keeps_the_final_status():
    # A pause was on its way when the step in flight ended the process: the host
    # answers it from the ended process (not applied) after its Finished.
    parts = Parts()
    parts.tree("p", "p.0")
    parts.control.request(PauseRequest("p"), "client", parts.out)
    finish(parts, "p.0", ProcessState.FINISHED, parent="p")
    answer(parts, "p.0", ME, ProcessState.WAITING, ok=False, paused=True)
    assert parts.registry["p.0"].status.state is ProcessState.FINISHED
    assert parts.control.pending_count("p.0") == 0
    answer(parts, "p", "client", paused=True)
    [(to, reply)] = parts.out.sends
    assert to == "client" and reply.ok


def test_a_control_of_an_ended_process_is_answered_at_once_and_not_applied():
    parts = Parts()
    parts.tree("p")
    finish(parts, "p", ProcessState.FINISHED)
    for request in (KillRequest("p"), PauseRequest("p"), PlayRequest("p")):
        assert parts.control.request(request, "client", parts.out) == []
    assert [reply.ok for _, reply in parts.out.sends] == [False, False, False]


def test_a_kill_record_is_stored_until_the_process_has_ended():
    parts = Parts()
    parts.tree("p")
    parts.control.record_kill("p", "why")
    assert parts.store.get("meta", KILL_PREFIX + "p") == "why"
    finish(parts, "p", ProcessState.KILLED)
    assert parts.store.get("meta", KILL_PREFIX + "p") is None
    assert parts.control.kills == {}


def test_a_process_failed_by_the_runtime_answers_its_pending_controls_not_applied():
    parts = Parts()
    parts.tree("p", "p.0")
    parts.control.request(KillRequest("p"), "client", parts.out)
    excepted = status("p.0", ProcessState.EXCEPTED, parent="p")
    parts.control.abandoned("p.0", excepted, parts.out)
    answer(parts, "p", "client", ProcessState.KILLED)
    [(to, reply)] = parts.out.sends  # released: the cascade's last member is done
    assert to == "client" and reply.pid == "p"


def test_a_new_host_gets_the_recorded_kill_once_then_the_pending_controls_in_order():
    parts = Parts()
    parts.tree("p")
    parts.control.record_kill("p", "")
    parts.control.request(PauseRequest("p"), "client", parts.out)
    assert parts.control.to_resend("p") == [
        KillRequest("p", None),
        PauseRequest("p", reply_to="client"),
    ]
    parts.control.request(KillRequest("p", "again"), "client", parts.out)
    assert [type(m) for m in parts.control.to_resend("p")] == [PauseRequest, KillRequest]


def test_a_resume_concerns_the_process_alone_and_one_not_waiting_is_answered_at_once():
    parts = Parts()
    parts.tree("p", "p.0")
    orders = parts.control.request(ResumeRequest("p"), "client", parts.out)
    assert [(o.pid, o.message, o.durable) for o in orders] == [
        ("p", ResumeRequest("p", reply_to="client"), False)
    ]
    parts.registry.state_changed(status("p.0", ProcessState.RUNNING, parent="p"))
    assert parts.control.request(ResumeRequest("p.0"), "client", parts.out) == []
    [(to, reply)] = parts.out.sends
    assert to == "client" and reply.ok is False and reply.status.state is ProcessState.RUNNING
