"""The Process: a finite-state machine with a validated spec, driven one step at a time.

The engine is pure: a Process never does I/O and never talks to other processes itself.
A step's side effects (children to launch, report lines) are queued on the process and
taken by whoever hosts it (an actor, see ``prunus.actors``), so the same code runs
embedded, in a daemon, or under a test with no actors at all.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from prunus._attributes_dict import AttributesDict, attributes_tree
from prunus.engine._commands import Continue, Kill, Stop, Wait
from prunus.engine._core import ProcessCore
from prunus.engine._listener import ProcessListener
from prunus.engine._records import ProcessResult, ProcessStatus
from prunus.engine._states import ProcessState, check_transition
from prunus.errors import InvalidStateError, PortValidationError
from prunus.spec import ExitCode, PortNamespace, ProcessSpec

__all__ = ["Process", "new_pid"]

_LOG = logging.getLogger(__name__)

_TRANSITION_HOOKS = {
    ProcessState.RUNNING: "on_process_running",
    ProcessState.WAITING: "on_process_waiting",
}

UNSUCCESSFUL = ExitCode(status=1, message="the process stopped unsuccessfully")


def new_pid() -> str:
    """A fresh top-level pid: short, unique, safe in file names and shell arguments."""
    return uuid.uuid4().hex[:12]


class _ClassOrInstanceProperty:
    """``Cls.exit_codes`` and ``self.exit_codes`` both read the class's spec."""

    def __init__(self, getter: Callable[[type], Any]) -> None:
        self._getter = getter

    def __get__(self, instance: Any, owner: type) -> Any:
        return self._getter(owner)


