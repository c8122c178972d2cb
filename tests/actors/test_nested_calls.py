"""Nested calls in a host, without Thespian: a real cell, writer and MemoryStore.

What a host guarantees (prunus/actors/_nested_calls.py): a nested child is stored and
committed before its call returns to the parent's step, the supervisor hears of it,
and a replayed parent step gets a finished child's stored result without running it.
"""

from __future__ import annotations

from typing import Any

import prunus
from prunus.actors._cell import ProcessCell
from prunus.actors._host_messages import Finished, NestedEnded, Step
from prunus.actors._nested_calls import NestedCalls
from prunus.actors._persisting import ProcessWriter
from prunus.engine import ProcessState, load_process, new_process
from prunus.persistence import MemoryStore
from tests.actors.helpers import Parts, ended

CALLS: list[tuple[int, int]] = []


@prunus.function
def counted_add(x: int, y: int) -> int:
    CALLS.append((x, y))
    return x + y


@prunus.function
def adds_twice(x: int) -> int:
    return counted_add(counted_add(x, 1), 10)


class Host:
    """The outbox of a host: keeps what it would send, counts commits."""

    def __init__(self) -> None:
        self.store = MemoryStore()
        self.writer = ProcessWriter(self.store)
        self.events: list[Any] = []
        self.commits = 0
        self.stored_at_commit: list[set[str]] = []
        self.runner = NestedCalls(self.writer, self, self._commit, self.store)

    def _commit(self) -> None:
        self.commits += 1
        self.stored_at_commit.append({pid for pid, _ in self.store.records()})

    def to_supervisor(self, message: Any) -> None:
        self.events.append(message)

    def launched(self, child: Any) -> None:
        self.events.append(("launched", child.pid))

    def schedule_step(self, pid: str) -> None:
        pass

    def reply(self, to: Any, message: Any) -> None:
        pass

    def step(self, process: Any) -> ProcessCell:
        cell = ProcessCell(process, self.writer, self, self.runner)
        cell.handle(Step())
        return cell


def test_each_nested_child_is_stored_and_committed_before_its_call_returns():
    CALLS.clear()
    host = Host()
    host.step(new_process(adds_twice, {"x": 1}, "p"))
    assert CALLS == [(1, 1), (2, 10)]
    # the first child was committed before the second ran, the second before the
    # parent's step went on (its own write comes after)
    assert host.stored_at_commit == [{"p.0"}, {"p.0", "p.1"}]
    record = host.store.get_record("p.1")
    assert record["parent"] == "p" and record["result"]["outputs"] == {"result": 12}
    assert host.store.load_checkpoint("p.1")["state"] == ProcessState.FINISHED.value
    nested = [e for e in host.events if isinstance(e, NestedEnded)]
    assert [e.status.pid for e in nested] == ["p.0", "p.1"]
    finished = [e for e in host.events if isinstance(e, Finished)]
    assert finished[0].status.children == ("p.0", "p.1")
    assert finished[0].result["result"] == 12


def test_a_replayed_step_gets_a_finished_childs_stored_result_without_running_it():
    CALLS.clear()
    host = Host()
    parent = new_process(adds_twice, {"x": 1}, "p")
    before_the_step = host.writer.checkpoint(parent)
    host.step(parent)
    # as if the host died between the two calls: p.0 is stored, p.1 is not, and p's
    # checkpoint is the one from before its step
    host.store.delete("p.1")
    host.events.clear()
    CALLS.clear()
    host.step(load_process(before_the_step))
    assert CALLS == [(2, 10)]  # p.0's stored result was the first call's value
    assert host.store.get_record("p")["result"]["outputs"] == {"result": 12}
    assert [e.status.pid for e in host.events if isinstance(e, NestedEnded)] == ["p.0", "p.1"]


def test_the_registry_records_a_nested_child_once_under_its_parent():
    parts = Parts(hosts=1)
    parts.tree("p")
    child_status, child_result = ended("p.0", ProcessState.FINISHED, parent="p")
    for _ in range(2):  # a replayed step reports it again
        parts.registry.nested_ended(child_status, child_result)
    assert parts.registry["p"].children == ["p.0"]
    assert parts.registry["p.0"].result == child_result
    assert parts.registry["p.0"].host == -1  # never placed on a host
    assert parts.registry.live_descendants("p") == []
