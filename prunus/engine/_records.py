"""The value types a process reports about itself: its result and its status.

Both are frozen so they can travel in actor messages and sit in ``ctx`` without anyone
mutating another process's view of the world. Each has one plain-data form
(``to_data``/``from_data``), used by every checkpoint, registry record and codec entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prunus.engine._states import ProcessState
from prunus.spec import ExitCode

__all__ = ["ProcessResult", "ProcessStatus"]


class ProcessResult(Mapping[str, Any]):
    """How a process ended: a read-only mapping of its outputs plus its end state.

    ``result['value']`` reads an output; ``.pid``, ``.state``, ``.exit_code``,
    ``.is_finished_ok``, ``.exception`` and ``.status`` describe the ending. This is
    what ``client.wait(pid)`` returns and what ``ctx.name`` holds for an awaited child.
    """

    __slots__ = (
        "_outputs",
        "exception",
        "exit_code",
        "failure",
        "pid",
        "process_class",
        "state",
        "status",
        "traceback",
    )

    def __init__(
        self,
        pid: str,
        state: ProcessState,
        outputs: Mapping[str, Any] | None = None,
        exit_code: ExitCode | None = None,
        exception: str | None = None,
        status: str | None = None,
        process_class: str = "",
        traceback: str | None = None,
        failure: Any = None,
    ) -> None:
        self.pid = pid
        self.state = state
        self._outputs = dict(outputs or {})
        self.exit_code = exit_code
        self.exception = exception
        self.status = status
        self.process_class = process_class
        self.traceback = traceback  # of the error of an EXCEPTED process, as text
        self.failure = failure  # that error as data (see prunus.engine._failure)

    def error(self) -> BaseException | None:
        """The error of an EXCEPTED process, rebuilt here: its original type where it
        imports (with its message; the traceback text is ``.prunus_traceback``), else
        a ``ProcessFailedError`` carrying type name, message and traceback text.
        None for any other ending."""
        from prunus.engine._failure import StoredError
        from prunus.errors import ProcessFailedError

        if self.state is not ProcessState.EXCEPTED:
            return None
        stored = StoredError.from_data(self.failure)
        if stored is not None:
            return stored.rebuild()
        return ProcessFailedError(
            f"process {self.pid} excepted: {self.exception}",
            error_message=self.exception or "",
            traceback=self.traceback or "",
        )

    def __getitem__(self, key: str) -> Any:
        return self._outputs[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._outputs)

    def __len__(self) -> int:
        return len(self._outputs)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not slots: lets ``ctx.child.value`` read an
        # output the way ``self.inputs.x`` reads an input.
        outputs = object.__getattribute__(self, "_outputs")
        if name in outputs:
            return outputs[name]
        raise AttributeError(f"result of process {self.pid} has no output '{name}'")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProcessResult):
            return NotImplemented
        return self.to_data() == other.to_data()

    __hash__ = None  # type: ignore[assignment]

    @property
    def outputs(self) -> dict[str, Any]:
        """A copy of the outputs as a plain dict."""
        return dict(self._outputs)

    @property
    def is_finished(self) -> bool:
        return self.state is ProcessState.FINISHED

    @property
    def is_finished_ok(self) -> bool:
        """FINISHED with exit status 0: the only ending a parent can take as success."""
        return self.is_finished and (self.exit_code is None or self.exit_code.status == 0)

    @property
    def is_failed(self) -> bool:
        """Ended any way other than FINISHED with exit status 0."""
        return not self.is_finished_ok

    @property
    def is_killed(self) -> bool:
        return self.state is ProcessState.KILLED

    @property
    def is_excepted(self) -> bool:
        return self.state is ProcessState.EXCEPTED

    def to_data(self) -> dict[str, Any]:
        """Plain data for the codec, registry records and checkpoints; :meth:`from_data`
        inverts it."""
        return {
            "pid": self.pid,
            "state": self.state._value_,
            "outputs": self._outputs,
            "exit_code": None if self.exit_code is None else self.exit_code.to_data(),
            "exception": self.exception,
            "status": self.status,
            "process_class": self.process_class,
            "traceback": self.traceback,
            "failure": self.failure,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ProcessResult:
        """The result :meth:`to_data` stored, also as stores written before exit codes
        had one form kept it (see :func:`_exit_code_of`)."""
        return cls(
            pid=data["pid"],
            state=ProcessState(data["state"]),
            outputs=data.get("outputs") or {},
            exit_code=_exit_code_of(data.get("exit_code")),
            exception=data.get("exception"),
            status=data.get("status"),
            process_class=data.get("process_class", ""),
            traceback=data.get("traceback"),
            failure=data.get("failure"),
        )

    def _repr_html_(self) -> str:  # how a notebook shows it: see _result_views
        from prunus.engine._result_views import result_html

        return result_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        from prunus.engine._result_views import result_text

        printer.text(result_text(self))

    def __repr__(self) -> str:
        code = "" if self.exit_code is None else f", exit_status={self.exit_code.status}"
        return (
            f"ProcessResult(pid={self.pid!r}, state={self.state.name}{code}, "
            f"outputs={self._outputs!r})"
        )


@dataclass(frozen=True, slots=True)
class ProcessStatus:
    """A snapshot of a live or ended process, as ``client.status(pid)`` returns it.

    Attributes:
        pid: the process id (never changes, also across restarts).
        process_class: the qualified name of the process class.
        state: the current state.
        paused: whether the process takes no new step until played.
        status: the human status message (a Wait's message, a kill reason...).
        step: the name of the current (or last) step, for a WorkChain its outline step.
        children: pids of the children this process launched, in launch order.
        parent: the parent's pid, or None for a top-level process.
        created: when the process was created (unix time).
        step_started: while a step runs long (a daemon reports it after a fraction of
            a second), when that step started (unix time); None otherwise.
        due: a WAITING process's timer: when it falls due (unix time), else None.
        signal: the name of the signal a WAITING process waits for, else None.
    """

    pid: str
    process_class: str
    state: ProcessState
    paused: bool = False
    status: str | None = None
    step: str | None = None
    children: tuple[str, ...] = field(default_factory=tuple)
    parent: str | None = None
    created: float | None = None
    step_started: float | None = None
    due: float | None = None
    signal: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state.is_terminal

    def to_data(self) -> dict[str, Any]:
        """Plain data: the status part of a registry record, and (with the state's
        name instead of its value) what ``--json`` prints; :meth:`from_data` inverts it."""
        data = {
            "pid": self.pid,
            "process_class": self.process_class,
            "state": self.state._value_,
            "paused": self.paused,
            "status": self.status,
            "step": self.step,
            "parent": self.parent,
            "children": list(self.children),
            "created": self.created,
            "due": self.due,
            "signal": self.signal,
        }
        if self.step_started is not None:  # (never stored: only reported while running)
            data["step_started"] = self.step_started
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ProcessStatus:
        """The status :meth:`to_data` stored; other keys (a record's ``modified``,
        ``result``) are ignored, and ``created`` may be missing (older records)."""
        return cls(
            pid=data["pid"],
            process_class=data["process_class"],
            state=ProcessState(data["state"]),
            paused=data["paused"],
            status=data["status"],
            step=data["step"],
            children=tuple(data["children"]),
            parent=data["parent"],
            created=data.get("created"),
            step_started=data.get("step_started"),
            due=data.get("due"),
            signal=data.get("signal"),
        )


def _exit_code_of(data: Sequence[Any] | None) -> ExitCode | None:
    """An exit code stored in a result. Before exit codes had one stored form, results
    kept theirs as ``[status, message, label, invalidates_cache]``: the bool (never a
    label, which is a str or None) says which order a stored list is in."""
    if data is None:
        return None
    if not isinstance(data[2], bool) and isinstance(data[3], bool):
        status, message, label, invalidates_cache = data
        return ExitCode(status, message, invalidates_cache, label)
    return ExitCode.from_data(data)
