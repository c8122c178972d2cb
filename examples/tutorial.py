"""The plumpy tutorial, section by section, written for prunus.

Run it with ``python examples/tutorial.py``. Each section prints a heading and then the
same kind of lines as the matching cell of plumpy's tutorial notebook, so the two can be
read side by side.

What changes from plumpy, in one paragraph: every Process and WorkChain runs as an actor
in an actor system. Here that system is *embedded*: it lives in this Python process and
runs in this thread while a ``prunus.Client`` call (``submit``, ``wait``, ``status``...)
is in progress. There is no asyncio event loop to drive and no communicator to set up;
``process.execute()`` and ``prunus.Client`` do both jobs. Process ids are random, so
this script never prints one: it prints names, states and outputs instead.
"""

from __future__ import annotations

from pprint import pprint

import prunus
from prunus import (
    Continue,
    Kill,
    Process,
    ProcessListener,
    Stop,
    Wait,
    WorkChain,
    if_,
    return_,
    while_,
)
from prunus.persistence import register_type


def heading(title: str) -> None:
    print()
    print(f"== {title} ==")


# ---- 1. A simple process -------------------------------------------------------------
# The smallest process implements ``run``; ``execute`` runs it to the end and the
# instance then reports its state, success and result, exactly as in plumpy.


class SimpleProcess(Process):
    def run(self):
        print(self.state.name)


def simple_process() -> None:
    heading("Simple process")
    process = SimpleProcess()
    print(process.state.name)
    process.execute()
    print(process.state.name)
    print("Success", process.is_successful)
    print("Result", process.result())


# ---- 2. Defining inputs and outputs --------------------------------------------------
# ``define`` is a class method that calls ``super().define(spec)`` first. Ports take help
# strings, defaults and types, and nest in namespaces addressed with dotted names.


