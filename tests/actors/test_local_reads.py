"""Reads from the store for a client on the daemon's machine (``_local_reads``), and
the supervisor's notes of what no host commits (``_status_notes``): real LMDB homes."""

from __future__ import annotations

import logging
import time

import pytest

from prunus.actors._listing import ListPage, ListQuery, page_of
from prunus.actors._local_reads import LocalReads
from prunus.actors._persisting import read_registry, status_record
from prunus.actors._status_notes import NOTES_DB, StatusNotes
from prunus.engine import ProcessResult, ProcessState, ProcessStatus
from prunus.persistence import LmdbStore, MemoryStore, StagedWrite


def status(pid: str, state: ProcessState = ProcessState.WAITING, **fields) -> ProcessStatus:
    return ProcessStatus(pid, "tests:P", state, created=fields.pop("created", 1.0), **fields)


def record(store: LmdbStore, state_of: ProcessStatus) -> None:
    ended = state_of.state.is_terminal
    result = ProcessResult(state_of.pid, state_of.state, {"y": 1}) if ended else None
    store.write(state_of.pid, record=status_record(state_of, result))


class Asked:
    """The supervisor's path, as a plain function: what it was asked, and its answer."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, call: str, *args):
        self.calls.append((call, *args))
        return f"supervisor answered {call}"


@pytest.fixture
def home(tmp_path):
    store = LmdbStore(tmp_path, sync=False)
    yield tmp_path, store
    store.close()


def test_a_status_comes_from_the_record_without_asking_the_supervisor(home):
    path, store = home
    record(store, status("a", paused=True, step="prepare"))
    asked = Asked()
    shown = LocalReads(path, asked).status("a")
    assert shown == status("a", paused=True, step="prepare")
    assert asked.calls == []


def test_a_note_shows_until_the_process_commits_again(home):
    path, store = home
    record(store, status("a", ProcessState.CREATED))
    notes = StatusNotes(store, enabled=True)
    blocked = status("a", ProcessState.CREATED, status="blocked: cannot import flows:Square")
    notes.note(blocked)
    reads = LocalReads(path, Asked())
    assert reads.status("a") == blocked
    assert reads.list() == (blocked,)
    assert reads.list_page(ListQuery()).statuses == (blocked,)  # from the live index
    time.sleep(0.01)
    record(store, status("a", ProcessState.RUNNING, step="run"))  # it loaded and stepped
    assert reads.status("a") == status("a", ProcessState.RUNNING, step="run")
    assert reads.list() == (status("a", ProcessState.RUNNING, step="run"),)
    assert reads.list_page(ListQuery()).statuses == reads.list()


def test_a_cleared_note_is_gone_from_the_store_and_a_disabled_one_never_written():
    store = MemoryStore()
    StatusNotes(store, enabled=False).note(status("a", status="waiting for a host"))
    assert list(store.items(NOTES_DB)) == []
    notes = StatusNotes(store, enabled=True)
    notes.note(status("a", status="waiting for a host with gpu=1"))
    assert [pid for pid, _ in store.items(NOTES_DB)] == ["a"]
    notes.clear("a")
    assert list(store.items(NOTES_DB)) == []


def test_a_note_that_cannot_be_written_is_logged_once_and_changes_nothing(home, caplog):
    path, store = home
    record(store, status("a"))
    readonly = LmdbStore(path, readonly=True)
    notes = StatusNotes(readonly, enabled=True)
    with caplog.at_level(logging.ERROR, logger="prunus.actors._status_notes"):
        notes.note(status("a", status="blocked: disk full"))
        notes.note(status("a", status="blocked: disk full"))
    assert len(caplog.records) == 1 and "cannot write status notes" in caplog.text
    assert LocalReads(path, Asked()).status("a") == status("a")
    readonly.close()


def test_what_the_store_cannot_answer_is_asked_of_the_supervisor(home):
    path, store = home
    store.write_staged([StagedWrite("bad", b"bad", b"\xc1", None, None, [])])  # undecodable
    asked = Asked()
    reads = LocalReads(path, asked)
    assert reads.status("nobody") == "supervisor answered status"
    assert reads.status("bad") == "supervisor answered status"
    assert reads.outputs("nobody") == "supervisor answered outputs"
    assert reads.report("nobody") == "supervisor answered report"
    assert asked.calls == [
        ("status", "nobody"),
        ("status", "bad"),
        ("outputs", "nobody"),
        ("report", "nobody"),
    ]
    [listed] = reads.list()  # as the supervisor lists it: EXCEPTED, a corrupt record
    assert listed.pid == "bad" and listed.state is ProcessState.EXCEPTED
    assert listed.status.startswith("corrupt record:")


def test_outputs_and_report_come_from_the_store(home):
    path, store = home
    record(store, status("a", ProcessState.FINISHED))
    store.write("a", outputs={"y": 1}, log_lines=["one", "two"])
    reads = LocalReads(path, Asked())
    assert reads.outputs("a") == {"y": 1}
    assert [line for _, line in reads.report("a")] == ["one", "two"]


@pytest.mark.parametrize(
    "query",
    [
        ListQuery(),
        ListQuery(include_ended=True),
        ListQuery(states=("FINISHED",)),
        ListQuery(paused_only=True),
        ListQuery(newest=2),
        ListQuery(states=("CREATED", "WAITING")),  # live states only: the live index
        ListQuery(states=("RUNNING", "KILLED")),
    ],
)
def test_a_page_from_the_store_is_the_page_the_supervisor_gives(home, query):
    path, store = home
    states = [
        ProcessState.WAITING,
        ProcessState.FINISHED,
        ProcessState.RUNNING,
        ProcessState.KILLED,
        ProcessState.CREATED,
    ]
    for number in range(15):
        state = states[number % len(states)]
        record(
            store,
            status(
                f"p{number:02d}",
                state,
                created=float(number % 4),
                paused=number % 3 == 0 and not state.is_terminal,
            ),
        )
    everything = [shown for shown, _ in read_registry(store)]
    reads = LocalReads(path, Asked())
    after = None
    while True:
        request = ListPage(query, after, 2)
        assert reads.list_page(query, after, 2) == page_of(everything, request)
        after = page_of(everything, request).next
        if after is None:
            break


def test_a_note_never_outlives_the_end_of_its_process(home):
    path, store = home
    record(store, status("a", ProcessState.RUNNING))
    StatusNotes(store, enabled=True).note(status("a", ProcessState.RUNNING, step_started=2.0))
    time.sleep(0.01)
    record(store, status("a", ProcessState.FINISHED))
    late = status("a", ProcessState.RUNNING, step="run", step_started=3.0)
    StatusNotes(store, enabled=True).note(late)  # a late report, newer than the record
    assert LocalReads(path, Asked()).status("a").state is ProcessState.FINISHED


def test_a_long_steps_report_that_comes_after_the_steps_commit_does_not_hide_it(home):
    # The report travels apart from the host's batches (through the echo): it may
    # reach the supervisor after the step's end was committed and reported.
    path, store = home
    record(store, status("a", ProcessState.CREATED))
    started = time.time()
    time.sleep(0.01)
    record(store, status("a", ProcessState.WAITING, step="collect"))  # the step's commit
    time.sleep(0.01)
    late = status("a", ProcessState.RUNNING, step="run", step_started=started)
    StatusNotes(store, enabled=True).note(late)
    reads = LocalReads(path, Asked())
    assert reads.status("a") == status("a", ProcessState.WAITING, step="collect")
    assert reads.list_page(ListQuery()).statuses == (reads.status("a"),)


def test_a_long_steps_report_shows_until_its_step_commits(home):
    path, store = home
    record(store, status("a", ProcessState.CREATED))
    long_step = status("a", ProcessState.RUNNING, step="run", step_started=time.time())
    StatusNotes(store, enabled=True).note(long_step)
    reads = LocalReads(path, Asked())
    assert reads.status("a") == long_step
    time.sleep(0.01)
    record(store, status("a", ProcessState.WAITING, step="collect"))
    assert reads.status("a") == status("a", ProcessState.WAITING, step="collect")


@pytest.mark.parametrize(
    ("query", "rows"),
    [(ListQuery(), "live"), (ListQuery(include_ended=True), "records")],
)
def test_a_page_of_more_rows_than_a_page_from_the_store_should_decode_is_the_supervisors(
    home, monkeypatch, query, rows
):
    path, store = home
    for number in range(6):
        state = ProcessState.WAITING if number < 3 else ProcessState.FINISHED
        record(store, status(f"p{number}", state, created=float(number)))
    # 3 live rows and 6 records: a limit between them splits the two kinds of page.
    monkeypatch.setattr("prunus.actors._local_reads.LOCAL_PAGE_ROWS", 4)
    asked = Asked()
    answer = LocalReads(path, asked).list_page(query, None, 2)
    if rows == "live":
        assert asked.calls == [] and [s.pid for s in answer.statuses] == ["p0", "p1"]
    else:
        assert answer == "supervisor answered list_page"
        assert asked.calls == [("list_page", query, None, 2)]
