"""The Process: a finite-state machine with a validated spec, driven one step at a time.

The engine is pure: a Process never does I/O and never talks to other processes itself.
A step's side effects (children to launch, report lines) are queued on the process and
taken by whoever hosts it (an actor, see ``prunus.actors``) through a
:class:`~prunus.engine.ProcessDriver`, so the same code runs embedded, in a daemon, or
under a test with no actors at all. ``execute`` runs on whatever executor the control
layer installed (:func:`install_executor`): the engine imports nothing above it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from prunus._attributes_dict import AttributesDict, attributes_tree
from prunus.engine._core import ProcessCore
from prunus.engine._listener import ProcessListener
from prunus.engine._machine import ProcessMachine
from prunus.engine._states import ProcessState
from prunus.errors import InvalidStateError
from prunus.spec import ExitCode, ProcessSpec

__all__ = ["Executor", "Process", "install_executor", "launch_inputs", "new_pid"]

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


def new_pid() -> str:
    """A fresh top-level pid: short, unique, safe in file names and shell arguments."""
    return uuid.uuid4().hex[:12]


class _ClassOrInstanceProperty:
    """``Cls.exit_codes`` and ``self.exit_codes`` both read the class's spec."""

    def __init__(self, getter: Callable[[type], Any]) -> None:
        self._getter = getter

    def __get__(self, instance: Any, owner: type) -> Any:
        return self._getter(owner)


class Process(ProcessMachine):
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
                spec.seal()  # checks what needs the whole spec, so it can fail too
            except BaseException:
                del cls._prunus_spec  # type: ignore[attr-defined]
                raise
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
        /,
        **kwargs: Any,
    ) -> str:
        """Launch a child process after this step; returns its pid at once.

        The child's pid is derived from this process's pid and the launch's position in
        its history, so a step re-run after a crash finds the child it launched before.

        Raises:
            PortValidationError: the child's inputs do not fit its spec.
        """
        core = self._prunus
        merged = launch_inputs(process_class, inputs, kwargs)
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
        if _executor is None:  # only if prunus.engine was loaded without prunus itself
            raise RuntimeError("no executor is installed: import prunus first")
        return _executor(self)

    def __repr__(self) -> str:
        return f"<{self.get_name()} pid={self.pid} state={self.state.name}>"
