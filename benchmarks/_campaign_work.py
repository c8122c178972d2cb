"""The work one campaign child does, shared by both sides of workload 7 (``compare.py``).

Plain Python with no prunus or plumpy import, so both virtualenvs import it.
"""

from __future__ import annotations

import time


def burn(seconds: float) -> int:
    """Keep one core busy for ``seconds`` of this OS process's CPU time (a stand-in for
    a computation: parallelism needs cores, not idle waiting); returns the loop count."""
    spins = 0
    until = time.process_time() + seconds
    while time.process_time() < until:
        for _ in range(1000):
            spins += 1
    return spins


def work(kind: str, seconds: float) -> None:
    """``cpu``: :func:`burn`; ``sleep``: hold the step without using a core."""
    if kind == "cpu":
        burn(seconds)
    else:
        time.sleep(seconds)
