"""Members and placement by capability, driven without Thespian: the books the leader's
supervisor keeps (members, what they offer and hold) and the registry's waiting line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prunus.actors._host_messages import Activate
from prunus.actors._host_pool import HostPool
from prunus.actors._members import (
    MEMBER_CAPABILITY,
    PRUNUS_CAPABILITIES,
    UNPLACED,
    Members,
    describe_requirements,
    fits,
    parse_capabilities,
    requirements_for,
)
from prunus.actors._outgoing import Outgoing
from prunus.actors._registry import Registry
from prunus.engine import ProcessState
from tests.actors.helpers import ended, status
from tests.members.workflows import NeedsGpu


def joined(members: Members, name: str, **capabilities) -> None:
    published = {MEMBER_CAPABILITY: name, PRUNUS_CAPABILITIES: capabilities}
    members.update(f"admin-{name}", published, True, now=1.0)


def cluster(**members: dict) -> HostPool:
    """A daemon's pool: one leader host, then one host on each member."""
    hosts = HostPool()
    hosts.distributed = True
    hosts.started(hosts.add(), "leader-host")
    for name, capabilities in members.items():
        joined(hosts.members, name, **capabilities)
        hosts.started(hosts.add(name), f"host-on-{name}")
    return hosts


def test_capabilities_parse_numbers_as_counts_and_anything_else_as_labels():
    assert parse_capabilities(["gpu=2", "site=sns", "cores = 16"]) == {
        "gpu": 2,
        "site": "sns",
        "cores": 16,
    }


@pytest.mark.parametrize(
    "pair, why",
    [("gpu", "expected KEY=NUMBER"), ("=1", "expected"), ("gpu=", "expected"), ("a b=1", "")],
)
def test_a_malformed_capability_is_refused_naming_it(pair, why):
    with pytest.raises(ValueError, match=f"bad capability {pair!r}.*{why}"):
        parse_capabilities([pair])


def test_a_capability_given_twice_is_refused():
    with pytest.raises(ValueError, match="gpu is given twice"):
        parse_capabilities(["gpu=1", "gpu=2"])


def test_counts_need_enough_free_units_and_labels_an_exact_match():
    offer = {"gpu": 2, "site": "sns"}
    assert fits(offer, {}, {"gpu": 2, "site": "sns"})
    assert not fits(offer, {"gpu": 1}, {"gpu": 2})
    assert not fits(offer, {}, {"site": "sn"})
    assert not fits(offer, {}, {"cores": 1})
    assert not fits({"site": "2"}, {}, {"site": 2})  # a label is not a count
    assert describe_requirements({"site": "sns", "gpu": 1}) == "gpu>=1, site=sns"


@given(
    have=st.integers(0, 8),
    used=st.integers(0, 8),
    want=st.integers(0, 8),
)
def test_a_count_fits_exactly_when_enough_units_are_free(have, used, want):
    assert fits({"gpu": have}, {"gpu": used}, {"gpu": want}) == (have - used >= want)


def test_a_system_that_is_not_a_prunus_member_is_ignored_and_a_lost_member_is_remembered():
    members = Members()
    assert members.update("other", {"Admin Port": 1}, True, now=1.0) is None
    joined(members, "m:1", gpu=1)
    assert members.names() == ["m:1"]
    lost = members.update("admin-m:1", {MEMBER_CAPABILITY: "m:1"}, False, now=5.0)
    assert lost is not None and lost.name == "m:1"
    assert len(members) == 0 and members.lost == [("m:1", 5.0)]


def test_a_requirement_goes_to_a_capable_member_and_holds_its_units_until_released():
    hosts = cluster(gpu={"gpu": 1}, cpu={"cores": 8})
    first = hosts.place({"gpu": 1})
    assert hosts.member_of[first] == "gpu"
    assert hosts.place({"gpu": 1}) is None  # its one gpu is held
    hosts.release(first, {"gpu": 1})
    assert hosts.member_of[hosts.place({"gpu": 1})] == "gpu"
    rows = {row["address"]: row for row in hosts.members_status()}
    assert rows["gpu"]["in_use"] == {"gpu": 1} and rows["gpu"]["processes"] == 1


def test_without_requirements_work_spreads_over_the_leader_and_every_member():
    hosts = cluster(a={}, b={})
    chosen = {hosts.place() for _ in range(3)}
    assert chosen == {0, 1, 2}


def test_the_embedded_runtime_ignores_requirements():
    hosts = HostPool()
    hosts.started(hosts.add(), "host-0")
    assert hosts.place({"gpu": 1}) == 0  # not distributed: no members to wait for


def test_a_lost_members_host_slots_are_retired_and_taken_again_when_it_rejoins():
    hosts = cluster(m={"gpu": 1})
    assert hosts.stays(0) and hosts.stays(1)
    hosts.members.update("admin-m", {MEMBER_CAPABILITY: "m"}, False, now=2.0)
    assert not hosts.stays(1) and hosts.stays(0)  # the leader's host always stays
    hosts.retire(1)
    assert hosts.on_member("m") == [] and hosts.place() == 0  # nothing goes to a retired slot
    for _ in range(10):  # it flaps: leaves and rejoins, again and again
        joined(hosts.members, "m", gpu=1)
        index = hosts.add("m")
        hosts.started(index, "host-on-m-again")
        hosts.members.update("admin-m", {MEMBER_CAPABILITY: "m"}, False, now=3.0)
        hosts.retire(index)
    assert len(hosts) == 2  # the pool did not grow


