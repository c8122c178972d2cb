"""The embedded runtime's own requests: fewer round trips per run.

In the in-process actor system every message costs Python work (Thespian's dispatch,
about 10 us each: DESIGN.md section 7), and a trivial process ran in about eight of
them and two asks. These requests do in one exchange what took several:

- :class:`Run`: launch the caller's instance and answer when it has ended (a launch
  and a wait, without the launch's own answer in between);
- :class:`LaunchMany`: start a batch of instances, answered once (``submit_many``),
  so their first checkpoints share one commit and one fsync;
- :class:`LiveDescendants`: whether a run left anything running, in one question
  rather than a status request per descendant (the warm runtime asks it after every
  run that launched children).

They carry live process objects: embedded only, never sent across OS processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prunus.actors._messages import Launched, LaunchedMany
from prunus.actors._outgoing import Relay

__all__ = ["LaunchMany", "LiveDescendants", "LiveDescendantsReply", "Run", "Unanswered"]


@dataclass(frozen=True, slots=True)
class Run:
    """Embedded client -> supervisor: host this instance and answer a WaitResult with
    ``request_id`` once it has ended (an ErrorReply if it cannot start)."""

    process: Any
    request_id: int


@dataclass(frozen=True, slots=True)
class LaunchMany:
    """Embedded client -> supervisor: host these instances; one LaunchedMany once all
    are committed. One that cannot start is answered with its error, and the ones
    after it are not started."""

    processes: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class LiveDescendants:
    """Embedded client -> supervisor: which descendants of ``pid`` have not ended."""

    pid: str


@dataclass(frozen=True, slots=True)
class LiveDescendantsReply:
    """Deepest first; empty when every descendant has ended (or ``pid`` is unknown)."""

    pids: tuple[str, ...]


class Unanswered(Relay):
    """The asker of a :class:`Run`'s launch: its errors go to ``asker``; its Launched
    goes nowhere (the asker waits for the end, not for the pid)."""

    __slots__ = ("asker",)

    def __init__(self, asker: Any) -> None:
        self.asker = asker

    def relay(self, message: Any) -> tuple[Any, Any] | None:
        if type(message) in (Launched, LaunchedMany):
            return None
        return self.asker, message
