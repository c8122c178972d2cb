"""The Process: a finite-state machine with a validated spec, driven one step at a time.

The engine is pure: a Process never does I/O and never talks to other processes itself.
A step's side effects (children to launch, report lines) are queued on the process and
taken by whoever hosts it (an actor, see ``prunus.actors``) through a
:class:`~prunus.engine.ProcessDriver`, so the same code runs embedded, in a daemon, or
under a test with no actors at all. ``execute`` runs on whatever executor the control
layer installed (:func:`install_executor`): the engine imports nothing above it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from prunus._attributes_dict import frozen_tree, plain_tree
from prunus.engine._core import ProcessCore
from prunus.engine._hooks import ProcessHooks, current_process
from prunus.engine._input_checks import defaulted_paths, nesting_error
from prunus.engine._listener import ProcessListener
from prunus.engine._machine import ProcessMachine
from prunus.engine._nested import refuse_inside_step
from prunus.engine._pids import child_pid, new_pid
from prunus.engine._process_view import ProcessView
from prunus.engine._states import ProcessState
from prunus.engine._waiting import WaitingActions
from prunus.errors import ClosedError, InvalidStateError
from prunus.spec import ProcessSpec

__all__ = [
    "Executor",
    "Process",
    "child_pid",
    "install_executor",
    "install_pid_type",
    "launch_inputs",
    "new_pid",
    "new_process",
]

_LOG = logging.getLogger(__name__)

#: Runs a process to its end and returns its outputs (see :meth:`Process.execute`).
Executor = Callable[["Process"], dict[str, Any]]
_executor: Executor | None = None


def install_executor(executor: Executor) -> None:
    """Set what :meth:`Process.execute` runs a process on.

    ``prunus.control`` installs its embedded runtime when it is imported (``import
    prunus`` does, and so does importing any of its subpackages), so the engine runs
    processes without importing the layers above it: no import cycle.
    """
    global _executor
    _executor = executor


#: What ``Process.submit`` wraps a child's pid in (``prunus.Pid`` once
#: ``prunus.conditions`` is imported; it installs itself, as control installs the
#: executor: the engine imports nothing above it).
_pid_type: Callable[[str], str] = str


def install_pid_type(pid_type: Callable[[str], str]) -> None:
    """Set what :meth:`Process.submit` returns a child's pid as (``prunus.Pid``)."""
    global _pid_type
    _pid_type = pid_type


