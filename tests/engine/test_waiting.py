"""Durable timers and signals in the engine, driven by hand: what a wait stores, what
wakes it, and a signal that comes first."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from prunus import Process, ProcessState, WorkChain
from prunus.engine import ProcessDriver, load_process, new_process, save_process
from tests.engine.helpers import step_until_blocked


class Naps(WorkChain):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("done", valid_type=bool)
        spec.outline(cls.first, cls.second)

    def first(self):
        return self.sleep(60)

    def second(self):
        self.out("done", True)


class Approval(Process):
    @classmethod
    def define(cls, spec):
        super().define(spec)
        spec.output("verdict", required=False)

    def run(self):
        return self.wait_for("approve", self.decide, timeout=30)

    def decide(self):
        self.out("verdict", self.signal("approve"))


class UntilNewYear(Process):
    def run(self):
        return self.sleep_until(datetime(2100, 1, 1, tzinfo=timezone.utc), self.done)

    def done(self):
        return None


def test_sleep_from_a_workchain_step_waits_on_a_stored_deadline_then_goes_on():
    process = new_process(Naps, {}, "n")
    before = time.time()
    step_until_blocked(process)
    driver = ProcessDriver(process)
    status = driver.status()
    assert status.state is ProcessState.WAITING
    assert before + 60 <= status.due <= time.time() + 60 and status.signal is None
    assert status.status.startswith("sleeping until ")
    restored = load_process(save_process(process))  # the deadline is in the checkpoint
    assert ProcessDriver(restored).status().due == status.due
    assert not driver.wake(status.due - 5, status.due - 5)  # not that timer: ignored
    assert driver.wake(status.due, status.due + 0.01)
    assert driver.status().due is None
    step_until_blocked(process)
    assert process.outputs == {"done": True}
    assert driver.take_effects()[1] == []  # on time: nothing reported


def test_a_timer_that_fires_late_reports_its_lateness():
    process = new_process(Naps, {}, "n")
    step_until_blocked(process)
    driver = ProcessDriver(process)
    due = driver.status().due
    driver.take_effects()
    assert driver.wake(due, due + 125.0)
    (line,) = driver.take_effects()[1]
    assert line.startswith("timer due at ") and line.endswith("fired 125.0 s late")


def test_sleep_until_a_datetime_stores_its_unix_time():
    process = new_process(UntilNewYear, {}, "u")
    step_until_blocked(process)
    new_year = datetime(2100, 1, 1, tzinfo=timezone.utc)
    assert ProcessDriver(process).status().due == new_year.timestamp()


def test_a_signal_resumes_the_process_waiting_for_it_and_the_next_step_reads_it():
    process = new_process(Approval, {}, "a")
    step_until_blocked(process)
    driver = ProcessDriver(process)
    assert driver.status().signal == "approve" and driver.status().due is not None
    assert driver.signal("approve", {"by": "ada"})
    step_until_blocked(process)
    assert process.outputs == {"verdict": {"by": "ada"}}
    assert not driver.signal("approve", 1)  # it has ended


def test_a_signal_that_comes_first_is_kept_until_the_process_waits_for_it():
    process = new_process(Approval, {}, "a")
    driver = ProcessDriver(process)
    assert driver.signal("approve", "early")
    assert driver.signal("other", "ignored until asked for")
    restored = load_process(save_process(process))  # kept in the checkpoint
    step_until_blocked(restored)
    assert restored.state is ProcessState.FINISHED
    assert restored.outputs == {"verdict": "early"}


def test_a_signal_wait_that_times_out_reads_none():
    process = new_process(Approval, {}, "a")
    step_until_blocked(process)
    driver = ProcessDriver(process)
    assert driver.wake(driver.status().due, time.time())
    step_until_blocked(process)
    assert process.outputs == {"verdict": None}


@pytest.mark.parametrize("name", ["", "1st", "has space", "x" * 101, 7])
def test_an_invalid_signal_name_is_refused(name):
    from prunus.engine._waiting import check_signal_name

    with pytest.raises(ValueError, match="invalid signal name"):
        check_signal_name(name)
