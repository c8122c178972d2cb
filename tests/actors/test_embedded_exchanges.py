"""The embedded runtime's one-exchange requests, driven through the parts without an
actor system: a Run answers only the end (or why it could not start), a LaunchMany
answers once, and a batch's error reaches its asker."""

from __future__ import annotations

from prunus.actors._embedded_messages import (
    LaunchMany,
    LiveDescendants,
    LiveDescendantsReply,
    Run,
    Unanswered,
)
from prunus.actors._host_messages import Activate, Activated, Finished, HostEvents, Spawned
from prunus.actors._launches import BatchLaunch
from prunus.actors._messages import ErrorReply, Launched, LaunchedMany, WaitResult
from prunus.actors._outgoing import Outgoing
from prunus.engine import ProcessState
from tests.actors.helpers import Gate, ended, status
from tests.actors.test_supervision import Runtime


def test_a_run_is_answered_once_with_its_result_and_never_with_its_pid():
    runtime = Runtime()
    process = Gate()
    runtime.sv.handle(Run(process, 7), "client")
    taken = runtime.take()
    [(pid, activate)] = taken.delivered
    assert pid == process.pid and activate.quiet and activate.process is process
    assert taken.sends == []
    runtime.store.write_staged([activate.first_write])
    finished = Finished(*ended(pid, ProcessState.FINISHED))
    runtime.sv.handle(HostEvents((Activated(pid), finished)), "host-0")
    [(to, reply)] = runtime.take().sends
    assert to == "client" and isinstance(reply, WaitResult) and reply.request_id == 7
    assert reply.result.state is ProcessState.FINISHED


def test_a_launch_is_not_quiet_and_a_run_that_cannot_start_says_why_and_waits_for_nothing():
    runtime = Runtime()
    process = Gate()
    process._prunus_raw_inputs = {"x": object()}  # cannot be stored
    runtime.sv.handle(Run(process, 3), "client")
    taken = runtime.take()
    assert taken.delivered == []
    [(to, reply)] = taken.sends
    assert to == "client" and isinstance(reply, ErrorReply) and reply.kind == "CodecError"
    assert process.pid not in runtime.sv.registry and runtime.sv.waits.waiting_on(process.pid) == 0
    runtime.sv.handle(LaunchMany((Gate(),)), "client")
    [(_, activate)] = runtime.take().delivered
    assert not activate.quiet


def test_a_launch_many_is_answered_once_and_stops_at_an_item_that_cannot_start():
    runtime = Runtime()
    good, bad, after = Gate(), Gate(), Gate()
    bad._prunus_raw_inputs = {"x": object()}
    runtime.sv.handle(LaunchMany((good, bad, after)), "client")
    taken = runtime.take()
    assert [pid for pid, _ in taken.delivered] == [good.pid]  # the one after never starts
    [(to, reply)] = taken.sends
    assert to == "client" and reply.kind == "CodecError"
    runtime.sv.handle(LaunchMany((Gate(), Gate())), "batch")
    delivered = runtime.take().delivered
    runtime.sv.handle(HostEvents(tuple(Activated(pid) for pid, _ in delivered)), "host-0")
    [(to, reply)] = runtime.take().sends
    assert to == "batch" and reply == LaunchedMany(tuple(pid for pid, _ in delivered))


def test_live_descendants_names_the_unended_ones_deepest_first():
    runtime = Runtime()
    parent = Gate()
    runtime.sv.handle(Run(parent, 1), "client")
    [(pid, _)] = runtime.take().delivered
    runtime.sv.handle(HostEvents((Activated(pid),)), "host-0")
    child, grandchild = status(f"{pid}.1", parent=pid), status(f"{pid}.1.1", parent=f"{pid}.1")
    runtime.sv.handle(HostEvents((Spawned(child, None), Spawned(grandchild, None))), "host-0")
    runtime.take()
    runtime.sv.handle(LiveDescendants(pid), "client")
    runtime.sv.handle(LiveDescendants("nobody"), "client")
    [(_, live), (_, unknown)] = runtime.take().sends
    assert live == LiveDescendantsReply((grandchild.pid, child.pid))
    assert unknown == LiveDescendantsReply(())


def test_what_is_sent_to_a_relay_goes_to_its_asker_or_nowhere():
    out = Outgoing()
    quiet = Unanswered("client")
    out.send(quiet, Launched("p"))
    out.send(quiet, LaunchedMany(("p",)))
    error = ErrorReply("CodecError", "p", "cannot store x")
    out.send(quiet, error)
    out.send(BatchLaunch("batch", ("p", "q")), error)
    out.send("plain", Launched("p"))
    assert out.sends == [("client", error), ("batch", error), ("plain", Launched("p"))]
    assert Activate().quiet is False
