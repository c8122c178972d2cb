"""Everything the runtime knows about one process, for people and tools to read.

``Client.describe`` returns it as plain data (a dict: it crosses OS processes and ends
up in ``prunus process show --json``); :meth:`ProcessDescription.to_data` and
:meth:`ProcessDescription.from_data` are the one place that says how, so the runtime
that writes it and the CLI that reads it cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prunus.engine._records import ProcessResult, ProcessStatus
from prunus.engine._states import ProcessState

__all__ = ["ProcessDescription"]


@dataclass(frozen=True, slots=True)
class ProcessDescription:
    """One process as stored: its status, times, inputs and (once ended) its outcome.

    Attributes:
        modified: unix time of its last stored change (its end, once ended).
        inputs: its validated inputs, as its checkpoint holds them (None if unreadable).
        outputs: its outputs once it has ended, else None.
        exit_code: ``(status, message)`` of its exit code, once ended with one.
        exception: the error text of an EXCEPTED process.
        traceback: the traceback text of that error, where it was raised.
        restarts: how often it was restarted because its host died while running it.
        when: the ``when=`` condition it is held by (plain data), while it waits.
        cached_from: the pid whose outputs it copied (a memo hit), or None.
        due: a WAITING process's timer (unix time), else None.
        signal: the signal a WAITING process waits for, else None.
    """

    pid: str
    process_class: str
    state: ProcessState
    paused: bool
    status: str | None
    step: str | None
    parent: str | None
    children: tuple[str, ...]
    created: float | None
    modified: float | None
    inputs: Mapping[str, Any] | None
    outputs: Mapping[str, Any] | None
    exit_code: tuple[int, str] | None
    exception: str | None
    restarts: int
    traceback: str | None = None
    when: list[Any] | None = None
    cached_from: str | None = None
    due: float | None = None
    signal: str | None = None

    @classmethod
    def of(
        cls,
        status: ProcessStatus,
        result: ProcessResult | None,
        *,
        children: tuple[str, ...],
        modified: float | None,
        inputs: Mapping[str, Any] | None,
        restarts: int,
        when: list[Any] | None = None,
        cached_from: str | None = None,
    ) -> ProcessDescription:
        """The description of a process from its last status and (if ended) result."""
        code = result.exit_code if result is not None else None
        return cls(
            pid=status.pid,
            process_class=status.process_class,
            state=status.state,
            paused=status.paused,
            status=status.status,
            step=status.step,
            parent=status.parent,
            children=children,
            created=status.created,
            modified=modified,
            inputs=inputs,
            outputs=dict(result) if result is not None else None,
            exit_code=None if code is None else (code.status, code.message),
            exception=result.exception if result is not None else None,
            restarts=restarts,
            traceback=result.traceback if result is not None else None,
            when=when,
            cached_from=cached_from,
            due=status.due,
            signal=status.signal,
        )

    def to_data(self) -> dict[str, Any]:
        """Plain data: the state by name, the exit code as ``[status, message]``."""
        return {
            "pid": self.pid,
            "process_class": self.process_class,
            "state": self.state.name,
            "paused": self.paused,
            "status": self.status,
            "step": self.step,
            "parent": self.parent,
            "children": list(self.children),
            "created": self.created,
            "modified": self.modified,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "exit_code": None if self.exit_code is None else list(self.exit_code),
            "exception": self.exception,
            "traceback": self.traceback,
            "restarts": self.restarts,
            "when": self.when,
            "cached_from": self.cached_from,
            "due": self.due,
            "signal": self.signal,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ProcessDescription:
        """The inverse of :meth:`to_data`."""
        code = data["exit_code"]
        return cls(
            pid=data["pid"],
            process_class=data["process_class"],
            state=ProcessState[data["state"]],
            paused=data["paused"],
            status=data["status"],
            step=data["step"],
            parent=data["parent"],
            children=tuple(data["children"]),
            created=data["created"],
            modified=data["modified"],
            inputs=data["inputs"],
            outputs=data["outputs"],
            exit_code=None if code is None else (code[0], code[1]),
            exception=data["exception"],
            restarts=data["restarts"],
            traceback=data.get("traceback"),
            when=data.get("when"),
            cached_from=data.get("cached_from"),
            due=data.get("due"),
            signal=data.get("signal"),
        )

    @property
    def is_terminal(self) -> bool:
        return self.state.is_terminal
