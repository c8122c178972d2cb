"""A pid the store holds and the supervisor does not know yet: ask again, briefly.

A host commits a step before it reports it, so a client that reads the store (on the
daemon's machine, :mod:`._local_reads`) can see a child in its parent's status before
the supervisor has heard of the launch (its ``Spawned`` event is on the way, or the
supervisor is about to read it back from the store after losing the host). A control
or a wait for that child, asked of the supervisor meanwhile, would answer "unknown
process" for a process that exists. So a client that can read the store asks again
while the store holds the pid's record, for a few seconds, before it believes that
answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prunus.actors._messages import ErrorReply

__all__ = ["REGISTERING_SECONDS", "ask_until_registered"]

REGISTERING_SECONDS = 5.0  # at most this long, past the first "unknown process" answer
_PAUSE = 0.02


def ask_until_registered(ask_once: Callable[[], Any], stored: Callable[[str], bool] | None) -> Any:
    """``ask_once()``'s reply, asked again while it is "unknown process" for a pid that
    ``stored(pid)`` says the store holds (None: no store to look in, ask once)."""
    reply = ask_once()
    if stored is None:
        return reply
    give_up = time.monotonic() + REGISTERING_SECONDS
    while (
        isinstance(reply, ErrorReply)
        and reply.kind == "UnknownProcessError"
        and time.monotonic() < give_up
        and stored(reply.pid)
    ):
        time.sleep(_PAUSE)
        reply = ask_once()
    return reply
