"""Declaring what a process takes, gives and how it ends: ports, namespaces, exit codes.

The names mirror plumpy's (``spec.input``, ``PortNamespace``, ``ExitCode``) so that a
plumpy ``define(spec)`` ports over by changing imports only.
"""

from __future__ import annotations

from prunus.spec._cache import CacheSettings
from prunus.spec._exit_code import ExitCode, ExitCodesNamespace
from prunus.spec._namespace import PortNamespace
from prunus.spec._outline import Conditional, Outline, if_, return_, while_
from prunus.spec._ports import UNSPECIFIED, InputPort, OutputPort, Port
from prunus.spec._process_spec import ProcessSpec
from prunus.spec._workchain_spec import WorkChainSpec

__all__ = [
    "UNSPECIFIED",
    "CacheSettings",
    "Conditional",
    "ExitCode",
    "ExitCodesNamespace",
    "InputPort",
    "Outline",
    "OutputPort",
    "Port",
    "PortNamespace",
    "ProcessSpec",
    "WorkChainSpec",
    "if_",
    "return_",
    "while_",
]
