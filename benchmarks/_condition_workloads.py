"""Processes for ``benchmarks/conditions.py`` (imported by the daemon by module path)."""

from __future__ import annotations

import time

from prunus import Continue, Process


class HeldJob(Process):
    """Pauses itself at once; once played, outputs the time its work ended."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("ended", valid_type=float)

    def run(self):
        self.pause()
        return Continue(self.work)

    def work(self):
        self.out("ended", time.time())


class Stamp(Process):
    """A dependent: outputs the time its first step started."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("started", valid_type=float)

    def run(self):
        self.out("started", time.time())
