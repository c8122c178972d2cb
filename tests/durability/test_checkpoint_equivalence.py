"""Save at every step, restore into a fresh object, run on: nothing may change.

This is plumpy's save-at-every-step test on our engine: the checkpoint goes through the
real codec (msgpack bytes) and back, and a new process object continues from it.
"""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from prunus import Process, ProcessState, ToContext, WorkChain, while_
from prunus.engine import CHECKPOINT_KEYS, ProcessDriver, load_process, save_process
from prunus.persistence import decode_checkpoint, encode_checkpoint
from tests.outlines import build_workchain, number_steps, outcomes, outlines
from tests.workflows import Doubler


def round_trip(process: Process) -> Process:
    data = decode_checkpoint(encode_checkpoint(save_process(process)))
    # Random outline classes are built at run time and cannot be imported by name;
    # the importable Tree and Doubler classes are resolved from the checkpoint as in production.
    known = type(process) if type(process).__name__ == "RandomOutline" else None
    return load_process(data, known)


def drive(root: Process, restore: bool) -> dict[str, Process]:
    """Run a process tree to its end with no actors; optionally restore after each step."""
    live: dict[str, Process] = {root.pid: root}
    queue = deque([root.pid])
    while queue:
        pid = queue.popleft()
        process = live[pid]
        if not ProcessDriver(process).runnable:
            continue
        ProcessDriver(process).step()
        launches, _ = ProcessDriver(process).take_effects()
        if restore:
            process = live[pid] = round_trip(process)
        for child in launches:
            live[child.pid] = round_trip(child) if restore else child
            queue.append(child.pid)
        if process.has_terminated():
            parent = live.get(process.parent_pid or "")
            if parent is not None and not parent.has_terminated():
                ProcessDriver(parent).child_finished(ProcessDriver(process).result())
                if restore:
                    live[parent.pid] = round_trip(parent)
                queue.append(parent.pid)
        else:
            queue.append(pid)
    return live


def snapshot(processes: dict[str, Process]) -> dict[str, tuple]:
    return {
        pid: (p.state, p.outputs, dict(p._prunus.ctx), p.exit_code, p.status)
        for pid, p in processes.items()
    }


class Tree(WorkChain):
    """A loop that launches children (some of which launch their own) and sums them."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.input("depth", valid_type=int, default=1)
        spec.output("total", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.launch, cls.add), cls.finish)

    def start(self):
        self.ctx.i = 0
        self.ctx.parts = []

    def more(self):
        return self.ctx.i < self.inputs.n

    def launch(self):
        self.ctx.i += 1
        if self.inputs.depth > 1 and self.ctx.i % 2 == 0:
            return ToContext(part=self.submit(Tree, n=2, depth=self.inputs.depth - 1))
        return ToContext(part=self.submit(Doubler, x=self.ctx.i))

    def add(self):
        part = self.ctx.part
        self.ctx.parts.append(part.get("y", part.get("total")))

    def finish(self):
        self.out("total", sum(self.ctx.parts))


@settings(max_examples=80, deadline=None)
@given(tree=outlines, answers=outcomes)
def test_random_outlines_restored_at_every_step_end_like_uninterrupted_runs(tree, answers):
    block = number_steps(tree)
    cls = build_workchain(block, answers)
    plain = drive(cls(pid="w"), restore=False)
    restored = drive(cls(pid="w"), restore=True)
    assert snapshot(restored) == snapshot(plain)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 5), depth=st.integers(1, 3))
def test_trees_of_children_restored_at_every_step_end_like_uninterrupted_runs(n, depth):
    plain = drive(Tree({"n": n, "depth": depth}, pid="t"), restore=False)
    restored = drive(Tree({"n": n, "depth": depth}, pid="t"), restore=True)
    assert snapshot(restored) == snapshot(plain)
    assert restored["t"].state is ProcessState.FINISHED
    assert set(restored) == set(plain)  # the same children, no duplicates


def test_a_restored_process_keeps_pause_awaits_and_launch_counter():
    parent = Tree({"n": 2}, pid="p")
    ProcessDriver(parent).step()  # start
    ProcessDriver(parent).step()  # launch 1 -> WAITING
    parent.pause()
    restored = round_trip(parent)
    assert restored.state is ProcessState.WAITING
    assert restored.paused
    assert restored._prunus.awaiting == [["part", "p.0", False]]
    assert restored._prunus.launch_count == 1
    assert restored.inputs.n == 2
    assert restored.ctx.i == 1


def test_checkpoint_keys_are_every_key_a_checkpoint_is_written_with_but_when():
    parent = Tree({"n": 2}, pid="p")
    ProcessDriver(parent).step()
    assert set(save_process(parent)) - {"when"} == CHECKPOINT_KEYS
