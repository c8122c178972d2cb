"""The pure process model: states, commands, Process and WorkChain. No I/O, no actors."""

from __future__ import annotations

from prunus.engine._checkpoint import (
    CHECKPOINT_KEYS,
    load_process,
    resolve_process_class,
    save_process,
)
from prunus.engine._commands import Command, Continue, Kill, Stop, UnsuccessfulResult, Wait
from prunus.engine._description import ProcessDescription
from prunus.engine._driver import ProcessDriver
from prunus.engine._function import FunctionProcess, function
from prunus.engine._listener import ProcessListener
from prunus.engine._nested import (
    NestedRunner,
    current_step,
    enter_runner,
    leave_runner,
    refuse_inside_step,
    using_runner,
)
from prunus.engine._process import (
    Executor,
    Process,
    child_pid,
    install_executor,
    install_pid_type,
    launch_inputs,
    new_pid,
    new_process,
)
from prunus.engine._records import ProcessResult, ProcessStatus
from prunus.engine._states import (
    TERMINAL_STATES,
    TRANSITIONS,
    ProcessState,
    check_transition,
)
from prunus.engine._workchain import ToContext, WorkChain, append_

__all__ = [
    "CHECKPOINT_KEYS",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Command",
    "Continue",
    "Executor",
    "FunctionProcess",
    "Kill",
    "NestedRunner",
    "Process",
    "ProcessDescription",
    "ProcessDriver",
    "ProcessListener",
    "ProcessResult",
    "ProcessState",
    "ProcessStatus",
    "Stop",
    "ToContext",
    "UnsuccessfulResult",
    "Wait",
    "WorkChain",
    "append_",
    "check_transition",
    "child_pid",
    "current_step",
    "enter_runner",
    "function",
    "install_executor",
    "install_pid_type",
    "launch_inputs",
    "leave_runner",
    "load_process",
    "new_pid",
    "new_process",
    "refuse_inside_step",
    "resolve_process_class",
    "save_process",
    "using_runner",
]
