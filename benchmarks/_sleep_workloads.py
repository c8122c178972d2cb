"""The sleeping workload of ``sleepers.py`` (imported by the daemon by module path)."""

from __future__ import annotations

from prunus import WorkChain


class Nap(WorkChain):
    """Sleeps ``seconds`` with a durable timer, between two steps."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("seconds", valid_type=(int, float))
        spec.outline(cls.nap, cls.done)

    def nap(self):
        return self.sleep(self.inputs.seconds)

    def done(self):
        pass
