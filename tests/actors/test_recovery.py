"""Recovery: reload at start, and a dead host's processes moved to its replacement."""

from __future__ import annotations

from prunus.actors._control import KILL_PREFIX
from prunus.actors._host_messages import Activate, ChildFinished
from prunus.actors._launches import Launches
from prunus.actors._messages import KillRequest, Launched, PauseRequest, Reloaded
from prunus.actors._persisting import ProcessWriter, status_record
from prunus.actors._reconcile import StoredEnding
from prunus.actors._recovery import Failure, Recovery
from prunus.engine import ProcessState
from tests.actors.helpers import ME, Gate, Parts, ended, result, status


def recovery(parts: Parts) -> tuple[Recovery, Launches]:
    launches = Launches(parts.registry, ProcessWriter(parts.store))
    return Recovery(parts.registry, parts.control, launches), launches


def store_process(parts: Parts, pid: str, state=ProcessState.WAITING, **kw) -> None:
    terminal = state.is_terminal
    record = status_record(status(pid, state, **kw), result(pid, state) if terminal else None)
    parts.store.write(pid, record=record)


def test_reload_resumes_the_unfinished_and_answers_after_every_host_has_handled_it():
    parts = Parts(hosts=2)
    store_process(parts, "a", ProcessState.RUNNING, children=("a.0",))
    store_process(parts, "a.0", ProcessState.FINISHED, parent="a")
    store_process(parts, "b", ProcessState.FINISHED)
    again, _ = recovery(parts)
    orders = list(again.reload(parts.store, True, 2, "runtime", parts.out))
    assert orders == []
    assert parts.out.delivered("a") == [
        ("a", Activate()),
        ("a", ChildFinished("a.0", result("a.0", ProcessState.FINISHED))),
    ]
    barriers = [message for pid, message in parts.out.delivered() if pid == ""]
    assert len(barriers) == 2 and len(set(barriers)) == 1
    assert parts.out.sends == []
    again.barrier_reached(barriers[0].token, parts.out)
    assert parts.out.sends == []  # one host has not reached it yet
    again.barrier_reached(barriers[0].token, parts.out)
    assert parts.out.sends == [("runtime", Reloaded(1, 0))]


def test_reload_leaves_waiting_processes_on_disk_until_a_message_for_one_arrives():
    parts = Parts(hosts=1)
    store_process(parts, "w", children=("w.0",))  # WAITING on its child
    store_process(parts, "w.0", parent="w")  # WAITING on nothing
    store_process(parts, "c", ProcessState.CREATED)
    store_process(parts, "r", ProcessState.RUNNING, paused=True)
    store_process(parts, "v", children=("v.0",))  # its child ended while it was down
    store_process(parts, "v.0", ProcessState.FINISHED, parent="v")
    again, _ = recovery(parts)
    assert list(again.reload(parts.store, True, 1, "runtime", parts.out)) == []
    delivered = [(pid, type(message)) for pid, message in parts.out.delivered() if pid]
    assert delivered == [("c", Activate), ("r", Activate), ("v", ChildFinished)]
    assert not parts.registry["w"].active and not parts.registry["w.0"].active
    assert parts.registry["w"].status.state is ProcessState.WAITING  # read from its record
    [(_, barrier)] = [(pid, message) for pid, message in parts.out.delivered() if pid == ""]
    again.barrier_reached(barrier.token, parts.out)
    assert parts.out.sends == [("runtime", Reloaded(2, 0))]


def test_reload_without_resume_registers_everything_and_moves_nothing():
    parts = Parts()
    store_process(parts, "a")
    again, _ = recovery(parts)
    assert list(again.reload(parts.store, False, 2, "tool", parts.out)) == []
    assert "a" in parts.registry and parts.out.delivered() == []
    assert parts.out.sends == [("tool", Reloaded(0, 0))]


def test_reload_reissues_recorded_kills_and_finishes_a_kill_cascade_cut_short():
    parts = Parts()
    store_process(parts, "k")
    parts.store.put("meta", KILL_PREFIX + "k", "stop")
    parts.store.put("meta", KILL_PREFIX + "gone", "")  # ended long ago: forgotten
    store_process(parts, "d", ProcessState.KILLED, children=("d.0",), text="cut")
    store_process(parts, "d.0", parent="d")
    again, _ = recovery(parts)
    orders = list(again.reload(parts.store, True, 1, "runtime", parts.out))
    assert [(o.pid, o.message) for o in orders] == [
        ("d.0", KillRequest("d.0", "parent d was killed: cut", reply_to=ME))
    ]
    assert ("k", KillRequest("k", "stop")) in parts.out.delivered("k")
    assert parts.control.kills == {"k": "stop"}
    assert parts.store.get("meta", KILL_PREFIX + "gone") is None


