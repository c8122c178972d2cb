"""Workload 7's prunus classes: a campaign of independent children (see ``compare.py``).

Importable by module path (the worker pool and the daemon import classes that way);
``_plumpy_campaign.py`` is the same workchain written for plumpy.
"""

from __future__ import annotations

from _campaign_work import work

from prunus import Process, ToContext, WorkChain

__all__ = ["Campaign", "Job"]


class Job(Process):
    """One child: ``seconds`` of work (``kind`` cpu or sleep), then its index back."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("i", valid_type=int)
        spec.input("seconds", valid_type=float)
        spec.input("kind", valid_type=str, default="cpu")
        spec.output("i", valid_type=int)

    def run(self):
        work(self.inputs.kind, self.inputs.seconds)
        self.out("i", self.inputs.i)


class Campaign(WorkChain):
    """Launches ``children`` independent Jobs in one step, awaits them, sums indices."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("children", valid_type=int)
        spec.input("seconds", valid_type=float)
        spec.input("kind", valid_type=str, default="cpu")
        spec.output("total", valid_type=int)
        spec.outline(cls.launch_jobs, cls.collect)

    def launch_jobs(self):
        inputs = {"seconds": self.inputs.seconds, "kind": self.inputs.kind}
        jobs = {f"j{i}": self.submit(Job, i=i, **inputs) for i in range(self.inputs.children)}
        return ToContext(**jobs)

    def collect(self):
        indices = [self.ctx[f"j{i}"].outputs["i"] for i in range(self.inputs.children)]
        self.out("total", sum(indices))
