"""The transition table: every allowed edge works, every other edge raises."""

from __future__ import annotations

import itertools

import pytest

from prunus import InvalidStateError, ProcessState
from prunus.engine import TERMINAL_STATES, TRANSITIONS, check_transition

# (in the enum's order, not a frozenset's: the same order in every process, as
# pytest-xdist's workers must collect the same tests in the same order)
ALLOWED = [(a, b) for a, b in itertools.product(ProcessState, repeat=2) if b in TRANSITIONS[a]]
FORBIDDEN = [
    (a, b) for a, b in itertools.product(ProcessState, repeat=2) if b not in TRANSITIONS[a]
]


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: s.name)
def test_every_transition_in_the_table_is_allowed(current, target):
    assert check_transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=lambda s: s.name)
def test_every_transition_outside_the_table_raises(current, target):
    with pytest.raises(InvalidStateError, match=f"{current.name} -> {target.name}"):
        check_transition(current, target)


def test_terminal_states_have_no_way_out():
    assert {s for s in ProcessState if s.is_terminal} == TERMINAL_STATES
    assert {
        ProcessState.FINISHED,
        ProcessState.EXCEPTED,
        ProcessState.KILLED,
    } == TERMINAL_STATES
    for state in TERMINAL_STATES:
        assert TRANSITIONS[state] == frozenset()


def test_table_matches_the_documented_lifecycle():
    assert TRANSITIONS[ProcessState.CREATED] == {
        ProcessState.RUNNING,
        ProcessState.KILLED,
        ProcessState.EXCEPTED,
    }
    assert ProcessState.WAITING in TRANSITIONS[ProcessState.RUNNING]
    assert ProcessState.RUNNING in TRANSITIONS[ProcessState.WAITING]
    assert ProcessState.FINISHED not in TRANSITIONS[ProcessState.WAITING]
