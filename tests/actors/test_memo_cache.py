"""The supervisor's memo part, driven directly: what it plans for a launch, and when it
fills an entry."""

from __future__ import annotations

from prunus.actors._memo_cache import MemoCache
from prunus.actors._registry import Registry
from prunus.engine import ProcessDriver, ProcessResult, ProcessState
from prunus.persistence import MemoryStore
from prunus.spec import ExitCode
from tests.actors.helpers import Parts
from tests.conditions.jobs import Square


def setup() -> tuple[Registry, MemoCache, MemoryStore]:
    parts = Parts()
    return parts.registry, MemoCache(parts.registry, parts.store), parts.store


def launched(registry: Registry, x: int = 2) -> Square:
    process = Square(inputs={"x": x, "witness": "/dev/null"})
    registry.register(ProcessDriver(process).status())
    return process


def ended(registry: Registry, memo: MemoCache, process: Square, result: ProcessResult) -> None:
    registry.finished(ProcessDriver(process).status(), result, Parts().out)
    memo.ended(process.pid, result)


def ok(process: Square) -> ProcessResult:
    return ProcessResult(process.pid, ProcessState.FINISHED, {"y": 4})


def test_a_first_launch_runs_and_an_identical_one_waits_for_it_then_hits():
    registry, memo, _ = setup()
    first = launched(registry)
    plan = memo.plan(first)
    assert plan.action == "run" and plan.key is not None
    memo.running(first.pid, plan.key, True)
    second = launched(registry)
    waiting = memo.plan(second)
    assert (waiting.action, waiting.source) == ("wait", first.pid)
    memo.held(second.pid, waiting.key, True)
    ended(registry, memo, first, ok(first))
    assert memo.released(second.pid).source == first.pid
    third = launched(registry)
    assert (memo.plan(third).action, memo.plan(third).source) == ("hit", first.pid)


def test_a_failed_or_non_zero_run_fills_nothing_and_the_waiting_one_runs():
    registry, memo, store = setup()
    first = launched(registry)
    memo.running(first.pid, memo.plan(first).key, True)
    second = launched(registry)
    memo.held(second.pid, memo.plan(second).key, True)
    bad = ProcessResult(first.pid, ProcessState.FINISHED, {}, exit_code=ExitCode(3, "odd"))
    ended(registry, memo, first, bad)
    assert list(store.items("memo")) == []
    assert memo.released(second.pid).action == "run"
    assert memo.plan(launched(registry)).action == "wait"  # the second runs for the key now


def test_cache_false_plans_no_key_and_refresh_runs_despite_an_entry():
    registry, memo, _ = setup()
    first = launched(registry)
    memo.running(first.pid, memo.plan(first).key, True)
    ended(registry, memo, first, ok(first))
    assert memo.plan(launched(registry), False).key is None
    refresh = memo.plan(launched(registry), "refresh")
    assert refresh.action == "run" and refresh.key is not None


def test_an_entry_whose_source_is_unknown_to_the_registry_is_not_reused():
    registry, memo, store = setup()
    first = launched(registry)
    memo.running(first.pid, memo.plan(first).key, True)
    ended(registry, memo, first, ok(first))
    other = MemoCache(Registry(Parts().hosts), store)  # a registry without the source
    assert other.plan(Square(inputs={"x": 2, "witness": "/dev/null"})).action == "run"
