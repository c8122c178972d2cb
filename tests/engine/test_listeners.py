"""Listeners fire on each transition, in order, and cannot break the process."""

from __future__ import annotations

from prunus import Continue, Kill, Process, ProcessListener, Wait
from tests.engine.helpers import step_until_blocked


class Recorder(ProcessListener):
    def __init__(self):
        self.events = []

    def on_process_created(self, process):
        self.events.append("created")

    def on_process_running(self, process):
        self.events.append("running")

    def on_process_waiting(self, process):
        self.events.append("waiting")

    def on_process_paused(self, process):
        self.events.append("paused")

    def on_process_played(self, process):
        self.events.append("played")

    def on_output_emitted(self, process, output_port, value, dynamic):
        self.events.append(f"output {output_port}={value} dynamic={dynamic}")

    def on_process_finished(self, process, outputs):
        self.events.append(f"finished {outputs}")

    def on_process_excepted(self, process, reason):
        self.events.append(f"excepted {reason}")

    def on_process_killed(self, process, msg):
        self.events.append(f"killed {msg}")


class Emitter(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("v", valid_type=int)

    def run(self):
        self.out("v", 1)
        return Wait(self.after)

    def after(self):
        self.pause()
        return Continue(self.last)

    def last(self):
        return None


def test_listeners_see_every_transition_in_order():
    recorder = Recorder()
    process = Emitter()
    process.add_process_listener(recorder)
    step_until_blocked(process)
    process.resume()
    step_until_blocked(process)
    process.play()
    step_until_blocked(process)
    assert recorder.events == [
        "running",
        "output v=1 dynamic=False",
        "waiting",
        "running",
        "paused",
        "played",
        "finished {'v': 1}",
    ]


def test_listeners_given_at_construction_see_the_creation():
    recorder = Recorder()
    Emitter(listeners=[recorder])
    assert recorder.events == ["created"]


def test_a_listener_that_resumes_on_waiting_lets_the_process_run_on():
    class Resumer(ProcessListener):
        def on_process_waiting(self, process):
            process.resume()

    class WaitOnce(Process):
        def run(self):
            return Wait(self.done)

        def done(self):
            return "resumed"

    process = WaitOnce(listeners=[Resumer()])
    step_until_blocked(process)
    assert process.result() == "resumed"


def test_killed_and_excepted_hooks_receive_the_reason():
    recorder = Recorder()

    class Killer(Process):
        def run(self):
            return Kill("bye")

    class Raiser(Process):
        def run(self):
            raise ValueError("bad")

    for cls in (Killer, Raiser):
        process = cls(listeners=[recorder])
        step_until_blocked(process)
    assert "killed bye" in recorder.events
    assert "excepted ValueError: bad" in recorder.events


def test_a_failing_listener_is_logged_and_does_not_break_the_process(caplog):
    class Exploding(ProcessListener):
        def on_process_running(self, process):
            raise RuntimeError("listener bug")

    recorder = Recorder()
    process = Emitter(listeners=[Exploding(), recorder])
    step_until_blocked(process)
    assert "running" in recorder.events
    assert process.state.name == "WAITING"
    assert "listener bug" in caplog.text


def test_a_removed_listener_hears_nothing_more():
    recorder = Recorder()
    process = Emitter(listeners=[recorder])
    process.remove_process_listener(recorder)
    step_until_blocked(process)
    assert recorder.events == ["created"]
