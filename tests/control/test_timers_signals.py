"""Durable timers and signals on real actors, in both modes (restarts are in
tests/durability/test_timers_restart.py)."""

from __future__ import annotations

import time

import pytest

from prunus import (
    CodecError,
    InvalidStateError,
    ProcessState,
    UnknownProcessError,
)
from tests.conftest import running_daemon
from tests.functions import Approval, SignalLater, Sleeper
from tests.modes import eventually


def test_a_sleeping_workchain_waits_then_goes_on_with_its_outline(client):
    started = time.time()
    pid = client.submit(Sleeper, seconds=1.0)
    eventually(lambda: client.status(pid).state is ProcessState.WAITING)
    status = client.status(pid)
    assert started + 1.0 <= status.due <= time.time() + 1.0
    assert status.status.startswith("sleeping until ")
    result = client.wait(pid, timeout=30)
    assert result.is_finished_ok and 1.0 <= result["slept"] < 5.0
    assert client.report(pid) == []  # on time: no lateness line


def test_a_signal_wakes_the_process_waiting_for_it_with_its_payload(client):
    pid = client.submit(Approval)
    eventually(lambda: client.status(pid).signal == "approve")
    assert client.status(pid).state is ProcessState.WAITING
    client.signal(pid, "approve", {"by": "ada", "ok": True})
    assert client.wait(pid, timeout=30)["verdict"] == {"by": "ada", "ok": True}


def test_a_signal_before_the_wait_is_kept_until_the_process_waits_for_it(client):
    pid = client.submit(SignalLater, seconds=1.0)
    eventually(lambda: client.status(pid).due is not None)
    status = client.signal(pid, "approve", "early")  # it is asleep, not waiting for it
    assert status.state is ProcessState.WAITING and status.signal is None
    assert client.wait(pid, timeout=30)["verdict"] == "early"


def test_a_signal_wait_with_a_timeout_wakes_with_none(client):
    pid = client.submit(Approval, timeout=0.5)
    result = client.wait(pid, timeout=30)
    assert result.is_finished_ok and result["verdict"] is None


def test_bad_signals_are_one_line_errors_and_store_nothing(client):
    pid = client.submit(Approval)
    eventually(lambda: client.status(pid).signal == "approve")
    with pytest.raises(UnknownProcessError):
        client.signal("no-such-pid", "approve")
    with pytest.raises(ValueError, match="invalid signal name 'no good'"):
        client.signal(pid, "no good")
    with pytest.raises(CodecError) as caught:
        client.signal(pid, "approve", {"fine": 1, "bad": object()})
    assert "cannot store the payload of signal 'approve'" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert client.status(pid).state is ProcessState.WAITING  # nothing reached it
    client.signal(pid, "approve", 42)
    assert client.wait(pid, timeout=30)["verdict"] == 42
    with pytest.raises(InvalidStateError, match=f"process {pid} has ended \\(FINISHED\\)"):
        client.signal(pid, "approve", 43)


@pytest.mark.slow
def test_a_hundred_processes_sleeping_two_seconds_on_two_hosts_sleep_at_once(tmp_path):
    from prunus import Client

    with running_daemon(tmp_path, workers=2), Client.connect(tmp_path) as client:
        pids = client.submit_many([(Sleeper, {"seconds": 2.0}) for _ in range(100)])
        results = client.wait_many(pids, timeout=60)
    assert all(r.is_finished_ok for r in results), [r.state for r in results]
    assert all(r["slept"] >= 2.0 for r in results)
    # A sleep that held its host would let at most two sleep at a time; how soon they
    # all wake depends on the machine's load, how many sleep together does not.
    assert most_asleep_at_once(results) >= 20


def most_asleep_at_once(results) -> int:
    """The most sleeps under way at one instant (each from ``started`` for ``slept``)."""
    changes = sorted(
        [(r["started"], 1) for r in results] + [(r["started"] + r["slept"], -1) for r in results]
    )
    asleep = most = 0
    for _, change in changes:
        asleep += change
        most = max(most, asleep)
    return most
