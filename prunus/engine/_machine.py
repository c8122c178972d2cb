"""The state-machine driver of a process: one step, its command, its transitions.

This is the half of :class:`Process` that hosts drive, through the public
:class:`~prunus.engine.ProcessDriver` (step, effects, status, result), and the only code
that changes a process's state, always through :func:`check_transition`. User code sees
the other half, ``prunus.engine._process``. Every name here carries the ``_prunus``
prefix so that a user's subclass can use any plain name it likes.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from prunus.engine._commands import Continue, Kill, Stop, UnsuccessfulResult, Wait
from prunus.engine._failure import store_error
from prunus.engine._hooks import enter_current, leave_current, running
from prunus.engine._nested import enter_step, leave_step
from prunus.engine._records import ProcessResult, ProcessStatus
from prunus.engine._states import ProcessState, check_transition
from prunus.engine._waiting import WaitOn, take_pending_signal
from prunus.errors import InvalidStateError, PortValidationError
from prunus.spec import ExitCode, PortNamespace

if TYPE_CHECKING:
    from prunus.engine._process import Process

__all__ = ["INVALID_OUTPUTS", "UNSUCCESSFUL", "OutlineDriven", "ProcessMachine"]

_LOG = logging.getLogger(__name__)

_TRANSITION_HOOKS = {
    ProcessState.RUNNING: "on_process_running",
    ProcessState.WAITING: "on_process_waiting",
}
# The class's own hooks (prunus.engine._hooks) around each transition.
_EXIT_HOOKS = {ProcessState.RUNNING: "on_exit_running", ProcessState.WAITING: "on_exit_waiting"}
_ENTERING_HOOKS = {
    ProcessState.RUNNING: "on_run",
    ProcessState.WAITING: "on_wait",
    ProcessState.FINISHED: "on_finish",
    ProcessState.KILLED: "on_kill",
    ProcessState.EXCEPTED: "on_except",
}
_ENTERED_HOOKS = {
    ProcessState.RUNNING: "on_running",
    ProcessState.WAITING: "on_waiting",
    ProcessState.FINISHED: "on_finished",
    ProcessState.KILLED: "on_killed",
    ProcessState.EXCEPTED: "on_excepted",
}

UNSUCCESSFUL = ExitCode(status=1, message="the process stopped unsuccessfully")
INVALID_OUTPUTS = ExitCode(status=1, label="ERROR_INVALID_OUTPUTS")


class ProcessMachine:
    """Mixin driven through ProcessDriver; relies on Process for ``_prunus`` (the core), ``spec()``,
    ``qualified_name()``, ``get_name()`` and ``_prunus_listeners``."""

    _prunus: Any
    _prunus_listeners: list[Any]

    # ---- the step interpreter (called through the driver) -------------------------

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
        token = enter_current(self)  # Process.current() is this process meanwhile
        try:
            if core.state is ProcessState.CREATED:
                try:
                    self._prunus_transition(ProcessState.RUNNING)
                except Exception as error:  # a hook failed
                    self._prunus_end_excepted(error)
                if not self._prunus_runnable:  # a hook or listener paused, killed or failed it
                    return
            self._prunus_run_step()
        finally:
            leave_current(token)

    def _prunus_run_step(self) -> None:
        core = self._prunus
        name, args, kwargs = core.next_step, core.next_args, core.next_kwargs
        core.in_step = True
        try:
            if name is None:
                command: Any = Stop(args[0] if args else None)
            else:
                if not isinstance(self, OutlineDriven):
                    core.step_name = name
                token = enter_step(self)  # type: ignore[arg-type]
                try:
                    command = getattr(self, name)(*args, **kwargs)
                finally:
                    leave_step(token)
            kill_request, core.kill_request = core.kill_request, None
            core.in_step = False
            if kill_request is not None:
                self._prunus_end_killed(kill_request[0])
            else:
                self._prunus_apply(command)
        except Exception as error:
            core.in_step = False
            self._prunus_end_excepted(error)

    def _prunus_guarded(self, action: Any, *args: Any) -> Any:
        """Run ``action`` (a control or a transition, which may run user hooks).

        Inside a step an error propagates, so that the step fails; outside one (a
        controller, a child's result arriving) it makes the process EXCEPTED here.
        """
        core = self._prunus
        if core.in_step:
            return action(*args)
        try:
            with running(self):
                return action(*args)
        except Exception as error:
            self._prunus_end_excepted(error)
            return None

    def _prunus_apply(self, command: Any) -> None:
        core = self._prunus
        if isinstance(command, Continue):
            self._prunus_set_next(command.fn, command.args, command.kwargs)
        elif isinstance(command, Wait):
            self._prunus_set_next(command.fn, (), {})
            on = command.data if isinstance(command.data, WaitOn) else None
            if on is not None and on.signal is not None and take_pending_signal(self, on.signal):  # type: ignore[arg-type]
                return  # the signal came first: no wait, the next step runs
            core.waiting = None if on is None else {"due": on.due, "signal": on.signal}
            core.status = command.msg
            self._prunus_transition(ProcessState.WAITING, command.data)
        elif isinstance(command, Kill):
            self._prunus_end_killed(command.msg)
        elif isinstance(command, Stop):
            self._prunus_end_finished(command.result, command.successful, None)
        elif isinstance(command, UnsuccessfulResult):
            self._prunus_end_finished(command.result, False, None)
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
                # plumpy's meaning: FINISHED, unsuccessful, the reason as its status.
                successful = False
                exit_code = dataclasses.replace(
                    INVALID_OUTPUTS, message=f"invalid outputs of process {core.pid}: {error}"
                )
        if exit_code is None:
            exit_code = ExitCode(status=0) if successful else UNSUCCESSFUL
        core.result = result
        core.exit_code = exit_code
        if exit_code.status != 0:
            core.status = exit_code.message
        self._prunus_transition(ProcessState.FINISHED, result, exit_code.status == 0)

    def _prunus_end_killed(self, msg: str | None) -> None:
        core = self._prunus
        core.status = msg if msg is not None else "killed"
        core.paused = False
        self._prunus_transition(ProcessState.KILLED, msg)

    def _prunus_end_excepted(self, error: BaseException) -> None:
        core = self._prunus
        if core.state.is_terminal:  # an error in a terminal listener changes nothing
            _LOG.error("error after process %s terminated", core.pid, exc_info=error)
            return
        stored = store_error(error)
        core.result, core.exit_code = None, None  # (an ending whose hook failed)
        core.error = error
        core.failure = stored.to_data()
        core.exception = f"{type(error).__name__}: {error}"
        core.traceback = stored.traceback
        core.status = core.exception
        core.paused = False
        self._prunus_transition(
            ProcessState.EXCEPTED, (type(error), error, error.__traceback__), quiet=True
        )

    def _prunus_transition(self, target: ProcessState, *entering: Any, quiet: bool = False) -> None:
        """Change state, calling the class's hooks and then the listeners.

        Args:
            entering: the arguments of the target state's entering hook.
            quiet: log hook errors instead of raising them (entering EXCEPTED, where
                there is nowhere further to go).

        Raises:
            Exception: a hook failed; the state is left as it was, and the caller
                fails the process (entering EXCEPTED itself, hook errors are logged).
        """
        core = self._prunus
        source = core.state
        check_transition(source, target)
        hooks = type(self)._prunus_user_hooks()  # type: ignore[attr-defined]
        if hooks:
            call = self._prunus_hook_quietly if quiet else self._prunus_call_hook  # type: ignore[attr-defined]
            call("on_exiting")
            if source in _EXIT_HOOKS:
                call(_EXIT_HOOKS[source])
            call("on_entering", target)
            call(_ENTERING_HOOKS[target], *entering)
        core.state = target
        if hooks:
            call = self._prunus_hook_quietly if quiet else self._prunus_call_hook  # type: ignore[attr-defined]
            try:
                call("on_entered", source)
                call(_ENTERED_HOOKS[target])
                if target.is_terminal:
                    call("on_terminated")
                    call("on_close")
            except Exception:
                # As in plumpy, a failing hook fails the process instead: undone before
                # anyone (listeners, the store, other actors) has seen the new state,
                # so the caller takes it from the source state to EXCEPTED.
                core.state = source
                raise
        if target is ProcessState.FINISHED:
            self._prunus_fire("on_process_finished", core.outputs)
        elif target is ProcessState.EXCEPTED:
            self._prunus_fire("on_process_excepted", core.exception)
        elif target is ProcessState.KILLED:
            self._prunus_fire("on_process_killed", core.status)
        else:
            self._prunus_fire(_TRANSITION_HOOKS[target])

    def _prunus_hook_quietly(self, name: str, *args: Any) -> None:
        try:
            self._prunus_call_hook(name, *args)  # type: ignore[attr-defined]
        except Exception:
            _LOG.exception("hook %s of process %s failed", name, self._prunus.pid)

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
            created=core.created,
            due=None if core.waiting is None else core.waiting["due"],
            signal=None if core.waiting is None else core.waiting["signal"],
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
            traceback=core.traceback,
            failure=core.failure,
        )


class OutlineDriven:
    """Marker: the class names its own steps (a WorkChain names outline steps)."""
