"""Workload 7's plumpy classes, step for step ``_prunus_campaign.py``; imported only in
the plumpy virtualenv. Written from plumpy's documented API, no code taken from it."""

from __future__ import annotations

import plumpy
from _campaign_work import work

__all__ = ["Campaign", "Job"]


class Job(plumpy.Process):
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


class Campaign(plumpy.WorkChain):
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
        jobs = {
            f"j{i}": self.launch(Job, inputs={"i": i, **inputs})
            for i in range(self.inputs.children)
        }
        return plumpy.ToContext(**jobs)

    def collect(self):
        self.out("total", sum(self.ctx[f"j{i}"]["i"] for i in range(self.inputs.children)))
