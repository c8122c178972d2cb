"""Jobs for the ``when=`` tests: each writes when its step started and ended.

The daemon imports these by module path (``tests.conditions.jobs``), so they live in
a module of their own. A job's witness file holds two lines, ``start <t>`` and
``end <t>`` (``time.time()``), so a test can check the order across OS processes.
"""

from __future__ import annotations

import time
from pathlib import Path

from prunus import Continue, Process, ToContext, WorkChain


def stamps(path: str | Path) -> dict[str, float]:
    """``{"start": t, "end": t}`` from a job's witness file ({} if it never ran)."""
    path = Path(path)
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text().splitlines():
        kind, _, value = line.partition(" ")
        found[kind] = float(value)
    return found


class Job(Process):
    """Sleeps ``seconds`` in its one step, stamping ``witness``; fails if ``fail``.
    With ``paused``, it pauses itself first and does its work once played."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("witness", valid_type=str)
        spec.input("seconds", valid_type=float, default=0.0)
        spec.input("fail", valid_type=bool, default=False)
        spec.input("paused", valid_type=bool, default=False)
        spec.output("done", valid_type=str)

    def run(self):
        if self.inputs.paused:
            self.pause()
            return Continue(self.work)
        return self.work()

    def work(self):
        with open(self.inputs.witness, "a") as out:
            out.write(f"start {time.time()!r}\n")
        time.sleep(self.inputs.seconds)
        if self.inputs.fail:
            raise RuntimeError(f"job {self.pid} failed on purpose")
        self.out("done", self.pid)
        with open(self.inputs.witness, "a") as out:
            out.write(f"end {time.time()!r}\n")


class Siblings(WorkChain):
    """Launches ``first`` then ``second`` when ``first`` finished ok, and a clean-up
    when ``second`` completed; awaits all three."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("folder", valid_type=str)
        spec.input("first_fails", valid_type=bool, default=False)
        spec.outline(cls.launch, cls.collect)
        spec.output("states", valid_type=dict)

    def launch(self):
        folder = Path(self.inputs.folder)
        first = self.submit(
            Job, witness=str(folder / "first"), seconds=0.2, fail=self.inputs.first_fails
        )
        second = self.submit(Job, witness=str(folder / "second"), when=first.finished_ok)
        cleanup = self.submit(Job, witness=str(folder / "cleanup"), when=second.completed)
        return ToContext(first=first, second=second, cleanup=cleanup)

    def collect(self):
        self.out(
            "states",
            {name: self.ctx[name].state.name for name in ("first", "second", "cleanup")},
        )


def runs(witness: str | Path) -> int:
    """How many times a cacheable job ran a step with this witness file."""
    path = Path(witness)
    return len(path.read_text().splitlines()) if path.exists() else 0


class Square(Process):
    """Cacheable: y = x * x; appends a line to ``witness`` each time its step runs
    (``witness`` is not part of the key)."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.cacheable(version="1", ignore=("witness", "seconds"))
        spec.input("x", valid_type=int)
        spec.input("witness", valid_type=str)
        spec.input("seconds", valid_type=float, default=0.0)
        spec.input("fail", valid_type=bool, default=False)
        spec.input("data", required=False)
        spec.output("y", valid_type=int)

    def run(self):
        with open(self.inputs.witness, "a") as out:
            out.write(f"{self.pid}\n")
        time.sleep(self.inputs.seconds)
        if self.inputs.fail:
            raise RuntimeError("failed on purpose")
        self.out("y", self.inputs.x * self.inputs.x)


class SquareV2(Square):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.cacheable(version="2", ignore=("witness", "seconds"))


class SquareTree(WorkChain):
    """A cacheable WorkChain: squares ``x`` in a child (a hit skips the child)."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.cacheable(version="1", ignore=("witness",))
        spec.input("x", valid_type=int)
        spec.input("witness", valid_type=str)
        spec.outline(cls.launch, cls.collect)
        spec.output("y", valid_type=int)

    def launch(self):
        child = self.submit(Square, x=self.inputs.x, witness=self.inputs.witness, fail=False)
        return ToContext(child=child)

    def collect(self):
        self.out("y", self.ctx.child["y"])


class TwoSquares(WorkChain):
    """Not cacheable itself: launches two identical cacheable Square children in one
    step (one runs, the other waits for it and reuses its outputs)."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("witness", valid_type=str)
        spec.outline(cls.launch, cls.collect)
        spec.output("ys", valid_type=list)

    def launch(self):
        a = self.submit(Square, x=self.inputs.x, witness=self.inputs.witness)
        b = self.submit(Square, x=self.inputs.x, witness=self.inputs.witness)
        return ToContext(a=a, b=b)

    def collect(self):
        self.out("ys", [self.ctx.a["y"], self.ctx.b["y"]])