class Process:
    """A unit of work with typed inputs and outputs, run as a sequence of steps.

    Subclasses override :meth:`define` to declare ports and :meth:`run` to do the work.
    ``run`` (and every later step) returns a command: ``Continue``, ``Wait``, ``Stop``,
    ``Kill``, an ``ExitCode``, or any other value meaning ``Stop(value)``.
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
            except BaseException:
                del cls._prunus_spec  # type: ignore[attr-defined]
                raise
            spec.seal()
        return spec

    @classmethod
    def get_description(cls) -> dict[str, Any]:
        return cls.spec().get_description()

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
        raw = spec.pre_process_inputs(inputs or {})
        error = spec.validate_inputs(raw)
        if error is not None:
            raise error
        self._prunus = ProcessCore(pid=pid or new_pid(), parent=parent_pid)
        self._prunus_raw_inputs: dict[str, Any] = raw
        self._prunus_inputs = attributes_tree(raw)
        self._prunus_listeners: list[ProcessListener] = list(listeners)
        self._prunus_fire("on_process_created")

    def run(self) -> Any:
        """The first step; the default does nothing and finishes successfully."""
        return None

    # ---- read-only view -----------------------------------------------------------

    @property
    def pid(self) -> str:
        return self._prunus.pid

    @property
    def parent_pid(self) -> str | None:
        return self._prunus.parent

    @property
    def state(self) -> ProcessState:
        return self._prunus.state

    @property
    def paused(self) -> bool:
        return self._prunus.paused

    @property
    def status(self) -> str | None:
        """The human status message: a Wait's message, a kill reason, an error."""
        return self._prunus.status

    @property
    def inputs(self) -> AttributesDict:
        return self._prunus_inputs

    @property
    def outputs(self) -> dict[str, Any]:
        return self._prunus.outputs

    @property
    def exit_code(self) -> ExitCode | None:
        return self._prunus.exit_code

    @property
    def is_successful(self) -> bool:
        core = self._prunus
        return core.state is ProcessState.FINISHED and (
            core.exit_code is None or core.exit_code.status == 0
        )

    def has_terminated(self) -> bool:
        return self._prunus.state.is_terminal

    is_terminated = property(has_terminated)

    def get_name(self) -> str:
        return type(self).__name__

    def result(self) -> Any:
        """The value the process stopped with; re-raises how it failed otherwise."""
        from prunus.errors import KilledError

        core = self._prunus
        if core.state is ProcessState.FINISHED:
            return core.result
        if core.state is ProcessState.KILLED:
            raise KilledError(core.status or f"process {core.pid} was killed")
        if core.state is ProcessState.EXCEPTED:
            if core.error is not None:
                raise core.error
            raise RuntimeError(core.exception)
        raise InvalidStateError(f"process {core.pid} has not terminated ({core.state.name})")

    def exception(self) -> str | None:
        """``'Type: message'`` of the error that made the process EXCEPTED, else None."""
        return self._prunus.exception

    def exposed_inputs(
        self, process_class: type[Process], namespace: str | None = None
    ) -> AttributesDict:
        """The inputs this process received for the ports it exposed from ``process_class``.

        Pass the result straight on: ``self.submit(Child, **self.exposed_inputs(Child, 'child'))``.
        """
        names = self.spec().exposed_input_names(process_class, namespace)
        source: Mapping[str, Any] = self.inputs
        for part in (namespace or "").split(".") if namespace else ():
            source = source.get(part, {})
        return AttributesDict({name: source[name] for name in names if name in source})

    # ---- actions a step (or a listener, or a controller) may take -----------------

    def out(self, output_port: str, value: Any) -> None:
        """Emit ``value`` on ``output_port`` (a dotted path); checked against its port now."""
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
        self._prunus_fire("on_output_emitted", output_port, value, dynamic)

    def report(self, message: str) -> None:
        """Log a line for this process; it is stored with the process and shown by the CLI."""
        self._prunus.reports.append(str(message))
        _LOG.info("[%s|%s] %s", self.pid, self.get_name(), message)

    def submit(
        self,
        process_class: type[Process],
        inputs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> str:
        """Launch a child process after this step; returns its pid at once.

        The child's pid is derived from this process's pid and the launch's position in
        its history, so a step re-run after a crash finds the child it launched before.

        Raises:
            PortValidationError: the child's inputs do not fit its spec.
        """
        core = self._prunus
        merged = dict(inputs or {})
        merged.update(kwargs)
        child_pid = f"{core.pid}.{core.launch_count}"
        child = process_class(inputs=merged, pid=child_pid, parent_pid=core.pid)
        core.launch_count += 1
        core.children.append(child_pid)
        core.launches.append(child)
        return child_pid

    launch = submit

    def pause(self, msg: str | None = None) -> bool:
        """Take no new step until played; a step in progress completes first."""
        core = self._prunus
        if core.state.is_terminal:
            return False
        if not core.paused:
            core.paused = True
            self._prunus_fire("on_process_paused")
        return True

    def play(self) -> bool:
        """Undo :meth:`pause`; returns False for a terminated process."""
        core = self._prunus
        if core.state.is_terminal:
            return False
        if core.paused:
            core.paused = False
            self._prunus_fire("on_process_played")
        return True

    def kill(self, msg: str | None = None) -> bool:
        """End KILLED now, or right after the current step when called from inside one."""
        core = self._prunus
        if core.state.is_terminal:
            return False
        if core.in_step:
            core.kill_request = (msg,)
        else:
            self._prunus_end_killed(msg)
        return True

    def resume(self, *args: Any, **kwargs: Any) -> None:
        """Wake a WAITING process; the arguments go to the step its Wait named."""
        core = self._prunus
        if core.state is not ProcessState.WAITING:
            raise InvalidStateError(f"cannot resume process {core.pid}: it is {core.state.name}")
        core.next_args, core.next_kwargs = args, kwargs
        core.status = None
        self._prunus_transition(ProcessState.RUNNING)

    def add_process_listener(self, listener: ProcessListener) -> None:
        self._prunus_listeners.append(listener)

    def remove_process_listener(self, listener: ProcessListener) -> None:
        self._prunus_listeners.remove(listener)

    def execute(self) -> dict[str, Any]:
        """Run to the end on an embedded actor system and return the outputs.

        Raises:
            KilledError: the process ended KILLED.
            Exception: the error that made it EXCEPTED, re-raised.
        """
        from prunus.control import execute

        return execute(self)

    # ---- the step interpreter (called by the host) --------------------------------

    @property
    def _prunus_runnable(self) -> bool:
        core = self._prunus
        return not core.paused and core.state in (
            ProcessState.CREATED,
            ProcessState.RUNNING,
        )

    def _prunus_step(self) -> None:
        """Run exactly one step and apply the command it returned."""
        core = self._prunus
        if not self._prunus_runnable:
            raise InvalidStateError(
                f"process {core.pid} cannot step: {core.state.name}"
                + (" (paused)" if core.paused else "")
            )
        if core.state is ProcessState.CREATED:
            self._prunus_transition(ProcessState.RUNNING)
            if not self._prunus_runnable:  # a listener paused or killed it
                return
        name, args, kwargs = core.next_step, core.next_args, core.next_kwargs
        core.in_step = True
        try:
            if name is None:
                command: Any = Stop(args[0] if args else None)
            else:
                if not isinstance(self, _OutlineDriven):
                    core.step_name = name
                command = getattr(self, name)(*args, **kwargs)
            kill_request, core.kill_request = core.kill_request, None
            core.in_step = False
            if kill_request is not None:
                self._prunus_end_killed(kill_request[0])
            else:
                self._prunus_apply(command)
        except Exception as error:
            core.in_step = False
            self._prunus_end_excepted(error)

    def _prunus_apply(self, command: Any) -> None:
        core = self._prunus
        if isinstance(command, Continue):
            self._prunus_set_next(command.fn, command.args, command.kwargs)
        elif isinstance(command, Wait):
            self._prunus_set_next(command.fn, (), {})
            core.status = command.msg
            self._prunus_transition(ProcessState.WAITING)
        elif isinstance(command, Kill):
            self._prunus_end_killed(command.msg)
        elif isinstance(command, Stop):
            self._prunus_end_finished(command.result, command.successful, None)
        elif isinstance(command, ExitCode):
            self._prunus_end_finished(None, command.status == 0, command)
        else:
            self._prunus_end_finished(command, True, None)

    def _prunus_set_next(self, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        core = self._prunus
        if fn is None:
            core.next_step = None
        else:
            name = getattr(fn, "__name__", None)
            if getattr(fn, "__self__", None) is not self or getattr(self, name, None) != fn:
                raise InvalidStateError(
                    f"the next step must be a method of the process so a checkpoint can "
                    f"name it; got {fn!r}"
                )
            core.next_step = name
        core.next_args, core.next_kwargs = tuple(args), dict(kwargs)

    def _prunus_child_finished(self, result: ProcessResult) -> None:
        """A child ended; a WorkChain consumes this in its awaits."""
        core = self._prunus
        # A result delivered twice (re-sent after a restart) is kept once and never
        # re-applied once consumed.
        if result.pid in core.children and result.pid not in core.consumed:
            core.child_results[result.pid] = result

    # ---- endings and transitions ----------------------------------------------------

    def _prunus_end_finished(
        self, result: Any, successful: bool, exit_code: ExitCode | None
    ) -> None:
        core = self._prunus
        if successful and (exit_code is None or exit_code.status == 0):
            error = self.spec().validate_outputs(core.outputs)
            if error is not None:
                raise PortValidationError(
                    f"invalid outputs of process {core.pid}: {error}", error.port_path
                )
        core.result = result
        if exit_code is None:
            exit_code = ExitCode(status=0) if successful else UNSUCCESSFUL
        core.exit_code = exit_code
        if exit_code.status != 0:
            core.status = exit_code.message
        self._prunus_transition(ProcessState.FINISHED)

    def _prunus_end_killed(self, msg: str | None) -> None:
        core = self._prunus
        core.status = msg if msg is not None else "killed"
        core.paused = False
        self._prunus_transition(ProcessState.KILLED)

    def _prunus_end_excepted(self, error: BaseException) -> None:
        core = self._prunus
        if core.state.is_terminal:  # an error in a terminal listener changes nothing
            _LOG.exception("error after process %s terminated", core.pid)
            return
        core.error = error
        core.exception = f"{type(error).__name__}: {error}"
        core.traceback = "".join(traceback.format_exception(error))
        core.status = core.exception
        core.paused = False
        self._prunus_transition(ProcessState.EXCEPTED)

    def _prunus_transition(self, target: ProcessState) -> None:
        core = self._prunus
        core.state = check_transition(core.state, target)
        if target is ProcessState.FINISHED:
            self._prunus_fire("on_process_finished", core.outputs)
        elif target is ProcessState.EXCEPTED:
            self._prunus_fire("on_process_excepted", core.exception)
        elif target is ProcessState.KILLED:
            self._prunus_fire("on_process_killed", core.status)
        else:
            self._prunus_fire(_TRANSITION_HOOKS[target])

    def _prunus_fire(self, hook: str, *args: Any) -> None:
        for listener in list(self._prunus_listeners):
            try:
                getattr(listener, hook)(self, *args)
            except Exception:
                _LOG.exception("listener %r failed in %s of %s", listener, hook, self.pid)

    def _prunus_output_port(self, path: str) -> tuple[Any, bool]:
        """The output port at ``path``, or ``(None, True)`` inside a dynamic namespace."""
        namespace: Any = self.spec().outputs
        parts = path.split(".")
        for depth, part in enumerate(parts):
            if isinstance(namespace, PortNamespace) and part in namespace:
                namespace = namespace[part]
                continue
            if isinstance(namespace, PortNamespace) and namespace.dynamic:
                return None, True
            where = ".".join(parts[:depth]) or "outputs"
            raise PortValidationError(f"no output port '{part}' in {where}", path)
        return namespace, False

    # ---- reports for hosts ----------------------------------------------------------

    def _prunus_take_effects(self) -> tuple[list[Process], list[str]]:
        """Hand the queued child launches and report lines to the host, and forget them."""
        core = self._prunus
        launches, reports = core.launches, core.reports
        core.launches, core.reports = [], []
        return launches, reports

    def _prunus_status(self) -> ProcessStatus:
        core = self._prunus
        return ProcessStatus(
            pid=core.pid,
            process_class=self.qualified_name(),
            state=core.state,
            paused=core.paused,
            status=core.status,
            step=core.step_name,
            children=tuple(core.children),
            parent=core.parent,
        )

    def _prunus_result(self) -> ProcessResult:
        core = self._prunus
        return ProcessResult(
            pid=core.pid,
            state=core.state,
            outputs=core.outputs,
            exit_code=core.exit_code,
            exception=core.exception,
            status=core.status,
            process_class=self.qualified_name(),
        )

    def __repr__(self) -> str:
        return f"<{self.get_name()} pid={self.pid} state={self.state.name}>"


class _OutlineDriven:
    """Marker: the class names its own steps (a WorkChain names outline steps)."""
