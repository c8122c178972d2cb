"""Processes for the member tests: each says which OS process ran it."""

from __future__ import annotations

import os
import time

from prunus import Process, WorkChain, append_, while_


class WhereAmI(Process):
    """Sleeps ``delay`` seconds in its one step, and outputs the OS pid that ran it."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("delay", valid_type=float, default=0.0)
        spec.output("os_pid", valid_type=int)

    def run(self):
        time.sleep(self.inputs.delay)
        self.out("os_pid", os.getpid())


class NeedsGpu(Process):
    """Needs one GPU; outputs the OS pid that ran it and when its step began and ended."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.requires(gpu=1)
        spec.input("delay", valid_type=float, default=0.0)
        spec.output("os_pid", valid_type=int)
        spec.output("began", valid_type=float)
        spec.output("ended", valid_type=float)

    def run(self):
        began = time.time()
        time.sleep(self.inputs.delay)
        self.out("os_pid", os.getpid())
        self.out("began", began)
        self.out("ended", time.time())


class GpuSteps(WorkChain):
    """``n`` steps on a GPU; each appends ``pid step os_pid`` to $PRUNUS_WITNESS."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.requires(gpu=1)
        spec.input("n", valid_type=int)
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
        with open(os.environ["PRUNUS_WITNESS"], "a") as log:
            log.write(f"{self.pid} {self.ctx.i} {os.getpid()}\n")

    def finish(self):
        self.out("count", self.ctx.i)


class FarLeaf(Process):
    """Runs only at ``site=far``; outputs its OS pid and twice its ``x``."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.requires(site="far")
        spec.input("x", valid_type=int)
        spec.output("os_pid", valid_type=int)
        spec.output("double", valid_type=int)

    def run(self):
        self.out("os_pid", os.getpid())
        self.out("double", 2 * self.inputs.x)


class FarTree(WorkChain):
    """At ``site=far``: launches ``n`` FarLeaf children, waits for them (passivated
    meanwhile), and outputs the OS pids that ran it and them, and their sum."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.requires(site="far")
        spec.input("n", valid_type=int)
        spec.output("os_pids", valid_type=list)
        spec.output("total", valid_type=int)
        spec.outline(cls.launch, cls.gather)

    def launch(self):
        self.ctx.mine = [os.getpid()]
        for x in range(self.inputs.n):
            self.to_context(leaves=append_(self.submit(FarLeaf, x=x)))

    def gather(self):
        leaves = self.ctx.leaves
        self.out("os_pids", [*self.ctx.mine, os.getpid(), *(leaf["os_pid"] for leaf in leaves)])
        self.out("total", sum(leaf["double"] for leaf in leaves))
