"""Processes and WorkChains shared by the client tests (importable by module path)."""

from __future__ import annotations

import time

from prunus import Continue, Process, ToContext, Wait, WorkChain, append_, while_

ORDER: list[str] = []


class Add(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("a", valid_type=int)
        spec.input("b", valid_type=int, default=1)
        spec.output("sum", valid_type=int)

    def run(self):
        self.report(f"adding {self.inputs.a} and {self.inputs.b}")
        self.out("sum", self.inputs.a + self.inputs.b)


class Fails(Process):
    def run(self):
        raise RuntimeError("child failure")


class PausesItself(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("done", valid_type=bool)

    def run(self):
        self.pause()
        return Continue(self.resume_work)

    def resume_work(self):
        self.out("done", True)


class WaitsForever(Process):
    def run(self):
        return Wait(self.never, "waiting for nothing")

    def never(self):
        raise AssertionError("never resumed")


class Counter(WorkChain):
    """Counts to n, logging every step in ORDER (this OS process) and in its report
    (any mode), each taking ``delay`` seconds."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("name", valid_type=str, default="counter")
        spec.input("n", valid_type=int, default=3)
        spec.input("delay", valid_type=float, default=0.0)
        spec.output("count", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.count), cls.finish)

    def start(self):
        self.ctx.i = 0

    def more(self):
        return self.ctx.i < self.inputs.n

    def count(self):
        time.sleep(self.inputs.delay)
        self.ctx.i += 1
        ORDER.append(f"{self.inputs.name}:{self.ctx.i}")
        self.report(f"{self.inputs.name}:{self.ctx.i}")

    def finish(self):
        self.out("count", self.ctx.i)


class WithChildren(WorkChain):
    """Launches an Add child per item and sums them; handles a failing child."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("items", valid_type=list)
        spec.input("include_failure", valid_type=bool, default=False)
        spec.output("total", valid_type=int)
        spec.output("failed", valid_type=int)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        for item in self.inputs["items"]:
            self.to_context(adds=append_(self.submit(Add, a=item)))
        if self.inputs.include_failure:
            return ToContext(bad=self.submit(Fails))
        return None

    def collect(self):
        self.out("total", sum(r["sum"] for r in self.ctx.adds))
        bad = self.ctx.get("bad")
        self.out("failed", 0 if bad is None or bad.is_finished_ok else 1)


class WaitsOnChildren(WorkChain):
    """A parent that waits on children that wait forever: for kill-while-waiting."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.launch, cls.never)

    def launch(self):
        return ToContext(a=self.submit(WaitsForever), b=self.submit(Nested))

    def never(self):
        raise AssertionError("the children never finish")


class Nested(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.launch, cls.never)

    def launch(self):
        return ToContext(c=self.submit(WaitsForever))

    def never(self):
        raise AssertionError("the child never finishes")


class WaitsOnPausedChild(WorkChain):
    """Waits on a child that pauses itself: stays WAITING until someone plays the child."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("child_done", valid_type=bool)
        spec.outline(cls.launch, cls.finish)

    def launch(self):
        return ToContext(child=self.submit(PausesItself))

    def finish(self):
        self.out("child_done", self.ctx.child["done"])


class Slow(Process):
    """200 steps of 10 ms each."""

    def run(self):
        return Continue(self.tick, 0)

    def tick(self, n):
        time.sleep(0.01)
        return Continue(self.tick, n + 1) if n < 200 else None


class NamesLikeParameters(Process):
    """Inputs named like the parameters of the launch calls."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("process", valid_type=bool, default=False)
        spec.input("inputs", valid_type=int, default=0)
        spec.input("process_class", valid_type=str, default="")
        spec.output("seen", valid_type=list)

    def run(self):
        self.out("seen", [self.inputs.process, self.inputs.inputs, self.inputs.process_class])


class ParentOfNamesLikeParameters(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("seen", valid_type=list)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        return ToContext(child=self.submit(NamesLikeParameters, inputs=2))

    def collect(self):
        self.out("seen", self.ctx.child["seen"])
