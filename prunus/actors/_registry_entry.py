"""What the registry holds of one process (:class:`Entry`), and what it tells the other
parts when one ends (:class:`Ending`).

Apart from :mod:`._registry` (the only code that changes entries) because an entry is
a value with rules of its own: it is built without the dataclass's per-field
``__setattr__`` (a restart registers 200k of them), and once registered it reports every
change of a counted field to its registry's :class:`~._registry_tally.Tally`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prunus.actors._registry_tally import TALLIED_FIELDS, Tally
from prunus.engine import ProcessResult, ProcessState, ProcessStatus

__all__ = ["Ending", "Entry"]


@dataclass(slots=True)
class Entry:
    """One process: its last status, its host, its children and (once ended) result.

    ``active``: a host holds (or is about to hold) it; False once the host reported it
    passivated or ended. If its host dies while it is active, it counts as restarted.
    """

    status: ProcessStatus
    host: int  # -1: ended before this supervisor started; UNPLACED: waits for a member
    children: list[str] = field(default_factory=list)
    result: ProcessResult | None = None
    active: bool = False
    restarts: int = 0
    requirements: dict[str, int | str] | None = None  # what its host must offer
    # The number of the Deliver to its host that carries its last message (Outgoing).
    delivery: int = field(default=0, compare=False)
    # The registry's running counts, once registered (see __setattr__).
    tally: Tally | None = field(default=None, repr=False, compare=False)

    def __init__(
        self,
        status: ProcessStatus,
        host: int,
        children: list[str] | None = None,
        result: ProcessResult | None = None,
        active: bool = False,
        restarts: int = 0,
        requirements: dict[str, int | str] | None = None,
    ) -> None:
        # Not the dataclass's __init__: that would go through __setattr__ per field
        # (7 us an entry instead of 1: 200k entries a restart).
        put = object.__setattr__
        put(self, "status", status)
        put(self, "host", host)
        put(self, "children", [] if children is None else children)
        put(self, "result", result)
        put(self, "active", active)
        put(self, "restarts", restarts)
        put(self, "requirements", requirements)
        put(self, "delivery", 0)
        put(self, "tally", None)

    def __setattr__(self, name: str, value: Any) -> None:
        # Once registered, a change of a counted field updates the registry's counts
        # (see _registry_tally).
        if name in TALLIED_FIELDS:
            tally = self.tally
            if tally is not None:
                tally.change(self, name, value)
                return
        object.__setattr__(self, name, value)


@dataclass(frozen=True, slots=True)
class Ending:
    """A process just ended (first and only time): what the other parts react to."""

    pid: str
    status: ProcessStatus
    result: ProcessResult

    @property
    def killed(self) -> bool:
        return self.status.state is ProcessState.KILLED
