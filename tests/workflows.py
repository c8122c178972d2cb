"""The processes and WorkChains the tests share, in one module.

Daemons import process classes by module path, so this module must stay importable
as ``tests.workflows`` from the directory the tests run in (the daemons the tests
start inherit it as their working directory). Classes used by one test only stay in
that test's module.
"""

from __future__ import annotations

import os
import signal
import time

from prunus import Continue, Kill, Process, ToContext, Wait, WorkChain, append_, while_
from prunus.errors import ReadOnlyInputsError


class Doubler(Process):
    """Outputs 2 * x in its one step."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("y", valid_type=int)

    def run(self):
        self.out("y", 2 * self.inputs.x)


# ---- the client tests (both modes) ----------------------------------------------

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


# ---- the daemon tests ----------------------------------------------------------


class Leaf(Process):
    """Doubles x after ``delay`` seconds; with ``hold`` it first pauses itself."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.input("hold", valid_type=bool, default=False)
        spec.output("y", valid_type=int)

    def run(self):
        if self.inputs.hold:
            self.pause()
        return Continue(self.compute)

    def compute(self):
        time.sleep(self.inputs.delay)
        self.out("y", 2 * self.inputs.x)


class Middle(WorkChain):
    """Launches one Leaf and waits on it: a WAITING process while the leaf runs."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.input("hold", valid_type=bool, default=False)
        spec.output("y", valid_type=int)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        leaf = self.submit(Leaf, x=self.inputs.x, delay=self.inputs.delay, hold=self.inputs.hold)
        return ToContext(leaf=leaf)

    def collect(self):
        self.out("y", self.ctx.leaf["y"] + 1)


class Fanout(WorkChain):
    """n Middle children at once, each waiting on its own Leaf; sums their outputs.
    With ``hold`` every leaf pauses itself until played."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.input("delay", valid_type=float, default=0.0)
        spec.input("hold", valid_type=bool, default=False)
        spec.output("total", valid_type=int)
        spec.outline(cls.launch, cls.collect)

    def launch(self):
        for x in range(self.inputs.n):
            middle = self.submit(Middle, x=x, delay=self.inputs.delay, hold=self.inputs.hold)
            self.to_context(parts=append_(middle))

    def collect(self):
        self.out("total", sum(part["y"] for part in self.ctx.parts))


def fanout_total(n: int) -> int:
    return sum(2 * x + 1 for x in range(n))


class Steps(WorkChain):
    """``n`` steps of ``delay`` seconds, counting in ctx; reports each step."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.input("delay", valid_type=float, default=0.02)
        spec.output("count", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.step), cls.finish)

    def start(self):
        self.ctx.i = 0

    def more(self):
        return self.ctx.i < self.inputs.n

    def step(self):
        time.sleep(self.inputs.delay)
        self.ctx.i += 1
        self.report(f"step {self.ctx.i}")
        witness = os.environ.get("PRUNUS_WITNESS")
        if witness:  # outside the store: shows every run of a step, re-runs included
            with open(witness, "a") as log:
                log.write(f"{self.pid} {self.ctx.i}\n")

    def finish(self):
        self.out("count", self.ctx.i)


class KillsItsHost(Process):
    """Every attempt at its step kills the OS process running it."""

    def run(self):
        os.kill(os.getpid(), signal.SIGKILL)


class LaunchesThenKillsItsHost(WorkChain):
    """Launches ``n`` children, then (once: a file at ``$PRUNUS_HOST_KILL_ONCE`` is the
    witness) SIGKILLs its own host in the next step, after the launching step was
    committed and before the host told the supervisor about the children."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int, default=3)
        spec.output("total", valid_type=int)
        spec.outline(cls.launch, cls.crash, cls.collect, cls.finish)

    def launch(self):
        self.ctx.kids = [self.submit(Add, a=i, b=1) for i in range(self.inputs.n)]

    def crash(self):
        once = os.environ["PRUNUS_HOST_KILL_ONCE"]
        try:
            os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        os.kill(os.getpid(), signal.SIGKILL)

    def collect(self):
        for kid in self.ctx.kids:
            self.to_context(sums=append_(kid))

    def finish(self):
        self.out("total", sum(r["sum"] for r in self.ctx.get("sums", [])))


