"""A pid the store holds before the supervisor has registered it: a client that reads
the store asks again for a while instead of answering "unknown process" at once."""

from __future__ import annotations

import time

import pytest

from prunus import Client, ProcessState, UnknownProcessError
from prunus.actors import _registering_soon
from prunus.actors._messages import ErrorReply
from prunus.actors._persisting import status_record
from prunus.actors._registering_soon import ask_until_registered
from prunus.engine import ProcessStatus
from prunus.persistence import LmdbStore
from tests.conftest import running_daemon

UNKNOWN = ErrorReply("UnknownProcessError", "p.0", "unknown process 'p.0'")


def replies(*answers):
    """``ask_once`` answering ``answers`` in turn; ``asked`` counts the asks."""
    pending = list(answers)

    def ask_once():
        ask_once.asked += 1
        return pending.pop(0)

    ask_once.asked = 0
    return ask_once


def test_an_unknown_pid_the_store_holds_is_asked_again_until_the_supervisor_knows_it():
    ask_once = replies(UNKNOWN, UNKNOWN, "played")
    assert ask_until_registered(ask_once, lambda pid: pid == "p.0") == "played"
    assert ask_once.asked == 3


@pytest.mark.parametrize("stored", [None, lambda pid: False])
def test_an_unknown_pid_the_store_does_not_hold_is_answered_at_once(stored):
    ask_once = replies(UNKNOWN, "never asked")
    assert ask_until_registered(ask_once, stored) is UNKNOWN and ask_once.asked == 1


def test_other_errors_are_never_asked_again():
    other = ErrorReply("ProcessError", "p.0", "cannot")
    ask_once = replies(other, "never asked")
    assert ask_until_registered(ask_once, lambda pid: True) is other


def test_asking_again_gives_up_after_its_window(monkeypatch):
    monkeypatch.setattr(_registering_soon, "REGISTERING_SECONDS", 0.2)
    ask_once = replies(*[UNKNOWN] * 1000)
    begun = time.monotonic()
    assert ask_until_registered(ask_once, lambda pid: True) is UNKNOWN
    assert 0.2 <= time.monotonic() - begun < 2 and ask_once.asked > 2


def test_a_client_on_the_daemons_machine_waits_for_a_stored_pid_and_not_for_an_absent_one(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(_registering_soon, "REGISTERING_SECONDS", 1.0)
    home = tmp_path / "home"
    with running_daemon(home):
        # A record committed behind the supervisor's back, as a host's step commits a
        # child before its launch is reported: here it is never reported at all.
        store = LmdbStore(home, sync=True)
        ghost = ProcessStatus("ghost.0", "tests:P", ProcessState.WAITING, created=1.0)
        store.write("ghost.0", record=status_record(ghost, None))
        store.close()
        with Client.connect(home) as client:
            assert client.status("ghost.0").state is ProcessState.WAITING  # from the store
            for pid, least, most in (("ghost.0", 1.0, 5.0), ("nobody.0", 0.0, 0.5)):
                begun = time.monotonic()
                with pytest.raises(UnknownProcessError):
                    client.play(pid)
                assert least <= time.monotonic() - begun < most, pid
