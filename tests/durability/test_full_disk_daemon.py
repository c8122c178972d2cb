"""A daemon whose disk fills while its processes step and launch children, then frees:
every process ends, and none was restarted.

The fault matrix's ``disk`` kind in one test (benchmarks/faults.py). Before the hosts
held on a full disk, a host whose commit failed exited; its processes were restarted
until they were failed ("its host process died 4 times") or, when the supervisor could
not write that failure either, stranded. Needs root to mount a tmpfs; skips otherwise.
"""

from __future__ import annotations

import pytest

from prunus import Client, ProcessState
from tests.conftest import running_daemon
from tests.durability.disk import fill, small_disk
from tests.modes import eventually
from tests.workflows import Fanout, Steps, fanout_total

pytestmark = pytest.mark.slow


def test_a_daemon_whose_disk_fills_while_processes_step_ends_every_process_once_freed(
    tmp_path,
):
    with small_disk(tmp_path / "disk", 32) as disk:
        home = disk / "home"
        with running_daemon(home, workers=2), Client.connect(home) as client:
            steppers = client.submit_many([(Steps, {"n": 150, "delay": 0.01})] * 4)
            fanouts = client.submit_many([(Fanout, {"n": 4, "delay": 0.5})] * 4)
            eventually(lambda: all(client.status(p).step for p in steppers), timeout=20)
            filler = fill(disk)

            def held() -> bool:
                shown = [client.status(p).status or "" for p in steppers]
                return all(s.startswith(f"blocked: cannot write to {home}") for s in shown)

            eventually(held, timeout=20)
            assert all(client.status(p).state is ProcessState.RUNNING for p in steppers)
            filler.unlink()
            counts = [client.wait(p, timeout=60)["count"] for p in steppers]
            totals = [client.wait(p, timeout=60)["total"] for p in fanouts]
            assert counts == [150] * 4
            assert totals == [fanout_total(4)] * 4
            every = client.list()
            assert len(every) == 4 + 4 * (1 + 4 * 2)  # no child launched twice
            assert {s.state for s in every} == {ProcessState.FINISHED}
            assert not any(s.status for s in every)  # no longer shown blocked
            assert {client.describe(s.pid)["restarts"] for s in every} == {0}
