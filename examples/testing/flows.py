"""The workflows under test in this example (what would be your own package)."""

from __future__ import annotations

from prunus import Process, WorkChain, append_


class Square(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("y", valid_type=int)

    def run(self):
        if self.inputs.x < 0:
            raise ValueError(f"refusing to square {self.inputs.x}")
        self.out("y", self.inputs.x**2)


class SumSquares(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("xs", valid_type=list)
        spec.output("total", valid_type=int)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        for x in self.inputs.xs:
            self.to_context(parts=append_(self.submit(Square, x=x)))

    def collect(self):
        self.out("total", sum(part["y"] for part in self.ctx.parts if part.is_finished_ok))
