"""Pause, play and kill of a passivated process as edits of its checkpoint data.

For a process whose class overrides no hook and that has no listeners, a control runs
no user code: it only flips a few fields (state, pause flag, status). Rebuilding the
process object to do that (:func:`~prunus.engine.load_process` freezes every input,
a :class:`~prunus.actors._cell.ProcessCell` wraps it, ``save_process`` reads it back)
was most of the supervisor's CPU in ``kill --all`` of 100k waiting trees. Here the
same fields are changed on the decoded checkpoint, and the record, status and result
are built from it as the cell would build them from the process: the store, the
events and the answer are the same (tests/actors/test_checkpoint_controls.py compares
them with the cell's, field by field).

The engine's rules mirrored here (``Process.pause/play/kill``, ``_prunus_end_killed``,
``ProcessCell._control``): an ended process answers False and nothing is written;
anything else is written (also a pause of a paused process) and reported.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from prunus.actors._host_messages import Finished, Reply, StateChanged
from prunus.actors._messages import ControlReply, KillRequest, PauseRequest, PlayRequest
from prunus.engine import CHECKPOINT_KEYS, ProcessResult, ProcessState, ProcessStatus
from prunus.spec import ExitCode

__all__ = ["CheckpointControl", "apply_to_checkpoint"]

_RUNNABLE = (ProcessState.CREATED, ProcessState.RUNNING)


class CheckpointControl(NamedTuple):
    """What a control did to a checkpoint: the parts to write (None: nothing to
    write), the events a cell would have produced, and whether it can run now."""

    write: dict[str, Any] | None
    events: list[Any]
    runnable: bool


def apply_to_checkpoint(
    data: dict[str, Any], process_class: str, message: Any, record: Any
) -> CheckpointControl | None:
    """Apply ``message`` (a pause, play or kill) to checkpoint ``data`` in place.

    ``process_class``: the class's qualified name; ``record``: builds the registry
    record (``status_record``). None: not a control this handles, or not a checkpoint
    (the caller takes the slow path, which reports why).
    """
    kind = type(message)
    if kind not in _APPLY or not _CURRENT_FORMAT.issubset(data) or not _filled(data):
        return None  # (an older checkpoint: loading it fills defaults, the slow way)
    try:
        state = ProcessState(data["state"])
        if state.is_terminal:
            status = _status(data, state, process_class)
            return CheckpointControl(None, _answer(message, False, status), False)
        _APPLY[kind](data, message)
        state = ProcessState(data["state"])
        status = _status(data, state, process_class)
        result = _result(data, state, process_class) if state.is_terminal else None
    except (KeyError, TypeError, ValueError):
        return None
    parts = {
        "record": record(status, result, data.get("when")),
        "checkpoint": data,
        "outputs": data["outputs"] if result is not None else None,
        "log_lines": [],
    }
    if result is not None:
        events: list[Any] = [Finished(status, result)]
        runnable = False
    else:
        events = [StateChanged(status)]
        runnable = not data["paused"] and state in _RUNNABLE
    events += _answer(message, True, status)
    return CheckpointControl(parts, events, runnable)


def _pause(data: dict[str, Any], message: PauseRequest) -> None:
    data["paused"] = True  # (a control's pause carries no message: the status stays)


def _play(data: dict[str, Any], message: PlayRequest) -> None:
    if data["paused"]:
        data["paused"] = False
        pause_status = data.get("pause_status")
        if pause_status is not None:
            before, msg = pause_status
            data["pause_status"] = None
            if data["status"] == msg:
                data["status"] = before


def _kill(data: dict[str, Any], message: KillRequest) -> None:
    data["status"] = message.message if message.message is not None else "killed"
    data["paused"] = False
    data["state"] = ProcessState.KILLED._value_


_CURRENT_FORMAT = CHECKPOINT_KEYS  # every key save_process writes (but ``when``)


def _filled(data: dict[str, Any]) -> bool:
    """No field that loading would replace by a default."""
    return (
        data["created"] is not None
        and data["defaulted"] is not None
        and data["signals"] is not None
        and data["signal_values"] is not None
    )


_APPLY: dict[type, Any] = {PauseRequest: _pause, PlayRequest: _play, KillRequest: _kill}


def _answer(message: Any, ok: bool, status: ProcessStatus) -> list[Any]:
    to = message.reply_to
    return [] if to is None else [Reply(to, ControlReply(status.pid, ok, status))]


def _status(data: dict[str, Any], state: ProcessState, process_class: str) -> ProcessStatus:
    """As ``ProcessMachine._prunus_status`` builds it from the process."""
    waiting = data.get("waiting")
    return ProcessStatus(
        pid=data["pid"],
        process_class=process_class,
        state=state,
        paused=data["paused"],
        status=data["status"],
        step=data["step_name"],
        children=tuple(data["children"]),
        parent=data["parent"],
        created=float(data["created"]),
        due=None if waiting is None else waiting["due"],
        signal=None if waiting is None else waiting["signal"],
    )


def _result(data: dict[str, Any], state: ProcessState, process_class: str) -> ProcessResult:
    """As ``ProcessMachine._prunus_result`` builds it from the process."""
    code = data["exit_code"]
    return ProcessResult(
        pid=data["pid"],
        state=state,
        outputs=data["outputs"],
        exit_code=None if code is None else ExitCode.from_data(code),
        exception=data["exception"],
        status=data["status"],
        process_class=process_class,
        traceback=data["traceback"],
        failure=data.get("failure"),
    )
