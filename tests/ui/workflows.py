"""A small campaign for the picture, notebook and dashboard tests (importable by path)."""

from __future__ import annotations

import time

from prunus import Process, Wait, WorkChain, append_


class Square(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.output("y", valid_type=int)

    def run(self):
        time.sleep(self.inputs.delay)
        self.report(f"{self.inputs.x} squared")
        self.out("y", self.inputs.x**2)


class Fails(Process):
    def run(self):
        raise RuntimeError("this one breaks on purpose")


class Hold(Process):
    """Waits for nothing: stays WAITING until it is killed."""

    def run(self):
        return Wait(self.never, "holding on purpose")

    def never(self):
        raise AssertionError("never resumed")


class Campaign(WorkChain):
    """``n`` squares, plus one child that fails (``fail``) and one that never ends (``hold``)."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.input("fail", valid_type=bool, default=False)
        spec.input("hold", valid_type=bool, default=False)
        spec.output("total", valid_type=int)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        self.report(f"launching {self.inputs.n} squares")
        for x in range(1, self.inputs.n + 1):
            self.to_context(parts=append_(self.submit(Square, x=x, delay=self.inputs.delay)))
        if self.inputs.fail:
            self.to_context(broken=self.submit(Fails))
        if self.inputs.hold:
            self.to_context(held=self.submit(Hold))

    def collect(self):
        self.out("total", sum(part["y"] for part in self.ctx.parts))
