"""A page of live processes made column-wise from the live index (``_live_page``) is
the page the row-by-row path gives: real LMDB homes, random histories and queries."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from prunus.actors._listing import ListPage, ListQuery
from prunus.actors._live_page import _made, live_page
from prunus.actors._local_reads import LocalReads
from prunus.actors._persisting import status_record
from prunus.actors._status_notes import NOTES_DB, StatusNotes
from prunus.conditions import parse_condition
from prunus.engine import ProcessResult, ProcessState, ProcessStatus
from prunus.persistence import LmdbStore

LIVE = [s for s in ProcessState if not s.is_terminal]
ENDED = [s for s in ProcessState if s.is_terminal]
NAMES = [s.name for s in ProcessState]


def careful(path: Path) -> LocalReads:
    """Reads that never take the column-wise path (the row-by-row one, as before)."""
    reads = LocalReads(path, lambda *args: None)
    reads._open().live_snapshot = lambda beside: None  # type: ignore[method-assign]
    return reads


process = st.fixed_dictionaries(
    {
        "state": st.sampled_from(LIVE + ENDED),
        "created": st.sampled_from([None, 1.0, 2.0, 3.0]),  # ties, and old records
        "paused": st.booleans(),
        "children": st.integers(0, 2),
        "when": st.booleans(),  # held by a condition
        "note": st.booleans(),  # the supervisor noted something no host commits
    }
)
query = st.builds(
    ListQuery,
    states=st.lists(st.sampled_from(NAMES), max_size=2, unique=True).map(
        lambda s: tuple(sorted(s))
    ),
    include_ended=st.booleans(),
    paused_only=st.booleans(),
    created_after=st.sampled_from([None, 2.0]),
    newest=st.sampled_from([None, 0, 1, 3]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes=st.lists(process, min_size=1, max_size=12), wanted=query, limit=st.integers(1, 4))
@example(  # the newest 3 of 2 (a slice from the end once took the last one only)
    processes=[dict(state=ProcessState.CREATED, created=None, paused=False, children=0,
                    when=False, note=False)] * 2,
    wanted=ListQuery(newest=3),
    limit=1,
)  # fmt: skip
def test_every_page_is_the_page_the_row_by_row_path_gives(processes, wanted, limit):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)
        store = LmdbStore(path, sync=False)
        notes = StatusNotes(store, enabled=True)
        for number, made in enumerate(processes):
            pid = f"p{number:02d}"
            state = made["state"]
            shown = ProcessStatus(
                pid, "tests:P", state, paused=made["paused"] and not state.is_terminal,
                step="run", children=tuple(f"{pid}.{n}" for n in range(made["children"])),
                created=made["created"],
            )  # fmt: skip
            result = ProcessResult(pid, state, {}) if state.is_terminal else None
            record = status_record(shown, result)
            if made["when"]:
                record["when"] = parse_condition("p00.finished_ok").to_data()
            store.write(pid, record=record)
            if made["note"]:
                blocked = "blocked: cannot import tests:P"
                notes.note(ProcessStatus(pid, "tests:P", ProcessState.CREATED, status=blocked))
        quick, slow = LocalReads(path, lambda *args: None), careful(path)
        after = None
        for _ in range(len(processes) + 2):
            page = quick.list_page(wanted, after, limit)
            assert page == slow.list_page(wanted, after, limit)
            after = page.next
            if after is None:
                break
        assert after is None
        quick.close(), slow.close(), store.close()


def test_a_status_made_from_slots_is_the_dataclass_one():
    args = ("p", "m:C", ProcessState.WAITING, True, "s", "x", ("p.0",), None, 1.5)
    row = (*args, 2.5, "go", 9.0, None)  # a live index row: due, signal, modified, when
    [made] = _made([[value] for value in row], 1)
    expected = ProcessStatus(*args, None, 2.5, "go")
    assert made == expected
    assert hash(made) == hash(expected) and repr(made) == repr(expected)


def test_a_row_that_does_not_decode_sends_the_page_the_careful_way(tmp_path):
    store = LmdbStore(tmp_path, sync=False)
    store.write("a", record=status_record(ProcessStatus("a", "m:C", ProcessState.WAITING), None))
    snapshot = store.live_snapshot(NOTES_DB)
    request = ListPage(ListQuery())
    assert [s.pid for s in live_page(snapshot, request).statuses] == ["a"]
    damaged = type(snapshot)(snapshot.keys, [b"\xc1"], snapshot.beside, snapshot.total)
    assert live_page(damaged, request) is None
    renamed = type(snapshot)([b"b"], snapshot.rows, snapshot.beside, snapshot.total)
    assert live_page(renamed, request) is None  # a row that names another pid
    store.close()


def test_a_page_reads_its_rows_notes_and_count_in_one_snapshot(tmp_path):
    store = LmdbStore(tmp_path, sync=False)
    for pid, state in (("a", ProcessState.WAITING), ("b", ProcessState.FINISHED)):
        result = ProcessResult(pid, state, {}) if state.is_terminal else None
        store.write(pid, record=status_record(ProcessStatus(pid, "m:C", state), result))
    StatusNotes(store, enabled=True).note(ProcessStatus("a", "m:C", ProcessState.RUNNING))
    time.sleep(0.001)
    snapshot = store.live_snapshot(NOTES_DB)
    assert list(snapshot.keys) == [b"a"] and snapshot.total == 2
    assert list(snapshot.beside) == ["a"]
    page = live_page(snapshot, ListPage(ListQuery()))
    assert page.statuses[0].state is ProcessState.RUNNING  # the note shows
    store.close()
