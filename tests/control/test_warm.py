"""prunus.run and Process.execute reuse one embedded runtime per thread, safely."""

from __future__ import annotations

import gc
import multiprocessing
import subprocess
import sys
import threading

import pytest

import prunus
from prunus import Process, ToContext, WorkChain
from prunus.control import _warm
from prunus.errors import InvalidStateError, StuckError
from tests.workflows import Doubler, Fails, WaitsForever


def warm_runtime():
    state = _warm._local.state
    return None if state is None else state.runtime


class RunsNested(Process):
    """Tries to run a Doubler to its end inside its own step (a nested prunus.run)."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("y", valid_type=int)

    def run(self):
        self.out("y", prunus.run(Doubler, x=self.inputs.x)["y"] + 1)


class LeavesAChild(WorkChain):
    """Launches a child that waits forever and ends without awaiting it."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.launch)

    def launch(self):
        self.submit(WaitsForever)


class AwaitsADoubler(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("y", valid_type=int)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        return ToContext(child=self.submit(Doubler, x=4))

    def collect(self):
        self.out("y", self.ctx.child["y"])


def test_runs_in_one_thread_share_one_runtime():
    assert prunus.run(Doubler, x=1) == {"y": 2}
    first = warm_runtime()
    assert prunus.run(Doubler, x=2) == {"y": 4}
    assert Doubler(inputs={"x": 3}).execute() == {"y": 6}
    assert prunus.run(AwaitsADoubler) == {"y": 8}
    assert first is not None and warm_runtime() is first


def test_a_run_inside_a_step_is_refused_and_the_warm_runtime_carries_on():
    # A nested prunus.run is refused (issue 15: a @prunus.function call is the one
    # synchronous nested call); the refusal is the step's error, and the warm runtime
    # that ran the outer process is kept.
    prunus.run(Doubler, x=1)
    first = warm_runtime()
    with pytest.raises(InvalidStateError, match="cannot be used inside a step"):
        prunus.run(RunsNested, x=5)
    assert warm_runtime() is first
    assert prunus.run(Doubler, x=7) == {"y": 14}


def test_a_process_error_is_raised_and_the_runtime_is_kept():
    prunus.run(Doubler, x=1)
    first = warm_runtime()
    with pytest.raises(RuntimeError, match="child failure"):
        prunus.run(Fails)
    assert warm_runtime() is first
    assert prunus.run(Doubler, x=2) == {"y": 4}


def test_a_stuck_run_closes_the_runtime_and_the_next_run_gets_a_fresh_one():
    prunus.run(Doubler, x=1)
    first = warm_runtime()
    with pytest.raises(StuckError):
        prunus.run(WaitsForever)
    assert warm_runtime() is None and first._closed
    assert prunus.run(Doubler, x=2) == {"y": 4}
    assert warm_runtime() is not first


def test_a_child_left_running_closes_the_runtime_so_no_later_run_steps_it():
    prunus.run(Doubler, x=1)
    first = warm_runtime()
    assert prunus.run(LeavesAChild) == {}
    assert warm_runtime() is None and first._closed


def test_the_runtime_is_replaced_after_a_bounded_number_of_runs(monkeypatch):
    monkeypatch.setattr(_warm, "RECYCLE_AFTER", 3)
    prunus.run(Doubler, x=1)
    runtimes = set()
    for x in range(7):
        assert prunus.run(Doubler, x=x) == {"y": 2 * x}
        runtimes.add(id(warm_runtime()))
    assert len(runtimes) >= 3


def test_threads_each_get_their_own_runtime_closed_when_the_thread_is_gone():
    seen: dict[int, object] = {}
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for x in range(20):
                assert prunus.run(Doubler, x=x + index) == {"y": 2 * (x + index)}
            seen[index] = warm_runtime()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    runtimes = list(seen.values())
    assert len({id(runtime) for runtime in runtimes}) == 4
    gc.collect()
    assert all(runtime._closed for runtime in runtimes)


def _run_in_child(queue) -> None:
    queue.put(prunus.run(Doubler, x=21))


def test_a_forked_child_opens_its_own_runtime():
    prunus.run(Doubler, x=1)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_run_in_child, args=(queue,))
    child.start()
    assert queue.get(timeout=60) == {"y": 42}
    child.join(60)
    assert child.exitcode == 0
    assert prunus.run(Doubler, x=2) == {"y": 4}


def test_a_program_that_used_the_warm_runtime_exits_cleanly():
    code = "import prunus; from tests.workflows import Doubler; print(prunus.run(Doubler, x=2))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'y': 4}"
    assert done.stderr == ""
