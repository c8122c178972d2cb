"""Processes for the daemon tests; the daemon imports them by module path."""

from __future__ import annotations

import os
import signal
import time

from prunus import Continue, Kill, Process, ToContext, Wait, WorkChain, append_, while_


class Leaf(Process):
    """Doubles x after ``delay`` seconds; with ``hold`` it first pauses itself."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.input("hold", valid_type=bool, default=False)
        spec.output("y", valid_type=int)

    def run(self):
        if self.inputs.hold:
            self.pause()
        return Continue(self.compute)

    def compute(self):
        time.sleep(self.inputs.delay)
        self.out("y", 2 * self.inputs.x)


class Middle(WorkChain):
    """Launches one Leaf and waits on it: a WAITING process while the leaf runs."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.input("hold", valid_type=bool, default=False)
        spec.output("y", valid_type=int)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        leaf = self.submit(Leaf, x=self.inputs.x, delay=self.inputs.delay, hold=self.inputs.hold)
        return ToContext(leaf=leaf)

    def collect(self):
        self.out("y", self.ctx.leaf["y"] + 1)


class Fanout(WorkChain):
    """n Middle children at once, each waiting on its own Leaf; sums their outputs.
    With ``hold`` every leaf pauses itself until played."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.input("hold", valid_type=bool, default=False)
        spec.output("total", valid_type=int)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        for x in range(self.inputs.n):
            middle = self.submit(Middle, x=x, delay=self.inputs.delay, hold=self.inputs.hold)
            self.to_context(parts=append_(middle))

    def collect(self):
        self.out("total", sum(part["y"] for part in self.ctx.parts))


def fanout_total(n: int) -> int:
    return sum(2 * x + 1 for x in range(n))


class Steps(WorkChain):
    """``n`` steps of ``delay`` seconds, counting in ctx; reports each step."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.input("delay", valid_type=float, default=0.02)
        spec.output("count", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.step), cls.finish)

    def start(self):
        self.ctx.i = 0

    def more(self):
        return self.ctx.i < self.inputs.n

    def step(self):
        time.sleep(self.inputs.delay)
        self.ctx.i += 1
        self.report(f"step {self.ctx.i}")
        witness = os.environ.get("PRUNUS_WITNESS")
        if witness:  # outside the store: shows every run of a step, re-runs included
            with open(witness, "a") as log:
                log.write(f"{self.pid} {self.ctx.i}\n")

    def finish(self):
        self.out("count", self.ctx.i)


class KillsItsHost(Process):
    """Every attempt at its step kills the OS process running it."""

    def run(self):
        os.kill(os.getpid(), signal.SIGKILL)


class WaitsForever(Process):
    def run(self):
        return Wait(self.never, "waiting for nothing")

    def never(self):
        raise AssertionError("never resumed")


class KillsItself(Process):
    def run(self):
        return Kill("stop here")
