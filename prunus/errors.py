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
    "MissingSuperCallError",
    "NotAuthorisedError",
    "PortValidationError",
    "ProcessClassError",
    "ProcessClassImportError",
    "ProcessFailedError",
    "PrunusError",
    "ReadOnlyInputsError",
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

    @property
    def port(self) -> str:
        """The port path (plumpy's name for :attr:`port_path`)."""
        return self.port_path

    @property
    def message(self) -> str:
        """What was wrong, without the port (plumpy's name for :attr:`reason`)."""
        return self.reason


class ReadOnlyInputsError(PrunusError, TypeError):
    """A step tried to change its inputs; they are read-only once validated.

    A change would be seen by later steps of an uninterrupted run but not by a run
    resumed from a checkpoint (which holds the inputs as launched): one process, two
    answers. A ``TypeError``, as plumpy's frozen inputs raise.
    """

    def __init__(self, port_path: str) -> None:
        self.port_path = port_path
        super().__init__(
            f"cannot change input '{port_path}': inputs are read-only once validated; "
            "keep changing values in self.ctx (or copy: dict(self.inputs))"
        )


class InvalidStateError(PrunusError, RuntimeError):
    """A transition or action that the process's current state does not allow."""


class KilledError(PrunusError):
    """Raised by ``execute()`` and ``prunus.run`` for a process that ended KILLED."""


class MissingSuperCallError(PrunusError, AssertionError):
    """An override of a process hook (``on_run``, ``on_finish``...) did not call
    ``super()``. An ``AssertionError``, as plumpy raises; the process ends EXCEPTED
    (or, for ``on_create`` and ``init``, is not created)."""


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


class ProcessClassImportError(CheckpointError):
    """A checkpoint names a class that cannot be imported in this OS process.

    Unlike corrupt data this is often transient (the module is not on ``sys.path``
    here, or a package is missing on this host), so a process hit by it is *blocked*,
    not failed: it keeps its state and is tried again on the next open or restart.
    """


class ProcessClassError(PrunusError, ImportError):
    """A process class named by its path cannot be imported, or is not a Process."""


class ProcessFailedError(PrunusError):
    """A process ended EXCEPTED with an error whose type cannot be rebuilt here.

    Across OS processes (a daemon) or after a restart, the error of an EXCEPTED process
    is rebuilt as its original type when that type imports here; otherwise it is this,
    carrying what was stored: ``type_name`` (``module:Qual.Name``), ``error_message``
    and ``traceback`` (the text of the traceback where it was raised).
    """

    def __init__(
        self, message: str, *, type_name: str = "", error_message: str = "", traceback: str = ""
    ) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.error_message = error_message
        self.traceback = traceback


class DaemonError(PrunusError):
    """No daemon runs on the home or address, or it stopped answering."""


class DaemonTimeoutError(DaemonError):
    """The daemon runs but did not answer within the call's timeout."""


class NotAuthorisedError(DaemonError):
    """This client does not hold the daemon's key (``<home>/secret.key``): the daemon
    drops every message it sends unread."""


class StuckError(WaitTimeoutError):
    """(Embedded) the process can never end: it is paused, or waits on something that
    nothing in this runtime will produce. Unlike a plain timeout, waiting longer cannot
    help; play it, resume it or kill it."""


class StoreError(PrunusError):
    """The durable store cannot be opened or written (missing, read-only, full disk).

    Attributes:
        disk_full: the disk (or quota) has no room: transient, nothing committed was
            lost, and the same write can succeed once there is space again.
    """

    disk_full: bool = False

    def __init__(self, message: str, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full


def _describe(value: Any, limit: int = 80) -> str:
    """A short ``repr`` of a value for error messages, with its type."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{text} (type {type(value).__name__})"
