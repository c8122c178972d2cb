"""What the embedded runtime's one-exchange requests mean for a user: a run's refusal
is its own error and leaves nothing behind, a batch's first checkpoints share one
commit, and children's results that arrive together rewrite their parent once."""

from __future__ import annotations

import collections

import pytest

from prunus import CodecError, ProcessState
from prunus.actors import open_embedded_runtime
from prunus.persistence import MemoryStore

ADD = "tests.workflows:Add"


class CountingStore(MemoryStore):
    """A real in-memory store that keeps the size of each commit and counts each
    pid's checkpoints."""

    def __init__(self) -> None:
        super().__init__()
        self.commits: list[int] = []
        self.checkpoints: collections.Counter[str] = collections.Counter()

    def write_staged(self, staged) -> None:
        self.commits.append(len(staged))
        for item in staged:
            if item.checkpoint is not None:
                self.checkpoints[item.pid] += 1
        super().write_staged(staged)


@pytest.fixture
def runtime():
    store = CountingStore()
    opened = open_embedded_runtime(store=store)
    yield opened, store
    opened.close()


def test_a_run_that_cannot_store_its_inputs_raises_that_and_the_next_run_is_unaffected(runtime):
    embedded, _ = runtime
    before = len(embedded.list())
    with pytest.raises(CodecError):
        embedded.run("tests.workflows:WithChildren", {"items": [object()]})
    assert len(embedded.list()) == before
    assert embedded.run(ADD, {"a": 2}) == {"sum": 3}


def test_a_batch_of_launches_commits_their_first_checkpoints_together(runtime):
    embedded, store = runtime
    before = len(store.commits)
    pids = embedded.launch_many([(ADD, {"a": i}) for i in range(50)])
    assert store.commits[before] == 50  # (their first steps may follow before the answer)
    assert all(store.get_record(pid) is not None for pid in pids)
    results = embedded.wait_many(pids)
    assert [result["sum"] for result in results] == [i + 1 for i in range(50)]


def test_children_results_that_arrive_together_rewrite_their_parent_once(runtime):
    embedded, store = runtime
    outputs = embedded.run("tests.workflows:WithChildren", {"items": list(range(10))})
    assert outputs["total"] == sum(range(1, 11))
    [parent] = [s.pid for s in embedded.list() if s.parent is None and len(s.children) == 10]
    # first checkpoint, the launching step, the results (all at once unless a slice
    # ended between the children: at least not one write each), the last step
    assert store.checkpoints[parent] < 10
    assert all(
        embedded.status(child).state is ProcessState.FINISHED
        for child in embedded.status(parent).children
    )
    assert embedded.live_descendants(parent) == []
