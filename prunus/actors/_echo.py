"""The echo actor: how a daemon host's Ticks, and its reports of long steps, travel.

In Thespian's TCP base a message an actor sends to itself skips the socket and is
handled before anything waiting on the socket (measured: a looping actor answered an
ask only after 40 self-sends, 0.24 s; with ``wakeupAfter`` only after all 200), which
would starve control messages while steps are queued. So a daemon host sends its Tick
to an :class:`Echo` actor that sends it back: it then queues behind what is already
waiting on the host's socket. The in-process base keeps one FIFO queue; it self-sends.

A host also sends a long step's report by way of the echo (a :class:`Forward`): while
the step runs, the host's own way to the supervisor may still be busy.
"""

from __future__ import annotations

from typing import Any

from prunus.actors._host_messages import Forward, Tick
from prunus.actors._thespian import Actor

__all__ = ["Echo"]


class Echo(Actor):
    """Sends a Tick back to its sender, and a Forward's message on to its target."""

    def receiveMessage(self, message: Any, sender: Any) -> None:
        if type(message) is Tick:
            self.send(sender, message)
        elif type(message) is Forward:
            self.send(message.to, message.message)
