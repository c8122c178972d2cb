"""Telling the supervisor about a step that runs long, while it runs (daemon hosts).

A host sends a slice's events when the slice ends, after its commit, so a process in
an hour-long step would read as it was before the step (CREATED for a first step)
for an hour. Sending a message before every step would cost a TCP message per step
(about 0.5 ms of CPU each, DESIGN.md section 7: a large share of a daemon's
throughput). Instead a one-shot wall-clock timer runs while a slice's steps run: a
step that ends within ``after`` seconds (nearly all) costs two attribute stores and
nothing is sent; one that is still running ``after`` seconds after it began makes the
timer's signal handler report the process RUNNING, in its step, with the time the
step started. The timer is set once per slice, not around each step (two
``setitimer`` calls per step were ~2% of a host in a 10k ``submit_many``): when it
goes off early for the step now running (it was set before that step began), or
between two steps, the handler sets it again for the time left. It is stopped
(:meth:`StepWatch.stop`) before the host commits, so the signal never interrupts
the store's writes and fsync, only steps (user code) and the host's code between them.

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
        self._running = False  # the timer is set (from the first arm to stop)
        self.enabled = threading.current_thread() is threading.main_thread()
        if self.enabled:
            signal.signal(signal.SIGALRM, self._on_alarm)

    def arm(self, process: Any) -> None:
        """Call right before ``process`` takes a step (sets the timer if stopped)."""
        if self.enabled:
            self._process, self._started = process, time.time()
            if not self._running:
                self._running = True
                signal.setitimer(signal.ITIMER_REAL, self._after)

    def disarm(self) -> None:
        """Call right after the step: it is over (the timer keeps running)."""
        self._process = None

    def stop(self) -> None:
        """Call before anything else than steps runs (a commit, the slice's end):
        no signal comes until the next :meth:`arm`."""
        if self._running:
            self._running = False
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if not self._running:
            return  # (went off as it was stopped)
        process = self._process
        left = self._after if process is None else self._after - (time.time() - self._started)
        if left > 0:  # between steps, or the step began after the timer was set
            signal.setitimer(signal.ITIMER_REAL, left)
            return
        # Reported once: the timer stays off until the next step is armed (one signal
        # per long step, as user code in it may not expect more).
        self._process, self._running = None, False
        status = process._prunus_status()
        if status.state is ProcessState.RUNNING:
            self._report(dataclasses.replace(status, step_started=self._started))
