"""Whoever waits for a daemon to be ready waits as long as the daemon may take.

A restart of a home of 1M waiting workchains (2M processes) reloads its registry for
over a minute; the daemon allowed itself five minutes for that, but its launcher gave
up after two and ``start_daemon`` after three, so the restart failed with "the daemon
did not start" while the daemon was about to serve (``benchmarks/growth.py``, 1M).
"""

from __future__ import annotations

import inspect

from prunus.actors import serve_allowance
from prunus.control import start_daemon
from prunus.control._daemon_process import _STARTUP_SECONDS, READY_SECONDS


def test_the_launcher_waits_longer_than_the_daemon_may_take_to_start_and_reload():
    assert READY_SECONDS > serve_allowance(_STARTUP_SECONDS) >= 5 * _STARTUP_SECONDS


def test_start_daemon_waits_longer_than_the_launcher_by_default():
    assert inspect.signature(start_daemon).parameters["timeout"].default > READY_SECONDS
