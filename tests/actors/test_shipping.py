"""Writes shipped by a member's host, committed by the leader's desk, without Thespian:
a real LMDB store on the leader's side, the member's staging on the other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prunus.actors._host_messages import Activate, Barrier, ChildFinished
from prunus.actors._host_pool import HostPool
from prunus.actors._persisting import ProcessWriter
from prunus.actors._shipping import (
    CommitDesk,
    FetchCheckpoints,
    ShippingCommit,
    ShipWrites,
    checkpoints_to_fetch,
)
from prunus.engine import ProcessDriver, load_process, save_process
from prunus.persistence import LmdbStore, stage_writes
from tests.members.workflows import WhereAmI


@pytest.fixture
def store(tmp_path) -> Iterator[LmdbStore]:
    opened = LmdbStore(tmp_path / "leader")
    try:
        yield opened
    finally:
        opened.close()


def epochs(store: LmdbStore, count: int) -> list[str]:
    """The fence tokens of ``count`` assignments on members, as the supervisor makes them."""
    hosts = HostPool()
    hosts.generation = store.new_generation()
    for _ in range(count):
        hosts.new_fence(hosts.add("member:1"))
    return [hosts.fences[index] for index in range(count)]


def test_a_member_hosts_writes_are_staged_and_committed_only_by_the_desk(store):
    staging = ShippingCommit()
    staging.write("p", record={"state": "running"}, log_lines=["one"])
    staging.flush(durable=True)  # a local host would commit here: a member's does not
    assert staging.pending and store.get_record("p") is None
    shipment = staging.take(seq=7)
    assert not staging.pending and shipment.seq == 7
    answer = CommitDesk(store).commit(shipment)
    assert answer.seq == 7 and answer.refused is None
    assert store.get_record("p") == {"state": "running"}
    assert [line for _, line in store.get_logs("p")] == ["one"]


def test_writes_from_an_older_epoch_are_refused_whole_and_the_current_ones_stored(store):
    old, new = epochs(store, 2)
    desk = CommitDesk(store)
    first = stage_writes([("p", {"record": {"state": "running", "step": 1}})])
    assert desk.commit(ShipWrites(old, 1, tuple(first))).refused is None
    store.fence([old])  # the member was declared lost: its processes go elsewhere
    late = stage_writes(
        [("p", {"record": {"state": "stale"}}), ("child", {"record": {"state": "created"}})]
    )
    answer = desk.commit(ShipWrites(old, 2, tuple(late)))
    assert answer.refused is not None and "fenced" in answer.refused and not answer.retry
    assert store.get_record("p") == {"state": "running", "step": 1}
    assert store.get_record("child") is None  # no child launched by the stale step
    again = stage_writes([("p", {"record": {"state": "running", "step": 2}})])
    assert desk.commit(ShipWrites(new, 1, tuple(again))).refused is None
    assert store.get_record("p") == {"state": "running", "step": 2}


def test_a_shipment_of_an_earlier_leader_is_refused(store):
    (before,) = epochs(store, 1)
    store.new_generation()  # the leader restarted
    shipment = ShipWrites(before, 1, tuple(stage_writes([("p", {"record": {"x": 1}})])))
    assert CommitDesk(store).commit(shipment).refused is not None
    assert store.get_record("p") is None


def test_a_replayed_step_does_not_overwrite_a_child_that_has_a_record(store):
    parent, child = WhereAmI(inputs={"delay": 0.0}), WhereAmI(inputs={"delay": 0.0})
    staging = ShippingCommit()
    writer = ProcessWriter(staging)
    store.write(child.pid, record={"state": "finished", "mark": "ran"})  # it went on
    writer.write(parent, ProcessDriver(parent).status(), None, [child], [])
    shipment = staging.take(seq=1)
    assert child.pid in shipment.only_new
    assert CommitDesk(store).commit(shipment).refused is None
    assert store.get_record(child.pid) == {"state": "finished", "mark": "ran"}
    assert store.get_record(parent.pid)["pid"] == parent.pid  # the parent's step is stored


def test_a_new_childs_first_write_is_stored_with_its_parents_step(store):
    parent, child = WhereAmI(inputs={"delay": 0.0}), WhereAmI(inputs={"delay": 0.0})
    staging = ShippingCommit()
    ProcessWriter(staging).write(parent, ProcessDriver(parent).status(), None, [child], [])
    assert CommitDesk(store).commit(staging.take(seq=1)).refused is None
    assert store.get_record(child.pid)["pid"] == child.pid
    assert load_process(store.load_checkpoint(child.pid)).pid == child.pid


def test_a_member_host_activates_from_the_checkpoint_the_desk_hands_out(store):
    process = WhereAmI(inputs={"delay": 0.25})
    store.write(process.pid, checkpoint=save_process(process))
    answer = CommitDesk(store).checkpoints(FetchCheckpoints(3, (process.pid, "missing")))
    assert answer.seq == 3 and dict(answer.blobs)["missing"] is None
    staging = ShippingCommit()
    staging.store.add(answer.blobs)
    assert process.pid in staging.store and "missing" in staging.store
    loaded = load_process(staging.store.load_checkpoint(process.pid))
    assert loaded.pid == process.pid and loaded.inputs.delay == 0.25
    assert process.pid not in staging.store  # used once: a later activation asks again
    assert staging.store.load_checkpoint("missing") is None


def test_a_member_host_fetches_only_what_it_must_load_from_the_store():
    first = stage_writes([("new", {"record": {"state": "created"}})])[0]
    items = [
        ("new", Activate(first_write=first)),  # brings its own checkpoint
        ("submitted", Activate(checkpoint=b"stored by the supervisor")),  # this one too
        ("new", ChildFinished("c", None)),  # (handled by the cell just made)
        ("restarted", Activate()),  # a host restart: from the store
        ("passive", ChildFinished("c", None)),  # a passivated parent hears of a child
        ("passive", ChildFinished("d", None)),
        ("running", ChildFinished("c", None)),  # has a cell here
        ("fetched", ChildFinished("c", None)),  # fetched already for this Deliver
        ("anyone", Barrier(1)),
    ]
    fetch = checkpoints_to_fetch(items, active={"running"}, known={"fetched"})
    assert fetch == ("restarted", "passive")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=1, max_size=12))
def test_the_store_holds_exactly_the_shipments_of_epochs_not_fenced_when_they_arrived(
    tmp_path_factory, shipments
):
    """Shipments from three assignments arrive in any order, with fences in between."""
    store = LmdbStore(tmp_path_factory.mktemp("leader"))
    try:
        tokens = epochs(store, 3)
        desk, fenced, expected = CommitDesk(store), set(), {}
        for seq, (epoch, fence_first) in enumerate(shipments):
            if fence_first:
                store.fence([tokens[epoch]])
                fenced.add(epoch)
            pid = f"p{seq}"
            writes = tuple(stage_writes([(pid, {"record": {"epoch": epoch}})]))
            answer = desk.commit(ShipWrites(tokens[epoch], seq, writes))
            assert (answer.refused is None) == (epoch not in fenced)
            if epoch not in fenced:
                expected[pid] = {"epoch": epoch}
        assert dict(store.records()) == expected
    finally:
        store.close()
