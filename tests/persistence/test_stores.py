"""The store interface, run against both stores: LMDB on disk and in memory."""

from __future__ import annotations

import pytest

from prunus import CheckpointError, CodecError
from prunus.persistence import LmdbStore, MemoryStore


@pytest.fixture(params=["lmdb", "memory"])
def store(request, tmp_path):
    opened = LmdbStore(tmp_path / "home") if request.param == "lmdb" else MemoryStore()
    yield opened
    opened.close()


def test_record_checkpoint_outputs_and_logs_are_written_and_read_back(store):
    store.write(
        "p1",
        record={"state": "running"},
        checkpoint={"ctx": {"i": 1}, "t": (1, 2)},
        outputs={"y": 2},
        log_lines=["one", "two"],
    )
    assert store.get_record("p1") == {"state": "running"}
    assert store.load_checkpoint("p1") == {"ctx": {"i": 1}, "t": (1, 2)}
    assert store.get_outputs("p1") == {"y": 2}
    assert [line for _, line in store.get_logs("p1")] == ["one", "two"]


def test_log_lines_keep_their_order_across_writes_and_stay_per_process(store):
    for i in range(12):
        store.write("a", log_lines=[f"a{i}"])
        store.write("ab", log_lines=[f"ab{i}"])
    assert [line for _, line in store.get_logs("a")] == [f"a{i}" for i in range(12)]
    assert [line for _, line in store.get_logs("ab")] == [f"ab{i}" for i in range(12)]
    assert store.get_logs("missing") == []


def test_write_many_commits_several_processes_together(store):
    store.write_many([("a", {"record": {"n": 1}}), ("b", {"record": {"n": 2}})])
    assert dict(store.records()) == {"a": {"n": 1}, "b": {"n": 2}}


def test_an_unencodable_value_aborts_the_whole_write(store):
    store.write("a", record={"n": 1})
    with pytest.raises(CodecError, match=r"ctx\.bad"):
        store.write_many(
            [("a", {"record": {"n": 2}}), ("b", {"checkpoint": {"ctx": {"bad": object()}}})]
        )
    assert store.get_record("a") == {"n": 1}
    assert store.get_record("b") is None


def test_stored_values_do_not_change_when_the_caller_mutates_its_objects(store):
    record = {"children": ["x"]}
    store.write("p", record=record)
    record["children"].append("y")
    assert store.get_record("p") == {"children": ["x"]}


def test_unknown_pids_read_as_none_and_delete_removes_everything(store):
    assert store.get_record("nope") is None
    assert store.load_checkpoint("nope") is None
    store.write("p", record={"a": 1}, checkpoint={"b": 2}, outputs={}, log_lines=["x"])
    store.delete("p")
    assert store.get_record("p") is None and store.load_checkpoint("p") is None
    assert store.get_logs("p") == []


def test_generic_databases_hold_keyed_values(store):
    store.put("memo", "k1", {"outputs": [1]})
    store.put("conditions", "k2", "when")
    assert store.get("memo", "k1") == {"outputs": [1]}
    assert list(store.items("conditions")) == [("k2", "when")]
    with pytest.raises(ValueError, match="unknown database"):
        store.put("checkpoints", "k", 1)


def test_a_corrupt_checkpoint_names_the_pid_and_leaves_others_readable(store):
    store.write("good", checkpoint={"ok": True})
    store.write("bad", checkpoint={"ok": True})
    corrupt(store, "bad", b"\x93\x01")
    with pytest.raises(CheckpointError, match="process bad"):
        store.load_checkpoint("bad")
    assert store.load_checkpoint("good") == {"ok": True}


def corrupt(store, pid: str, blob: bytes) -> None:
    """Overwrite a checkpoint with raw bytes, below the store's API."""
    if isinstance(store, MemoryStore):
        store._checkpoints[pid] = blob
        return
    shared = store._shared
    with shared.env.begin(write=True) as txn:
        txn.put(pid.encode(), blob, db=shared.dbs["checkpoints"])
