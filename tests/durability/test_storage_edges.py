"""The store at its edges: a value larger than the map, a full disk, a corrupt record."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prunus import Client, ProcessState, StoreError
from prunus.persistence import LmdbStore
from tests.cli.helpers import PRUNUS
from tests.durability.disk import fill, small_disk
from tests.modes import eventually, settle
from tests.workflows import Grows, PausesItself

ROOT = Path(__file__).resolve().parents[2]


def test_one_write_larger_than_twice_the_map_grows_the_map_until_it_fits(tmp_path):
    value = os.urandom(100 << 20)  # 100 MB into a 1 MiB map: seven doublings in one write
    with LmdbStore(tmp_path, map_size=1 << 20) as store:
        store.write("big", checkpoint={"blob": value})
        store.write("small", record={"n": 1})
    with LmdbStore(tmp_path) as reopened:
        assert reopened.load_checkpoint("big")["blob"] == value
        assert reopened.get_record("small") == {"n": 1}


def test_a_process_whose_step_stores_more_than_twice_the_map_finishes(tmp_path):
    with Client(store=LmdbStore(tmp_path, map_size=1 << 20)) as client:
        result = client.wait(client.submit(Grows, steps=2, megabytes=30))
    assert result["steps_taken"] == 2


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_opening_a_new_home_on_a_full_disk_is_one_line_not_a_sigbus(tmp_path):
    with small_disk(tmp_path / "disk", 4) as disk:
        fill(disk)
        home = disk / "home"
        opened = run_python(
            "import sys\nfrom prunus import Client, StoreError\n"
            "try:\n    Client(sys.argv[1])\n"
            "except StoreError as error:\n    print(error); sys.exit(2)\n",
            str(home),
        )
        assert opened.returncode == 2, opened.stderr  # a SIGBUS is -7
        assert opened.stdout == f"cannot open prunus store at {home}: No space left on device\n"
        command = ["run", "tests.workflows:Add", "-i", "a=1", "--durable", "--home"]
        run = subprocess.run(
            [str(PRUNUS), *command, str(home)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert run.returncode == 2, run.stderr
        assert run.stderr.strip().splitlines() == [
            f"Error: cannot open prunus store at {home}: No space left on device"
        ]


def test_a_write_to_a_full_disk_fails_in_one_line_and_loses_nothing_committed(tmp_path):
    with small_disk(tmp_path / "disk", 4) as disk:
        home = disk / "home"
        with LmdbStore(home) as store:
            for i in range(50):
                store.write(f"p{i}", record={"i": i}, checkpoint={"i": i})
            filler = fill(disk)
            with pytest.raises(StoreError) as info:
                for i in range(50, 10_000):
                    store.write(f"p{i}", record={"i": i}, checkpoint={"blob": "x" * 4000})
            assert info.value.disk_full
            message = str(info.value)
            assert message.startswith(f"cannot write to {home}: the disk is full")
            assert "\n" not in message
            committed = dict(store.records())
        with LmdbStore(home) as reopened:
            assert dict(reopened.records()) == committed
            assert all(reopened.load_checkpoint(f"p{i}") == {"i": i} for i in range(50))
            filler.unlink()
            reopened.write("after", record={"ok": True})  # room again: writes go on
            assert reopened.get_record("after") == {"ok": True}


@pytest.mark.slow
def test_a_process_that_fills_the_disk_is_blocked_not_failed_and_goes_on_with_room(
    tmp_path, open_runtime, mode
):
    with small_disk(tmp_path / "disk", 24) as disk, open_runtime(disk / "home") as client:
        pid = client.submit(Grows, steps=40, megabytes=1)
        filler = fill(disk)
        if mode == "embedded":
            with pytest.raises(StoreError, match="the disk is full"):
                client.wait(pid)

        def blocked():
            status = client.status(pid)
            return status.status and status.status.startswith("blocked: cannot write to")

        eventually(blocked, timeout=20)
        status = client.status(pid)
        assert status.state is ProcessState.RUNNING
        assert f"cannot write to {disk / 'home'}: the disk is full" in status.status
        filler.unlink()
        if mode == "embedded":  # the host there tries again on its next message
            client.pause(pid)
            client.play(pid)
        result = client.wait(pid)
        assert result.state is ProcessState.FINISHED
        assert result["steps_taken"] == 40
        assert client.describe(pid)["restarts"] == 0
        assert not client.status(pid).status


@pytest.mark.parametrize("damage", [b"\xc1\xc1 not msgpack", "encoded", "other pid"])
def test_a_corrupt_registry_record_shows_its_process_excepted_and_the_others_run(
    tmp_path, open_runtime, damage
):
    with open_runtime(tmp_path) as client:
        good, bad = client.submit(PausesItself), client.submit(PausesItself)
        settle(client, good)
        settle(client, bad)
    with LmdbStore(tmp_path) as store:
        if damage == "encoded":
            store.write(bad, record={"state": "no such state"})
        elif damage == "other pid":
            store.write(bad, record={**store.get_record(good)})
        else:
            shared = store._shared
            with shared.env.begin(write=True) as txn:
                txn.put(bad.encode(), damage, db=shared.dbs["processes"])
    with open_runtime(tmp_path) as client:
        status = client.status(bad)
        assert status.state is ProcessState.EXCEPTED
        assert status.status.startswith("corrupt record: ")
        assert "\n" not in status.status
        assert bad in {s.pid for s in client.list()}
        assert client.wait(bad).state is ProcessState.EXCEPTED
        client.play(good)
        assert client.wait(good).is_finished_ok
