"""Processes held by ``when=``, through the supervisor's parts, without an actor system."""

from __future__ import annotations

from prunus.actors._host_messages import Activate, Barrier, Finished, HostEvents
from prunus.actors._host_pool import HostPool
from prunus.actors._messages import (
    ErrorReply,
    KillRequest,
    Launch,
    Launched,
    PlayRequest,
    Reload,
)
from prunus.actors._persisting import ProcessWriter, status_record
from prunus.actors._supervision import Supervision
from prunus.conditions import Pid
from prunus.engine import ProcessDriver, ProcessState
from prunus.persistence import MemoryStore
from tests.actors.helpers import ME, Gate, ended
from tests.actors.test_supervision import Runtime


def held_gate(when) -> Gate:
    process = Gate()
    ProcessDriver(process).launch_condition = when.to_data()
    return process


def test_a_held_launch_is_stored_with_its_condition_answered_and_given_to_no_host():
    runtime = Runtime()
    first = Pid(runtime.launch(passivated=True))
    process = held_gate(first.finished_ok)
    runtime.sv.handle(Launch(process), "client")
    taken = runtime.take()
    assert taken.sends == [("client", Launched(process.pid))]
    assert taken.delivered == []
    record = runtime.store.get_record(process.pid)
    assert record["state"] == "created" and record["when"] == ["finished_ok", first]
    runtime.sv.handle(PlayRequest(process.pid), "client")  # played: still held
    assert runtime.take().delivered == []
    assert runtime.store.get_record(process.pid)["when"] == ["finished_ok", first]
    runtime.sv.handle(HostEvents((Finished(*ended(first, ProcessState.FINISHED)),)), "host-0")
    assert runtime.take().delivered == [(process.pid, Activate())]


def test_a_condition_that_can_never_hold_ends_the_process_killed_on_its_record():
    runtime = Runtime()
    first = Pid(runtime.launch(passivated=True))
    process = held_gate(first.failed)
    runtime.sv.handle(Launch(process), "client")
    runtime.take()
    runtime.sv.handle(HostEvents((Finished(*ended(first, ProcessState.FINISHED)),)), "host-0")
    assert runtime.take().delivered == []
    record = runtime.store.get_record(process.pid)
    assert record["state"] == "killed" and record["when"] == ["failed", first]
    assert record["status"].startswith(f"cancelled: {first} FINISHED")


def test_a_condition_naming_an_unknown_process_stores_nothing():
    runtime = Runtime()
    process = held_gate(Pid("ghost").completed)
    runtime.sv.handle(Launch(process), "client")
    [(to, reply)] = runtime.take().sends
    assert to == "client" and isinstance(reply, ErrorReply)
    assert reply.kind == "ConditionError" and "unknown process 'ghost'" in reply.message
    assert runtime.store.get_record(process.pid) is None


def test_a_restart_decides_held_processes_against_the_stored_states():
    store = MemoryStore()
    done, live = Gate(), Gate()
    writer = ProcessWriter(store)
    writer.write_new([done, live])
    finished_status, finished_result = ended(done.pid, ProcessState.FINISHED)
    store.write(done.pid, record=status_record(finished_status, finished_result))
    released = held_gate(Pid(done.pid).finished_ok)
    cancelled = held_gate(Pid(done.pid).killed)
    waiting = held_gate(Pid(live.pid).completed)
    writer.write_new([released, cancelled, waiting])
    hosts = HostPool()
    hosts.started(hosts.add(), "host-0")
    supervision = Supervision(store, ME, hosts, passivate=True, restart_limit=3)
    supervision.handle(Reload(True), "runtime")
    delivered = supervision.out.delivered()
    assert (released.pid, Activate()) in delivered
    assert (live.pid, Activate()) in delivered
    assert not any(pid in (cancelled.pid, waiting.pid) for pid, _ in delivered)
    assert delivered[-1][1] == Barrier(1)  # decided before the reload is answered
    assert store.get_record(cancelled.pid)["state"] == "killed"
    assert supervision.registry[waiting.pid].status.status == f"waiting for: {live.pid}.completed"


def test_a_kill_edited_into_a_passivated_checkpoint_cancels_what_waits_on_its_success():
    """The supervisor kills a passivated Gate (no hooks) by editing its checkpoint; the
    Finished it reports decides the held process as a host's would: cancelled."""
    runtime = Runtime()
    first = Pid(runtime.launch(passivated=True))
    process = held_gate(first.finished_ok)
    runtime.sv.handle(Launch(process), "client")
    runtime.take()
    runtime.sv.handle(KillRequest(first, "stop"), "client")
    taken = runtime.take()
    assert taken.delivered == []  # killed here, from its checkpoint: no host involved
    assert runtime.store.get_record(first)["state"] == "killed"
    record = runtime.store.get_record(process.pid)
    assert record["state"] == "killed" and record["status"].startswith(f"cancelled: {first}")
