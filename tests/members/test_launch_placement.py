"""A launch's placement: ``client.defaults(placement=...)``, a block whose placement
applies to the launches inside it (park's ``with service:``; the launch's own placement
wins over the block, and the block's over the class's ``spec.requires``); and a launch
placement kept across a leader restart. Real daemons on loopback."""

from __future__ import annotations

import pytest

from prunus import Client
from tests.conftest import running_daemon
from tests.members.conftest import joined, running_member
from tests.members.workflows import NeedsGpu, WhereAmI

pytestmark = pytest.mark.slow


def test_a_defaults_block_places_the_launches_inside_it_and_a_launch_option_wins(two_members):
    members = two_members(["site=a", "gpu=1"], ["site=b"])
    on_a, on_b = members.on_a, members.on_b
    with Client.connect(members.leader_home) as client:
        with client.defaults(placement={"site": "b"}):
            in_block = [client.submit(WhereAmI) for _ in range(3)]
            in_block += client.submit_many([(WhereAmI, {})] * 3)
            over_class = client.submit(NeedsGpu)  # the block wins over gpu=1
            own = client.submit(WhereAmI, placement={"site": "a"})  # the launch wins
            held = [  # held by when= first: placed when the condition holds
                client.submit(WhereAmI, when=in_block[0].finished_ok, placement={"site": "a"})
                for _ in range(3)
            ]
            with client.defaults(placement=None):  # back to the class's own
                by_class = client.submit(NeedsGpu)
        after = client.submit(NeedsGpu)  # outside: the class's gpu=1 again
        every = [*in_block, over_class, own, *held, by_class, after]
        ran = {pid: client.wait(pid, timeout=60)["os_pid"] for pid in every}
    assert {ran[pid] for pid in [*in_block, over_class]} <= on_b
    assert {ran[own], ran[by_class], ran[after], *(ran[pid] for pid in held)} <= on_a


def test_a_launch_placement_survives_a_leader_restart(tmp_path):
    with (
        running_daemon(tmp_path / "leader", workers=1),
        Client.connect(tmp_path / "leader") as client,
    ):
        pid = client.submit(WhereAmI, placement={"site": "far"})
        assert client.status(pid).status == "waiting for a host with site=far"
    # (stopped and started again: the leader's own host must not take it now)
    with (
        running_daemon(tmp_path / "leader", workers=1) as leader,
        Client.connect(tmp_path / "leader") as client,
    ):
        assert client.status(pid).status == "waiting for a host with site=far"
        with running_member(tmp_path / "far", leader, "site=far") as far:
            result = client.wait(pid, timeout=60)
            assert result["os_pid"] in joined(tmp_path / "leader", far)["host_pids"]
    meta = list_meta(tmp_path / "leader")
    assert not [key for key in meta if key.startswith("placement/")]  # forgotten: it ended


def list_meta(home) -> list[str]:
    from prunus.persistence import LmdbStore

    store = LmdbStore(home)
    try:
        return [key for key, _ in store.items("meta")]
    finally:
        store.close()
