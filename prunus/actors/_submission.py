"""Building a process inside the runtime from what a remote client sent: a class path
and codec-encoded inputs. The class is imported by its module path (the daemon's own
``sys.path``); nothing in the message is unpickled into user objects.
"""

from __future__ import annotations

from typing import Any

from prunus.engine import Process, ProcessDriver, new_process, resolve_process_class
from prunus.errors import CheckpointError, CodecError, ProcessClassError
from prunus.persistence import decode

__all__ = ["build_process"]


def build_process(
    process_class: str, inputs: bytes, when: Any = None, cache: Any = True
) -> Process:
    """A new process of ``process_class`` (``module:Qual.Name``) with ``inputs`` (and
    its ``when=`` condition as plain data, checked by the supervisor).

    Raises:
        ProcessClassError: the class cannot be imported or is not a Process.
        PortValidationError: the inputs do not fit its spec.
        CodecError: the inputs cannot be decoded.
    """
    try:
        cls = resolve_process_class(process_class)
    except CheckpointError as error:
        hint = (
            " (a class defined in a script's __main__ cannot be imported by the daemon; "
            "move it to a module)"
            if process_class.startswith("__main__:")
            else ""
        )
        raise ProcessClassError(f"{error}{hint}") from None
    try:
        data = decode(inputs)
    except CodecError as error:
        raise CodecError(f"cannot decode the inputs of {process_class}: {error}") from None
    process = new_process(cls, data)
    driver = ProcessDriver(process)
    driver.launch_condition, driver.cache_mode = when, cache
    return process
