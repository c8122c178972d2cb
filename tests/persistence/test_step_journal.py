"""The step journal: steps committed by an append, put into LMDB by the next
transaction, and replayed by the next writable open after the writer died."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import lmdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus import Client
from prunus.persistence import LmdbStore, StagedWrite, stage_writes
from prunus.persistence._step_journal import APPLIED, JOURNAL_FILE, _frame, read_entries
from tests.workflows import Counter

ROOT = Path(__file__).resolve().parents[2]

# A writer that journals steps of pid "p" and dies (os._exit: nothing is flushed or
# closed, as after SIGKILL). argv: home, then one word per action: "step" journals a
# record {"n": i} and a log line, "read" reads the store (which puts the pending
# steps into LMDB), "flush" fsyncs.
_WRITER = """
import os, sys
from prunus.persistence import LmdbStore, stage_writes
store = LmdbStore(sys.argv[1], sync=False)
n = 0
for action in sys.argv[2:]:
    if action == "step":
        n += 1
        parts = {"record": {"n": n}, "log_lines": [f"line {n}"]}
        store.journal_staged(stage_writes([("p", parts)]))
    elif action == "read":
        store.get_record("p")
    elif action == "flush":
        store.flush()
os._exit(0)
"""


def die_after(home: Path, *actions: str) -> None:
    subprocess.run(
        [sys.executable, "-c", _WRITER, str(home), *actions],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )


def lines_of(store: LmdbStore) -> list[str]:
    return [line for _, line in store.get_logs("p")]


def journal_one(store: LmdbStore, n: int) -> None:
    staged = stage_writes([("p", {"record": {"n": n}, "checkpoint": {"n": n}})])
    store.journal_staged(staged)


def test_a_journaled_step_is_read_back_at_once_by_every_store_of_the_process(tmp_path):
    with LmdbStore(tmp_path, sync=False) as writer, LmdbStore(tmp_path) as other:
        journal_one(writer, 1)
        journal_one(writer, 2)
        assert other.get_record("p") == {"n": 2}
        assert writer.load_checkpoint("p") == {"n": 2}
        other.write("q", record={"n": 0})  # a write after the steps keeps them
        journal_one(writer, 3)
        assert dict(writer.records()) == {"p": {"n": 3}, "q": {"n": 0}}
    assert not (tmp_path / JOURNAL_FILE).exists()  # all of it in LMDB, on disk


def test_the_journal_is_gone_when_the_last_store_closes_whoever_journaled(tmp_path):
    writer, other = LmdbStore(tmp_path, sync=False), LmdbStore(tmp_path)
    journal_one(writer, 1)
    writer.close()
    assert (tmp_path / JOURNAL_FILE).exists()  # the environment is still open
    other.close()
    assert not (tmp_path / JOURNAL_FILE).exists()
    with LmdbStore(tmp_path, readonly=True) as reader:
        assert reader.get_record("p") == {"n": 1}


def test_steps_journaled_by_a_writer_that_died_come_back_at_the_next_open(tmp_path):
    die_after(tmp_path, "step", "step", "step")
    assert read_entries(tmp_path / JOURNAL_FILE, 0)  # nothing of it reached LMDB
    with LmdbStore(tmp_path, sync=False) as store:
        assert store.get_record("p") == {"n": 3}
        assert lines_of(store) == ["line 1", "line 2", "line 3"]
    with LmdbStore(tmp_path) as again:  # a second open applies nothing twice
        assert lines_of(again) == ["line 1", "line 2", "line 3"]


def test_steps_lmdb_took_before_the_writer_died_are_not_applied_twice(tmp_path):
    # The read puts steps 1-2 into LMDB (no fsync, so the journal keeps them); step 3
    # is only in the journal when the writer dies.
    die_after(tmp_path, "step", "step", "read", "step")
    with LmdbStore(tmp_path) as store:
        assert store.get_record("p") == {"n": 3}
        assert lines_of(store) == ["line 1", "line 2", "line 3"]


def test_after_a_flush_the_journal_is_written_from_its_start_and_replay_stops_at_stale_entries(
    tmp_path,
):
    # Steps 1-3 flushed, then 4 overwrites the first entry: the old 2 and 3 after it
    # are stale (LMDB holds them) and must not be applied again.
    die_after(tmp_path, "step", "step", "step", "flush", "step")
    with LmdbStore(tmp_path) as store:
        assert store.get_record("p") == {"n": 4}
        assert lines_of(store) == ["line 1", "line 2", "line 3", "line 4"]


def marker_places(home: Path) -> tuple[bytes | None, bytes | None]:
    """The journal's marker in LMDB's main database and in ``live`` (before phase 6)."""
    env = lmdb.open(str(home), max_dbs=16)
    try:
        live = env.open_db(b"live")
        with env.begin() as txn:
            return txn.get(APPLIED), txn.get(APPLIED, db=live)
    finally:
        env.close()


def test_the_marker_is_kept_in_the_main_database_where_a_commit_writes_anyway(tmp_path):
    die_after(tmp_path, "step", "step", "read")
    main, live = marker_places(tmp_path)
    assert main is not None and live is None


def test_a_home_whose_marker_is_in_live_replays_after_it_and_moves_it(tmp_path):
    # As a runtime before phase 6 left it: steps 1-2 in LMDB, marked in ``live``;
    # step 3 only in the journal.
    die_after(tmp_path, "step", "step", "read", "step")
    env = lmdb.open(str(tmp_path), max_dbs=16)
    live = env.open_db(b"live")
    with env.begin(write=True) as txn:
        txn.put(APPLIED, txn.pop(APPLIED), db=live)
    env.close()
    with LmdbStore(tmp_path) as store:
        assert store.get_record("p") == {"n": 3}
        assert lines_of(store) == ["line 1", "line 2", "line 3"]  # none twice
    main, live_marker = marker_places(tmp_path)
    assert main is not None and live_marker is None


@pytest.mark.parametrize("damage", ["torn", "flipped"])
def test_replay_takes_the_entries_before_a_torn_or_damaged_one(tmp_path, damage):
    die_after(tmp_path, "step", "step", "step")
    path = tmp_path / JOURNAL_FILE
    data = bytearray(path.read_bytes())
    third = data.rindex(b"PSJ1")  # where the last entry starts
    if damage == "torn":
        del data[third + 30 :]
    else:
        data[-3] ^= 0xFF  # its CRC no longer matches
    path.write_bytes(bytes(data))
    with LmdbStore(tmp_path) as store:
        assert store.get_record("p") == {"n": 2}
        assert lines_of(store) == ["line 1", "line 2"]


def test_a_store_that_syncs_every_commit_does_not_journal(tmp_path):
    with LmdbStore(tmp_path) as synced, LmdbStore(tmp_path / "b", sync=False) as grouped:
        assert not synced.journals
        assert grouped.journals


def test_an_embedded_run_leaves_no_journal_once_closed_and_its_home_opens_as_before(tmp_path):
    with Client(tmp_path) as client:
        assert client.run(Counter, {"n": 3})["count"] == 3
    assert not (tmp_path / JOURNAL_FILE).exists()
    with Client(tmp_path) as again:  # and a home without a journal opens and runs on
        assert again.run(Counter, {"n": 2})["count"] == 2
        assert len(again.list()) == 2


def test_a_home_written_without_a_journal_resumes_its_unfinished_process(tmp_path):
    # As the code before the journal left it: a process committed by LMDB
    # transactions only, killed between steps (no journal file, no mark in LMDB).
    with Client(tmp_path) as client:
        pid = client.submit(Counter, {"n": 3})
        client.pause(pid)
    (tmp_path / JOURNAL_FILE).unlink(missing_ok=True)
    with Client(tmp_path) as client:
        client.play(pid)
        assert client.wait(pid).outputs["count"] == 3


_PART = st.none() | st.binary(max_size=64)
_WRITE = st.builds(
    lambda pid, parts, logs: StagedWrite(pid, pid.encode(), *parts[:3], logs, parts[3]),
    st.text(min_size=1, max_size=12),
    st.tuples(_PART, _PART, _PART, _PART),
    st.lists(st.binary(max_size=16), max_size=3),
)


@given(st.lists(st.lists(_WRITE, min_size=1, max_size=3), min_size=1, max_size=4))
@settings(max_examples=50, deadline=None)
def test_every_entry_written_to_a_journal_is_read_back_as_it_was(tmp_path_factory, steps):
    path = tmp_path_factory.mktemp("journal") / JOURNAL_FILE
    path.write_bytes(b"".join(b"".join(_frame(n, staged)) for n, staged in enumerate(steps, 8)))
    assert list(read_entries(path, 7)) == list(enumerate(steps, 8))