def test_a_draining_member_is_offered_nothing_new():
    hosts = cluster(a={"gpu": 1}, b={"gpu": 1})
    hosts.members.drain("a")
    assert not hosts.stays(1) and hosts.stays(2)
    assert {hosts.member_of[hosts.place({"gpu": 1})]} == {"b"}
    assert {hosts.place() for _ in range(6)} == {0, 2}
    assert hosts.members.candidates({}) == ["b"]
    assert [row["draining"] for row in hosts.members_status()] == [True, False]


def test_a_leader_without_hosts_places_work_only_on_members():
    hosts = HostPool()
    hosts.distributed = True
    assert hosts.place() is None  # no host at all yet: the process waits
    joined(hosts.members, "m")
    hosts.started(hosts.add("m"), "host-on-m")
    assert hosts.place() == 0


def test_a_process_with_no_host_at_all_waits_saying_for_what():
    hosts = HostPool()
    hosts.distributed = True
    registry = Registry(hosts)
    entry = registry.register(status("p"))
    assert entry.host == UNPLACED and entry.status.status == "waiting for a host"


def test_an_unplaceable_process_waits_with_a_status_saying_so_then_is_activated_when_placed():
    hosts = cluster(cpu={"cores": 8})
    registry = Registry(hosts)
    out = Outgoing()
    entry = registry.register(status("p"), {"gpu": 1})
    assert entry.host == UNPLACED and registry.waiting()
    assert entry.status.status == "waiting for a host with gpu>=1"
    registry.deliver("p", Activate(), out)
    assert out.delivered() == [] and not entry.active  # nothing goes to no host
    assert registry.place_waiting(out) == []  # still nobody with a gpu
    joined(hosts.members, "gpu", gpu=1)
    hosts.started(hosts.add("gpu"), "host-on-gpu")
    assert registry.place_waiting(out) == ["p"]
    assert hosts.member_of[entry.host] == "gpu" and entry.status.status is None
    assert [type(m) for _, m in out.delivered("p")] == [Activate]
    assert not registry.waiting()


def test_a_process_ending_gives_back_what_it_held_so_the_next_one_is_placed():
    hosts = cluster(gpu={"gpu": 1})
    registry = Registry(hosts)
    out = Outgoing()
    registry.register(status("a"), {"gpu": 1})
    waiting = registry.register(status("b"), {"gpu": 1})
    assert waiting.host == UNPLACED
    registry.finished(*ended("a", ProcessState.FINISHED), out)
    assert registry.place_waiting(out) == ["b"]


def test_a_launch_placement_replaces_the_class_requirements():
    path = NeedsGpu.qualified_name()
    assert requirements_for(path, None) == {"gpu": 1}
    assert requirements_for(path, {"site": "sns"}) == {"site": "sns"}
    assert requirements_for("no.such.module:Nothing", None) == {}


def test_spec_requires_takes_counts_and_labels_only():
    from prunus import Process

    class Bad(Process):
        @classmethod
        def define(cls, spec):
            super().define(spec)
            spec.requires(gpu=-1)

    with pytest.raises(ValueError, match=r"requires\(gpu=-1\): give a count"):
        Bad.spec()


def test_stored_placements_are_loaded_back_and_forgotten_when_their_process_ends(tmp_path):
    from prunus.actors._placements import StoredPlacements
    from prunus.persistence import LmdbStore

    with LmdbStore(tmp_path) as store:
        placements = StoredPlacements(store)
        placements.remember("p1", {"site": "sns"})
        placements.remember("p2", {"gpu": 2})
        placements.forget("p2")
        placements.forget("never-placed")  # (nothing stored: nothing written)
    with LmdbStore(tmp_path) as store:  # a restarted leader
        again = StoredPlacements(store)
        assert again.load() == {"p1": {"site": "sns"}}
        again.forget("p1")
        assert again.load() == {}


def test_a_process_log_says_where_it_runs_each_time_it_moves_and_a_lone_daemon_writes_nothing():
    from prunus.actors._ran_on import RanOn
    from prunus.persistence import MemoryStore

    store = MemoryStore()
    alone = HostPool()
    alone.distributed = True
    alone.started(alone.add(), "leader-host")
    quiet = RanOn(alone)
    quiet.activated("p", 0, "step")
    quiet.flush(store)
    assert store.get_logs("p") == []
    hosts = cluster(m={"gpu": 1})
    ran_on = RanOn(hosts)
    ran_on.activated("p", 1, None)
    ran_on.activated("p", 1, "step")  # passivated and back on the same member: no line
    ran_on.flush(store)
    ran_on.activated("p", 0, "step")  # moved to the leader
    ran_on.flush(store)
    assert [line for _, line in store.get_logs("p")] == [
        "[prunus] runs on member m",
        "[prunus] runs on the leader (from step 'step')",
    ]


def test_a_drain_is_answered_once_with_what_moved_and_only_if_it_was_asked():
    from prunus.actors._draining import Drained, Drains

    drains = Drains()
    assert drains.done("m") == []  # nobody asked: nothing to answer
    drains.start("m", "asker-1")
    drains.start("m", "asker-2")  # (a second stop while the first drains)
    drains.moved("m", 2)
    drains.moved("m", 1)
    drains.moved("other", 5)  # not draining: not counted anywhere
    assert "m" in drains and "other" not in drains
    assert drains.done("m") == [("asker-1", Drained("m", 3)), ("asker-2", Drained("m", 3))]
    assert drains.done("m") == [] and "m" not in drains
