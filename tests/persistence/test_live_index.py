"""The live index (``_live_index``): the records of the processes that have not ended,
kept in the transaction of every record write, on real LMDB homes and in memory."""

from __future__ import annotations

import pickle
import tempfile

import lmdb
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus.actors import _wire
from prunus.engine import ProcessState
from prunus.persistence import LmdbStore, MemoryStore
from prunus.persistence._live_index import ENDED_STATES, FIELDS
from prunus.persistence._store import stage_writes

PIDS = st.sampled_from(["a", "b", "c", "a.1", "a.2", "d"])
STATES = st.sampled_from([state.value for state in ProcessState])
# One step of a history: a transaction of some writes (a record in a state, or only a
# checkpoint / a log line), or a delete.
WRITE = st.tuples(PIDS, st.one_of(STATES, st.none()))
STEP = st.one_of(
    st.lists(WRITE, min_size=1, max_size=4).map(lambda writes: ("write", writes)),
    PIDS.map(lambda pid: ("delete", pid)),
)


def record_of(pid: str, state: str, number: int) -> dict:
    return {"pid": pid, "process_class": "tests:P", "state": state, "step": f"s{number}"}


def replay(store, history) -> None:
    for number, (kind, what) in enumerate(history):
        if kind == "delete":
            store.delete(what)
            continue
        items = []
        for pid, state in what:
            if state is None:
                items.append((pid, {"checkpoint": {"n": number}, "log_lines": ["x"]}))
            else:
                items.append((pid, {"record": record_of(pid, state, number)}))
        store.write_many(items)


def not_ended(store) -> dict:
    """The rows the index should hold: each record not ended, as its FIELDS' values."""
    return {
        pid: [r.get(name) for name in FIELDS]
        for pid, r in store.records()
        if r["state"] not in ENDED_STATES
    }


def test_the_ended_states_are_the_engines_terminal_states():
    assert {state.value for state in ProcessState if state.is_terminal} == ENDED_STATES


@settings(max_examples=60, deadline=None)
@given(history=st.lists(STEP, max_size=25))
def test_the_index_holds_exactly_the_records_not_ended_after_any_history(history):
    with tempfile.TemporaryDirectory() as home:
        store = LmdbStore(home, sync=False)
        try:
            replay(store, history)
            assert dict(store.live_records()) == not_ended(store)
            assert store.record_count() == len(dict(store.records()))
        finally:
            store.close()
        with LmdbStore(home, readonly=True) as reader:  # what a client of a daemon reads
            assert dict(reader.live_records()) == not_ended(reader)
    memory = MemoryStore()
    replay(memory, history)
    assert dict(memory.live_records()) == not_ended(memory)
    assert memory.record_count() == len(dict(memory.records()))


def test_a_write_shipped_to_another_process_keeps_whether_its_record_ended(tmp_path):
    [staged] = stage_writes([("a", {"record": record_of("a", "finished", 0)})])
    assert staged.summary is None  # ended: no row
    packed = _wire._staged_of(_wire._staged(staged))  # a host's first write, on the wire
    shipped = pickle.loads(pickle.dumps(staged))  # a member's shipment to the store desk
    assert packed == shipped == staged
    with LmdbStore(tmp_path, sync=False) as store:
        for write in (packed, shipped):
            store.write("a", record=record_of("a", "running", 0))
            assert set(dict(store.live_records())) == {"a"}
            store.write_staged([write])
            assert dict(store.live_records()) == {}


def test_an_old_home_without_the_index_gets_it_on_its_first_writable_open(tmp_path):
    with LmdbStore(tmp_path, sync=False) as store:
        for number, state in enumerate(["running", "finished", "waiting", "killed", "created"]):
            store.write(f"p{number}", record=record_of(f"p{number}", state, number))
        store.write("bad", record=record_of("bad", "created", 9))
    env = lmdb.open(str(tmp_path), max_dbs=16)  # as a home written before the index
    with env.begin(write=True) as txn:
        txn.drop(env.open_db(b"live", txn=txn), delete=True)
        txn.put(b"bad", b"\xc1", db=env.open_db(b"processes", txn=txn))  # undecodable
    env.close()
    with LmdbStore(tmp_path, readonly=True) as reader:
        assert reader.live_records() is None  # no index: readers read the records
    with LmdbStore(tmp_path, sync=False) as store:
        live = dict(store.live_records())
        assert live == not_ended(store) and set(live) == {"p0", "p2", "p4"}  # not "bad"
        store.write("p0", record=record_of("p0", "finished", 10))  # then kept in step
        assert set(dict(store.live_records())) == {"p2", "p4"}
    with LmdbStore(tmp_path, readonly=True) as reader:
        assert set(dict(reader.live_records())) == {"p2", "p4"}
