"""The book of waiting processes: decides on endings, indexes by pid, propagates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus import ConditionError, Pid, ProcessState
from prunus.conditions import Decision, Outcome, PendingConditions, Truth, condition_from_data

RUNNING = Outcome(ProcessState.RUNNING)
OK = Outcome(ProcessState.FINISHED, 0)
EXCEPTED = Outcome(ProcessState.EXCEPTED)
KILLED = Outcome(ProcessState.KILLED)

reduce_, fetch, upload, model, fit, cleanup = map(
    Pid, ["reduce", "fetch", "upload", "model", "fit", "cleanup"]
)


def park_book(states):
    """The seed's workflow: fetch after reduce, model after upload, fit after both."""
    book = PendingConditions()
    assert book.add(fetch, reduce_.finished_ok, states) == []
    assert book.add(model, upload.finished_ok, states) == []
    assert book.add(fit, fetch.finished_ok & model.finished_ok, states) == []
    assert book.add(cleanup, fetch.completed, states) == []
    return book


def test_a_process_waits_until_its_condition_holds_and_then_is_started():
    states = {"reduce": RUNNING, "upload": RUNNING}
    book = park_book(states)
    assert len(book) == 4 and book.waiting_on("fetch") == {"fit", "cleanup"}
    states["reduce"] = OK
    assert book.ended("reduce", states) == [Decision("fetch", start=True)]
    assert "fetch" not in book and book.condition_of("fit") is not None


def test_a_failure_cancels_through_every_level_and_still_runs_the_clean_up():
    states = {"reduce": RUNNING, "upload": RUNNING}
    book = park_book(states)
    states["reduce"] = EXCEPTED
    assert book.ended("reduce", states) == [
        Decision(
            "fetch", False, "cancelled: reduce EXCEPTED, so reduce.finished_ok can never hold"
        ),
        Decision("cleanup", start=True),  # fetch.completed holds once fetch is cancelled
        Decision("fit", False, "cancelled: fetch KILLED, so fetch.finished_ok can never hold"),
    ]
    assert list(book) == ["model"]


def test_an_ending_evaluates_only_the_conditions_that_name_the_process():
    asked = []

    def states(pid):
        asked.append(pid)
        return {"reduce": OK}.get(pid, RUNNING)

    book = park_book({})
    asked.clear()
    book.ended("reduce", states)
    assert set(asked) == {"reduce"}  # fit, model and cleanup were not looked at


def test_a_condition_already_decided_at_submit_is_answered_at_once():
    book = PendingConditions()
    assert book.add("b", Pid("a").finished_ok, {"a": OK}) == [Decision("b", start=True)]
    [cancel] = book.add("c", Pid("a").failed, {"a": OK})
    assert not cancel.start and cancel.status.startswith("cancelled: a FINISHED")
    assert len(book) == 0


def test_a_waiting_process_killed_by_a_user_is_forgotten_and_its_dependents_decided():
    states = {"reduce": RUNNING, "upload": RUNNING}
    book = park_book(states)
    states["fetch"] = KILLED
    decisions = book.ended("fetch", states)
    assert [d.pid for d in decisions] == ["cleanup", "fit"]
    assert "fetch" not in book and book.waiting_on("reduce") == frozenset()


def test_after_a_restart_the_stored_entries_are_decided_against_the_stored_states():
    states = {"reduce": RUNNING, "upload": RUNNING}
    stored = [(pid, book_entry.to_data()) for pid, book_entry in _entries(park_book(states))]
    # While nothing ran: reduce finished, upload excepted.
    restarted = PendingConditions()
    restarted.load((pid, condition_from_data(data)) for pid, data in stored)
    decisions = restarted.decide_all({"reduce": OK, "upload": EXCEPTED})
    assert {d.pid: d.start for d in decisions} == {"fetch": True, "model": False, "fit": False}
    assert list(restarted) == ["cleanup"]  # waits for fetch, which now starts


def _entries(book):
    return [(pid, book.condition_of(pid)) for pid in book]


def test_a_process_cannot_wait_on_itself_or_twice():
    book = PendingConditions()
    with pytest.raises(ConditionError, match="names b itself"):
        book.add("b", Pid("b").completed, {})
    book.add("b", Pid("a").completed, {})
    with pytest.raises(ConditionError, match="already waiting"):
        book.add("b", Pid("a").completed, {})


# ---- random workflows against re-evaluating everything -----------------------------

ENDINGS = [OK, Outcome(ProcessState.FINISHED, 2), EXCEPTED, KILLED]


@st.composite
def workflows(draw):
    """Jobs j0.. running; waiting processes w0.. each on a condition over earlier ones."""
    jobs = [f"j{i}" for i in range(draw(st.integers(1, 4)))]
    waiting = {}
    for i in range(draw(st.integers(1, 8))):
        earlier = jobs + list(waiting)
        atoms = st.builds(
            getattr,
            st.sampled_from(earlier).map(Pid),
            st.sampled_from(["completed", "finished_ok", "failed", "killed"]),
        )
        condition = draw(
            st.recursive(
                atoms,
                lambda inner: st.one_of(
                    inner.map(lambda c: ~c),
                    st.tuples(inner, inner).map(lambda p: p[0] & p[1]),
                    st.tuples(inner, inner).map(lambda p: p[0] | p[1]),
                ),
                max_leaves=4,
            )
        )
        waiting[f"w{i}"] = condition
    return jobs, waiting


def fixpoint(waiting, jobs, endings):
    """Naive reference: from the endings so far, evaluate every waiting condition again
    and again until nothing changes (a started process runs until it has an ending)."""
    states = {**dict.fromkeys(jobs, RUNNING), **endings}
    decided = {}
    changed = True
    while changed:
        changed = False
        for pid, condition in waiting.items():
            if pid in decided:
                continue
            value = condition.evaluate(states)
            if value is not Truth.NOT_YET:
                decided[pid] = value is Truth.HOLDS
                states.setdefault(pid, RUNNING if decided[pid] else KILLED)
                changed = True
    return decided


@settings(max_examples=60, deadline=None)
@given(workflows(), st.data())
def test_incremental_decisions_equal_re_evaluating_everything_after_each_ending(flow, data):
    jobs, waiting = flow
    states = dict.fromkeys(jobs, RUNNING)
    book = PendingConditions()
    book_decided = {}
    for pid, condition in waiting.items():
        for decision in book.add(pid, condition, states):
            book_decided[decision.pid] = decision.start
            states[decision.pid] = RUNNING if decision.start else KILLED
    endings = {}
    assert book_decided == fixpoint(waiting, jobs, endings)

    while True:
        running = sorted(p for p, s in states.items() if s == RUNNING)
        if not running:
            break
        pid = data.draw(st.sampled_from(running))
        states[pid] = endings[pid] = data.draw(st.sampled_from(ENDINGS))
        for decision in book.ended(pid, states):
            assert decision.pid not in book_decided
            book_decided[decision.pid] = decision.start
            states[decision.pid] = RUNNING if decision.start else KILLED
        assert book_decided == fixpoint(waiting, jobs, endings)
    assert len(book) == 0  # once everything ended, nothing is left waiting
