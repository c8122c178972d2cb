"""Waits: answered once when the process ends, or timed out by a typed timer payload."""

from __future__ import annotations

from prunus.actors._messages import WaitFor, WaitForMany, WaitResult, WaitResults, WaitTimedOut
from prunus.actors._waits import ManyWaitDeadline, WaitDeadline
from prunus.engine import ProcessState
from tests.actors.helpers import Parts, ended, result


def end(parts: Parts, pid: str) -> None:
    ending = parts.registry.finished(*ended(pid, ProcessState.FINISHED), parts.out)
    parts.waits.ended(ending, parts.out)


def test_a_waiter_hears_the_result_when_the_process_ends_and_only_then():
    parts = Parts()
    parts.tree("a")
    parts.waits.wait_for(WaitFor("a", 7), "client", parts.out)
    assert parts.out.sends == [] and parts.waits.waiting_on("a") == 1
    end(parts, "a")
    assert parts.out.sends == [("client", WaitResult(7, result("a")))]
    assert parts.waits.waiting_on("a") == 0


def test_a_wait_on_a_process_that_ended_is_answered_at_once():
    parts = Parts()
    parts.tree("a")
    end(parts, "a")
    parts.waits.wait_for(WaitFor("a", 1, timeout=5.0), "client", parts.out)
    assert parts.out.sends == [("client", WaitResult(1, result("a")))]
    assert parts.out.timers == []


def test_a_deadline_is_a_typed_payload_and_times_out_only_a_wait_still_pending():
    parts = Parts()
    parts.tree("a", "b")
    parts.waits.wait_for(WaitFor("a", 1, timeout=0.5), "client", parts.out)
    parts.waits.wait_for(WaitFor("b", 2, timeout=0.5), "client", parts.out)
    assert parts.out.timers == [(0.5, WaitDeadline("a", 1)), (0.5, WaitDeadline("b", 2))]
    end(parts, "b")
    parts.take()
    parts.waits.deadline(WaitDeadline("a", 1), parts.out)
    parts.waits.deadline(WaitDeadline("b", 2), parts.out)  # answered already: nothing
    assert parts.out.sends == [("client", WaitTimedOut("a", 1))]


def test_a_cancelled_wait_is_never_answered():
    parts = Parts()
    parts.tree("a")
    parts.waits.wait_for(WaitFor("a", 1), "client", parts.out)
    assert parts.waits.cancel("a", 1) == "client"
    end(parts, "a")
    assert parts.out.sends == []


def test_a_many_wait_is_answered_once_in_order_even_when_a_pid_is_named_twice():
    parts = Parts()
    parts.tree("a", "b")
    end(parts, "b")
    parts.take()
    parts.waits.wait_for_many(WaitForMany(("a", "b", "a"), 3), "client", parts.out)
    assert parts.out.sends == []
    end(parts, "a")
    assert parts.out.sends == [("client", WaitResults(3, (result("a"), result("b"), result("a"))))]


def test_a_many_wait_that_timed_out_names_a_late_pid_and_is_never_answered_again():
    parts = Parts()
    parts.tree("a", "b")
    parts.waits.wait_for_many(WaitForMany(("a", "b"), 4, timeout=1.0), "client", parts.out)
    [(seconds, payload)] = parts.out.timers
    assert seconds == 1.0 and isinstance(payload, ManyWaitDeadline)
    end(parts, "a")
    parts.waits.deadline(payload, parts.out)
    end(parts, "b")
    assert parts.out.sends == [("client", WaitTimedOut("b", 4))]


def test_a_many_wait_naming_an_unknown_pid_is_refused_and_waits_on_nothing():
    parts = Parts()
    parts.tree("a")
    parts.waits.wait_for_many(WaitForMany(("a", "nope"), 5), "client", parts.out)
    [(_, reply)] = parts.out.sends
    assert reply.kind == "UnknownProcessError" and reply.pid == "nope"
    assert parts.waits.waiting_on("a") == 0
