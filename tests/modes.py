"""Helpers for tests that run in both modes (see tests/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from prunus import WaitTimeoutError

SETTLE_SECONDS = 0.3


def settle(client, pid: str) -> None:
    """Let ``pid`` run until it cannot move on its own (paused, or waiting on something
    that will not come). Embedded: the runtime notices at once. Daemon: give it
    ``SETTLE_SECONDS``; the process must still not have ended."""
    with pytest.raises(WaitTimeoutError):
        client.wait(pid, timeout=SETTLE_SECONDS)


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until ``check()`` holds: in daemon mode other OS processes move on their own."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {check}")
        time.sleep(0.01)
