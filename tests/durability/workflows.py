"""Workflows for the crash tests: every step appends a line to a log file and fsyncs.

The log is the test's witness of what ran: ``pid step i`` per step execution. Steps
sleep a little so that a SIGKILL at a random moment lands in the middle of the run.
"""

from __future__ import annotations

import os
import time

from prunus import Process, ToContext, WorkChain, append_, while_

STEP_SECONDS = 0.015


def witness(process: Process, what: str) -> None:
    path = os.environ["PRUNUS_CRASH_LOG"]
    with open(path, "a") as log:
        log.write(f"{process.pid} {what}\n")
        log.flush()
        os.fsync(log.fileno())
    time.sleep(STEP_SECONDS)


class Square(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("y", valid_type=int)

    def run(self):
        witness(self, "run")
        self.out("y", self.inputs.x * self.inputs.x)


class SumOfSquares(WorkChain):
    """Loops n times; each iteration launches a Square child and awaits it."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.output("total", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.launch, cls.add), cls.launch_batch, cls.finish)

    def start(self):
        witness(self, "start")
        self.ctx.i = 0
        self.ctx.total = 0

    def more(self):
        return self.ctx.i < self.inputs.n

    def launch(self):
        self.ctx.i += 1
        witness(self, f"launch {self.ctx.i}")
        return ToContext(square=self.submit(Square, x=self.ctx.i))

    def add(self):
        witness(self, f"add {self.ctx.i}")
        self.ctx.total += self.ctx.square["y"]

    def launch_batch(self):
        witness(self, "launch_batch")
        for x in (10, 20):
            self.to_context(batch=append_(self.submit(Square, x=x)))

    def finish(self):
        witness(self, "finish")
        self.out("total", self.ctx.total + sum(r["y"] for r in self.ctx.batch))


def expected_total(n: int) -> int:
    return sum(i * i for i in range(1, n + 1)) + 100 + 400


class Hoarder(WorkChain):
    """Puts a value the codec cannot store into ctx."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.grab)

    def grab(self):
        self.ctx.results = [1, 2, object()]
