"""Failures the supervisor decided but could not write down yet (a full disk).

The supervisor fails a process on its own authority when its actor cannot end it (its
host died under it too often, it cannot be resumed) and writes that ending to the store
first. On a full disk that write fails. Raising there cut short the walk over a dead
host's processes (every process after the first failure was neither restarted nor
failed: stranded for good), and ending the process in the registry without the record
would let a restart bring it back as if nothing happened. So the process stays as it
was, shows ``blocked: <why>``, and the failure is tried again on a timer until the
write goes through, like a host holding its commits (``_host``).
"""

from __future__ import annotations

import dataclasses
import logging

from prunus.actors._outgoing import Outgoing
from prunus.actors._registry import Registry
from prunus.errors import StoreError

__all__ = ["RETRY_SECONDS", "RetryFailure", "hold_failure"]

_LOG = logging.getLogger(__name__)
RETRY_SECONDS = 1.0  # as often as a host holding on a full disk tries its commit


@dataclasses.dataclass(frozen=True)
class RetryFailure:
    """Timer payload: fail ``pid`` for ``reason`` again (its record was not written)."""

    pid: str
    reason: str


def hold_failure(
    registry: Registry, out: Outgoing, pid: str, reason: str, error: StoreError
) -> None:
    """``pid`` could not be failed for ``reason`` because of ``error``: show it
    blocked (state kept) and try again in :data:`RETRY_SECONDS`."""
    _LOG.error("cannot record that process %s failed (%s): %s; trying again", pid, reason, error)
    registry.blocked(pid, f"blocked: {error}")
    out.wake_after(RETRY_SECONDS, RetryFailure(pid, reason))
