"""The supervisor failing processes on a full disk: nothing is cut short or lost.

A dead host's processes that were restarted too often are failed by the supervisor,
which writes each ending first. On a full disk that write fails: before, the error cut
the walk over the dead host's processes short, and every process after the first was
stranded (neither restarted nor failed). Driven without an actor system; the store is
a real MemoryStore that answers every write as a full disk does while ``full``.
"""

from __future__ import annotations

from collections.abc import Sequence

from prunus.actors._host_messages import Activated, HostEvents
from prunus.actors._host_pool import HostPool
from prunus.actors._messages import Launch
from prunus.actors._supervision import Supervision
from prunus.actors._unrecorded_failures import RetryFailure
from prunus.engine import ProcessState
from prunus.errors import StoreError
from prunus.persistence import MemoryStore, StagedWrite
from tests.actors.helpers import ME, Gate


class _FullDisk(MemoryStore):
    """A memory store whose writes fail as LmdbStore's do on a full disk, while ``full``."""

    full = False

    def write_staged(self, staged: Sequence[StagedWrite]) -> None:
        if self.full:
            raise StoreError("cannot write to /home: the disk is full", disk_full=True)
        super().write_staged(staged)


def _running(store: _FullDisk, sv: Supervision, count: int) -> list[str]:
    """``count`` Gates launched on host 0, their first writes committed, all active."""
    pids = []
    for _ in range(count):
        sv.handle(Launch(Gate()), "client")
        [(pid, activate)] = sv.out.delivered()
        store.write_staged([activate.first_write])
        sv.handle(HostEvents((Activated(pid),)), "host-0")
        sv.out.batches.clear()
        sv.out.sends.clear()
        pids.append(pid)
    return pids


def test_every_process_of_a_dead_host_is_failed_once_the_full_disk_has_room_again():
    store = _FullDisk()
    hosts = HostPool()
    hosts.started(hosts.add(), "host-0")
    sv = Supervision(store, ME, hosts, passivate=True, restart_limit=0)
    pids = _running(store, sv, 5)
    store.full = True
    sv.host_restarted(0)  # raised StoreError at the first failure before
    for pid in pids:
        status = sv.registry[pid].status
        assert status.state is not ProcessState.EXCEPTED  # not ended: not recorded
        assert status.status == "blocked: cannot write to /home: the disk is full"
    timers = [payload for _, payload in sv.out.timers]
    assert [t.pid for t in timers] == pids and all(type(t) is RetryFailure for t in timers)
    sv.out.timers.clear()
    sv.timer(timers[0])  # still full: held again
    assert [payload for _, payload in sv.out.timers] == [timers[0]]
    sv.out.timers.clear()
    store.full = False
    for timer in timers:
        sv.timer(timer)
    for pid in pids:
        assert sv.registry[pid].result.state is ProcessState.EXCEPTED
        assert "its host process died 1 times" in sv.registry[pid].status.status
        assert store.get_record(pid)["state"] == ProcessState.EXCEPTED.value
    assert sv.out.timers == []
