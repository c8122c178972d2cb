"""The registry's running counts always equal a walk over every entry."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from prunus.actors._listing import ListPage, ListQuery, page_of
from prunus.actors._listing_index import ListingIndex
from prunus.engine import ProcessState
from tests.actors.helpers import Parts, ended, status

PIDS = [f"p{i}" for i in range(6)]
STATES = [ProcessState.CREATED, ProcessState.RUNNING, ProcessState.WAITING]
TEXTS = [None, "waiting for nothing", "blocked: no module named x"]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.sampled_from(PIDS), st.booleans()),
        st.tuples(st.just("held"), st.sampled_from(PIDS), st.booleans()),
        st.tuples(
            st.just("changed"),
            st.sampled_from(PIDS),
            st.tuples(st.sampled_from(STATES), st.booleans(), st.sampled_from(TEXTS)),
        ),
        st.tuples(st.just("deliver"), st.sampled_from(PIDS), st.none()),
        st.tuples(st.just("passivated"), st.sampled_from(PIDS), st.none()),
        st.tuples(st.just("blocked"), st.sampled_from(PIDS), st.none()),
        st.tuples(st.just("finished"), st.sampled_from(PIDS), st.booleans()),
        st.tuples(st.just("ended_known"), st.sampled_from(PIDS), st.none()),
    ),
    max_size=40,
)


def walked(parts: Parts) -> tuple[dict[str, int], int, int, list[tuple[str, str]]]:
    by_state: dict[str, int] = {}
    active = paused = 0
    blocked = []
    for pid, entry in parts.registry.entries.items():
        name = entry.status.state.name
        by_state[name] = by_state.get(name, 0) + 1
        active += entry.active
        if entry.result is None:
            paused += entry.status.paused
            if (entry.status.status or "").startswith("blocked:"):
                blocked.append((pid, entry.status.status))
    return by_state, active, paused, sorted(blocked)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_counts_and_blocked_processes_match_a_walk_over_the_registry_after_any_changes(ops):
    parts = Parts(hosts=2)
    registry = parts.registry
    listing = ListingIndex(registry.entries, registry.by_state)  # as the supervisor's
    for op, pid, arg in ops:
        known = registry.get(pid)
        if op == "register" and known is None:
            registry.register(status(pid, paused=arg))
        elif op == "held" and known is None:
            registry.register_held(status(pid, paused=arg))
        elif op == "changed":
            state, paused, text = arg
            registry.state_changed(status(pid, state, paused=paused, text=text))
        elif op == "deliver" and known is not None and known.result is None and known.host >= 0:
            registry.deliver(pid, "a message", parts.out)
        elif op == "passivated":
            registry.passivated(pid, parts.out)
        elif op == "blocked":
            registry.blocked(pid, "blocked: the class is gone")
        elif op == "finished" and known is not None:
            state = ProcessState.KILLED if arg else ProcessState.FINISHED
            registry.finished(*ended(pid, state), parts.out)
        elif op == "ended_known":
            registry.register_ended(*ended(pid, ProcessState.FINISHED))
        by_state, active, paused, blocked = walked(parts)
        assert registry.counts() == (by_state, active, paused)
        assert sorted(registry.blocked_now()) == blocked
        request = ListPage(ListQuery(), None, 2)
        statuses = [entry.status for entry in registry.entries.values()]
        assert listing.page(request).matching == page_of(statuses, request).matching


def test_a_daemon_status_request_does_not_walk_the_registry():
    parts = Parts(hosts=1)
    for index in range(50):
        parts.registry.register(status(f"w{index}"))
    parts.registry.entries.clear()  # what a walk would see: nothing
    assert parts.registry.counts() == ({"WAITING": 50}, 0, 0)
