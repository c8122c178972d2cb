"""A process as plain data, and back: what a checkpoint holds.

``save`` takes every durable field of a process (see :class:`ProcessCore`) plus its
class and inputs; ``load`` rebuilds an equal process without running any user code but
the class's ``define`` (already run at import). The data holds only codec-encodable
values; ``ctx`` and outputs may hold registered user types.

What is restored: state, pause flag, status, next step and its arguments, outline
cursor, ctx, outputs emitted so far, children and launch counter (so replayed launches
get the same pids), awaited children and unconsumed child results, exit code and
the error of an EXCEPTED process as data (type, arguments, message, traceback text:
``exception()`` rebuilds it), and listeners whose type is registered with the codec.
What is not: a listener of an unregistered type (logged), and the live exception
object. Loading runs the class's ``init`` hook (and no other).
"""

from __future__ import annotations

import importlib
import logging
from operator import attrgetter
from typing import Any

from prunus._attributes_dict import AttributesDict, frozen_tree
from prunus._text import shorten
from prunus.engine._core import ProcessCore
from prunus.engine._process import Process
from prunus.engine._records import ProcessResult
from prunus.engine._states import ProcessState
from prunus.errors import CheckpointError, ProcessClassImportError
from prunus.spec import ExitCode

__all__ = ["CHECKPOINT_KEYS", "load_process", "resolve_process_class", "save_process"]

_LOG = logging.getLogger(__name__)

# Fields copied as they are; the rest are converted below.
_PLAIN_FIELDS = (
    "pid",
    "parent",
    "paused",
    "status",
    "next_step",
    "next_kwargs",
    "step_name",
    "outputs",
    "result",
    "exception",
    "traceback",
    "children",
    "launch_count",
    "consumed",
    "awaiting",
    "outline_cursor",
)
# Fields added later: a checkpoint written before them loads with these defaults.
_NEWER_FIELDS: dict[str, Any] = {"failure": None, "pause_status": None, "defaulted": list}
# Both read in one call: a checkpoint is written after every step.
_COPIED = (*_PLAIN_FIELDS, *_NEWER_FIELDS)
_read_copied = attrgetter(*_COPIED)
# Every key save_process writes (but ``when``, written only when there is one): a
# checkpoint with all of them is of the current format (an editor of checkpoints
# that loading would not fill in with defaults relies on it).
CHECKPOINT_KEYS = frozenset(
    (
        *_COPIED,
        *("class", "inputs", "state", "next_args", "exit_code", "child_results", "ctx"),
        *("listeners", "created", "waiting", "signals", "signal_values"),
    )
)


def save_process(process: Process, *, listeners: list[Any] | None = None) -> dict[str, Any]:
    """The checkpoint data of ``process`` (not yet encoded).

    Args:
        listeners: the listeners to store (the host decides which are encodable).
    """
    core = process._prunus
    data: dict[str, Any] = dict(zip(_COPIED, _read_copied(core), strict=True))
    data["class"] = process.qualified_name()
    data["inputs"] = process._prunus_raw_inputs
    data["state"] = core.state._value_  # (.value is a slower descriptor)
    data["next_args"] = list(core.next_args)
    data["exit_code"] = None if core.exit_code is None else core.exit_code.to_data()
    data["child_results"] = {pid: r.to_data() for pid, r in core.child_results.items()}
    data["ctx"] = core.ctx
    data["listeners"] = list(listeners or [])
    data["created"] = core.created
    if core.when is not None:
        data["when"] = core.when
    data["waiting"] = core.waiting
    data["signals"] = core.signals
    data["signal_values"] = core.signal_values
    return data


def load_process(data: dict[str, Any], process_class: type[Process] | None = None) -> Process:
    """Rebuild a process from :func:`save_process` data.

    Raises:
        CheckpointError: the class cannot be found or the data is not a checkpoint.
    """
    try:
        cls = process_class or resolve_process_class(data["class"])
        process = cls.__new__(cls)
        core = ProcessCore(pid=data["pid"])
        for name in _PLAIN_FIELDS:
            setattr(core, name, data[name])
        for name, default in _NEWER_FIELDS.items():
            value = data.get(name)
            setattr(
                core,
                name,
                value if value is not None else (default() if callable(default) else default),
            )
        core.state = ProcessState(data["state"])
        core.next_args = tuple(data["next_args"])
        code = data["exit_code"]
        core.exit_code = None if code is None else ExitCode.from_data(code)
        core.child_results = {
            pid: ProcessResult.from_data(r) for pid, r in data["child_results"].items()
        }
        ctx = data["ctx"]
        core.ctx = ctx if isinstance(ctx, AttributesDict) else AttributesDict(ctx)
        raw_inputs = data["inputs"]
        if data.get("created") is not None:
            core.created = float(data["created"])
        core.when = data.get("when")
        # (checkpoints written before timers and signals have none of these)
        core.waiting = data.get("waiting")
        core.signals = dict(data.get("signals") or {})
        core.signal_values = dict(data.get("signal_values") or {})
    except CheckpointError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"not a valid process checkpoint: {error!r}") from None
    process._prunus = core
    process._prunus_raw_inputs = raw_inputs
    process._prunus_inputs = frozen_tree(raw_inputs)
    process._prunus_listeners = list(data.get("listeners") or [])
    try:
        # The one hook a restore runs (see prunus.engine._hooks).
        process._prunus_call_hook("init")
    except Exception as error:
        raise CheckpointError(
            f"init() of process {core.pid} failed on restore: {type(error).__name__}: {error}"
        ) from error
    return process


def resolve_process_class(name: str) -> type[Process]:
    """``module:QualName`` -> the Process subclass, importing the module if needed.

    Only a module named in the checkpoint is imported (the same module the process was
    defined in), and only a Process subclass is accepted: data never names a function
    to call.

    Raises:
        CheckpointError: it cannot be imported or is not a Process class.
    """
    module_name, _, qualname = name.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except Exception as error:  # an import can fail in any way
        reason = shorten(str(error), 300)
        raise ProcessClassImportError(
            f"cannot import process class {shorten(name)}: {reason}"
        ) from None
    if not (isinstance(target, type) and issubclass(target, Process)):
        raise CheckpointError(f"{shorten(name)} is not a prunus Process class")
    return target
