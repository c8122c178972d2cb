"""A host SIGKILLed between committing a slice and reporting it: the store knows
children and endings the supervisor never heard of; nothing may be stranded."""

from __future__ import annotations

import pytest

from prunus import Client
from prunus.control import daemon_status
from prunus.persistence import LmdbStore
from tests.conftest import running_daemon
from tests.workflows import Add, LaunchesThenKillsItsHost

pytestmark = pytest.mark.slow


# One parent: its two steps run in one slice, so the host dies after committing the
# launch and before reporting it (fails without reconciliation). Thirty: the slice ends
# between the steps for most of them, a mix of reported and unreported launches.
@pytest.mark.parametrize("parents", [1, 30])
def test_parents_whose_host_died_right_after_launching_children_still_finish(
    tmp_path, monkeypatch, parents
):
    once = tmp_path / "killed-once"
    monkeypatch.setenv("PRUNUS_HOST_KILL_ONCE", str(once))  # inherited by the daemon
    home = tmp_path / "home"
    with running_daemon(home, workers=2), Client.connect(home) as client:
        hosts_before = set(daemon_status(home)["host_pids"])
        pids = client.submit_many([(LaunchesThenKillsItsHost, {"n": 3})] * parents)
        results = [client.wait(pid, timeout=30) for pid in pids]
        assert once.exists()  # a host was killed
        assert set(daemon_status(home)["host_pids"]) != hosts_before
        assert [r["total"] for r in results] == [1 + 2 + 3] * parents
        for pid in pids:  # every child known to the supervisor, and ended
            for kid in range(3):
                assert client.status(f"{pid}.{kid}").state.name == "FINISHED"
    with LmdbStore(home) as store:
        records = dict(store.records())
    assert len(records) == parents * 4  # no child launched twice


def test_a_process_that_ended_just_before_its_host_died_is_seen_to_have_ended(
    tmp_path, monkeypatch
):
    once = tmp_path / "killed-once"
    monkeypatch.setenv("PRUNUS_HOST_KILL_ONCE", str(once))
    home = tmp_path / "home"
    with running_daemon(home, workers=1), Client.connect(home) as client:
        # One slice: Add finishes, the round's commit stores it, then the other
        # process's second step kills the host before the slice is reported.
        add, killer = client.submit_many([(Add, {"a": 41}), (LaunchesThenKillsItsHost, {"n": 0})])
        assert client.wait(add, timeout=20)["sum"] == 42
        assert client.wait(killer, timeout=20)["total"] == 0
        assert once.exists()
        assert client.report(add) == ["adding 41 and 1"]  # its step ran once
