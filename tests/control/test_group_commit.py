"""Embedded group commit: one fsync covers everything before an answer, and batches
share fsyncs. The real LMDB environment is wrapped to count its fsyncs and commits."""

from __future__ import annotations

import pytest

from prunus import Client
from prunus.actors import _host
from prunus.persistence import LmdbStore, _lmdb_store
from tests.workflows import Add, Counter, PausesItself, Slow


class _Counted:
    """The real LMDB environment, counting fsyncs and write transactions."""

    def __init__(self, env) -> None:
        self._env, self.fsyncs, self.commits_since_fsync = env, 0, 0

    def __getattr__(self, name):
        return getattr(self._env, name)

    def sync(self, force=False):
        self.fsyncs += 1
        self.commits_since_fsync = 0
        return self._env.sync(force)

    def begin(self, write=False, **kwargs):
        if write:
            self.commits_since_fsync += 1
        return self._env.begin(write=write, **kwargs)


@pytest.fixture
def counted(monkeypatch):
    opened: list[_Counted] = []
    original = _lmdb_store._Environment.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.env = _Counted(self.env)
        opened.append(self.env)

    monkeypatch.setattr(_lmdb_store._Environment, "__init__", init)
    return opened


def test_a_durable_run_one_at_a_time_costs_one_fsync(tmp_path, counted, monkeypatch):
    monkeypatch.setattr(_host, "EMBEDDED_SYNC_SECONDS", 3600.0)  # no fsync while steps run
    with Client(tmp_path / "home") as client:
        client.run(Counter, n=3)
        env = counted[0]
        before = env.fsyncs
        for _ in range(20):
            assert client.run(Add, a=1, b=2) == {"sum": 3}
        assert env.fsyncs - before == 20


def test_a_batch_is_fsynced_once_when_submitted_and_once_when_answered(
    tmp_path, counted, monkeypatch
):
    monkeypatch.setattr(_host, "EMBEDDED_SYNC_SECONDS", 3600.0)  # no fsync while steps run
    with Client(tmp_path / "home") as client:
        client.run(Add, a=1)  # an fsync has happened: the next ones are all "recent"
        env = counted[0]
        before = env.fsyncs
        pids = client.submit_many([(Counter, {"n": 3})] * 200)
        assert env.fsyncs - before == 1
        results = client.wait_many(pids)
        assert all(result.is_finished_ok for result in results)
        assert env.fsyncs - before == 2


def test_steps_that_keep_running_are_fsynced_every_few_milliseconds(tmp_path, counted):
    with Client(tmp_path / "home") as client:
        env = counted[0]
        before = env.fsyncs
        client.run(Slow)  # 200 steps of 10 ms: 2 s with nothing answered meanwhile
        assert env.fsyncs - before >= 10  # at least one every 200 ms (5 ms on an idle disk)


def test_nothing_is_answered_while_a_commit_is_not_fsynced(tmp_path, counted):
    with Client(tmp_path / "home") as client:
        env = counted[0]
        pid = client.submit(Counter, n=5)
        assert env.commits_since_fsync == 0
        paused = client.submit(PausesItself)
        assert env.commits_since_fsync == 0
        assert client.status(paused).paused or client.status(paused).state.name == "CREATED"
        assert env.commits_since_fsync == 0
        assert client.wait(pid).is_finished_ok
        assert env.commits_since_fsync == 0
        client.play(paused)
        assert env.commits_since_fsync == 0
        assert client.wait(paused).is_finished_ok
        assert env.commits_since_fsync == 0
        many = client.submit_many([(Add, {"a": i}) for i in range(10)])
        assert env.commits_since_fsync == 0
        assert [r["sum"] for r in client.wait_many(many)] == [i + 1 for i in range(10)]
        assert env.commits_since_fsync == 0


def test_a_store_skips_an_fsync_only_when_asked_and_one_was_recent(tmp_path, counted):
    with LmdbStore(tmp_path / "home", sync=False) as store:
        env = counted[0]
        store.flush()
        assert env.fsyncs == 0  # nothing committed: nothing to make durable
        store.write("p1", record={"x": 1})
        store.flush()
        assert env.fsyncs == 1
        store.write("p1", record={"x": 2})
        store.flush(unless_within=60.0)
        assert env.fsyncs == 1  # one ended less than a minute ago
        store.flush()
        assert env.fsyncs == 2
    with LmdbStore(tmp_path / "home") as store:
        assert store.get_record("p1")["x"] == 2
