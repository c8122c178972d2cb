"""Durability across hosts: checkpoints are written only in the leader's store.

A member gets no path to the leader's home (its own home, a copy of the key kept
elsewhere): its hosts ship their writes to the leader and fetch the checkpoints they
activate from. What each member OS process has open or mapped is read from /proc.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path

import pytest

from prunus import Client
from prunus.control import daemon_pids
from tests.conftest import running_daemon
from tests.members.conftest import joined, running_member
from tests.members.workflows import FarTree, GpuSteps
from tests.modes import eventually

pytestmark = pytest.mark.slow


def open_files(pid: int) -> set[str]:
    """Every file ``pid`` has open (/proc/PID/fd) or mapped (/proc/PID/maps)."""
    seen: set[str] = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with_target = os.readlink(f"/proc/{pid}/fd/{fd}")
            seen.add(with_target)
        with open(f"/proc/{pid}/maps") as maps:
            for line in maps:
                parts = line.split(maxsplit=5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    seen.add(parts[5].strip())
    except (FileNotFoundError, ProcessLookupError):
        pass  # it ended meanwhile
    return seen


class Watcher:
    """Reads the open and mapped files of a daemon's OS processes, over and over,
    until stopped: which pids it saw, and every file any of them had."""

    def __init__(self, info: dict) -> None:
        self._info = info
        self.pids: set[int] = set()
        self.files: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._look()  # once more, at the end

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._look()

    def _look(self) -> None:
        for pid in daemon_pids(self._info):
            self.pids.add(pid)
            self.files |= open_files(pid)


def test_a_member_with_its_own_home_runs_processes_without_ever_opening_the_leaders_store(
    tmp_path,
):
    leader_home, member_home = tmp_path / "leader", tmp_path / "far"
    with running_daemon(leader_home, workers=1) as leader:
        key_copy = tmp_path / "keys" / "leader.key"  # the member knows nothing of its home
        key_copy.parent.mkdir(mode=0o700)
        shutil.copy(leader_home / "secret.key", key_copy)
        with running_member(member_home, leader, "site=far", key_file=key_copy) as member:
            eventually(lambda: joined(leader_home, member) is not None)
            hosts = set(joined(leader_home, member)["host_pids"])
            with Watcher(member) as watched, Client.connect(leader_home) as client:
                pids = [client.submit(FarTree, n=3) for _ in range(3)]
                results = [client.wait(pid, timeout=60) for pid in pids]
            leader_files = set().union(*(open_files(pid) for pid in daemon_pids(leader)))
    assert all(r.is_finished_ok and r["total"] == 6 for r in results)
    # every step (parents before and after they waited, and every child) ran on the member
    assert {os_pid for r in results for os_pid in r["os_pids"]} <= hosts
    assert hosts <= watched.pids  # its hosts were watched while they ran
    assert any(path.endswith(".py") or ".so" in path for path in watched.files)
    store = str(leader_home / "data.mdb")
    assert store in leader_files  # the check can see the store where it is open...
    assert not [path for path in watched.files if path.startswith(str(leader_home))]
    assert not [path for path in watched.files if path.endswith(".mdb")]  # ...and not here
    assert not list(member_home.rglob("*.mdb"))


def test_a_member_killed_mid_step_loses_nothing_acknowledged(tmp_path, monkeypatch):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))  # inherited by the daemons
    leader_home = tmp_path / "leader"
    with (
        running_daemon(leader_home, workers=1) as leader,
        running_member(tmp_path / "a", leader, "gpu=2") as a,
        running_member(tmp_path / "b", leader, "gpu=2") as b,
    ):
        eventually(lambda: joined(leader_home, a) and joined(leader_home, b))
        hosts = {name: set(joined(leader_home, m)["host_pids"]) for name, m in (("a", a), ("b", b))}
        with Client.connect(leader_home) as client:
            pids = [client.submit(GpuSteps, n=15, delay=0.05) for _ in range(4)]
            eventually(lambda: witness.exists() and len(witness.read_text().splitlines()) >= 8)
            doomed = a if int(witness.read_text().split()[2]) in hosts["a"] else b
            # submissions answered just before the kill are acknowledged too
            pids += [client.submit(GpuSteps, n=5, delay=0.05) for _ in range(2)]
            for os_pid in daemon_pids(doomed):
                os.kill(os_pid, signal.SIGKILL)
            results = [client.wait(pid, timeout=90) for pid in pids]
    assert [r["count"] for r in results if r.is_finished_ok] == [15] * 4 + [5] * 2
    runs = [line.split() for line in witness.read_text().splitlines()]
    for pid, n in zip(pids, [15] * 4 + [5] * 2, strict=True):
        steps = [int(step) for p, step, _ in runs if p == pid]
        assert sorted(set(steps)) == list(range(1, n + 1)), pid
        assert len(steps) - n in (0, 1), pid  # only the interrupted step ran again
    assert {int(os_pid) for _, _, os_pid in runs} <= hosts["a"] | hosts["b"]


def test_the_member_tests_read_proc(tmp_path):
    """The /proc reader above sees this very process's open files (or the checks on
    members would pass vacuously)."""
    path = Path(tmp_path / "open.txt")
    with open(path, "w"):
        assert str(path) in open_files(os.getpid())


def test_a_member_host_killed_alone_is_replaced_on_its_member_under_a_new_epoch(
    tmp_path, monkeypatch
):
    witness = tmp_path / "witness.log"
    monkeypatch.setenv("PRUNUS_WITNESS", str(witness))
    leader_home = tmp_path / "leader"
    with (
        running_daemon(leader_home, workers=1) as leader,
        running_member(tmp_path / "a", leader, "gpu=1") as a,
    ):
        eventually(lambda: joined(leader_home, a) is not None)
        (host,) = joined(leader_home, a)["host_pids"]
        with Client.connect(leader_home) as client:
            pid = client.submit(GpuSteps, n=20, delay=0.05)
            eventually(lambda: witness.exists() and len(witness.read_text().splitlines()) >= 5)
            os.kill(host, signal.SIGKILL)  # the host only: its member stays
            result = client.wait(pid, timeout=90)
        row = joined(leader_home, a)
    assert result.is_finished_ok and result["count"] == 20
    assert row is not None and host not in row["host_pids"]  # a new host, same member
    runs = [line.split() for line in witness.read_text().splitlines()]
    steps = [int(step) for _, step, _ in runs]
    assert sorted(set(steps)) == list(range(1, 21))
    assert len(steps) - 20 in (0, 1)  # only the interrupted step ran again
    assert {int(os_pid) for _, _, os_pid in runs} - {host} <= set(row["host_pids"])
