"""One Deliver in flight per host: what the supervisor decides meanwhile waits for
the host's Took and leaves as one batch, in order (see ``_outgoing``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from prunus.actors._host_messages import HostEvents, Took
from prunus.actors._messages import PauseRequest
from prunus.actors._outgoing import Outgoing
from prunus.actors._wire import pack_events, unpack_events


def test_a_hosts_next_batch_waits_until_it_took_the_last_one_then_leaves_whole():
    out = Outgoing()
    out.deliver(0, "a", "first")
    assert out.ready_batches() == [(0, [("a", "first")])]
    out.deliver(0, "a", "second")
    out.deliver(0, "b", "third")
    assert out.ready_batches() == []  # host 0 has not taken "first" yet
    out.took(0)
    assert out.ready_batches() == [(0, [("a", "second"), ("b", "third")])]
    assert out.batches == {}


def test_a_busy_host_holds_back_only_its_own_batch():
    out = Outgoing()
    out.deliver(0, "a", 1)
    out.ready_batches()
    out.deliver(0, "a", 2)
    out.deliver(1, "b", 3)
    assert out.ready_batches() == [(1, [("b", 3)])]
    assert out.batches == {0: [("a", 2)]}


def test_a_control_does_not_wait_for_the_took_and_takes_what_was_before_it_along():
    out = Outgoing(urgent=frozenset({PauseRequest}))
    out.deliver(0, "a", "first")
    out.ready_batches()
    pause = PauseRequest("b")
    out.deliver(0, "a", "second")
    out.deliver(0, "b", pause)
    assert out.ready_batches() == [(0, [("a", "second"), ("b", pause)])]  # in flight or not
    out.deliver(0, "a", "third")
    out.took(0)
    assert out.ready_batches() == []  # one Deliver is still not taken
    out.took(0)
    assert out.ready_batches() == [(0, [("a", "third")])]


def test_a_dead_hosts_window_opens_again_for_the_host_that_replaces_it():
    out = Outgoing()
    out.deliver(0, "a", 1)
    out.ready_batches()
    out.deliver(0, "a", 2)
    out.drop_host(0)  # died: its processes are re-derived on restart
    assert out.batches == {}
    out.deliver(0, "a", "activate")
    assert out.ready_batches() == [(0, [("a", "activate")])]


@given(st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=60))
def test_every_delivery_leaves_once_in_order_with_at_most_one_batch_in_flight(steps):
    out = Outgoing()
    decided: dict[int, list[int]] = {0: [], 1: [], 2: []}
    sent: dict[int, list[int]] = {0: [], 1: [], 2: []}
    flying: set[int] = set()

    def send_ready() -> None:
        for index, items in out.ready_batches():
            assert index not in flying  # never a second batch before a Took
            flying.add(index)
            sent[index].extend(message for _, message in items)

    for number, (host, took) in enumerate(steps):
        if took and host in flying:
            flying.discard(host)
            out.took(host)
        else:
            out.deliver(host, f"p{host}", number)
            decided[host].append(number)
        send_ready()
    for host in list(flying):
        flying.discard(host)
        out.took(host)
    send_ready()
    assert sent == decided  # each once, in the order decided


def test_took_crosses_os_processes_as_plain_data():
    crossed = unpack_events(pack_events((Took(3),)))
    assert crossed == HostEvents((Took(3),))