class KillsItself(Process):
    def run(self):
        return Kill("stop here")


# ---- durability: the crash tests' steps leave a line in $PRUNUS_CRASH_LOG ---------

STEP_SECONDS = 0.015


def witness(process: Process, what: str) -> None:
    path = os.environ["PRUNUS_CRASH_LOG"]
    with open(path, "a") as log:
        log.write(f"{process.pid} {what}\n")
        log.flush()
        os.fsync(log.fileno())
    time.sleep(STEP_SECONDS)


class Square(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("y", valid_type=int)

    def run(self):
        witness(self, "run")
        self.out("y", self.inputs.x * self.inputs.x)


class SumOfSquares(WorkChain):
    """Loops n times; each iteration launches a Square child and awaits it."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("n", valid_type=int)
        spec.output("total", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.launch, cls.add), cls.launch_batch, cls.finish)

    def start(self):
        witness(self, "start")
        self.ctx.i = 0
        self.ctx.total = 0

    def more(self):
        return self.ctx.i < self.inputs.n

    def launch(self):
        self.ctx.i += 1
        witness(self, f"launch {self.ctx.i}")
        return ToContext(square=self.submit(Square, x=self.ctx.i))

    def add(self):
        witness(self, f"add {self.ctx.i}")
        self.ctx.total += self.ctx.square["y"]

    def launch_batch(self):
        witness(self, "launch_batch")
        for x in (10, 20):
            self.to_context(batch=append_(self.submit(Square, x=x)))

    def finish(self):
        witness(self, "finish")
        self.out("total", self.ctx.total + sum(r["y"] for r in self.ctx.batch))


def expected_total(n: int) -> int:
    return sum(i * i for i in range(1, n + 1)) + 100 + 400


class Hoarder(WorkChain):
    """Puts a value the codec cannot store into ctx."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.grab)

    def grab(self):
        self.ctx.results = [1, 2, object()]


class OutputHoarder(WorkChain):
    """Gives an output the codec cannot store, in its only step."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("kept", required=False)
        spec.outline(cls.grab)

    def grab(self):
        self.out("kept", object())


class RewritesItsInputs(WorkChain):
    """Tries to change its inputs in two steps; ``hold`` then sleeps
    ``$PRUNUS_HOLD_SECONDS``, so that a test can SIGKILL it after ``rewrite``."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("a", valid_type=int)
        spec.input_namespace("sub", dynamic=True)
        spec.output("answer", valid_type=int)
        spec.outline(cls.rewrite, cls.hold, cls.answer)

    def _try_writes(self) -> int:
        refused = 0
        for target, key in ((self.inputs, "a"), (self.inputs.sub, "one")):
            try:
                target[key] = 99
            except TypeError:  # ReadOnlyInputsError
                refused += 1
        return refused

    def rewrite(self):
        self.ctx.refused = self._try_writes()
        witness(self, f"rewrite refused {self.ctx.refused}")

    def hold(self):
        witness(self, f"hold refused {self._try_writes()}")
        time.sleep(float(os.environ.get("PRUNUS_HOLD_SECONDS", "0")))

    def answer(self):
        witness(self, "answer")
        self.out("answer", self.inputs.a + self.inputs.sub["one"])


# ---- plumpy fidelity (issue 13), both modes and the CLI ------------------------------


class WaitsForResume(Process):
    """Waits on a plain Wait; a resume runs ``finish``."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("resumed", valid_type=bool)

    def run(self):
        return Wait(self.finish, "waiting for a resume")

    def finish(self):
        self.out("resumed", True)


class WaitsForChild(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(cls.launch, cls.done)

    def launch(self):
        return ToContext(child=self.submit(WaitsForResume))

    def done(self):
        self.report(f"child resumed: {self.ctx.child['resumed']}")


class Hooked(Process):
    """Reports from its hooks and its logger; waits until resumed."""

    def on_paused(self, msg=None):
        super().on_paused(msg)
        self.report(f"hook on_paused {msg}")

    def on_playing(self):
        super().on_playing()
        self.report("hook on_playing")

    def on_finish(self, result, successful):
        super().on_finish(result, successful)
        self.logger.warning("finishing with %s", result)

    def run(self):
        self.logger.info("running in %s", type(self).__name__)
        return Wait(self.finish, "hooked and waiting")

    def finish(self):
        return "done"


class MissingOutput(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("needed", valid_type=int)
        spec.output("given", valid_type=int, required=False)

    def run(self):
        self.out("given", 1)


class LocalError(Process):
    """Raises an error whose type cannot be imported anywhere else."""

    def run(self):
        class Unimportable(Exception):
            pass

        raise Unimportable("from a local class")


class TriesToRewriteInputs(WorkChain):
    """Tries to change its inputs in one step; the next steps use them."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("a", valid_type=int)
        spec.input_namespace("sub", dynamic=True)
        spec.output("answer", valid_type=int)
        spec.output("refused", valid_type=int)
        spec.outline(cls.rewrite, cls.answer)

    def rewrite(self):
        self.ctx.refused = 0
        for key, target in (("a", self.inputs), ("one", self.inputs.sub)):
            try:
                target[key] = 99
            except ReadOnlyInputsError:
                self.ctx.refused += 1

    def answer(self):
        self.out("answer", self.inputs.a + self.inputs.sub["one"])
        self.out("refused", self.ctx.refused)


class KeepsInputsInCtx(WorkChain):
    """Puts (read-only) inputs into ctx and an output: they must checkpoint and travel."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input_namespace("sub", dynamic=True)
        spec.output("copy", valid_type=dict)
        spec.outline(cls.keep, cls.give)

    def keep(self):
        self.ctx.sub = self.inputs.sub

    def give(self):
        try:
            self.ctx.sub["one"] = 0
        except TypeError:
            self.out("copy", self.ctx.sub)


class Grows(WorkChain):
    """Keeps ``megabytes`` of fresh data in ctx for ``steps`` steps: fills a disk."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("steps", valid_type=int)
        spec.input("megabytes", valid_type=int, default=1)
        spec.output("steps_taken", valid_type=int)
        spec.outline(cls.start, while_(cls.more)(cls.grow), cls.finish)

    def start(self):
        self.ctx.i = 0

    def more(self):
        return self.ctx.i < self.inputs.steps

    def grow(self):
        self.ctx.i += 1
        self.ctx.blob = os.urandom(self.inputs.megabytes << 20)

    def finish(self):
        self.out("steps_taken", self.ctx.i)


class Recurse(WorkChain):
    """Launches itself ``depth`` times, one inside the other; returns the depth reached.
    With ``hold``, the innermost one waits forever instead (for kills of deep trees)."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("depth", valid_type=int)
        spec.input("hold", valid_type=bool, default=False)
        spec.output("reached", valid_type=int)
        spec.outline(cls.launch, cls.finish)

    def launch(self):
        if self.inputs.depth > 0:
            inner = self.submit(Recurse, depth=self.inputs.depth - 1, hold=self.inputs.hold)
            return ToContext(inner=inner)
        if self.inputs.hold:
            return ToContext(inner=self.submit(WaitsForever))
        return None

    def finish(self):
        inner = self.ctx.get("inner")
        self.out("reached", 0 if inner is None else inner["reached"] + 1)


class Takes(Process):
    """An int, a float and a dynamic namespace, echoed back: for bad-input tests."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.input("f", valid_type=float, default=1.0)
        spec.input_namespace("v", dynamic=True, required=False)
        spec.output("echo", valid_type=dict)

    def run(self):
        self.out(
            "echo", {"x": self.inputs.x, "f": self.inputs.f, "v": dict(self.inputs.get("v", {}))}
        )


class LongSteps(WorkChain):
    """A first step and a later step that each sleep ``seconds``: steps that run long."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("seconds", valid_type=float)
        spec.outline(cls.prepare, cls.quick, cls.compute)

    def prepare(self):
        time.sleep(self.inputs.seconds)

    def quick(self):
        pass

    def compute(self):
        time.sleep(self.inputs.seconds)
