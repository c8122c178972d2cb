"""How users drive processes from Python: ``run`` and the ``Client``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prunus.control._client import Client, execute
from prunus.engine import Process

__all__ = ["Client", "execute", "run"]


def run(
    process_class: type[Process], inputs: Mapping[str, Any] | None = None, **kwargs: Any
) -> dict[str, Any]:
    """Run a process to its end in the embedded runtime and return its outputs.

    Raises:
        PortValidationError: invalid inputs (nothing runs).
        KilledError: the process was killed.
        Exception: whatever made the process EXCEPTED.
    """
    merged = dict(inputs or {})
    merged.update(kwargs)
    return process_class(inputs=merged).execute()
