"""Fencing: once a member's host is declared lost, nothing it commits is stored."""

from __future__ import annotations

import pytest

from prunus.errors import StoreError
from prunus.persistence import LmdbStore, stage_writes


def test_a_fenced_hosts_commit_is_refused_whole_and_others_still_commit(tmp_path):
    store = LmdbStore(tmp_path)
    try:
        store.write_staged(stage_writes([("p", {"record": {"state": "running"}})]), fence="h1")
        store.fence(["h1"])
        late = stage_writes(
            [("p", {"record": {"state": "stale"}}), ("q", {"record": {"state": "new"}})]
        )
        with pytest.raises(StoreError, match="host h1 was fenced"):
            store.write_staged(late, fence="h1")
        assert store.get_record("p") == {"state": "running"}
        assert store.get_record("q") is None  # nothing of that transaction
        store.write_staged(late, fence="h2")  # another host's token: stored
        assert store.get_record("q") == {"state": "new"}
    finally:
        store.close()


def test_a_new_leader_generation_fences_every_host_of_the_earlier_ones(tmp_path):
    store = LmdbStore(tmp_path)
    try:
        first = store.new_generation()
        staged = stage_writes([("p", {"record": {"state": "running"}})])
        store.write_staged(staged, fence=f"{first}.host")
        second = store.new_generation()  # the leader restarted
        with pytest.raises(StoreError, match="was fenced"):
            store.write_staged(staged, fence=f"{first}.host")
        store.write_staged(staged, fence=f"{second}.host")
    finally:
        store.close()


def test_the_generation_and_fences_are_not_meta_entries_and_log_no_error(tmp_path, caplog):
    store = LmdbStore(tmp_path)
    try:
        store.new_generation()
        store.fence(["h1"])
        store.put("meta", "kill:p", "cancelled")
        with caplog.at_level("ERROR"):
            assert dict(store.items("meta")) == {"kill:p": "cancelled"}
        assert not [r for r in caplog.records if "undecodable" in r.getMessage()]
    finally:
        store.close()
