"""A daemon host's step watch: its timer runs once per slice, yet a step is reported
only once it has run ``after`` seconds itself, once, and never after the slice."""

from __future__ import annotations

import signal
import time

import pytest

from prunus.actors._step_watch import StepWatch
from prunus.engine import ProcessDriver, ProcessState
from tests.workflows import LongSteps

AFTER = 0.15


@pytest.fixture
def reports():
    """What a StepWatch reported, with when; its SIGALRM handler is put back after."""
    before = signal.getsignal(signal.SIGALRM)
    seen: list[tuple[float, object]] = []
    yield seen
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, before)


def watched_step(watch: StepWatch, process: LongSteps) -> float:
    begun = time.time()
    watch.arm(process)
    try:
        ProcessDriver(process).step()
    finally:
        watch.disarm()
    return begun


def test_a_step_is_reported_after_its_own_start_not_the_slices(reports):
    watch = StepWatch(lambda status: reports.append((time.time(), status)), AFTER)
    if not watch.enabled:
        pytest.skip("signals need the main thread")
    quick, slow = LongSteps(inputs={"seconds": 0.0}), LongSteps(inputs={"seconds": 0.3})
    try:
        watched_step(watch, quick)  # sets the timer for the slice
        time.sleep(0.1)  # between steps: it goes off in the next one, too early
        begun = watched_step(watch, slow)
        assert ProcessDriver(quick).runnable
        watched_step(watch, quick)  # a short step after it: nothing more
    finally:
        watch.stop()
    time.sleep(AFTER + 0.05)  # stopped: nothing comes after the slice
    [(when, status)] = reports
    assert status.pid == slow.pid and status.state is ProcessState.RUNNING
    assert status.step == "prepare" and status.step_started == pytest.approx(begun, abs=0.005)
    assert when - begun >= AFTER - 0.01


def test_short_steps_report_nothing_and_a_stopped_watch_starts_again_on_arm(reports):
    watch = StepWatch(lambda status: reports.append((time.time(), status)), AFTER)
    if not watch.enabled:
        pytest.skip("signals need the main thread")
    quick = LongSteps(inputs={"seconds": 0.0})
    watched_step(watch, quick)
    watch.stop()
    slow = LongSteps(inputs={"seconds": 0.25})
    try:
        begun = watched_step(watch, slow)  # after a stop: the timer is set again
    finally:
        watch.stop()
    [(_, status)] = reports
    assert status.pid == slow.pid and status.step_started == pytest.approx(begun, abs=0.005)
