"""The plumpy process classes the benchmarks run; imported only in the plumpy virtualenv.

Step for step the same classes as ``_prunus_workloads.py``, written against plumpy
0.26.1's API: children are launched with ``Process.launch`` (plumpy has no ``submit``;
that name is aiida's) and awaited with ``ToContext``; a waiting process returns
``plumpy.Wait``. Written from plumpy's documented API, no code taken from it.

``CheckpointedLoop3`` saves a checkpoint with ``PERSISTER`` every time the process
enters a state: plumpy goes through a RUNNING -> RUNNING transition for every step, so
that is one checkpoint after every step and one on every state change, the same
contract as a prunus runtime with a home. (This is how aiida, plumpy's main user,
checkpoints: from ``on_entered``.)
"""

from __future__ import annotations

import plumpy

__all__ = [
    "PERSISTER",
    "CheckpointedLoop3",
    "Child",
    "Gate",
    "Loop3",
    "Parent",
    "Trivial",
    "Waiter",
]

# Set by whoever hosts the processes (the benchmark or a worker) before any runs.
PERSISTER: plumpy.Persister | None = None


class Trivial(plumpy.Process):
    """Workload 1: a process whose only step returns at once."""

    def run(self):
        return None


class Loop3(plumpy.WorkChain):
    """Workload 2 and 4: three step functions, the middle one in a ``while_`` loop."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int, default=3)
        spec.output("total", valid_type=int)
        spec.outline(cls.start, plumpy.while_(cls.more)(cls.advance), cls.finish)

    def start(self):
        self.ctx.i = 0
        self.ctx.total = 0

    def more(self):
        return self.ctx.i < self.inputs.n

    def advance(self):
        self.ctx.i += 1
        self.ctx.total += self.ctx.i

    def finish(self):
        self.out("total", self.ctx.total)


class CheckpointedLoop3(Loop3):
    """:class:`Loop3` with a checkpoint on entering every state (so after every step)."""

    def on_entered(self, from_state):
        super().on_entered(from_state)
        PERSISTER.save_checkpoint(self)


class Child(plumpy.Process):
    """Workload 3: one child, doubles its input."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("y", valid_type=int)

    def run(self):
        self.out("y", 2 * self.inputs.x)


class Parent(plumpy.WorkChain):
    """Workload 3: launches ``width`` children in one step, awaits them all, sums."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("width", valid_type=int, default=10)
        spec.output("total", valid_type=int)
        spec.outline(cls.launch_children, cls.collect)

    def launch_children(self):
        return plumpy.ToContext(
            **{f"c{i}": self.launch(Child, inputs={"x": i}) for i in range(self.inputs.width)}
        )

    def collect(self):
        self.out("total", sum(self.ctx[f"c{i}"]["y"] for i in range(self.inputs.width)))


class Gate(plumpy.Process):
    """Workloads 5 and 6: goes WAITING on nothing and stays there until killed."""

    def run(self):
        return plumpy.Wait(self.opened, "waiting for a signal that never comes")

    def opened(self):
        return None


class Waiter(plumpy.WorkChain):
    """Workload 6: a workchain WAITING on its one child, a :class:`Gate`."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.open_gate, cls.done)

    def open_gate(self):
        return plumpy.ToContext(gate=self.launch(Gate))

    def done(self):
        return None
