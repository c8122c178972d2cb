"""The dashboard's index: pages cut from the snapshot agree with a plain filter."""

from __future__ import annotations

import random
import shutil
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus import Client, Pid, ProcessResult, ProcessState, ProcessStatus
from prunus.actors._persisting import status_record
from prunus.dashboard._daemon_link import DaemonLink
from prunus.dashboard._index import ProcessIndex, TableQuery
from prunus.dashboard._server import Dashboard
from prunus.errors import StuckError
from prunus.persistence import LmdbStore
from tests.cli.helpers import run_prunus
from tests.ui.workflows import Campaign, Square

NOW = 1_800_000_000.0
CLASSES = ["flows:A", "flows:B", "other:C"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """300 records of random states, classes, ages and pause flags."""
    home = tmp_path_factory.mktemp("index-home")
    chance = random.Random(18)
    items = []
    for number in range(300):
        state = chance.choice(list(ProcessState))
        status = ProcessStatus(
            pid=f"p{number:04d}",
            process_class=chance.choice(CLASSES),
            state=state,
            paused=chance.random() < 0.3,
            created=NOW - chance.uniform(0, 7200),
        )
        result = ProcessResult(status.pid, state) if state.is_terminal else None
        items.append((status.pid, {"record": status_record(status, result)}))
    with LmdbStore(home) as store:
        store.write_many(items)
    index = ProcessIndex(home)
    index.refresh()
    yield index
    index.close()


def plain_filter(records, query):
    chosen = [
        r
        for r in sorted(records, key=lambda r: r["created"], reverse=True)
        if (not query.states or r["state"] in query.states)
        and (not query.process_class or r["process_class"] == query.process_class)
        and (query.max_age is None or r["created"] >= NOW - query.max_age)
        and (not query.paused_only or (r["paused"] and not ProcessState(r["state"]).is_terminal))
    ]
    return chosen[query.offset : query.offset + query.limit], len(chosen)


queries = st.builds(
    TableQuery,
    states=st.frozensets(st.sampled_from([s.value for s in ProcessState]), max_size=3),
    process_class=st.sampled_from(["", *CLASSES, "missing:X"]),
    max_age=st.one_of(st.none(), st.floats(0, 8000)),
    paused_only=st.booleans(),
    offset=st.integers(0, 320),
    limit=st.integers(1, 60),
)


@settings(max_examples=300, deadline=None)
@given(query=queries)
def test_a_page_is_the_plain_filter_of_every_record_newest_first(index, query):
    page = index.page(query, now=NOW)
    rows, matching = plain_filter(index._snapshot.records.values(), query)
    assert [r["pid"] for r in page.rows] == [r["pid"] for r in rows]
    assert page.matching == matching
    assert page.total == 300 and sum(page.counts.values()) == 300


def test_a_re_read_names_the_changed_processes_and_wakes_a_waiting_stream(tmp_path):
    with Client(tmp_path) as client:
        first = client.submit(Square, x=1)
        client.wait(first, timeout=30)
    index = ProcessIndex(tmp_path)
    index.refresh()
    seen = []
    waiter = threading.Thread(target=lambda: seen.append(index.wait_for_change(index.version, 30)))
    waiter.start()
    # Another OS process writes the home (this one holds it open read-only).
    done = run_prunus("run", "--durable", "tests.ui.workflows:Square", "-i", "x=2", home=tmp_path)
    assert done.returncode == 0, done.stderr
    changed = index.refresh()
    assert len(changed) == 1 and first not in changed
    (second,) = changed
    assert index.record(second)["process_class"] == "tests.ui.workflows:Square"
    waiter.join(30)
    assert seen == [(2, frozenset({second}))]
    assert index.wait_for_change(2, 0.01) is None  # nothing new since
    assert index.wait_for_change(0, 0.01) == (2, frozenset({first, second}))
    assert index.refresh() == frozenset()  # unchanged: no new version
    assert index.version == 2
    index.close()


def test_a_tree_is_cut_at_its_limit_and_says_how_many_were_left_out(tmp_path):
    with Client(tmp_path) as client:
        pid = client.submit(Campaign, n=6, hold=True)
        with pytest.raises(StuckError):
            client.wait(pid, timeout=30)
    index = ProcessIndex(tmp_path)
    index.refresh()
    tree, left_out = index.tree(pid, limit=4)
    assert [node.status.pid for _, node in tree.walk()] == [pid, f"{pid}.0", f"{pid}.1", f"{pid}.2"]
    assert left_out == 4
    whole, none_left = index.tree(pid)
    assert len(list(whole.walk())) == 8 and none_left == 0
    details = index.details(pid)
    assert details["inputs"]["n"] == 6
    assert details["awaiting"] == [f"{pid}.{i}" for i in range(7)]
    assert details["logs"][0][1] == "launching 6 squares"
    index.close()


def test_a_process_page_shows_its_condition_cache_source_and_dependency_edges(tmp_path):
    def record(pid, state, parent=None, children=(), **extra):
        status = ProcessStatus(
            pid, "flows:Step", state, parent=parent, children=tuple(children), created=NOW
        )
        result = ProcessResult(pid, state) if state.is_terminal else None
        return (pid, {"record": {**status_record(status, result), **extra}})

    when = (Pid("root.0").finished_ok & Pid("root.1").completed).to_data()
    with LmdbStore(tmp_path) as store:
        store.write_many(
            [
                record("root", ProcessState.WAITING, children=["root.0", "root.1", "root.2"]),
                record("root.0", ProcessState.FINISHED, "root", cached_from="older.7"),
                record("root.1", ProcessState.EXCEPTED, "root"),
                record("root.2", ProcessState.CREATED, "root", when=when),
            ]
        )
    index = ProcessIndex(tmp_path)
    index.refresh()
    dashboard = Dashboard(tmp_path, index, DaemonLink(tmp_path), "token")
    page = dashboard.process_html("root.2", NOW)
    assert "<th>condition</th><td><code>root.0.finished_ok &amp; root.1.completed</code> on" in page
    assert '<a href="/process/root.0">root.0</a>.finished_ok' in page
    svg = page[page.index('<div id="tree">') :]
    if shutil.which("dot"):  # Graphviz: dashed paths and the atoms as edge labels
        assert svg.count('stroke-dasharray="5,2"') == 2
        assert ">finished_ok</text>" in svg and ">completed</text>" in svg
    else:
        assert svg.count('stroke-dasharray="4 3"') == 2
    cached = dashboard.process_html("root.0", NOW)
    assert '<th>cached from</th><td><a href="/process/older.7">older.7</a>' in cached
    index.close()
