"""The parts wired together, driven as the shell drives them, without an actor system."""

from __future__ import annotations

from typing import NamedTuple

from prunus.actors._control import KILL_PREFIX
from prunus.actors._host_messages import (
    Activate,
    Activated,
    ActivationFailed,
    Finished,
    HostEvents,
    Passivated,
    Reply,
    Spawned,
    Took,
)
from prunus.actors._host_pool import HostPool
from prunus.actors._members import MEMBER_CAPABILITY, PRUNUS_CAPABILITIES
from prunus.actors._messages import (
    ControlReply,
    ErrorReply,
    KillRequest,
    Launch,
    Launched,
    PauseRequest,
    PlayRequest,
    WaitFor,
    WaitResult,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._persisting import status_record
from prunus.actors._supervision import Supervision
from prunus.engine import ProcessState
from prunus.persistence import MemoryStore
from tests.actors.helpers import ME, Gate, ended, status


class Runtime:
    """A Supervision over a MemoryStore with one host, and the host's side by hand."""

    def __init__(self, passivate: bool = True) -> None:
        self.store = MemoryStore()
        hosts = HostPool()
        hosts.started(hosts.add(), "host-0")
        self.sv = Supervision(self.store, ME, hosts, passivate=passivate, restart_limit=3)

    def launch(self, *, passivated: bool) -> str:
        """Launch a Gate; its host commits the first write, and maybe passivates it."""
        process = Gate()
        self.sv.handle(Launch(process), "client")
        [(host, [(pid, activate)])] = self.sv.out.ready_batches()  # sent, as by the shell
        self.store.write_staged([activate.first_write])
        events = (Took(host), Activated(pid)) + ((Passivated(pid),) if passivated else ())
        self.sv.handle(HostEvents(events), "host-0")
        assert self.take().sends == [("client", Launched(pid))]
        return pid

    def take(self) -> Taken:
        """What was decided so far (the shell would send it now), then start afresh."""
        out = self.sv.out  # the parts hold this very object: emptied, not replaced
        taken = Taken(list(out.sends), out.delivered())
        out.sends.clear()
        out.batches.clear()
        out.timers.clear()
        return taken


class Taken(NamedTuple):
    sends: list
    delivered: list


def test_a_passivated_process_is_paused_and_played_from_its_checkpoint_without_its_host():
    runtime = Runtime()
    pid = runtime.launch(passivated=True)
    runtime.sv.handle(PauseRequest(pid), "client")
    taken = runtime.take()
    assert taken.delivered == []  # no activation
    [(to, reply)] = taken.sends
    assert to == "client" and reply.ok and reply.status.paused
    assert runtime.store.get_record(pid)["paused"] is True
    assert runtime.sv.registry[pid].status.paused
    runtime.sv.handle(PlayRequest(pid), "client")
    taken = runtime.take()
    assert taken.sends[0][1].ok and not taken.sends[0][1].status.paused
    assert taken.delivered == [(pid, Activate())]  # runnable again: its host loads it


def test_a_passivated_process_is_killed_from_its_checkpoint_and_its_waiters_hear_at_once():
    runtime = Runtime()
    pid = runtime.launch(passivated=True)
    runtime.sv.handle(WaitFor(pid, 9), "waiter")
    runtime.sv.handle(KillRequest(pid, "stop"), "client")
    taken = runtime.take()
    assert taken.delivered == []
    [(waiter, waited), (asker, reply)] = taken.sends
    assert waiter == "waiter" and isinstance(waited, WaitResult)
    assert waited.result.state is ProcessState.KILLED
    assert asker == "client" and reply.ok and reply.status.state is ProcessState.KILLED
    assert runtime.store.get("meta", KILL_PREFIX + pid) is None  # stored KILLED instead


def test_a_kill_for_a_process_its_host_holds_is_recorded_before_it_is_sent():
    runtime = Runtime()
    pid = runtime.launch(passivated=False)
    runtime.sv.handle(KillRequest(pid, "stop"), "client")
    assert runtime.take().delivered == [(pid, KillRequest(pid, "stop", reply_to="client"))]
    assert runtime.store.get("meta", KILL_PREFIX + pid) == "stop"


def test_a_kill_during_a_launch_in_flight_kills_the_new_child_and_answers_after_it():
    runtime = Runtime(passivate=False)
    pid = runtime.launch(passivated=False)
    runtime.sv.handle(KillRequest(pid, "stop"), "client")
    runtime.take()
    child = f"{pid}.0"
    killed = status(pid, ProcessState.KILLED, children=(child,), text="stop")
    runtime.sv.handle(
        HostEvents(
            (
                Spawned(status(child, ProcessState.CREATED, parent=pid)),
                Finished(*ended(pid, ProcessState.KILLED, why="stop")),
                Reply("client", ControlReply(pid, True, killed)),
            )
        ),
        "host-0",
    )
    taken = runtime.take()
    assert taken.sends == []  # held until the child has answered too
    assert (child, KillRequest(child, f"parent {pid} was killed: stop", reply_to=ME)) in (
        taken.delivered
    )
    child_killed = status(child, ProcessState.KILLED, parent=pid)
    runtime.sv.handle(
        HostEvents(
            (
                Finished(*ended(child, ProcessState.KILLED, parent=pid)),
                Reply(ME, ControlReply(child, True, child_killed)),
            )
        ),
        "host-0",
    )
    assert runtime.take().sends == [("client", ControlReply(pid, True, killed))]


def test_a_process_that_cannot_be_loaded_ends_excepted_and_its_launch_hears_why():
    runtime = Runtime()
    process = Gate()
    runtime.sv.handle(Launch(process), "client")
    reason = f"cannot resume process {process.pid}: broken"
    runtime.sv.handle(HostEvents((ActivationFailed(process.pid, reason),)), "host-0")
    [(to, reply)] = runtime.take().sends
    assert to == "client" and reply == ErrorReply("CheckpointError", process.pid, reason)
    assert runtime.sv.registry[process.pid].status.state is ProcessState.EXCEPTED
    assert runtime.store.get_record(process.pid)["state"] == ProcessState.EXCEPTED.value
    assert runtime.sv.launches.activation_failures == 1


def test_a_control_reaches_children_the_store_has_before_their_spawned_event():
    runtime = Runtime()
    pid = runtime.launch(passivated=False)
    child = f"{pid}.0"
    # The parent's step committed the child (a client reading the store sees it); the
    # host's Spawned event has not reached the supervisor yet.
    runtime.store.write(child, record=status_record(status(child, parent=pid), None))
    record = runtime.store.get_record(pid)
    runtime.store.write(pid, record={**record, "children": [child]})
    runtime.sv.handle(PauseRequest(pid), "client")
    assert child in runtime.sv.registry[pid].children
    delivered = [message for to, message in runtime.take().delivered if to == child]
    assert delivered[0] == Activate() and isinstance(delivered[1], PauseRequest)


def test_a_gone_members_processes_move_to_another_host_and_a_drain_counts_no_restart():
    runtime = Runtime()
    hosts = runtime.sv.hosts
    hosts.distributed = True
    hosts.members.update("admin-m", {MEMBER_CAPABILITY: "m", PRUNUS_CAPABILITIES: {}}, True, 1.0)
    hosts.started(hosts.add("m"), "host-on-m")
    pids = [runtime.launch(passivated=False) for _ in range(4)]
    on_m = [pid for pid in pids if runtime.sv.registry[pid].host == 1]
    assert on_m and len(on_m) < 4  # spread over both hosts
    hosts.members.drain("m")
    assert runtime.sv.move_processes(1, crashed=False) == len(on_m)
    activated = [pid for pid, message in runtime.take().delivered if type(message) is Activate]
    assert sorted(activated) == sorted(on_m)  # from their checkpoints, on host 0
    assert all(runtime.sv.registry[pid].host == 0 for pid in pids)
    assert all(runtime.sv.registry[pid].restarts == 0 for pid in on_m)
    assert hosts.loads == [4, 0] and hosts.retired == {1}
    assert hosts.place() == 0  # never the retired slot


def test_a_process_its_host_let_go_before_taking_a_message_for_it_is_controlled_there():
    # Issue 11: the host passivated the process in a slice that ended before the
    # Deliver holding a play for it arrived; taking that play loads the process again.
    # A pause decided in between must go to that host too: applied to the checkpoint
    # here, it was written over by the host's copy (paused, then read back unpaused;
    # a kill lost the same way left a killed process WAITING in the store).
    runtime = Runtime()
    pid = runtime.launch(passivated=False)
    runtime.sv.handle(PlayRequest(pid), "client")
    [(host, items)] = runtime.sv.out.ready_batches()  # the play leaves for its host
    assert items == [(pid, PlayRequest(pid, reply_to="client"))]
    runtime.sv.handle(HostEvents((Passivated(pid),)), "host-0")  # sent before it took it
    runtime.sv.handle(PauseRequest(pid), "client")
    assert runtime.sv.out.sends == []  # its host answers
    [(_, items)] = runtime.sv.out.ready_batches()  # urgent: it does not wait for a Took
    assert items == [(pid, PauseRequest(pid, reply_to="client"))]
    assert runtime.store.get_record(pid)["paused"] is False  # not edited here
    # Once its host took the play and the pause, and let it go again, it is passivated.
    events = (Took(host), Activated(pid), Took(host), Passivated(pid))
    runtime.sv.handle(HostEvents(events), "host-0")
    assert not runtime.sv.registry[pid].active
    runtime.sv.handle(KillRequest(pid, "stop"), "client")
    taken = runtime.take()
    assert taken.delivered == [] and taken.sends[0][1].ok  # killed here, from its checkpoint


def test_a_host_that_died_has_taken_every_deliver_it_was_sent():
    out = Outgoing()
    first = out.deliver(0, "p", "a message")
    out.ready_batches()
    second = out.deliver(0, "p", "another")  # waits for the first one's Took
    assert (first, second) == (1, 2) and not out.taken_all(0, first)
    out.drop_host(0)
    assert out.taken_all(0, second)
    third = out.deliver(0, "p", "on the new host")
    out.took(0)  # a late Took of the dead host's counts for nothing new
    assert third == 3 and not out.taken_all(0, third)
    out.ready_batches()
    out.took(0)
    assert out.taken_all(0, third)
