"""The host pool: placement by load, and when a dead host is started again."""

from __future__ import annotations

from prunus.actors._host_pool import BACKOFF_SECONDS, CRASH_WINDOW, HostPool


def pool(count: int) -> HostPool:
    hosts = HostPool()
    for index in range(count):
        hosts.started(hosts.add(), f"host-{index}")
    return hosts


def test_new_processes_go_to_the_least_loaded_host():
    hosts = pool(3)
    hosts.loads[:] = [2, 0, 1]
    assert hosts.place() == 1
    assert hosts.loads == [2, 1, 1]


def test_ties_in_load_rotate_so_short_lived_processes_spread_over_every_host():
    hosts = pool(3)
    chosen = []
    for _ in range(6):
        index = hosts.place()
        chosen.append(index)
        hosts.release(index)  # ended at once: load stays zero everywhere
    assert sorted(chosen) == [0, 0, 1, 1, 2, 2]


def test_a_dead_host_restarts_at_once_until_it_keeps_dying_then_after_a_back_off():
    hosts = pool(2)
    delays = [hosts.died(0, now=100.0 + i) for i in range(6)]
    assert delays == [0.0] * 5 + [BACKOFF_SECONDS]
    assert hosts.addresses[0] is None and hosts.index_of("host-0") is None
    # deaths long ago do not count: a host that died once in a while restarts at once
    assert hosts.died(0, now=100.0 + 6 + CRASH_WINDOW) == 0.0


def test_hosts_are_found_by_address_and_report_their_os_pids_in_index_order():
    hosts = pool(2)
    hosts.ready(1, 4242)
    assert hosts.index_of("host-1") == 1
    assert hosts.index_of("somebody else") is None
    assert hosts.os_pids() == (0, 4242)


def test_a_child_goes_to_its_parents_host_while_the_hosts_stay_balanced_within_one():
    hosts = pool(2)
    hosts.loads[:] = [1, 0]  # the parent on host 0
    chosen = [hosts.place(near=0) for _ in range(4)]
    assert chosen == [0, 1, 0, 1]
    assert hosts.loads == [3, 2]


def test_a_parents_host_that_takes_no_new_processes_is_passed_over():
    hosts = pool(2)
    hosts.retired.add(0)
    assert hosts.place(near=0) == 1
