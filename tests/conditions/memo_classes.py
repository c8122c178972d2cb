"""Cacheable process classes for the memo key tests (importable by a subprocess too)."""

from __future__ import annotations

from prunus import Process


class Fit(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        # Declared before the ports: the ignore paths are checked when define returns.
        spec.cacheable(version="1", ignore=("scratch", "opts.workdir", "handle"))
        spec.input("x", valid_type=int)
        spec.input("y", valid_type=int, default=5)
        spec.input("data", required=False)
        spec.input("scratch", valid_type=str, required=False)
        spec.input("handle", required=False)
        spec.input_namespace("opts", required=False)
        spec.input("opts.verbose", valid_type=bool, default=False)
        spec.input("opts.workdir", valid_type=str, required=False)
        spec.input_namespace("params", dynamic=True, required=False)


class FitV2(Fit):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.cacheable(version="2", ignore=("scratch", "opts.workdir", "handle"))


class FitIgnoringOpts(Fit):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.cacheable(version="1", ignore=("opts", "handle"))


class NotCacheable(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
