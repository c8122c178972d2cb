"""Every exception a prunus user can meet.

They all derive from :class:`PrunusError`, so ``except prunus.PrunusError`` catches
anything the runtime raises on purpose, while bugs in user code keep their own types.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "CheckpointError",
    "ClosedError",
    "CodecError",
    "ConditionError",
    "DaemonError",
    "DaemonTimeoutError",
    "InvalidStateError",
    "KilledError",
    "PortValidationError",
    "ProcessClassError",
    "ProcessFailedError",
    "PrunusError",
    "StoreError",
    "StuckError",
    "UnknownProcessError",
    "WaitTimeoutError",
]


class PrunusError(Exception):
    """Base class of every error prunus raises on purpose."""


class PortValidationError(PrunusError, ValueError):
    """An input or output does not fit its port.

    The message always names the full port path (``params.cutoff``), the rule that was
    broken and the value that came, so a user can fix the call without reading code.
    """

    def __init__(self, message: str, port_path: str | Sequence[str] = "") -> None:
        path = port_path if isinstance(port_path, str) else ".".join(port_path)
        self.port_path: str = path
        self.reason: str = message
        super().__init__(f"Error at port '{path}': {message}" if path else message)


class InvalidStateError(PrunusError, RuntimeError):
    """A transition or action that the process's current state does not allow."""


class KilledError(PrunusError):
    """Raised by ``execute()`` and ``prunus.run`` for a process that ended KILLED."""


class UnknownProcessError(PrunusError, KeyError):
    """No process with this pid is known to the runtime."""

    def __init__(self, pid: str) -> None:
        self.pid = pid
        super().__init__(pid)

    def __str__(self) -> str:
        return f"unknown process '{self.pid}'"


class WaitTimeoutError(PrunusError, TimeoutError):
    """A wait for a process ended before the process did."""


class ClosedError(PrunusError, RuntimeError):
    """The client or runtime was used after it was closed."""


class CodecError(PrunusError, ValueError):
    """A value cannot be encoded to, or decoded from, the storage format.

    ``path`` names where in the value the problem is (``ctx.results[3]``).
    """

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}" if path else message)


class ConditionError(PrunusError, ValueError):
    """A ``when=`` condition is malformed: bad syntax, a bad pid, corrupt stored data.

    ``position`` is the 0-based offset in the text where parsing failed (None when the
    error is not about text); the message already names it as a 1-based column.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        self.position = position
        self.reason = message
        super().__init__(message if position is None else f"at column {position + 1}: {message}")


class CheckpointError(PrunusError):
    """A stored checkpoint is corrupt, of an unknown format, or names a missing class."""


class ProcessClassError(PrunusError, ImportError):
    """A process class named by its path cannot be imported, or is not a Process."""


class ProcessFailedError(PrunusError):
    """A process run by a daemon ended EXCEPTED; the message carries its error text.

    (Embedded runs re-raise the process's own exception object instead; across OS
    processes only its text travels.)
    """


class DaemonError(PrunusError):
    """No daemon runs on the home or address, or it stopped answering."""


class DaemonTimeoutError(DaemonError):
    """The daemon runs but did not answer within the call's timeout."""


class StuckError(WaitTimeoutError):
    """(Embedded) the process can never end: it is paused, or waits on something that
    nothing in this runtime will produce. Unlike a plain timeout, waiting longer cannot
    help; play it, resume it or kill it."""


class StoreError(PrunusError):
    """The durable store cannot be opened or written (missing, read-only, full disk)."""


def _describe(value: Any, limit: int = 80) -> str:
    """A short ``repr`` of a value for error messages, with its type."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{text} (type {type(value).__name__})"
