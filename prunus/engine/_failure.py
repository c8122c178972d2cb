"""How the error that made a process EXCEPTED is kept, and rebuilt where it is read.

The live exception object exists only in the OS process where the step raised it, and
only until that process stops. What is stored instead (in the checkpoint and in the
result record) is plain data: the type's import path, the constructor arguments when
they are plain values, the message and the traceback text. Reading it back rebuilds
the original type when it imports here; otherwise a ``ProcessFailedError`` carries the
stored fields, so nothing that was known is lost.
"""

from __future__ import annotations

import importlib
import traceback as _traceback
from dataclasses import dataclass
from typing import Any

from prunus.errors import ProcessFailedError

__all__ = ["StoredError", "store_error"]

_PLAIN = (str, int, float, bool, type(None))


@dataclass(frozen=True, slots=True)
class StoredError:
    """An exception as data. ``type_name`` is ``module:Qual.Name``; ``args`` is None
    when the constructor arguments were not plain values (then only the message is
    kept)."""

    type_name: str
    message: str
    traceback: str
    args: tuple[Any, ...] | None = None

    @property
    def summary(self) -> str:
        """``'TypeName: message'``, what status lines and listeners show."""
        short = self.type_name.rpartition(":")[2] or self.type_name
        return f"{short}: {self.message}"

    def rebuild(self) -> BaseException:
        """The original type with the same arguments where it imports, else a
        ProcessFailedError carrying type name, message and traceback text."""
        error = _rebuilt(self)
        if error is None:
            error = ProcessFailedError(
                f"{self.summary} (type not importable here; its traceback is kept)",
                type_name=self.type_name,
                error_message=self.message,
                traceback=self.traceback,
            )
        else:
            # The stored traceback of where it was raised (it cannot be re-attached
            # as a real traceback object).
            error.prunus_traceback = self.traceback  # type: ignore[attr-defined]
        return error

    def to_data(self) -> list[Any]:
        return [self.type_name, self.message, self.traceback, self.args]

    @classmethod
    def from_data(cls, data: Any) -> StoredError | None:
        if not data:
            return None
        type_name, message, text, args = data
        return cls(type_name, message, text, None if args is None else tuple(args))


def store_error(error: BaseException) -> StoredError:
    """The data kept for ``error`` (its traceback formatted now, while it exists)."""
    kind = type(error)
    args = error.args if all(type(a) in _PLAIN for a in error.args) else None
    return StoredError(
        type_name=f"{kind.__module__}:{kind.__qualname__}",
        message=str(error),
        traceback="".join(_traceback.format_exception(kind, error, error.__traceback__)),
        args=args,
    )


def _rebuilt(stored: StoredError) -> BaseException | None:
    module_name, _, qualname = stored.type_name.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except Exception:  # an import can fail in any way; then the fallback is used
        return None
    if not (isinstance(target, type) and issubclass(target, BaseException)):
        return None
    try:
        if stored.args is not None:
            error = target(*stored.args)
            if str(error) == stored.message:
                return error
        error = target(stored.message)
    except Exception:  # a constructor that wants other arguments
        return None
    return error if str(error) == stored.message else None
