"""The ``@prunus.function`` flows the tests share (importable by daemons as
``tests.functions``, like ``tests.workflows``)."""

from __future__ import annotations

import os
import time

import prunus
from prunus import Client, Process, ToContext, WorkChain


@prunus.function
def add(x: int, y: int) -> int:
    """Add two integers."""
    return x + y


@prunus.function
def multiply(x: int, y: int) -> int:
    return x * y


@prunus.function
def add_and_multiply(x: int, y: int, z: int) -> int:
    """(x + y) * z, as two nested calls."""
    return multiply(add(x, y), z)


@prunus.function(outputs=("quotient", "remainder"))
def divide(a: int, b: int = 3, *, exact: bool = False) -> dict:
    if exact and a % b:
        raise ValueError(f"{a} is not a multiple of {b}")
    return {"quotient": a // b, "remainder": a % b}


@prunus.function
def fails(x: int) -> int:
    raise ValueError(f"no good: {x}")


@prunus.function
def calls_a_failing_function(x: int) -> int:
    return fails(x) + 1


@prunus.function
def naps(seconds: float) -> float:
    """Holds its host for ``seconds`` (time.sleep in a nested call)."""
    time.sleep(seconds)
    return seconds


@prunus.function
def naps_nested(seconds: float) -> float:
    return naps(seconds)


# ---- the crash tests: lines in $PRUNUS_WITNESS ---------------------------------------


def _witness(line: str) -> None:
    with open(os.environ["PRUNUS_WITNESS"], "a") as log:
        log.write(line + "\n")
        log.flush()
        os.fsync(log.fileno())


@prunus.function
def witnessed_add(x: int, y: int) -> int:
    _witness(f"add {x} {y}")
    return x + y


@prunus.function
def two_calls(x: int) -> int:
    """Two nested calls with a pause of $PRUNUS_HOLD seconds between them (where the
    tests kill it; a resumed run is given none)."""
    first = witnessed_add(x, 1)
    _witness("between")
    time.sleep(float(os.environ.get("PRUNUS_HOLD", "0")))
    return witnessed_add(first, 10)


# ---- processes that call functions ---------------------------------------------------


class CallsInSteps(WorkChain):
    """A WorkChain step calls functions synchronously and also submits one."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("total", valid_type=int)
        spec.outline(cls.call, cls.finish)

    def call(self):
        self.ctx.sum = add(self.inputs.x, 1)
        self.ctx.split = divide(a=self.ctx.sum, b=2)
        return ToContext(submitted=self.submit(multiply, x=self.ctx.sum, y=10))

    def finish(self):
        self.out("total", self.ctx.sum + self.ctx.split["quotient"] + self.ctx.submitted["result"])


class RunsInItsStep(Process):
    """Tries a way to run a process from a step that is refused."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("how", valid_type=str)

    def run(self):
        if self.inputs.how == "run":
            prunus.run(add, x=1, y=2)
        elif self.inputs.how == "execute":
            from prunus.engine import new_process

            new_process(add, {"x": 1, "y": 2}).execute()
        else:
            Client.connect(".")


# ---- timers and signals ---------------------------------------------------------------


class Sleeper(WorkChain):
    """Sleeps ``seconds`` between two steps (``self.sleep``)."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("seconds", valid_type=(int, float))
        spec.output("slept", valid_type=float)
        spec.output("started", valid_type=float)  # time.time() when it fell asleep
        spec.outline(cls.start, cls.finish)

    def start(self):
        self.ctx.started = time.time()
        return self.sleep(self.inputs.seconds)

    def finish(self):
        self.out("slept", time.time() - self.ctx.started)
        self.out("started", self.ctx.started)


class Approval(Process):
    """Waits for the signal ``approve`` (optionally with a timeout), outputs its payload."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("timeout", valid_type=(int, float), required=False)
        spec.output("verdict", required=False)

    def run(self):
        return self.wait_for("approve", self.decide, timeout=self.inputs.get("timeout"))

    def decide(self):
        self.out("verdict", self.signal("approve"))


class SignalLater(WorkChain):
    """Sleeps ``seconds``, then waits for ``approve``: a signal sent while it sleeps
    comes before its wait."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("seconds", valid_type=(int, float))
        spec.output("verdict", required=False)
        spec.outline(cls.nap, cls.ask, cls.decide)

    def nap(self):
        return self.sleep(self.inputs.seconds)

    def ask(self):
        return self.wait_for("approve")

    def decide(self):
        self.out("verdict", self.signal("approve"))
