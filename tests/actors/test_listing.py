"""Listing in pages: the supervisor filters and pages; pages add up to the whole list."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from prunus.actors._listing import ListPage, ListQuery, ProcessPage, page_of
from prunus.actors._listing_index import ListingIndex
from prunus.engine import ProcessState, ProcessStatus

NOW = 1_000_000.0


def status(pid, state="running", created=NOW, paused=False):
    return ProcessStatus(pid, "pkg.mod:Thing", ProcessState(state), paused, created=created)


STATUSES = [
    status("old", "finished", created=NOW - 7200),
    status("mid", "waiting", created=NOW - 600, paused=True),
    status("new", "running", created=NOW - 5),
    status("bad", "excepted", created=NOW - 1),
]


def pids(**query):
    return [s.pid for s in page_of(STATUSES, ListPage(ListQuery(**query))).statuses]


def test_a_listing_hides_ended_processes_unless_asked_and_keeps_the_newest_with_newest():
    assert pids() == ["mid", "new"]
    assert pids(include_ended=True) == ["old", "mid", "new", "bad"]
    assert pids(states=("EXCEPTED",)) == ["bad"]  # a named state is shown
    assert pids(paused_only=True) == ["mid"]
    assert pids(include_ended=True, created_after=NOW - 3600) == ["mid", "new", "bad"]
    assert pids(include_ended=True, newest=2) == ["new", "bad"]
    assert pids(newest=0) == []


def test_a_page_says_how_many_match_and_how_many_there_are():
    page = page_of(STATUSES, ListPage(ListQuery(include_ended=True), limit=3))
    assert [s.pid for s in page.statuses] == ["old", "mid", "new"]
    assert (page.matching, page.total, page.next) == (4, 4, (NOW - 5, "new"))
    last = page_of(STATUSES, ListPage(ListQuery(include_ended=True), page.next, 3))
    assert [s.pid for s in last.statuses] == ["bad"] and last.next is None


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(["running", "waiting", "finished"])),
        max_size=40,
    ),
    st.integers(1, 7),
    st.booleans(),
)
def test_pages_add_up_to_the_whole_filtered_list_oldest_first(specs, limit, include_ended):
    statuses = [status(f"p{i:03d}", state, created=float(t)) for i, (t, state) in enumerate(specs)]
    query = ListQuery(include_ended=include_ended)
    pages, after = [], None
    while True:
        page = page_of(statuses, ListPage(query, after, limit))
        assert len(page.statuses) <= limit
        pages.extend(page.statuses)
        after = page.next
        if after is None:
            break
    expected = sorted(
        (s for s in statuses if include_ended or not s.state.is_terminal),
        key=lambda s: (s.created, s.pid),
    )
    assert pages == expected


def test_a_page_crosses_os_processes_as_tuples_and_comes_back_equal():
    page = page_of(STATUSES, ListPage(ListQuery(include_ended=True)))
    payload = pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"ProcessStatus" not in payload
    again = pickle.loads(payload)
    assert isinstance(again, ProcessPage) and again == page


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(ProcessState)),
            st.floats(min_value=0, max_value=100, allow_nan=False),
            st.booleans(),
        ),
        max_size=40,
    ),
    st.integers(min_value=1, max_value=7),
    st.sampled_from([ListQuery(), ListQuery(include_ended=True), ListQuery(paused_only=True)]),
)
def test_the_sorted_index_pages_exactly_as_a_full_pass_does(processes, limit, query):
    entries: dict[str, SimpleNamespace] = {}
    index = ListingIndex(entries)
    for number, (state, created, paused) in enumerate(processes):
        pid = f"p{number:03d}"
        entries[pid] = SimpleNamespace(
            status=ProcessStatus(pid, "m:C", state, paused, None, None, (), None, created=created)
        )
        if number % 3 == 0:  # pages asked for while the registry grows
            index.page(ListPage(query, None, limit))
    after = None
    while True:
        request = ListPage(query, after, limit)
        expected = page_of([entry.status for entry in entries.values()], request)
        assert index.page(request) == expected
        after = expected.next
        if after is None:
            break


@given(
    st.lists(
        st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), max_size=150),
        max_size=8,
    )
)
def test_the_index_stays_sorted_when_batches_arrive_out_of_order(batches):
    """Batches as hosts report children: many at once, older than keys indexed before."""
    entries: dict[str, SimpleNamespace] = {}
    index = ListingIndex(entries)
    number = 0
    for batch in batches:
        for created in batch:
            pid = f"p{number:04d}"
            number += 1
            entries[pid] = SimpleNamespace(status=status(pid, created=created))
        index.catch_up()
        expected = sorted((entry.status.created, pid) for pid, entry in entries.items())
        assert index._keys == expected
