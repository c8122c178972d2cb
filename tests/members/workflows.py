"""Processes for the member tests: each says which OS process ran it."""

from __future__ import annotations

import os
import time

from prunus import Process


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
