"""What only the LMDB store does: files on disk, growth, sharing, other processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prunus import StoreError
from prunus.persistence import LmdbStore, resolve_home

ROOT = Path(__file__).resolve().parents[2]


def test_a_full_map_grows_and_every_write_survives(tmp_path):
    with LmdbStore(tmp_path, map_size=64 * 1024) as store:
        blob = "x" * 20_000
        for i in range(200):  # ~4 MB into a 64 KiB map
            store.write(f"p{i}", checkpoint={"data": blob, "i": i})
        assert all(store.load_checkpoint(f"p{i}")["i"] == i for i in range(200))
    with LmdbStore(tmp_path) as reopened:
        assert reopened.load_checkpoint("p199")["data"] == blob


def test_two_stores_on_one_home_in_one_process_share_the_environment(tmp_path):
    first, second = LmdbStore(tmp_path), LmdbStore(tmp_path)
    first.write("p", record={"n": 1})
    assert second.get_record("p") == {"n": 1}
    first.close()
    second.write("q", record={"n": 2})  # still open: the env is refcounted
    assert second.get_record("q") == {"n": 2}
    second.close()


def test_another_os_process_writes_while_this_one_reads(tmp_path):
    code = (
        "import sys; from prunus.persistence import LmdbStore\n"
        "with LmdbStore(sys.argv[1], map_size=65536) as s:\n"
        "    for i in range(300): s.write(f'w{i}', record={'i': i}, log_lines=['x' * 500])\n"
    )
    with LmdbStore(tmp_path) as store:
        store.write("mine", record={"i": -1})
        writer = subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        seen = 0
        while writer.poll() is None:
            seen = max(seen, sum(1 for _ in store.records()))
        assert writer.returncode == 0
        records = dict(store.records())  # the writer grew the map: this process adopts it
    assert len(records) == 301
    assert records["w299"] == {"i": 299}
    assert records["mine"] == {"i": -1}


def test_a_home_that_is_a_file_gives_a_one_line_error(tmp_path):
    home = tmp_path / "not-a-dir"
    home.write_text("x")
    with pytest.raises(StoreError) as info:
        LmdbStore(home)
    message = str(info.value)
    assert str(home) in message and "\n" not in message


def test_a_missing_home_opened_read_only_gives_a_one_line_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        LmdbStore(tmp_path / "missing", readonly=True)


def test_a_read_only_store_reads_but_refuses_writes(tmp_path):
    with LmdbStore(tmp_path) as store:
        store.write("p", record={"n": 1})
    with LmdbStore(tmp_path, readonly=True) as reader:
        assert reader.get_record("p") == {"n": 1}
        with pytest.raises(StoreError, match="read-only"):
            reader.write("p", record={"n": 2})


def test_the_home_comes_from_the_argument_then_the_environment_then_the_cwd(tmp_path, monkeypatch):
    monkeypatch.setenv("PRUNUS_HOME", str(tmp_path / "env"))
    assert resolve_home(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_home() == tmp_path / "env"
    monkeypatch.delenv("PRUNUS_HOME")
    monkeypatch.chdir(tmp_path)
    assert resolve_home() == tmp_path / ".prunus"


def test_a_closed_store_refuses_use(tmp_path):
    store = LmdbStore(tmp_path)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.get_record("p")


def test_a_flush_once_store_commits_without_lmdbs_sync_then_flushes_before_returning(
    tmp_path,
):
    once, ordered = LmdbStore(tmp_path / "once", flush_once=True), LmdbStore(tmp_path / "two")
    assert once._shared.env.flags()["sync"] is False  # no O_DSYNC meta write of its own
    assert ordered._shared.env.flags()["sync"] is True  # LMDB's ordered pair, as before
    once.write("p", record={"n": 1})
    assert once._shared.unsynced is False  # the write's fdatasync came before it returned
    assert LmdbStore(tmp_path / "once", readonly=True).get_record("p") == {"n": 1}
    once.close()
    ordered.close()