def test_a_dead_hosts_processes_move_with_their_pending_controls_and_first_write():
    parts = Parts(hosts=1)
    again, launches = recovery(parts)
    parts.tree("busy", "idle")
    parts.registry.deliver("busy", "a step", parts.out)  # busy: its host held it
    parts.control.request(PauseRequest("idle", cascade=False), "client", parts.out)
    parts.registry.passivated("idle", parts.out)
    new = Gate()
    launches.start(new, None, "client", parts.out)  # its host died before the commit
    parts.take()
    failures = list(again.host_restarted(0, 3, parts.store, parts.out))
    assert failures == []
    assert parts.registry["busy"].restarts == 1 and parts.registry["idle"].restarts == 0
    assert parts.out.delivered("idle") == [
        ("idle", Activate(None, None)),
        ("idle", PauseRequest("idle", reply_to="client", cascade=False)),
    ]
    [(_, activate)] = parts.out.delivered(new.pid)
    assert activate.first_write is launches.first_write(new.pid) is not None


def test_a_process_whose_host_died_under_it_too_often_is_handed_back_to_fail():
    parts = Parts(hosts=1)
    again, _ = recovery(parts)
    parts.tree("fragile")
    for _ in range(2):
        parts.registry.deliver("fragile", "a step", parts.out)
        yielded = list(again.host_restarted(0, 1, parts.store, parts.out))
    assert yielded == [Failure("fragile", yielded[0].reason)]
    assert "died 2 times" in yielded[0].reason and "restart limit 1" in yielded[0].reason


def test_an_ended_process_on_the_dead_host_is_left_alone():
    parts = Parts(hosts=1)
    again, _ = recovery(parts)
    parts.tree("done")
    parts.registry.finished(*ended("done", ProcessState.FINISHED), parts.out)
    parts.take()
    assert list(again.host_restarted(0, 3, parts.store, parts.out)) == []
    assert parts.out.delivered() == []


def test_children_committed_by_a_dead_host_but_never_reported_are_adopted_and_activated():
    parts = Parts(hosts=1)
    again, _ = recovery(parts)
    parts.tree("p")
    parts.registry.deliver("p", "a step", parts.out)
    # The step that launched p.0 and p.1 was committed; its Spawned events died.
    store_process(parts, "p", children=("p.0", "p.1"))
    store_process(parts, "p.0", ProcessState.CREATED, parent="p")
    store_process(parts, "p.1", ProcessState.FINISHED, parent="p")
    parts.take()
    assert list(again.host_restarted(0, 3, parts.store, parts.out)) == []
    assert parts.registry["p"].children == ["p.0", "p.1"]
    assert parts.registry["p.0"].result is None and parts.registry["p.0"].active
    assert parts.registry["p.1"].result == result("p.1")
    assert parts.out.delivered("p.0") == [("p.0", Activate())]
    assert ("p", ChildFinished("p.1", result("p.1"))) in parts.out.delivered("p")


def test_a_process_that_ended_in_the_store_is_handed_back_to_finish_not_reactivated():
    parts = Parts(hosts=1)
    again, _ = recovery(parts)
    parts.tree("done")
    parts.registry.deliver("done", "a step", parts.out)
    store_process(parts, "done", ProcessState.FINISHED)  # its Finished event died
    parts.take()
    [ending] = list(again.host_restarted(0, 3, parts.store, parts.out))
    assert isinstance(ending, StoredEnding)
    assert ending.status.state is ProcessState.FINISHED and ending.result == result("done")
    assert parts.out.delivered() == []


def test_a_new_process_whose_first_write_was_committed_is_answered_and_not_rewritten():
    parts = Parts(hosts=1)
    again, launches = recovery(parts)
    new = Gate()
    launches.start(new, None, "client", parts.out)
    parts.store.write_staged([launches.first_write(new.pid)])  # committed, not reported
    parts.take()
    assert list(again.host_restarted(0, 3, parts.store, parts.out)) == []
    assert parts.out.sends == [("client", Launched(new.pid))]
    assert parts.out.delivered(new.pid) == [(new.pid, Activate(None, None))]
    assert launches.first_write(new.pid) is None


def test_a_passivated_waiting_process_of_a_dead_host_stays_on_disk():
    parts = Parts(hosts=1)
    again, _ = recovery(parts)
    parts.tree("resting")
    parts.registry.deliver("resting", "a message", parts.out)
    parts.out.ready_batches()  # sent, and taken by its host
    parts.out.took(0)
    parts.registry.passivated("resting", parts.out)  # its host released it: nothing in flight
    parts.take()
    assert list(again.host_restarted(0, 3, parts.store, parts.out)) == []
    assert parts.out.delivered() == []
    assert parts.registry["resting"].restarts == 0
