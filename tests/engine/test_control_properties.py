"""Hypothesis drives random control interleavings through the pure state machine."""

from __future__ import annotations

from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from prunus import Continue, InvalidStateError, Process, ProcessState, Wait
from prunus.engine import TRANSITIONS, ProcessDriver


class Looper(Process):
    """Counts its steps; every third step waits to be resumed; ends after 12 steps."""

    def run(self):
        self.steps = 0
        return Continue(self.tick)

    def tick(self):
        self.steps += 1
        if self.steps >= 12:
            return None
        if self.steps % 3 == 0:
            return Wait(self.tick, "waiting for resume")
        return Continue(self.tick)


class ControlMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.process = Looper()
        self.previous = self.process.state
        self.steps_seen = 0

    def _steps(self):
        return getattr(self.process, "steps", 0)

    @rule()
    def step(self):
        process = self.process
        if ProcessDriver(process).runnable:
            before = self._steps()
            ProcessDriver(process).step()
            assert self._steps() in (before, before + 1)
        else:
            try:
                ProcessDriver(process).step()
            except InvalidStateError:
                pass
            else:
                raise AssertionError("a process that is not runnable took a step")

    @rule()
    def pause(self):
        was_terminal = self.process.has_terminated()
        assert self.process.pause() is (not was_terminal)
        if not was_terminal:
            assert self.process.paused

    @rule()
    def play(self):
        was_terminal = self.process.has_terminated()
        assert self.process.play() is (not was_terminal)
        assert not self.process.paused

    @rule()
    def kill(self):
        was_terminal = self.process.has_terminated()
        assert self.process.kill("test kill") is (not was_terminal)
        if not was_terminal:
            assert self.process.state is ProcessState.KILLED

    @precondition(lambda self: self.process.state is ProcessState.WAITING)
    @rule()
    def resume(self):
        self.process.resume()
        assert self.process.state is ProcessState.RUNNING

    @invariant()
    def only_table_transitions_happen_and_terminal_states_stick(self):
        current = self.process.state
        if current is not self.previous:
            assert current in TRANSITIONS[self.previous], (self.previous, current)
        self.previous = current

    @invariant()
    def steps_never_go_backwards_and_paused_terminal_processes_do_not_exist(self):
        assert self._steps() >= self.steps_seen
        self.steps_seen = self._steps()
        if self.process.has_terminated():
            assert not self.process.paused
        if self.process.state is ProcessState.FINISHED:
            assert self._steps() == 12


ControlMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_random_control_interleavings_keep_the_state_machine_invariants = ControlMachine.TestCase
