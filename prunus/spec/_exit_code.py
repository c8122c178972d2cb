"""Exit codes: the named, numbered ways a process can finish.

A process returns ``self.exit_codes.ERROR_NO_CONVERGENCE`` instead of raising, so the
failure is a value that is stored, queried (``prunus list --exit-status 300``) and
compared by status; ``status == 0`` means success.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from prunus._attributes_dict import AttributesDict
from prunus.errors import _describe

__all__ = ["ExitCode", "ExitCodesNamespace"]


@dataclasses.dataclass(frozen=True, slots=True)
class ExitCode:
    """How a process finished.

    Attributes:
        status: 0 for success, any other non-negative number for a specific failure.
        message: what went wrong, in words; may hold ``{placeholders}`` for
            :meth:`format`.
        invalidates_cache: a process that ended with this code must not be reused as a
            cached result.
        label: the name the code was declared under (``ERROR_NO_CONVERGENCE``), if any.
    """

    status: int = 0
    message: str | None = None
    invalidates_cache: bool = False
    label: str | None = None

    def format(self, **kwargs: Any) -> ExitCode:
        """A copy whose message has its ``{placeholders}`` filled from ``kwargs``.

        Raises:
            ValueError: there is no message, or a placeholder has no argument.
        """
        name = self.label or f"status {self.status}"
        if self.message is None:
            raise ValueError(f"exit code {name} has no message to format")
        try:
            message = self.message.format(**kwargs)
        except KeyError as exc:
            raise ValueError(
                f"exit code {name}: its message needs the argument {exc.args[0]!r}"
            ) from None
        return dataclasses.replace(self, message=message)

    def to_data(self) -> list[Any]:
        """Plain data for checkpoints, registry records and the codec: the fields in
        declaration order, ``[status, message, invalidates_cache, label]``. The one
        stored form of an exit code; :meth:`from_data` inverts it."""
        return [self.status, self.message, self.invalidates_cache, self.label]

    @classmethod
    def from_data(cls, data: Sequence[Any]) -> ExitCode:
        """The exit code :meth:`to_data` stored."""
        status, message, invalidates_cache, label = data
        return cls(status, message, invalidates_cache, label)


class ExitCodesNamespace(AttributesDict):
    """The exit codes of a spec by label, also reachable as attributes.

    Calling it looks a code up by label or by status, which is what code that only has
    the stored number (a status filter, a restart handler) needs.
    """

    __slots__ = ()

    def __call__(self, identifier: str | int) -> ExitCode:
        """The exit code with this label (a str) or this status (an int).

        Raises:
            ValueError: no exit code has that label or status.
        """
        if isinstance(identifier, str):
            if identifier in self:
                return self[identifier]
            known = ", ".join(self) or "none"
            raise ValueError(f"no exit code labelled {identifier!r}; known labels: {known}")
        if isinstance(identifier, int) and not isinstance(identifier, bool):
            for exit_code in self.values():
                if exit_code.status == identifier:
                    return exit_code
            known = ", ".join(str(code.status) for code in self.values()) or "none"
            raise ValueError(f"no exit code with status {identifier}; known: {known}")
        raise TypeError(f"look exit codes up by label or status, got {_describe(identifier)}")

    def __getattr__(self, name: str) -> ExitCode:
        try:
            return self[name]
        except KeyError:
            known = ", ".join(self) or "none"
            raise AttributeError(f"no exit code labelled {name!r}; known labels: {known}") from None

    def __repr__(self) -> str:
        return f"ExitCodesNamespace({dict.__repr__(self)})"
