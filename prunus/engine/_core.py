"""The engine's per-process state, kept in one object behind ``process._prunus``.

Keeping every framework field in one place means a user's subclass can use any attribute
name it likes, and a checkpoint is "this object's durable fields" rather than a hunt
through ``__dict__``. Fields below the marker are transient: they live for one actor
message and are never checkpointed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from prunus._attributes_dict import AttributesDict
from prunus.engine._states import ProcessState
from prunus.spec import ExitCode

__all__ = ["ProcessCore"]


@dataclass(slots=True)
class ProcessCore:
    pid: str
    parent: str | None = None
    state: ProcessState = ProcessState.CREATED
    paused: bool = False
    status: str | None = None
    # The next step: a method name (None: finish when resumed) and its arguments.
    next_step: str | None = "run"
    next_args: tuple[Any, ...] = ()
    next_kwargs: dict[str, Any] = field(default_factory=dict)
    step_name: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    result: Any = None
    exit_code: ExitCode | None = None
    exception: str | None = None  # 'Type: message' of the error, once EXCEPTED
    traceback: str | None = None
    failure: Any = None  # the error as data (a StoredError), once EXCEPTED
    pause_status: list[Any] | None = None  # [status before, pause msg]: play restores
    defaulted: list[str] = field(default_factory=list)  # input paths filled by defaults
    children: list[str] = field(default_factory=list)
    launch_count: int = 0
    # Results of finished children not yet consumed, and what a WorkChain awaits:
    # a list of [ctx_key, child_pid, append].
    child_results: dict[str, Any] = field(default_factory=dict)
    consumed: list[str] = field(default_factory=list)  # children whose result was applied
    awaiting: list[list[Any]] = field(default_factory=list)
    ctx: AttributesDict = field(default_factory=AttributesDict)
    outline_cursor: Any = None
    created: float = field(default_factory=time.time)  # unix time the process was made
    # The launch condition (``when=``) as plain data: while the process is CREATED its
    # registry record carries it, so the supervisor holds it back until it holds.
    when: list[Any] | None = None
    # What a WAITING process waits for besides children: {"due": unix time or None,
    # "signal": name or None} (see prunus.engine._waiting); None otherwise.
    waiting: dict[str, Any] | None = None
    signals: dict[str, Any] = field(default_factory=dict)  # arrived, not waited for yet
    signal_values: dict[str, Any] = field(default_factory=dict)  # what self.signal() reads
    # ---- transient: never checkpointed ----
    in_step: bool = False
    kill_request: tuple[str | None] | None = None
    launches: list[Any] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    error: BaseException | None = None
    logger: Any = None  # the per-process logger, made on first use
    hooks_ran: set[str] = field(default_factory=set)  # base hooks reached (super() check)
    cache: Any = True  # the cache= launch option (True, False or "refresh")