def launch_inputs(
    process_class: type[Process], inputs: Mapping[str, Any] | None, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The inputs of a launch given as ``(Cls, {...})``, ``(Cls, a=1)`` or ``(Cls, inputs={...})``.

    A keyword ``inputs=`` is the mapping of inputs (plumpy's spelling) unless the process
    declares a port named ``inputs``; then it is that input, like any other keyword.
    """
    merged = dict(inputs or {})
    if "inputs" in kwargs and "inputs" not in process_class.spec().inputs:
        given = kwargs.pop("inputs")
        merged.update(given or {})
    merged.update(kwargs)
    return merged


def new_process(
    process_class: type[Process],
    inputs: Mapping[str, Any] | None,
    pid: str | None = None,
    *,
    parent_pid: str | None = None,
) -> Process:
    """A new, validated process of ``process_class``: how the runtime makes processes.

    Why not ``process_class(inputs=...)``: calling a ``@prunus.function`` class RUNS the
    function (that is its user-facing meaning), so the runtime constructs through
    ``type.__call__``, which every Process class answers the same way.
    """
    return type.__call__(process_class, inputs, pid, parent_pid=parent_pid)  # type: ignore[no-any-return]


class _ClassOrInstanceProperty:
    """``Cls.exit_codes`` and ``self.exit_codes`` both read the class's spec."""

    def __init__(self, getter: Callable[[type], Any]) -> None:
        self._getter = getter

    def __get__(self, instance: Any, owner: type) -> Any:
        return self._getter(owner)


class Process(ProcessHooks, ProcessView, WaitingActions, ProcessMachine):
    """A unit of work with typed inputs and outputs, run as a sequence of steps.

    Subclasses override :meth:`define` to declare ports and :meth:`run` to do the work.
    ``run`` (and every later step) returns a command: ``Continue``, ``Wait``, ``Stop``,
    ``Kill``, an ``ExitCode``, or any other value meaning ``Stop(value)``. They may also
    override plumpy's hooks (``init``, ``on_create``, ``on_run``, ``on_finish``...; see
    :mod:`prunus.engine._hooks`), calling ``super()`` in each.
    """

    _prunus_spec_type: ClassVar[type[ProcessSpec]] = ProcessSpec

    # ---- spec ---------------------------------------------------------------------

    @classmethod
    def define(cls, spec: ProcessSpec) -> None:
        """Declare inputs, outputs and exit codes; overrides call ``super().define``."""

    @classmethod
    def spec(cls) -> ProcessSpec:
        """The sealed spec of this class, built once on first use."""
        spec = cls.__dict__.get("_prunus_spec")
        if spec is None:
            spec = cls._prunus_spec_type()
            # Stored before define() runs, so define may read ``cls.exit_codes`` for
            # ``return_(cls.exit_codes.ERROR_X)`` and get the spec being built.
            cls._prunus_spec = spec  # type: ignore[attr-defined]
            try:
                cls.define(spec)
                spec.seal()  # checks what needs the whole spec, so it can fail too
            except BaseException:
                del cls._prunus_spec  # type: ignore[attr-defined]
                raise
        return spec

    @classmethod
    def get_description(cls) -> dict[str, Any]:
        """``{'spec': ..., 'description': docstring}`` as plumpy gives it (a class
        without its own docstring has no ``description``)."""
        description: dict[str, Any] = {}
        doc = cls.__dict__.get("__doc__")
        if doc:
            description["description"] = inspect.cleandoc(doc)
        description["spec"] = cls.spec().get_description()
        return description

    @classmethod
    def current(cls) -> Process | None:
        """The process whose step (or hook) is running in this thread; in nested runs
        the innermost. None outside any step."""
        return current_process()

    @classmethod
    def qualified_name(cls) -> str:
        """``module:QualName``: how the daemon and the checkpoints find this class."""
        return f"{cls.__module__}:{cls.__qualname__}"

    exit_codes = _ClassOrInstanceProperty(lambda cls: cls.spec().exit_codes)

    # ---- construction -------------------------------------------------------------

    def __init__(
        self,
        inputs: Mapping[str, Any] | None = None,
        pid: str | None = None,
        *,
        parent_pid: str | None = None,
        listeners: tuple[ProcessListener, ...] | list[ProcessListener] = (),
    ) -> None:
        """Validate ``inputs`` against the spec (defaults filled in) and create the process.

        Raises:
            PortValidationError: an input is missing, unknown or of the wrong type; the
                message names the port path.
        """
        spec = self.spec()
        given = inputs or {}
        try:
            raw = plain_tree(spec.pre_process_inputs(given))
            error = spec.validate_inputs(raw)
            tree = frozen_tree(raw) if error is None else None
            defaulted = defaulted_paths(given, raw) if error is None else None
        except RecursionError:  # a dict that contains itself, or one nested very deep
            raise nesting_error(given) from None
        if error is not None:
            raise error
        self._prunus = ProcessCore(pid=new_pid() if pid is None else str(pid), parent=parent_pid)
        self._prunus.defaulted = defaulted
        # The checkpointed inputs (plain data), and the read-only view steps get.
        self._prunus_raw_inputs: dict[str, Any] = raw
        self._prunus_inputs = tree
        self._prunus_listeners: list[ProcessListener] = list(listeners)
        if type(self)._prunus_user_hooks():
            self._prunus_call_hook("init")
            self._prunus_call_hook("on_entering", ProcessState.CREATED)
            self._prunus_call_hook("on_create")
            self._prunus_call_hook("on_entered", None)
        if listeners:
            self._prunus_fire("on_process_created")

    def run(self) -> Any:
        """The first step; the default does nothing and finishes successfully."""
        return None

    # ---- actions a step (or a listener, or a controller) may take -----------------

    def out(self, output_port: str, value: Any) -> None:
        """Emit ``value`` on ``output_port`` (a dotted path); checked against its port now."""
        self._prunus_call_hook("on_output_emitting", output_port, value)
        port, dynamic = self._prunus_output_port(output_port)
        if port is not None:
            error = port.validate(value, tuple(output_port.split(".")))
            if error is not None:
                raise error
        target = self._prunus.outputs
        *parents, leaf = output_port.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
        self._prunus_call_hook("on_output_emitted", output_port, value, dynamic)
        self._prunus_fire("on_output_emitted", output_port, value, dynamic)

    def report(self, message: str) -> None:
        """Log a line for this process; it is stored with the process and shown by the CLI."""
        self._prunus.reports.append(str(message))
        _LOG.info("[%s|%s] %s", self.pid, self.get_name(), message)

    def submit(
        self,
        process_class: type[Process],
        inputs: Mapping[str, Any] | None = None,
        /,
        *,
        when: Any = None,
        **kwargs: Any,
    ) -> str:
        """Launch a child process after this step; returns its pid at once.

        The child's pid is derived from this process's pid and the launch's position in
        its history (:func:`child_pid`), so a step re-run after a crash finds the child
        it launched before.
        ``when``: a ``prunus.conditions`` Condition (typically on siblings' pids, as
        returned by earlier ``submit`` calls): the child is recorded now and starts
        only once it holds (a child with a port named ``when`` takes ``inputs={...}``).

        Raises:
            PortValidationError: the child's inputs do not fit its spec.
        """
        core = self._prunus
        merged = launch_inputs(process_class, inputs, kwargs)
        pid = child_pid(core.pid, core.launch_count)
        child = new_process(process_class, merged, pid, parent_pid=core.pid)
        if when is not None:
            child._prunus.when = when.to_data()
        core.launch_count += 1
        core.children.append(pid)
        core.launches.append(child)
        return _pid_type(pid)

    launch = submit

    def pause(self, msg: str | None = None, *, msg_text: str | None = None) -> bool:
        """Take no new step until played; a step in progress completes first.

        ``msg`` (or plumpy's ``msg_text=``) becomes the status until played; play
        puts the status back. Returns False for a terminated process.
        """
        core = self._prunus
        if core.state.is_terminal:
            return False
        if not core.paused:
            self._prunus_guarded(self._prunus_pause, msg if msg is not None else msg_text)
        return True

    def _prunus_pause(self, msg: str | None) -> None:
        core = self._prunus
        self._prunus_call_hook("on_pausing", msg)
        core.paused = True
        if msg is not None:
            core.pause_status = [core.status, msg]
            core.status = msg
        self._prunus_call_hook("on_paused", msg)
        self._prunus_fire("on_process_paused")

    def play(self) -> bool:
        """Undo :meth:`pause`; returns False for a terminated process."""
        core = self._prunus
        if core.state.is_terminal:
            return False
        if core.paused:
            self._prunus_guarded(self._prunus_play)
        return True

    def _prunus_play(self) -> None:
        core = self._prunus
        core.paused = False
        if core.pause_status is not None:
            before, msg = core.pause_status
            core.pause_status = None
            if core.status == msg:  # (unless something else set a status meanwhile)
                core.status = before
        self._prunus_call_hook("on_playing")
        self._prunus_fire("on_process_played")

    def kill(self, msg: str | None = None, *, msg_text: str | None = None) -> bool:
        """End KILLED now, or right after the current step when called from inside one.

        ``msg`` (or plumpy's ``msg_text=``) becomes the status. Returns False for a
        process that had already ended.
        """
        core = self._prunus
        msg = msg if msg is not None else msg_text
        if core.state.is_terminal:
            return False
        if core.in_step:
            core.kill_request = (msg,)
        else:
            self._prunus_guarded(self._prunus_end_killed, msg)
        return True

    def resume(self, *args: Any, **kwargs: Any) -> None:
        """Wake a WAITING process; the arguments go to the step its Wait named.

        Raises:
            InvalidStateError: it is not WAITING (or, a WorkChain, it waits for children,
                and resumes by itself when they have ended).
        """
        core = self._prunus
        if core.state is not ProcessState.WAITING:
            raise InvalidStateError(f"cannot resume process {core.pid}: it is {core.state.name}")
        core.next_args, core.next_kwargs = args, kwargs
        core.status = None
        core.waiting = None
        self._prunus_guarded(self._prunus_transition, ProcessState.RUNNING)

    def add_process_listener(self, listener: ProcessListener) -> None:
        self._prunus_listeners.append(listener)

    def remove_process_listener(self, listener: ProcessListener) -> None:
        self._prunus_listeners.remove(listener)

    def execute(self) -> dict[str, Any]:
        """Run to the end on an embedded actor system and return the outputs (also
        when it FINISHED unsuccessfully, as plumpy: check ``is_successful``).

        Raises:
            ClosedError: it had already ended (a process runs once; make a new one).
            KilledError: the process ended KILLED.
            Exception: the error that made it EXCEPTED, re-raised.
        """
        if self.has_terminated():
            raise ClosedError(
                f"process {self.pid} has already ended ({self.state.name}); a process runs "
                "once: create a new instance to run again"
            )
        refuse_inside_step("execute()/prunus.run")
        if _executor is None:  # only if prunus.engine was loaded without prunus itself
            raise RuntimeError("no executor is installed: import prunus first")
        return _executor(self)

    def __repr__(self) -> str:
        return f"<{self.get_name()} pid={self.pid} state={self.state.name}>"
