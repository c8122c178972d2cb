"""The timer heap and the signal routing, driven without Thespian."""

from __future__ import annotations

from prunus.actors._messages import ErrorReply
from prunus.actors._signals import Signals
from prunus.actors._timers import Timers
from prunus.actors._waiting_messages import DeliverSignal, SignalRequest, TimersDue, Wake
from prunus.engine import ProcessState, ProcessStatus
from tests.actors.helpers import Parts, ended


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sleeping(pid: str, due: float, signal: str | None = None) -> ProcessStatus:
    return ProcessStatus(pid, "tests:P", ProcessState.WAITING, due=due, signal=signal)


def setup(count: int = 0) -> tuple[Parts, Timers, Clock]:
    parts, clock = Parts(hosts=2), Clock()
    timers = Timers(parts.registry, clock)
    for index in range(count):
        parts.registry.register(sleeping(f"p{index}", 1010.0 + index))
    return parts, timers, clock


def test_a_thousand_sleepers_cost_one_wake_up_for_the_earliest():
    parts, timers, _ = setup(1000)
    for entry in list(parts.registry.entries.values())[::-1]:
        timers.track(entry.status, parts.out)
        timers.track(entry.status, parts.out)  # reported twice: kept once
    assert len(timers) == 1000
    # tracked latest first (each one earlier than the last) in one message: still one
    assert parts.out.timers == [(10.0, TimersDue(1010.0))]
    parts.out.timers.clear()
    parts.registry.register(sleeping("late", 5000.0))
    timers.track(parts.registry["late"].status, parts.out)
    assert parts.out.timers == []


def test_firing_wakes_exactly_the_due_processes_and_re_arms_for_the_next():
    parts, timers, clock = setup(3)
    for entry in list(parts.registry.entries.values()):
        timers.track(entry.status, parts.out)
    parts.out.timers.clear()
    clock.now = 1011.0
    assert timers.fire(TimersDue(1010.0), parts.out) == 2
    delivered = [(pid, message) for pid, message in parts.out.delivered()]
    assert sorted(delivered) == [("p0", Wake(1010.0)), ("p1", Wake(1011.0))]
    assert parts.out.timers == [(1.0, TimersDue(1012.0))]
    assert timers.next_in() == 1.0


def test_a_wake_up_that_comes_early_wakes_nothing_before_its_deadline():
    parts, timers, clock = setup(1)
    timers.track(parts.registry["p0"].status, parts.out)
    parts.out.timers.clear()
    clock.now = 1010.0 - 0.003  # Thespian's timer fired 3 ms early
    assert timers.fire(TimersDue(1010.0), parts.out) == 0
    assert list(parts.out.delivered()) == []
    ((seconds, payload),) = parts.out.timers  # armed again for what is left
    assert payload == TimersDue(1010.0) and 0 < seconds <= 0.003 + 1e-9
    clock.now = 1010.0
    assert timers.fire(payload, parts.out) == 1


def test_a_stale_deadline_wakes_nothing():
    parts, timers, clock = setup(2)
    for entry in list(parts.registry.entries.values()):
        timers.track(entry.status, parts.out)
    parts.registry.state_changed(sleeping("p0", 2000.0))  # it waits on another timer now
    parts.registry.finished(*ended("p1", ProcessState.KILLED), parts.out)  # killed
    clock.now = 1500.0
    assert timers.fire(TimersDue(1010.0), parts.out) == 0
    assert timers.next_in() is None  # p0's new deadline was never reported here


def test_an_overdue_deadline_after_a_reload_fires_at_once():
    parts, timers, clock = setup(1)
    clock.now = 1100.0  # the runtime was down past it
    timers.track_all(parts.out)
    assert parts.out.timers == [(0.0, TimersDue(1010.0))]
    assert timers.next_in() == 0.0


def test_a_signal_to_an_unknown_or_ended_pid_is_one_error_and_delivers_nothing():
    parts, _, _ = setup(1)
    signals = Signals(parts.registry)
    signals.signal(SignalRequest("nope", "approve", b""), "asker", parts.out)
    parts.registry.register_ended(*ended("done", ProcessState.FINISHED))
    signals.signal(SignalRequest("done", "approve", b""), "asker", parts.out)
    (unknown, finished) = [message for _, message in parts.out.sends]
    assert isinstance(unknown, ErrorReply) and unknown.kind == "UnknownProcessError"
    assert finished.kind == "InvalidStateError"
    assert finished.message == (
        "process done has ended (FINISHED): the signal 'approve' cannot be delivered"
    )
    assert parts.out.delivered() == []
    signals.signal(SignalRequest("p0", "approve", b"\xc0"), "asker", parts.out)
    assert parts.out.delivered() == [("p0", DeliverSignal("approve", b"\xc0", "asker"))]
