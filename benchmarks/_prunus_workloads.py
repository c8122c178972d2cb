"""The prunus process classes the benchmarks run (see ``compare.py`` for the workloads).

They live in their own importable module because the daemon imports process classes by
``module:Class``; run with ``benchmarks/`` on ``PYTHONPATH``. ``_plumpy_workloads.py``
holds the same classes written for plumpy, step for step.
"""

from __future__ import annotations

import os
import time

from prunus import Process, ToContext, Wait, WorkChain, while_

__all__ = ["Child", "Gate", "Loop3", "Parent", "SlowSteps", "Trivial", "Waiter"]


class Trivial(Process):
    """Workload 1: a process whose only step returns at once."""

    def run(self):
        return None


class Loop3(WorkChain):
    """Workload 2 and 4: three step functions, the middle one in a ``while_`` loop."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int, default=3)
        spec.output("total", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.advance), cls.finish)

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


class ThreeSteps(WorkChain):
    """``daemon.py`` and ``run_throughput.py``: three steps, one output."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("n", valid_type=int)
        spec.outline(cls.one, cls.two, cls.three)

    def one(self):
        self.ctx.n = 1

    def two(self):
        self.ctx.n += 1

    def three(self):
        self.out("n", self.ctx.n + 1)


class Child(Process):
    """Workload 3: one child, doubles its input."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("y", valid_type=int)

    def run(self):
        self.out("y", 2 * self.inputs.x)


class Parent(WorkChain):
    """Workload 3: launches ``width`` children in one step, awaits them all, sums."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("width", valid_type=int, default=10)
        spec.output("total", valid_type=int)
        spec.outline(cls.launch_children, cls.collect)

    def launch_children(self):
        return ToContext(**{f"c{i}": self.submit(Child, x=i) for i in range(self.inputs.width)})

    def collect(self):
        self.out("total", sum(self.ctx[f"c{i}"]["y"] for i in range(self.inputs.width)))


class Gate(Process):
    """Workloads 5 and 6: goes WAITING on nothing and stays there until killed."""

    def run(self):
        return Wait(self.opened, "waiting for a signal that never comes")

    def opened(self):
        return None


class Waiter(WorkChain):
    """Workload 6: a workchain WAITING on its one child, a :class:`Gate`."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.open_gate, cls.done)

    def open_gate(self):
        return ToContext(gate=self.submit(Gate))

    def done(self):
        return None


class SlowSteps(WorkChain):
    """``members.py``: ``n`` steps of ``delay`` seconds (work in flight when a member
    is lost)."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int, default=20)
        spec.input("delay", valid_type=float, default=0.05)
        spec.output("count", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.step), cls.finish)

    def start(self):
        self.ctx.i = 0

    def more(self):
        return self.ctx.i < self.inputs.n

    def step(self):
        time.sleep(self.inputs.delay)
        self.ctx.i += 1
        witness = os.environ.get("PRUNUS_WITNESS")
        if witness:  # every run of a step, re-runs included (members.py counts them)
            with open(witness, "a") as log:
                log.write(f"{self.pid} {self.ctx.i}\n")

    def finish(self):
        self.out("count", self.ctx.i)
