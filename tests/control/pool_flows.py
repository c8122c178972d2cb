"""Processes for the worker-pool tests, imported by the pool by module path.

Each step appends ``<pid> <step> <os pid>`` to the file named by its ``trace`` input,
so a test sees which host OS process ran what, and how often.
"""

from __future__ import annotations

import os
import time

from prunus import Process, ToContext, WorkChain


def trace(path: str, pid: str, step: str) -> None:
    with open(path, "a") as f:
        f.write(f"{pid} {step} {os.getpid()}\n")


class Busy(Process):
    """Sleeps ``seconds`` in its one step (a stand-in for a compute job) and says
    which OS process ran it."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("seconds", valid_type=float, default=0.0)
        spec.input("trace", valid_type=str, default="")
        spec.output("os_pid", valid_type=int)

    def run(self):
        if self.inputs.trace:
            trace(self.inputs.trace, self.pid, "run")
        time.sleep(self.inputs.seconds)
        self.out("os_pid", os.getpid())


class Campaign(WorkChain):
    """Launches ``children`` independent Busy children at once and collects where
    each ran."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("children", valid_type=int)
        spec.input("seconds", valid_type=float, default=0.0)
        spec.input("trace", valid_type=str, default="")
        spec.output("os_pids", valid_type=list)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        if self.inputs.trace:
            trace(self.inputs.trace, self.pid, "launch")
        children = {
            f"c{i}": self.submit(Busy, seconds=self.inputs.seconds, trace=self.inputs.trace)
            for i in range(self.inputs.children)
        }
        return ToContext(**children)

    def collect(self):
        if self.inputs.trace:
            trace(self.inputs.trace, self.pid, "collect")
        self.out(
            "os_pids",
            [self.ctx[f"c{i}"].outputs["os_pid"] for i in range(self.inputs.children)],
        )
