"""Telling the supervisor about a step that runs long, while it runs (daemon hosts).

A host sends a slice's events when the slice ends, after its commit, so a process in
an hour-long step would read as it was before the step (CREATED for a first step)
for an hour. Sending a message before every step would cost a TCP message per step
(about 0.5 ms of CPU each, DESIGN.md section 7: a large share of a daemon's
throughput). Instead a one-shot wall-clock timer is armed around each step: a step
that ends within ``after`` seconds (nearly all) costs two ``setitimer`` calls and
nothing is sent; one that is still running then makes the timer's signal handler
report the process RUNNING, in its step, with the time the step started.

The handler runs in the host's main thread between two bytecodes of the step (the
step is user code, not Thespian's), and only sends a status: nothing that commits
anyone to a state the store could forget (the step's effects are reported after its
commit, as always). A step that itself uses SIGALRM or ``ITIMER_REAL`` takes the timer
over; it is then simply not reported early.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from prunus.engine import ProcessState, ProcessStatus

__all__ = ["StepWatch"]


class StepWatch:
    """Reports a step still running ``after`` seconds in, through ``report``."""

    def __init__(self, report: Callable[[ProcessStatus], None], after: float) -> None:
        self._report, self._after = report, after
        self._process: Any = None
        self._started = 0.0
        self.enabled = threading.current_thread() is threading.main_thread()
        if self.enabled:
            signal.signal(signal.SIGALRM, self._on_alarm)

    def arm(self, process: Any) -> None:
        """Call right before ``process`` takes a step."""
        if self.enabled:
            self._process, self._started = process, time.time()
            signal.setitimer(signal.ITIMER_REAL, self._after)

    def disarm(self) -> None:
        """Call right after the step, before anything else talks to Thespian."""
        if self.enabled:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._process = None

    def _on_alarm(self, signum: int, frame: Any) -> None:
        process = self._process
        if process is None:
            return
        status = process._prunus_status()
        if status.state is ProcessState.RUNNING:
            self._report(dataclasses.replace(status, step_started=self._started))
