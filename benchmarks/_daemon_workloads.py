"""Processes for benchmarks/daemon.py; the daemon imports them by module path."""

from __future__ import annotations

from prunus import Process, Wait, WorkChain


class Trivial(Process):
    def run(self):
        return None


class ThreeSteps(WorkChain):
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


class Waits(Process):
    """WAITING until killed: the target of the control round trips."""

    def run(self):
        return Wait(self.never, "waiting")

    def never(self):
        return None
