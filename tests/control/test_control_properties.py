"""Hypothesis: random control messages against live process trees on real actors,
embedded and on a daemon (where other OS processes move on their own meanwhile)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prunus import Client, ProcessState, WaitTimeoutError
from prunus.engine import TRANSITIONS
from tests.conftest import MODES
from tests.workflows import Counter, WaitsOnPausedChild, WithChildren

actions = st.lists(
    st.tuples(
        st.sampled_from(["pause", "play", "kill", "status", "wait", "play_child"]),
        st.integers(0, 2),
    ),
    max_size=25,
)
ENDING_SECONDS = 15.0  # a played tree ends well within this, even on a loaded machine
workflow_choices = st.sampled_from(
    [
        (Counter, {"n": 4}),
        (WithChildren, {"items": [1, 2, 3]}),
        (WaitsOnPausedChild, {}),
    ]
)


@pytest.fixture(params=MODES)
def connect(request):
    """How each example gets a fresh client, and how long a wait may take to give up."""
    if request.param == "embedded":
        return Client, None
    home = request.getfixturevalue("shared_daemon")
    return lambda: Client.connect(home), 0.3


def test_random_control_interleavings_keep_every_process_consistent(connect):
    open_client, wait_timeout = connect
    examples = 60 if wait_timeout is None else 15

    @settings(max_examples=examples, deadline=None)
    @given(workflows=st.lists(workflow_choices, min_size=1, max_size=3), script=actions)
    def check(workflows, script):
        with open_client() as client:
            interleave(client, workflows, script, wait_timeout)

    check()


def interleave(client, workflows, script, wait_timeout):
    pids = [client.submit(cls, **inputs) for cls, inputs in workflows]
    seen = {pid: ProcessState.CREATED for pid in pids}
    killed = set()
    for action, index in script:
        pid = pids[index % len(pids)]
        if action == "pause":
            ok = client.pause(pid)
            status = client.status(pid)
            # A pause that applied holds: a paused process takes no step, so it is
            # still paused (and not terminal) when asked again.
            assert status.paused is ok
            assert status.is_terminal is (not ok)
        elif action == "play":
            client.play(pid)
            assert not client.status(pid).paused
        elif action == "play_child":
            for child in client.status(pid).children:
                client.play(child)
        elif action == "kill":
            if client.kill(pid, "random kill"):
                killed.add(pid)
                assert client.status(pid).state is ProcessState.KILLED
        elif action == "wait":
            try:
                client.wait(pid, timeout=wait_timeout)
            except WaitTimeoutError:
                assert not client.status(pid).is_terminal
        for each in pids:
            state = client.status(each).state
            previous = seen[each]
            # States only move along the table (possibly several edges between looks),
            # and a terminal state never changes.
            if previous.is_terminal:
                assert state is previous
            seen[each] = state
    for pid in killed:
        assert client.status(pid).state is ProcessState.KILLED
        assert all(client.status(child).is_terminal for child in client.status(pid).children)
    # Whatever happened, playing each tree lets every process that was not killed (and
    # whose children were not killed) end; nothing is left half-way.
    for pid in pids:
        result = play_until_ended(client, pid, wait_timeout)
        assert result.state in (ProcessState.FINISHED, ProcessState.KILLED)
        if pid not in killed and result.state is ProcessState.FINISHED:
            assert result.is_finished_ok


def play_until_ended(client, pid, wait_timeout):
    """Play ``pid``'s tree (a play cascades to every live descendant) until it ends.

    A child that pauses itself may appear after a play, hence a play again after each
    short wait. Only this example's own trees are played: the daemon is shared with
    every earlier test of this worker, and playing every process it knows (thousands,
    ended long ago) each round made this test outlive pytest's timeout under load."""
    give_up = time.monotonic() + ENDING_SECONDS
    while True:
        client.play(pid)
        try:
            return client.wait(pid, timeout=wait_timeout)
        except WaitTimeoutError:
            if time.monotonic() > give_up:
                raise AssertionError(f"{pid} stuck: {client.status(pid)}") from None


def test_the_transition_table_is_the_one_the_property_relies_on():
    assert TRANSITIONS[ProcessState.KILLED] == frozenset()
