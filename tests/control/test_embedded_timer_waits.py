"""The embedded wait when only a timer can move things on (one thread, no daemon):
it sleeps until the timer, takes the answer however it arrives, and says stuck only
when nothing is left to run and no timer is set."""

from __future__ import annotations

import pytest

from prunus import Client, StuckError
from tests.functions import Approval, SignalLater


@pytest.mark.parametrize("round_", range(20))
def test_a_signal_sent_while_asleep_and_a_short_timer_end_in_the_answer(round_):
    with Client() as client:
        pid = client.submit(SignalLater, seconds=0.05)
        client.signal(pid, "approve", round_)
        assert client.wait(pid, timeout=30)["verdict"] == round_


def test_a_wait_for_a_signal_that_nobody_sends_is_stuck_at_once():
    with Client() as client:
        pid = client.submit(Approval)
        with pytest.raises(StuckError, match=f"process {pid} cannot make progress"):
            client.wait(pid)