class SpecProcess(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("input1", valid_type=str, help="A help string")
        spec.output("output1")

        spec.input_namespace("input2")
        spec.input("input2.input2a")
        spec.input("input2.input2b", default="default")

        spec.output_namespace("output2")
        spec.output("output2.output2a")
        spec.output("output2.output2b")

    def run(self):
        self.out("output1", self.inputs.input1)
        self.out("output2.output2a", self.inputs.input2.input2a)
        self.out("output2.output2b", self.inputs.input2.input2b)


def spec_process() -> None:
    heading("Defining inputs and outputs")
    pprint(SpecProcess.spec().get_description())
    process = SpecProcess(inputs={"input1": "my input", "input2": {"input2a": "other input"}})
    process.execute()
    print("outputs:", process.outputs)


# ---- 3. Commands and actions ---------------------------------------------------------
# A step returns a command saying what happens next: ``Continue(fn)`` runs another step,
# ``Kill(msg)`` ends the process KILLED with ``msg`` as its status. Returning nothing
# means ``Stop(None, True)``. A killed process makes ``execute()`` raise KilledError.


class ContinueProcess(Process):
    def run(self):
        print("running")
        return Continue(self.continue_fn)

    def continue_fn(self):
        print("continuing")
        # the message is stored in the process status
        return Kill("I was killed")


def commands() -> None:
    heading("Commands and actions")
    process = ContinueProcess()
    try:
        process.execute()
    except prunus.KilledError as error:
        print("execute() raised KilledError:", error)
    print(process.state)
    print(process.status)
    print("Success", process.is_successful)


# ---- 4. Listeners --------------------------------------------------------------------
# A ProcessListener is told about state changes. Listeners run inside the process's
# actor, between the state change and the next step, so this one can wake the WAITING
# process straight away with ``process.resume()``. Listeners are checkpointed with their
# process, so a listener class is registered with the codec (how to store it and how to
# rebuild it); an unregistered one works but is dropped from checkpoints, with a warning.


class WaitListener(ProcessListener):
    def on_process_running(self, process):
        print(process.state.name)

    def on_process_waiting(self, process):
        print(process.state.name)
        process.resume()


register_type(WaitListener, lambda listener: {}, lambda data: WaitListener())


class WaitProcess(Process):
    def run(self):
        return Wait(self.resume_fn)

    def resume_fn(self):
        return Stop(None, True)


def listeners() -> None:
    heading("Listeners")
    process = WaitProcess()
    print(process.state.name)
    process.add_process_listener(WaitListener())
    process.execute()
    print(process.state.name)


# ---- 5. Asynchronicity ---------------------------------------------------------------
# In plumpy, processes share an asyncio loop and a ``Continue`` never yields it. In
# prunus every step is one message to the process's actor, and the actor queues its next
# step behind whatever else is in the system: two processes submitted to one Client take
# turns, step by step. (The embedded system runs while the client is inside a call, so
# some steps already happen during ``submit``: the first process is a few steps ahead.)


class NamedProcess(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("name", valid_type=str)
        spec.input("steps", valid_type=int, default=5)

    def run(self):
        print(self.inputs.name, "run")
        return Continue(self.continue_fn, 1)

    def continue_fn(self, count):
        print(self.inputs.name, "continued", count)
        if count < self.inputs.steps:
            return Continue(self.continue_fn, count + 1)
        return None


def asynchronicity() -> None:
    heading("Asynchronicity")
    with prunus.Client() as client:
        pid1 = client.submit(NamedProcess, name="process1")
        pid2 = client.submit(NamedProcess, name="process2")
        print("-- both submitted")
        for pid in (pid1, pid2):
            result = client.wait(pid)
            print("-- waited:", result.state.name)


# ---- 6. Pausing and playing ----------------------------------------------------------
# Pausing never changes the state: a paused process keeps its state and takes no new
# step until it is played. A process that pauses itself finishes the current step
# first. From outside, ``client.pause(pid)`` reaches the actor between two steps.


class QuickProcess(Process):
    def run(self):
        print(self.get_name())


class PauseProcess(Process):
    def run(self):
        print(f"{self.get_name()}: pausing")
        self.pause()
        print(f"{self.get_name()}: continue step")
        return Continue(self.next_step)

    def next_step(self):
        print(f"{self.get_name()}: next step")


class TickProcess(Process):
    """Ticks for a long time, publishing its tick count as it goes."""

    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("ticks", valid_type=int, default=100_000)
        spec.output("ticks", valid_type=int)

    def run(self):
        return Continue(self.tick, 1)

    def tick(self, count):
        self.out("ticks", count)
        if count < self.inputs.ticks:
            return Continue(self.tick, count + 1)
        return None


def pause_and_play() -> None:
    heading("Pausing and playing")
    with prunus.Client() as client:
        pause_pid = client.submit(PauseProcess)
        quick_pid = client.submit(QuickProcess)
        client.wait(quick_pid)
        status = client.status(pause_pid)
        if status.paused:
            print(f"PauseProcess: playing (state={status.state.name})")
            client.play(pause_pid)
        print("PauseProcess ended", client.wait(pause_pid).state.name)

        # Pause a long-running process from outside, look at it, play it, kill it.
        pid = client.submit(TickProcess)
        print("pause from outside:", client.pause(pid))
        status = client.status(pid)
        print(f"TickProcess: paused={status.paused} state={status.state.name}")
        ticks = client.outputs(pid).get("ticks", 0)
        client.status(pid)  # the system runs during this call, yet nothing ticks
        print("no tick while paused:", client.outputs(pid).get("ticks", 0) == ticks)
        try:
            client.wait(pid)
        except prunus.WaitTimeoutError:
            print("wait() on a paused process: WaitTimeoutError (nothing can play it)")
        print("play:", client.play(pid))
        print("kill:", client.kill(pid, "enough ticking"))
        result = client.wait(pid)
        print(f"TickProcess: state={result.state.name} status={result.status!r}")
        print("kill again:", client.kill(pid))


# ---- 7. WorkChains -------------------------------------------------------------------
# A WorkChain's ``outline`` lists its steps. Each step is one actor message, so the
# process can be paused, inspected or killed between any two of them.


class SimpleWorkChain(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(
            cls.step1,
            cls.step2,
        )

    def step1(self):
        print("step1")

    def step2(self):
        print("step2")


def workchain_steps() -> None:
    heading("WorkChains")
    SimpleWorkChain().execute()


# ---- 8. Conditionals -----------------------------------------------------------------
# ``if_(condition)(steps...)`` runs the steps when the condition is truthy; it chains on
# with ``.elif_(condition)(steps...)`` and ``.else_(steps...)``.


class IfWorkChain(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("run", valid_type=bool)
        spec.outline(if_(cls.if_step)(cls.conditional_step))

    def if_step(self):
        print("  if")
        return self.inputs.run

    def conditional_step(self):
        print("  conditional")


class SignWorkChain(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("x", valid_type=int)
        spec.output("sign", valid_type=str)
        spec.outline(
            if_(cls.is_positive)(cls.positive).elif_(cls.is_negative)(cls.negative).else_(cls.zero),
        )

    def is_positive(self):
        return self.inputs.x > 0

    def is_negative(self):
        return self.inputs.x < 0

    def positive(self):
        self.out("sign", "positive")

    def negative(self):
        self.out("sign", "negative")

    def zero(self):
        self.out("sign", "zero")


def conditionals() -> None:
    heading("Conditionals")
    print("execute False")
    IfWorkChain({"run": False}).execute()
    print("execute True")
    IfWorkChain({"run": True}).execute()
    for x in (5, -5, 0):
        print(f"sign of {x}:", prunus.run(SignWorkChain, x=x)["sign"])


# ---- 9. The context and the while conditional ----------------------------------------
# State that must survive between steps goes in ``self.ctx``: it is part of the process's
# checkpoint. Plain instance attributes are not.


class WhileWorkChain(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("steps", valid_type=int, default=3)
        spec.outline(
            cls.init_step,
            while_(cls.while_step)(cls.conditional_step),
        )

    def init_step(self):
        self.ctx.iterator = 0

    def while_step(self):
        self.ctx.iterator += 1
        return self.ctx.iterator <= self.inputs.steps

    def conditional_step(self):
        print("step", self.ctx.iterator)


def while_loop() -> None:
    heading("The context and while conditional")
    WhileWorkChain().execute()


# ---- 10. Interstep processes ---------------------------------------------------------
# A step launches a child with ``self.submit(...)``, which returns the child's pid, and
# awaits it with ``self.to_context(name=pid)``. The WorkChain then goes WAITING and its
# actor handles other messages; when the child ends, the supervisor sends the parent a
# reply message with the child's result, and ``ctx.name`` holds it as a ProcessResult:
# a read-only mapping of outputs (``ctx.process['value']``) with ``.state`` and
# ``.is_finished_ok``.
#
# plumpy can also await arbitrary asyncio futures in ``to_context``. prunus has no
# equivalent on purpose: there are no futures and no event loop, only messages between
# actors, so anything a WorkChain waits for is a process whose result comes back as a
# message (wrap the asynchronous work in a Process).


class InternalProcess(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("name", valid_type=str, default="process")
        spec.output("value")

    def run(self):
        print(self.inputs.name)
        self.out("value", "value")


class InterstepWorkChain(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("name", valid_type=str, default="workchain")
        spec.input("process", valid_type=bool, default=False)
        spec.outline(
            cls.step1,
            cls.step2,
            cls.step3,
        )

    def step1(self):
        print(self.inputs.name, "step1")

    def step2(self):
        print(self.inputs.name, "step2")
        if self.inputs.process:
            pid = self.submit(InternalProcess, name=f"{self.inputs.name} step2 process")
            self.to_context(process=pid)

    def step3(self):
        print(self.inputs.name, "step3")
        if "process" in self.ctx:
            child = self.ctx.process
            print(
                f"  ctx.process['value']={child['value']!r} state={child.state.name} "
                f"is_finished_ok={child.is_finished_ok}"
            )
        else:
            print(f"  ctx={self.ctx}")


def run_two_workchains(with_process: bool) -> None:
    with prunus.Client() as client:
        # The input is called ``process``, like ``submit``'s first parameter, so the
        # inputs go in a dict rather than as keyword arguments.
        pids = [
            client.submit(InterstepWorkChain, {"name": name, "process": with_process})
            for name in ("wkchain1", "wkchain2")
        ]
        for pid in pids:
            client.wait(pid)


def interstep_processes() -> None:
    heading("Interstep processes")
    # Without a child nothing makes a WorkChain wait, and here wkchain1 is done before
    # wkchain2 starts, as in plumpy. With a child, step2 leaves each WorkChain WAITING
    # and the other one runs meanwhile; step3 runs once the child's result has arrived.
    print("-- without child processes")
    run_two_workchains(with_process=False)
    print("-- with a child process in step2")
    run_two_workchains(with_process=True)


# ---- 11. Persistence -----------------------------------------------------------------
# prunus needs no persister calls in your steps: after every step the process's actor
# writes a checkpoint of the process (state, ctx, next step) together with its outputs
# and the lines it logged with ``self.report`` to the client's store. ``prunus.Client()``
# keeps that store in memory, so here it lasts as long as the Client; what we can read
# back from it is the report.
#
# A WorkChain fails with a declared exit code: ``return self.exit_codes.LABEL`` from a
# step, or ``return_(exit_code)`` in the outline. A child that failed does not make the
# parent fail: the parent sees ``ctx.child.is_finished_ok`` False and decides.


class PersistWorkChain(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.outline(
            cls.init_step,
            cls.step2,
            cls.step3,
        )

    def init_step(self):
        self.ctx.step = 1
        self.report(f"init: ctx.step={self.ctx.step}")

    def step2(self):
        self.ctx.step += 1
        self.report(f"step2: ctx.step={self.ctx.step}")

    def step3(self):
        self.ctx.step += 1
        self.report(f"step3: ctx.step={self.ctx.step}")


class FailingProcess(Process):
    def run(self):
        raise ValueError("this child always fails")


class CarefulWorkChain(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        failed = spec.exit_code(400, "ERROR_CHILD_FAILED", "the child process failed")
        spec.outline(
            cls.launch_child,
            cls.inspect_child,
            if_(cls.child_failed)(return_(failed)),
            cls.never_reached,
        )

    def launch_child(self):
        self.to_context(child=self.submit(FailingProcess))

    def inspect_child(self):
        child = self.ctx.child
        self.report(f"child ended {child.state.name}: {child.exception}")

    def child_failed(self):
        return not self.ctx.child.is_finished_ok

    def never_reached(self):
        print("not printed: the outline returned before this step")


def persistence() -> None:
    heading("Persistence")
    with prunus.Client() as client:
        pid = client.submit(PersistWorkChain)
        client.wait(pid)
        for line in client.report(pid):
            print("report:", line)

        pid = client.submit(CarefulWorkChain)
        result = client.wait(pid)
        for line in client.report(pid):
            print("report:", line)
        code = result.exit_code
        print(f"CarefulWorkChain: state={result.state.name} exit_status={code.status}")
        print(f"  label={code.label} message={code.message!r}")
        print("  is_finished_ok:", result.is_finished_ok)


# ---- 12. Control ---------------------------------------------------------------------
# plumpy launches and controls processes through kiwipy communicators and controllers.
# In prunus the Client is the controller: ``submit`` (plumpy's ``nowait=True``) returns a
# pid, ``run`` (or ``submit`` + ``wait``) returns the outputs, and ``status``, ``pause``,
# ``play``, ``kill`` and ``list`` address processes by pid.


class ControlledWorkChain(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.input("steps", valid_type=int, default=10)
        spec.output("result", valid_type=int)
        spec.outline(
            cls.init_step,
            while_(cls.while_step)(cls.loop_step),
            cls.final_step,
        )

    def init_step(self):
        self.ctx.iterator = 0

    def while_step(self):
        return self.ctx.iterator <= self.inputs.steps

    def loop_step(self):
        self.ctx.iterator += 1

    def final_step(self):
        self.out("result", self.ctx.iterator)


def short_class(status) -> str:
    return status.process_class.rpartition(":")[2]


def control() -> None:
    heading("Control")
    print("run:", prunus.run(ControlledWorkChain))
    with prunus.Client() as client:
        pid = client.submit(ControlledWorkChain)
        print("submit returned a pid:", isinstance(pid, str))
        client.pause(pid)
        status = client.status(pid)
        print(f"status: {short_class(status)} paused={status.paused} ended={status.is_terminal}")
        client.play(pid)
        result = client.wait(pid)
        print(f"wait: state={result.state.name} outputs={dict(result)}")
        status = client.status(pid)
        print(f"status: state={status.state.name} step={status.step} paused={status.paused}")
        client.submit(ControlledWorkChain, steps=2)
        for status in client.list():
            client.wait(status.pid)
        for status in client.list():
            print(f"list: {short_class(status)} {status.state.name}")


def main() -> None:
    simple_process()
    spec_process()
    commands()
    listeners()
    asynchronicity()
    pause_and_play()
    workchain_steps()
    conditionals()
    while_loop()
    interstep_processes()
    persistence()
    control()


if __name__ == "__main__":
    main()
