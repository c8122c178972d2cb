"""The processes the fault matrix runs (``faults.py``); the daemon imports them by path.

Every step appends one line ``<pid> <step>`` to the file named by ``$PRUNUS_WITNESS``
*after* its work, so a line that appears twice is a step that ran twice (re-run after
a fault), and a line that never appears is a step that never completed.
"""

from __future__ import annotations

import os
import time

from prunus import Process, ToContext, WorkChain, while_

__all__ = ["Chain", "Link", "chain_total"]


def _witness(pid: str, step: str) -> None:
    path = os.environ.get("PRUNUS_WITNESS")
    if path:
        with open(path, "a") as file:  # one short write: atomic for O_APPEND
            file.write(f"{pid} {step}\n")


class Link(Process):
    """One job of a chain: doubles ``x`` after ``delay`` seconds."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.output("y", valid_type=int)

    def run(self):
        time.sleep(self.inputs.delay)
        self.out("y", 2 * self.inputs.x)
        _witness(self.pid, "run")


class Chain(WorkChain):
    """``n`` Links one after the other, each on the previous one's output plus one."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int, default=3)
        spec.input("delay", valid_type=float, default=0.0)
        spec.output("total", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.launch, cls.collect), cls.finish)

    def start(self):
        self.ctx.i, self.ctx.total = 0, 0
        _witness(self.pid, "start")

    def more(self):
        return self.ctx.i < self.inputs.n

    def launch(self):
        link = self.submit(Link, x=self.ctx.total + 1, delay=self.inputs.delay)
        _witness(self.pid, f"launch{self.ctx.i}")
        return ToContext(link=link)

    def collect(self):
        self.ctx.total = self.ctx.link["y"]
        _witness(self.pid, f"collect{self.ctx.i}")
        self.ctx.i += 1

    def finish(self):
        self.out("total", self.ctx.total)
        _witness(self.pid, "finish")


def chain_total(n: int) -> int:
    """What ``Chain(n=n)`` outputs: x -> 2 * (x + 1), n times from 0."""
    total = 0
    for _ in range(n):
        total = 2 * (total + 1)
    return total
