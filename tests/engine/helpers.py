"""Drive a process with no actors at all: the engine is pure and steps on demand."""

from __future__ import annotations

from prunus import Process
from prunus.engine import ProcessDriver


def step_until_blocked(process: Process, limit: int = 10_000) -> int:
    """Take steps while the process is runnable; returns how many were taken."""
    steps = 0
    while ProcessDriver(process).runnable:
        ProcessDriver(process).step()
        steps += 1
        assert steps < limit, "process did not stop stepping"
    return steps
