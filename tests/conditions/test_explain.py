"""Why a condition can never hold: the status line of a cancelled process."""

from __future__ import annotations

import re

import pytest
from hypothesis import given

from prunus import Pid, ProcessState
from prunus.conditions import Truth, cancelled_status, parse_condition, why_never

from .test_evaluation import KNOWN, build, knowns, trees

fetch2, model, upload = Pid("fetch2"), Pid("model"), Pid("upload.1")
EXCEPTED = (ProcessState.EXCEPTED, 0)
KILLED = (ProcessState.KILLED, 0)
RUNNING = (ProcessState.RUNNING, 0)


def test_the_status_names_the_process_its_ending_and_the_atom_it_rules_out():
    condition = model.completed & fetch2.finished_ok
    states = {"fetch2": EXCEPTED, "model": RUNNING}
    assert (
        cancelled_status(condition, states)
        == "cancelled: fetch2 EXCEPTED, so fetch2.finished_ok can never hold"
    )


def test_a_finished_process_is_named_with_its_exit_status():
    states = {"fetch2": (ProcessState.FINISHED, 3)}
    assert why_never(fetch2.finished_ok, states) == (
        "fetch2 FINISHED with exit status 3, so fetch2.finished_ok can never hold"
    )


def test_an_or_names_every_ending_that_ruled_out_one_of_its_parts():
    condition = (fetch2.finished_ok | upload.killed) & model.completed
    states = {"fetch2": EXCEPTED, "upload.1": (ProcessState.FINISHED, 0)}
    assert why_never(condition, states) == (
        "fetch2 EXCEPTED and upload.1 FINISHED with exit status 0, "
        "so fetch2.finished_ok | upload.1.killed can never hold"
    )


def test_a_negation_names_what_made_its_part_hold():
    condition = ~(fetch2.failed & model.completed)
    states = {"fetch2": EXCEPTED, "model": KILLED}
    assert why_never(condition, states) == (
        "fetch2 EXCEPTED and model KILLED, so ~(fetch2.failed & model.completed) can never hold"
    )
    assert why_never(
        ~fetch2.failed | ~model.failed | ~upload.completed,
        {"fetch2": EXCEPTED, "model": EXCEPTED, "upload.1": KILLED},
    ).startswith("fetch2 EXCEPTED, model EXCEPTED and upload.1 KILLED, so ")


@pytest.mark.parametrize(
    "states", [{}, {"fetch2": RUNNING}, {"fetch2": (ProcessState.FINISHED, 0)}]
)
def test_asking_why_a_condition_that_can_still_hold_never_holds_is_an_error(states):
    with pytest.raises(ValueError, match="not 'never'"):
        why_never(fetch2.finished_ok, states)


@given(trees, knowns)
def test_every_cancellation_names_ended_processes_and_a_part_that_can_never_hold(tree, known):
    condition = build(tree)
    states = {pid: KNOWN[name] for pid, name in known.items()}
    if condition.evaluate(states) is not Truth.NEVER:
        return
    text = why_never(condition, states)
    assert "\n" not in text and text.endswith(" can never hold")
    endings, _, part = text.removesuffix(" can never hold").partition(", so ")
    named = [ending.split(" ")[0] for ending in re.split(", | and ", endings)]
    assert named and set(named) <= condition.pids
    assert all(states[pid][0].is_terminal for pid in named)
    # The part named is a piece of the condition that is ruled out by those endings alone.
    assert parse_condition(part).evaluate({pid: states[pid] for pid in named}) is Truth.NEVER
