"""How users drive processes: ``run``, the ``Client``, and daemons.

Importing it installs :func:`execute` as the engine's executor, which is how
``Process.execute()`` reaches an embedded runtime without the engine importing this
package (``prunus.engine.install_executor``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prunus.actors import ListQuery, ProcessPage
from prunus.control._client import Client, execute
from prunus.control._daemon_control import daemon_pids, daemon_status, start_daemon, stop_daemon
from prunus.engine import Process, install_executor, launch_inputs, new_process

__all__ = [
    "Client",
    "ListQuery",
    "ProcessPage",
    "daemon_pids",
    "daemon_status",
    "execute",
    "run",
    "start_daemon",
    "stop_daemon",
]

install_executor(execute)


def run(
    process_class: type[Process], inputs: Mapping[str, Any] | None = None, /, **kwargs: Any
) -> dict[str, Any]:
    """Run a process to its end in the embedded runtime and return its outputs.

    Inputs come as a mapping, as keywords, or as ``inputs={...}``; a process may still
    have inputs named ``process_class`` or ``inputs`` (see ``launch_inputs``).

    Raises:
        PortValidationError: invalid inputs (nothing runs).
        KilledError: the process was killed.
        Exception: whatever made the process EXCEPTED.
    """
    return new_process(process_class, launch_inputs(process_class, inputs, kwargs)).execute()
