"""Signals: a named event with a payload, delivered to a process by pid.

The supervisor checks the pid here (unknown, or ended: one error line, nothing is
stored) and routes the signal to the process's host, activating it from its checkpoint
if it was passivated. The cell stores it with the process (the process resumes if it
waits for it, or keeps it until it does) and answers :class:`SignalDelivered` through
the host's events, which leave only after the slice's commit: a signal is durable
before the sender hears that it was delivered.
"""

from __future__ import annotations

from typing import Any

from prunus.actors._messages import ErrorReply
from prunus.actors._outgoing import Outgoing
from prunus.actors._registry import Registry
from prunus.actors._waiting_messages import DeliverSignal, SignalRequest

__all__ = ["Signals"]


class Signals:
    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def signal(self, message: SignalRequest, asker: Any, out: Outgoing) -> None:
        entry = self._registry.lookup(message.pid, asker, out)
        if entry is None:
            return
        if entry.result is not None:
            out.send(asker, ended_error(message.pid, entry.status.state.name, message.name))
            return
        delivery = DeliverSignal(message.name, message.payload, asker)
        self._registry.deliver(message.pid, delivery, out)


def ended_error(pid: str, state: str, name: str) -> ErrorReply:
    return ErrorReply(
        "InvalidStateError",
        pid,
        f"process {pid} has ended ({state}): the signal '{name}' cannot be delivered",
    )
