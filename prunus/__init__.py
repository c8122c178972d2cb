"""prunus: durable, controllable workflows in which every Process and WorkChain is an actor.

The public API is re-exported here; everything else lives in ``_``-named modules.
Names mirror plumpy's where the concept is the same, so a plumpy workflow ports over by
changing imports and launch calls.
"""

from __future__ import annotations

from prunus._attributes_dict import AttributesDict
from prunus.conditions import Pid
from prunus.control import (
    Client,
    ListQuery,
    ProcessPage,
    daemon_status,
    run,
    start_daemon,
    stop_daemon,
)
from prunus.engine import (
    Continue,
    Kill,
    Process,
    ProcessListener,
    ProcessResult,
    ProcessState,
    ProcessStatus,
    Stop,
    ToContext,
    UnsuccessfulResult,
    Wait,
    WorkChain,
    append_,
    function,
)
from prunus.errors import (
    CheckpointError,
    ClosedError,
    CodecError,
    ConditionError,
    DaemonError,
    DaemonTimeoutError,
    InvalidStateError,
    KilledError,
    MissingSuperCallError,
    NotAuthorisedError,
    PortValidationError,
    ProcessClassError,
    ProcessClassImportError,
    ProcessFailedError,
    PrunusError,
    ReadOnlyInputsError,
    StoreError,
    StuckError,
    UnknownProcessError,
    WaitTimeoutError,
)
from prunus.persistence import register_type
from prunus.spec import (
    ExitCode,
    InputPort,
    OutputPort,
    Port,
    PortNamespace,
    ProcessSpec,
    WorkChainSpec,
    if_,
    return_,
    while_,
)
from prunus.ui._notebook import ProcessList, ProcessTree

__version__ = "0.1.0"

__all__ = [
    "AttributesDict",
    "CheckpointError",
    "Client",
    "ClosedError",
    "CodecError",
    "ConditionError",
    "Continue",
    "DaemonError",
    "DaemonTimeoutError",
    "ExitCode",
    "InputPort",
    "InvalidStateError",
    "Kill",
    "KilledError",
    "ListQuery",
    "MissingSuperCallError",
    "NotAuthorisedError",
    "OutputPort",
    "Pid",
    "Port",
    "PortNamespace",
    "PortValidationError",
    "Process",
    "ProcessClassError",
    "ProcessClassImportError",
    "ProcessFailedError",
    "ProcessList",
    "ProcessListener",
    "ProcessPage",
    "ProcessResult",
    "ProcessSpec",
    "ProcessState",
    "ProcessStatus",
    "ProcessTree",
    "PrunusError",
    "ReadOnlyInputsError",
    "Stop",
    "StoreError",
    "StuckError",
    "ToContext",
    "UnknownProcessError",
    "UnsuccessfulResult",
    "Wait",
    "WaitTimeoutError",
    "WorkChain",
    "WorkChainSpec",
    "__version__",
    "append_",
    "daemon_status",
    "function",
    "if_",
    "register_type",
    "return_",
    "run",
    "start_daemon",
    "stop_daemon",
    "while_",
]
